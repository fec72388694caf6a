//! A calendar date without a time zone: what dated provider rules compare against.
//! Rules never read the clock; `today()` is read once when facts are gathered.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct Date {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

impl Date {
    pub(crate) const fn new(y: i32, m: u32, d: u32) -> Date {
        Date { y, m, d }
    }

    pub(crate) fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m: u32 = it.next()?.parse().ok()?;
        let d: u32 = it.next()?.parse().ok()?;
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(Date { y, m, d })
    }

    /// Today in UTC, from days since the Unix epoch (Howard Hinnant's civil_from_days).
    pub(crate) fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }

    pub(crate) fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        Date {
            y: (if m <= 2 { y + 1 } else { y }) as i32,
            m,
            d,
        }
    }

    pub(crate) fn days(self) -> i64 {
        let y = if self.m <= 2 {
            self.y as i64 - 1
        } else {
            self.y as i64
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.m as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
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
        for z in [-1000i64, 0, 19_000, 20_662, 20_700] {
            assert_eq!(Date::from_days(z).days(), z);
        }
        assert_eq!(Date::from_days(0), Date::new(1970, 1, 1));
        assert_eq!(
            Date::new(2026, 7, 28).days() - Date::new(2026, 7, 27).days(),
            1
        );
    }

    #[test]
    fn parses_and_orders() {
        let a = Date::parse("2026-07-27").expect("date");
        let b = Date::parse("2026-07-28").expect("date");
        assert!(a < b);
        assert_eq!(b.to_string(), "2026-07-28");
        assert!(Date::parse("2026-13-01").is_none());
    }
}
