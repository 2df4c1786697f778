//! Cluster resource models: the default grades, the server's standardization of user-given grades,
//! and Karmada's ordering rules (feature gate `CustomizedClusterResourceModeling`, on by default).

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::v1alpha1::{ResourceModel, ResourceModelRange};
use crate::validation::FieldError;

/// `math.MaxInt64` as a quantity: the "infinite" upper bound of the last grade.
const MAX_INT64: &str = "9223372036854775807";

/// Karmada's default grades 0 to 8 (cpu in cores, memory in binary bytes).
pub fn default_resource_models() -> Vec<ResourceModel> {
    const CPU: [&str; 10] = ["0", "1", "2", "4", "8", "16", "32", "64", "128", MAX_INT64];
    const MEMORY: [&str; 10] = [
        "0", "4Gi", "16Gi", "32Gi", "64Gi", "128Gi", "256Gi", "512Gi", "1Ti", MAX_INT64,
    ];
    (0..9)
        .map(|grade| ResourceModel {
            grade: grade as u32,
            ranges: vec![
                range("cpu", CPU[grade], CPU[grade + 1]),
                range("memory", MEMORY[grade], MEMORY[grade + 1]),
            ],
        })
        .collect()
}

fn range(name: &str, min: &str, max: &str) -> ResourceModelRange {
    ResourceModelRange {
        name: name.to_string(),
        min: Quantity(min.to_string()),
        max: Quantity(max.to_string()),
    }
}

/// Sorts grades ascending, makes the first grade start at zero and the last grade end at
/// infinity (MaxInt64), as Karmada's registry does on create and update.
pub fn standardize(models: &mut [ResourceModel]) {
    models.sort_by_key(|m| m.grade);
    if let Some(first) = models.first_mut() {
        for r in &mut first.ranges {
            r.min = Quantity("0".into());
        }
    }
    if let Some(last) = models.last_mut() {
        for r in &mut last.ranges {
            r.max = Quantity(MAX_INT64.into());
        }
    }
}

/// Karmada's rules for (sorted) resource models; the first violation is reported against the
/// whole list, as Karmada does.
pub fn validate(models: &[ResourceModel], field: &str) -> Option<FieldError> {
    let invalid = |why: &str| {
        let value = serde_json::to_string(models).unwrap_or_default();
        Some(FieldError::invalid(field, value, why))
    };
    for (i, model) in models.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &models[p]);
        if previous.is_some_and(|p| p.grade == model.grade) {
            return invalid("The grade of each models should not be the same");
        }
        if previous.is_some_and(|p| p.ranges.len() != model.ranges.len()) {
            return invalid("The number of resource types should be the same");
        }
        for (j, range) in model.ranges.iter().enumerate() {
            let (Some(min), Some(max)) = (parse_quantity(&range.min), parse_quantity(&range.max))
            else {
                return invalid(
                    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                );
            };
            if max <= min {
                return invalid(
                    "The max value of each resource must be greater than the min value",
                );
            }
            match previous {
                None if min != 0 => {
                    return invalid(
                        "The min value of each resource in the first model should be 0",
                    );
                }
                None => {}
                Some(p) if p.ranges[j].name != range.name => {
                    return invalid("The resource types of each models should be the same");
                }
                Some(p) if parse_quantity(&p.ranges[j].max) != Some(min) => {
                    return invalid(
                        "Model intervals for resources must be contiguous and non-overlapping",
                    );
                }
                Some(_) => {}
            }
            if i == models.len() - 1 && ceil_units(max) != i64::MAX as i128 {
                return invalid(
                    "The max value of each resource in the last model should be MaxInt64",
                );
            }
        }
    }
    None
}

/// Nano-units per unit.
const NANO: i128 = 1_000_000_000;

/// A quantity in nano-units (rounded up below one nano-unit, as Kubernetes does; saturating far
/// beyond MaxInt64), or `None` when it does not parse.
pub fn parse_quantity(q: &Quantity) -> Option<i128> {
    let text = q.0.trim();
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return None;
    }
    let (pow2, pow10): (u32, i32) = match suffix {
        "" => (0, 0),
        "Ki" => (10, 0),
        "Mi" => (20, 0),
        "Gi" => (30, 0),
        "Ti" => (40, 0),
        "Pi" => (50, 0),
        "Ei" => (60, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        exp if exp.starts_with(['e', 'E']) => (0, exp[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    let mut mantissa: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa
            .saturating_mul(10)
            .saturating_add(i128::from(digit - b'0'));
    }
    mantissa = mantissa.saturating_mul(1i128 << pow2);
    // value = mantissa * 10^(pow10 - fraction digits); in nano-units add 9.
    let scale = pow10 - fraction.len() as i32 + 9;
    let nanos = if scale >= 0 {
        (0..scale).fold(mantissa, |acc, _| acc.saturating_mul(10))
    } else {
        let divisor = (0..-scale).try_fold(1i128, |acc, _| acc.checked_mul(10));
        match divisor {
            Some(d) => (mantissa + d - 1) / d,
            None => i128::from(mantissa > 0),
        }
    };
    Some(if negative { -nanos } else { nanos })
}

/// Whole units, rounded up (Kubernetes' `Quantity.Value()`).
fn ceil_units(nanos: i128) -> i128 {
    nanos.div_euclid(NANO) + i128::from(nanos.rem_euclid(NANO) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Option<i128> {
        parse_quantity(&Quantity(s.into()))
    }

    #[test]
    fn quantities_parse_to_nano_units() {
        assert_eq!(q("0"), Some(0));
        assert_eq!(q("1"), Some(NANO));
        assert_eq!(q("1500m"), Some(1_500_000_000));
        assert_eq!(q("1.5"), Some(1_500_000_000));
        assert_eq!(q("4Gi"), Some(4 * (1 << 30) * NANO));
        assert_eq!(q("2k"), Some(2000 * NANO));
        assert_eq!(q("1e3"), Some(1000 * NANO));
        assert_eq!(q("1n"), Some(1));
        assert_eq!(q("0.1n"), Some(1));
        assert_eq!(q("-1"), Some(-NANO));
        assert_eq!(q(MAX_INT64).map(ceil_units), Some(i64::MAX as i128));
        assert_eq!(q("abc"), None);
        assert_eq!(q("1Zi"), None);
        assert_eq!(q("."), None);
    }

    #[test]
    fn default_models_are_valid_and_contiguous() {
        let models = default_resource_models();
        assert_eq!(models.len(), 9);
        assert_eq!(models[1].ranges[1].min.0, "4Gi");
        assert_eq!(models[8].ranges[0].max.0, MAX_INT64);
        assert_eq!(validate(&models, "spec.resourceModels"), None);
    }

    #[test]
    fn standardize_sorts_and_opens_both_ends() {
        let mut models = vec![
            ResourceModel {
                grade: 1,
                ranges: vec![range("cpu", "2", "3")],
            },
            ResourceModel {
                grade: 0,
                ranges: vec![range("cpu", "1", "2")],
            },
        ];
        standardize(&mut models);
        assert_eq!(models[0].grade, 0);
        assert_eq!(models[0].ranges[0].min.0, "0");
        assert_eq!(models[1].ranges[0].max.0, MAX_INT64);
        assert_eq!(validate(&models, "spec.resourceModels"), None);
    }

    #[test]
    fn rule_violations_name_the_rule() {
        let model = |grade, ranges| ResourceModel { grade, ranges };
        let cases: Vec<(&str, Vec<ResourceModel>, &str)> = vec![
            (
                "same grade",
                vec![
                    model(0, vec![range("cpu", "0", "1")]),
                    model(0, vec![range("cpu", "1", MAX_INT64)]),
                ],
                "The grade of each models should not be the same",
            ),
            (
                "different range counts",
                vec![
                    model(0, vec![range("cpu", "0", "1")]),
                    model(
                        1,
                        vec![
                            range("cpu", "1", MAX_INT64),
                            range("memory", "0", MAX_INT64),
                        ],
                    ),
                ],
                "The number of resource types should be the same",
            ),
            (
                "max not above min",
                vec![model(0, vec![range("cpu", "0", "0")])],
                "The max value of each resource must be greater than the min value",
            ),
            (
                "first min not zero",
                vec![model(0, vec![range("cpu", "1", MAX_INT64)])],
                "The min value of each resource in the first model should be 0",
            ),
            (
                "resource names differ",
                vec![
                    model(0, vec![range("cpu", "0", "1")]),
                    model(1, vec![range("memory", "1", MAX_INT64)]),
                ],
                "The resource types of each models should be the same",
            ),
            (
                "gap between grades",
                vec![
                    model(0, vec![range("cpu", "0", "1")]),
                    model(1, vec![range("cpu", "2", MAX_INT64)]),
                ],
                "Model intervals for resources must be contiguous and non-overlapping",
            ),
            (
                "last max not MaxInt64",
                vec![model(0, vec![range("cpu", "0", "10")])],
                "The max value of each resource in the last model should be MaxInt64",
            ),
        ];
        for (name, models, why) in cases {
            let err = validate(&models, "spec.resourceModels").expect(name);
            assert_eq!(err.field, "spec.resourceModels", "{name}");
            assert!(
                err.detail.starts_with("Invalid value: [{\"grade\""),
                "{name}: {}",
                err.detail
            );
            assert!(
                err.detail.ends_with(&format!(": {why}")),
                "{name}: {}",
                err.detail
            );
        }
    }
}
