//! An article's entry graph: every sign-off file, linked by `after:` like git's
//! commits link to their parents. Entry `a` *saw* entry `b` when `b` is among its
//! ancestors; two entries neither of which saw the other are concurrent.
//!
//! Entries are listed in one deterministic topological order (an entry after
//! everything it saw; concurrent entries by name, which sorts by time), so any two
//! clones holding the same files see the same list.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use chrono::{DateTime, FixedOffset};

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::ledger::entry::{Action, Entry, EntryId};
use medreview_store::revision::RevId;

/// A file that cannot be part of the record, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The file, workspace-relative.
    pub file: String,
    /// The 1-based line, where known.
    pub line: Option<usize>,
    /// What is wrong with it, as a clause after the file's name ("is not ...").
    pub message: String,
}

impl Damage {
    /// Damage to `file` with no line.
    pub fn new(file: String, message: impl Into<String>) -> Damage {
        Damage {
            file,
            line: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{} {}", self.file, self.message),
        }
    }
}

/// A set of entry positions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bits(Vec<u64>);

impl Bits {
    fn with_len(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    /// Whether position `i` is in the set.
    pub fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn union(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
}

/// A revision as the record knows it: numbered in the order first submitted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Revision {
    /// 1 for r1, ...
    pub number: usize,
    /// The blob id.
    pub id: RevId,
    /// Who first submitted it.
    pub submitted_by: Id,
    /// When it was first submitted.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::clock::de"
    )]
    pub submitted_at: DateTime<FixedOffset>,
}

impl Revision {
    /// `r2`.
    pub fn label(&self) -> String {
        format!("r{}", self.number)
    }

    /// `r2 1a2b3c4`.
    pub fn label_with_id(&self) -> String {
        format!("r{} {}", self.number, self.id.short())
    }
}

/// Anything linked by `after:` to the entries its author had seen.
pub trait Node {
    /// The ids of the entries this one comes after.
    fn after(&self) -> &[EntryId];
}

impl Node for Entry {
    fn after(&self) -> &[EntryId] {
        &self.after
    }
}

/// Entries in topological order and who saw whom: an article's record, or the
/// roster's.
#[derive(Debug, Clone)]
pub struct Dag<T> {
    /// The entries, each after everything it saw.
    pub entries: Vec<T>,
    /// Their ids, position for position.
    pub ids: Vec<EntryId>,
    /// Each entry's ancestors (what its signer had seen), by position.
    ancestors: Vec<Bits>,
    /// Files that could not be made part of the record.
    pub damage: Vec<Damage>,
    /// Files an admin voided (see [`crate::ledger::voids`]), workspace-relative.
    pub voided: Vec<String>,
    /// Why no approval or re-review of this record counts while its history has a
    /// problem `check` reports (set by the command that walked the history; see
    /// [`crate::record::history::judge_history`]).
    pub unsound: Option<String>,
    /// Entry files (by name) a problem in history refuses, and why: an approval or
    /// re-review among them does not count.
    pub refused: std::collections::BTreeMap<String, String>,
}

impl<T> Default for Dag<T> {
    fn default() -> Self {
        Dag {
            entries: Vec::new(),
            ids: Vec::new(),
            ancestors: Vec::new(),
            damage: Vec::new(),
            voided: Vec::new(),
            unsound: None,
            refused: Default::default(),
        }
    }
}

/// An article's record: its sign-offs in topological order and who saw whom.
pub(crate) type Ledger = Dag<Entry>;

/// Why a sign-off may not stand where it is, given the entries it names in `after:`.
fn misplaced(entry: &Entry, parents: &[&Entry]) -> Option<String> {
    // A format-1 signature does not cover `after:`, so a migrated entry may only
    // follow migrated entries, in time order, as `migrate` links them: otherwise an
    // old signed approval could be replayed after a withdrawal.
    (entry.is_migrated()
        && parents
            .iter()
            .any(|p| !p.is_migrated() || p.at > entry.at))
        .then(|| "is a migrated (format 1) entry after one that is not migrated, or older than it; only `medreview migrate` writes them".to_owned())
}

impl Ledger {
    /// Builds an article's graph from sign-offs already read; see [`Dag::build_with`].
    pub fn build(
        read: Vec<(EntryId, Entry)>,
        damage: Vec<Damage>,
        file_of: &dyn Fn(&EntryId) -> String,
    ) -> Ledger {
        Dag::build_with(read, damage, file_of, &misplaced)
    }
}

impl<T: Node + Clone> Dag<T> {
    /// Builds the graph from entries already read; `file_of` names an entry's file in
    /// messages. An entry whose `after:` names an entry that is not there, that is
    /// part of a cycle, or that `reject` refuses given its parents, is damage: it
    /// stays out of the graph, and so does everything after it.
    pub(crate) fn build_with(
        mut read: Vec<(EntryId, T)>,
        mut damage: Vec<Damage>,
        file_of: &dyn Fn(&EntryId) -> String,
        reject: &dyn Fn(&T, &[&T]) -> Option<String>,
    ) -> Dag<T> {
        read.sort_by(|a, b| a.0.cmp(&b.0));
        read.dedup_by(|a, b| a.0 == b.0);
        let index: BTreeMap<&EntryId, usize> = read
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id, i))
            .collect();
        // Entries missing a parent are left out, and so is everything after them.
        let mut missing: Vec<bool> = vec![false; read.len()];
        for (i, (id, entry)) in read.iter().enumerate() {
            for parent in entry.after() {
                if !index.contains_key(parent) {
                    missing[i] = true;
                    damage.push(Damage::new(
                        file_of(id),
                        format!(
                            "names {parent} in after:, which is not in the record (an entry was removed, or this one was copied from elsewhere)"
                        ),
                    ));
                }
            }
        }
        for (i, (id, entry)) in read.iter().enumerate() {
            if missing[i] {
                continue;
            }
            let parents: Vec<&T> = entry
                .after()
                .iter()
                .filter_map(|p| index.get(p))
                .map(|&p| &read[p].1)
                .collect();
            if let Some(message) = reject(entry, &parents) {
                missing[i] = true;
                damage.push(Damage::new(file_of(id), message));
            }
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); read.len()];
        let mut waiting: Vec<usize> = vec![0; read.len()];
        for (i, (_, entry)) in read.iter().enumerate() {
            for parent in entry.after() {
                if let Some(&p) = index.get(parent) {
                    children[p].push(i);
                    waiting[i] += 1;
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> = (0..read.len())
            .filter(|&i| waiting[i] == 0)
            .map(Reverse)
            .collect();
        let mut order: Vec<usize> = Vec::with_capacity(read.len());
        let mut excluded = missing.clone();
        // Positions in `read` are in name order, so the heap pops concurrent entries by name.
        while let Some(Reverse(i)) = ready.pop() {
            if excluded[i] {
                for &c in &children[i] {
                    excluded[c] = true;
                }
            } else {
                order.push(i);
            }
            for &c in &children[i] {
                waiting[c] -= 1;
                if waiting[c] == 0 {
                    ready.push(Reverse(c));
                }
            }
        }
        for (i, (id, _)) in read.iter().enumerate() {
            if waiting[i] > 0 {
                damage.push(Damage::new(
                    file_of(id),
                    "is part of a cycle of after: links, which medreview never writes",
                ));
            } else if excluded[i] && !missing[i] {
                damage.push(Damage::new(
                    file_of(id),
                    "comes after an entry that is damaged or missing",
                ));
            }
        }
        let position: BTreeMap<usize, usize> =
            order.iter().enumerate().map(|(pos, &i)| (i, pos)).collect();
        let n = order.len();
        let mut ancestors: Vec<Bits> = Vec::with_capacity(n);
        for &i in &order {
            let mut bits = Bits::with_len(n);
            for parent in read[i].1.after() {
                if let Some(&p) = index.get(parent).and_then(|p| position.get(p)) {
                    bits.insert(p);
                    let above = ancestors[p].clone();
                    bits.union(&above);
                }
            }
            ancestors.push(bits);
        }
        let mut slots: Vec<Option<(EntryId, T)>> = read.into_iter().map(Some).collect();
        let (ids, entries) = order.iter().filter_map(|&i| slots[i].take()).unzip();
        Dag {
            entries,
            ids,
            ancestors,
            damage,
            voided: Vec::new(),
            unsound: None,
            refused: Default::default(),
        }
    }

    /// Whether the entry at `later` saw the one at `earlier`.
    pub fn saw(&self, later: usize, earlier: usize) -> bool {
        self.ancestors[later].contains(earlier)
    }

    /// Whether neither entry saw the other.
    pub fn concurrent(&self, a: usize, b: usize) -> bool {
        a != b && !self.saw(a, b) && !self.saw(b, a)
    }

    /// The ancestors of the entry at `i`.
    pub fn ancestors(&self, i: usize) -> &Bits {
        &self.ancestors[i]
    }

    /// The position of the entry with id `id`.
    pub fn position(&self, id: &EntryId) -> Option<usize> {
        self.ids.iter().position(|x| x == id)
    }

    /// The heads: entries no other entry saw. A new sign-off names them in `after:`.
    pub fn heads(&self) -> Vec<EntryId> {
        let n = self.entries.len();
        (0..n)
            .filter(|&i| !(i + 1..n).any(|j| self.saw(j, i)))
            .map(|i| self.ids[i].clone())
            .collect()
    }
}

impl Ledger {
    /// The submissions within `view` that no other submission in it saw.
    pub(crate) fn frontier_submissions(&self, view: &dyn Fn(usize) -> bool) -> Vec<usize> {
        let subs: Vec<usize> = (0..self.entries.len())
            .filter(|&i| view(i) && self.entries[i].action == Action::Submitted)
            .collect();
        subs.iter()
            .copied()
            .filter(|&s| !subs.iter().any(|&t| self.saw(t, s)))
            .collect()
    }

    /// The distinct revisions in the order they were first submitted.
    pub fn revisions(&self) -> Vec<Revision> {
        let mut revisions: Vec<Revision> = Vec::new();
        for entry in self
            .entries
            .iter()
            .filter(|e| e.action == Action::Submitted)
        {
            if !revisions.iter().any(|r| r.id == entry.revision) {
                revisions.push(Revision {
                    number: revisions.len() + 1,
                    id: entry.revision.clone(),
                    submitted_by: entry.by.clone(),
                    submitted_at: entry.at,
                });
            }
        }
        revisions
    }

    /// The latest submitted revision and whether that is settled. When concurrent
    /// submissions of different texts are both latest, a later decision that saw
    /// them all picks one; until then the last in order is shown, unsettled.
    pub fn latest(&self) -> Option<(RevId, bool)> {
        let frontier = self.frontier_submissions(&|_| true);
        let last = *frontier.last()?;
        let first = &self.entries[frontier[0]].revision;
        if frontier.iter().all(|&s| &self.entries[s].revision == first) {
            return Some((first.clone(), true));
        }
        let chosen = (0..self.entries.len()).rev().find(|&d| {
            self.entries[d].action.is_decision()
                && frontier.iter().all(|&s| self.saw(d, s))
                && frontier
                    .iter()
                    .any(|&s| self.entries[s].revision == self.entries[d].revision)
        });
        match chosen {
            Some(d) => Some((self.entries[d].revision.clone(), true)),
            None => Some((self.entries[last].revision.clone(), false)),
        }
    }

    /// The revision id of the latest submission.
    pub(crate) fn latest_submitted(&self) -> Option<RevId> {
        self.latest().map(|(id, _)| id)
    }

    /// The latest submitted revision, with its number.
    pub fn latest_revision(&self) -> Option<Revision> {
        let latest = self.latest_submitted()?;
        self.revisions().into_iter().find(|r| r.id == latest)
    }

    /// Resolves `r<N>` or a unique prefix of a submitted revision's id.
    pub fn resolve(&self, name: &str) -> Result<Revision> {
        let revisions = self.revisions();
        let listing = || {
            if revisions.is_empty() {
                "no revision has been submitted yet".to_owned()
            } else {
                let names: Vec<String> = revisions.iter().map(Revision::label_with_id).collect();
                format!("revisions: {}", names.join(", "))
            }
        };
        if let Some(number) = name.strip_prefix('r').and_then(|n| n.parse::<usize>().ok()) {
            return revisions
                .iter()
                .find(|r| r.number == number)
                .cloned()
                .ok_or_else(|| {
                    Error::with_hint(
                        Code::UnknownRevision,
                        format!("there is no revision {name}"),
                        listing(),
                    )
                });
        }
        let lower = name.to_ascii_lowercase();
        if lower.len() < 4 || !lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::with_hint(
                Code::UnknownRevision,
                format!("{name:?} does not name a revision"),
                format!(
                    "name one by number (r1) or by at least 4 hex digits of its id; {}",
                    listing()
                ),
            ));
        }
        let found: Vec<&Revision> = revisions
            .iter()
            .filter(|r| r.id.as_str().starts_with(&lower))
            .collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::with_hint(
                Code::UnknownRevision,
                format!("no submitted revision starts with {name}"),
                listing(),
            )),
            many => Err(Error::with_hint(
                Code::AmbiguousRevision,
                format!("{name} is ambiguous: it starts {} revisions", many.len()),
                format!("give more digits; {}", listing()),
            )),
        }
    }

    /// This record with `entry` added after the current heads, as a new sign-off
    /// would be; returns the record and the new entry's position (`None` when the
    /// entry names an entry this record does not hold, so it is damage here).
    pub fn with_entry(&self, id: EntryId, entry: Entry) -> (Ledger, Option<usize>) {
        let mut read: Vec<(EntryId, Entry)> = self
            .ids
            .iter()
            .cloned()
            .zip(self.entries.iter().cloned())
            .collect();
        read.push((id.clone(), entry));
        let ledger = Ledger::build(read, self.damage.clone(), &|id| id.to_string());
        let position = ledger.position(&id);
        (ledger, position)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An entry with a readable fake id, for graph tests.
    pub(crate) fn fake(
        n: usize,
        action: Action,
        by: &str,
        rev: char,
        after: &[usize],
    ) -> (EntryId, Entry) {
        let id_of = |k: usize| {
            EntryId::parse(&format!("20250301T{:06}Z-approved-x-{:012}", k, k)).expect("valid id")
        };
        (
            id_of(n),
            Entry {
                action,
                by: Id::parse("id", by).expect("valid"),
                at: DateTime::parse_from_rfc3339("2025-03-01T10:00:00+00:00").expect("valid"),
                revision: RevId::parse(&rev.to_string().repeat(40)).expect("valid"),
                after: after.iter().map(|&k| id_of(k)).collect(),
                note: None,
                recorded_by: None,
                roster: Vec::new(),
                clock: None,
                format: None,
                viewed: None,
                meaning: None,
                name: None,
                credentials: None,
                change: None,
                schedule: None,
                signature: None,
            },
        )
    }

    #[test]
    fn order_ancestry_and_heads() {
        use Action::*;
        // 1 <- 2, 1 <- 3 (concurrent), 4 after both.
        let read = vec![
            fake(4, Approved, "ana", 'b', &[2, 3]),
            fake(3, Approved, "bob", 'a', &[1]),
            fake(2, Submitted, "sam", 'b', &[1]),
            fake(1, Submitted, "sam", 'a', &[]),
        ];
        let ledger = Ledger::build(read, Vec::new(), &|id| id.to_string());
        assert!(ledger.damage.is_empty());
        let names: Vec<&str> = ledger.ids.iter().map(|i| &i.as_str()[9..15]).collect();
        assert_eq!(names, ["000001", "000002", "000003", "000004"]);
        assert!(ledger.concurrent(1, 2));
        assert!(ledger.saw(3, 0) && ledger.saw(3, 1) && ledger.saw(3, 2));
        assert_eq!(ledger.heads(), vec![ledger.ids[3].clone()]);
        assert_eq!(ledger.revisions().len(), 2);
        assert_eq!(
            ledger.latest(),
            Some((ledger.entries[1].revision.clone(), true))
        );
    }

    #[test]
    fn a_missing_parent_is_damage_and_so_is_what_follows() {
        use Action::*;
        let read = vec![
            fake(1, Submitted, "sam", 'a', &[]),
            fake(3, Approved, "ana", 'a', &[2]),
            fake(4, Withdrawn, "ana", 'a', &[3]),
        ];
        let ledger = Ledger::build(read, Vec::new(), &|id| id.to_string());
        assert_eq!(ledger.entries.len(), 1);
        assert_eq!(ledger.damage.len(), 2, "{:?}", ledger.damage);
    }

    #[test]
    fn concurrent_submissions_are_unsettled_until_a_decision_picks_one() {
        use Action::*;
        let read = vec![
            fake(1, Submitted, "sam", 'a', &[]),
            fake(2, Submitted, "sam", 'b', &[1]),
            fake(3, Submitted, "kim", 'c', &[1]),
        ];
        let ledger = Ledger::build(read.clone(), Vec::new(), &|id| id.to_string());
        assert_eq!(ledger.latest().map(|l| l.1), Some(false));
        let mut read = read;
        read.push(fake(4, ChangesRequested, "ana", 'b', &[2, 3]));
        let ledger = Ledger::build(read, Vec::new(), &|id| id.to_string());
        assert_eq!(
            ledger.latest(),
            Some((ledger.entries[1].revision.clone(), true))
        );
    }
}
