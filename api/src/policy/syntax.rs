//! Kubernetes name syntax (qualified names, label values, DNS-1123 labels and subdomains) and
//! JSON pointers, with apimachinery's error messages, for the policy validators.

use std::collections::BTreeMap;

use super::field_path::FieldPath;
use crate::validation::{FieldError, quoted};

const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
const LABEL_VALUE_MAX_LENGTH: usize = 63;
const DNS1123_LABEL_MAX_LENGTH: usize = 63;
const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/// apimachinery's `RegexError`: the rule, examples and the regular expression.
fn regex_error(message: &str, format: &str, examples: &[&str]) -> String {
    let examples: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!(
        "{message} (e.g. {}regex used for validation is '{format}')",
        examples.join(" or ")
    )
}

fn max_len_error(max: usize) -> String {
    format!("must be no more than {max} characters")
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn is_qualified_name_part(s: &str) -> bool {
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn is_dns1123_label_part(s: &str) -> bool {
    let bytes = s.as_bytes();
    let lower_alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            lower_alnum(first)
                && lower_alnum(last)
                && bytes.iter().all(|b| lower_alnum(b) || *b == b'-')
        }
        _ => false,
    }
}

/// Problems with `value` as a qualified name (`[prefix/]name`, a label key), as apimachinery's
/// `IsQualifiedName` words them; empty when it is valid.
pub(crate) fn qualified_name_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errors.push("prefix part must be non-empty".to_string());
            } else {
                errors.extend(
                    dns1123_subdomain_errors(prefix)
                        .into_iter()
                        .map(|e| format!("prefix part {e}")),
                );
            }
            *name
        }
        _ => {
            return vec![format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            )];
        }
    };
    if name.is_empty() {
        errors.push("name part must be non-empty".to_string());
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errors.push(format!(
            "name part {}",
            max_len_error(QUALIFIED_NAME_MAX_LENGTH)
        ));
    }
    if !name.is_empty() && !is_qualified_name_part(name) {
        errors.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errors
}

/// Problems with `value` as a label value (`IsValidLabelValue`).
pub(crate) fn label_value_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errors.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errors.push(regex_error(
            LABEL_VALUE_ERR,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errors
}

/// Problems with `value` as an RFC 1123 label (`IsDNS1123Label`).
pub(crate) fn dns1123_label_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errors.push(max_len_error(DNS1123_LABEL_MAX_LENGTH));
    }
    if !is_dns1123_label_part(value) {
        errors.push(regex_error(
            DNS1123_LABEL_ERR,
            DNS1123_LABEL_FMT,
            &["my-name", "123-abc"],
        ));
    }
    errors
}

/// Problems with `value` as an RFC 1123 subdomain (`IsDNS1123Subdomain`).
pub(crate) fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errors.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !value.split('.').all(is_dns1123_label_part) {
        errors.push(regex_error(
            DNS1123_SUBDOMAIN_ERR,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errors
}

/// Validates a label key (`ValidateLabelName`): every problem is reported on `path`.
pub(crate) fn validate_label_key(key: &str, path: &FieldPath) -> Vec<FieldError> {
    qualified_name_errors(key)
        .into_iter()
        .map(|e| FieldError::invalid(path, quoted(key), &e))
        .collect()
}

/// Validates a label map (`ValidateLabels`): keys are qualified names, values label values.
pub(crate) fn validate_labels(
    labels: &BTreeMap<String, String>,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (key, value) in labels {
        errors.extend(validate_label_key(key, path));
        errors.extend(
            label_value_errors(value)
                .into_iter()
                .map(|e| FieldError::invalid(path, quoted(value), &e)),
        );
    }
    errors
}

/// Validates an annotation map (`ValidateAnnotations`): keys are qualified names (compared in
/// lower case), and keys and values together stay under 256 KiB.
pub(crate) fn validate_annotations(
    annotations: &BTreeMap<String, String>,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for key in annotations.keys() {
        errors.extend(
            qualified_name_errors(&key.to_lowercase())
                .into_iter()
                .map(|e| FieldError::invalid(path, quoted(key), &e)),
        );
    }
    let total: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errors.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
    errors
}

/// Why `pointer` is not an RFC 6901 JSON pointer; `allow_empty` admits `""` (the whole document).
pub(crate) fn json_pointer_error(pointer: &str, allow_empty: bool) -> Option<String> {
    if pointer.is_empty() {
        return (!allow_empty).then(|| "must be a JSON pointer starting with \"/\"".to_string());
    }
    if !pointer.starts_with('/') {
        return Some(if allow_empty {
            "JSON pointer must be empty or start with a \"/\"".to_string()
        } else {
            "must be a JSON pointer starting with \"/\"".to_string()
        });
    }
    let mut chars = pointer.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Some("JSON pointer may escape only \"~0\" and \"~1\"".to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names() {
        for ok in ["a", "app", "karmada.io/name", "A_b-c.d", "x/y", "1"] {
            assert!(qualified_name_errors(ok).is_empty(), "{ok}");
        }
        assert_eq!(
            qualified_name_errors("/x"),
            ["prefix part must be non-empty"]
        );
        assert_eq!(qualified_name_errors("x/"), ["name part must be non-empty"]);
        assert_eq!(qualified_name_errors(""), ["name part must be non-empty"]);
        assert_eq!(
            qualified_name_errors("-x"),
            [
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
            ]
        );
        assert_eq!(
            qualified_name_errors(&"a".repeat(64)),
            ["name part must be no more than 63 characters"]
        );
        assert!(
            qualified_name_errors("Example.com/x")[0]
                .starts_with("prefix part a lowercase RFC 1123 subdomain")
        );
        assert!(qualified_name_errors("a/b/c")[0].starts_with("a qualified name must consist of"));
    }

    #[test]
    fn label_values_and_dns_names() {
        assert!(label_value_errors("").is_empty());
        assert!(label_value_errors("my_value.1").is_empty());
        assert_eq!(label_value_errors("-x").len(), 1);
        assert_eq!(
            label_value_errors(&"a".repeat(64)),
            ["must be no more than 63 characters"]
        );
        assert!(dns1123_label_errors("member-1").is_empty());
        assert!(dns1123_label_errors("Member").len() == 1);
        assert!(dns1123_label_errors("").len() == 1);
        assert!(dns1123_subdomain_errors("example.com").is_empty());
        assert_eq!(dns1123_subdomain_errors("example..com").len(), 1);
    }

    #[test]
    fn label_and_annotation_maps() {
        let path = FieldPath::new("spec").child("value");
        let labels = BTreeMap::from([("ok".to_string(), "-bad".to_string())]);
        let errors = validate_labels(&labels, &path);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "spec.value");
        assert!(
            errors[0]
                .detail
                .starts_with("Invalid value: \"-bad\": a valid label must be")
        );
        let annotations = BTreeMap::from([("Example.com/X".to_string(), "v".to_string())]);
        assert!(validate_annotations(&annotations, &path).is_empty());
        let big = BTreeMap::from([("k".to_string(), "v".repeat(256 * 1024))]);
        assert_eq!(
            validate_annotations(&big, &path)[0].detail,
            "Too long: may not be more than 262144 bytes"
        );
    }

    #[test]
    fn json_pointers() {
        assert_eq!(json_pointer_error("/spec/replicas", false), None);
        assert_eq!(json_pointer_error("/data/a~1b~0c", false), None);
        assert_eq!(json_pointer_error("", true), None);
        assert!(json_pointer_error("", false).is_some());
        assert_eq!(
            json_pointer_error("spec", true).as_deref(),
            Some("JSON pointer must be empty or start with a \"/\"")
        );
        assert!(json_pointer_error("/a~2", false).is_some());
        assert!(json_pointer_error("/a~", false).is_some());
    }
}
