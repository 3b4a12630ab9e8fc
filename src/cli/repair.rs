//! `medreview repair [--yes] [--json]`: each problem that blocks publishing or
//! sharing and the one recorded fix for it; `--yes` makes the fixes the caller may
//! make, one commit each (see `core::repair`).

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, SignerArgs, load_key, print_json, say};
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::repair::{self, Applied, Fix, Plan};
use medreview_core::roster::edit;

/// Arguments of `repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Make the fixes you may make (an admin: all of them), one commit each
    #[arg(long)]
    yes: bool,
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    signer: SignerArgs,
}

/// `repair --json`.
#[derive(serde::Serialize)]
struct RepairJson<'a> {
    applied: &'a [Applied],
    #[serde(flatten)]
    plan: &'a Plan,
}

/// Runs `repair`.
pub fn cmd_repair(ctx: &mut Ctx<'_>, args: RepairArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let mut plan = repair::plan(&ws)?;
    let mut applied = Vec::new();
    let mut skipped_admin = 0;
    if args.yes {
        let admin = repair::acting_admin(&ws)?;
        for item in plan.items.iter().filter(|i| i.fix.applies()) {
            let fix = match (&item.fix, &item.or, admin.is_some()) {
                (fix, _, true) => fix,
                (fix, _, false) if !fix.needs_admin() => fix,
                (_, Some(or), false) => or,
                (_, None, false) => {
                    skipped_admin += 1;
                    continue;
                }
            };
            let now = clock::now()?;
            // An admin's fix is a roster entry, signed with their key under the policy.
            let record = |proposal| -> Result<String> {
                let key = || load_key(&ws, &args.signer);
                Ok(edit::record(&ws, proposal, args.signer.as_id.as_deref(), key, now)?.commit)
            };
            let commit = match fix {
                Fix::Restore { path, blob } => repair::restore(&ws, path, blob, now)?,
                Fix::Remove { path } => repair::remove(&ws, path, now)?,
                Fix::Adopt { path } => record(edit::record_files(
                    &ws,
                    std::slice::from_ref(path),
                    "record it as it is now (medreview repair)",
                )?)?,
                Fix::Void { path, blob } => {
                    let why = format!("the record refuses to count it ({})", item.problem.code);
                    record(repair::void_proposal(path, blob, &why))?
                }
                Fix::Covered { .. } | Fix::Step { .. } => continue,
            };
            if !args.json {
                say(
                    ctx.err,
                    &format!(
                        "Fixed: {} (commit {}).",
                        fix.done(),
                        &commit[..10.min(commit.len())]
                    ),
                )?;
            }
            applied.push(Applied {
                fix: fix.clone(),
                commit,
            });
        }
        if !applied.is_empty() {
            // Read afresh: what the workspace knew of voids and the memo is stale.
            let ws = ctx.workspace()?;
            plan = repair::plan(&ws)?;
        }
    }
    ws.git.memo.save(true);
    let blocking = plan.items.len();
    if args.json {
        print_json(
            ctx.out,
            &RepairJson {
                applied: &applied,
                plan: &plan,
            },
        )?;
    } else {
        for item in &plan.items {
            let p = &item.problem;
            say(ctx.out, &format!("{}{} [{}]", p.place(), p.message, p.code))?;
            let who = if item.fix.needs_admin() {
                " (an admin)"
            } else {
                ""
            };
            say(ctx.out, &format!("  Fix{who}: {}", item.fix.describe()))?;
            if let Some(or) = &item.or {
                say(ctx.out, &format!("  Or (anyone): {}", or.describe()))?;
            }
        }
        for p in &plan.repaired {
            say(ctx.out, &super::repaired_line(p))?;
        }
        let summary = match (blocking, args.yes) {
            (0, _) => "Nothing blocks publishing or sync: `medreview check` is clean.".to_owned(),
            (n, false) if plan.items.iter().any(|i| i.fix.applies()) => format!(
                "{} found. `medreview repair --yes` makes the fixes marked for it{}.",
                medreview_core::plural::plural(n, "problem", "problems"),
                if plan.items.iter().any(|i| i.fix.needs_admin()) {
                    " (an admin makes them all)"
                } else {
                    ""
                }
            ),
            (n, _) => format!(
                "{} left{}.",
                medreview_core::plural::plural(n, "problem", "problems"),
                if skipped_admin > 0 {
                    format!(
                        "; {} only an admin may make: ask one to run `medreview repair --yes` (`medreview config get admins` names them)",
                        medreview_core::plural::plural(skipped_admin, "fix", "fixes")
                    )
                } else {
                    String::new()
                }
            ),
        };
        say(ctx.err, &summary)?;
    }
    Ok(if blocking == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
