//! Exact money. A price is a whole number of ten-thousandths of a yuan (1 fen = 100 units), so
//! every quote 1688 shows — including sub-fen piece prices such as ¥0.035 — is held exactly,
//! compares and sorts as an integer (also inside SQLite), and totals never pass through f64.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

/// Units per yuan.
const SCALE: i64 = 10_000;
/// Decimal places a price may carry.
const MAX_DECIMALS: usize = 4;
/// No 1688 unit price comes near ¥10 million: anything above is a broken answer.
pub const MAX_UNIT_PRICE: Money = Money(10_000_000 * SCALE);

/// An exact amount of CNY. Serialized as a decimal string ("12.5") so JavaScript never rounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, TS)]
#[ts(type = "string")]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not a price")]
    NotANumber(String),
    #[error("{0:?} has more than {MAX_DECIMALS} decimal places")]
    TooPrecise(String),
    #[error("{0:?} is out of range")]
    OutOfRange(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// From ten-thousandths of a yuan (the stored form).
    pub const fn from_units(units: i64) -> Money {
        Money(units)
    }

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen * 100)
    }

    pub const fn units(self) -> i64 {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// This unit price times a quantity; `None` on overflow (no real order gets there).
    pub fn times(self, quantity: u64) -> Option<Money> {
        i64::try_from(quantity)
            .ok()
            .and_then(|q| self.0.checked_mul(q))
            .map(Money)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Parses a JSON number's text exactly. Exponents are accepted when the value stays exact
    /// (`1.2e1`); the decimal digits are never routed through f64.
    pub fn parse_decimal(text: &str) -> Result<Money, MoneyError> {
        let original = text;
        let text = text.trim();
        let not_a_number = || MoneyError::NotANumber(original.to_owned());
        let out_of_range = || MoneyError::OutOfRange(original.to_owned());
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (
                &text[..at],
                text[at + 1..].parse::<i32>().map_err(|_| not_a_number())?,
            ),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if (whole.is_empty() && fraction.is_empty())
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(not_a_number());
        }
        // The usual case, a plain decimal that fits, read digit by digit: the general path
        // below would allocate for it.
        if exponent == 0 && whole.len() <= 12 && fraction.len() <= MAX_DECIMALS {
            let digits = whole.bytes().chain(fraction.bytes());
            let padding = 10i64.pow((MAX_DECIMALS - fraction.len()) as u32);
            let units = digits.fold(0i64, |n, b| n * 10 + i64::from(b - b'0')) * padding;
            return Ok(Money(if negative { -units } else { units }));
        }
        // Shift the decimal point by the exponent, then split into whole and fractional digits.
        if exponent.unsigned_abs() > 40 {
            return Err(if exponent > 0 {
                out_of_range()
            } else {
                MoneyError::TooPrecise(original.to_owned())
            });
        }
        let all_digits = format!("{whole}{fraction}");
        let point = whole.len() as i64 + i64::from(exponent);
        let decimals = all_digits.len() as i64 - point;
        let (int_digits, frac_digits) = if decimals <= 0 {
            (
                format!("{all_digits}{}", "0".repeat((-decimals) as usize)),
                String::new(),
            )
        } else if point <= 0 {
            (
                String::new(),
                format!("{}{all_digits}", "0".repeat((-point) as usize)),
            )
        } else {
            let (int, frac) = all_digits.split_at(point as usize);
            (int.to_owned(), frac.to_owned())
        };
        let frac_digits = frac_digits.trim_end_matches('0');
        if frac_digits.len() > MAX_DECIMALS {
            return Err(MoneyError::TooPrecise(original.to_owned()));
        }
        let int_digits = int_digits.trim_start_matches('0');
        if int_digits.len() > 12 {
            return Err(out_of_range());
        }
        let whole_units: i64 = if int_digits.is_empty() {
            0
        } else {
            int_digits.parse().map_err(|_| out_of_range())?
        };
        let frac_units: i64 = format!("{frac_digits:0<4}")
            .parse()
            .map_err(|_| not_a_number())?;
        let units = whole_units
            .checked_mul(SCALE)
            .and_then(|u| u.checked_add(frac_units))
            .ok_or_else(out_of_range)?;
        Ok(Money(if negative { -units } else { units }))
    }
}

impl fmt::Display for Money {
    /// `12.5` → "12.50", `0.035` → "0.035": at least two decimals, more only when present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / SCALE as u64;
        let frac = format!("{:04}", abs % SCALE as u64);
        let frac = frac.trim_end_matches('0');
        write!(f, "{sign}{whole}.{frac:0<2}")
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse_decimal(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        text.parse().unwrap()
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(m("12.5").units(), 125_000);
        assert_eq!(m("0.035").units(), 350);
        assert_eq!(m("3"), Money::from_fen(300));
        assert_eq!(m(" 007.10 ").units(), 71_000);
        assert_eq!(m("1.2e1"), m("12"));
        assert_eq!(m("125e-2"), m("1.25"));
        assert_eq!(m(".5"), m("0.5"));
        assert_eq!(m("-1.5").units(), -15_000);
        assert_eq!(m("0.10000"), m("0.1"));
    }

    #[test]
    fn rejects_what_is_not_an_exact_price() {
        for bad in [
            "", "abc", "1.2.3", "NaN", "inf", "1,5", "¥5", "--1", "1e", ".",
        ] {
            assert!(
                matches!(Money::parse_decimal(bad), Err(MoneyError::NotANumber(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Money::parse_decimal("0.00001"),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            Money::parse_decimal("1e30"),
            Err(MoneyError::OutOfRange(_))
        ));
        assert!(matches!(
            Money::parse_decimal("1e-999999999999"),
            Err(MoneyError::NotANumber(_))
        ));
    }

    #[test]
    fn displays_with_at_least_two_decimals() {
        assert_eq!(m("12.5").to_string(), "12.50");
        assert_eq!(m("0.035").to_string(), "0.035");
        assert_eq!(m("100").to_string(), "100.00");
        assert_eq!(m("-0.5").to_string(), "-0.50");
        assert_eq!(serde_json::to_string(&m("1.1")).unwrap(), "\"1.10\"");
        assert_eq!(serde_json::from_str::<Money>("\"1.10\"").unwrap(), m("1.1"));
    }

    #[test]
    fn totals_are_exact_and_overflow_is_caught() {
        // 0.1 + 0.2 style errors cannot happen: 3 × ¥0.1 is exactly ¥0.3.
        assert_eq!(m("0.1").times(3), Some(m("0.3")));
        assert_eq!(m("0.035").times(1000), Some(m("35")));
        assert_eq!(MAX_UNIT_PRICE.times(u64::MAX), None);
    }
}
