//! Authentication: who is making a request.
//!
//! * Client certificates verified against the client CA: the subject's CN is the user, its O entries
//!   the groups (as kube-apiserver does).
//! * Bearer tokens from a static token file (`token,user,uid,"group1,group2"` lines, kube-apiserver's
//!   `--token-auth-file` format).
//!
//! * Front-proxy request headers (`X-Remote-User`, `X-Remote-Group`) when the connection's client
//!   certificate was issued by the request-header CA and names an allowed proxy — how an aggregating
//!   kube-apiserver forwards its users' identities.
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
pub struct PeerIdentity {
    /// The user a client-CA certificate names.
    pub user: Option<Arc<UserInfo>>,
    /// The CN of a certificate issued by the request-header (front-proxy) CA.
    pub front_proxy: Option<String>,
}

/// Request-header authentication settings (kube-apiserver's `--requestheader-*` flags).
#[derive(Debug, Clone)]
pub struct FrontProxyConfig {
    /// Allowed proxy certificate CNs; empty allows any certificate from the request-header CA.
    pub allowed_names: Vec<String>,
    pub username_headers: Vec<String>,
    pub group_headers: Vec<String>,
}

impl Default for FrontProxyConfig {
    fn default() -> Self {
        FrontProxyConfig {
            allowed_names: Vec::new(),
            username_headers: vec!["X-Remote-User".into()],
            group_headers: vec!["X-Remote-Group".into()],
        }
    }
}

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
    front_proxy: Option<FrontProxyConfig>,
}

impl Authenticator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts identity headers from connections authenticated by the request-header CA.
    pub fn set_front_proxy(&mut self, config: FrontProxyConfig) {
        self.front_proxy = Some(config);
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
        if let (Some(proxy), Some(config)) = (&peer.front_proxy, &self.front_proxy)
            && (config.allowed_names.is_empty() || config.allowed_names.contains(proxy))
            && let Some(name) = config
                .username_headers
                .iter()
                .filter_map(|h| headers.get(h.as_str()))
                .filter_map(|v| v.to_str().ok())
                .find(|v| !v.is_empty())
        {
            let groups = config
                .group_headers
                .iter()
                .flat_map(|h| headers.get_all(h.as_str()).iter())
                .filter_map(|v| v.to_str().ok())
                .map(String::from)
                .collect();
            return Some(Arc::new(UserInfo {
                name: name.to_string(),
                groups,
            }));
        }
        if let Some(user) = &peer.user {
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

/// The raw subject of each certificate in a PEM bundle (to tell which CA issued a peer's certificate).
pub fn subjects(certs: &[CertificateDer<'_>]) -> Vec<Vec<u8>> {
    certs
        .iter()
        .filter_map(|c| x509_parser::parse_x509_certificate(c.as_ref()).ok())
        .map(|(_, c)| c.subject().as_raw().to_vec())
        .collect()
}

/// Who a verified peer certificate speaks for, given the subjects of the client CAs and of the
/// request-header CAs (the chain was verified against their union during the handshake).
pub fn identify_peer(
    cert: &CertificateDer<'_>,
    client_ca_subjects: &[Vec<u8>],
    front_proxy_ca_subjects: &[Vec<u8>],
) -> PeerIdentity {
    let Ok((_, parsed)) = x509_parser::parse_x509_certificate(cert.as_ref()) else {
        return PeerIdentity::default();
    };
    let issuer = parsed.issuer().as_raw();
    let mut identity = PeerIdentity::default();
    if front_proxy_ca_subjects
        .iter()
        .any(|s| s.as_slice() == issuer)
    {
        identity.front_proxy = parsed
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(String::from);
    }
    if client_ca_subjects.iter().any(|s| s.as_slice() == issuer) {
        identity.user = user_from_certificate(cert).map(Arc::new);
    }
    identity
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

#[cfg(test)]
mod front_proxy_tests {
    use super::*;

    fn proxy(cn: &str) -> PeerIdentity {
        PeerIdentity {
            user: None,
            front_proxy: Some(cn.to_string()),
        }
    }

    #[test]
    fn identity_headers_count_only_from_an_allowed_front_proxy() {
        let mut auth = Authenticator::new();
        auth.set_front_proxy(FrontProxyConfig {
            allowed_names: vec!["aggregator".into()],
            ..Default::default()
        });
        let mut headers = HeaderMap::new();
        headers.insert("x-remote-user", "alice".parse().unwrap());
        headers.append("x-remote-group", "devs".parse().unwrap());
        headers.append("x-remote-group", "system:authenticated".parse().unwrap());
        let user = auth.authenticate(&proxy("aggregator"), &headers).unwrap();
        assert_eq!(user.name, "alice");
        assert_eq!(user.groups, ["devs", "system:authenticated"]);
        assert!(
            auth.authenticate(&proxy("someone-else"), &headers)
                .is_none()
        );
        // Headers without a front-proxy certificate are ignored.
        assert!(
            auth.authenticate(&PeerIdentity::default(), &headers)
                .is_none()
        );
        // A front proxy without a user header identifies nobody.
        assert!(
            auth.authenticate(&proxy("aggregator"), &HeaderMap::new())
                .is_none()
        );
    }
}
