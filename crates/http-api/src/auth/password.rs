//! Password hashing with Argon2id (the OWASP recommendation), in PHC string form.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password accepted for an agent.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Why a password could not be set or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than [`MIN_PASSWORD_LEN`].
    #[error("the password must have at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    /// The stored hash is not a PHC string we can read.
    #[error("stored password hash is unreadable")]
    BadHash,
}

fn argon2() -> Argon2<'static> {
    // OWASP's second Argon2id profile: 19 MiB, 2 passes, 1 lane; about 20-40 ms here, which
    // bounds online guessing without making logins slow.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort);
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|_| PasswordError::BadHash)?
        .to_string())
}

/// Checks a password against a stored hash, in constant time.
pub fn verify(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(|_| PasswordError::BadHash)?;
    Ok(argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// A hash of a random password, made once at start and verified against when a username does
/// not exist, so unknown and known usernames take the same time.
pub fn dummy_hash() -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(salt.as_str().as_bytes(), &salt)
        .expect("hashing a fixed-size input cannot fail")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_verifies() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h).unwrap());
        assert!(!verify("wrong horse!", &h).unwrap());
        assert_ne!(h, hash("correct horse").unwrap(), "salted");
    }

    #[test]
    fn short_passwords_and_bad_hashes() {
        assert_eq!(hash("short"), Err(PasswordError::TooShort));
        assert_eq!(verify("x", "not a hash"), Err(PasswordError::BadHash));
        assert!(!verify("anything", &dummy_hash()).unwrap());
    }
}
