//! The clock: real time, or `MEDREVIEW_NOW` for tests, demos and importing historical reviews.

use chrono::{DateTime, FixedOffset, Local, SecondsFormat, Timelike};

use crate::error::{Code, Error, Result};

/// The environment variable that fixes the clock.
pub(crate) const NOW_VAR: &str = "MEDREVIEW_NOW";

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
        Err(_) => Local::now().fixed_offset(),
    };
    Ok(now.with_nanosecond(0).unwrap_or(now))
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
