//! Publishing: pages built only from approved revisions, read from git's object
//! database, with every byline fact taken from the sign-off record.
//!
//! Everything is read from the commit HEAD points at (config, roster, ledgers,
//! templates, and the approved article blobs), so the same commit always gives
//! byte-identical output and nothing in the working tree can reach a page.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use medreview_core::article::Article;
use medreview_core::ids::Id;
use medreview_core::record::evaluate::State;
use medreview_store::revision::RevId;

mod block;
mod build;
mod html;
mod hugo;
mod incremental;
mod markdown;
mod output;
pub mod preview;
mod reviewer;
mod run;
mod tag;
mod wellknown;

use self::build::*;
use self::html::*;
use self::hugo::*;
use self::incremental::*;
use self::markdown::*;

pub use self::build::build;
pub use self::html::{BannerView, template_problems, vet_templates};
pub use self::incremental::remember_output;
pub use self::output::{resolve_out, write_output};
pub use self::run::{Published, Request, run};
pub use self::tag::last_publication;
pub use self::tag::{TAG_COMMIT_DIGITS, tag_message, tag_name, tag_time};

/// What `publish` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One HTML page per article, an index page and `manifest.json`.
    Html,
    /// Front matter + Markdown per article (Hugo and Zola content) and `manifest.json`.
    Markdown,
    /// A Hugo site: `content/articles/<slug>.md`, the layouts of `templates/hugo/`
    /// under `layouts/`, and the manifest in `data/medreview/manifest.json`.
    Hugo,
}

impl Format {
    /// Its name in `manifest.json` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Hugo => "hugo",
        }
    }

    /// Where its manifest is written, relative to the output folder.
    pub fn manifest_path(self) -> &'static str {
        match self {
            Format::Html | Format::Markdown => "manifest.json",
            Format::Hugo => hugo::MANIFEST,
        }
    }
}

/// A date as templates see it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DateView {
    /// `2025-03-05`
    pub iso: String,
    /// `March 5, 2025`
    pub display: String,
}

impl Page {
    /// The ids of the sign-offs behind the page: the submission, then the approvals
    /// and re-reviews that count.
    fn signoff_ids(&self) -> Vec<&str> {
        self.submission
            .iter()
            .map(|s| s.entry.as_str())
            .chain(self.approvals.iter().map(|(_, a)| a.entry.as_str()))
            .filter(|id| !id.is_empty())
            .collect()
    }
}

impl DateView {
    fn of(time: &DateTime<FixedOffset>) -> DateView {
        DateView {
            iso: time.format("%Y-%m-%d").to_string(),
            display: time.format("%B %-d, %Y").to_string(),
        }
    }
}

/// A person as templates see them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PersonView {
    /// Roster id.
    pub id: Id,
    /// Full name.
    pub name: String,
    /// Credentials (reviewers only).
    pub credentials: Option<String>,
    /// Specialties (reviewers only).
    pub specialties: Vec<String>,
    /// Short bio.
    pub bio: Option<String>,
    /// Profile pages elsewhere (reviewers only): the JSON-LD's `sameAs`.
    pub same_as: Vec<String>,
}

/// One published article in `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestArticle {
    /// The slug.
    pub slug: Id,
    /// The title of the published revision.
    pub title: String,
    /// The published revision's blob id.
    pub revision: RevId,
    /// Its number (r1 = 1).
    pub revision_number: usize,
    /// The writer's roster id.
    pub writer: Id,
    /// The reviewers whose approvals count.
    pub reviewers: Vec<Id>,
    /// Each approval and re-review that counts: who, what it means, the printed
    /// name and credentials it was signed with, and when.
    pub approvals: Vec<ManifestApproval>,
    /// For approvals someone recorded for the reviewer: reviewer id → who recorded it.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub recorded_by: std::collections::BTreeMap<Id, Id>,
    /// When the published revision was approved (RFC 3339).
    pub last_reviewed: String,
    /// When the article was first approved for publication (RFC 3339).
    pub date_published: String,
    /// When the published text was last changed: its approval (RFC 3339).
    pub date_modified: String,
    /// The file written for it, relative to the output folder.
    pub path: String,
    /// A digest of everything the page was made from: its revision, the people
    /// and dates on it, the templates and settings, the medreview version. A later
    /// publish into the same folder keeps a page whose fingerprint is unchanged.
    pub fingerprint: String,
}

/// One approval or re-review in `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestApproval {
    /// The reviewer's roster id.
    pub by: Id,
    /// `approved` or `recertified`.
    pub action: &'static str,
    /// What it vouches for (`medical-accuracy`, `fact-check`, ...).
    pub meaning: String,
    /// The reviewer's printed name as the roster of its time had it.
    pub name: Option<String>,
    /// The reviewer's credentials as the roster of its time had them.
    pub credentials: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

/// The `manifest.json` document.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Always `medreview`; marks a folder medreview may replace.
    pub generator: &'static str,
    /// The publication's name.
    pub publication: String,
    /// The commit that was exported.
    pub commit: String,
    /// `html`, `markdown` or `hugo`.
    pub format: &'static str,
    /// The published articles, by slug.
    pub articles: Vec<ManifestArticle>,
    /// Every file publish wrote, sorted (the manifest among them): the files a
    /// later publish may replace. Others found in the folder are the user's.
    pub files: Vec<String>,
}

/// A built export, not yet written.
pub struct Export {
    /// What was built.
    pub format: Format,
    /// The manifest (also among `files`).
    pub manifest: Manifest,
    /// Articles left out and why (their state).
    pub skipped: Vec<(Id, State)>,
    /// Publishable articles their schedule keeps off the site at the publication
    /// time (not yet begun, or ended).
    pub off_schedule: Vec<(Id, medreview_core::record::entry::Schedule)>,
    /// Published pages past their medical re-review date, with that date.
    pub overdue: Vec<(Id, chrono::DateTime<chrono::FixedOffset>)>,
    /// Output files: relative path and bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// Who may record a publication, from the exported commit's settings.
    pub publishers: Vec<Id>,
    /// The pages kept as an earlier publish into the same folder wrote them
    /// (linked into the new output, not written again).
    pub reused: std::collections::BTreeSet<String>,
    /// What `/.well-known/medreview/` holds, kept to name and sign the publisher.
    pub(crate) well_known: wellknown::WellKnown,
}

/// Everything one page needs.
struct Page {
    slug: Id,
    article: Article,
    revision: RevId,
    revision_number: usize,
    writer: PersonView,
    /// The medical reviewers: the byline's "Medically reviewed by".
    reviewers: Vec<PersonView>,
    /// Reviewers who vouched for something else, with the meaning (`fact-check`).
    others: Vec<(String, PersonView)>,
    /// Every approval and re-review behind the page, as signed: meaning, printed
    /// name and credentials of its time, and when.
    /// (`approved` or `recertified`, the approval).
    approvals: Vec<(&'static str, medreview_core::record::evaluate::Approval)>,
    recorded_by: std::collections::BTreeMap<Id, Id>,
    /// The submission of the revision, as the record has it.
    submission: Option<medreview_core::record::evaluate::Submission>,
    reviewed: DateTime<FixedOffset>,
    first_published: DateTime<FixedOffset>,
    /// When the text last changed in meaning (a minor change keeps the date before
    /// it; a re-review never moves it): the page's "Updated on" and `dateModified`.
    modified: DateTime<FixedOffset>,
    /// The corrections and updates readers are told of, oldest first.
    changes: Vec<medreview_core::record::evaluate::PublicChange>,
    /// The re-review date it is past, when `review.overdue: banner` tells readers.
    overdue: Option<chrono::NaiveDate>,
    /// A digest of everything the page is made from (see [`fingerprint`]).
    fingerprint: String,
    /// Whether the page an earlier publish into the same folder wrote is kept: its
    /// fingerprint is the same and the file is as that publish left it.
    reused: bool,
    /// Whether the site has a page for each of its reviewers (`reviewers/<id>.html`,
    /// an HTML publish), which the byline and the JSON-LD link; not on a preview.
    reviewer_pages: bool,
}

/// What an earlier publish into the output folder left: the fingerprint of each
/// page its manifest lists, and the stat data of each file as this clone wrote it.
struct Previous {
    out: PathBuf,
    fingerprints: std::collections::HashMap<String, String>,
    written: std::collections::HashMap<String, FileStat>,
}

/// Size, modification time and inode of a file written by publish.
type FileStat = (u64, i64, u64);
