//! Exchanging publication tags with the remote so that no publication record is
//! lost and none is doubled.
//!
//! A publication is recorded as an annotated tag `published/<UTC time>-<12 hex of
//! the commit>` (before issue 26: `published/<UTC time>`). One commit has one
//! record: publishing it again reuses its tag. Two clones can still record the
//! same commit before they sync, or (old names) two commits under one name. So
//! `sync` first fetches the remote's tags aside, compares them with this clone's,
//! and only then takes and pushes:
//!
//! - a remote tag this clone lacks is taken;
//! - the same name for the same commit, made by another clone (another tag
//!   object): the remote's record stands and replaces this clone's;
//! - a local tag for a commit the remote records under another name: the remote's
//!   record stands, this clone's is removed (the commit's publication is kept);
//! - the same name for another commit (old names, the same second): this clone's
//!   publication is kept under a name of its own, `<name>-<12 hex>`, and pushed;
//! - every other local tag is pushed.
//!
//! Each replaced, removed or renamed tag is said in the report's warnings. Only
//! publication tags are pushed: the checkpoint never is, since on a gated server the
//! gate alone moves `refs/medreview/checked` (issue 22).

use std::collections::BTreeMap;

use medreview_core::workspace::Workspace;

use super::SyncReport;
use crate::transport::{self, INCOMING_PUBLICATIONS};

const LOCAL: &str = "refs/tags/published/";

/// How many hex digits of the commit a tag name carries (as `publish` names them).
const COMMIT_DIGITS: usize = 12;

/// One publication tag: the tag object and the commit it names.
#[derive(Clone)]
struct Tag {
    object: String,
    commit: Option<String>,
}

fn tags_under(ws: &Workspace, prefix: &str) -> BTreeMap<String, Tag> {
    ws.git
        .refs_under(prefix)
        .into_iter()
        .filter_map(|(name, object)| {
            let short = name.strip_prefix(prefix)?.to_owned();
            let commit = ws.git.peel_to_commit(&object);
            Some((short, Tag { object, commit }))
        })
        .collect()
}

/// Fetches the remote's publication tags, settles them with this clone's (see the
/// module's documentation) and pushes what the remote lacks.
pub(super) fn exchange(ws: &Workspace, remote: &str, report: &mut SyncReport) {
    let workdir = ws.git.workdir().to_path_buf();
    if let Some(warning) = transport::fetch_publications(&workdir, remote) {
        report.warnings.push(warning);
        clear_incoming(ws);
        return;
    }
    let theirs = tags_under(ws, INCOMING_PUBLICATIONS);
    let ours = tags_under(ws, LOCAL);
    let recorded: BTreeMap<&str, &str> = theirs
        .iter()
        .filter_map(|(name, t)| Some((t.commit.as_deref()?, name.as_str())))
        .collect();
    let mut push: Vec<String> = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let mut set = |name: &str, object: &str, why: &str| {
        if let Err(e) = ws.git.set_ref(&format!("{LOCAL}{name}"), object, why) {
            said.push(format!(
                "could not write publication tag published/{name}: {e}"
            ));
        }
    };
    // The remote's tags: taken, or replacing this clone's record of the same commit.
    let mut notes: Vec<String> = Vec::new();
    for (name, t) in &theirs {
        match ours.get(name) {
            None => set(name, &t.object, "medreview sync: fetched a publication"),
            Some(mine) if mine.object == t.object => {}
            Some(mine) if mine.commit == t.commit => {
                set(
                    name,
                    &t.object,
                    "medreview sync: the remote's record stands",
                );
                notes.push(format!(
                    "publication tag published/{name}: {remote} already holds a record of the same publication (commit {}), made by another clone in the same second; {remote}'s record stands and replaced this clone's",
                    short(t.commit.as_deref())
                ));
            }
            Some(mine) => {
                // An old-style name (`published/<time>`) two publishers shared.
                set(name, &t.object, "medreview sync: fetched a publication");
                match mine.commit.as_deref().and_then(|c| recorded.get(c)) {
                    Some(their_name) => notes.push(format!(
                        "publication tag published/{name} names another commit on {remote}; this clone's publication of commit {} is recorded there as published/{their_name}, which stands",
                        short(mine.commit.as_deref())
                    )),
                    None => {
                        let own = unique_name(name, mine.commit.as_deref(), &ours, &theirs);
                        set(&own, &mine.object, "medreview sync: kept under a name of its own");
                        notes.push(format!(
                            "publication tag published/{name} names another commit on {remote} (two publications in the same second); this clone's publication of commit {} is kept as published/{own} and pushed",
                            short(mine.commit.as_deref())
                        ));
                        push.push(own);
                    }
                }
            }
        }
    }
    report.warnings.append(&mut said);
    report.warnings.append(&mut notes);
    // This clone's tags the remote lacks: pushed, unless the remote records the
    // same commit under another name.
    for (name, mine) in &ours {
        if theirs.contains_key(name) {
            continue;
        }
        match mine.commit.as_deref().and_then(|c| recorded.get(c)) {
            Some(their_name) => {
                if let Err(e) = ws.git.delete_ref(&format!("{LOCAL}{name}")) {
                    report.warnings.push(format!(
                        "could not remove publication tag published/{name}: {e}"
                    ));
                    continue;
                }
                report.warnings.push(format!(
                    "publication tag published/{name} was not pushed: {remote} already records the publication of commit {} as published/{their_name}; that record stands, and this clone now holds it instead",
                    short(mine.commit.as_deref())
                ));
            }
            None => push.push(name.clone()),
        }
    }
    clear_incoming(ws);
    let specs: Vec<String> = push
        .iter()
        .map(|name| format!("{LOCAL}{name}:{LOCAL}{name}"))
        .collect();
    let refused = transport::push_refs(&workdir, remote, &specs);
    if !refused.is_empty() {
        report.warnings.extend(refused);
        report.warnings.push(format!(
            "a publication tag {remote} did not take is kept here; `medreview sync` again settles it with what {remote} holds"
        ));
    }
}

/// `name-<12 hex>`, or longer when even that is taken.
fn unique_name(
    name: &str,
    commit: Option<&str>,
    ours: &BTreeMap<String, Tag>,
    theirs: &BTreeMap<String, Tag>,
) -> String {
    let commit = commit.unwrap_or("0000000000000000000000000000000000000000");
    let base = name.split('-').next().unwrap_or(name);
    (COMMIT_DIGITS..=commit.len())
        .map(|n| format!("{base}-{}", &commit[..n]))
        .find(|candidate| !ours.contains_key(candidate) && !theirs.contains_key(candidate))
        .unwrap_or_else(|| format!("{base}-{commit}-{}", ours.len() + theirs.len()))
}

fn short(commit: Option<&str>) -> &str {
    commit.map_or("?", |c| &c[..c.len().min(10)])
}

fn clear_incoming(ws: &Workspace) {
    for (name, _) in ws.git.refs_under(INCOMING_PUBLICATIONS) {
        let _ = ws.git.delete_ref(&name);
    }
}
