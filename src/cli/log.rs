//! `medreview log`: every revision and sign-off of one article.

use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::Args;
use serde::Serialize;

use super::{Ctx, print_json, say, slug_arg};
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::Action;
use medreview_core::record::graph::Revision;
use medreview_site::report::{ArticleSummary, RevisionInfo, summarize};
use medreview_store::revision::RevId;

/// Arguments of `log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The article's slug
    slug: String,
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
}

/// One ledger entry in the `--json` document.
#[derive(Serialize)]
struct LogEntry {
    /// The entry's id (its file name without `.yaml`).
    id: String,
    /// The ids of the entries its signer had seen last.
    after: Vec<String>,
    action: Action,
    by: Id,
    #[serde(serialize_with = "clock::ser")]
    at: DateTime<FixedOffset>,
    revision: RevId,
    revision_number: Option<usize>,
    note: Option<String>,
    signed: bool,
    /// For a signed entry whose key admins reset (not signed by the person's own
    /// earlier key): `key reset on DATE by A, B`.
    #[serde(skip_serializing_if = "Option::is_none")]
    key_reset: Option<String>,
    /// Who typed it in for the signer, when someone else did.
    recorded_by: Option<Id>,
    /// How `at` was set when not by the system clock.
    clock: Option<String>,
    /// For approvals: why it does not count, if it does not.
    does_not_count: Option<String>,
    /// For approvals and re-reviews: what it vouches for (`medical-accuracy` for
    /// those made before meanings were recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    meaning: Option<String>,
    /// For approvals and re-reviews: the signer's printed name, as signed (or as
    /// the roster of its time had it, for entries that did not sign it).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// For approvals and re-reviews: the signer's credentials, likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    credentials: Option<String>,
    /// For submissions: the kind of change for readers (`correction`, `update`,
    /// `minor`), when the writer said.
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<medreview_core::record::entry::Change>,
    /// For schedule entries: `not_before` and `not_after` (RFC 3339), each when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<medreview_core::record::entry::Schedule>,
}

/// The `--json` document.
#[derive(Serialize)]
struct LogJson {
    #[serde(flatten)]
    summary: ArticleSummary,
    revisions: Vec<RevisionInfo>,
    entries: Vec<LogEntry>,
    /// Files of the record an admin voided: `{file, message}`.
    voided: Vec<Voided>,
}

/// A voided file in the `--json` document.
#[derive(Serialize)]
struct Voided {
    file: String,
    message: String,
}

impl LogArgs {
    /// Whether the output is text, which a pager may show.
    pub(crate) fn pages(&self) -> bool {
        !self.json
    }
}

/// Runs `log`.
pub fn cmd_log(ctx: &mut Ctx<'_>, args: LogArgs) -> Result<ExitCode> {
    let slug = slug_arg(&args.slug)?;
    let ws = ctx.workspace()?;
    // Judged by the committed people and policy, as `status` and `publish` judge.
    let people = ws.committed_people()?;
    super::warn_roster(ctx, &*people)?;
    let roster = people.current().roster.clone();
    // A sign-off history refuses counts here as nowhere else (one rule with
    // `status` and `publish`).
    medreview_core::record::history::judge_history(&ws, false)?;
    let record = ArticleRecord::load(&ws, &slug)?;
    let summary = summarize(&ws, &*people, &record, clock::now()?)?;
    let revisions = record.ledger.revisions();
    let revision_of = |id: &RevId| -> Option<&Revision> { revisions.iter().find(|r| &r.id == id) };
    let now = clock::now()?;
    let status = record.status(&ws, &*people, now);
    let entries: Vec<LogEntry> = record
        .ledger
        .entries
        .iter()
        .zip(&record.ledger.ids)
        .zip(&status.verdicts)
        .map(|((e, id), verdict)| {
            let then = e
                .action
                .vouches()
                .then(|| people.at(e).roster.reviewers.get(&e.by).cloned())
                .flatten();
            LogEntry {
                id: id.to_string(),
                after: e.after.iter().map(ToString::to_string).collect(),
                action: e.action,
                by: e.by.clone(),
                at: e.at,
                revision: e.revision.clone(),
                revision_number: revision_of(&e.revision).map(|r| r.number),
                note: e.note.clone(),
                signed: e.signature.is_some(),
                key_reset: e.signature.as_ref().and_then(|_| {
                    people
                        .at(e)
                        .roster
                        .key_resets
                        .get(&e.by)
                        .map(|r| r.describe())
                }),
                recorded_by: e.recorded_by.clone(),
                clock: e.clock.clone(),
                does_not_count: verdict.clone(),
                meaning: e.action.vouches().then(|| e.meaning().to_owned()),
                name: e
                    .name
                    .clone()
                    .or_else(|| then.as_ref().map(|r| r.name.clone())),
                credentials: e
                    .credentials
                    .clone()
                    .or_else(|| then.as_ref().map(|r| r.credentials.clone())),
                change: e.change,
                schedule: e.schedule,
            }
        })
        .collect();
    let infos = revisions
        .iter()
        .map(|r| RevisionInfo::with_change(&ws, &record, r))
        .collect::<Result<Vec<_>>>()?;
    let voids = ws.voids()?;
    let voided: Vec<Voided> = record
        .ledger
        .voided
        .iter()
        .filter_map(|file| {
            voids.get(file).map(|v| Voided {
                file: file.clone(),
                message: v.describe(),
            })
        })
        .collect();
    if args.json {
        print_json(
            ctx.out,
            &LogJson {
                summary,
                revisions: infos,
                entries,
                voided,
            },
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    say(ctx.out, &format!("{}: {}", summary.slug, summary.title))?;
    if entries.is_empty() {
        say(ctx.out, "  never submitted (draft)")?;
    }
    let mut described = std::collections::BTreeSet::new();
    let mut fixed_clock = false;
    for e in &entries {
        let rev = match e.revision_number {
            Some(n) => format!("r{n} {}", e.revision.short()),
            None => e.revision.short().to_owned(),
        };
        let who = roster
            .name_of(&e.by)
            .map_or(e.by.to_string(), |name| format!("{name} ({})", e.by));
        let signed = match (e.signed, &e.key_reset) {
            (true, Some(reset)) => format!(", signed ({reset})"),
            (true, None) => ", signed".to_owned(),
            _ => String::new(),
        };
        let proxy = e
            .recorded_by
            .as_ref()
            .map_or(String::new(), |r| format!(", recorded by {r}"));
        let fixed = if e.clock.is_some() {
            fixed_clock = true;
            "*"
        } else {
            ""
        };
        say(
            ctx.out,
            &format!(
                "{}{fixed}  {rev}  {} by {who}{signed}{proxy}",
                clock::short(&e.at),
                e.action
            ),
        )?;
        // Under the first submission of each revision: what it changed.
        if e.action == Action::Submitted
            && let Some(info) = e.revision_number.and_then(|n| infos.get(n - 1))
            && described.insert(info.number)
            && let Some(change) = info.change
        {
            let what = if info.number == 1 {
                medreview_core::plural::plural(change.words_added, "word", "words")
            } else {
                format!(
                    "{} added, {} removed since r{}",
                    medreview_core::plural::plural(change.words_added, "word", "words"),
                    change.words_removed,
                    info.number - 1
                )
            };
            say(ctx.out, &format!("    ({what})"))?;
        }
        // What a signature means, with the name it printed (21 CFR 11.50).
        if let Some(meaning) = &e.meaning {
            let signer = match (&e.name, &e.credentials) {
                (Some(name), Some(c)) => format!(" (signed as {name}, {c})"),
                (Some(name), None) => format!(" (signed as {name})"),
                _ => String::new(),
            };
            say(ctx.out, &format!("    meaning: {meaning}{signer}"))?;
        }
        if let Some(change) = e.change {
            let public = match change {
                medreview_core::record::entry::Change::Minor => "",
                _ => "; its note is shown to readers once approved",
            };
            say(ctx.out, &format!("    change: {change}{public}"))?;
        }
        if let Some(s) = &e.schedule {
            let time = |t: Option<chrono::DateTime<chrono::FixedOffset>>| {
                t.map_or("-".to_owned(), |t| clock::rfc3339(&t))
            };
            say(
                ctx.out,
                &format!(
                    "    schedule: not before {}, not after {}",
                    time(s.not_before),
                    time(s.not_after)
                ),
            )?;
        }
        if let Some(why) = &e.does_not_count {
            say(ctx.out, &format!("    (does not count: {why})"))?;
        }
        for line in e.note.as_deref().unwrap_or_default().lines() {
            say(ctx.out, &format!("    {line}"))?;
        }
    }
    let now = match &summary.publishable {
        Some(p) => format!("{}; publishable: {}", summary.state, p.revision.label()),
        None => format!("{}; nothing publishable", summary.state),
    };
    for v in &voided {
        say(ctx.out, &format!("voided: {} ({})", v.file, v.message))?;
    }
    say(ctx.out, &format!("now: {now}"))?;
    if summary.unsubmitted_edits {
        say(ctx.out, "the working tree has edits not yet submitted")?;
    }
    if fixed_clock {
        say(
            ctx.out,
            "* time set by MEDREVIEW_NOW, not the system clock (an import, a demo or a backdated entry)",
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
