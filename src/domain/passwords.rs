//! Passwords: argon2id hashing and verification on blocking threads, and generated passwords.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use rand::RngCore;

use super::{DomainError, DomainResult};

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: String) -> DomainResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| DomainError::Internal(format!("hashing a password failed: {error}")))
    })
    .await
    .map_err(|error| DomainError::Internal(format!("hashing task failed: {error}")))?
}

/// Checks a password against a stored hash on a blocking thread.
pub(crate) async fn verify_password(password: String, hash: String) -> DomainResult<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|error| DomainError::Internal(format!("verification task failed: {error}")))
}

/// A hash of a password nobody has, so unknown usernames cost as much as wrong passwords.
pub(crate) const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5rOF3GzE1DWEKRsa2EIGKqcd2ImB5yZ1dzvtiUVWGhk";

/// A random password of 20 characters from an unambiguous alphabet.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_decoy_hash_is_a_valid_argon2_hash() {
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(
            !verify_password("guess".into(), DECOY_HASH.into())
                .await
                .unwrap_or(true)
        );
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() -> DomainResult<()> {
        let hash = hash_password("đúng mật khẩu".into()).await?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("đúng mật khẩu".into(), hash.clone()).await?);
        assert!(!verify_password("sai mật khẩu".into(), hash).await?);
        Ok(())
    }
}
