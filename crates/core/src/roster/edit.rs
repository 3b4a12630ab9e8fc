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
use crate::roster::{Reviewer, Role, Roster};
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
    let mut config = ws.config.clone();
    if config.admins.contains(id) {
        return Err(Error::with_hint(
            Code::NothingToDo,
            format!("{id} is already an admin"),
            "nothing to do",
        ));
    }
    config.admins.push(id.clone());
    let text = std::fs::read_to_string(ws.path(CONFIG_FILE))
        .map_err(|e| Error::io("read", &ws.path(CONFIG_FILE), e))?;
    let text = change::with_admins(&text, &config.admins);
    Ok(Proposal {
        files: vec![(CONFIG_FILE.into(), text.into_bytes())],
        what: format!("admin add {id}"),
        trailers: format!("Medreview-Action: admin-add\nMedreview-Person: {id}\n"),
        done: format!("Made {id} an admin"),
        bootstrap: Some(id.clone()),
    })
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
    })
}

/// `writer|reviewer add|edit`: the person's new file, refusing one that would make
/// them look like someone else on the roster (a shared key, or a shared name and
/// credentials).
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
    if let Some((a, b, what)) = roster
        .shared_identities()
        .into_iter()
        .find(|(a, b, _)| a == id || b == id)
    {
        return Err(Error::with_hint(
            Code::SharedIdentity,
            format!("{a} and {b} would share {what}: the roster would show one person twice"),
            "give each person their own key and a byline that tells them apart, or edit the existing entry",
        ));
    }
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
    })
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
        },
    )?;
    Ok(Recorded {
        commit: changed.commit,
        audited: changed.audited,
        done: proposal.done,
    })
}
