//! Fixture reading shared by the reference-comparison tests.
#![allow(dead_code, unreachable_pub)]

use std::fmt;
use std::path::Path;

use access_token::{
    AccessToken, ApiKeySecret, ChatGrant, Grant, Identity, OutgoingApplication, PlaybackGrant,
    Region, SyncGrant, TaskRouterGrant, Ttl, VideoGrant, VoiceGrant,
};
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct Fixtures {
    pub reference: String,
    pub cases: Vec<Case>,
    #[serde(default)]
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Deserialize)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
pub struct Case {
    pub name: String,
    pub input: Input,
    pub jwt: String,
    pub header_json: String,
    pub payload_json: String,
    pub header: Value,
    pub payload: Value,
}

/// Inputs in twilio-python's argument names.
#[derive(Debug, Deserialize)]
pub struct Input {
    pub account_sid: String,
    pub signing_key_sid: String,
    pub secret: String,
    pub now: u64,
    pub identity: Option<String>,
    pub ttl: Option<u64>,
    /// `"default"` (argument not passed: nbf = now), `null` (no nbf) or a Unix time.
    pub nbf: Value,
    pub region: Option<String>,
    pub grants: Vec<GrantSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
pub enum GrantSpec {
    #[serde(rename = "voice")]
    Voice {
        incoming_allow: Option<bool>,
        outgoing_application_sid: Option<String>,
        outgoing_application_params: Option<OrderedPairs>,
        push_credential_sid: Option<String>,
        endpoint_id: Option<String>,
    },
    #[serde(rename = "video")]
    Video { room: Option<String> },
    #[serde(rename = "chat")]
    Chat {
        service_sid: Option<String>,
        endpoint_id: Option<String>,
        deployment_role_sid: Option<String>,
        push_credential_sid: Option<String>,
    },
    #[serde(rename = "data_sync")]
    Sync {
        service_sid: Option<String>,
        endpoint_id: Option<String>,
    },
    #[serde(rename = "task_router")]
    TaskRouter {
        workspace_sid: Option<String>,
        worker_sid: Option<String>,
        role: Option<String>,
    },
    #[serde(rename = "player")]
    Player { grant: Option<Value> },
}

/// A JSON object of strings read in document order (serde_json's `Map` would sort it).
#[derive(Debug)]
pub struct OrderedPairs(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedPairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedPairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedPairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(OrderedPairs(pairs))
            }
        }
        d.deserialize_map(V)
    }
}

pub fn load(file: &str) -> Fixtures {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (run tools/reference/token_fixtures.*)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

fn sid<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: fmt::Debug,
{
    s.parse()
        .unwrap_or_else(|e| panic!("fixture SID {s}: {e:?}"))
}

pub fn grant(spec: &GrantSpec) -> Grant {
    match spec {
        GrantSpec::Voice {
            incoming_allow,
            outgoing_application_sid,
            outgoing_application_params,
            push_credential_sid,
            endpoint_id,
        } => {
            let mut g = VoiceGrant::new().incoming_allow(incoming_allow.unwrap_or(false));
            if let Some(app) = outgoing_application_sid {
                let mut outgoing = OutgoingApplication::new(sid(app));
                for (k, v) in outgoing_application_params.iter().flat_map(|p| &p.0) {
                    outgoing = outgoing.param(k, v);
                }
                g = g.outgoing(outgoing);
            }
            if let Some(cr) = push_credential_sid {
                g = g.push_credential_sid(sid(cr));
            }
            if let Some(ep) = endpoint_id {
                g = g.endpoint_id(ep);
            }
            g.into()
        }
        GrantSpec::Video { room } => {
            let mut g = VideoGrant::new();
            if let Some(room) = room {
                g = g.room(room);
            }
            g.into()
        }
        GrantSpec::Chat {
            service_sid,
            endpoint_id,
            deployment_role_sid,
            push_credential_sid,
        } => {
            let mut g = ChatGrant::new();
            if let Some(s) = service_sid {
                g = g.service_sid(sid(s));
            }
            if let Some(ep) = endpoint_id {
                g = g.endpoint_id(ep);
            }
            if let Some(s) = deployment_role_sid {
                g = g.deployment_role_sid(sid(s));
            }
            if let Some(s) = push_credential_sid {
                g = g.push_credential_sid(sid(s));
            }
            g.into()
        }
        GrantSpec::Sync {
            service_sid,
            endpoint_id,
        } => {
            let mut g = SyncGrant::new();
            if let Some(s) = service_sid {
                g = g.service_sid(sid(s));
            }
            if let Some(ep) = endpoint_id {
                g = g.endpoint_id(ep);
            }
            g.into()
        }
        GrantSpec::TaskRouter {
            workspace_sid,
            worker_sid,
            role,
        } => {
            let mut g = TaskRouterGrant::new();
            if let Some(s) = workspace_sid {
                g = g.workspace_sid(sid(s));
            }
            if let Some(s) = worker_sid {
                g = g.worker_sid(sid(s));
            }
            if let Some(r) = role {
                g = g.role(r);
            }
            g.into()
        }
        GrantSpec::Player { grant } => {
            PlaybackGrant::new(grant.clone().unwrap_or(Value::Null)).into()
        }
    }
}

/// The token this crate builds from a case's inputs.
pub fn token(input: &Input) -> AccessToken {
    let secret = ApiKeySecret::new(input.secret.as_str()).expect("fixture secret");
    let mut t = AccessToken::new(sid(&input.account_sid), sid(&input.signing_key_sid), secret)
        .issued_at(input.now);
    if let Some(identity) = &input.identity {
        t = match Identity::new(identity.as_str()) {
            Ok(id) => t.identity(id),
            Err(_) => t.raw_identity(identity.as_str()),
        };
    }
    if let Some(ttl) = input.ttl {
        t = t.ttl(Ttl::from_secs(ttl).expect("fixture ttl"));
    }
    t = match &input.nbf {
        Value::String(s) if s == "default" => t,
        Value::Null => t.without_not_before(),
        Value::Number(n) => t.not_before(n.as_u64().expect("fixture nbf")),
        other => panic!("fixture nbf {other}"),
    };
    if let Some(region) = &input.region {
        t = t.region(Region::new(region.as_str()).expect("fixture region"));
    }
    for spec in &input.grants {
        t = t.grant(grant(spec));
    }
    t
}

/// Decodes one base64url JWT part to text.
pub fn part_text(jwt: &str, index: usize) -> String {
    use base64::Engine as _;
    let part = jwt.split('.').nth(index).expect("JWT part");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    String::from_utf8(bytes).expect("UTF-8")
}

/// Verifies an HS256 JWT with the `jsonwebtoken` crate, an implementation independent of ours,
/// and returns its claims.
pub fn verify_with_jsonwebtoken(jwt: &str, secret: &str) -> Value {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    let mut validation = Validation::new(Algorithm::HS256);
    // Fixtures use fixed, long-past clocks: only the signature is under test here.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    let key = DecodingKey::from_secret(secret.as_bytes()).expect("HMAC key");
    decode::<Value>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("jsonwebtoken rejects the signature: {e}"))
        .claims
}
