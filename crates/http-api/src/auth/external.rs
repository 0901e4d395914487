//! Bearer JWTs issued by an existing user system (the seed lived inside such a hub): when
//! configured, its users reach Ramal with their own token and are mapped to agents.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::Value;

use crate::config::{ExternalJwtConfig, ExternalJwtKey};

/// The user an external token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalUser {
    /// The stable id claim, as text.
    pub id: String,
    /// The display name claim (falls back to the id).
    pub name: String,
}

/// Why an external token was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExternalJwtError {
    /// The configured key is unusable (the RS256 key is not a PEM RSA public key).
    #[error("external JWT key unusable: {0}")]
    BadKey(jsonwebtoken::errors::Error),
    /// Signature, expiry, issuer or audience check failed.
    #[error("token rejected: {0}")]
    Rejected(jsonwebtoken::errors::Error),
    /// The configured id claim is missing or not a string/number.
    #[error("token has no usable {0:?} claim")]
    MissingClaim(String),
}

/// Verifies external tokens with the configured key and claims.
pub struct ExternalVerifier {
    key: DecodingKey,
    validation: Validation,
    id_claim: String,
    name_claim: String,
}

impl std::fmt::Debug for ExternalVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalVerifier")
            .field("algorithms", &self.validation.algorithms)
            .field("id_claim", &self.id_claim)
            .finish_non_exhaustive()
    }
}

impl ExternalVerifier {
    /// Builds the verifier; fails when the configured key cannot be read.
    pub fn new(config: &ExternalJwtConfig) -> Result<Self, ExternalJwtError> {
        let (key, algorithm) = match &config.key {
            ExternalJwtKey::Hs256(secret) => (
                DecodingKey::from_secret(secret.expose().as_bytes())
                    .map_err(ExternalJwtError::BadKey)?,
                Algorithm::HS256,
            ),
            ExternalJwtKey::Rs256(pem) => (
                DecodingKey::from_rsa_pem(pem).map_err(ExternalJwtError::BadKey)?,
                Algorithm::RS256,
            ),
        };
        // Exactly one algorithm: a token cannot choose a weaker one (alg confusion).
        let mut validation = Validation::new(algorithm);
        validation.leeway = 30;
        match &config.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &config.issuer {
            validation.set_issuer(&[iss]);
        }
        Ok(Self {
            key,
            validation,
            id_claim: config.id_claim.clone(),
            name_claim: config.name_claim.clone(),
        })
    }

    /// Verifies a token and reads the user it names.
    pub fn verify(&self, token: &str) -> Result<ExternalUser, ExternalJwtError> {
        let data = decode::<Value>(token, &self.key, &self.validation)
            .map_err(ExternalJwtError::Rejected)?;
        let claim_text = |name: &str| match data.claims.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let id = claim_text(&self.id_claim)
            .ok_or_else(|| ExternalJwtError::MissingClaim(self.id_claim.clone()))?;
        let name = claim_text(&self.name_claim).unwrap_or_else(|| id.clone());
        Ok(ExternalUser { id, name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    fn config(audience: Option<&str>) -> ExternalJwtConfig {
        ExternalJwtConfig {
            key: ExternalJwtKey::Hs256(Secret::new("hub-secret-hub-secret-hub-secret")),
            id_claim: "user_id".into(),
            name_claim: "name".into(),
            issuer: Some("hub".into()),
            audience: audience.map(str::to_owned),
        }
    }

    fn token(claims: &Value, secret: &str, alg: Algorithm) -> String {
        encode(
            &Header::new(alg),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    #[test]
    fn reads_configured_claims() {
        let v = ExternalVerifier::new(&config(None)).unwrap();
        let claims = json!({"user_id": 1, "name": "Álefe Lins", "iss": "hub", "exp": now() + 60});
        let user = v
            .verify(&token(
                &claims,
                "hub-secret-hub-secret-hub-secret",
                Algorithm::HS256,
            ))
            .unwrap();
        assert_eq!(
            user,
            ExternalUser {
                id: "1".into(),
                name: "Álefe Lins".into()
            }
        );
    }

    #[test]
    fn refuses_wrong_secret_issuer_expiry_algorithm_and_missing_claim() {
        let v = ExternalVerifier::new(&config(Some("ramal"))).unwrap();
        let good = json!({"user_id": "u1", "iss": "hub", "aud": "ramal", "exp": now() + 60});
        let secret = "hub-secret-hub-secret-hub-secret";
        assert!(v.verify(&token(&good, secret, Algorithm::HS256)).is_ok());
        assert!(v.verify(&token(&good, "other", Algorithm::HS256)).is_err());
        assert!(v.verify(&token(&good, secret, Algorithm::HS512)).is_err());
        let mut bad = good.clone();
        bad["iss"] = json!("elsewhere");
        assert!(v.verify(&token(&bad, secret, Algorithm::HS256)).is_err());
        let mut bad = good.clone();
        bad["exp"] = json!(now() - 3600);
        assert!(v.verify(&token(&bad, secret, Algorithm::HS256)).is_err());
        let mut bad = good.clone();
        bad["aud"] = json!("someone-else");
        assert!(v.verify(&token(&bad, secret, Algorithm::HS256)).is_err());
        let mut bad = good;
        bad.as_object_mut().unwrap().remove("user_id");
        assert!(matches!(
            v.verify(&token(&bad, secret, Algorithm::HS256)),
            Err(ExternalJwtError::MissingClaim(_))
        ));
    }
}
