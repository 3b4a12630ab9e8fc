//! What to set aside when the server's gate refused a push: the local commits whose
//! files (or whose own ids) its refusal names, each with the gate's words. Set
//! aside, they are kept under `refs/medreview/dropped/` and stop counting here, so
//! the person can record again at once instead of pushing the same refused commit
//! on every sync (issue 22).

use std::collections::BTreeMap;

use medreview_core::error::Result;
use medreview_core::workspace::Workspace;

/// The gate's refusal lines (`medreview: refused REF: [code] message`), without
/// git's `remote:` prefix and the ref.
fn gate_lines(said: &str) -> Vec<&str> {
    said.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches("remote:").trim();
            let rest = l.strip_prefix("medreview: refused ")?;
            Some(rest.split_once(": ").map_or(rest, |(_, m)| m))
        })
        .collect()
}

/// The paths (repository-relative) of the pushed commits the gate's refusal names,
/// each with the reason to give. A refusal that names none of them sets every
/// pushed commit aside; one that is not the gate's sets nothing aside (empty).
pub(super) fn blame(
    ws: &Workspace,
    pushed_tip: &str,
    remote_tip: Option<&str>,
    said: &str,
) -> Result<BTreeMap<String, String>> {
    let lines = gate_lines(said);
    let mut blamed = BTreeMap::new();
    if lines.is_empty() {
        return Ok(blamed);
    }
    let hide: Vec<String> = remote_tip.iter().map(|s| s.to_string()).collect();
    let pushed = ws.git.commits_between(pushed_tip, &hide)?;
    let mut all = BTreeMap::new();
    for commit in &pushed {
        let Some(parent) = commit.parents.first() else {
            continue;
        };
        let changes = ws.git.path_changes(Some(parent), &commit.id)?;
        let short = &commit.id[..10];
        let by_commit = lines.iter().find(|l| l.contains(short));
        for change in &changes {
            let by_file = lines.iter().find(|l| l.contains(change.path.as_str()));
            if let Some(line) = by_file.or(by_commit) {
                blamed.insert(change.path.clone(), reason(line));
            }
            all.insert(change.path.clone(), reason(&lines.join("; ")));
        }
    }
    Ok(if blamed.is_empty() { all } else { blamed })
}

/// The reason a set-aside commit was not shared, in words, from the gate's line.
fn reason(line: &str) -> String {
    let next = if line.contains("[server-time]") {
        "this clone's clock is off from the server's: set it right, then record it again"
    } else {
        "deal with what the server names, then record it again"
    };
    format!("the server refused it ({line}); it no longer counts here: {next}")
}
