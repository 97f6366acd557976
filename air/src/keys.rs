//! The local peer's identity: an Ed25519 key and the libp2p PeerId derived from it.
//!
//! AquaVM signs what a peer produced with the secret key and later checks that every peer id
//! in the trace has a matching public key (`spec/aqua.md` §1), so the current peer id must be
//! derived from the key, never made up: a mismatch only shows on the third step (ret_code 9).

use crate::error::AirError;
use ed25519_dalek::SigningKey;

/// libp2p's protobuf `PublicKey { Type = Ed25519 (1), Data = 32 bytes }` header: field 1
/// (varint) = 1, field 2 (bytes) of length 32.
const PROTOBUF_ED25519_HEADER: [u8; 4] = [0x08, 0x01, 0x12, 0x20];
/// An identity multihash (code 0) of the 36-byte protobuf key: libp2p inlines keys of at most
/// 42 bytes instead of hashing them.
const IDENTITY_MULTIHASH_HEADER: [u8; 2] = [0x00, 36];

/// An Ed25519 key pair and its PeerId (`12D3KooW…`).
///
/// ```
/// let key = strait_air::KeyPair::from_seed([1; 32]);
/// assert_eq!(key.peer_id(), "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5");
/// assert_eq!(key.seed_hex().len(), 64);
/// ```
#[derive(Clone)]
pub struct KeyPair {
    seed: [u8; 32],
    peer_id: String,
}

impl core::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The seed is the secret: never in debug output.
        f.debug_struct("KeyPair")
            .field("peer_id", &self.peer_id)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// The key pair of a 32-byte Ed25519 seed (the secret key as AquaVM takes it).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        let mut multihash = Vec::with_capacity(2 + 4 + 32);
        multihash.extend_from_slice(&IDENTITY_MULTIHASH_HEADER);
        multihash.extend_from_slice(&PROTOBUF_ED25519_HEADER);
        multihash.extend_from_slice(&public);
        Self {
            seed,
            peer_id: bs58::encode(multihash).into_string(),
        }
    }

    /// The key pair of a seed written as 64 hex digits.
    ///
    /// ```
    /// let key = strait_air::KeyPair::from_hex(&"01".repeat(32)).unwrap();
    /// assert_eq!(key.seed(), &[1; 32]);
    /// assert!(strait_air::KeyPair::from_hex("zz").is_err());
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, AirError> {
        let text = text.trim();
        let invalid = |why: &str| {
            AirError::InvalidSeed(format!(
                "{why}: give the 32-byte Ed25519 seed as 64 hex digits"
            ))
        };
        if text.len() != 64 || !text.is_ascii() {
            return Err(invalid(&format!("the seed has {} characters", text.len())));
        }
        let mut seed = [0u8; 32];
        for (byte, pair) in seed.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let pair = core::str::from_utf8(pair).map_err(|_| invalid("not hex"))?;
            *byte = u8::from_str_radix(pair, 16)
                .map_err(|_| invalid(&format!("`{pair}` is not a hex byte")))?;
        }
        Ok(Self::from_seed(seed))
    }

    /// A fresh random key pair (from the operating system's random source).
    pub fn random() -> Result<Self, AirError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| AirError::Random(e.to_string()))?;
        Ok(Self::from_seed(seed))
    }

    /// The 32-byte seed (AquaVM's `secret_key_bytes`).
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    /// The seed as 64 lowercase hex digits, for printing a random key so a run can be repeated.
    pub fn seed_hex(&self) -> String {
        self.seed.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The base58 PeerId (`12D3KooW…`).
    pub fn peer_id(&self) -> &str {
        &self.peer_id
    }
}

/// A random particle id, formatted as a version-4 UUID (what Fluence clients send).
///
/// ```
/// let id = strait_air::random_particle_id().unwrap();
/// assert_eq!(id.len(), 36);
/// assert_eq!(&id[14..15], "4");
/// ```
pub fn random_particle_id() -> Result<String, AirError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| AirError::Random(e.to_string()))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_id_of_the_spec_example() {
        let key = KeyPair::from_seed([1; 32]);
        assert_eq!(
            key.peer_id(),
            "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5"
        );
        assert_eq!(
            KeyPair::from_hex(&key.seed_hex()).unwrap().peer_id(),
            key.peer_id()
        );
    }

    #[test]
    fn bad_seeds_are_refused() {
        for bad in ["", "00", &"g".repeat(64), &"é".repeat(32)] {
            let error = KeyPair::from_hex(bad).unwrap_err().to_string();
            assert!(error.contains("64 hex digits"), "{error}");
        }
    }

    #[test]
    fn random_keys_differ() {
        let (a, b) = (KeyPair::random().unwrap(), KeyPair::random().unwrap());
        assert_ne!(a.peer_id(), b.peer_id());
        assert!(a.peer_id().starts_with("12D3KooW"));
        assert!(!format!("{a:?}").contains(&a.seed_hex()));
    }
}
