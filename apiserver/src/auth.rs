//! Authentication: who is making a request.
//!
//! * Client certificates verified against the client CA: the subject's CN is the user, its O entries
//!   the groups (as kube-apiserver does).
//! * Bearer tokens from a static token file (`token,user,uid,"group1,group2"` lines, kube-apiserver's
//!   `--token-auth-file` format).
//!
//! Anonymous requests are refused with 401, except the health endpoints.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::http::HeaderMap;
use rustls::pki_types::CertificateDer;

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

/// What the TLS handshake established about the peer, attached to every request of a connection.
#[derive(Debug, Clone, Default)]
pub struct PeerIdentity(pub Option<Arc<UserInfo>>);

#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("failed to read token file {path}: {source}")]
    ReadTokens {
        path: String,
        source: std::io::Error,
    },
    #[error("token file {path} line {line}: {reason}")]
    BadTokenLine {
        path: String,
        line: usize,
        reason: String,
    },
}

/// Authenticates requests.
#[derive(Debug, Default, Clone)]
pub struct Authenticator {
    tokens: HashMap<String, Arc<UserInfo>>,
}

impl Authenticator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a bearer token.
    pub fn add_token(&mut self, token: impl Into<String>, user: UserInfo) {
        self.tokens.insert(token.into(), Arc::new(user));
    }

    /// Loads kube-apiserver's static token file format: `token,user,uid[,"group1,group2"]`.
    pub fn load_token_file(&mut self, path: &Path) -> Result<(), AuthConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuthConfigError::ReadTokens {
            path: path.display().to_string(),
            source,
        })?;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: &str| AuthConfigError::BadTokenLine {
                path: path.display().to_string(),
                line: i + 1,
                reason: reason.to_string(),
            };
            let fields = split_csv(line);
            if fields.len() < 3 {
                return Err(bad("want at least token,user,uid"));
            }
            if fields[0].is_empty() || fields[1].is_empty() {
                return Err(bad("token and user must not be empty"));
            }
            let groups = fields
                .get(3)
                .map(|g| {
                    g.split(',')
                        .map(str::trim)
                        .filter(|g| !g.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            self.add_token(
                fields[0].clone(),
                UserInfo {
                    name: fields[1].clone(),
                    groups,
                },
            );
        }
        Ok(())
    }

    /// Who sent a request: the connection's client certificate, else a bearer token.
    pub fn authenticate(&self, peer: &PeerIdentity, headers: &HeaderMap) -> Option<Arc<UserInfo>> {
        if let Some(user) = &peer.0 {
            return Some(Arc::clone(user));
        }
        let value = headers
            .get(axum::http::header::AUTHORIZATION)?
            .to_str()
            .ok()?;
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        self.tokens.get(token.trim()).cloned()
    }
}

/// Splits one CSV line, honouring double quotes (enough for the token file format).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    fields.push(current);
    fields.into_iter().map(|f| f.trim().to_string()).collect()
}

/// The user a verified client certificate names: CN is the user, each O a group.
pub fn user_from_certificate(cert: &CertificateDer<'_>) -> Option<UserInfo> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref()).ok()?;
    let subject = parsed.subject();
    let name = subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())?
        .to_string();
    let groups = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok())
        .map(String::from)
        .collect();
    Some(UserInfo { name, groups })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_file_lines_become_users_with_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.csv");
        std::fs::write(
            &path,
            "# comment\nsekret,alice,uid1,\"system:masters,devs\"\nother,bob,uid2\n",
        )
        .unwrap();
        let mut auth = Authenticator::new();
        auth.load_token_file(&path).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer sekret".parse().unwrap());
        let user = auth
            .authenticate(&PeerIdentity::default(), &headers)
            .unwrap();
        assert_eq!(user.name, "alice");
        assert_eq!(user.groups, ["system:masters", "devs"]);
        headers.insert("authorization", "Bearer wrong".parse().unwrap());
        assert!(
            auth.authenticate(&PeerIdentity::default(), &headers)
                .is_none()
        );
        headers.insert("authorization", "Basic sekret".parse().unwrap());
        assert!(
            auth.authenticate(&PeerIdentity::default(), &headers)
                .is_none()
        );
    }

    #[test]
    fn a_token_line_without_a_user_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.csv");
        std::fs::write(&path, "tok,,uid\n").unwrap();
        assert!(matches!(
            Authenticator::new().load_token_file(&path),
            Err(AuthConfigError::BadTokenLine { line: 1, .. })
        ));
    }
}
