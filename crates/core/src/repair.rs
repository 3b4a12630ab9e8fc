//! `repair`: every problem that blocks publishing or sharing, and the one recorded
//! fix for it. Nothing here rewrites history: a fix is a new commit (a file put
//! back byte for byte) or an admin's roster entry (a hand edit adopted, a file the
//! record refuses to count voided). What a fix may do is decided by the same rules
//! that judge the record: [`crate::record::history::settle`] accepts a restore,
//! [`crate::ledger::voids`] and [`crate::check::check_entries`] honour a void.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::check::{self, Problem};
use crate::error::Result;
use crate::ids::Id;
use crate::ledger::ROSTER_DIR;
use crate::ledger::entry;
use crate::ledger::voids::DOES_NOT_COUNT;
use crate::roster::log::{RosterEntry, RosterLog};
use crate::source::{Source, WorkTree};
use crate::workspace::Workspace;
use medreview_store::gitstore::GitStore;
use medreview_store::revision::RevId;

/// What a fix does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fix {
    /// An admin records the file as it is now (`admin record PATH`).
    Adopt {
        /// The governed file, workspace-relative.
        path: String,
    },
    /// Anyone puts the file's recorded bytes back, in one commit.
    Restore {
        /// The file, workspace-relative.
        path: String,
        /// The bytes to put back.
        blob: RevId,
    },
    /// An admin voids the file, whose exact bytes the record refuses to count.
    Void {
        /// The entry file, workspace-relative.
        path: String,
        /// Its bytes now.
        blob: RevId,
    },
    /// Anyone removes the file, which never read as an entry (junk): nothing the
    /// record counted is lost, so the removal is accepted as the repair.
    Remove {
        /// The file, workspace-relative.
        path: String,
    },
    /// Another fix in the list puts this problem right too.
    Covered {
        /// The file whose fix it is.
        path: String,
    },
    /// No fix `repair` makes: the command or step that does.
    Step {
        /// What to run or do.
        step: String,
    },
}

impl Fix {
    /// Whether only an admin may make it.
    pub fn needs_admin(&self) -> bool {
        matches!(self, Fix::Adopt { .. } | Fix::Void { .. })
    }

    /// Whether `repair --yes` makes it.
    pub fn applies(&self) -> bool {
        matches!(
            self,
            Fix::Adopt { .. } | Fix::Restore { .. } | Fix::Void { .. } | Fix::Remove { .. }
        )
    }

    /// What was done, once made.
    pub fn done(&self) -> String {
        match self {
            Fix::Adopt { path } => format!("recorded {path} as it is now"),
            Fix::Restore { path, blob } => {
                format!("put back the recorded bytes of {path} ({})", blob.short())
            }
            Fix::Void { path, .. } => format!("voided {path}"),
            Fix::Remove { path } => format!("removed {path}"),
            Fix::Covered { path } => format!("put right by the fix for {path}"),
            Fix::Step { step } => step.clone(),
        }
    }

    /// The fix in words.
    pub fn describe(&self) -> String {
        match self {
            Fix::Adopt { path } => format!(
                "an admin records {path} as it is now (`medreview repair --yes`, or `medreview admin record {path} -m NOTE`)"
            ),
            Fix::Restore { path, blob } => format!(
                "put back the recorded bytes of {path} ({}), in one commit (`medreview repair --yes`)",
                blob.short()
            ),
            Fix::Void { path, .. } => format!(
                "an admin voids {path}: it stays in the repository, listed as voided, never counted (`medreview repair --yes`)"
            ),
            Fix::Remove { path } => format!(
                "remove {path}, which never read as an entry, in one commit (`medreview repair --yes`)"
            ),
            Fix::Covered { path } => format!("put right by the fix for {path}"),
            Fix::Step { step } => step.clone(),
        }
    }
}

/// One problem and its fix.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The problem, as `check` reports it.
    pub problem: Problem,
    /// The fix.
    pub fix: Fix,
    /// What someone who is not an admin may do instead (put the recorded bytes back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub or: Option<Fix>,
}

/// What blocks the workspace, and how each thing is fixed.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Each problem, with its fix.
    pub items: Vec<Item>,
    /// What `check` lists as repaired or voided already.
    pub repaired: Vec<Problem>,
}

/// Finds every problem `check` reports (and a clone behind its remote) and the fix
/// for each.
pub fn plan(ws: &Workspace) -> Result<Plan> {
    let report = check::run(ws, false)?;
    let src = WorkTree(ws.root());
    let log = RosterLog::load(&src, &ws.git)?;
    let recorded = log.current();
    let stray = log.stray_roots();
    let mut items: Vec<Item> = Vec::new();
    // One fix per file: the first problem of a file decides it, later ones are covered.
    let mut fixed: BTreeSet<String> = BTreeSet::new();
    let restores = originals(&report.problems, ws.prefix());
    for p in &report.problems {
        let file = p.file.as_deref().map(|f| strip(f, ws.prefix()));
        let fix = match file.as_deref() {
            Some(f) if fixed.contains(f) => Fix::Covered { path: f.to_owned() },
            Some(f) => {
                let fix = fix_for(ws, &src, p, f, &recorded.files, &restores, &stray);
                if fix.applies() {
                    fixed.insert(f.to_owned());
                }
                fix
            }
            None => step_for(p),
        };
        let or = match (&fix, file.as_deref()) {
            (Fix::Adopt { .. }, Some(f)) => recorded.files.get(f).map(|blob| Fix::Restore {
                path: f.to_owned(),
                blob: blob.clone(),
            }),
            // Junk may go: it never read as an entry, so nothing counted is lost.
            (Fix::Void { path, blob }, _)
                if src.read(path).ok().flatten().is_some_and(|b| {
                    GitStore::blob_id(&b) == *blob && !reads_as_entry(path, &b)
                }) =>
            {
                Some(Fix::Remove { path: path.clone() })
            }
            _ => None,
        };
        items.push(Item {
            problem: p.clone(),
            fix,
            or,
        });
    }
    if let Some(standing) = crate::upstream::standing(ws)
        && standing.behind > 0
    {
        items.push(Item {
            problem: Problem {
                code: "behind-remote",
                file: None,
                line: None,
                commit: None,
                message: format!(
                    "this clone is {} behind {}/{}: publish refuses until it has what the team shared",
                    crate::plural::plural(standing.behind, "commit", "commits"),
                    standing.name,
                    standing.branch
                ),
                column: None,
                severity: None,
                before: None,
            },
            fix: Fix::Step {
                step: "run `medreview sync`".into(),
            },
            or: None,
        });
    }
    Ok(Plan {
        items,
        repaired: report.repaired,
    })
}

/// For each entry file edited or removed in history: the bytes it held before its
/// first change (what a restore puts back).
fn originals(problems: &[Problem], prefix: &str) -> Vec<(String, RevId)> {
    let mut out: Vec<(String, RevId)> = Vec::new();
    for p in problems {
        if let (Some(file), Some(before), "entry-edited" | "entry-removed") =
            (&p.file, &p.before, p.code)
        {
            let rel = strip(file, prefix);
            if !out.iter().any(|(f, _)| *f == rel) {
                out.push((rel, before.clone()));
            }
        }
    }
    out
}

/// `file` without the workspace's prefix in the repository.
fn strip(file: &str, prefix: &str) -> String {
    file.strip_prefix(prefix).unwrap_or(file).to_owned()
}

/// The fix for problem `p` in the workspace file `f`.
fn fix_for(
    ws: &Workspace,
    src: &WorkTree<'_>,
    p: &Problem,
    f: &str,
    recorded: &std::collections::BTreeMap<String, RevId>,
    restores: &[(String, RevId)],
    stray: &[entry::EntryId],
) -> Fix {
    let here = src.read(f).ok().flatten();
    let here_id = here.as_deref().map(GitStore::blob_id);
    // An entry changed in history goes back to its bytes, whatever else is wrong.
    if let Some((_, blob)) = restores.iter().find(|(path, _)| path == f) {
        if here_id.as_ref() == Some(blob) {
            return Fix::Step {
                step: format!(
                    "commit the restored {f} (`git add {f} && git commit -m \"Restore {f}\"`)"
                ),
            };
        }
        if ws.git.has_blob(blob) {
            return Fix::Restore {
                path: f.to_owned(),
                blob: blob.clone(),
            };
        }
    }
    match p.code {
        "roster-unrecorded" => match (here, recorded.get(f)) {
            (Some(bytes), _)
                if crate::roster::edit::validate_governed(f, &bytes, &ws.path(f)).is_ok()
                    && crate::roster::edit::vouched(ws, f, &bytes) =>
            {
                if p.commit.is_some() && recorded.get(f) == here_id.as_ref() {
                    Fix::Step {
                        step: format!("commit {f} as it is now (it matches the record)"),
                    }
                } else {
                    Fix::Adopt { path: f.to_owned() }
                }
            }
            (_, Some(blob)) => Fix::Restore {
                path: f.to_owned(),
                blob: blob.clone(),
            },
            (Some(_), None) => Fix::Step {
                step: format!(
                    "correct {f} (`medreview check` says what is wrong with it), then run `medreview repair` again"
                ),
            },
            (None, None) => Fix::Step {
                step: "nothing to restore: the file is gone and the record never held it".into(),
            },
        },
        "entry-damaged" | "roster-damaged" | "entry-invalid" | "entry-unreadable" => {
            match (&here_id, here.as_deref()) {
                (Some(blob), Some(bytes)) if !reads_as_entry(f, bytes) => Fix::Void {
                    path: f.to_owned(),
                    blob: blob.clone(),
                },
                (None, _) => Fix::Step {
                    step: "the file is gone; commit its removal (a file that never read as an entry may be removed)".into(),
                },
                _ => Fix::Step {
                    step: format!(
                        "{f} reads as an entry, but comes after one that is damaged or missing: fix that one first"
                    ),
                },
            }
        }
        "roster-entry-invalid" | "roster-second-genesis" => {
            let name = f.rsplit('/').next().unwrap_or_default();
            let is_root = here
                .as_deref()
                .and_then(|b| {
                    entry::read_named::<RosterEntry>(name, b, std::path::Path::new(f)).ok()
                })
                .is_some_and(|(_, e)| e.after.is_empty());
            match &here_id {
                Some(_) if is_root && !stray.iter().any(|id| id.file_name() == name) => Fix::Step {
                    step: "this is the roster's genesis, which the team built on; void the other first entry instead".into(),
                },
                Some(blob) => Fix::Void {
                    path: f.to_owned(),
                    blob: blob.clone(),
                },
                None => Fix::Step {
                    step: "the file is gone from the working tree; restore it (`git checkout -- roster`)".into(),
                },
            }
        }
        "recorded-after-end" => match &here_id {
            Some(blob) => Fix::Void {
                path: f.to_owned(),
                blob: blob.clone(),
            },
            None => step_for(p),
        },
        code if DOES_NOT_COUNT.contains(&code) && p.commit.is_none() => match &here_id {
            Some(blob) => Fix::Void {
                path: f.to_owned(),
                blob: blob.clone(),
            },
            None => step_for(p),
        },
        _ => step_for(p),
    }
}

/// Whether `bytes` read as an entry under the file's name (what the record counts).
fn reads_as_entry(rel: &str, bytes: &[u8]) -> bool {
    let name = rel.rsplit('/').next().unwrap_or_default();
    let shown = std::path::Path::new(rel);
    if rel.starts_with(&format!("{ROSTER_DIR}/")) {
        entry::read_named::<RosterEntry>(name, bytes, shown).is_ok()
    } else {
        entry::read(name, bytes, shown).is_ok()
    }
}

/// The step for a problem no fix of `repair` settles.
fn step_for(p: &Problem) -> Fix {
    let step = match p.code {
        "uncommitted" => {
            "commit the files (`git status` lists them) or restore them (`git checkout -- PATH`)"
        }
        "history-rewritten" | "verified-entry-gone" => {
            "run `medreview sync` to get the shared history back; an entry that is gone is put back by `medreview repair --yes` where its bytes are known"
        }
        "publisher" => {
            "an admin removes the missing person from publishers (`medreview publisher remove ID`) or adds them to the roster"
        }
        "shared-identity" => {
            "an admin gives each person their own key and byline (`medreview reviewer edit ID ...`)"
        }
        "public-key" => {
            "an admin corrects the key (`medreview reviewer edit ID --public-key \"$(cat KEY.pub)\"`)"
        }
        "entry-time" | "entry-time-order" | "entry-in-the-future" | "commit-time-order" => {
            "a clock was off when this was recorded; see docs/sync.md (Clocks): the person whose clock was off fixes it; the entry keeps its meaning"
        }
        "committer-mismatch" => {
            "someone committed a sign-off or roster change as another person; ask that person to record it again themselves, and tell your admins"
        }
        "revision-missing" => "fetch the commits that recorded it (`medreview sync`)",
        "recorded-after-end" => {
            "this sign-off was recorded after its signer's role, license or key had ended, and is dated before: it must not be shared. If it is not pushed yet, take its commit out (`git reset --hard HEAD~1` when it is the last one); a server with the gate refuses it. An active reviewer reviews the article again"
        }
        "roster-conflict" => {
            "an admin records the file again, seeing both changes (`medreview admin record PATH -m NOTE`)"
        }
        "comment-damaged" => {
            "a comment file medreview did not write (or one edited since) never counts: put the recorded bytes back (`git checkout COMMIT -- PATH`), or remove a hand-made file (`git rm PATH`, then commit); removing a file that never read as a comment loses nothing"
        }
        "comment-refused" => {
            "the entry stays in the record and counts for nothing; its author records it again as themselves (`medreview comment`, `resolve` or `reopen`)"
        }
        _ => "`medreview check` and docs/errors.md explain this problem; it has no automatic fix",
    };
    Fix::Step { step: step.into() }
}

/// What `repair --yes` did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The fix.
    pub fix: Fix,
    /// The commit that made it.
    pub commit: String,
}

/// Puts the bytes `blob` back at `path` (workspace-relative) in one commit.
pub fn restore(
    ws: &Workspace,
    path: &str,
    blob: &RevId,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<String> {
    let bytes = ws.git.read_blob(blob)?;
    let _lock = ws.git.lock()?;
    let message = format!(
        "repair: restore {path}\n\nPut back the bytes {} the record holds for it.\nMedreview-Action: repair-restore\nMedreview-File: {path}\n",
        blob.as_str()
    );
    ws.commit(vec![(path.to_owned(), bytes)], &message, None, now)
}

/// Removes `path` (workspace-relative), a file that never read as an entry, in one commit.
pub fn remove(
    ws: &Workspace,
    path: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<String> {
    let _lock = ws.git.lock()?;
    let message = format!(
        "repair: remove {path}\n\nIt never read as an entry, so the record loses nothing.\nMedreview-Action: repair-remove\nMedreview-File: {path}\n"
    );
    ws.remove_files(vec![path.to_owned()], &message, now)
}

/// The proposal that voids `path` (its bytes `blob`), for [`crate::roster::edit::record`].
pub fn void_proposal(path: &str, blob: &RevId, why: &str) -> crate::roster::edit::Proposal {
    crate::roster::edit::Proposal {
        files: Vec::new(),
        what: format!("void {path}: {why}"),
        trailers: format!("Medreview-Action: repair-void\nMedreview-File: {path}\n"),
        done: format!("Voided {path}"),
        bootstrap: None,
        reset: false,
        voids: [(path.to_owned(), blob.clone())].into_iter().collect(),
    }
}

/// The acting person's id, when they are an admin of the recorded roster.
pub fn acting_admin(ws: &Workspace) -> Result<Option<Id>> {
    let people = ws.people()?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let email = ws.git.config_string("user.email");
    Ok(crate::roster::identity::me(&state.roster, email.as_deref())
        .filter(|me| people.audited() && config.admins.contains(me)))
}
