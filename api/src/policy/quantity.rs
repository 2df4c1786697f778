//! Just enough of `resource.Quantity` for validation and capacity arithmetic: parsing a quantity
//! string into an exact count of nano-units, so that quantities can be compared and summed.

/// A parsed quantity, in units of 10⁻⁹ (fractions below a nano-unit round up, as Kubernetes rounds
/// up precision it cannot hold). Values beyond ±1.7 × 10²⁹ nano-units saturate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Quantity {
    nanos: i128,
}

impl Quantity {
    /// Parses `<sign><digits>[.<digits>][<suffix>]` where the suffix is a binary SI suffix
    /// (`Ki`…`Ei`), a decimal SI suffix (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`) or a decimal
    /// exponent (`e3`, `E-2`). `None` when `text` is not a quantity.
    pub fn parse(text: &str) -> Option<Quantity> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return None;
        }
        let (binary_power, decimal_power) = parse_suffix(suffix)?;

        // digits × 2^binary_power × 10^(decimal_power - fraction digits + 9) nano-units.
        let mut nanos: i128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            nanos = nanos
                .saturating_mul(10)
                .saturating_add(i128::from(digit - b'0'));
        }
        nanos = nanos.saturating_mul(1i128.checked_shl(binary_power).unwrap_or(i128::MAX));
        let exponent = decimal_power + 9 - fraction.len() as i64;
        if exponent >= 0 {
            for _ in 0..exponent {
                nanos = nanos.saturating_mul(10);
            }
        } else {
            for _ in 0..exponent.unsigned_abs() {
                let rounded_up = nanos % 10 != 0;
                nanos = nanos / 10 + i128::from(rounded_up);
            }
        }
        Some(Quantity {
            nanos: if negative { -nanos } else { nanos },
        })
    }

    /// The value in nano-units (10⁻⁹).
    pub fn nanos(self) -> i128 {
        self.nanos
    }

    /// The value in milli-units (10⁻³), rounded up as Kubernetes' `MilliValue` does.
    pub fn millis(self) -> i128 {
        let whole = self.nanos / 1_000_000;
        if self.nanos % 1_000_000 > 0 {
            whole + 1
        } else {
            whole
        }
    }

    /// The value in whole units, rounded up as Kubernetes' `Value` does.
    pub fn value(self) -> i128 {
        let whole = self.nanos / 1_000_000_000;
        if self.nanos % 1_000_000_000 > 0 {
            whole + 1
        } else {
            whole
        }
    }

    /// Whether the quantity is below zero.
    pub fn is_negative(self) -> bool {
        self.nanos < 0
    }

    /// Whether the quantity is a whole number of units (Kubernetes compares milli-units, rounded
    /// up).
    pub fn is_integer(self) -> bool {
        self.nanos
            .unsigned_abs()
            .div_ceil(1_000_000)
            .is_multiple_of(1000)
    }

    /// The sum of two quantities (saturating).
    pub fn plus(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
        }
    }
}

/// `(binary power of two, decimal power of ten)` of a quantity suffix.
fn parse_suffix(suffix: &str) -> Option<(u32, i64)> {
    let binary = |n: u32| Some((10 * n, 0));
    let decimal = |n: i64| Some((0, n));
    match suffix {
        "" => decimal(0),
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => {
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Anything past ±100 is beyond every representable quantity anyway.
            let value: i64 = digits.parse().unwrap_or(i64::MAX).min(100);
            decimal(if exponent.starts_with('-') {
                -value
            } else {
                value
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn quantities_in_every_notation_compare_by_value() {
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("1k"), q("1e3"));
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("+2"), q("2"));
        assert_eq!(q("1E-3"), q("1m"));
        assert!(q("2") > q("1999m"));
        assert!(q("-1").is_negative());
        assert_eq!(q("1").plus(q("500m")), q("1.5"));
        assert_eq!(q("0.1n"), q("1n"), "below nano rounds up");
    }

    #[test]
    fn integer_quantities() {
        assert!(q("3").is_integer());
        assert!(q("2k").is_integer());
        assert!(!q("1500m").is_integer());
        assert!(!q("1.0001").is_integer(), "milli-units round up");
    }

    #[test]
    fn malformed_quantities_do_not_parse() {
        for text in ["", "abc", "1x", "1.2.3", ".", "1e", "1e+", "--1", "1 Gi"] {
            assert_eq!(Quantity::parse(text), None, "{text}");
        }
    }
}
