//! The people: writers and medical reviewers, one YAML file each, and the
//! record of every change to them ([`log`]).

pub mod audit;
pub mod change;
pub mod damage;
pub mod edit;
pub mod hints;
pub mod identity;
pub mod log;
pub(crate) mod lookalike;
pub mod people;
pub mod profile;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::source::{Source, WorkTree};
use crate::workspace::Workspace;
use crate::yaml;
use medreview_store::gitstore::{EntryKind, Identity};

/// A writer, from `writers/<id>.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Writer {
    /// Full name as printed in the byline.
    pub name: String,
    /// Email address; lets `--as` default from git's `user.email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A short bio for the foot of each page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// An OpenSSH public key that verifies this person's signed sign-offs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

/// A medical license.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct License {
    /// License number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Issuing region (state, province, country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The last day the license is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// A medical reviewer, from `reviewers/<id>.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewer {
    /// Full name as printed in the byline.
    pub name: String,
    /// Credentials printed after the name (`M.D.`).
    pub credentials: String,
    /// Medical specialties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specialties: Vec<String>,
    /// The license; an approval given after it expired does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    /// Email address; lets `--as` default from git's `user.email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A short bio for the foot of each page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// An OpenSSH public key that verifies this person's signed sign-offs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The day the reviewer retired: no decision of theirs from that day on counts;
    /// their earlier ones keep their meaning (a reviewer is retired, never deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<NaiveDate>,
    /// Who checked the license, when and where (set by an admin; see [`profile`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<profile::Verification>,
    /// Conflicts of interest, one line each: `None` when none were stated, an
    /// empty list when the reviewer declared none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosures: Option<Vec<String>>,
    /// Profile pages elsewhere (the licensing board, ORCID, the NPI registry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
}

impl Reviewer {
    /// A reviewer with only a name and credentials on file.
    pub fn named(name: impl Into<String>, credentials: impl Into<String>) -> Reviewer {
        Reviewer {
            name: name.into(),
            credentials: credentials.into(),
            specialties: Vec::new(),
            license: None,
            email: None,
            bio: None,
            public_key: None,
            retired: None,
            verified: None,
            disclosures: None,
            same_as: Vec::new(),
        }
    }

    /// Whether the license was valid on `day` (a reviewer with no expiry date on file is taken as valid).
    pub fn licensed_on(&self, day: NaiveDate) -> bool {
        match self.license.as_ref().and_then(|l| l.expires) {
            Some(expires) => day <= expires,
            None => true,
        }
    }
}

/// The two roster folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `writers/`
    Writer,
    /// `reviewers/`
    Reviewer,
}

impl Role {
    /// The folder that holds this role's files.
    pub fn folder(self) -> &'static str {
        match self {
            Role::Writer => "writers",
            Role::Reviewer => "reviewers",
        }
    }

    /// The role's name in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Role::Writer => "writer",
            Role::Reviewer => "reviewer",
        }
    }

    /// The workspace-relative file of person `id` in this role.
    pub(crate) fn file_rel(self, id: &Id) -> String {
        format!("{}/{id}.yaml", self.folder())
    }
}

/// Everyone in `writers/` and `reviewers/`.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// Writers by id.
    pub writers: BTreeMap<Id, Writer>,
    /// Reviewers by id.
    pub reviewers: BTreeMap<Id, Reviewer>,
    /// Keys the roster's record took out of use, on any branch it holds: nothing a
    /// key signs dated from its revocation on counts (empty before the roster is
    /// audited).
    pub revocations: std::sync::Arc<Vec<log::Revocation>>,
    /// For each person whose current key came from a reset by admins (not signed by
    /// their own earlier key): when, and by whom. Shown beside every signature the
    /// new key makes.
    pub key_resets: BTreeMap<Id, log::KeyReset>,
}

impl Roster {
    /// Reads every roster file of the workspace's working tree.
    pub fn load(ws: &Workspace) -> Result<Roster> {
        Roster::load_from(&WorkTree(ws.root()))
    }

    /// Reads every roster file from `src`, refusing at the first bad one.
    pub(crate) fn load_from(src: &dyn Source) -> Result<Roster> {
        let (roster, mut problems) = Roster::load_lenient(src)?;
        match problems.is_empty() {
            true => Ok(roster),
            false => Err(problems.remove(0)),
        }
    }

    /// Reads every roster file from `src`, returning the readable ones and the errors of the rest.
    pub fn load_lenient(src: &dyn Source) -> Result<(Roster, Vec<Error>)> {
        let mut problems = Vec::new();
        let roster = Roster {
            writers: load_folder(src, Role::Writer, &mut problems)?,
            reviewers: load_folder(src, Role::Reviewer, &mut problems)?,
            ..Roster::default()
        };
        Ok((roster, problems))
    }

    /// The display name of `id` in either role.
    pub fn name_of(&self, id: &Id) -> Option<&str> {
        self.writers
            .get(id)
            .map(|w| w.name.as_str())
            .or_else(|| self.reviewers.get(id).map(|r| r.name.as_str()))
    }

    /// Whether `id` is in either folder.
    pub fn contains(&self, id: &Id) -> bool {
        self.writers.contains_key(id) || self.reviewers.contains_key(id)
    }

    /// The email on file for `id`, in either role.
    pub fn email_of(&self, id: &Id) -> Option<&str> {
        self.writers
            .get(id)
            .and_then(|w| w.email.as_deref())
            .or_else(|| self.reviewers.get(id).and_then(|r| r.email.as_deref()))
    }

    /// The OpenSSH public key on file for `id`, in either role.
    pub fn public_key_of(&self, id: &Id) -> Option<&str> {
        self.reviewers
            .get(id)
            .and_then(|r| r.public_key.as_deref())
            .or_else(|| self.writers.get(id).and_then(|w| w.public_key.as_deref()))
    }

    /// The roster file that holds `id`'s public key (`reviewers/ID.yaml` first, as
    /// [`Roster::public_key_of`] reads them), for messages.
    pub fn file_of(&self, id: &Id) -> Option<String> {
        let reviewer = self.reviewers.get(id);
        let writer = self.writers.get(id);
        let role = match (reviewer, writer) {
            (Some(r), Some(w)) if r.public_key.is_none() && w.public_key.is_some() => Role::Writer,
            (Some(_), _) => Role::Reviewer,
            (None, Some(_)) => Role::Writer,
            (None, None) => return None,
        };
        Some(role.file_rel(id))
    }

    /// The roster member in `role` whose email is `email` (case-insensitive).
    pub(crate) fn find_by_email(&self, role: Role, email: &str) -> Option<Id> {
        let matches = |e: Option<&String>| e.is_some_and(|e| e.eq_ignore_ascii_case(email.trim()));
        let found = match role {
            Role::Writer => self
                .writers
                .iter()
                .find(|(_, w)| matches(w.email.as_ref()))
                .map(|(id, _)| id),
            Role::Reviewer => self
                .reviewers
                .iter()
                .find(|(_, r)| matches(r.email.as_ref()))
                .map(|(id, _)| id),
        };
        found.cloned()
    }

    /// The git identity of a roster member: their name and the email on file (the
    /// committer, from git config, shows who ran the command).
    pub fn identity(&self, id: &Id) -> Identity {
        Identity {
            name: self.name_of(id).unwrap_or(id.as_str()).to_owned(),
            email: self
                .email_of(id)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{id}@users.medreview.invalid")),
        }
    }

    /// What identifies the person `id` beyond the id: their public key, their name
    /// as a reader sees it and, for a reviewer, the name and credentials a byline
    /// shows, each compared by skeleton ([`lookalike::reader_marks`]). Two ids
    /// sharing any mark are one person: they count once toward
    /// `required_approvals`, `check` reports them, and the roster commands refuse
    /// to make them. Ids themselves are `[a-z0-9-]`, so two ids never look alike.
    pub(crate) fn identity_marks(&self, id: &Id) -> std::collections::BTreeSet<String> {
        let mut marks = std::collections::BTreeSet::from([format!("id:{id}")]);
        if let Some(key) = self
            .public_key_of(id)
            .and_then(crate::signing::key_fingerprint)
        {
            marks.insert(format!("key:{key}"));
        }
        for name in self.names_of(id) {
            marks.extend(
                lookalike::reader_marks(name)
                    .into_iter()
                    .map(|m| format!("name:{m}")),
            );
        }
        if let Some(r) = self.reviewers.get(id) {
            let byline = format!("{} {}", r.name, r.credentials);
            marks.extend(
                lookalike::reader_marks(&byline)
                    .into_iter()
                    .map(|m| format!("byline:{m}")),
            );
        }
        marks
    }

    /// The names `id` goes by, in either role (one person may be a writer and a
    /// reviewer under one id, with a name in each file).
    fn names_of(&self, id: &Id) -> Vec<&str> {
        let writer = self.writers.get(id).map(|w| w.name.as_str());
        let reviewer = self.reviewers.get(id).map(|r| r.name.as_str());
        writer.into_iter().chain(reviewer).collect()
    }

    /// The byline `id` is shown with: the name, and a reviewer's credentials.
    pub(crate) fn shown_as(&self, id: &Id) -> String {
        match (self.reviewers.get(id), self.writers.get(id)) {
            (Some(r), _) => format!("{}, {}", r.name, r.credentials),
            (None, Some(w)) => w.name.clone(),
            (None, None) => id.to_string(),
        }
    }

    /// How `a` and `b` could be taken for one person, if they could.
    pub(crate) fn likeness(&self, a: &Id, b: &Id) -> Option<Likeness> {
        if a == b {
            return None;
        }
        let (ma, mb) = (self.identity_marks(a), self.identity_marks(b));
        let shared: Vec<&String> = ma.intersection(&mb).collect();
        if shared.is_empty() {
            return None;
        }
        if shared.iter().any(|m| m.starts_with("key:")) {
            return Some(Likeness::Key);
        }
        let plain_bylines = |id: &Id| {
            self.reviewers
                .get(id)
                .map(|r| lookalike::plain(&format!("{} {}", r.name, r.credentials)))
        };
        if plain_bylines(a).is_some() && plain_bylines(a) == plain_bylines(b) {
            return Some(Likeness::SameByline);
        }
        let plain_names = |id: &Id| -> Vec<String> {
            self.names_of(id)
                .into_iter()
                .map(lookalike::plain)
                .collect()
        };
        let (na, nb) = (plain_names(a), plain_names(b));
        if na.iter().any(|n| nb.contains(n)) {
            return Some(Likeness::SameName);
        }
        Some(Likeness::LookAlike)
    }

    /// Pairs of roster members a reader or the record could take for one person
    /// (see [`Roster::identity_marks`]): `(first, second, how)`.
    pub(crate) fn shared_identities(&self) -> Vec<(Id, Id, Likeness)> {
        let ids: Vec<&Id> = self.writers.keys().chain(self.reviewers.keys()).collect();
        let mut pairs: Vec<(Id, Id, Likeness)> = Vec::new();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                let seen = pairs
                    .iter()
                    .any(|(x, y, _)| (x == *a && y == *b) || (x == *b && y == *a));
                if seen {
                    continue;
                }
                if let Some(how) = self.likeness(a, b) {
                    pairs.push(((*a).clone(), (*b).clone(), how));
                }
            }
        }
        pairs
    }

    /// Refuses `id` unless it is a reviewer, with a message that says what to do.
    pub(crate) fn require_reviewer(&self, id: &Id) -> Result<&Reviewer> {
        self.reviewers.get(id).ok_or_else(|| {
            let (code, also) = if self.writers.contains_key(id) {
                (
                    Code::WriterCannotSignOff,
                    format!("{id} is a writer, and only medical reviewers may sign off"),
                )
            } else {
                (Code::UnknownReviewer, format!("{id} is not in reviewers/"))
            };
            Error::with_hint(
                code,
                also,
                self.hint_for(
                    Some(Role::Reviewer),
                    id.as_str(),
                    format!(
                        "add them with `medreview reviewer add {id} --name NAME --credentials CRED`"
                    ),
                ),
            )
        })
    }
}

/// How two roster members could be taken for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Likeness {
    /// They have one public key.
    Key,
    /// Their name and credentials are one text, case, spacing and punctuation aside.
    SameByline,
    /// Their names are one text, case, spacing and punctuation aside.
    SameName,
    /// Their names or bylines differ only in letters that look alike (Cyrillic а
    /// for Latin a, fullwidth letters, invisible characters).
    LookAlike,
}

impl Likeness {
    /// What the two share, for messages: "a public key".
    pub(crate) fn what(self) -> &'static str {
        match self {
            Likeness::Key => "a public key",
            Likeness::SameByline => "a displayed name and credentials",
            Likeness::SameName => "a displayed name",
            Likeness::LookAlike => "a name that looks the same (different letters that look alike)",
        }
    }
}

/// What every roster file holds: the name and email that go into git's commits.
pub trait Person: serde::de::DeserializeOwned {
    /// The display name.
    fn name(&self) -> &str;
    /// The email, if any.
    fn email(&self) -> Option<&str>;
    /// The first other field a page could not show, as `(field, why)`.
    fn field_problem(&self) -> Option<(String, String)> {
        None
    }
}

impl Person for Writer {
    fn name(&self) -> &str {
        &self.name
    }
    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
}

impl Person for Reviewer {
    fn name(&self) -> &str {
        &self.name
    }
    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
    fn field_problem(&self) -> Option<(String, String)> {
        profile::problem(self)
    }
}

/// Why a name cannot stand in a git identity (`Name <email>`), if it cannot.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| *c == '<' || *c == '>') {
        return Some(format!(
            "it contains {c:?}; git writes a person as `Name <email>`, so a name cannot hold angle brackets"
        ));
    }
    if let Some(c) = name.chars().find(|c| is_invisible_control(*c)) {
        return Some(format!(
            "it contains the control character {c:?} (a newline, tab, line separator or a mark that reorders text); a name is one line of plain text"
        ));
    }
    None
}

/// Control characters, line and paragraph separators, and the marks that reorder
/// text when shown (bidirectional controls): none belongs in a name on a page.
pub(crate) fn is_invisible_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Why an email cannot stand in a git identity, if it cannot.
pub(crate) fn email_problem(email: &str) -> Option<String> {
    if let Some(c) = email
        .chars()
        .find(|c| *c == '<' || *c == '>' || c.is_whitespace() || is_invisible_control(*c))
    {
        return Some(format!(
            "it contains {c:?}; an email is one word such as ana@example.org, without angle brackets or spaces"
        ));
    }
    None
}

/// Parses one roster file, refusing a name or email that git could not record.
pub(crate) fn parse_person<T: Person>(text: &str, shown: &std::path::Path) -> Result<T> {
    let person: T = yaml::parse(text, shown, 1)?;
    let bad = name_problem(person.name())
        .map(|why| ("name".to_owned(), why))
        .or_else(|| {
            person
                .email()
                .and_then(email_problem)
                .map(|why| ("email".to_owned(), why))
        })
        .or_else(|| person.field_problem());
    if let Some((field, why)) = bad {
        return Err(Error::with_hint(
            Code::InvalidPersonField,
            format!("{}: the {field} cannot be used: {why}", shown.display()),
            format!(
                "correct the {field} with `medreview writer edit` or `medreview reviewer edit`"
            ),
        ));
    }
    Ok(person)
}

/// Reads every `<folder>/<id>.yaml`; a file that cannot be read is left out and its
/// error added to `problems`.
fn load_folder<T: Person>(
    src: &dyn Source,
    role: Role,
    problems: &mut Vec<Error>,
) -> Result<BTreeMap<Id, T>> {
    let mut people = BTreeMap::new();
    let mut names = src.list(role.folder())?;
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, kind) in names {
        let Some(stem) = name.strip_suffix(".yaml") else {
            continue;
        };
        let rel = format!("{}/{name}", role.folder());
        let person = (|| {
            if kind != EntryKind::File {
                return Err(Error::with_hint(
                    Code::WrongFileType,
                    format!("{} is not a regular file", src.shown(&rel).display()),
                    "roster files must be plain YAML files, not links or folders",
                ));
            }
            let id = Id::parse(
                &format!("{} id (file {})", role.noun(), src.shown(&rel).display()),
                stem,
            )?;
            let text = src.read_text(&rel)?.unwrap_or_default();
            Ok((id, parse_person(&text, &src.shown(&rel))?))
        })();
        match person {
            Ok((id, person)) => {
                people.insert(id, person);
            }
            Err(err) => problems.push(err),
        }
    }
    Ok(people)
}

// Checking an article's people against the roster is the roster's rule, so the
// article (text and front matter) does not depend on it.
impl crate::article::Article {
    /// Refuses an article whose writer or requested reviewer is not on the roster.
    pub fn check_people(&self, roster: &Roster, file: &std::path::Path) -> Result<()> {
        let writer = &self.front.writer;
        if !roster.contains(writer) {
            return Err(Error::with_hint(
                Code::UnknownWriter,
                format!("{}: writer {writer} is not in writers/", file.display()),
                roster.hint_for(
                    Some(Role::Writer),
                    writer.as_str(),
                    format!(
                        "fix the `writer:` field, or add them with `medreview writer add {writer} --name NAME`"
                    ),
                ),
            ));
        }
        if let Some(reviewer) = &self.front.reviewer {
            if !roster.reviewers.contains_key(reviewer) {
                return Err(Error::with_hint(
                    Code::UnknownReviewer,
                    format!(
                        "{}: reviewer {reviewer} is not in reviewers/",
                        file.display()
                    ),
                    roster.hint_for(
                        Some(Role::Reviewer),
                        reviewer.as_str(),
                        format!(
                            "fix the `reviewer:` field, or add them with `medreview reviewer add {reviewer} --name NAME --credentials CRED`"
                        ),
                    ),
                ));
            }
        }
        Ok(())
    }
}
