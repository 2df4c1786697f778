//! Parsing a request path into what it addresses (kube-apiserver's "request info").

/// What a path under `/api` or `/apis` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiPath {
    /// `/api` or `/apis`.
    Root { core: bool },
    /// `/apis/{group}`.
    Group { group: String },
    /// `/api/v1` or `/apis/{group}/{version}`.
    GroupVersion { group: String, version: String },
    /// A collection, an object or an object's subresource.
    Resource(ResourcePath),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    pub group: String,
    pub version: String,
    pub namespace: Option<String>,
    pub resource: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// Subresources of a namespace itself, not resources inside it.
const NAMESPACE_SUBRESOURCES: &[&str] = &["status", "finalize"];

/// Parses `path`; `None` when it is not an API path (or has too many segments).
pub fn parse(path: &str) -> Option<ApiPath> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api"] => return Some(ApiPath::Root { core: true }),
        ["apis"] => return Some(ApiPath::Root { core: false }),
        ["apis", group] => {
            return Some(ApiPath::Group {
                group: group.to_string(),
            });
        }
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    if rest.is_empty() {
        return Some(ApiPath::GroupVersion {
            group: group.to_string(),
            version: version.to_string(),
        });
    }
    if rest.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut rest = rest;
    let mut namespace = None;
    if rest[0] == "namespaces" && rest.len() > 1 {
        namespace = Some(rest[1].to_string());
        if rest.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&rest[2]) {
            rest = &rest[2..];
        } else {
            // The namespace object itself (or its status/finalize).
            let resource = ResourcePath {
                group: group.to_string(),
                version: version.to_string(),
                namespace: None,
                resource: "namespaces".into(),
                name: Some(rest[1].to_string()),
                subresource: rest.get(2).map(|s| s.to_string()),
            };
            return if rest.len() > 3 {
                None
            } else {
                Some(ApiPath::Resource(resource))
            };
        }
    }
    if rest.len() > 3 {
        return None;
    }
    Some(ApiPath::Resource(ResourcePath {
        group: group.to_string(),
        version: version.to_string(),
        namespace,
        resource: rest[0].to_string(),
        name: rest.get(1).map(|s| s.to_string()),
        subresource: rest.get(2).map(|s| s.to_string()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(
        group: &str,
        ns: Option<&str>,
        resource: &str,
        name: Option<&str>,
        sub: Option<&str>,
    ) -> Option<ApiPath> {
        Some(ApiPath::Resource(ResourcePath {
            group: group.into(),
            version: "v1".into(),
            namespace: ns.map(String::from),
            resource: resource.into(),
            name: name.map(String::from),
            subresource: sub.map(String::from),
        }))
    }

    #[test]
    fn paths_parse_like_kube_apiserver() {
        assert_eq!(parse("/api"), Some(ApiPath::Root { core: true }));
        assert_eq!(
            parse("/apis/apps"),
            Some(ApiPath::Group {
                group: "apps".into()
            })
        );
        assert_eq!(
            parse("/api/v1"),
            Some(ApiPath::GroupVersion {
                group: "".into(),
                version: "v1".into()
            })
        );
        assert_eq!(
            parse("/api/v1/configmaps"),
            res("", None, "configmaps", None, None)
        );
        assert_eq!(
            parse("/api/v1/namespaces/default/configmaps/x"),
            res("", Some("default"), "configmaps", Some("x"), None)
        );
        assert_eq!(
            parse("/api/v1/namespaces/default"),
            res("", None, "namespaces", Some("default"), None)
        );
        assert_eq!(
            parse("/api/v1/namespaces/default/status"),
            res("", None, "namespaces", Some("default"), Some("status"))
        );
        assert_eq!(
            parse("/api/v1/namespaces"),
            res("", None, "namespaces", None, None)
        );
        assert_eq!(
            parse("/apis/apps/v1/namespaces/ns1/deployments/web/scale"),
            res(
                "apps",
                Some("ns1"),
                "deployments",
                Some("web"),
                Some("scale")
            )
        );
        assert_eq!(parse("/apis/apps/v1/namespaces/a/deployments/b/c/d"), None);
        assert_eq!(parse("/healthz"), None);
        assert_eq!(parse("/api/v1/namespaces/a//x"), None);
    }
}
