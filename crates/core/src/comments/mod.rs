//! The review conversation: comments anchored to a revision's words, replies,
//! suggested wording, and threads resolved and reopened. Each is an immutable
//! entry under `articles/<slug>/comments/` ([`entry`]), linked by `after:` like
//! sign-offs and judged by the roster of its time; [`anchor`] finds a thread's
//! words again in every later revision.
//!
//! A thread is *open* until its author resolves it, and open again when anyone
//! reopens it after that; a resolution that did not see a reopening leaves the
//! thread open (concurrent entries fail towards the conversation going on).

pub mod anchor;
pub mod entry;

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use chrono::{DateTime, FixedOffset};

use self::anchor::{Anchor, Place};
use self::entry::{CommentAction, CommentEntry};
use crate::error::Result;
use crate::ids::Id;
use crate::ledger::entry::EntryId;
use crate::ledger::graph::{Dag, Damage, Revision};
use crate::roster::people::People;
use crate::source::Source;
use crate::workspace::{ReviewPolicy, Workspace};
use medreview_store::revision::RevId;

/// An article's comment entries, judged.
pub struct Conversation {
    /// The entries in topological order.
    pub dag: Dag<CommentEntry>,
    /// Why each entry does not count, position for position (`None`: it counts).
    pub refused: Vec<Option<String>>,
}

/// One reply in a thread.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The reply's id.
    pub id: EntryId,
    /// Who wrote it.
    pub by: Id,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// What they said.
    pub note: String,
}

/// A thread: a comment on some words, its replies, and whether it is settled.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The first comment's id, which replies, `resolve` and `reopen` name.
    pub id: EntryId,
    /// A short handle: the first comment's digest (`3f9c2a1b4d5e`).
    pub short: String,
    /// Who opened it.
    pub by: Id,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// The revision it was made on.
    pub revision: RevId,
    /// The words it points at, in that revision.
    pub anchor: Anchor,
    /// What its author said.
    pub note: Option<String>,
    /// The wording suggested in place of the quote.
    pub suggest: Option<String>,
    /// The replies, in order.
    pub replies: Vec<Reply>,
    /// Whether it is still open.
    pub open: bool,
    /// Who settled it and when, while it is resolved.
    pub resolved: Option<(Id, DateTime<FixedOffset>)>,
}

/// Where a thread stands in one revision: where its words are now.
#[derive(Debug, Clone)]
pub struct Located {
    /// The thread.
    pub thread: Thread,
    /// Its place in the revision asked about.
    pub place: Place,
    /// The revision the quote last stood in unchanged, when outdated.
    pub last_seen: Option<RevId>,
}

impl Conversation {
    /// Reads the comment folder of `slug` from `src`; damaged files are listed in
    /// `dag.damage` and never counted.
    pub fn load(src: &dyn Source, slug: &Id) -> Result<Conversation> {
        let dir = Workspace::comments_rel(slug);
        let (read, damage) = if src.kind(&dir).is_some() {
            crate::ledger::read_folder::<CommentEntry>(src, &dir)?
        } else {
            (Vec::new(), Vec::new())
        };
        let file_of = |id: &EntryId| format!("{dir}/{}", id.file_name());
        let dag = Dag::build_with(read, damage, &file_of, &|_, _| None);
        let refused = vec![None; dag.entries.len()];
        Ok(Conversation { dag, refused })
    }

    /// The judged conversation of an article whose record is loaded.
    pub fn of_record(
        ws: &Workspace,
        record: &crate::record::ArticleRecord,
        people: &dyn People,
    ) -> Result<Conversation> {
        let mut conversation =
            Conversation::load(&crate::source::WorkTree(ws.root()), &record.slug)?;
        conversation.judge(
            &record.slug,
            people,
            &ws.policy(people),
            &record.ledger.revisions(),
        );
        Ok(conversation)
    }

    /// This conversation with `new` entries added (the ones a command is about to
    /// record), judged the same way: the one rule decides what a command records.
    pub fn with_entries(
        &self,
        new: Vec<(EntryId, CommentEntry)>,
        slug: &Id,
        people: &dyn People,
        policy: &ReviewPolicy,
        revisions: &[Revision],
    ) -> Conversation {
        let mut read: Vec<(EntryId, CommentEntry)> = self
            .dag
            .ids
            .iter()
            .cloned()
            .zip(self.dag.entries.iter().cloned())
            .collect();
        read.extend(new);
        let dir = Workspace::comments_rel(slug);
        let file_of = |id: &EntryId| format!("{dir}/{}", id.file_name());
        let dag = Dag::build_with(read, Vec::new(), &file_of, &|_, _| None);
        let mut after = Conversation {
            refused: vec![None; dag.entries.len()],
            dag,
        };
        after.judge(slug, people, policy, revisions);
        after
    }

    /// Why the entry `id` does not count, if it does not (or is not there).
    pub fn refusal_of(&self, id: &EntryId) -> Option<String> {
        match self.dag.ids.iter().position(|x| x == id) {
            Some(i) => self.refused[i].clone(),
            None => Some("it could not join the conversation's graph".into()),
        }
    }

    /// Judges every entry: its author is on the roster of its time, its signature
    /// verifies (and is there where the policy requires one), a reply, resolution
    /// or reopening names a thread its author had seen, a resolution is by the
    /// thread's author, and a new thread's revision was submitted.
    pub fn judge(
        &mut self,
        slug: &Id,
        people: &dyn People,
        policy: &ReviewPolicy,
        revisions: &[Revision],
    ) {
        let index: HashMap<&EntryId, usize> = self
            .dag
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        let mut refused = Vec::with_capacity(self.dag.entries.len());
        for (i, entry) in self.dag.entries.iter().enumerate() {
            refused.push(self.problem(slug, i, entry, &index, people, policy, revisions));
        }
        self.refused = refused;
    }

    #[allow(clippy::too_many_arguments)]
    fn problem(
        &self,
        slug: &Id,
        i: usize,
        entry: &CommentEntry,
        index: &HashMap<&EntryId, usize>,
        people: &dyn People,
        policy: &ReviewPolicy,
        revisions: &[Revision],
    ) -> Option<String> {
        let view = entry.roster_view();
        let state: Rc<_> = people.at(&view);
        let roster = &state.roster;
        if !roster.contains(&entry.by) {
            return Some(format!(
                "{} was not in writers/ or reviewers/ then",
                entry.by
            ));
        }
        if let Some(why) = signature_problem(slug, entry, roster, policy) {
            return Some(why);
        }
        match &entry.thread {
            None => {
                if !revisions.iter().any(|r| r.id == entry.revision) {
                    return Some(format!(
                        "it comments on {}, which was never submitted",
                        entry.revision.short()
                    ));
                }
            }
            Some(thread) => {
                let Some(&t) = index.get(thread) else {
                    return Some(format!(
                        "it names the thread {thread}, which is not in the record"
                    ));
                };
                let root = &self.dag.entries[t];
                if root.thread.is_some() || root.quote.is_none() {
                    return Some(format!("{thread} is a reply, not the start of a thread"));
                }
                if !self.dag.saw(i, t) {
                    return Some(format!(
                        "it names the thread {thread}, which its author had not seen"
                    ));
                }
                if entry.action == CommentAction::Resolved && entry.by != root.by {
                    return Some(format!(
                        "{} resolved a thread {} opened; only its author settles a thread",
                        entry.by, root.by
                    ));
                }
            }
        }
        None
    }

    /// Every thread, in the order they were opened (entries that do not count are
    /// left out).
    pub fn threads(&self) -> Vec<Thread> {
        let mut threads: Vec<Thread> = Vec::new();
        let mut at: BTreeMap<&EntryId, usize> = BTreeMap::new();
        // Per thread, the positions of its counting resolutions and reopenings.
        let mut events: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        for (i, entry) in self.dag.entries.iter().enumerate() {
            if self.refused.get(i).is_some_and(Option::is_some) {
                continue;
            }
            let id = &self.dag.ids[i];
            match (&entry.thread, &entry.quote) {
                (None, Some(anchor)) => {
                    at.insert(id, threads.len());
                    threads.push(Thread {
                        id: id.clone(),
                        short: id.parts().digest,
                        by: entry.by.clone(),
                        at: entry.at,
                        revision: entry.revision.clone(),
                        anchor: anchor.clone(),
                        note: entry.note.clone(),
                        suggest: entry.suggest.clone(),
                        replies: Vec::new(),
                        open: true,
                        resolved: None,
                    });
                    events.push((Vec::new(), Vec::new()));
                }
                (Some(thread), _) => {
                    let Some(&t) = at.get(thread) else { continue };
                    match entry.action {
                        CommentAction::Comment => threads[t].replies.push(Reply {
                            id: id.clone(),
                            by: entry.by.clone(),
                            at: entry.at,
                            note: entry.note.clone().unwrap_or_default(),
                        }),
                        CommentAction::Resolved => events[t].0.push(i),
                        CommentAction::Reopened => events[t].1.push(i),
                    }
                }
                (None, None) => {}
            }
        }
        for (thread, (resolutions, reopenings)) in threads.iter_mut().zip(events) {
            // Settled by a resolution that saw every reopening.
            let settled = resolutions
                .iter()
                .rev()
                .find(|&&r| reopenings.iter().all(|&o| self.dag.saw(r, o)));
            if let Some(&r) = settled {
                thread.open = false;
                let e = &self.dag.entries[r];
                thread.resolved = Some((e.by.clone(), e.at));
            }
        }
        threads
    }

    /// The thread `handle` names: its full id, or the digest at its end (or the
    /// first digits of it, where they are unique).
    pub fn find<'t>(
        threads: &'t [Thread],
        handle: &str,
    ) -> std::result::Result<&'t Thread, Vec<&'t Thread>> {
        let handle = handle.trim();
        let hits: Vec<&Thread> = threads
            .iter()
            .filter(|t| {
                t.id.as_str() == handle || (handle.len() >= 4 && t.short.starts_with(handle))
            })
            .collect();
        match hits.as_slice() {
            [one] => Ok(one),
            _ => Err(hits),
        }
    }

    /// Files that could not be read as comment entries.
    pub fn damage(&self) -> &[Damage] {
        &self.dag.damage
    }

    /// The entries that do not count, with why, as `(file, why)`.
    pub fn refused_files(&self, slug: &Id) -> Vec<(String, String)> {
        self.dag
            .ids
            .iter()
            .zip(&self.refused)
            .filter_map(|(id, why)| {
                why.as_ref().map(|why| {
                    (
                        format!("{}/{}", Workspace::comments_rel(slug), id.file_name()),
                        why.clone(),
                    )
                })
            })
            .collect()
    }
}

/// Why a comment entry's signature does not count, if it does not: the rule
/// sign-offs follow ([`crate::record::evaluate::Signed`]), in the
/// comments' own namespace.
fn signature_problem(
    slug: &Id,
    entry: &CommentEntry,
    roster: &crate::roster::Roster,
    policy: &ReviewPolicy,
) -> Option<String> {
    let signed = crate::record::evaluate::Signed {
        namespace: entry::NAMESPACE,
        by: &entry.by,
        at: &entry.at,
        signature: entry.signature.as_deref(),
    };
    signed.problem(&|| entry.canonical_text(slug), roster, policy)
}

/// Reads revision texts of the article `record` from git's object database.
pub fn revision_reader<'a>(
    ws: &'a Workspace,
    record: &'a crate::record::ArticleRecord,
) -> impl Fn(&RevId) -> Option<Vec<u8>> + 'a {
    move |id| crate::article::read_revision(&ws.git, id, &record.signoffs_path).ok()
}

/// Finds threads' words in the revisions after the one they were made on, one
/// revision at a time, reading each revision's text once.
pub struct Locator<'a> {
    revisions: &'a [Revision],
    texts: HashMap<RevId, Option<Rc<str>>>,
    read: &'a dyn Fn(&RevId) -> Option<Vec<u8>>,
}

impl<'a> Locator<'a> {
    /// A locator over `revisions` (in submission order), reading texts with `read`.
    pub fn new(
        revisions: &'a [Revision],
        read: &'a dyn Fn(&RevId) -> Option<Vec<u8>>,
    ) -> Locator<'a> {
        Locator {
            revisions,
            texts: HashMap::new(),
            read,
        }
    }

    /// The text of revision `id`, read once (`None` when it cannot be read).
    pub fn text(&mut self, id: &RevId) -> Option<Rc<str>> {
        if let Some(text) = self.texts.get(id) {
            return text.clone();
        }
        let text = (self.read)(id)
            .and_then(|b| String::from_utf8(b).ok())
            .map(Rc::from);
        self.texts.insert(id.clone(), text.clone());
        text
    }

    /// Where `thread`'s words stand in revision `target`: carried from its own
    /// revision through every one submitted after it. A thread made on a later
    /// revision than `target` is not there (`None`).
    pub fn locate(&mut self, thread: &Thread, target: &RevId) -> Option<Located> {
        let from = self
            .revisions
            .iter()
            .position(|r| r.id == thread.revision)?;
        let to = self.revisions.iter().position(|r| &r.id == target)?;
        if to < from {
            return None;
        }
        let mut anchor = thread.anchor.clone();
        let mut moved = false;
        let mut last = thread.revision.clone();
        // The offsets an entry carries are checked against its own revision's text
        // before anyone uses them: a hand-made entry may name any numbers.
        let Some(own) = self.text(&thread.revision) else {
            return Some(Located {
                thread: thread.clone(),
                place: Place::Outdated { now: None },
                last_seen: None,
            });
        };
        if own.get(anchor.start..anchor.end) != Some(anchor.exact.as_str()) {
            let text = own;
            match anchor::relocate(&anchor, &text).range() {
                Some((start, end)) => anchor = anchor::at(&text, start, end),
                None => {
                    return Some(Located {
                        thread: thread.clone(),
                        place: Place::Outdated { now: None },
                        last_seen: None,
                    });
                }
            }
        }
        for revision in &self.revisions[from + 1..=to] {
            let Some(text) = self.text(&revision.id) else {
                return Some(Located {
                    thread: thread.clone(),
                    place: Place::Outdated { now: None },
                    last_seen: Some(last),
                });
            };
            match anchor::relocate(&anchor, &text) {
                Place::Outdated { now } => {
                    return Some(Located {
                        thread: thread.clone(),
                        place: Place::Outdated { now },
                        last_seen: Some(last),
                    });
                }
                place => {
                    let (start, end) = place.range().unwrap_or_default();
                    moved |= matches!(place, Place::Moved { .. });
                    anchor = anchor::at(&text, start, end);
                    last = revision.id.clone();
                }
            }
        }
        let (start, end) = (anchor.start, anchor.end);
        let place = if moved {
            Place::Moved { start, end }
        } else {
            Place::Anchored { start, end }
        };
        Some(Located {
            thread: thread.clone(),
            place,
            last_seen: None,
        })
    }
}
