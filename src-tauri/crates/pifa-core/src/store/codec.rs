//! How times, money and percentages are kept in columns, in one place. SQL compares and sorts
//! these columns directly (due watches, pauses, cache eviction, price filters), which only holds
//! when every writer uses the same form.
//!
//! - Money: an integer of ten-thousandths of a yuan ([`Money::units`]).
//! - Percent: an integer of hundredths of a percent ([`Percent::basis_points`]).
//! - Time: RFC 3339 text in UTC with milliseconds (`2026-11-30T16:47:46.123Z`), which sorts as
//!   text in time order; bound and read through [`Stamp`].

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, Value, ValueRef};

use crate::offer::Percent;
use crate::Money;

// `Value`s for the queries that collect their parameters while building their SQL.
impl From<Money> for Value {
    fn from(money: Money) -> Self {
        Value::Integer(money.units())
    }
}

impl From<Percent> for Value {
    fn from(percent: Percent) -> Self {
        Value::Integer(percent.basis_points.into())
    }
}

impl ToSql for Money {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Owned(Value::from(*self)))
    }
}

impl FromSql for Money {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(Money::from_units)
    }
}

impl ToSql for Percent {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Owned(Value::from(*self)))
    }
}

impl FromSql for Percent {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        u32::column_result(value).map(|basis_points| Percent { basis_points })
    }
}

/// A moment as a time column holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp(pub DateTime<Utc>);

impl Stamp {
    pub(crate) fn text(at: DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// A time that cannot be read comes back as the epoch: the row it is in stays readable,
    /// and only Pifa writes these columns.
    pub(crate) fn parse(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    }
}

impl From<Stamp> for DateTime<Utc> {
    fn from(stamp: Stamp) -> Self {
        stamp.0
    }
}

impl ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(Stamp::text(self.0).into())
    }
}

impl FromSql for Stamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value.as_str().map(|text| Stamp(Stamp::parse(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn values_round_trip_through_their_columns() {
        let conn = Connection::open_in_memory().unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-30T16:47:46.123+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let (money, percent) = (Money::from_units(35), Percent { basis_points: 4550 });
        let (text, back): (String, (Stamp, Money, Percent, Option<Money>)) = conn
            .query_row(
                "SELECT ?1, ?1, ?2, ?3, NULL",
                rusqlite::params![Stamp(at), money, percent],
                |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))),
            )
            .unwrap();
        assert_eq!(text, "2026-11-30T08:47:46.123Z");
        assert_eq!(back, (Stamp(at), money, percent, None));
    }

    #[test]
    fn stamps_sort_as_text_in_time_order() {
        let early = Stamp::parse("2026-01-01T00:00:00Z");
        let later = early + chrono::Duration::milliseconds(1);
        assert!(Stamp::text(early) < Stamp::text(later));
        assert_eq!(Stamp::parse("not a time"), DateTime::<Utc>::UNIX_EPOCH);
    }
}
