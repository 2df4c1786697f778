//! The parts of Go's `net/url.Parse` that Karmada's Cluster validation looks at (scheme, user
//! information, host, query, fragment), with Go's error messages, so `apiEndpoint` and `proxyURL`
//! are accepted and refused exactly as Karmada does.

/// A URL split into the parts validation needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Url {
    /// Lower-cased, empty when absent.
    pub scheme: String,
    /// Raw user information (`user` or `user:password`), when present.
    pub user: Option<String>,
    /// Host with optional port; empty for opaque and path-only URLs.
    pub host: String,
    pub raw_query: String,
    pub fragment: String,
}

/// Parses `raw` as Go's `url.Parse` does; the error reads like Go's (`parse "x": ...`).
pub(crate) fn parse(raw: &str) -> Result<Url, String> {
    let (without_fragment, fragment) = raw.split_once('#').unwrap_or((raw, ""));
    let mut url = parse_without_fragment(without_fragment)
        .map_err(|e| format!("parse {}: {e}", go_quote(without_fragment)))?;
    check_escapes(fragment).map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
    url.fragment = fragment.to_string();
    Ok(url)
}

fn parse_without_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        return Ok(url);
    }
    let (scheme, mut rest) = scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((before, query)) = rest.split_once('?') {
        url.raw_query = query.to_string();
        rest = before;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // Opaque: `mailto:x`, `host:6443`.
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority = &rest[2..];
        let (authority, path) = match authority.find('/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        };
        let (user, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        check_host(host)?;
        url.host = host.to_string();
        url.user = user.map(str::to_string);
        rest = path;
    }
    check_escapes(rest)?;
    Ok(url)
}

/// Go's `getScheme`: letters then `:`; a leading digit, `+`, `-` or `.` means no scheme.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i == 0 => return Ok(("", raw)),
            b'0'..=b'9' | b'+' | b'-' | b'.' => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn check_host(host: &str) -> Result<(), String> {
    let colon_port = if let Some(bracketed) = host.strip_prefix('[') {
        let Some(end) = bracketed.find(']') else {
            return Err("missing ']' in host".into());
        };
        &bracketed[end + 1..]
    } else {
        host.rfind(':').map(|i| &host[i..]).unwrap_or("")
    };
    let valid_port = colon_port.is_empty()
        || colon_port
            .strip_prefix(':')
            .is_some_and(|port| port.bytes().all(|b| b.is_ascii_digit()));
    if !valid_port {
        return Err(format!("invalid port {} after host", go_quote(colon_port)));
    }
    check_escapes(host)
}

fn check_escapes(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' {
            let escape = &bytes[i + 1..bytes.len().min(i + 3)];
            if escape.len() < 2 || !escape.iter().all(u8::is_ascii_hexdigit) {
                let shown = &text[i..text.len().min(i + 3)];
                return Err(format!("invalid URL escape {}", go_quote(shown)));
            }
        }
    }
    Ok(())
}

/// Go's `%q` for the plain strings URLs hold.
fn go_quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_endpoint_has_scheme_and_host() {
        let url = parse("https://10.0.0.1:6443/base").unwrap();
        assert_eq!(url.scheme, "https");
        assert_eq!(url.host, "10.0.0.1:6443");
        assert_eq!(url.user, None);
    }

    #[test]
    fn bare_host_port_is_rejected_like_go() {
        assert_eq!(
            parse("10.0.0.1:6443").unwrap_err(),
            "parse \"10.0.0.1:6443\": first path segment in URL cannot contain colon"
        );
        // `host:6443` parses as scheme `host` with an opaque part: no host.
        assert_eq!(parse("member1:6443").unwrap().host, "");
        assert_eq!(
            parse(":x").unwrap_err(),
            "parse \":x\": missing protocol scheme"
        );
    }

    #[test]
    fn user_query_and_fragment_are_reported() {
        let url = parse("https://admin:pw@host/x?a=b#frag").unwrap();
        assert_eq!(url.user.as_deref(), Some("admin:pw"));
        assert_eq!(url.raw_query, "a=b");
        assert_eq!(url.fragment, "frag");
    }

    #[test]
    fn bad_port_and_escape_fail() {
        assert_eq!(
            parse("https://host:abc").unwrap_err(),
            "parse \"https://host:abc\": invalid port \":abc\" after host"
        );
        assert!(parse("https://host/%zz").is_err());
        assert!(parse("https://[::1]:6443").is_ok());
    }
}
