//! Names Karmada derives for the objects it creates: bindings (`<name>-<kind>`) and Works
//! (`<name>-<hash>`), so that objects created by karmada-rs carry the names Karmada users expect.

/// The name of the (Cluster)ResourceBinding of a template: `lower(name-kind)`, `:` replaced by `.`
/// (Karmada's `GenerateBindingName`).
pub fn binding_name(kind: &str, name: &str) -> String {
    format!("{name}-{kind}").to_lowercase().replace(':', ".")
}

/// The name of the Work of a manifest in an execution namespace: `lower(name)-<hash>`, where the
/// hash is FNV-32a of `lower(namespace-name-kind)` (or `name-kind` for cluster-scoped objects),
/// printed in decimal and encoded with Kubernetes' safe alphabet (no vowels, no look-alikes).
pub fn work_name(kind: &str, namespace: &str, name: &str) -> String {
    let key = if namespace.is_empty() {
        format!("{name}-{kind}")
    } else {
        format!("{namespace}-{name}-{kind}")
    }
    .to_lowercase();
    let hash = safe_encode(&fnv32a(key.as_bytes()).to_string());
    let prefix = name.to_lowercase().replace(':', ".");
    // Keep the name a valid object name (≤ 253 characters) whatever the template's name.
    let room = 253 - 1 - hash.len();
    let prefix: String = prefix.chars().take(room).collect();
    format!("{prefix}-{hash}")
}

/// FNV-32a.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in bytes {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// Kubernetes' `rand.SafeEncodeString`: each byte mapped into an alphabet without vowels or
/// easily confused characters.
pub fn safe_encode(text: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    text.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_names_are_lower_case_name_kind() {
        assert_eq!(binding_name("Deployment", "Nginx"), "nginx-deployment");
        assert_eq!(
            binding_name("ClusterRole", "system:aggregate"),
            "system.aggregate-clusterrole"
        );
    }

    #[test]
    fn work_names_are_stable_and_distinct() {
        let a = work_name("Deployment", "default", "nginx");
        assert!(a.starts_with("nginx-"), "{a}");
        assert_eq!(a, work_name("Deployment", "default", "nginx"));
        assert_ne!(a, work_name("Deployment", "other", "nginx"));
        assert_ne!(a, work_name("Service", "default", "nginx"));
        assert!(work_name("Deployment", "ns", &"x".repeat(300)).len() <= 253);
    }

    #[test]
    fn fnv32a_known_vectors() {
        assert_eq!(fnv32a(b""), 0x811c9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c292c);
        assert_eq!(fnv32a(b"foobar"), 0xbf9cf968);
    }
}
