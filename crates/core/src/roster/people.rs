//! Who judges a sign-off: the roster in force when it was recorded.
//!
//! Once the roster is audited (it has a genesis entry in `roster/`), each sign-off
//! is judged against the roster its signer had (`roster:` in the entry names the
//! roster heads of their copy), read from the roster's own record, never from the
//! working tree. Before that, everything is judged by the roster files as they are,
//! as before the roster was part of the record. A roster that was audited never
//! becomes unaudited again: a record gone from the source is damage
//! ([`crate::roster::damage`]), under which no approval counts.

use std::rc::Rc;

use crate::error::Result;
use crate::ids::Id;
use crate::ledger::entry::{Entry, EntryId};
use crate::roster::Roster;
use crate::roster::log::{RosterLog, RosterState};
use crate::source::Source;
use crate::workspace::ReviewPolicy;
use medreview_store::revision::RevId;

/// The roster a sign-off is judged by, and what else judging needs to know.
pub trait People {
    /// The roster in force for `entry`.
    fn at(&self, entry: &Entry) -> Rc<RosterState>;
    /// The roster now.
    fn current(&self) -> Rc<RosterState>;
    /// Whether `later` names a roster no older than the one `earlier` names.
    fn includes(&self, later: &Entry, earlier: &Entry) -> bool;
    /// The roster heads a new sign-off names.
    fn heads(&self) -> Vec<EntryId>;
    /// The writer named in the front matter of revision `id`.
    fn writer_of(&self, id: &RevId) -> Option<Id>;
    /// The topic named in the front matter of revision `id` (for `review.rules`).
    fn topic_of(&self, _id: &RevId) -> Option<String> {
        None
    }
    /// When the latest roster entry `entry` names was made (it had seen it).
    fn roster_seen_at(&self, _entry: &Entry) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        None
    }
    /// Whether the roster is audited (it has a first roster entry).
    fn audited(&self) -> bool {
        true
    }
    /// The review policy to judge by: `medreview.yaml` as the roster's record holds
    /// it when it is audited, else as the roster's source holds it (`None`: the
    /// workspace's file as it is).
    fn policy(&self) -> Option<ReviewPolicy> {
        self.current().config.as_ref().map(|c| c.review.clone())
    }
    /// The files admins voided (none before the roster is audited).
    fn voids(&self) -> crate::ledger::voids::Voids {
        Default::default()
    }
    /// Why the roster's record cannot judge anyone, and the next step, if so: the
    /// roster was audited and its record is gone or is not a folder of entries
    /// (see [`crate::roster::damage`]). No approval counts.
    fn damage(&self) -> Option<(&str, &str)> {
        None
    }
    /// Why no approval by `entry`'s signer can count, if none can: the roster's
    /// record is damaged, or the signer's own file is in conflict in the roster the
    /// entry names or in today's. The one rule every reader of the record applies
    /// (`evaluate`, and through it status, log, the inbox and publish; and `check`).
    fn unsettled(&self, entry: &Entry) -> Option<String> {
        if let Some((why, _)) = self.damage() {
            return Some(why.to_owned());
        }
        let at = self.at(entry);
        if let Some(other) = at.byline_look_alike(&entry.by) {
            return Some(format!(
                "{}'s byline looks like {other}'s, so a page would name the wrong person; no approval of theirs counts until an admin tells the two apart (`medreview reviewer edit {} --name ...`)",
                entry.by, entry.by
            ));
        }
        crate::roster::damage::conflict_of(&entry.by, &at, &self.current())
    }
}

/// The writer named in each revision's front matter, read once per revision.
#[derive(Default)]
struct Writers(std::cell::RefCell<std::collections::HashMap<RevId, Option<Id>>>);

impl Writers {
    fn of(&self, git: &crate::repo::Repo, id: &RevId) -> Option<Id> {
        if let Some(found) = self.0.borrow().get(id) {
            return found.clone();
        }
        let found = match git.memo.writer(id.as_str()) {
            Some(found) => found,
            None => {
                let found = crate::article::front_writer(git, id);
                git.memo.keep_writer(id.as_str(), found.clone());
                found
            }
        };
        self.0.borrow_mut().insert(id.clone(), found.clone());
        found
    }
}

/// The topic named in each revision's front matter, read once per revision and
/// only where a review rule asks for it.
#[derive(Default)]
struct Topics(std::cell::RefCell<std::collections::HashMap<RevId, Option<String>>>);

impl Topics {
    fn of(&self, git: &crate::repo::Repo, id: &RevId) -> Option<String> {
        if let Some(found) = self.0.borrow().get(id) {
            return found.clone();
        }
        let found = crate::article::front_topic(git, id);
        self.0.borrow_mut().insert(id.clone(), found.clone());
        found
    }
}

/// Judging by one roster for everyone: a workspace whose roster is not audited yet.
pub(crate) struct Unaudited<'g> {
    state: Rc<RosterState>,
    git: &'g crate::repo::Repo,
    writers: Writers,
    topics: Topics,
    /// The review policy of the `medreview.yaml` read with the roster, if any.
    policy: Option<ReviewPolicy>,
}

impl<'g> Unaudited<'g> {
    /// Judges everything by `roster`.
    pub fn new(roster: Roster, git: &'g crate::repo::Repo) -> Unaudited<'g> {
        Unaudited {
            state: Rc::new(RosterState {
                roster,
                ..RosterState::default()
            }),
            git,
            writers: Writers::default(),
            topics: Topics::default(),
            policy: None,
        }
    }

    /// Judges by the review policy of `config` too (the `medreview.yaml` of the
    /// same source as the roster, so a commit's people come with the commit's policy).
    pub(crate) fn with_config(mut self, config: Option<crate::workspace::Config>) -> Unaudited<'g> {
        self.policy = config.as_ref().map(|c| c.review.clone());
        // Who holds which role in the settings (publishers, admins) is read from
        // the same medreview.yaml.
        if let Some(state) = Rc::get_mut(&mut self.state) {
            state.config = config;
        }
        self
    }
}

impl People for Unaudited<'_> {
    fn at(&self, _: &Entry) -> Rc<RosterState> {
        self.state.clone()
    }
    fn current(&self) -> Rc<RosterState> {
        self.state.clone()
    }
    fn includes(&self, _: &Entry, _: &Entry) -> bool {
        true
    }
    fn heads(&self) -> Vec<EntryId> {
        Vec::new()
    }
    fn writer_of(&self, id: &RevId) -> Option<Id> {
        self.writers.of(self.git, id)
    }
    fn topic_of(&self, id: &RevId) -> Option<String> {
        self.topics.of(self.git, id)
    }
    fn audited(&self) -> bool {
        false
    }
    fn policy(&self) -> Option<ReviewPolicy> {
        self.policy.clone()
    }
}

/// Judging each sign-off by the roster of its time.
pub(crate) struct Audited<'g> {
    /// The roster's record.
    pub log: RosterLog<'g>,
    git: &'g crate::repo::Repo,
    writers: Writers,
    topics: Topics,
}

impl People for Audited<'_> {
    fn at(&self, entry: &Entry) -> Rc<RosterState> {
        self.log.state(&entry.roster)
    }
    fn current(&self) -> Rc<RosterState> {
        self.log.current()
    }
    fn includes(&self, later: &Entry, earlier: &Entry) -> bool {
        self.log.includes(&later.roster, &earlier.roster)
    }
    fn heads(&self) -> Vec<EntryId> {
        self.log.heads()
    }
    fn writer_of(&self, id: &RevId) -> Option<Id> {
        self.writers.of(self.git, id)
    }
    fn topic_of(&self, id: &RevId) -> Option<String> {
        self.topics.of(self.git, id)
    }
    fn roster_seen_at(&self, entry: &Entry) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.log.latest_at(&entry.roster)
    }
    fn voids(&self) -> crate::ledger::voids::Voids {
        self.log.voids()
    }
}

/// A roster that was audited and whose record is damaged (see
/// [`crate::roster::damage`]): the people as the source's files hold them, for
/// names and roles, but no approval counts.
struct Damaged<'g> {
    inner: Unaudited<'g>,
    why: String,
    hint: String,
}

impl People for Damaged<'_> {
    fn at(&self, entry: &Entry) -> Rc<RosterState> {
        self.inner.at(entry)
    }
    fn current(&self) -> Rc<RosterState> {
        self.inner.current()
    }
    fn includes(&self, _: &Entry, _: &Entry) -> bool {
        true
    }
    fn heads(&self) -> Vec<EntryId> {
        Vec::new()
    }
    fn writer_of(&self, id: &RevId) -> Option<Id> {
        self.inner.writer_of(id)
    }
    fn topic_of(&self, id: &RevId) -> Option<String> {
        self.inner.topic_of(id)
    }
    fn policy(&self) -> Option<ReviewPolicy> {
        self.inner.policy()
    }
    fn damage(&self) -> Option<(&str, &str)> {
        Some((&self.why, &self.hint))
    }
}

/// The damaged people of `src`, when its roster's record is damaged.
fn damaged<'g>(
    src: &dyn Source,
    git: &'g crate::repo::Repo,
) -> Result<Option<Box<dyn People + 'g>>> {
    let Some((why, hint)) = crate::roster::damage::of_record(src, git)? else {
        return Ok(None);
    };
    let (roster, _) = Roster::load_lenient(src)?;
    let config = source_config(src).ok().flatten();
    Ok(Some(Box::new(Damaged {
        inner: Unaudited::new(roster, git).with_config(config),
        why,
        hint,
    })))
}

/// The people of a workspace as `src` holds them (the working tree, or a commit).
pub fn load<'g>(src: &dyn Source, git: &'g crate::repo::Repo) -> Result<Box<dyn People + 'g>> {
    let log = RosterLog::load(src, git)?;
    if log.is_empty() {
        if let Some(people) = damaged(src, git)? {
            return Ok(people);
        }
        let config = source_config(src)?;
        return Ok(Box::new(
            Unaudited::new(Roster::load_from(src)?, git).with_config(config),
        ));
    }
    Ok(Box::new(Audited {
        log,
        git,
        writers: Writers::default(),
        topics: Topics::default(),
    }))
}

/// The people, leaving out roster files that cannot be read (for `check`, which
/// reports them itself).
pub fn load_lenient<'g>(
    src: &dyn Source,
    git: &'g crate::repo::Repo,
) -> Result<Box<dyn People + 'g>> {
    let log = RosterLog::load(src, git)?;
    if log.is_empty() {
        if let Some(people) = damaged(src, git)? {
            return Ok(people);
        }
        let (roster, _) = Roster::load_lenient(src)?;
        let config = source_config(src).ok().flatten();
        return Ok(Box::new(Unaudited::new(roster, git).with_config(config)));
    }
    Ok(Box::new(Audited {
        log,
        git,
        writers: Writers::default(),
        topics: Topics::default(),
    }))
}

/// `medreview.yaml` as `src` holds it (`None` when it has none).
fn source_config(src: &dyn Source) -> Result<Option<crate::workspace::Config>> {
    let file = crate::workspace::CONFIG_FILE;
    src.read_text(file)?
        .map(|text| crate::workspace::Config::parse(&text, &src.shown(file)))
        .transpose()
}

// The people a workspace judges by. These are `Workspace` methods written here, so
// the workspace (files, settings, the repository) does not depend on the roster.
impl crate::workspace::Workspace {
    /// The people each sign-off is judged by: HEAD's roster and settings (the
    /// working tree's before the first commit).
    pub fn people(&self) -> Result<Box<dyn People + '_>> {
        // One record judges everywhere: the sign-off commands refuse what `status`
        // and `publish` would not count, so they read the committed roster too. An
        // uncommitted roster edit judges no one (`status` warns about it).
        if self.git.head_snapshot().is_ok() {
            return self.committed_people();
        }
        load(&crate::source::WorkTree(self.root()), &self.git)
    }

    /// The people and the review policy as the commit HEAD points at holds them:
    /// what `publish` judges by, so `status` says what `publish` will do (a roster
    /// or settings edit that is not committed judges no one; see
    /// [`crate::workspace::Workspace::uncommitted_people_files`]).
    pub fn committed_people(&self) -> Result<Box<dyn People + '_>> {
        let src = crate::source::Committed {
            snapshot: self.git.head_snapshot()?,
            prefix: self.prefix().to_owned(),
            root: self.root().to_path_buf(),
        };
        load(&src, &self.git)
    }

    /// The files admins voided, as HEAD's roster record holds them (read once per
    /// command; empty before the roster is audited).
    pub fn voids(&self) -> Result<std::rc::Rc<crate::ledger::voids::Voids>> {
        if let Some(voids) = self.voids.get() {
            return Ok(voids.clone());
        }
        // Leniently: an unreadable roster file is `check`'s to report, not a reason
        // to refuse reading an article.
        let people = match self.git.head_snapshot() {
            Ok(snapshot) => load_lenient(
                &crate::source::Committed {
                    snapshot,
                    prefix: self.prefix().to_owned(),
                    root: self.root().to_path_buf(),
                },
                &self.git,
            )?,
            Err(_) => load_lenient(&crate::source::WorkTree(self.root()), &self.git)?,
        };
        let voids = std::rc::Rc::new(people.voids());
        let _ = self.voids.set(voids.clone());
        Ok(voids)
    }

    /// The review policy to judge by (the audited `medreview.yaml` when there is one).
    pub fn policy(&self, people: &dyn People) -> crate::workspace::ReviewPolicy {
        people
            .policy()
            .unwrap_or_else(|| self.config.review.clone())
    }
}
