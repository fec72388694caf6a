//! A calendar date without a time zone: what dated provider rules compare against.
//! Rules never read the clock; `today()` is read once when facts are gathered.
//!
//! The calendar arithmetic is `jiff`'s (`jiff::civil::Date`); this type only fixes the
//! text form (`YYYY-MM-DD`, in facts, the ledger and provider tables) and the day count
//! that rules add maximum lifetimes to.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct Date(jiff::civil::Date);

/// Day 0 of [`Date::days`].
const UNIX_EPOCH: jiff::civil::Date = jiff::civil::Date::constant(1970, 1, 1);

const SECONDS_PER_DAY: i64 = 86_400;

impl Date {
    /// A date known when the program is built (provider tables, tests).
    ///
    /// # Panics
    /// When the date does not exist (`2026-02-31`); in a `const` this fails the build.
    pub(crate) const fn new(y: i32, m: u32, d: u32) -> Date {
        assert!(
            -9999 <= y && y <= 9999 && m <= 12 && d <= 31,
            "invalid date"
        );
        Date(jiff::civil::Date::constant(y as i16, m as i8, d as i8))
    }

    /// `YYYY-MM-DD` (surrounding blanks allowed); `None` for a date that does not exist.
    pub(crate) fn parse(s: &str) -> Option<Date> {
        jiff::civil::Date::strptime("%Y-%m-%d", s.trim())
            .ok()
            .map(Date)
    }

    /// Today in UTC.
    pub(crate) fn today_utc() -> Date {
        Date(
            jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date(),
        )
    }

    /// The date `days` days after 1970-01-01 (before it when negative), clamped to the
    /// years -9999..=9999.
    pub(crate) fn from_days(days: i64) -> Date {
        let offset = jiff::SignedDuration::from_secs(days.saturating_mul(SECONDS_PER_DAY));
        Date(UNIX_EPOCH.checked_add(offset).unwrap_or(if days < 0 {
            jiff::civil::Date::MIN
        } else {
            jiff::civil::Date::MAX
        }))
    }

    /// Days since 1970-01-01 (negative before it).
    pub(crate) fn days(self) -> i64 {
        self.0.duration_since(UNIX_EPOCH).as_secs() / SECONDS_PER_DAY
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Date::parse(&s).ok_or_else(|| format!("not a YYYY-MM-DD date: {s}"))
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for z in [-1000i64, -1, 0, 19_000, 20_662, 20_700] {
            assert_eq!(Date::from_days(z).days(), z);
        }
        assert_eq!(Date::from_days(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_days(-1), Date::new(1969, 12, 31));
        assert_eq!(Date::new(2026, 7, 28).days(), 20_662);
        assert_eq!(
            Date::new(2026, 7, 28).days() - Date::new(2026, 7, 27).days(),
            1
        );
        assert_eq!(Date::from_days(i64::MAX).to_string(), "9999-12-31");
    }

    #[test]
    fn parses_and_orders() {
        let a = Date::parse("2026-07-27").expect("date");
        let b = Date::parse(" 2026-07-28\n").expect("date");
        assert!(a < b);
        assert_eq!(b.to_string(), "2026-07-28");
        assert_eq!(Date::new(2026, 1, 5).to_string(), "2026-01-05");
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("2026-07-28T10:00").is_none());
        assert!(Date::parse("yesterday").is_none());
    }

    #[test]
    fn a_day_that_does_not_exist_is_not_a_date() {
        assert!(Date::parse("2026-02-31").is_none());
        assert!(Date::parse("2026-02-29").is_none());
        assert_eq!(Date::parse("2028-02-29"), Some(Date::new(2028, 2, 29)));
        assert!(Date::try_from("2026-04-31".to_owned()).is_err());
    }

    #[test]
    fn serde_uses_the_text_form() {
        let d = Date::new(2026, 11, 29);
        let json = serde_json::to_string(&d).expect("serialize");
        assert_eq!(json, "\"2026-11-29\"");
        assert_eq!(serde_json::from_str::<Date>(&json).expect("parse"), d);
        assert!(serde_json::from_str::<Date>("\"2026-02-31\"").is_err());
    }
}
