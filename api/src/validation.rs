//! Field errors in Kubernetes' shape, shared by every kind's validation.
//!
//! The API server turns a list of these into one `422 Invalid` Status naming every bad field, in
//! kubectl's usual format (`PropagationPolicy.policy.karmada.io "x" is invalid: [spec.a: Required
//! value, ...]`).

use std::fmt;

/// What is wrong with a field (Kubernetes' `field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Required,
    Invalid,
    NotSupported,
    Forbidden,
    Duplicate,
    TooLong,
    TooMany,
}

impl ErrorKind {
    /// The `StatusCause.reason` kube-apiserver uses.
    pub fn reason(self) -> &'static str {
        match self {
            ErrorKind::Required => "FieldValueRequired",
            ErrorKind::Invalid => "FieldValueInvalid",
            ErrorKind::NotSupported => "FieldValueNotSupported",
            ErrorKind::Forbidden => "FieldValueForbidden",
            ErrorKind::Duplicate => "FieldValueDuplicate",
            ErrorKind::TooLong => "FieldValueTooLong",
            ErrorKind::TooMany => "FieldValueTooMany",
        }
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// `spec.placement.clusterAffinities[1].affinityName`.
    pub field: String,
    pub kind: ErrorKind,
    /// kube-apiserver's rendering: `Required value`, `Invalid value: "x": must be ...`,
    /// `Unsupported value: "x": supported values: "a", "b"`, `Forbidden: ...`, `Duplicate value: "x"`.
    pub detail: String,
}

impl FieldError {
    pub fn required(field: impl Into<String>, why: &str) -> Self {
        let detail = if why.is_empty() {
            "Required value".to_string()
        } else {
            format!("Required value: {why}")
        };
        FieldError {
            field: field.into(),
            kind: ErrorKind::Required,
            detail,
        }
    }

    /// `value` is rendered as JSON (strings quoted), as Kubernetes does.
    pub fn invalid(field: impl Into<String>, value: impl fmt::Display, why: &str) -> Self {
        FieldError {
            field: field.into(),
            kind: ErrorKind::Invalid,
            detail: format!("Invalid value: {value}: {why}"),
        }
    }

    pub fn not_supported(
        field: impl Into<String>,
        value: impl fmt::Display,
        supported: &[&str],
    ) -> Self {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        FieldError {
            field: field.into(),
            kind: ErrorKind::NotSupported,
            detail: format!(
                "Unsupported value: {value}: supported values: {}",
                list.join(", ")
            ),
        }
    }

    pub fn forbidden(field: impl Into<String>, why: &str) -> Self {
        FieldError {
            field: field.into(),
            kind: ErrorKind::Forbidden,
            detail: format!("Forbidden: {why}"),
        }
    }

    pub fn duplicate(field: impl Into<String>, value: impl fmt::Display) -> Self {
        FieldError {
            field: field.into(),
            kind: ErrorKind::Duplicate,
            detail: format!("Duplicate value: {value}"),
        }
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        FieldError {
            field: field.into(),
            kind: ErrorKind::TooLong,
            detail: format!("Too long: may not be more than {max} bytes"),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.detail)
    }
}

/// `"value"` for strings, as field errors quote values.
pub fn quoted(value: &str) -> String {
    format!("{value:?}")
}
