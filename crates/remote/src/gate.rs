//! The gate a set of new commits must pass before it joins the record: the server's
//! `pre-receive` hook runs it on what is pushed, and `sync` on what it fetched. The
//! rules are `check`'s own (the history walk of [`medreview_core::record::history`] and the
//! per-entry rules of [`medreview_core::check::check_entries`]), run on the commits brought
//! and the articles they touch only, so the cost follows the push, not the history.

use std::path::PathBuf;

use medreview_core::check::{Problem, check_entries, check_keys};
use medreview_core::error::{Code, Result};
use medreview_core::ids::Id;
use medreview_core::record::history::{self, AddedEntry};
use medreview_core::roster::Roster;
use medreview_core::roster::log::RosterLog;
use medreview_core::source::{Committed, Source};
use medreview_core::workspace::{CONFIG_FILE, Config};

/// What the gate found in a range of commits.
#[derive(Debug, Default)]
pub struct GateReport {
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
    /// Clocks found off: said to the pusher, never a refusal (one person's clock
    /// must not make the record unverifiable for the others).
    pub warnings: Vec<Problem>,
    /// Entry files the commits added.
    pub added: Vec<AddedEntry>,
    /// Commits walked.
    pub commits: usize,
    /// Whether the tip holds a medreview workspace at all.
    pub workspace: bool,
    /// The roster at the tip, for naming pushers.
    pub roster: Roster,
}

/// Verifies the commits reachable from `tip` and from none of `hide`, with the
/// workspace at `prefix` (`""` or `sub/dir/`) inside the repository. `base` is the
/// commit the range extends (the branch before the push), if any.
pub fn verify(
    git: &medreview_core::repo::Repo,
    prefix: &str,
    tip: &str,
    hide: &[String],
    base: Option<&str>,
) -> Result<GateReport> {
    let mut report = GateReport::default();
    let snapshot = git.snapshot(tip)?;
    let src = Committed {
        snapshot,
        prefix: prefix.to_owned(),
        root: PathBuf::new(),
    };
    let config_text = src.read(CONFIG_FILE)?;
    let had_workspace = base.and_then(|b| git.snapshot(b).ok()).is_some_and(|s| {
        s.read(&format!("{prefix}{CONFIG_FILE}"))
            .ok()
            .flatten()
            .is_some()
    });
    let Some(config_text) = config_text else {
        if had_workspace {
            report.problems.push(Problem::at(
                "workspace-removed",
                CONFIG_FILE,
                None,
                format!("the push removes {CONFIG_FILE}, and with it the record's rules"),
            ));
        }
        return Ok(report);
    };
    report.workspace = true;
    let config = match String::from_utf8(config_text)
        .map_err(|_| {
            medreview_core::error::Error::new(Code::NotUtf8, format!("{CONFIG_FILE} is not UTF-8"))
        })
        .and_then(|t| Config::parse(&t, std::path::Path::new(CONFIG_FILE)))
    {
        Ok(config) => config,
        Err(err) => {
            report.problems.push(Problem::from_error("config", &err));
            return Ok(report);
        }
    };
    let (roster, roster_errors) = Roster::load_lenient(&src)?;
    let log = RosterLog::load(&src, git)?;
    let people = medreview_core::roster::people::load_lenient(&src, git)?;
    let current = people.current().roster.clone();
    let root = prefix.trim_end_matches('/').to_owned();
    let scope = history::Scope {
        root: &root,
        roster: &current,
        move_checkpoint: false,
        roster_log: &log,
        progress: false,
        tip: None,
    };
    let range = history::verify_range(git, &scope, tip, hide)?;
    report.commits = range.commits;
    report
        .problems
        .extend(range.problems.into_iter().map(Problem::from));
    report
        .warnings
        .extend(range.warnings.into_iter().map(Problem::from));
    if range.roster_changed {
        report.problems.extend(
            roster_errors
                .iter()
                .map(|e| Problem::from_error("roster-file", e)),
        );
        check_keys(&roster, &mut report.problems);
        for p in medreview_core::roster::audit::audit(&log, &src, &current)? {
            if p.code != "voided" {
                report
                    .problems
                    .push(Problem::at(p.code, &p.file, None, p.message));
            }
        }
    }
    let policy = people.policy().unwrap_or_else(|| config.review.clone());
    let mut not_fetched = git.is_shallow().then_some(0);
    for slug in &range.articles {
        let slug = match Id::parse_slug("article folder name", slug) {
            Ok(slug) => slug,
            Err(err) => {
                report
                    .problems
                    .push(Problem::from_error("article-folder", &err.into()));
                continue;
            }
        };
        match medreview_core::record::load_ledger(&src, &slug, &people.voids()) {
            Ok(ledger) => {
                medreview_core::check::report_damage(&ledger, &mut report.problems);
                check_entries(
                    git,
                    &*people,
                    &policy,
                    &slug,
                    &ledger,
                    &mut report.problems,
                    &mut not_fetched,
                );
                medreview_core::check::check_conversation(
                    &src,
                    &*people,
                    &policy,
                    &slug,
                    &ledger,
                    &mut report.problems,
                );
            }
            Err(err) => report.problems.push(Problem::from_error("record", &err)),
        }
    }
    report
        .warnings
        .extend(medreview_core::check::split_warnings(&mut report.problems));
    report.added = range.added;
    report.roster = current;
    Ok(report)
}

/// For a clone that trusts the gate (a pinned key, see
/// [`medreview_core::record::history::gate`]) and has verified nothing yet — a CI
/// job's fresh clone — fetches the remote's signed checkpoint, so the walk that
/// follows starts from it. Anything that goes wrong is a notice: the walk then
/// verifies the whole history, which is slower and never wrong.
pub fn fetch_checkpoint(ws: &medreview_core::workspace::Workspace) {
    use medreview_core::record::history::gate as statement;
    if statement::pins(&ws.git).map_or(true, |pins| pins.is_empty())
        || history::trusted_checkpoint(&ws.git, ws.prefix().trim_end_matches('/'))
            .ok()
            .flatten()
            .is_some()
    {
        return;
    }
    let remote = medreview_core::upstream::remote_name(ws);
    match crate::transport::fetch_gate(ws.root(), &remote) {
        Ok(true) => {}
        Ok(false) => medreview_output::notice(format!(
            "medreview: {remote} has no gate checkpoint ({}), so the whole history is verified here; whoever runs the server can install one with `medreview hook install --server DIR --gate-key KEY`",
            statement::GATE_REF
        )),
        Err(e) => medreview_output::notice(format!(
            "medreview: the gate's checkpoint was not fetched ({e}), so the whole history is verified here"
        )),
    }
}
