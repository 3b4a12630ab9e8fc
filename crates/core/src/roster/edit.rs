//! The rules of a roster change, whoever asks for it (the command line today, the
//! review desk next): what `writer|reviewer add|edit`, `reviewer retire` and
//! `admin add` may write, and who may record it. Each rule builds a [`Proposal`];
//! [`record`] judges the person acting and makes the one commit through
//! [`crate::roster::change`].

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::roster::change::{self, Change};
use crate::roster::identity;
use crate::roster::log::person_id;
use crate::roster::{Likeness, Reviewer, Role, Roster, lookalike};
use crate::signing::SigningKey;
use crate::source::WorkTree;
use crate::workspace::{CONFIG_FILE, Workspace};
use crate::yaml;

/// A roster change, checked and ready to record.
pub struct Proposal {
    /// Each changed file (workspace-relative) and its new bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// The commit subject and the entry's note (`add reviewer ana-example`).
    pub what: String,
    /// Trailer lines for the commit message.
    pub trailers: String,
    /// What to tell the person once it is recorded (`Added reviewer ana-example in ...`).
    pub done: String,
    /// The admin this change makes, when it may start the roster's record.
    pub bootstrap: Option<Id>,
    /// Whether it is a key reset by admins (`reset-key`): recorded even while it
    /// waits for more admins to make the same reset.
    pub reset: bool,
    /// Entry files the change voids, with their exact bytes (`repair`).
    pub voids: std::collections::BTreeMap<String, medreview_store::revision::RevId>,
}

/// What [`record`] did.
pub struct Recorded {
    /// The commit.
    pub commit: String,
    /// Whether it was recorded in the roster's record (false: no admin yet).
    pub audited: bool,
    /// The proposal's message for the person.
    pub done: String,
}

/// `admin add ID`: makes a roster member an admin (the first one starts the record).
pub fn admin_add(ws: &Workspace, id: &Id) -> Result<Proposal> {
    role_change(ws, ListRole::Admin, id, true)
}

/// `reviewer retire ID` on `today`: no new decision of theirs counts.
pub fn retire(ws: &Workspace, id: &Id, today: NaiveDate) -> Result<Proposal> {
    let mut reviewer = existing::<Reviewer>(ws, Role::Reviewer, id, false)?
        .ok_or_else(|| Error::new(Code::UnknownReviewer, format!("there is no reviewer {id}")))?;
    if let Some(day) = reviewer.retired {
        return Err(Error::with_hint(
            Code::NothingToDo,
            format!("{id} retired on {day} already"),
            "nothing to do",
        ));
    }
    reviewer.retired = Some(today);
    let text = yaml::to_string(&reviewer);
    Ok(Proposal {
        files: vec![(Role::Reviewer.file_rel(id), text.into_bytes())],
        what: format!("retire reviewer {id}"),
        trailers: format!("Medreview-Action: retire-reviewer\nMedreview-Person: {id}\n"),
        done: format!("Retired reviewer {id}"),
        bootstrap: None,
        reset: false,
        voids: Default::default(),
    })
}

/// `writer|reviewer reset-key ID --public-key KEY`: an admin's part of a visible
/// recovery of a lost key. The person's file with the new key; it applies once
/// `review.key_reset_admins` admins made the same reset (see
/// [`crate::roster::log`]), and every signature with the new key says who reset it.
pub fn reset_key(ws: &Workspace, role: Role, id: &Id, public_key: &str) -> Result<Proposal> {
    let key = public_key.trim().to_owned();
    check_key(Some(&key))?;
    let unknown = || {
        Error::with_hint(
            Code::UnknownPerson,
            format!("there is no {} {id}", role.noun()),
            format!("`medreview {} list` shows the ids", role.noun()),
        )
    };
    let mut proposal = match role {
        Role::Reviewer => {
            let mut person: Reviewer = recorded_person(ws, role, id)?.ok_or_else(unknown)?;
            refuse_same_key(person.public_key.as_deref(), &key, id)?;
            person.public_key = Some(key);
            self::person(ws, role, id, &person, false)?
        }
        Role::Writer => {
            let mut person: crate::roster::Writer =
                recorded_person(ws, role, id)?.ok_or_else(unknown)?;
            refuse_same_key(person.public_key.as_deref(), &key, id)?;
            person.public_key = Some(key);
            self::person(ws, role, id, &person, false)?
        }
    };
    proposal.what = format!("reset the key of {} {id}", role.noun());
    proposal.trailers = format!("Medreview-Action: reset-key\nMedreview-Person: {id}\n");
    proposal.done = format!("Reset the key of {} {id}", role.noun());
    proposal.reset = true;
    Ok(proposal)
}

/// The person's file as the roster's record holds it (a reset waiting for more
/// admins leaves the new key in the tree, not in the record), `None` if missing.
fn recorded_person<T: DeserializeOwned>(ws: &Workspace, role: Role, id: &Id) -> Result<Option<T>> {
    let rel = role.file_rel(id);
    if !ws.path(&rel).exists() {
        return Ok(None);
    }
    let bytes = base(ws, &rel)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(Some(yaml::parse(&text, &ws.path(&rel), 1)?))
}

/// Refuses a reset to the key already on file.
fn refuse_same_key(old: Option<&str>, new: &str, id: &Id) -> Result<()> {
    let same = old
        .and_then(crate::signing::key_fingerprint)
        .is_some_and(|old| Some(old) == crate::signing::key_fingerprint(new));
    if same {
        return Err(Error::with_hint(
            Code::NothingToDo,
            format!("{id} has that key on file already"),
            "nothing to do",
        ));
    }
    Ok(())
}

/// `writer|reviewer add|edit`: the person's new file, refusing one that would make
/// them look like someone else on the roster ([`refuse_look_alike`]).
pub fn person<T: Serialize>(
    ws: &Workspace,
    role: Role,
    id: &Id,
    person: &T,
    adding: bool,
) -> Result<Proposal> {
    let verb = if adding { "add" } else { "edit" };
    let text = yaml::to_string(person);
    // Leniently: the file being edited may be the unreadable one this edit repairs.
    let mut roster: Roster = crate::roster::people::load_lenient(&WorkTree(ws.root()), &ws.git)?
        .current()
        .roster
        .clone();
    let shown = ws.path(&role.file_rel(id));
    match role {
        Role::Writer => {
            roster
                .writers
                .insert(id.clone(), yaml::parse(&text, &shown, 1)?);
        }
        Role::Reviewer => {
            roster
                .reviewers
                .insert(id.clone(), yaml::parse(&text, &shown, 1)?);
        }
    }
    refuse_look_alike(&roster, id)?;
    let done = if adding {
        format!("Added {} {id} in {}", role.noun(), role.file_rel(id))
    } else {
        format!("Changed {} {id} in {}", role.noun(), role.file_rel(id))
    };
    Ok(Proposal {
        files: vec![(role.file_rel(id), text.into_bytes())],
        what: format!("{verb} {} {id}", role.noun()),
        trailers: format!(
            "Medreview-Action: {verb}-{}\nMedreview-Person: {id}\n",
            role.noun()
        ),
        done,
        bootstrap: None,
        reset: false,
        voids: Default::default(),
    })
}

/// Refuses a roster in which `id` could be taken for someone else: a key, name or
/// byline that matches another person's as a reader sees it ([`Roster::likeness`],
/// the rule `check`, `status`, `publish` and the server gate apply too), or a word
/// of their name or credentials that mixes scripts (a Cyrillic а inside a Latin
/// name), the makings of a look-alike.
pub(crate) fn refuse_look_alike(roster: &Roster, id: &Id) -> Result<()> {
    let others = roster.writers.keys().chain(roster.reviewers.keys());
    for other in others.filter(|other| *other != id) {
        let Some(how) = roster.likeness(id, other) else {
            continue;
        };
        let mut hint = "give each person their own key and a byline that tells them apart, or edit the existing entry";
        let message = if how == Likeness::LookAlike {
            hint = "type the name with a plain keyboard layout and give it something that tells the two apart (a middle initial, the full name), or edit the existing entry";
            let (mine, theirs) = (roster.shown_as(id), roster.shown_as(other));
            let letters = lookalike::stand_ins(&mine);
            let which = match letters.is_empty() {
                true => String::new(),
                false => format!(" ({} stand in for other letters)", letters.join(", ")),
            };
            format!(
                "{id} ({mine:?}) would be mistaken for {other} ({theirs:?}): the letters look alike{which}, so a byline could name one for the other"
            )
        } else {
            format!(
                "{id} and {other} would share {}: the roster would show one person twice",
                how.what()
            )
        };
        return Err(Error::with_hint(Code::SharedIdentity, message, hint));
    }
    let reviewer = roster.reviewers.get(id);
    let texts = roster
        .writers
        .get(id)
        .map(|w| ("name", w.name.as_str()))
        .into_iter()
        .chain(reviewer.map(|r| ("name", r.name.as_str())))
        .chain(reviewer.map(|r| ("credentials", r.credentials.as_str())));
    for (field, text) in texts {
        if let Some(word) = lookalike::mixed_script_word(text) {
            return Err(Error::with_hint(
                Code::SharedIdentity,
                format!(
                    "the {field} of {id} ({text:?}) cannot be used: the word {word:?} mixes letters of different scripts (such as Cyrillic or Greek letters among Latin ones), which is how a name is made to look like someone else's"
                ),
                format!(
                    "type the {field} again with one keyboard layout, so each word is in one script"
                ),
            ));
        }
    }
    Ok(())
}

/// The person's file as it is (for `edit`), refusing a missing one, or `None` for
/// `add`, refusing one that exists.
pub fn existing<T: DeserializeOwned>(
    ws: &Workspace,
    role: Role,
    id: &Id,
    adding: bool,
) -> Result<Option<T>> {
    let rel = role.file_rel(id);
    let path = ws.path(&rel);
    match (path.exists(), adding) {
        (true, true) => Err(Error::with_hint(
            Code::AlreadyExists,
            format!("{} already exists", path.display()),
            format!(
                "edit {} with `medreview {} edit {id} ...` to change their details",
                role.file_rel(id),
                role.noun()
            ),
        )),
        (false, false) => Err(Error::with_hint(
            match role {
                Role::Writer => Code::UnknownWriter,
                Role::Reviewer => Code::UnknownReviewer,
            },
            format!(
                "there is no {} {id} ({} is missing)",
                role.noun(),
                path.display()
            ),
            {
                // Leniently: the folder may hold the broken file an edit is about to repair.
                let (known, _) = Roster::load_lenient(&WorkTree(ws.root()))?;
                known.hint_for(
                    Some(role),
                    id.as_str(),
                    format!("add them with `medreview {} add {id} ...`", role.noun()),
                )
            },
        )),
        (false, true) => Ok(None),
        (true, false) => {
            let text = crate::workspace::read_text(&path)?;
            Ok(Some(yaml::parse(&text, &path, 1)?))
        }
    }
}

/// Refuses an empty name or credentials, or one that cannot be printed in a byline.
pub fn required_text(flag: &str, value: String) -> Result<String> {
    if value.trim().is_empty() {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!("{flag} is empty"),
            format!("give {flag} a value, as it should appear on published pages"),
        ));
    }
    if let Some(why) = crate::roster::name_problem(&value) {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!("{flag} {value:?} cannot be used: {why}"),
            format!("give {flag} as one line of plain text, e.g. \"Dr. Ana Example\""),
        ));
    }
    Ok(value)
}

/// Refuses a reviewer's profile fields a page could not show
/// ([`crate::roster::profile::problem`]), naming the flag that set them.
pub fn check_profile(reviewer: &Reviewer) -> Result<()> {
    let Some((field, why)) = crate::roster::profile::problem(reviewer) else {
        return Ok(());
    };
    let (flag, example) = match field.split('[').next().unwrap_or_default() {
        "verified.source" => (
            "--verified-source",
            "--verified-source https://www.op.nysed.gov/verification-search",
        ),
        "disclosures" => (
            "--disclosure",
            "--disclosure \"Consults for Acme Pharma (2024-2026)\", or --no-disclosures",
        ),
        _ => (
            "--same-as",
            "--same-as https://orcid.org/0000-0002-1825-0097",
        ),
    };
    Err(Error::with_hint(
        Code::InvalidArgument,
        format!("{flag} cannot be used ({field}): {why}"),
        format!(
            "give each {flag} as one line of plain text of at most {} characters, addresses as http:// or https://, e.g. {example}",
            crate::roster::profile::MAX_TEXT
        ),
    ))
}

/// Refuses an email git could not record.
pub fn checked_email(email: Option<String>) -> Result<Option<String>> {
    if let Some(e) = &email
        && let Some(why) = crate::roster::email_problem(e)
    {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!("--email {e:?} cannot be used: {why}"),
            "give the address git's user.email holds, e.g. --email ana@example.org",
        ));
    }
    Ok(email)
}

/// Refuses a public key that is not one line of an OpenSSH `.pub` file.
pub fn check_key(key: Option<&str>) -> Result<()> {
    match key.map(crate::signing::check_public_key) {
        Some(Err(why)) => Err(Error::with_hint(
            Code::InvalidArgument,
            format!("--public-key is not an OpenSSH public key: {why}"),
            "paste the single line of the .pub file (ssh-ed25519 AAAA... comment)",
        )),
        _ => Ok(()),
    }
}

/// Records `proposal` as the acting admin: git's `user.email` (or `as_id`, which
/// must be the same person). Before there is an admin, a change is a plain commit,
/// except the first `admin add`, which starts the record and must be run by the
/// person it makes admin. A roster change is never recorded for someone else.
/// `key` loads the signing key.
pub fn record(
    ws: &Workspace,
    proposal: Proposal,
    as_id: Option<&str>,
    key: impl FnOnce() -> Result<Option<SigningKey>>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Recorded> {
    // Leniently, as in `person`: a change may repair an unreadable roster file.
    let people = crate::roster::people::load_lenient(&WorkTree(ws.root()), &ws.git)?;
    // A roster that was audited never starts over unaudited: its record comes back first.
    if let Some((why, hint)) = people.damage() {
        return Err(crate::roster::damage::refusal(why, hint));
    }
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let email = ws.git.config_string("user.email");
    let acting = || {
        identity::acting(
            &state.roster,
            &config,
            true,
            as_id,
            email.as_deref(),
            Role::Writer,
        )
    };
    // The roster's record judges an audited change (`change::record`); before
    // there is one, the same rule is applied here.
    if !people.audited() {
        refuse_unvouched(&state.roster, &config, &proposal.files)?;
    }
    let by = match (people.audited(), proposal.bootstrap.as_ref()) {
        // Not audited yet: a plain commit, as roster changes always were.
        (false, None) => None,
        // The first admin starts the record, and must be who runs it.
        (false, Some(first)) => {
            let me = acting()?;
            if &me.by != first || me.recorded_by.is_some() {
                return Err(Error::with_hint(
                    Code::ProxyNotAllowed,
                    format!(
                        "the first admin starts the roster's record, so {first} must run `admin add {first}` themselves"
                    ),
                    format!(
                        "run it as {first} (git's user.email must be the email in their roster file)"
                    ),
                ));
            }
            Some(me.by)
        }
        (true, _) => {
            let me = acting()?;
            if me.recorded_by.is_some() {
                return Err(Error::with_hint(
                    Code::ProxyNotAllowed,
                    "roster changes are recorded by an admin in person, never for someone else",
                    "run the command as yourself",
                ));
            }
            Some(me.by)
        }
    };
    // The key is loaded once the person may act, so a refusal never asks for a passphrase.
    let key = key()?;
    let changed = change::record(
        ws,
        Change {
            files: proposal.files,
            what: proposal.what,
            trailers: proposal.trailers,
            by,
            now,
            key,
            voids: proposal.voids,
            reset: proposal.reset,
        },
    )?;
    let done = match changed.waiting {
        Some(why) => format!("{}; it does not apply yet: {why}", proposal.done),
        None => proposal.done,
    };
    Ok(Recorded {
        commit: changed.commit,
        audited: changed.audited,
        done,
    })
}

/// Refuses reviewer files whose new license verification names someone who is
/// not an admin ([`crate::roster::profile::verification_problem`]).
fn refuse_unvouched(
    roster: &Roster,
    config: &crate::workspace::Config,
    files: &[(String, Vec<u8>)],
) -> Result<()> {
    for (rel, bytes) in files {
        let Some(id) = person_id(rel, Role::Reviewer) else {
            continue;
        };
        let text = String::from_utf8_lossy(bytes);
        let Ok(after) = crate::roster::parse_person::<Reviewer>(&text, std::path::Path::new(rel))
        else {
            continue;
        };
        if let Some(why) = crate::roster::profile::verification_problem(
            roster.reviewers.get(&id),
            &after,
            &config.admins,
        ) {
            return Err(Error::with_hint(
                Code::WouldNotCount,
                format!("this roster change would not count: {rel} ({id}): {why}"),
                "an admin records the verification (`medreview reviewer edit ID --verified-source URL` run as an admin; `medreview admin add ID` makes one)",
            ));
        }
    }
    Ok(())
}

/// Whether an admin's entry recording `bytes` as `rel` would pass the rule of
/// license verifications ([`refuse_unvouched`]): `repair` offers to adopt only
/// such a hand edit, and to put back any other.
pub(crate) fn vouched(ws: &Workspace, rel: &str, bytes: &[u8]) -> bool {
    let Ok(people) = crate::roster::people::load_lenient(&WorkTree(ws.root()), &ws.git) else {
        return false;
    };
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    refuse_unvouched(&state.roster, &config, &[(rel.to_owned(), bytes.to_vec())]).is_ok()
}

/// The roster id of the person running a roster command: git's `user.email`, or
/// `as_id`, judged as [`record`] judges them (a license verification names them).
pub fn acting_id(ws: &Workspace, as_id: Option<&str>) -> Result<Id> {
    let people = crate::roster::people::load_lenient(&WorkTree(ws.root()), &ws.git)?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let email = ws.git.config_string("user.email");
    Ok(identity::acting(
        &state.roster,
        &config,
        people.audited(),
        as_id,
        email.as_deref(),
        Role::Writer,
    )?
    .by)
}

/// The bytes a change to the governed file `rel` starts from: what the roster's
/// record names for it (so a hand edit committed without a record is not swept
/// into an admin's change unseen), else the committed file. Refuses when the
/// working tree's copy has changes that are not committed, which the change would
/// overwrite.
fn base(ws: &Workspace, rel: &str) -> Result<Vec<u8>> {
    let here = std::fs::read(ws.path(rel)).ok();
    let head = ws
        .git
        .head_snapshot()
        .ok()
        .and_then(|h| h.read(&ws.repo_path(rel)).ok().flatten());
    if here != head {
        return Err(Error::with_hint(
            Code::UncommittedChanges,
            format!(
                "{} has changes that are not committed",
                ws.path(rel).display()
            ),
            format!(
                "make the change with a command (`medreview config set`, `medreview admin record {rel} -m NOTE`), or drop the hand edit with `git checkout -- {rel}`, then run this again"
            ),
        ));
    }
    let people = crate::roster::people::load_lenient(&WorkTree(ws.root()), &ws.git)?;
    let recorded = people
        .audited()
        .then(|| people.current().files.get(rel).cloned())
        .flatten()
        .and_then(|blob| ws.git.read_blob(&blob).ok());
    Ok(recorded.or(head).unwrap_or_default())
}

/// The settings `config set` leaves to their own commands.
const OWN_COMMANDS: [(&str, &str); 2] = [
    ("admins", "medreview admin add|remove ID"),
    ("publishers", "medreview publisher add|remove ID"),
];

/// Refuses a setting name that is not dotted lowercase words.
fn setting_name(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    if !ok {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!("{key:?} is not a setting name"),
            "name a setting by its dotted path in medreview.yaml, e.g. review.required_approvals or base_url",
        ));
    }
    Ok(())
}

/// `config get KEY`: the setting as the roster's record holds it (the committed
/// file before the roster is audited), or `None` where it is not set.
pub fn config_get(ws: &Workspace, key: &str) -> Result<Option<String>> {
    setting_name(key)?;
    let people = crate::roster::people::load_lenient(&WorkTree(ws.root()), &ws.git)?;
    let recorded = people
        .audited()
        .then(|| people.current().files.get(CONFIG_FILE).cloned())
        .flatten()
        .and_then(|blob| ws.git.read_blob(&blob).ok());
    let bytes = match recorded {
        Some(bytes) => bytes,
        None => std::fs::read(ws.path(CONFIG_FILE))
            .map_err(|e| Error::io("read", &ws.path(CONFIG_FILE), e))?,
    };
    Ok(yaml::setting(
        &String::from_utf8_lossy(&bytes),
        key,
        &ws.path(CONFIG_FILE),
    )?)
}

/// `config set KEY VALUE` (or `config unset KEY` with `value` `None`): the new
/// `medreview.yaml`, refused unless every setting in it is one medreview reads with
/// a value it can use.
pub fn config_set(ws: &Workspace, key: &str, value: Option<&str>) -> Result<Proposal> {
    setting_name(key)?;
    let top = key.split('.').next().unwrap_or_default();
    if let Some((_, command)) = OWN_COMMANDS.iter().find(|(k, _)| *k == top) {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!("{top} is changed by its own command, which checks who it names"),
            format!("use `{command}`"),
        ));
    }
    let shown = ws.path(CONFIG_FILE);
    let before = String::from_utf8_lossy(&base(ws, CONFIG_FILE)?).into_owned();
    let after = yaml::with_setting(&before, key, value, &shown)?;
    crate::workspace::Config::parse(&after, &shown).map_err(|err| {
        let why = err.to_string().replace(&format!("{}: ", shown.display()), "");
        // The setting's own fix where its check names one.
        let hint = err.hint().unwrap_or_else(|| {
            "`medreview config get KEY` shows a setting; docs/errors.md and the spec list every setting and its values".to_owned()
        });
        Error::with_hint(
            Code::InvalidSetting,
            format!("cannot set {key} in {CONFIG_FILE}: {why}"),
            hint,
        )
    })?;
    if yaml::setting(&after, key, &shown)? == yaml::setting(&before, key, &shown)? {
        return Err(Error::with_hint(
            Code::NothingToDo,
            match value {
                Some(v) => format!("{key} is already {v}"),
                None => format!("{key} is not set"),
            },
            "nothing to do",
        ));
    }
    let (verb, done) = match value {
        Some(v) => ("set", format!("Set {key} to {v}")),
        None => ("unset", format!("Unset {key} (its default applies)")),
    };
    Ok(Proposal {
        files: vec![(CONFIG_FILE.into(), after.into_bytes())],
        what: match value {
            Some(v) => format!("config set {key} {v}"),
            None => format!("config unset {key}"),
        },
        trailers: format!("Medreview-Action: config-{verb}\nMedreview-Setting: {key}\n"),
        done,
        bootstrap: None,
        reset: false,
        voids: Default::default(),
    })
}

/// Which list of `medreview.yaml` a role command changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListRole {
    /// `admins:`
    Admin,
    /// `publishers:`
    Publisher,
}

impl ListRole {
    fn key(self) -> &'static str {
        match self {
            ListRole::Admin => "admins",
            ListRole::Publisher => "publishers",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            ListRole::Admin => "admin",
            ListRole::Publisher => "publisher",
        }
    }
    fn a(self) -> &'static str {
        match self {
            ListRole::Admin => "an admin",
            ListRole::Publisher => "a publisher",
        }
    }
}

/// `admin add|remove ID`, `publisher add|remove ID`: `medreview.yaml` with `id`
/// added to or removed from the role's list. The last admin cannot be removed (no
/// one could change the roster again); only a roster member can be added.
pub fn role_change(ws: &Workspace, role: ListRole, id: &Id, add: bool) -> Result<Proposal> {
    let before = String::from_utf8_lossy(&base(ws, CONFIG_FILE)?).into_owned();
    let shown = ws.path(CONFIG_FILE);
    let config = crate::workspace::Config::parse(&before, &shown)?;
    let mut list = match role {
        ListRole::Admin => config.admins.clone(),
        ListRole::Publisher => config.publishers.clone(),
    };
    let noun = role.noun();
    if add {
        let roster = ws.people()?.current().roster.clone();
        if !roster.contains(id) {
            return Err(Error::with_hint(
                Code::UnknownPerson,
                format!("{id} is not in writers/ or reviewers/"),
                roster.hint_for(
                    None,
                    id.as_str(),
                    format!("add them first (`medreview writer add {id} --name NAME --email E`)"),
                ),
            ));
        }
        if list.contains(id) {
            return Err(Error::with_hint(
                Code::NothingToDo,
                format!("{id} is already {}", role.a()),
                "nothing to do",
            ));
        }
        list.push(id.clone());
    } else {
        if !list.contains(id) {
            return Err(Error::with_hint(
                Code::NothingToDo,
                format!("{id} is not {}", role.a()),
                format!(
                    "nothing to do; the {}s are: {}",
                    noun,
                    if list.is_empty() {
                        "none".to_owned()
                    } else {
                        list.iter().map(Id::as_str).collect::<Vec<_>>().join(", ")
                    }
                ),
            ));
        }
        list.retain(|x| x != id);
        if role == ListRole::Admin && list.is_empty() {
            return Err(Error::with_hint(
                Code::LastAdmin,
                format!(
                    "{id} is the last admin: without one, no one could change the roster or the settings again"
                ),
                format!(
                    "make someone else an admin first (`medreview admin add ID`), then remove {id}"
                ),
            ));
        }
    }
    let after = with_list(&before, role.key(), &list);
    crate::workspace::Config::parse(&after, &shown)?;
    let verb = if add { "add" } else { "remove" };
    Ok(Proposal {
        files: vec![(CONFIG_FILE.into(), after.into_bytes())],
        what: format!("{noun} {verb} {id}"),
        trailers: format!("Medreview-Action: {noun}-{verb}\nMedreview-Person: {id}\n"),
        done: if add {
            format!("Made {id} {}", role.a())
        } else {
            format!("{id} is no longer {}", role.a())
        },
        bootstrap: (add && role == ListRole::Admin).then(|| id.clone()),
        reset: false,
        voids: Default::default(),
    })
}

/// `admin record PATH... -m NOTE`: an admin records the working tree's exact bytes
/// of governed files edited by hand (a template, the dictionary, a roster file).
/// Each must be a governed file that exists and reads as what it is; files that
/// already match the record are left out, and nothing to record is refused.
pub fn record_files(ws: &Workspace, paths: &[String], note: &str) -> Result<Proposal> {
    if note.trim().is_empty() {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "-m is empty",
            "say in a few words what changed and why, e.g. -m \"Adopt the new footer\"",
        ));
    }
    let people = crate::roster::people::load_lenient(&WorkTree(ws.root()), &ws.git)?;
    let recorded = people.current();
    let mut files = Vec::new();
    for rel in paths {
        if !crate::roster::log::is_governed_path(rel) {
            return Err(Error::with_hint(
                Code::InvalidArgument,
                format!("{rel} is not a governed file"),
                "the governed files are medreview.yaml, writers/ID.yaml, reviewers/ID.yaml, the files under templates/ and dictionary.txt; give their paths from the workspace folder",
            ));
        }
        crate::source::refuse_symlinks(ws.root(), rel)?;
        let path = ws.path(rel);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::with_hint(
                    Code::InvalidArgument,
                    format!("{} does not exist", path.display()),
                    "a governed file is recorded as it is; restore a removed one from git (`git checkout -- PATH`), people are retired, never deleted",
                ));
            }
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        validate_governed(rel, &bytes, &path)?;
        if recorded.files.get(rel) == Some(&medreview_store::gitstore::GitStore::blob_id(&bytes))
            && people.audited()
        {
            continue;
        }
        if !files.iter().any(|(p, _): &(String, Vec<u8>)| p == rel) {
            files.push((rel.clone(), bytes));
        }
    }
    refuse_recorded_look_alikes(ws, &files, &recorded.roster)?;
    if files.is_empty() {
        return Err(Error::with_hint(
            Code::NothingToDo,
            "every file named is already recorded as it is",
            "nothing to do",
        ));
    }
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    Ok(Proposal {
        what: format!("admin record {}: {}", names.join(" "), note.trim()),
        trailers: format!(
            "Medreview-Action: admin-record\nMedreview-Files: {}\n",
            names.join(" ")
        ),
        done: format!("Recorded {}", names.join(", ")),
        files,
        bootstrap: None,
        reset: false,
        voids: Default::default(),
    })
}

/// Refuses roster files an admin records by hand that would make someone look
/// like someone else, judged as `writer|reviewer add` judges them
/// ([`refuse_look_alike`]) against the recorded roster with these files in it.
fn refuse_recorded_look_alikes(
    ws: &Workspace,
    files: &[(String, Vec<u8>)],
    recorded: &Roster,
) -> Result<()> {
    let mut roster = recorded.clone();
    let mut changed = Vec::new();
    for (rel, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        let shown = ws.path(rel);
        if let Some(id) = person_id(rel, Role::Writer) {
            let writer = crate::roster::parse_person(&text, &shown)?;
            roster.writers.insert(id.clone(), writer);
            changed.push(id);
        } else if let Some(id) = person_id(rel, Role::Reviewer) {
            let reviewer = crate::roster::parse_person(&text, &shown)?;
            roster.reviewers.insert(id.clone(), reviewer);
            changed.push(id);
        }
    }
    changed
        .iter()
        .try_for_each(|id| refuse_look_alike(&roster, id))
}

/// Refuses a governed file that would not read as what it is: settings that do
/// not parse, a person file with a bad field, a template or dictionary that is not
/// UTF-8 text.
pub fn validate_governed(rel: &str, bytes: &[u8], shown: &std::path::Path) -> Result<()> {
    let text = crate::source::decode_utf8(bytes.to_vec(), shown, "the file")?;
    if rel == CONFIG_FILE {
        crate::workspace::Config::parse(&text, shown)?;
    } else if rel.starts_with("writers/") {
        crate::roster::parse_person::<crate::roster::Writer>(&text, shown)?;
    } else if rel.starts_with("reviewers/") {
        crate::roster::parse_person::<Reviewer>(&text, shown)?;
    }
    Ok(())
}

/// `medreview.yaml`'s text with the top-level list `key` set to `ids` on one line
/// (`admins: [a, b]`), the rest of the file (comments included) as it was.
fn with_list(text: &str, key: &str, ids: &[Id]) -> String {
    let line = format!(
        "{key}: [{}]",
        ids.iter().map(Id::as_str).collect::<Vec<_>>().join(", ")
    );
    let prefix = format!("{key}:");
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    let mut done = false;
    while let Some(l) = lines.next() {
        if !done && l.starts_with(&prefix) {
            out.push(line.clone());
            done = true;
            // A block list under the key goes with it.
            while lines
                .peek()
                .is_some_and(|n| n.starts_with("- ") || n.starts_with("  -"))
            {
                lines.next();
            }
            continue;
        }
        out.push(l.to_owned());
    }
    if !done {
        out.push(line);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}
