//! The credentials a control plane uses to reach a member: a static bearer token for
//! `system:karmada:controller` (group `system:masters`) kept in a kube-apiserver token file, and
//! the member's generated CA.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// The user the control plane acts as on a member.
pub const CONTROLLER_USER: &str = "system:karmada:controller";
/// Its group: every permission, as on a kind cluster joined with its admin credentials.
pub const CONTROLLER_GROUP: &str = "system:masters";

/// Where the token file lives in a member's data directory.
pub fn token_file(data_dir: &Path) -> PathBuf {
    data_dir.join("tokens.csv")
}

/// Where the API server writes its generated CA.
pub fn ca_file(data_dir: &Path) -> PathBuf {
    data_dir.join("pki").join("ca.crt")
}

/// One line of kube-apiserver's `--token-auth-file` format.
pub fn token_line(token: &str) -> String {
    format!("{token},{CONTROLLER_USER},{CONTROLLER_USER},\"{CONTROLLER_GROUP}\"\n")
}

/// The token of a token file's first line.
pub fn parse_token(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split(',').next())
        .filter(|t| !t.is_empty())
        .map(String::from)
}

/// The member's token: the one in its token file, or a new random one written there (mode 0600).
pub fn load_or_create_token(data_dir: &Path) -> anyhow::Result<String> {
    let path = token_file(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_token(&text).with_context(|| format!("no token in {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let token = format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            std::fs::write(&path, token_line(&token))
                .with_context(|| format!("failed to write {}", path.display()))?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("failed to restrict {}", path.display()))?;
            Ok(token)
        }
        Err(e) => Err(e).with_context(|| format!("failed to read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_line_round_trips_through_parse_token() {
        let line = token_line("abc123");
        assert_eq!(
            line,
            "abc123,system:karmada:controller,system:karmada:controller,\"system:masters\"\n"
        );
        assert_eq!(parse_token(&line).as_deref(), Some("abc123"));
    }

    #[test]
    fn parse_token_skips_comments_and_blank_lines() {
        assert_eq!(parse_token("# header\n\nt0k,u,u\n").as_deref(), Some("t0k"));
        assert_eq!(parse_token("# only a comment\n"), None);
    }

    #[test]
    fn token_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = load_or_create_token(dir.path()).expect("created");
        assert_eq!(first.len(), 64);
        assert_eq!(load_or_create_token(dir.path()).expect("reused"), first);
    }
}
