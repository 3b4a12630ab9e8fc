//! Who is acting: the roster member git says you are (`user.email`), and when
//! the policy allows it, the person you record for.

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::roster::{Role, Roster};
use crate::workspace::Config;

/// The person an entry is by, and who typed it in when that is someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    /// The person the entry is by.
    pub by: Id,
    /// The person who recorded it for them (a proxy), if not themselves.
    pub recorded_by: Option<Id>,
}

/// The roles a roster member holds, for `whoami` and proxy rules.
pub fn roles(roster: &Roster, config: &Config, id: &Id) -> Vec<&'static str> {
    let mut roles = Vec::new();
    if roster.writers.contains_key(id) {
        roles.push("writer");
    }
    if roster.reviewers.contains_key(id) {
        roles.push("reviewer");
    }
    if config.admins.contains(id) {
        roles.push("admin");
    }
    if config.publishers.contains(id) {
        roles.push("publisher");
    }
    roles
}

/// The roster member whose email is git's `user.email`.
pub fn me(roster: &Roster, email: Option<&str>) -> Option<Id> {
    let email = email?;
    roster
        .find_by_email(Role::Reviewer, email)
        .or_else(|| roster.find_by_email(Role::Writer, email))
}

/// Whether `review.proxies` lets `me` record a sign-off for someone else.
pub(crate) fn may_proxy(roster: &Roster, config: &Config, me: &Id) -> bool {
    let mine = roles(roster, config, me);
    config
        .review
        .proxies
        .iter()
        .any(|p| p == me.as_str() || mine.iter().any(|r| p == &format!("{r}s")))
}

/// Why an entry recorded by someone for another person breaks the proxy policy of
/// the roster it names, if it does. The one rule `acting` applies before recording
/// and `evaluate`, `check` and the server gate apply to what was recorded.
pub(crate) fn proxy_problem(
    entry: &crate::ledger::entry::Entry,
    state: &crate::roster::log::RosterState,
) -> Option<String> {
    let recorder = entry.recorded_by.as_ref().filter(|r| **r != entry.by)?;
    // Before the roster is audited there is no recorded policy to judge by.
    let config = state.config.as_ref()?;
    (!may_proxy(&state.roster, config, recorder)).then(|| {
        format!(
            "{recorder} recorded it for {}, but the policy lets {recorder} record for no one (review.proxies)",
            entry.by
        )
    })
}

/// Decides who acts. `as_id` is `--as`; `email` is git's `user.email`. In an
/// audited roster `--as` must be the person git says you are, unless
/// `review.proxies` names a role (`admins`, `publishers`) or an id you hold, in
/// which case you record for them and the entry says so. Before the roster is
/// audited (no admin yet) `--as` is taken as given, as it always was.
pub fn acting(
    roster: &Roster,
    config: &Config,
    audited: bool,
    as_id: Option<&str>,
    email: Option<&str>,
    role: Role,
) -> Result<Acting> {
    let hint = format!(
        "pass --as ID, or set `git config user.email` to the email in your {}/ file",
        role.folder()
    );
    let me = me(roster, email);
    let Some(as_id) = as_id else {
        let Some(email) = email else {
            return Err(Error::with_hint(
                Code::UnknownIdentity,
                "who is signing off? --as is missing and git has no user.email",
                hint,
            ));
        };
        return me
            .map(|by| Acting {
                by,
                recorded_by: None,
            })
            .ok_or_else(|| {
                Error::with_hint(
                    Code::UnknownIdentity,
                    format!("no one in the roster has the email {email} (git's user.email)"),
                    hint,
                )
            });
    };
    let by = Id::parse("person id (--as)", as_id)?;
    if !audited || me.as_ref() == Some(&by) {
        return Ok(Acting {
            by,
            recorded_by: None,
        });
    }
    let Some(me) = me else {
        return Err(Error::with_hint(
            Code::ProxyNotAllowed,
            format!(
                "git says you are {}, who is not on the roster, so you cannot act as {by}",
                email.unwrap_or("nobody (no user.email)")
            ),
            roster.hint_for(
                None,
                by.as_str(),
                format!(
                    "run the command from {by}'s own account (git's user.email must be the email in their roster file)"
                ),
            ),
        ));
    };
    if !roster.contains(&by) {
        return Err(Error::with_hint(
            Code::UnknownPerson,
            format!("--as {by}: no one on the roster has that id"),
            roster.hint_for(
                None,
                by.as_str(),
                "`medreview writer list` and `medreview reviewer list` show the ids",
            ),
        ));
    }
    if !may_proxy(roster, config, &me) {
        return Err(Error::with_hint(
            Code::ProxyNotAllowed,
            format!(
                "git says you are {me}, not {by}, and the policy lets no one record for someone else"
            ),
            roster.hint_for(
                None,
                by.as_str(),
                "an admin may allow it with `medreview config set review.proxies [admins]`; the entry then shows who recorded it",
            ),
        ));
    }
    Ok(Acting {
        by,
        recorded_by: Some(me),
    })
}
