//! The clock: real time, or `MEDREVIEW_NOW` for tests, demos and importing historical reviews.

use chrono::{DateTime, FixedOffset, Local, SecondsFormat, Timelike};

use crate::error::{Code, Error, Result};

/// The environment variable that fixes the clock.
pub(crate) const NOW_VAR: &str = "MEDREVIEW_NOW";

/// Seconds added to the system clock, to drill (and test) what happens on a machine
/// whose clock is off: the time is still the system's, so entries are not marked as
/// `MEDREVIEW_NOW`'s are, exactly as with a wrong system clock (docs/sync.md).
pub(crate) const OFFSET_VAR: &str = "MEDREVIEW_CLOCK_OFFSET";

/// The current time to the second, from `MEDREVIEW_NOW` when it is set.
pub fn now() -> Result<DateTime<FixedOffset>> {
    let now = match std::env::var(NOW_VAR) {
        Ok(text) => DateTime::parse_from_rfc3339(text.trim()).map_err(|err| {
            Error::with_hint(
                Code::InvalidSetting,
                format!("{NOW_VAR}={text:?} is not an RFC 3339 time: {err}"),
                format!("set it like {NOW_VAR}=2025-03-03T10:12:00-05:00, or unset it to use the real clock"),
            )
        })?,
        Err(_) => Local::now().fixed_offset() + system_offset()?,
    };
    Ok(now.with_nanosecond(0).unwrap_or(now))
}

/// `MEDREVIEW_CLOCK_OFFSET` as a time span (zero when unset).
fn system_offset() -> Result<chrono::TimeDelta> {
    let Ok(text) = std::env::var(OFFSET_VAR) else {
        return Ok(chrono::TimeDelta::zero());
    };
    text.trim()
        .trim_start_matches('+')
        .parse::<i64>()
        .ok()
        .and_then(chrono::TimeDelta::try_seconds)
        .ok_or_else(|| {
            Error::with_hint(
                Code::InvalidSetting,
                format!("{OFFSET_VAR}={text:?} is not a number of seconds"),
                format!("set it like {OFFSET_VAR}=-600 (ten minutes slow), or unset it"),
            )
        })
}

/// A time given on the command line (`--at`, `--not-before`): RFC 3339 with an
/// offset, seconds optional (`2026-12-08T09:00-05:00`, `2026-12-08T14:00:00Z`).
/// `flag` names it in the error.
pub fn parse_arg(flag: &str, text: &str) -> Result<DateTime<FixedOffset>> {
    let text = text.trim();
    let parsed = DateTime::parse_from_rfc3339(text).or_else(|err| {
        // Without seconds: put them in before the offset.
        let split = text
            .char_indices()
            .skip(16)
            .find(|(_, c)| matches!(c, 'Z' | 'z' | '+' | '-'))
            .map(|(i, _)| i);
        match split {
            Some(i) if text.len() > 16 && text[..i].len() == 16 => {
                DateTime::parse_from_rfc3339(&format!("{}:00{}", &text[..i], &text[i..]))
            }
            _ => Err(err),
        }
    });
    parsed
        .map(|t| t.with_nanosecond(0).unwrap_or(t))
        .map_err(|err| {
            Error::with_hint(
                Code::InvalidArgument,
                format!("{flag} {text:?} is not a time with an offset: {err}"),
                format!(
                    "give the date, the time and the time zone's offset, like {flag} 2026-12-08T09:00-05:00 (or Z for UTC)"
                ),
            )
        })
}

/// How the clock was set when not by the system (`Some("MEDREVIEW_NOW")`), for the
/// record: an entry made with a fixed clock says so.
pub fn fixed_by() -> Option<&'static str> {
    std::env::var_os(NOW_VAR).map(|_| NOW_VAR)
}

/// RFC 3339 with seconds and offset, as the ledger stores times.
pub fn rfc3339(time: &DateTime<FixedOffset>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A short human form for tables: `2025-03-03 10:12 -05:00`.
pub fn short(time: &DateTime<FixedOffset>) -> String {
    time.format("%Y-%m-%d %H:%M %:z").to_string()
}

/// Reads what [`ser`] wrote.
pub fn de<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<DateTime<FixedOffset>, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    DateTime::parse_from_rfc3339(&text).map_err(serde::de::Error::custom)
}

/// Serializes a time as RFC 3339, for `--json` output.
pub fn ser<S: serde::Serializer>(
    time: &DateTime<FixedOffset>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(time))
}

/// A time span in words: "3 days", "2 hours", "40 minutes", "12 seconds".
pub fn span(d: chrono::TimeDelta) -> String {
    let d = d.abs();
    let unit = |n: i64, one: &str, many: &str| crate::plural::plural(n as usize, one, many);
    if d.num_days() >= 2 {
        unit(d.num_days(), "day", "days")
    } else if d.num_hours() >= 2 {
        unit(d.num_hours(), "hour", "hours")
    } else if d.num_minutes() >= 2 {
        unit(d.num_minutes(), "minute", "minutes")
    } else {
        unit(d.num_seconds(), "second", "seconds")
    }
}
