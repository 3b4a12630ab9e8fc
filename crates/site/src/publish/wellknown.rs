//! `/.well-known/medreview/`: what a reader needs to check the published pages
//! without the repository (`medreview verify`, docs/verify.md): the exact bytes
//! of each sign-off behind a page and of each published revision, the public keys
//! that verified them (the keys of their time), and a manifest tying pages,
//! revisions and sign-offs together, signed by the publisher when `publish --as
//! ID --key FILE` names one.
//!
//! Everything here is a function of the commit (the commit's own time, never the
//! clock) and of the publisher, so the same commit gives the same bytes; an
//! Ed25519 or RSA signature is deterministic too.

use std::collections::BTreeMap;
use std::path::Path;

use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::entry::EntryId;
use medreview_core::roster::Roster;
use medreview_core::signing;
use medreview_core::source::Source;
use medreview_core::workspace::{Config, Workspace};
use medreview_store::gitstore::GitStore;

use super::*;
use crate::render::escape_html;
use crate::verify::format::{
    self, DIR, FORMAT, KEYS, MANIFEST, README, SIGNATURE, SiteKeys, SiteManifest, SitePage,
    SitePerson, SiteSignoff,
};

/// What the folder holds before the publisher is named.
pub(crate) struct WellKnown {
    manifest: SiteManifest,
    people: BTreeMap<Id, SitePerson>,
    /// Entry and revision files, by their path in the folder.
    files: BTreeMap<String, Vec<u8>>,
    /// Who may publish, with their name and key in the roster of the commit.
    publishers: BTreeMap<Id, SitePerson>,
    /// The folder it is written to: `.well-known/medreview`, or under `static/`
    /// in a Hugo site, which serves it at the site's root.
    dir: String,
}

/// Gathers the folder's contents for `pages` of the commit `src` reads.
pub(super) fn gather(
    src: &dyn Source,
    git: &GitStore,
    roster: &Roster,
    config: &Config,
    pages: &[Page],
    commit: &str,
    format: Format,
) -> Result<WellKnown> {
    let mut files = BTreeMap::new();
    let mut people: BTreeMap<Id, SitePerson> = BTreeMap::new();
    let mut site_pages = Vec::new();
    for p in pages {
        let mut signoffs = Vec::new();
        let submission = p
            .submission
            .iter()
            .map(|s| ("submitted", &s.entry, &s.by, &s.public_key));
        let approvals = p
            .approvals
            .iter()
            .map(|(action, a)| (*action, &a.entry, &a.by, &a.public_key));
        for (action, entry, by, key) in submission.chain(approvals) {
            let id = EntryId::parse(entry).ok_or_else(|| {
                Error::internal(format!("{}: sign-off {entry:?} has no id", p.slug))
            })?;
            let rel = format!("{}/{id}.yaml", Workspace::signoffs_rel(&p.slug));
            let bytes = src.read(&rel)?.ok_or_else(|| {
                Error::internal(format!("{} is not in the published commit", rel))
            })?;
            files.insert(format::entry_path(&p.slug, &id), bytes);
            let person = people
                .entry(by.clone())
                .or_insert_with(|| person(roster, by));
            if let Some(key) = key
                && !person.keys.contains(key)
            {
                person.keys.push(key.clone());
            }
            signoffs.push(SiteSignoff {
                entry: id,
                action: action.to_owned(),
                by: by.clone(),
                key: key.as_deref().and_then(signing::key_fingerprint),
            });
        }
        let shown = src.shown(&Workspace::signoffs_rel(&p.slug));
        let bytes = medreview_core::article::read_revision(git, &p.revision, &shown)?;
        files.insert(format::revision_path(&p.revision), bytes);
        site_pages.push(SitePage {
            path: page_path(&p.slug, format),
            slug: p.slug.clone(),
            revision: p.revision.clone(),
            revision_number: p.revision_number,
            signoffs,
        });
    }
    let publishers = config
        .publishers
        .iter()
        .map(|id| {
            let mut person = person(roster, id);
            person
                .keys
                .extend(roster.public_key_of(id).map(str::to_owned));
            (id.clone(), person)
        })
        .collect();
    let commit_time = git
        .commit_times(commit)
        .map(|(own, _)| medreview_core::clock::rfc3339(&own));
    Ok(WellKnown {
        manifest: SiteManifest {
            format: FORMAT.to_owned(),
            publication: config.publication.clone(),
            base_url: config.base_url.clone(),
            commit: commit.to_owned(),
            commit_time,
            publisher: None,
            page_format: format.name().to_owned(),
            pages: site_pages,
            files: BTreeMap::new(),
        },
        people,
        files,
        publishers,
        dir: match format {
            Format::Hugo => format!("static/{DIR}"),
            _ => DIR.to_owned(),
        },
    })
}

/// A person as `keys.json` names them, from the roster of the publication.
fn person(roster: &Roster, id: &Id) -> SitePerson {
    let view = build::person_view(roster, id);
    SitePerson {
        id: id.clone(),
        name: view
            .as_ref()
            .map_or_else(|| id.to_string(), |v| v.name.clone()),
        credentials: view.and_then(|v| v.credentials),
        keys: Vec::new(),
    }
}

impl WellKnown {
    /// The folder's files (paths relative to the output folder): the manifest
    /// names `publisher`, and `signature` is its SSHSIG when there is one.
    fn files(&self, publisher: Option<&Id>, signature: Option<&str>) -> Result<Files> {
        let mut people = self.people.clone();
        if let Some(id) = publisher
            && let Some(p) = self.publishers.get(id)
        {
            let entry = people.entry(id.clone()).or_insert_with(|| SitePerson {
                keys: Vec::new(),
                ..p.clone()
            });
            for key in &p.keys {
                if !entry.keys.contains(key) {
                    entry.keys.push(key.clone());
                }
            }
        }
        let keys = SiteKeys {
            people: people.into_values().collect(),
        };
        let keys = json_bytes(&keys, KEYS)?;
        let mut manifest = self.manifest.clone();
        manifest.publisher = publisher.cloned();
        manifest.files = self
            .files
            .iter()
            .map(|(rel, bytes)| (rel.clone(), format::digest(bytes)))
            .collect();
        manifest
            .files
            .insert(KEYS.to_owned(), format::digest(&keys));
        let manifest_bytes = json_bytes(&manifest, MANIFEST)?;
        let mut out: Files = self
            .files
            .iter()
            .map(|(rel, bytes)| (format!("{}/{rel}", self.dir), bytes.clone()))
            .collect();
        out.push((format!("{}/{KEYS}", self.dir), keys));
        out.push((
            format!("{}/{README}", self.dir),
            readme(
                &manifest,
                &self.people,
                publisher.and_then(|id| self.publishers.get(id)),
            )
            .into_bytes(),
        ));
        if let Some(signature) = signature {
            out.push((
                format!("{}/{SIGNATURE}", self.dir),
                signature.as_bytes().to_vec(),
            ));
        }
        out.push((format!("{}/{MANIFEST}", self.dir), manifest_bytes));
        Ok(out)
    }

    /// The manifest's bytes as `files` writes them for `publisher`.
    fn manifest_bytes(&self, publisher: &Id) -> Result<Vec<u8>> {
        let files = self.files(Some(publisher), None)?;
        files
            .into_iter()
            .find(|(rel, _)| rel.ends_with(&format!("/{MANIFEST}")))
            .map(|(_, bytes)| bytes)
            .ok_or_else(|| Error::internal("the well-known folder has no manifest"))
    }
}

type Files = Vec<(String, Vec<u8>)>;

fn json_bytes<T: serde::Serialize>(value: &T, name: &str) -> Result<Vec<u8>> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal(format!("cannot write {DIR}/{name}: {e}")))?;
    Ok(format!("{text}\n").into_bytes())
}

/// The files of an unsigned folder naming no publisher, for `build`.
pub(super) fn unsigned_files(well_known: &WellKnown) -> Result<Files> {
    well_known.files(None, None)
}

/// Names `publisher` in the folder and, with `key`, signs its manifest in
/// [`signing::PUBLICATION_NAMESPACE`]; the export's files and its `manifest.json`
/// are brought in step. The key must be the publisher's `public_key` in the roster.
pub(super) fn seal(export: &mut Export, publisher: &Id, key: Option<&Path>) -> Result<()> {
    let well_known = &export.well_known;
    let Some(person) = well_known.publishers.get(publisher) else {
        return Err(not_a_publisher(publisher));
    };
    let signature = match key {
        Some(path) => {
            let text = String::from_utf8(well_known.manifest_bytes(publisher)?)
                .map_err(|e| Error::internal(format!("manifest is not UTF-8: {e}")))?;
            let signing_key = signing::SigningKey::find(Some(path), &|_| None)?
                .ok_or_else(|| Error::internal("--key named no key"))?;
            let signer = signing::Signer {
                id: publisher,
                public_key: person.keys.first().map(String::as_str),
                roster_file: None,
                recorded_by: None,
            };
            Some(signing_key.sign_as(signing::PUBLICATION_NAMESPACE, &text, &signer)?)
        }
        None => None,
    };
    let fresh = well_known.files(Some(publisher), signature.as_deref())?;
    let prefix = format!("{}/", well_known.dir);
    export.files.retain(|(rel, _)| !rel.starts_with(&prefix));
    export.files.extend(fresh);
    build::finish_manifest(export)
}

/// The refusal of a publication by someone who may not publish.
pub(super) fn not_a_publisher(publisher: &Id) -> Error {
    Error::with_hint(
        Code::NotAPublisher,
        format!(
            "{publisher} may not record a publication: they are not in publishers in medreview.yaml"
        ),
        format!(
            "an admin runs `medreview publisher add {publisher}` (never a hand edit of medreview.yaml), or publish without --as"
        ),
    )
}

/// The page a reader reaches from "How to verify this page": what the folder
/// holds and the command that checks it.
fn readme(
    manifest: &SiteManifest,
    people: &BTreeMap<Id, SitePerson>,
    publisher: Option<&SitePerson>,
) -> String {
    let site = manifest
        .base_url
        .as_deref()
        .unwrap_or("https://this-site.example");
    let key_line = |p: &SitePerson| {
        let keys: Vec<String> = p
            .keys
            .iter()
            .filter_map(|k| signing::key_fingerprint(k))
            .map(|f| format!("<code>{}</code>", escape_html(&f)))
            .collect();
        let credentials = p
            .credentials
            .as_deref()
            .map(|c| format!(", {}", escape_html(c)))
            .unwrap_or_default();
        format!(
            "<li>{}{credentials}: {}</li>\n",
            escape_html(&p.name),
            if keys.is_empty() {
                "no key on file".to_owned()
            } else {
                keys.join(", ")
            }
        )
    };
    let signed_by = match publisher {
        Some(p) => format!(
            "<p>The manifest is signed by the publisher, {}. Keys:</p>\n<ul>\n{}</ul>\n",
            escape_html(&p.name),
            key_line(p)
        ),
        None => {
            "<p><strong>This publication is not signed by a publisher.</strong></p>\n".to_owned()
        }
    };
    let listed: String = people.values().map(key_line).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>How to verify {name}</title>\n</head>\n<body>\n<h1>How to verify these pages</h1>\n<p>Each page of {name} names the revision it shows and the sign-offs behind it. This folder holds the exact text of each published revision, each sign-off, the reviewers' public keys and a manifest (<a href=\"{MANIFEST}\">{MANIFEST}</a>) of commit <code>{commit}</code>.</p>\n<p>To check every page's text and byline against the reviewers' signatures, run:</p>\n<pre>medreview verify {site}</pre>\n{signed_by}<p>Sign-offs are signed by:</p>\n<ul>\n{listed}</ul>\n</body>\n</html>\n",
        name = escape_html(&manifest.publication),
        commit = escape_html(&manifest.commit),
        site = escape_html(site),
    )
}

/// A published page with what it names: its revision, its sign-offs and where the
/// manifest is, in `<head>`.
pub(super) fn mark_page(html: String, p: &Page) -> String {
    let meta = format!(
        "<meta name=\"medreview-revision\" content=\"{}\">\n<meta name=\"medreview-signoffs\" content=\"{}\">\n<link rel=\"medreview-manifest\" href=\"{DIR}/{MANIFEST}\">\n",
        p.revision,
        escape_html(&p.signoff_ids().join(" "))
    );
    match html.find("</head>") {
        Some(at) => format!("{}{meta}{}", &html[..at], &html[at..]),
        None => format!("{meta}{html}"),
    }
}

/// The review block with the link a reader follows to check the page.
pub(super) fn with_verify_link(block: String) -> String {
    let link = format!(
        "<p class=\"verify-link\"><a href=\"{DIR}/{README}\" rel=\"help\">How to verify this page</a></p>\n"
    );
    match block.rfind("</div>") {
        Some(at) => format!("{}{link}{}", &block[..at], &block[at..]),
        None => format!("{block}{link}"),
    }
}
