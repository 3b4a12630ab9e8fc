//! Building the export: every publishable article's page, judged from HEAD's record.

use chrono::{DateTime, FixedOffset};
use medreview_core::article::Article;
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::evaluate::{Publishable, State, evaluate};
use medreview_core::roster::Roster;
use medreview_core::source::{Committed, Source};
use medreview_core::workspace::{CONFIG_FILE, Config, Overdue, Workspace};
use medreview_store::gitstore::EntryKind;
use medreview_store::revision::RevId;
use std::path::Path;

use super::*;

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
        Error::with_hint(
            Code::UncommittedChanges,
            format!("{CONFIG_FILE} is not committed (publish reads the last commit)"),
            "commit the workspace first",
        )
    })?;
    let config = Config::parse(&config_text, &src.shown(CONFIG_FILE))?;
    let people = medreview_core::roster::people::load(&src, &ws.git)?;
    // As `check` reports it and `status` says: nothing is judged by a damaged roster.
    if let Some((why, hint)) = people.damage() {
        return Err(medreview_core::roster::damage::refusal(why, hint));
    }
    let voids = people.voids();
    let roster = people.current().roster.clone();
    let policy = people.policy().unwrap_or_else(|| config.review.clone());
    let mut pages = Vec::new();
    let mut skipped = Vec::new();
    let mut overdue = Vec::new();
    let mut off_schedule = Vec::new();
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
                return Err(Error::with_hint(
                    Code::WrongFileType,
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
    // What the record says, from the memo when the article's folder and the people
    // are what they were (judged without the clock, which only moves an approval to
    // re-review-due). The memo is local state anyone can edit: it may say an article
    // is not publishable (that can only leave a page out), never that it is. Every
    // other article is judged from the entries read from the commit itself (never
    // the memo's copy of them), once; those folders are read on every core.
    let plans: Vec<(Id, Option<String>, Option<Judged>)> = slugs
        .into_iter()
        .map(|slug| {
            let key = src.folder_id(&format!("articles/{slug}")).map(|folder| {
                medreview_core::memo::key(&[
                    "publish-3",
                    &people_key,
                    slug.as_str(),
                    folder.as_str(),
                ])
            });
            let kept = key
                .as_deref()
                .and_then(|k| ws.git.memo.summary::<Judged>(k))
                .filter(|(publishable, _)| publishable.is_none());
            (slug, key, kept)
        })
        .collect();
    let to_judge: Vec<(&Id, Option<RevId>)> = plans
        .iter()
        .filter(|(_, _, kept)| kept.is_none())
        .map(|(slug, _, _)| (slug, src.folder_id(&Workspace::signoffs_rel(slug))))
        .collect();
    let mut ledgers = src
        .on_every_core(&ws.git, to_judge, |src, _, (slug, folder)| {
            medreview_core::record::load_ledger_with(src, slug, None, folder, &voids)
        })
        .into_iter();
    let mut bar = medreview_output::Progress::new(plans.len() as u64, "articles", true);
    for (slug, key, kept) in plans {
        bar.tick();
        let (publishable, state) = match kept {
            Some(kept) => kept,
            None => {
                let ledger = ledgers.next().ok_or_else(|| {
                    Error::internal(format!("publish read no record for {slug}"))
                })??;
                ledger.require_intact(&slug).map_err(|err| {
                    Error::with_hint(
                        err.code(),
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
        let due = publishable
            .as_ref()
            .filter(|_| state == State::ReReviewDue)
            .map(|p| p.due_at);
        if due.is_some() && policy.overdue == Overdue::Unpublish {
            skipped.push((slug, state));
            continue;
        }
        if let Some(due) = due {
            overdue.push((slug.clone(), due));
        }
        let banner = due
            .filter(|_| policy.overdue == Overdue::Banner)
            .map(|d| d.date_naive());
        // A schedule keeps a publishable page off the site before its start and
        // after its end.
        if let Some(schedule) = publishable
            .as_ref()
            .and_then(|p| p.schedule)
            .filter(|s| !s.allows(now))
        {
            off_schedule.push((slug, schedule));
            continue;
        }
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
                        p.overdue = banner;
                        p.fingerprint = fingerprint(&render, &p);
                        if previous.reuse(&page_path(&slug, format), &p.fingerprint) {
                            p.reused = true;
                            pages.push(Pending::Ready(Box::new(p)));
                            continue;
                        }
                    }
                }
                let ledger_shown = src.shown(&Workspace::signoffs_rel(&slug));
                pages.push(Pending::Parse(
                    slug,
                    Box::new(publishable),
                    ledger_shown,
                    banner,
                ));
            }
            None => skipped.push((slug, state)),
        }
    }
    // Read and parsed on every core; the first problem in slug order is the one
    // reported.
    let pages: Vec<Page> = src
        .on_every_core(&ws.git, pages, |_, git, pending| match pending {
            Pending::Ready(p) => Ok(*p),
            Pending::Parse(slug, publishable, ledger_shown, banner) => {
                let bytes = medreview_core::article::read_revision(
                    git,
                    &publishable.revision.id,
                    &ledger_shown,
                )?;
                let mut p = page(&src_names, &roster, slug, *publishable, &bytes)?;
                p.overdue = banner;
                p.fingerprint = fingerprint(&render, &p);
                Ok(p)
            }
        })
        .into_iter()
        .collect::<Result<_>>()?;
    // An HTML site has a page for each reviewer behind its pages, which bylines link.
    let mut pages = pages;
    for p in &mut pages {
        p.reviewer_pages = format == Format::Html;
    }
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
        format: format.name(),
        articles: manifest_articles,
        files: Vec::new(),
    };
    let mut files: Vec<(String, Vec<u8>)> = match format {
        Format::Html => {
            let mut files = html_files(&src, &config, &pages)?;
            files.extend(super::reviewer::reviewer_files(
                &src, &config, &roster, &pages,
            )?);
            files
        }
        Format::Markdown => {
            let mut files: Vec<(String, Vec<u8>)> = pages
                .iter()
                .map(|p| markdown_file(&config, p, format, None))
                .collect::<Result<_>>()?;
            files.extend(super::reviewer::reviewer_content(&roster, &pages)?);
            files
        }
        Format::Hugo => hugo_files(&src, &config, &pages)?,
    };
    let well_known = wellknown::gather(
        &src,
        &ws.git,
        &roster,
        &config,
        &pages,
        &manifest.commit,
        format,
    )?;
    files.extend(wellknown::unsigned_files(&well_known)?);
    let mut export = Export {
        format,
        manifest,
        skipped,
        overdue,
        off_schedule,
        files,
        publishers: config.publishers,
        reused,
        well_known,
    };
    finish_manifest(&mut export)?;
    Ok(export)
}

/// Lists every file of `export` in its `manifest.json` and writes that file.
pub(super) fn finish_manifest(export: &mut Export) -> Result<()> {
    let format = export.format;
    export
        .files
        .retain(|(rel, _)| rel != format.manifest_path());
    let manifest = &mut export.manifest;
    manifest.files = export
        .files
        .iter()
        .map(|(rel, _)| rel.clone())
        .chain(std::iter::once(format.manifest_path().to_owned()))
        .collect();
    manifest.files.sort();
    let manifest_json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::internal(format!("cannot write manifest.json: {e}")))?;
    export.files.push((
        format.manifest_path().into(),
        format!("{manifest_json}\n").into_bytes(),
    ));
    Ok(())
}

/// Refuses to publish from a history `check` would not call sound: an entry
/// removed or edited, a roster changed without its record, a forged committer. The
/// walk starts at `check`'s checkpoint and, when clean, moves it to HEAD as
/// `check`'s and `status`'s do (the same walk under the same roster): a CI job that
/// only ever publishes walks only the new commits the next time (issue 28).
pub(super) fn refuse_unsupported_history(
    ws: &Workspace,
    roster: &Roster,
    roster_log: &medreview_core::roster::log::RosterLog<'_>,
) -> Result<()> {
    let root = ws.prefix().trim_end_matches('/').to_owned();
    let scope = medreview_core::record::history::Scope {
        root: &root,
        roster,
        move_checkpoint: true,
        roster_log,
        progress: true,
        tip: None,
    };
    let report = medreview_core::record::history::verify(&ws.git, &scope)?;
    // The memo remembers the moved checkpoint now, not only if the rest of the
    // publish succeeds: an unremembered checkpoint is never honoured.
    if report.checkpoint_moved {
        ws.git.memo.save(false);
    }
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
    Err(Error::with_hint(
        Code::DamagedHistory,
        format!(
            "the record's history does not support publishing ({}):\n  {}",
            medreview_core::plural::plural(listed.len(), "problem", "problems"),
            listed.join("\n  ")
        ),
        "`medreview repair` lists the recorded fix for each one, and `medreview repair --yes` makes them",
    ))
}

/// How files of the exported commit are named in messages (what
/// [`Source::shown`] says for [`Committed`]), without the repository, so pages can
/// be read on every core.
pub(super) struct Names {
    pub(super) root: std::path::PathBuf,
    pub(super) commit: String,
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
pub(super) fn page(
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
pub(super) fn page_from(
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
        Error::with_hint(
            Code::UnknownWriter,
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
    // byline names everyone who vouched for its medical accuracy; the others are
    // named for what they vouched for (a fact-check).
    let mut vouched: Vec<&Id> = Vec::new();
    let mut others: Vec<(String, PersonView)> = Vec::new();
    for a in publishable
        .approvals
        .iter()
        .chain(&publishable.recertifications)
    {
        if a.is_medical() {
            if !vouched.contains(&&a.by) {
                vouched.push(&a.by);
            }
        } else if !others.iter().any(|(m, p)| *m == a.meaning && p.id == a.by)
            && let Some(view) = person_view(roster, &a.by)
        {
            others.push((a.meaning.clone(), view));
        }
    }
    // The byline names each reviewer as they signed (their last medical approval
    // or re-review of this text), so the page says what the signatures say and a
    // reader's `medreview verify` finds the same words.
    let reviewers = vouched
        .into_iter()
        .filter_map(|id| {
            let mut view = person_view(roster, id)?;
            if let Some(signed) = publishable
                .approvals
                .iter()
                .chain(&publishable.recertifications)
                .filter(|a| a.is_medical() && &a.by == id)
                .max_by_key(|a| a.at)
            {
                if let Some(name) = &signed.name {
                    view.name = name.clone();
                }
                if signed.credentials.is_some() {
                    view.credentials = signed.credentials.clone();
                }
            }
            Some(view)
        })
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
        others,
        approvals: publishable
            .approvals
            .iter()
            .map(|a| ("approved", a.clone()))
            .chain(
                publishable
                    .recertifications
                    .iter()
                    .map(|a| ("recertified", a.clone())),
            )
            .collect(),
        recorded_by,
        submission: publishable.submission.clone(),
        reviewed: publishable.reviewed_at,
        first_published,
        modified: publishable.modified_at,
        changes: publishable.changes.clone(),
        overdue: None,
        fingerprint: String::new(),
        reused: false,
        reviewer_pages: false,
    })
}

/// What the record says of an article: the page it may publish, and its state.
type Judged = (Option<Publishable>, State);

/// A publishable article, read from an earlier publish or still to be read and
/// parsed (its revision named in messages by its record's folder).
pub(super) enum Pending {
    Ready(Box<Page>),
    /// The article, its publishable revision, where its record is shown, and the
    /// re-review date a banner names.
    Parse(
        Id,
        Box<Publishable>,
        std::path::PathBuf,
        Option<chrono::NaiveDate>,
    ),
}

pub(super) fn person_view(roster: &Roster, id: &Id) -> Option<PersonView> {
    if let Some(r) = roster.reviewers.get(id) {
        return Some(PersonView {
            id: id.clone(),
            name: r.name.clone(),
            credentials: Some(r.credentials.clone()),
            specialties: r.specialties.clone(),
            bio: r.bio.clone(),
            same_as: r.same_as.clone(),
        });
    }
    roster.writers.get(id).map(|w| PersonView {
        id: id.clone(),
        name: w.name.clone(),
        credentials: None,
        specialties: Vec::new(),
        bio: w.bio.clone(),
        same_as: Vec::new(),
    })
}

pub(super) fn page_path(slug: &Id, format: Format) -> String {
    match format {
        Format::Html => format!("{slug}.html"),
        Format::Markdown => format!("{slug}.md"),
        Format::Hugo => format!("content/{SECTION}/{slug}.md"),
    }
}

pub(super) fn manifest_entry(p: &Page, format: Format) -> ManifestArticle {
    ManifestArticle {
        slug: p.slug.clone(),
        title: p.article.front.title.clone(),
        revision: p.revision.clone(),
        revision_number: p.revision_number,
        writer: p.writer.id.clone(),
        reviewers: p.reviewers.iter().map(|r| r.id.clone()).collect(),
        approvals: p
            .approvals
            .iter()
            .map(|(action, a)| ManifestApproval {
                by: a.by.clone(),
                action,
                meaning: a.meaning.clone(),
                name: a.name.clone(),
                credentials: a.credentials.clone(),
                at: clock::rfc3339(&a.at),
            })
            .collect(),
        recorded_by: p.recorded_by.clone(),
        last_reviewed: clock::rfc3339(&p.reviewed),
        date_published: clock::rfc3339(&p.first_published),
        date_modified: clock::rfc3339(&p.modified),
        path: page_path(&p.slug, format),
        fingerprint: p.fingerprint.clone(),
    }
}
