//! `medreview writer list` and `reviewer list`: the roster as a table, or `--json`.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;

use super::{Ctx, print_json, say};
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_core::roster::{Reviewer, Role, Writer};

/// Arguments of `writer list` and `reviewer list`.
#[derive(Debug, Default, Args)]
pub struct ListArgs {
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
}

/// One writer in `writer list --json`.
#[derive(Serialize)]
struct WriterRow<'a> {
    id: &'a Id,
    name: &'a str,
    email: Option<&'a str>,
    /// Whether a public key verifies their signed sign-offs.
    has_key: bool,
}

/// One reviewer in `reviewer list --json`.
#[derive(Serialize)]
struct ReviewerRow<'a> {
    id: &'a Id,
    name: &'a str,
    credentials: &'a str,
    specialties: &'a [String],
    email: Option<&'a str>,
    license_number: Option<&'a str>,
    license_region: Option<&'a str>,
    license_expires: Option<NaiveDate>,
    /// Whether the license is valid today (a sign-off given now would count).
    licensed: bool,
    retired: Option<NaiveDate>,
    has_key: bool,
    /// The admin who checked the license, and when (see `roster.md`).
    verified_by: Option<&'a Id>,
    verified_on: Option<NaiveDate>,
    /// Conflicts of interest: `null` when none were stated, `[]` when none were declared.
    disclosures: Option<&'a [String]>,
}

/// The `writer list --json` document.
#[derive(Serialize)]
struct Writers<'a> {
    writers: Vec<WriterRow<'a>>,
}

/// The `reviewer list --json` document.
#[derive(Serialize)]
struct Reviewers<'a> {
    reviewers: Vec<ReviewerRow<'a>>,
}

impl<'a> WriterRow<'a> {
    fn new(id: &'a Id, w: &'a Writer) -> Self {
        WriterRow {
            id,
            name: &w.name,
            email: w.email.as_deref(),
            has_key: w.public_key.is_some(),
        }
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.to_owned(),
            self.email.unwrap_or("-").to_owned(),
            yes_no(self.has_key),
        ]
    }
}

impl<'a> ReviewerRow<'a> {
    fn new(id: &'a Id, r: &'a Reviewer, today: NaiveDate) -> Self {
        let license = r.license.as_ref();
        ReviewerRow {
            id,
            name: &r.name,
            credentials: &r.credentials,
            specialties: &r.specialties,
            email: r.email.as_deref(),
            license_number: license.and_then(|l| l.number.as_deref()),
            license_region: license.and_then(|l| l.region.as_deref()),
            license_expires: license.and_then(|l| l.expires),
            licensed: r.licensed_on(today),
            retired: r.retired,
            has_key: r.public_key.is_some(),
            verified_by: r.verified.as_ref().map(|v| &v.by),
            verified_on: r.verified.as_ref().map(|v| v.on),
            disclosures: r.disclosures.as_deref(),
        }
    }

    fn cells(&self) -> Vec<String> {
        let status = match (self.retired, self.licensed, self.license_expires) {
            (Some(day), _, _) => format!("retired {day}"),
            (None, false, Some(day)) => format!("license expired {day}"),
            _ => "active".to_owned(),
        };
        vec![
            self.id.to_string(),
            self.name.to_owned(),
            self.credentials.to_owned(),
            or_dash(self.specialties.join(", ")),
            self.email.unwrap_or("-").to_owned(),
            self.license_expires
                .map_or("-".to_owned(), |d| d.to_string()),
            yes_no(self.has_key),
            status,
        ]
    }
}

fn yes_no(yes: bool) -> String {
    if yes { "yes" } else { "no" }.to_owned()
}

fn or_dash(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// Lines of a table whose columns are padded to their widest cell (the last one not
/// padded, so no line ends in spaces).
fn table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    std::iter::once(&header)
        .chain(rows)
        .map(|row| {
            let mut line = String::new();
            for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = width - cell.chars().count();
                    line.push_str(&format!("{cell}{}  ", " ".repeat(pad)));
                }
            }
            line
        })
        .collect()
}

/// Runs `writer list` or `reviewer list`.
pub fn cmd_list(ctx: &mut Ctx<'_>, role: Role, args: &ListArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let roster = ws.people()?.current().roster.clone();
    let today = clock::now()?.date_naive();
    let (header, rows): (&[&str], Vec<Vec<String>>) = match role {
        Role::Writer => {
            let rows: Vec<WriterRow<'_>> = roster
                .writers
                .iter()
                .map(|(id, w)| WriterRow::new(id, w))
                .collect();
            if args.json {
                print_json(ctx.out, &Writers { writers: rows })?;
                return Ok(ExitCode::SUCCESS);
            }
            (
                &["ID", "NAME", "EMAIL", "KEY"],
                rows.iter().map(WriterRow::cells).collect(),
            )
        }
        Role::Reviewer => {
            let rows: Vec<ReviewerRow<'_>> = roster
                .reviewers
                .iter()
                .map(|(id, r)| ReviewerRow::new(id, r, today))
                .collect();
            if args.json {
                print_json(ctx.out, &Reviewers { reviewers: rows })?;
                return Ok(ExitCode::SUCCESS);
            }
            (
                &[
                    "ID",
                    "NAME",
                    "CREDENTIALS",
                    "SPECIALTIES",
                    "EMAIL",
                    "LICENSE EXPIRES",
                    "KEY",
                    "STATUS",
                ],
                rows.iter().map(ReviewerRow::cells).collect(),
            )
        }
    };
    if rows.is_empty() {
        let add = match role {
            Role::Writer => "medreview writer add ID --name NAME --email E",
            Role::Reviewer => "medreview reviewer add ID --name NAME --credentials CRED --email E",
        };
        say(
            ctx.err,
            &format!(
                "No {}s in {}/ yet; add one with `{add}`.",
                role.noun(),
                role.folder()
            ),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for line in table(header, &rows) {
        say(ctx.out, &line)?;
    }
    Ok(ExitCode::SUCCESS)
}
