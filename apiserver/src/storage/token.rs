//! Continue tokens for paginated lists.
//!
//! A token carries the revision the list is pinned to and the key (relative to the listed prefix) at
//! which the next page starts, as base64url JSON, so that it is opaque to clients, is the same for
//! both backends and cannot point outside the prefix it was issued for.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::{Revision, StorageError};

const TOKEN_VERSION: u32 = 1;

/// A decoded continue token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContinueToken {
    #[serde(rename = "v")]
    version: u32,
    /// The revision every page of the list is read at.
    #[serde(rename = "rv")]
    pub revision: i64,
    /// The first key of the next page, relative to the listed prefix (inclusive).
    #[serde(rename = "start")]
    pub start: String,
}

impl ContinueToken {
    /// The token for a page that ended at `last_key` (an absolute key under `prefix`).
    pub fn after(prefix: &str, last_key: &str, revision: Revision) -> Self {
        let relative = last_key.strip_prefix(prefix).unwrap_or(last_key);
        ContinueToken {
            version: TOKEN_VERSION,
            revision: revision.0,
            // The smallest key greater than `last_key`.
            start: format!("{relative}\0"),
        }
    }

    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a continue token always serializes");
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(token: &str) -> Result<Self, StorageError> {
        let invalid = |reason: &str| StorageError::InvalidContinue {
            reason: reason.to_string(),
        };
        let raw = URL_SAFE_NO_PAD
            .decode(token.trim_end_matches('='))
            .map_err(|_| invalid("not base64url"))?;
        let token: ContinueToken =
            serde_json::from_slice(&raw).map_err(|_| invalid("not a continue token"))?;
        if token.version != TOKEN_VERSION {
            return Err(invalid("unsupported token version"));
        }
        if token.revision <= 0 {
            return Err(invalid("token revision must be positive"));
        }
        if token.start.is_empty() {
            return Err(invalid("token has no start key"));
        }
        Ok(token)
    }

    /// The absolute key the next page starts at.
    pub fn start_key(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trips_and_points_after_the_last_key() {
        let token = ContinueToken::after("/r/", "/r/b", Revision(7));
        let decoded = ContinueToken::decode(&token.encode()).unwrap();
        assert_eq!(decoded, token);
        assert_eq!(decoded.start_key("/r/"), "/r/b\0");
        assert!(decoded.start_key("/r/").as_str() > "/r/b");
        assert!(decoded.start_key("/r/").as_str() < "/r/ba");
    }

    #[test]
    fn garbage_tokens_are_invalid_not_panics() {
        for bad in ["", "!!!", "e30", "eyJ2IjoyLCJydiI6MSwic3RhcnQiOiJhIn0"] {
            assert!(
                matches!(
                    ContinueToken::decode(bad),
                    Err(StorageError::InvalidContinue { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
