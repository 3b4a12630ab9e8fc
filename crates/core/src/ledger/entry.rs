//! One sign-off: the entry, its immutable file under `articles/<slug>/signoffs/`,
//! the file's name and the canonical text a signature covers.
//!
//! A file's name is `<UTC time>-<action>-<by>-<digest>.yaml`, e.g.
//! `20250303T151200Z-approved-ana-example-3f9c2a1b4d5e.yaml`: names sort by time,
//! two clones never write the same path, and the digest (the first 12 hex digits
//! of the file's git blob id, what `git hash-object` prints) makes an entry edited
//! in place disagree with its own name. The name without `.yaml` is the entry's
//! id, the word other entries use in `after:`.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::clock;
use crate::ids::Id;
use crate::yaml;
use medreview_store::gitstore::GitStore;
use medreview_store::revision::RevId;

/// The first line of every entry file.
pub const HEADER: &str =
    "# A sign-off, written by medreview. Immutable: never edit, rename or remove this file.\n";

/// The meaning of a medical review, and of every approval made before meanings
/// were recorded: the only one that makes a page "medically reviewed".
pub const MEDICAL_ACCURACY: &str = "medical-accuracy";

/// How many hex digits of the blob id end an entry's name.
pub const DIGEST_LEN: usize = 12;

/// The kind word in the name of a roster entry (`<time>-roster-<admin>-<digest>`).
pub(crate) const ROSTER_KIND: &str = "roster";

/// The kind words in the names of an article's comment entries
/// (`articles/<slug>/comments/`, see [`crate::comments`]).
pub const COMMENT_KINDS: [&str; 3] = ["comment", "resolved", "reopened"];

/// What a sign-off did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// A writer submitted a revision for review.
    Submitted,
    /// A reviewer approved a revision.
    Approved,
    /// A reviewer sent a revision back.
    ChangesRequested,
    /// A reviewer withdrew the article from publication.
    Withdrawn,
    /// A reviewer re-reviewed the approved revision unchanged (the periodic review):
    /// it renews the review date and makes no new revision.
    Recertified,
    /// A publisher set when the article may be on the site (`schedule`): not
    /// before one time, not after another.
    Scheduled,
}

impl Action {
    /// Every action, for parsing names.
    pub const ALL: [Action; 6] = [
        Action::Submitted,
        Action::Approved,
        Action::ChangesRequested,
        Action::Withdrawn,
        Action::Recertified,
        Action::Scheduled,
    ];

    /// The word used in the record and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submitted => "submitted",
            Action::Approved => "approved",
            Action::ChangesRequested => "changes-requested",
            Action::Withdrawn => "withdrawn",
            Action::Recertified => "recertified",
            Action::Scheduled => "scheduled",
        }
    }

    /// The verb used in commit subjects (`approve her2-treatment r2`).
    pub fn verb(self) -> &'static str {
        match self {
            Action::Submitted => "submit",
            Action::Approved => "approve",
            Action::ChangesRequested => "request-changes",
            Action::Withdrawn => "withdraw",
            Action::Recertified => "recertify",
            Action::Scheduled => "schedule",
        }
    }

    /// Whether a reviewer's decision on a revision: an approval, a request for
    /// changes or a withdrawal. A recertification only renews an approval's date,
    /// so it never settles a conflict.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            Action::Approved | Action::ChangesRequested | Action::Withdrawn
        )
    }

    /// Whether the entry vouches for a revision's text, so the approval rules (a
    /// reviewer, not its writer, licensed, signed where required) apply to it.
    pub fn vouches(self) -> bool {
        matches!(self, Action::Approved | Action::Recertified)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An entry's id: its file name without `.yaml`, validated on the way in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntryId(String);

/// What an entry's name says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    /// The UTC time, `YYYYMMDDTHHMMSSZ`.
    pub time: String,
    /// What kind of entry: a sign-off's action (`approved`), or `roster`.
    pub kind: &'static str,
    /// The person.
    pub by: Id,
    /// The first hex digits of the file's blob id.
    pub digest: String,
}

impl EntryId {
    /// Accepts `<YYYYMMDDTHHMMSSZ>-<action>-<id>-<12 hex>`.
    pub fn parse(text: &str) -> Option<EntryId> {
        parse_name(text).map(|_| EntryId(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the name says.
    pub fn parts(&self) -> NameParts {
        // The id was validated when it was made.
        parse_name(&self.0).unwrap_or_else(|| panic!("entry id {} was validated", self.0)) // invariant
    }

    /// The file name, `<id>.yaml`.
    pub fn file_name(&self) -> String {
        format!("{}.yaml", self.0)
    }

    /// The UTC time part, which sorts like the time.
    pub fn time_part(&self) -> &str {
        &self.0[..16]
    }
}

impl TryFrom<String> for EntryId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EntryId::parse(&value).ok_or_else(|| {
            format!("{value:?} is not a sign-off id (<UTC time>-<action>-<person>-<12 hex digits>)")
        })
    }
}

impl From<EntryId> for String {
    fn from(id: EntryId) -> String {
        id.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether the entry file `name` (`<time>-<kind>-<by>-<digest>.yaml`) carries the
/// digest of `blob`: the bytes are the ones it was recorded with.
pub fn digest_matches(name: &str, blob: &RevId) -> bool {
    name.strip_suffix(".yaml")
        .and_then(parse_name)
        .is_some_and(|parts| blob.as_str().starts_with(&parts.digest))
}

fn parse_name(text: &str) -> Option<NameParts> {
    let bytes = text.as_bytes();
    if bytes.len() < 16 + 1 + DIGEST_LEN + 4 {
        return None;
    }
    let time = &text[..16];
    let time_ok = time.bytes().enumerate().all(|(i, b)| match i {
        8 => b == b'T',
        15 => b == b'Z',
        _ => b.is_ascii_digit(),
    });
    if !time_ok || bytes[16] != b'-' {
        return None;
    }
    let (rest, digest) = text[17..].rsplit_once('-')?;
    if digest.len() != DIGEST_LEN
        || !digest
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    // Kinds contain hyphens too, so match the known ones as prefixes.
    let kinds = Action::ALL
        .iter()
        .map(|a| a.as_str())
        .chain([ROSTER_KIND])
        .chain(COMMENT_KINDS);
    let (kind, by) = kinds.into_iter().find_map(|k| {
        rest.strip_prefix(k)
            .and_then(|r| r.strip_prefix('-'))
            .map(|by| (k, by))
    })?;
    let by = Id::parse("id", by).ok()?;
    Some(NameParts {
        time: time.to_owned(),
        kind,
        by,
        digest: digest.to_owned(),
    })
}

/// One sign-off, as its file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// What happened.
    pub action: Action,
    /// Who did it (a roster id).
    pub by: Id,
    /// When, RFC 3339 with offset: for people and regulators, never for ordering.
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub at: DateTime<FixedOffset>,
    /// The revision it concerns.
    pub revision: RevId,
    /// The entries that were the latest ones (the heads) in the signer's copy.
    #[serde(default)]
    pub after: Vec<EntryId>,
    /// The roster entries that were the heads in the signer's copy: the roster this
    /// sign-off is judged by (none: the roster's first entry, or an unaudited roster).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roster: Vec<EntryId>,
    /// The person's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who typed it in, when someone records for another person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Id>,
    /// How `at` was set when not by the system clock (`MEDREVIEW_NOW`), so a
    /// backdated entry is visible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// 1 for an entry `medreview migrate` carried over from format 1, whose
    /// signature covers the version 1 canonical text; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u8>,
    /// What the signer last looked at before deciding (a diff or a preview), where
    /// this clone knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewed: Option<Viewed>,
    /// What an approval or a re-review vouches for (`medical-accuracy`,
    /// `fact-check`, ... from `review.meanings`); absent on entries made before
    /// meanings, which mean `medical-accuracy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<String>,
    /// The signer's printed name as the roster of its time had it (approvals and
    /// re-reviews), so every human-readable form of the record names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The signer's credentials as the roster of its time had them (`M.D.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// What kind of change a submission is, for readers (`submit --change`): a
    /// correction or an update is listed on the page with its note, a minor change
    /// keeps the page's "Updated on" date. Submissions only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// When the article may be on the site (`schedule` entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// An SSH signature over the entry's canonical text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// What kind of change a submitted revision makes, as readers are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// It corrects an error readers may have relied on: listed on the page, with
    /// its note, and in the JSON-LD `correction`.
    Correction,
    /// It brings the page up to date (new guidance, new evidence): listed on the
    /// page with its note.
    Update,
    /// Wording, spelling, layout: the meaning is unchanged, so the page keeps its
    /// "Updated on" date and lists nothing.
    Minor,
}

impl Change {
    /// The word used in the record and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Correction => "correction",
            Change::Update => "update",
            Change::Minor => "minor",
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When an article may be on the site: from `not_before`, until `not_after`
/// (either may be open). An entry with neither clears an earlier schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The page goes up no earlier than this.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_time",
        deserialize_with = "de_opt_time"
    )]
    pub not_before: Option<DateTime<FixedOffset>>,
    /// The page leaves the site at this time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_time",
        deserialize_with = "de_opt_time"
    )]
    pub not_after: Option<DateTime<FixedOffset>>,
}

impl Schedule {
    /// Whether the page may be on the site at `now`.
    pub fn allows(&self, now: DateTime<FixedOffset>) -> bool {
        self.not_before.is_none_or(|t| now >= t) && self.not_after.is_none_or(|t| now < t)
    }

    /// The schedule as one JSON object, as the canonical text carries it.
    pub fn canonical_json(&self) -> String {
        let time = |t: Option<DateTime<FixedOffset>>| {
            t.map_or("null".to_owned(), |t| {
                serde_json::Value::String(clock::rfc3339(&t)).to_string()
            })
        };
        format!(
            "{{\"not_before\":{},\"not_after\":{}}}",
            time(self.not_before),
            time(self.not_after)
        )
    }
}

fn ser_opt_time<S: Serializer>(
    time: &Option<DateTime<FixedOffset>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match time {
        Some(t) => ser_time(t, s),
        None => s.serialize_none(),
    }
}

fn de_opt_time<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<DateTime<FixedOffset>>, D::Error> {
    de_time(d).map(Some)
}

/// What a reviewer looked at before a decision: a diff between two revisions, or a
/// preview of one. Kept with the entry, and covered by its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Viewed {
    /// `diff` or `preview`.
    pub how: ViewKind,
    /// The revision shown (the newer side of a diff).
    pub revision: RevId,
    /// The older side of a diff, when it was a revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<RevId>,
}

/// How a revision was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewKind {
    /// `medreview diff`.
    Diff,
    /// `medreview preview`.
    Preview,
}

impl ViewKind {
    /// The word used in the record.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewKind::Diff => "diff",
            ViewKind::Preview => "preview",
        }
    }
}

fn ser_time<S: Serializer>(
    time: &DateTime<FixedOffset>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&clock::rfc3339(time))
}

/// Reads an RFC 3339 time with offset, naming the text that is not one.
pub(crate) fn de_time<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<DateTime<FixedOffset>, D::Error> {
    let text = String::deserialize(d)?;
    DateTime::parse_from_rfc3339(&text).map_err(|err| {
        serde::de::Error::custom(format!(
            "{text:?} is not an RFC 3339 time with offset: {err}"
        ))
    })
}

impl Entry {
    /// Whether this entry was carried over from a format-1 ledger.
    pub(crate) fn is_migrated(&self) -> bool {
        self.format == Some(1)
    }

    /// What the entry vouches for: its `meaning`, or `medical-accuracy` for an
    /// entry made before meanings were recorded.
    pub fn meaning(&self) -> &str {
        self.meaning.as_deref().unwrap_or(MEDICAL_ACCURACY)
    }

    /// The file's bytes and the id they give.
    pub fn to_file(&self) -> (EntryId, Vec<u8>) {
        to_file(HEADER, self)
    }
}

/// The bytes of an entry's file (a header comment, then the YAML) and the id they
/// give: its UTC time, kind, person and the digest of the bytes.
pub fn to_file<T: Named + Serialize>(header: &str, entry: &T) -> (EntryId, Vec<u8>) {
    let mut text = header.to_owned();
    text.push_str(&yaml::to_string(entry));
    let bytes = text.into_bytes();
    let digest = GitStore::blob_id(&bytes);
    let name = format!(
        "{}-{}-{}-{}",
        utc_stamp(entry.at()),
        entry.kind(),
        entry.by(),
        &digest.as_str()[..DIGEST_LEN]
    );
    (EntryId(name), bytes)
}

/// `YYYYMMDDTHHMMSSZ` in UTC: the time part of an entry's name.
pub fn utc_stamp(time: &DateTime<FixedOffset>) -> String {
    time.with_timezone(&Utc)
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// What an entry file says about itself, to compare with its name.
pub trait Named: serde::de::DeserializeOwned + crate::ledger::graph::Node {
    /// The kind word its name must carry (`approved`, `roster`).
    fn kind(&self) -> &'static str;
    /// Who recorded it.
    fn by(&self) -> &Id;
    /// When.
    fn at(&self) -> &DateTime<FixedOffset>;
    /// Why the content is not something medreview writes, if it is not.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

impl Named for Entry {
    fn kind(&self) -> &'static str {
        self.action.as_str()
    }
    fn by(&self) -> &Id {
        &self.by
    }
    fn at(&self) -> &DateTime<FixedOffset> {
        &self.at
    }
    fn check(&self) -> Result<(), String> {
        if let Some(format) = self.format
            && format != 1
        {
            return Err(format!(
                "format: {format} is not known (only migrated entries carry `format: 1`)"
            ));
        }
        let says_meaning =
            self.meaning.is_some() || self.name.is_some() || self.credentials.is_some();
        if says_meaning && (!self.action.vouches() || self.is_migrated()) {
            return Err(format!(
                "a {} entry carries meaning:, name: or credentials:, which medreview writes only on approvals and re-reviews",
                self.action
            ));
        }
        if self.change.is_some() && (self.action != Action::Submitted || self.is_migrated()) {
            return Err(format!(
                "a {} entry carries change:, which medreview writes only on submissions",
                self.action
            ));
        }
        match (self.action, &self.schedule) {
            (Action::Scheduled, None) => {
                return Err("a scheduled entry has no schedule:".to_owned());
            }
            (Action::Scheduled, Some(schedule)) => {
                if let (Some(from), Some(until)) = (schedule.not_before, schedule.not_after)
                    && until <= from
                {
                    return Err(
                        "its schedule ends (not_after) before it begins (not_before)".to_owned(),
                    );
                }
            }
            (_, Some(_)) => {
                return Err(format!(
                    "a {} entry carries schedule:, which medreview writes only on scheduled entries",
                    self.action
                ));
            }
            (_, None) => {}
        }
        Ok(())
    }
}

/// Why an entry file cannot be read: the 1-based line where known, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The line, where the problem is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl From<String> for ReadError {
    fn from(message: String) -> ReadError {
        ReadError {
            line: None,
            message,
        }
    }
}

impl From<&str> for ReadError {
    fn from(message: &str) -> ReadError {
        message.to_owned().into()
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Reads a sign-off file: `name` is the file name, `shown` names it in messages.
/// See [`read_named`].
pub fn read(name: &str, bytes: &[u8], shown: &Path) -> Result<(EntryId, Entry), ReadError> {
    read_named(name, bytes, shown)
}

/// Reads an immutable entry file (a sign-off or a roster entry). The name must be a
/// valid id, agree with the content (time, kind, person) and end in the digest of
/// the bytes: anything else is an edited, renamed or hand-made file.
pub fn read_named<T: Named>(
    name: &str,
    bytes: &[u8],
    shown: &Path,
) -> Result<(EntryId, T), ReadError> {
    let Some(stem) = name.strip_suffix(".yaml") else {
        return Err(
            "is not an entry file (entry files end in .yaml and are written only by medreview)"
                .into(),
        );
    };
    let Some(id) = EntryId::parse(stem) else {
        return Err(
            "has a name medreview never writes (<UTC time>-<action, roster or comment>-<person>-<12 hex digits>.yaml)"
                .into(),
        );
    };
    let parts = id.parts();
    let digest = GitStore::blob_id(bytes);
    if !digest.as_str().starts_with(&parts.digest) {
        return Err(ReadError::from(format!(
            "does not match the digest in its name (its blob id is {}): it was edited after it was recorded",
            digest.short()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ReadError {
        line: Some(
            bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1,
        ),
        message: format!("is not valid UTF-8 (byte {})", e.valid_up_to()),
    })?;
    if let Some(line) = text
        .lines()
        .position(|l| l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>"))
    {
        return Err(ReadError {
            line: Some(line + 1),
            message: "the file holds merge conflict markers; git never has to merge an entry file (each name is written once, for its own bytes), so they were added by hand".into(),
        });
    }
    let entry: T = yaml::parse(text, shown, 1).map_err(|e| ReadError {
        line: e.line,
        message: e.message,
    })?;
    if entry.kind() != parts.kind || entry.by() != &parts.by || utc_stamp(entry.at()) != parts.time
    {
        return Err(ReadError::from(format!(
            "is named {} by {} at {} but says {} by {} at {}",
            parts.kind,
            parts.by,
            parts.time,
            entry.kind(),
            entry.by(),
            utc_stamp(entry.at())
        )));
    }
    entry.check().map_err(ReadError::from)?;
    // Names and signatures cover whole seconds; a fraction would be unsigned.
    if entry.at().timestamp_subsec_nanos() != 0 {
        return Err("has a fraction of a second in at:, which medreview never writes".into());
    }
    let after = entry.after();
    for (i, parent) in after.iter().enumerate() {
        if parent == &id || after[..i].contains(parent) {
            return Err(ReadError::from(format!(
                "names {parent} twice in after:, or itself"
            )));
        }
    }
    Ok((id, entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            action: Action::ChangesRequested,
            by: Id::parse("id", "ana-example").expect("valid"),
            at: DateTime::parse_from_rfc3339("2025-03-03T10:12:00-05:00").expect("valid"),
            revision: RevId::parse(&"a".repeat(40)).expect("valid"),
            after: Vec::new(),
            roster: Vec::new(),
            note: Some("Line one: with a colon\nand a second line".into()),
            recorded_by: None,
            clock: None,
            format: None,
            viewed: None,
            meaning: None,
            name: None,
            credentials: None,
            change: None,
            schedule: None,
            signature: None,
        }
    }

    #[test]
    fn a_file_round_trips_and_its_name_says_what_it_holds() {
        let (id, bytes) = entry().to_file();
        assert!(
            id.as_str()
                .starts_with("20250303T151200Z-changes-requested-ana-example-"),
            "{id}"
        );
        let parts = id.parts();
        assert_eq!(parts.kind, "changes-requested");
        assert_eq!(parts.by.as_str(), "ana-example");
        let (read_id, read_entry) =
            read(&id.file_name(), &bytes, Path::new("x.yaml")).expect("reads");
        assert_eq!(read_id, id);
        assert_eq!(read_entry, entry());
    }

    #[test]
    fn an_edited_or_renamed_file_is_refused() {
        let (id, bytes) = entry().to_file();
        let edited = String::from_utf8(bytes.clone())
            .expect("utf8")
            .replace("-05:00", "-04:00");
        let err = read(&id.file_name(), edited.as_bytes(), Path::new("x.yaml")).expect_err("edit");
        assert!(
            err.to_string().contains("edited after it was recorded"),
            "{err}"
        );
        let mut other = entry();
        other.by = Id::parse("id", "bob").expect("valid");
        let (other_id, _) = other.to_file();
        let err = read(&other_id.file_name(), &bytes, Path::new("x.yaml")).expect_err("rename");
        assert!(
            err.to_string().contains("does not match the digest"),
            "{err}"
        );
        assert!(read("notes.txt", &bytes, Path::new("x")).is_err());
    }

    #[test]
    fn names_parse_strictly() {
        assert!(EntryId::parse("20250303T151200Z-approved-ana-3f9c2a1b4d5e").is_some());
        for bad in [
            "20250303T151200Z-approved-ana-3f9c2a1b4d5",
            "20250303T151200Z-rubber-stamped-ana-3f9c2a1b4d5e",
            "20250303X151200Z-approved-ana-3f9c2a1b4d5e",
            "20250303T151200Z-approved-Ana-3f9c2a1b4d5e",
            "20250303T151200Z-approved--3f9c2a1b4d5e",
            "../../etc/passwd",
        ] {
            assert!(EntryId::parse(bad).is_none(), "{bad}");
        }
    }
}
