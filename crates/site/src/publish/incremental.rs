//! Publishing again into the same folder: what an earlier publish left (each page's
//! fingerprint and file stat), so an unchanged page is linked, not rendered again.

use crate::templates;
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::source::Source;
use medreview_core::workspace::{Config, Workspace};
use medreview_store::revision::RevId;
use std::fs;
use std::path::Path;

use super::*;

pub(super) fn file_stat(path: &Path) -> Option<FileStat> {
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
pub(super) fn output_key(out: &Path) -> String {
    medreview_core::memo::key(&[
        "out-1",
        medreview_core::memo::build_id(),
        &out.display().to_string(),
    ])
}

impl Previous {
    /// What an earlier publish left in `out`, if it was this clone's.
    pub(super) fn load(ws: &Workspace, out: &Path) -> Option<Previous> {
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
    pub(super) fn reuse(&self, rel: &str, fingerprint: &str) -> bool {
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
pub(super) fn render_id(src: &dyn Source, config: &Config, format: Format) -> Result<String> {
    let article = template_source(src, "article.html", templates::ARTICLE_HTML)?;
    let base = config.base_url.clone().unwrap_or_default();
    Ok(medreview_core::memo::key(&[
        "render-4",
        env!("CARGO_PKG_VERSION"),
        format.name(),
        &article.text,
        &config.publication,
        &base,
    ]))
}

/// A digest of everything page `p` is made from but its text, which its revision
/// id names: how it is rendered, the people and the dates.
pub(super) fn fingerprint(render: &str, p: &Page) -> String {
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
        "page-2".to_owned(),
        render.to_owned(),
        p.slug.to_string(),
        p.revision.as_str().to_owned(),
        p.revision_number.to_string(),
        clock::rfc3339(&p.reviewed),
        clock::rfc3339(&p.first_published),
        clock::rfc3339(&p.modified),
        p.overdue.map_or(String::new(), |d| format!("overdue {d}")),
        person(&p.writer),
    ];
    parts.extend(p.reviewers.iter().map(person));
    parts.extend(
        p.others
            .iter()
            .map(|(meaning, r)| format!("{meaning}:{}", person(r))),
    );
    parts.extend(p.approvals.iter().map(|(action, a)| {
        format!(
            "{action}|{}|{}|{}|{}|{}",
            a.by,
            a.meaning,
            a.name.as_deref().unwrap_or_default(),
            a.credentials.as_deref().unwrap_or_default(),
            clock::rfc3339(&a.at)
        )
    }));
    parts.extend(p.recorded_by.iter().map(|(by, r)| format!("{by}<{r}")));
    parts.extend(p.changes.iter().map(|c| {
        format!(
            "change|{}|{}|{}|{}",
            c.kind,
            c.revision_number,
            clock::rfc3339(&c.at),
            c.note
        )
    }));
    // The page names its sign-offs (`medreview-signoffs`).
    parts.push(p.signoff_ids().join(" "));
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    medreview_core::memo::key(&parts)
}

/// The memo key of the front matter of revision `id`.
pub(super) fn front_key(id: &RevId) -> String {
    medreview_core::memo::key(&["front-1", id.as_str()])
}
