//! Publishing: pages built only from approved revisions, read from git's object
//! database, with every byline fact taken from the sign-off record.
//!
//! Everything is read from the commit HEAD points at (config, roster, ledgers,
//! templates, and the approved article blobs), so the same commit always gives
//! byte-identical output and nothing in the working tree can reach a page.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::render::{self, Context, TemplateSource, Templates};
use crate::templates;
use medreview_core::article::{Article, Source as Citation};
use medreview_core::clock;
use medreview_core::error::{Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::evaluate::{Publishable, State, evaluate};
use medreview_core::roster::Roster;
use medreview_core::source::{Committed, Source};
use medreview_core::workspace::{CONFIG_FILE, Config, Workspace};
use medreview_store::gitstore::EntryKind;
use medreview_store::revision::RevId;

pub mod preview;

/// What `publish` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One HTML page per article, an index page and `manifest.json`.
    Html,
    /// Front matter + Markdown per article (Hugo and Zola content) and `manifest.json`.
    Markdown,
}

/// A date as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// `2025-03-05`
    pub iso: String,
    /// `March 5, 2025`
    pub display: String,
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
pub struct PersonView {
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

/// The `manifest.json` document.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Always `medreview`; marks a folder medreview may replace.
    pub generator: &'static str,
    /// The publication's name.
    pub publication: String,
    /// The commit that was exported.
    pub commit: String,
    /// `html` or `markdown`.
    pub format: &'static str,
    /// The published articles, by slug.
    pub articles: Vec<ManifestArticle>,
    /// Every file publish wrote, sorted (`manifest.json` among them): the files a
    /// later publish may replace. Others found in the folder are the user's.
    pub files: Vec<String>,
}

/// A built export, not yet written.
pub struct Export {
    /// The manifest (also among `files`).
    pub manifest: Manifest,
    /// Articles left out and why (their state).
    pub skipped: Vec<(Id, State)>,
    /// Output files: relative path and bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// Who may record a publication, from the exported commit's settings.
    pub publishers: Vec<Id>,
    /// The pages kept as an earlier publish into the same folder wrote them
    /// (linked into the new output, not written again).
    pub reused: std::collections::BTreeSet<String>,
}

/// Everything one page needs.
struct Page {
    slug: Id,
    article: Article,
    revision: RevId,
    revision_number: usize,
    writer: PersonView,
    reviewers: Vec<PersonView>,
    recorded_by: std::collections::BTreeMap<Id, Id>,
    reviewed: DateTime<FixedOffset>,
    first_published: DateTime<FixedOffset>,
    /// A digest of everything the page is made from (see [`fingerprint`]).
    fingerprint: String,
    /// Whether the page an earlier publish into the same folder wrote is kept: its
    /// fingerprint is the same and the file is as that publish left it.
    reused: bool,
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

fn file_stat(path: &Path) -> Option<FileStat> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(path).ok()?;
    meta.file_type().is_file().then(|| {
        (
            meta.len(),
            meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            meta.ino(),
        )
    })
}

/// The memo key of what was written into the output folder `out`.
/// The build is part of it: a page is reused only from an output this very binary
/// wrote (the fingerprint in the manifest names the version, so that two builds
/// of one version publish the same bytes).
fn output_key(out: &Path) -> String {
    medreview_core::memo::key(&[
        "out-1",
        medreview_core::memo::build_id(),
        &out.display().to_string(),
    ])
}

impl Previous {
    /// What an earlier publish left in `out`, if it was this clone's.
    fn load(ws: &Workspace, out: &Path) -> Option<Previous> {
        let out = out.canonicalize().ok()?;
        let written: Vec<(String, FileStat)> = ws.git.memo.summary(&output_key(&out))?;
        /// The fields of an earlier manifest that reuse needs.
        #[derive(serde::Deserialize)]
        struct Earlier {
            articles: Vec<EarlierPage>,
        }
        #[derive(serde::Deserialize)]
        struct EarlierPage {
            path: String,
            #[serde(default)]
            fingerprint: String,
        }
        let manifest: Earlier =
            serde_json::from_slice(&fs::read(out.join("manifest.json")).ok()?).ok()?;
        let fingerprints = manifest
            .articles
            .into_iter()
            .map(|a| (a.path, a.fingerprint))
            .collect();
        Some(Previous {
            out,
            fingerprints,
            written: written.into_iter().collect(),
        })
    }

    /// Whether page `rel` was made from the same inputs and nothing changed the
    /// file since this clone wrote it.
    fn reuse(&self, rel: &str, fingerprint: &str) -> bool {
        self.fingerprints.get(rel).map(String::as_str) == Some(fingerprint)
            && file_stat(&self.out.join(rel)).is_some_and(|now| self.written.get(rel) == Some(&now))
    }
}

/// Records the stat data of every file publish just wrote into `out`, so the next
/// publish into it may reuse the pages whose inputs did not change.
pub fn remember_output(ws: &Workspace, out: &Path, export: &Export) {
    let Ok(out) = out.canonicalize() else {
        return;
    };
    let written: Vec<(String, FileStat)> = export
        .files
        .iter()
        .filter_map(|(rel, _)| Some((rel.clone(), file_stat(&out.join(rel))?)))
        .collect();
    ws.git.memo.keep_summary(&output_key(&out), &written);
    ws.git.memo.save(false);
}

/// What the pages are rendered with: the binary, the templates and the
/// publication's settings.
fn render_id(src: &dyn Source, config: &Config, format: Format) -> Result<String> {
    let article = template_source(src, "article.html", templates::ARTICLE_HTML)?;
    let base = config.base_url.clone().unwrap_or_default();
    Ok(medreview_core::memo::key(&[
        "render-2",
        env!("CARGO_PKG_VERSION"),
        match format {
            Format::Html => "html",
            Format::Markdown => "markdown",
        },
        &article.text,
        &config.publication,
        &base,
    ]))
}

/// A digest of everything page `p` is made from but its text, which its revision
/// id names: how it is rendered, the people and the dates.
fn fingerprint(render: &str, p: &Page) -> String {
    // People by the digest of all they show on a page, computed once each.
    thread_local! {
        static PEOPLE: std::cell::RefCell<std::collections::HashMap<String, String>> =
            Default::default();
    }
    let person = |view: &PersonView| -> String {
        let json = serde_json::to_string(view).unwrap_or_default();
        PEOPLE.with(|people| {
            people
                .borrow_mut()
                .entry(json)
                .or_insert_with_key(|json| medreview_core::memo::key(&["person-1", json]))
                .clone()
        })
    };
    let mut parts = vec![
        "page-1".to_owned(),
        render.to_owned(),
        p.slug.to_string(),
        p.revision.as_str().to_owned(),
        p.revision_number.to_string(),
        clock::rfc3339(&p.reviewed),
        clock::rfc3339(&p.first_published),
        person(&p.writer),
    ];
    parts.extend(p.reviewers.iter().map(person));
    parts.extend(p.recorded_by.iter().map(|(by, r)| format!("{by}<{r}")));
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    medreview_core::memo::key(&parts)
}

/// The memo key of the front matter of revision `id`.
fn front_key(id: &RevId) -> String {
    medreview_core::memo::key(&["front-1", id.as_str()])
}

/// Builds the export of the commit HEAD points at.
/// `out`: the folder it will be written to, whose pages an earlier publish made
/// from the same inputs are reused (HTML only).
pub fn build(
    ws: &Workspace,
    format: Format,
    now: DateTime<FixedOffset>,
    out: Option<&Path>,
) -> Result<Export> {
    ws.git.memo.bulk();
    let src = Committed {
        snapshot: ws.git.head_snapshot()?,
        prefix: ws.prefix().to_owned(),
        root: ws.root().to_path_buf(),
    };
    let commit = src.snapshot.commit_id().to_owned();
    let config_text = src.read_text(CONFIG_FILE)?.ok_or_else(|| {
        Error::refused_with_hint(
            format!("{CONFIG_FILE} is not committed (publish reads the last commit)"),
            "commit the workspace first",
        )
    })?;
    let config = Config::parse(&config_text, &src.shown(CONFIG_FILE))?;
    let people = medreview_core::roster::people::load(&src, &ws.git)?;
    let roster = people.current().roster.clone();
    let policy = people.policy().unwrap_or_else(|| config.review.clone());
    let mut pages = Vec::new();
    let mut skipped = Vec::new();
    let mut slugs = Vec::new();
    let render = render_id(&src, &config, format)?;
    let previous = match (format, out) {
        (Format::Html, Some(out)) => Previous::load(ws, out),
        _ => None,
    };
    let src_names = Names {
        root: src.root.clone(),
        commit: src.snapshot.commit_id()[..7].to_owned(),
    };
    for (name, kind) in src.list("articles")? {
        match kind {
            EntryKind::Dir => {
                slugs.push(Id::parse_slug(&format!("article folder {name:?}"), &name)?)
            }
            EntryKind::Symlink => {
                return Err(Error::refused_with_hint(
                    format!(
                        "{} is a symbolic link",
                        src.shown(&format!("articles/{name}")).display()
                    ),
                    "articles must be real folders",
                ));
            }
            _ => {}
        }
    }
    slugs.sort();
    // What the people and the policy are read from in the commit, by id.
    let people_key = {
        let p = &src.prefix;
        let id = |rel: &str| {
            src.snapshot
                .folder_id(&format!("{p}{rel}"))
                .or_else(|| src.snapshot.file_id(&format!("{p}{rel}")))
                .map_or("-".to_owned(), |id| id.as_str().to_owned())
        };
        let parts = [
            "people-1".to_owned(),
            id("writers"),
            id(medreview_core::roster::log::ROSTER_DIR),
            id("reviewers"),
            id(CONFIG_FILE),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        medreview_core::memo::key(&parts)
    };
    let mut bar = medreview_output::Progress::new(slugs.len() as u64, "articles", true);
    for slug in slugs {
        bar.tick();
        // What the record says, from the memo when the article's folder and the
        // people are what they were (judged without the clock, which only moves an
        // approval to re-review-due).
        let key = src.folder_id(&format!("articles/{slug}")).map(|folder| {
            medreview_core::memo::key(&["publish-1", &people_key, slug.as_str(), folder.as_str()])
        });
        let kept = key
            .as_deref()
            .and_then(|k| ws.git.memo.summary::<(Option<Publishable>, State)>(k));
        let (publishable, state) = match kept {
            Some(kept) => kept,
            None => {
                let folder = src.folder_id(&Workspace::signoffs_rel(&slug));
                let ledger = medreview_core::record::load_ledger_with(
                    &src,
                    &slug,
                    Some(&ws.git.memo),
                    folder,
                )?;
                ledger.require_intact(&slug).map_err(|err| {
                    Error::refused_with_hint(
                        format!("{err} (commit {}, which publish reads)", &commit[..7]),
                        err.hint().unwrap_or_default(),
                    )
                })?;
                let timeless = DateTime::<chrono::Utc>::MIN_UTC.fixed_offset();
                let status = evaluate(&slug, &ledger, &*people, &policy, timeless);
                let judged = (status.publishable, status.state);
                if let Some(k) = &key {
                    ws.git.memo.keep_summary(k, &judged);
                }
                judged
            }
        };
        let state = match &publishable {
            Some(p) => state.on(p.due_at, now),
            None => state,
        };
        match publishable {
            Some(publishable) => {
                // A page an earlier publish made from the same inputs is kept.
                if let Some(previous) = &previous
                    && let Some(front) = ws
                        .git
                        .memo
                        .summary::<medreview_core::article::FrontMatter>(&front_key(
                            &publishable.revision.id,
                        ))
                {
                    let article = Article {
                        front,
                        body: String::new(),
                    };
                    if let Ok(mut p) = page_from(
                        &src_names,
                        &roster,
                        slug.clone(),
                        publishable.clone(),
                        article,
                    ) {
                        p.fingerprint = fingerprint(&render, &p);
                        if previous.reuse(&page_path(&slug, format), &p.fingerprint) {
                            p.reused = true;
                            pages.push(Pending::Ready(Box::new(p)));
                            continue;
                        }
                    }
                }
                let bytes = medreview_core::article::read_revision(
                    &ws.git,
                    &publishable.revision.id,
                    &src.shown(&Workspace::signoffs_rel(&slug)),
                )?;
                pages.push(Pending::Parse(slug, Box::new(publishable), bytes));
            }
            None => skipped.push((slug, state)),
        }
    }
    // Parsed on every core; the first problem in slug order is the one reported.
    let pages: Vec<Page> = {
        use rayon::prelude::*;
        let parsed: Vec<Result<Page>> = pages
            .into_par_iter()
            .map(|pending| match pending {
                Pending::Ready(p) => Ok(*p),
                Pending::Parse(slug, publishable, bytes) => {
                    let mut p = page(&src_names, &roster, slug, *publishable, &bytes)?;
                    p.fingerprint = fingerprint(&render, &p);
                    Ok(p)
                }
            })
            .collect();
        parsed.into_iter().collect::<Result<_>>()?
    };
    for p in pages.iter().filter(|p| !p.reused) {
        ws.git
            .memo
            .keep_summary(&front_key(&p.revision), &p.article.front);
    }
    // After each record was read, so a damaged one is named first.
    let log = medreview_core::roster::log::RosterLog::load(&src, &ws.git)?;
    refuse_unsupported_history(ws, &roster, &log)?;
    let reused: std::collections::BTreeSet<String> = pages
        .iter()
        .filter(|p| p.reused)
        .map(|p| page_path(&p.slug, format))
        .collect();
    let manifest_articles: Vec<ManifestArticle> =
        pages.iter().map(|p| manifest_entry(p, format)).collect();
    let manifest = Manifest {
        generator: "medreview",
        publication: config.publication.clone(),
        commit,
        format: match format {
            Format::Html => "html",
            Format::Markdown => "markdown",
        },
        articles: manifest_articles,
        files: Vec::new(),
    };
    let mut files: Vec<(String, Vec<u8>)> = match format {
        Format::Html => html_files(&src, &config, &pages)?,
        Format::Markdown => pages
            .iter()
            .map(|p| markdown_file(&config, p))
            .collect::<Result<_>>()?,
    };
    let mut manifest = manifest;
    manifest.files = files
        .iter()
        .map(|(rel, _)| rel.clone())
        .chain(std::iter::once("manifest.json".to_owned()))
        .collect();
    manifest.files.sort();
    let manifest_json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::refused(format!("cannot write manifest.json: {e}")))?;
    files.push((
        "manifest.json".into(),
        format!("{manifest_json}\n").into_bytes(),
    ));
    Ok(Export {
        manifest,
        skipped,
        files,
        publishers: config.publishers,
        reused,
    })
}

/// Refuses to publish from a history `check` would not call sound: an entry
/// removed or edited, a roster changed without its record, a forged committer. The
/// walk starts at `check`'s checkpoint and leaves it where it is.
fn refuse_unsupported_history(
    ws: &Workspace,
    roster: &Roster,
    roster_log: &medreview_core::roster::log::RosterLog<'_>,
) -> Result<()> {
    let root = ws.prefix().trim_end_matches('/').to_owned();
    let scope = medreview_core::record::history::Scope {
        root: &root,
        roster,
        move_checkpoint: false,
        roster_log,
        progress: true,
    };
    let report = medreview_core::record::history::verify(&ws.git, &scope)?;
    if report.problems.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = report
        .problems
        .iter()
        .map(|p| match &p.file {
            Some(file) => format!("{file}: {} [{}]", p.message, p.code),
            None => format!("{} [{}]", p.message, p.code),
        })
        .collect();
    Err(Error::refused_with_hint(
        format!(
            "the record's history does not support publishing ({}):\n  {}",
            medreview_core::plural::plural(listed.len(), "problem", "problems"),
            listed.join("\n  ")
        ),
        "`medreview check` explains each one; restore what was removed or edited, or have an admin record the roster change",
    ))
}

/// How files of the exported commit are named in messages (what
/// [`Source::shown`] says for [`Committed`]), without the repository, so pages can
/// be read on every core.
struct Names {
    root: std::path::PathBuf,
    commit: String,
}

impl Names {
    fn shown(&self, rel: &str) -> std::path::PathBuf {
        std::path::PathBuf::from(format!(
            "{} (commit {})",
            self.root.join(rel).display(),
            self.commit
        ))
    }
}

/// Gathers one publishable article: the approved blob, its people and dates.
fn page(
    src: &Names,
    roster: &Roster,
    slug: Id,
    publishable: Publishable,
    bytes: &[u8],
) -> Result<Page> {
    let shown = src.shown(&format!(
        "{}@{}",
        Workspace::article_rel(&slug),
        publishable.revision.label()
    ));
    let article = Article::parse(bytes, &shown)?;
    page_from(src, roster, slug, publishable, article)
}

/// [`page`] of an article already parsed.
fn page_from(
    src: &Names,
    roster: &Roster,
    slug: Id,
    publishable: Publishable,
    article: Article,
) -> Result<Page> {
    let revision = publishable.revision;
    let shown = src.shown(&format!(
        "{}@{}",
        Workspace::article_rel(&slug),
        revision.label()
    ));
    let writer_id = &article.front.writer;
    let writer = person_view(roster, writer_id).ok_or_else(|| {
        Error::refused_with_hint(
            format!(
                "{}: writer {writer_id} is not in the roster",
                shown.display()
            ),
            format!(
                "add writers/{writer_id}.yaml, or approve a revision that names a writer on file"
            ),
        )
    })?;
    // The reviewers who approved the text, then any who re-reviewed it since: the
    // byline names everyone who vouched for what is on the page.
    let mut vouched: Vec<&Id> = Vec::new();
    for a in publishable
        .approvals
        .iter()
        .chain(&publishable.recertifications)
    {
        if !vouched.contains(&&a.by) {
            vouched.push(&a.by);
        }
    }
    let reviewers = vouched
        .into_iter()
        .filter_map(|id| person_view(roster, id))
        .collect();
    // First publication: the earliest approval on record that passes the policy.
    let first_published = publishable.first_approved_at;
    let recorded_by = publishable
        .approvals
        .iter()
        .filter_map(|a| a.recorded_by.clone().map(|r| (a.by.clone(), r)))
        .collect();
    Ok(Page {
        slug,
        article,
        revision: revision.id,
        revision_number: revision.number,
        writer,
        reviewers,
        recorded_by,
        reviewed: publishable.reviewed_at,
        first_published,
        fingerprint: String::new(),
        reused: false,
    })
}

/// A publishable article, read from an earlier publish or still to be parsed.
enum Pending {
    Ready(Box<Page>),
    Parse(Id, Box<Publishable>, Vec<u8>),
}

fn person_view(roster: &Roster, id: &Id) -> Option<PersonView> {
    if let Some(r) = roster.reviewers.get(id) {
        return Some(PersonView {
            id: id.clone(),
            name: r.name.clone(),
            credentials: Some(r.credentials.clone()),
            specialties: r.specialties.clone(),
            bio: r.bio.clone(),
        });
    }
    roster.writers.get(id).map(|w| PersonView {
        id: id.clone(),
        name: w.name.clone(),
        credentials: None,
        specialties: Vec::new(),
        bio: w.bio.clone(),
    })
}

fn page_path(slug: &Id, format: Format) -> String {
    match format {
        Format::Html => format!("{slug}.html"),
        Format::Markdown => format!("{slug}.md"),
    }
}

fn manifest_entry(p: &Page, format: Format) -> ManifestArticle {
    ManifestArticle {
        slug: p.slug.clone(),
        title: p.article.front.title.clone(),
        revision: p.revision.clone(),
        revision_number: p.revision_number,
        writer: p.writer.id.clone(),
        reviewers: p.reviewers.iter().map(|r| r.id.clone()).collect(),
        recorded_by: p.recorded_by.clone(),
        last_reviewed: clock::rfc3339(&p.reviewed),
        date_published: clock::rfc3339(&p.first_published),
        date_modified: clock::rfc3339(&p.reviewed),
        path: page_path(&p.slug, format),
        fingerprint: p.fingerprint.clone(),
    }
}

/// The article fields templates see as `article`.
#[derive(Serialize)]
struct ArticleView<'a> {
    slug: &'a Id,
    title: &'a str,
    summary: Option<&'a str>,
    topic: Option<&'a str>,
    sources: &'a [Citation],
    revision: &'a RevId,
    revision_number: usize,
    url: String,
    canonical_url: Option<String>,
}

/// The publication fields templates see as `publication`.
#[derive(Serialize)]
struct PublicationView<'a> {
    name: &'a str,
    base_url: Option<&'a str>,
}

/// One entry of the index page.
#[derive(Serialize)]
struct IndexEntry<'a> {
    slug: &'a Id,
    title: &'a str,
    summary: Option<&'a str>,
    topic: Option<&'a str>,
    url: String,
    writer_name: &'a str,
    reviewer_names: Vec<&'a str>,
    reviewers: Vec<BylineName<'a>>,
    reviewed: DateView,
}

/// A reviewer as a byline names them: `Ana Example, M.D.`.
#[derive(Serialize)]
struct BylineName<'a> {
    name: &'a str,
    credentials: Option<&'a str>,
}

fn canonical_url(config: &Config, rel: &str) -> Option<String> {
    config
        .base_url
        .as_deref()
        .map(|base| format!("{}/{rel}", base.trim_end_matches('/')))
}

/// Loads a workspace template from the commit, or the built-in one.
fn template_source(src: &dyn Source, name: &str, builtin: &str) -> Result<TemplateSource> {
    let rel = format!("templates/{name}");
    Ok(TemplateSource {
        text: src.read_text(&rel)?.unwrap_or_else(|| builtin.to_owned()),
        name: rel,
    })
}

fn html_files(src: &dyn Source, config: &Config, pages: &[Page]) -> Result<Vec<(String, Vec<u8>)>> {
    let templates = Templates::new(vec![
        template_source(src, "article.html", templates::ARTICLE_HTML)?,
        template_source(src, "index.html", templates::INDEX_HTML)?,
    ])?;
    let publication = PublicationView {
        name: &config.publication,
        base_url: config.base_url.as_deref(),
    };
    // Rendered on every core, kept in slug order: the same bytes as one by one.
    let rendered: Vec<Result<(String, Vec<u8>)>> = {
        use rayon::prelude::*;
        pages
            .par_iter()
            .map(|p| {
                let path = page_path(&p.slug, Format::Html);
                if p.reused {
                    // Linked from the last output by `write_output`, never rendered.
                    return Ok((path, Vec::new()));
                }
                let html = article_page(&templates, config, &publication, p, None, None)?;
                Ok((path, html.into_bytes()))
            })
            .collect()
    };
    let mut files = rendered.into_iter().collect::<Result<Vec<_>>>()?;
    let entries: Vec<IndexEntry<'_>> = pages
        .iter()
        .map(|p| IndexEntry {
            slug: &p.slug,
            title: &p.article.front.title,
            summary: p.article.front.summary.as_deref(),
            topic: p.article.front.topic.as_deref(),
            url: page_path(&p.slug, Format::Html),
            writer_name: &p.writer.name,
            reviewer_names: p.reviewers.iter().map(|r| r.name.as_str()).collect(),
            reviewers: p
                .reviewers
                .iter()
                .map(|r| BylineName {
                    name: &r.name,
                    credentials: r.credentials.as_deref(),
                })
                .collect(),
            reviewed: DateView::of(&p.reviewed),
        })
        .collect();
    let mut ctx = Context::default();
    ctx.insert("publication", &publication);
    ctx.insert("articles", &entries);
    let index = templates.render("templates/index.html", &ctx)?;
    files.push(("index.html".into(), index.into_bytes()));
    Ok(files)
}

/// A preview's banner, as templates see it (`preview`; none on published pages).
#[derive(Debug, Clone, Serialize)]
pub struct BannerView {
    /// `Not approved`
    pub title: String,
    /// What the shown text is and what state it is in.
    pub detail: String,
}

/// Renders one article page through `templates/article.html`; `body_html` replaces
/// the rendered body (a preview's, with its lint marks).
fn article_page(
    templates: &Templates,
    config: &Config,
    publication: &PublicationView<'_>,
    p: &Page,
    preview: Option<&BannerView>,
    body_html: Option<&str>,
) -> Result<String> {
    let path = page_path(&p.slug, Format::Html);
    let front = &p.article.front;
    let article = ArticleView {
        slug: &p.slug,
        title: &front.title,
        summary: front.summary.as_deref(),
        topic: front.topic.as_deref(),
        sources: &front.sources,
        revision: &p.revision,
        revision_number: p.revision_number,
        canonical_url: canonical_url(config, &path),
        url: path,
    };
    let mut ctx = Context::default();
    ctx.insert("publication", publication);
    ctx.insert("article", &article);
    let body_html = match body_html {
        Some(html) => html.to_owned(),
        None => render::markdown_to_html(&p.article.body),
    };
    ctx.insert_safe("body_html", body_html);
    ctx.insert("writer", &p.writer);
    ctx.insert("reviewers", &p.reviewers);
    ctx.insert("reviewed", &DateView::of(&p.reviewed));
    ctx.insert("published", &DateView::of(&p.first_published));
    ctx.insert("modified", &DateView::of(&p.reviewed));
    ctx.insert("preview", &preview);
    ctx.insert_safe(
        "jsonld",
        render::script_json(&json_ld(config, p, &article))?,
    );
    templates.render("templates/article.html", &ctx)
}

/// schema.org `MedicalWebPage` for one page.
fn json_ld(config: &Config, p: &Page, article: &ArticleView<'_>) -> serde_json::Value {
    use serde_json::json;
    let reviewers: Vec<serde_json::Value> = p
        .reviewers
        .iter()
        .map(|r| {
            json!({
                "@type": "Person",
                "name": r.name,
                "honorificSuffix": r.credentials,
                "knowsAbout": r.specialties,
            })
        })
        .collect();
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "inLanguage": "en",
        "author": { "@type": "Person", "name": p.writer.name },
        "reviewedBy": if reviewers.len() == 1 { reviewers[0].clone() } else { json!(reviewers) },
        "lastReviewed": DateView::of(&p.reviewed).iso,
        "datePublished": DateView::of(&p.first_published).iso,
        "dateModified": DateView::of(&p.reviewed).iso,
        "publisher": { "@type": "Organization", "name": config.publication },
        "citation": article.sources.iter().map(|s| json!({ "@type": "CreativeWork", "name": s.title, "url": s.url })).collect::<Vec<_>>(),
    });
    if let Some(summary) = article.summary {
        doc["description"] = json!(summary);
    }
    if p.reviewers.is_empty()
        && let Some(fields) = doc.as_object_mut()
    {
        // A preview of a text no counted approval covers claims no review.
        fields.remove("reviewedBy");
        fields.remove("lastReviewed");
    }
    if let Some(url) = &article.canonical_url {
        doc["url"] = json!(url);
    }
    doc
}

/// The review facts a static site generator's theme can show.
#[derive(Serialize)]
struct ReviewParams<'a> {
    slug: &'a Id,
    publication: &'a str,
    revision: &'a RevId,
    revision_number: usize,
    medically_reviewed_by: Vec<ReviewerParam<'a>>,
    last_reviewed: String,
    writer: &'a str,
    writer_id: &'a Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sources: &'a [Citation],
}

#[derive(Serialize)]
struct ReviewerParam<'a> {
    id: &'a Id,
    name: &'a str,
    credentials: &'a str,
}

/// Front matter that Hugo and Zola both accept: their shared fields, Hugo's
/// `lastmod` and Zola's `updated`, and the review facts twice: at the top level,
/// where every Hugo version reads unknown keys as `.Params` (Zola ignores them),
/// and under Zola's `extra`.
#[derive(Serialize)]
struct SiteFrontMatter<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    date: String,
    lastmod: String,
    updated: String,
    authors: Vec<&'a str>,
    #[serde(flatten)]
    params: &'a ReviewParams<'a>,
    extra: &'a ReviewParams<'a>,
}

fn markdown_file(config: &Config, p: &Page) -> Result<(String, Vec<u8>)> {
    let front = &p.article.front;
    let params = ReviewParams {
        slug: &p.slug,
        publication: &config.publication,
        revision: &p.revision,
        revision_number: p.revision_number,
        medically_reviewed_by: p
            .reviewers
            .iter()
            .map(|r| ReviewerParam {
                id: &r.id,
                name: &r.name,
                credentials: r.credentials.as_deref().unwrap_or_default(),
            })
            .collect(),
        last_reviewed: DateView::of(&p.reviewed).iso,
        writer: &p.writer.name,
        writer_id: &p.writer.id,
        topic: front.topic.as_deref(),
        sources: &front.sources,
    };
    let site = SiteFrontMatter {
        title: &front.title,
        description: front.summary.as_deref(),
        date: clock::rfc3339(&p.first_published),
        lastmod: clock::rfc3339(&p.reviewed),
        updated: clock::rfc3339(&p.reviewed),
        authors: vec![&p.writer.name],
        params: &params,
        extra: &params,
    };
    // JSON is YAML too, and every string in it is quoted, so no YAML 1.1 parser (Hugo's)
    // can read a title `NO` or a credential `yes` as a boolean (the Norway problem).
    let front_matter = serde_json::to_string_pretty(&site)
        .map_err(|e| Error::refused(format!("cannot write the front matter of {}: {e}", p.slug)))?;
    let text = format!(
        "---\n{front_matter}\n---\n\n{}",
        p.article.body.trim_start_matches('\n')
    );
    Ok((page_path(&p.slug, Format::Markdown), text.into_bytes()))
}

/// Writes `files` into `out` as a whole: they are written to a new folder beside
/// `out`, which then takes its place in one step (`renameat2(RENAME_EXCHANGE)` on
/// Linux; elsewhere two renames, recovered by the next run if interrupted). `out`
/// always holds a complete output. Files in `out` that the previous manifest does
/// not list are the user's: carried into the new folder (HTML), or a refusal that
/// names them (Markdown, a content folder another tool owns).
pub fn write_output(
    out: &Path,
    workspace_root: &Path,
    files: &[(String, Vec<u8>)],
    reused: &std::collections::BTreeSet<String>,
    format: Format,
) -> Result<()> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io("create folder", parent, e))?;
    let parent = parent
        .canonicalize()
        .map_err(|e| Error::io("open folder", parent, e))?;
    let name = out
        .file_name()
        .ok_or_else(|| Error::refused(format!("--out {} has no folder name", out.display())))?;
    let out = parent.join(name);
    let prefix = format!(".medreview-publish-{}-", name.to_string_lossy());
    recover_leftovers(&parent, &out, &prefix)?;
    refuse_unsafe_target(&out, workspace_root)?;
    let theirs = unknown_files(&out, format)?;
    let written: std::collections::BTreeSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let in_the_way: Vec<&PathBuf> = theirs
        .iter()
        .filter(|p| p.to_str().is_some_and(|p| written.contains(p)))
        .collect();
    if !in_the_way.is_empty() {
        return Err(Error::refused_with_hint(
            format!(
                "--out {}: publishing would overwrite files medreview did not write: {}",
                out.display(),
                names(&in_the_way)
            ),
            "rename or move them; medreview writes a page per published article under its slug",
        ));
    }
    if !theirs.is_empty() && format == Format::Markdown {
        return Err(Error::refused_with_hint(
            format!(
                "--out {} holds files medreview did not write: {}",
                out.display(),
                names(&theirs.iter().collect::<Vec<_>>())
            ),
            "move them out of the folder (Hugo's _index.md belongs one level up), or publish into a folder of its own",
        ));
    }
    let staging = tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(STAGING_RAND)
        .tempdir_in(&parent)
        .map_err(|e| Error::io("create a folder in", &parent, e))?;
    let write = |rel: &Path, bytes: &[u8]| -> Result<()> {
        let path = staging.path().join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))
    };
    for (rel, bytes) in files {
        // A page kept from the last publish is linked, not written again (copied
        // where the file system has no links).
        if reused.contains(rel) {
            let (from, to) = (out.join(rel), staging.path().join(rel));
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
            }
            if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).map_err(|e| Error::io("copy", &from, e))?;
            }
            continue;
        }
        write(Path::new(rel), bytes)?;
    }
    for rel in &theirs {
        let from = out.join(rel);
        let rel = rel.as_path();
        let meta = fs::symlink_metadata(&from).map_err(|e| Error::io("read", &from, e))?;
        if meta.file_type().is_symlink() {
            // Carried as the link it is, never followed.
            let target = fs::read_link(&from).map_err(|e| Error::io("read", &from, e))?;
            let to = staging.path().join(rel);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
            }
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &to).map_err(|e| Error::io("write", &to, e))?;
            continue;
        }
        let bytes = fs::read(&from).map_err(|e| Error::io("read", &from, e))?;
        write(rel, &bytes)?;
    }
    let staged = staging.keep();
    if fs::symlink_metadata(&out).is_err() {
        return fs::rename(&staged, &out).map_err(|e| {
            let _ = fs::remove_dir_all(&staged);
            Error::io("move into place", &out, e)
        });
    }
    match rustix::fs::renameat_with(
        rustix::fs::CWD,
        &staged,
        rustix::fs::CWD,
        &out,
        rustix::fs::RenameFlags::EXCHANGE,
    ) {
        Ok(()) => {
            // `staged` now holds the previous output.
            let _ = fs::remove_dir_all(&staged);
            Ok(())
        }
        Err(_) => {
            // No atomic exchange here: move the old output aside, then the new one in.
            let old = staged.with_extension("old");
            if let Err(e) = fs::rename(&out, &old) {
                let _ = fs::remove_dir_all(&staged);
                return Err(Error::io("move aside", &out, e));
            }
            if let Err(e) = fs::rename(&staged, &out) {
                let _ = fs::rename(&old, &out);
                let _ = fs::remove_dir_all(&staged);
                return Err(Error::io("move into place", &out, e));
            }
            let _ = fs::remove_dir_all(&old);
            Ok(())
        }
    }
}

/// Cleans up after a publish into `out` that was interrupted: a previous output
/// left aside while `out` is missing is put back; any other leftover is removed.
fn recover_leftovers(parent: &Path, out: &Path, prefix: &str) -> Result<()> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    // Only this folder's own: the prefix, then exactly the random part (and `.old`),
    // so `site`'s leftovers are never mistaken for `site-2`'s.
    let own = |name: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            let rand = rest.strip_suffix(".old").unwrap_or(rest);
            rand.len() == STAGING_RAND && rand.chars().all(|c| c.is_ascii_alphanumeric())
        })
    };
    let mut leftovers: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(own))
        .map(|e| e.path())
        .collect();
    leftovers.sort();
    for path in leftovers {
        let complete = fs::read_to_string(path.join("manifest.json"))
            .is_ok_and(|m| m.contains("\"generator\": \"medreview\""));
        if fs::symlink_metadata(out).is_err() && complete {
            fs::rename(&path, out).map_err(|e| Error::io("restore", out, e))?;
            medreview_output::notice(format!(
                "medreview: restored {} from an interrupted publish",
                out.display()
            ));
            continue;
        }
        fs::remove_dir_all(&path)
            .map_err(|e| Error::io("remove an interrupted publish's folder", &path, e))?;
    }
    Ok(())
}

/// The random part of a staging folder's name.
const STAGING_RAND: usize = 6;

/// `a, b, c` for a message: every name, up to 50, then how many more.
fn names(paths: &[&PathBuf]) -> String {
    let mut shown: Vec<String> = paths
        .iter()
        .take(50)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if paths.len() > 50 {
        shown.push(format!("and {} more", paths.len() - 50));
    }
    shown.join(", ")
}

/// The files in `out` (relative, sorted) that its manifest does not list as
/// medreview's: the user's. A folder without a medreview manifest is all the user's.
fn unknown_files(out: &Path, format: Format) -> Result<Vec<PathBuf>> {
    if !out.is_dir() {
        return Ok(Vec::new());
    }
    let manifest = fs::read_to_string(out.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .filter(|m| m["generator"] == "medreview");
    let mut ours: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    if let Some(m) = &manifest {
        ours.insert("manifest.json".into());
        match m["files"].as_array() {
            Some(files) => ours.extend(files.iter().filter_map(|v| v.as_str()).map(str::to_owned)),
            // A manifest from before `files`: its pages, and the index of an HTML one.
            None => {
                ours.extend(
                    m["articles"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|a| a["path"].as_str())
                        .map(str::to_owned),
                );
                if m["format"] == "html" || (m["format"].is_null() && format == Format::Html) {
                    ours.insert("index.html".into());
                }
            }
        }
    }
    let mut found = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(dir) = stack.pop() {
        let full = out.join(&dir);
        let entries = fs::read_dir(&full).map_err(|e| Error::io("read folder", &full, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read folder", &full, e))?;
            let rel = dir.join(entry.file_name());
            let kind = entry
                .file_type()
                .map_err(|e| Error::io("read", &entry.path(), e))?;
            if kind.is_dir() {
                stack.push(rel);
            } else if !rel
                .to_str()
                .is_some_and(|r| ours.contains(&r.replace('\\', "/")))
            {
                found.push(rel);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Refuses an output folder that would replace the workspace or a folder medreview did not write.
fn refuse_unsafe_target(out: &Path, workspace_root: &Path) -> Result<()> {
    if workspace_root.starts_with(out) {
        return Err(Error::refused_with_hint(
            format!("--out {} would replace the workspace itself", out.display()),
            "publish into a folder of its own, e.g. --out public",
        ));
    }
    for managed in ["articles", "writers", "reviewers", "templates", ".git"] {
        if out.starts_with(workspace_root.join(managed)) {
            return Err(Error::refused_with_hint(
                format!(
                    "--out {} is inside the workspace's {managed}/ folder",
                    out.display()
                ),
                "publish into a folder of its own, e.g. --out public",
            ));
        }
    }
    let meta = match fs::symlink_metadata(out) {
        Ok(meta) => meta,
        Err(_) => return Ok(()),
    };
    if !meta.is_dir() {
        return Err(Error::refused_with_hint(
            format!("--out {} exists and is not a folder", out.display()),
            "choose another --out, or remove it",
        ));
    }
    let is_empty = fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    let ours = fs::read_to_string(out.join("manifest.json"))
        .is_ok_and(|m| m.contains("\"generator\": \"medreview\""));
    if !is_empty && !ours {
        let theirs = unknown_files(out, Format::Html)?;
        return Err(Error::refused_with_hint(
            format!(
                "--out {} holds files medreview did not write (it has no medreview manifest.json): {}",
                out.display(),
                names(&theirs.iter().collect::<Vec<_>>())
            ),
            "publish into an empty or new folder; medreview replaces its output folder whole",
        ));
    }
    Ok(())
}

/// Where a publication is recorded: `published/<UTC time>`.
pub fn tag_name(now: &DateTime<FixedOffset>) -> String {
    format!(
        "published/{}",
        now.with_timezone(&chrono::Utc).format("%Y%m%dT%H%M%SZ")
    )
}

/// The tag message: every page's slug and revision, then trailers.
pub fn tag_message(manifest: &Manifest, publisher: &Id) -> String {
    let mut message = format!(
        "Publish {} of {}\n\n",
        medreview_core::plural::plural(manifest.articles.len(), "article", "articles"),
        manifest.publication
    );
    for a in &manifest.articles {
        message.push_str(&format!(
            "{} r{} {}\n",
            a.slug, a.revision_number, a.revision
        ));
    }
    message.push_str(&format!(
        "\nMedreview-Action: published\nMedreview-By: {publisher}\n"
    ));
    message
}

/// The folder `--out` names, made absolute against `start`.
pub fn resolve_out(start: &Path, out: &Path) -> PathBuf {
    if out.is_absolute() {
        out.to_path_buf()
    } else {
        start.join(out)
    }
}
