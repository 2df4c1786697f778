//! Container image references split into registry, repository, tag and digest, with the grammar
//! of `distribution/reference` (which Kubernetes and Karmada use) and without Docker's
//! normalisation: `nginx` stays `nginx`, it never becomes `docker.io/library/nginx`.

use std::fmt;

/// The longest repository name (registry included) the grammar accepts.
const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// The longest tag the grammar accepts.
const TAG_LENGTH_MAX: usize = 128;

/// Why a string is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("repository name must have at least one component")]
    NameEmpty,
    #[error("repository name must be lowercase")]
    NameContainsUppercase,
    #[error("repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")]
    NameTooLong,
    #[error("invalid reference format")]
    InvalidFormat,
    #[error("unsupported digest algorithm {0:?}")]
    UnsupportedDigest(String),
    #[error("invalid digest {0:?}: wrong length or not lowercase hex")]
    InvalidDigest(String),
}

/// An image reference: `[registry/]repository[:tag][@digest]`.
///
/// The registry is the first `/`-separated segment only when it contains `.` or `:` or is
/// `localhost`, as in Kubernetes. Unlike Karmada, a reference holding both a tag and a digest
/// keeps its digest: dropping it would silently unpin the image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageReference {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
}

impl ImageReference {
    /// Parses `image`, which must be a valid reference.
    pub fn parse(image: &str) -> Result<ImageReference, ImageError> {
        let Some(parts) = split_reference(image) else {
            return Err(if image.is_empty() {
                ImageError::NameEmpty
            } else if split_reference(&image.to_lowercase()).is_some() {
                ImageError::NameContainsUppercase
            } else {
                ImageError::InvalidFormat
            });
        };
        if parts.name.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(ImageError::NameTooLong);
        }
        if let Some(digest) = parts.digest {
            validate_digest(digest)?;
        }
        let (registry, repository) = split_registry(parts.name);
        Ok(ImageReference {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag: parts.tag.unwrap_or_default().to_string(),
            digest: parts.digest.unwrap_or_default().to_string(),
        })
    }

    /// The tag, or the digest when there is no tag.
    pub fn tag_or_digest(&self) -> &str {
        if self.tag.is_empty() {
            &self.digest
        } else {
            &self.tag
        }
    }

    /// Sets the tag (dropping any digest) when `value` is a tag, or the digest (dropping any
    /// tag) when it is a digest, written with or without a leading `@`. Returns false, leaving
    /// the reference unchanged, when `value` is neither.
    pub fn set_tag_or_digest(&mut self, value: &str) -> bool {
        if is_tag(value) {
            self.tag = value.to_string();
            self.digest.clear();
            return true;
        }
        let digest = value.strip_prefix('@').unwrap_or(value);
        if is_digest(digest) {
            self.digest = digest.to_string();
            self.tag.clear();
            return true;
        }
        false
    }

    /// Removes the tag, or the digest when there is no tag.
    pub fn remove_tag_or_digest(&mut self) {
        if self.tag.is_empty() {
            self.digest.clear();
        } else {
            self.tag.clear();
        }
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.registry.is_empty() {
            write!(f, "{}/", self.registry)?;
        }
        f.write_str(&self.repository)?;
        if !self.tag.is_empty() {
            write!(f, ":{}", self.tag)?;
        }
        if !self.digest.is_empty() {
            write!(f, "@{}", self.digest)?;
        }
        Ok(())
    }
}

struct ReferenceParts<'a> {
    name: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// Splits a reference matching the grammar into its parts, or `None`.
fn split_reference(image: &str) -> Option<ReferenceParts<'_>> {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    // A ':' after the last '/' starts the tag; an earlier one belongs to the registry's port.
    let (name, tag) = match rest.rfind(':') {
        Some(colon) if !rest[colon..].contains('/') => (&rest[..colon], Some(&rest[colon + 1..])),
        _ => (rest, None),
    };
    let valid = is_name(name) && tag.is_none_or(is_tag) && digest.is_none_or(is_digest);
    valid.then_some(ReferenceParts { name, tag, digest })
}

/// `[domain/]component(/component)*`.
fn is_name(name: &str) -> bool {
    let segments: Vec<&str> = name.split('/').collect();
    let all_components = |segments: &[&str]| segments.iter().all(|s| is_path_component(s));
    all_components(&segments)
        || (segments.len() >= 2 && is_domain(segments[0]) && all_components(&segments[1..]))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn is_path_component(component: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if component.is_empty() {
        return false;
    }
    let mut runs = component.split(alnum).collect::<Vec<_>>();
    // The separators between alphanumeric runs; leading/trailing ones must be empty.
    if runs.first() != Some(&"") || runs.last() != Some(&"") {
        return false;
    }
    runs.retain(|s| !s.is_empty());
    runs.iter().all(|separator| {
        matches!(*separator, "." | "_" | "__") || separator.chars().all(|c| c == '-')
    })
}

/// `host[:port]` where host is a DNS name or a bracketed IPv6 address.
fn is_domain(domain: &str) -> bool {
    let (host, port) = match domain.rfind(']') {
        Some(close) => match &domain[close + 1..] {
            "" => (domain, None),
            after => match after.strip_prefix(':') {
                Some(port) => (&domain[..=close], Some(port)),
                None => return false,
            },
        },
        None => match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        },
    };
    if port.is_some_and(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return false;
    }
    if let Some(ipv6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !ipv6.is_empty() && ipv6.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    host.split('.').all(|component| {
        !component.is_empty()
            && component
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !component.starts_with('-')
            && !component.ends_with('-')
    })
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    tag.len() <= TAG_LENGTH_MAX
        && tag.starts_with(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-')
}

/// `algorithm:hex` with at least 32 hex digits, where algorithm is
/// `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*`.
fn is_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|part| {
        part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    algorithm_ok && hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// The algorithms Karmada links in (sha256, sha384, sha512), with their exact lengths.
fn validate_digest(digest: &str) -> Result<(), ImageError> {
    let (algorithm, hex) = digest.split_once(':').unwrap_or((digest, ""));
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(ImageError::UnsupportedDigest(algorithm.to_string())),
    };
    let lower_hex = hex
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    if hex.len() != length || !lower_hex {
        return Err(ImageError::InvalidDigest(digest.to_string()));
    }
    Ok(())
}

/// Splits a repository name into registry and repository the way Kubernetes does.
fn split_registry(name: &str) -> (&str, &str) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => ("", name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c";

    fn reference(registry: &str, repository: &str, tag: &str, digest: &str) -> ImageReference {
        ImageReference {
            registry: registry.into(),
            repository: repository.into(),
            tag: tag.into(),
            digest: digest.into(),
        }
    }

    #[test]
    fn references_split_like_kubernetes() {
        let with_digest = format!("quay.io/app@{SHA}");
        let with_both = format!("app:v1@{SHA}");
        let cases = [
            ("pause", reference("", "pause", "", "")),
            ("nginx:1.25", reference("", "nginx", "1.25", "")),
            ("library/nginx", reference("", "library/nginx", "", "")),
            (
                "subpath/imagename:v1.0.0",
                reference("", "subpath/imagename", "v1.0.0", ""),
            ),
            (
                "registry.k8s.io/kube-apiserver:v1.30.0",
                reference("registry.k8s.io", "kube-apiserver", "v1.30.0", ""),
            ),
            (
                "fictional.registry.example:10443/karmada/controller:v1.0.0",
                reference(
                    "fictional.registry.example:10443",
                    "karmada/controller",
                    "v1.0.0",
                    "",
                ),
            ),
            ("localhost/app", reference("localhost", "app", "", "")),
            (
                "localhost:5000/app",
                reference("localhost:5000", "app", "", ""),
            ),
            ("localhost:5000", reference("", "localhost", "5000", "")),
            (
                "10.10.10.10:10443/a/b",
                reference("10.10.10.10:10443", "a/b", "", ""),
            ),
            (
                "[::1]:5000/app:v1",
                reference("[::1]:5000", "app", "v1", ""),
            ),
            (with_digest.as_str(), reference("quay.io", "app", "", SHA)),
            (with_both.as_str(), reference("", "app", "v1", SHA)),
            (
                "my_org/app__x/a-b--c.d",
                reference("", "my_org/app__x/a-b--c.d", "", ""),
            ),
        ];
        for (image, want) in cases {
            let parsed = ImageReference::parse(image).unwrap_or_else(|e| panic!("{image}: {e}"));
            assert_eq!(parsed, want, "{image}");
            assert_eq!(parsed.to_string(), image, "{image} renders back unchanged");
        }
    }

    #[test]
    fn invalid_references_are_rejected_with_the_grammar_error() {
        let long = format!("a/{}", "b".repeat(254));
        let cases = [
            ("", ImageError::NameEmpty),
            ("Nginx", ImageError::NameContainsUppercase),
            ("Registry.io/App:v1", ImageError::NameContainsUppercase),
            ("nginx:", ImageError::InvalidFormat),
            ("nginx:-x", ImageError::InvalidFormat),
            ("-nginx", ImageError::InvalidFormat),
            ("nginx//x", ImageError::InvalidFormat),
            ("nginx/", ImageError::InvalidFormat),
            ("a..b", ImageError::InvalidFormat),
            ("a___b", ImageError::InvalidFormat),
            ("reg:port/app", ImageError::InvalidFormat),
            ("app@sha256:abc", ImageError::InvalidFormat),
            (
                "@sha256:0123456789abcdef0123456789abcdef",
                ImageError::InvalidFormat,
            ),
            (long.as_str(), ImageError::NameTooLong),
            (
                "app@md5:0123456789abcdef0123456789abcdef",
                ImageError::UnsupportedDigest("md5".into()),
            ),
            (
                "app@sha256:0123456789abcdef0123456789abcdef",
                ImageError::InvalidDigest("sha256:0123456789abcdef0123456789abcdef".into()),
            ),
        ];
        for (image, want) in cases {
            assert_eq!(ImageReference::parse(image), Err(want), "{image:?}");
        }
    }

    #[test]
    fn tag_or_digest_is_set_by_its_shape() {
        let mut image = ImageReference::parse("app:v1").expect("valid");
        assert!(image.set_tag_or_digest(SHA));
        assert_eq!(
            image.to_string(),
            format!("app@{SHA}"),
            "a digest drops the tag"
        );
        assert_eq!(image.tag_or_digest(), SHA);
        assert!(image.set_tag_or_digest("v2"));
        assert_eq!(image.to_string(), "app:v2", "a tag drops the digest");
        assert!(
            image.set_tag_or_digest(&format!("@{SHA}")),
            "a leading @ is accepted"
        );
        assert_eq!(image.to_string(), format!("app@{SHA}"));
        assert!(!image.set_tag_or_digest("not a tag"));
        assert_eq!(image.to_string(), format!("app@{SHA}"), "unchanged");
    }

    #[test]
    fn removing_drops_the_tag_first_then_the_digest() {
        let mut image = ImageReference::parse(&format!("app:v1@{SHA}")).expect("valid");
        image.remove_tag_or_digest();
        assert_eq!(image.to_string(), format!("app@{SHA}"));
        image.remove_tag_or_digest();
        assert_eq!(image.to_string(), "app");
        image.remove_tag_or_digest();
        assert_eq!(image.to_string(), "app");
    }
}
