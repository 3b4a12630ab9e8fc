//! The publish sequence, the same for every caller: refuse a clone behind its
//! remote, build the export, record the publication as a tag when a publisher is
//! named, write the folder, and take the tag back if the folder could not be
//! written, so a tag never names a publication that did not happen.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::roster::Roster;
use medreview_core::workspace::Workspace;

use super::*;

/// What to publish, and where.
pub struct Request {
    /// What to write.
    pub format: Format,
    /// The output folder, absolute (see [`resolve_out`]).
    pub out: PathBuf,
    /// The publisher recording the publication as a tag, if any.
    pub publisher: Option<Id>,
    /// Publish even though this clone is behind the remote's last fetched state.
    pub offline: bool,
    /// The publication time.
    pub now: DateTime<FixedOffset>,
    /// The publisher's key, which signs `/.well-known/medreview/manifest.json`.
    pub key: Option<PathBuf>,
}

/// What a publish did.
pub struct Published {
    /// The export that was written.
    pub export: Export,
    /// The publication tag, when a publisher recorded one.
    pub tag: Option<String>,
    /// Whether that tag was already there: the same commit was published before,
    /// and its record is reused rather than doubled.
    pub tag_reused: bool,
}

/// Publishes `request` from the commit HEAD points at.
pub fn run(ws: &Workspace, request: Request) -> Result<Published> {
    let Request {
        format,
        out,
        publisher,
        offline,
        now,
        key,
    } = request;
    if key.is_some() && publisher.is_none() {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "--key signs the publication as its publisher, and no publisher is named",
            "add --as PUBLISHER (an id in medreview.yaml's publishers)",
        ));
    }
    if !offline
        && let Some(r) = medreview_core::upstream::standing(ws)
        && r.behind > 0
    {
        return Err(Error::with_hint(
            Code::BehindRemote,
            format!(
                "this clone is {} behind {}/{} (as of the last fetch): the remote may hold a withdrawal or a newer approval that this publish would miss",
                medreview_core::plural::plural(r.behind, "commit", "commits"),
                r.name,
                r.branch
            ),
            "run `medreview sync` first, or publish what this clone holds with --offline",
        ));
    }
    let mut export = build(ws, format, now, Some(&out))?;
    ws.git.memo.save(true);
    if let Some(publisher) = &publisher {
        wellknown::seal(&mut export, publisher, key.as_deref())?;
    }
    let (tag, tag_reused) = match &publisher {
        Some(publisher) => match published_tag_of(ws, &export.manifest.commit) {
            Some(name) => (Some(name), true),
            None => (Some(record_tag(ws, &export, publisher, now)?), false),
        },
        None => (None, false),
    };
    // One publish at a time, so an interrupted one's leftovers are never a live one's.
    let written = {
        let _lock = ws.git.lock()?;
        write_output(&out, ws.root(), &export.files, &export.reused, format)
    };
    if let Err(err) = written {
        // Only a tag this publish made is taken back; an earlier publication's stays.
        if let Some(name) = tag.as_ref().filter(|_| !tag_reused) {
            let _ = ws.git.delete_tag(name);
        }
        return Err(err);
    }
    remember_output(ws, &out, &export);
    Ok(Published {
        export,
        tag,
        tag_reused,
    })
}

/// The publication tag (`published/<time>-<commit>`, or an older `published/<time>`) that already records `commit`, if
/// any: publishing the same commit again records no second publication.
fn published_tag_of(ws: &Workspace, commit: &str) -> Option<String> {
    let mut tags: Vec<String> = ws
        .git
        .refs_under("refs/tags/published/")
        .into_iter()
        .filter(|(_, target)| ws.git.peel_to_commit(target).as_deref() == Some(commit))
        .filter_map(|(name, _)| name.strip_prefix("refs/tags/").map(str::to_owned))
        .collect();
    tags.sort();
    tags.into_iter().next()
}

/// Records the publication of `export` by `publisher` as tag `published/<time>-<commit>`.
fn record_tag(
    ws: &Workspace,
    export: &Export,
    publisher: &Id,
    now: DateTime<FixedOffset>,
) -> Result<String> {
    if !export.publishers.contains(publisher) {
        return Err(Error::with_hint(
            Code::NotAPublisher,
            format!(
                "{publisher} may not record a publication: they are not in publishers in medreview.yaml"
            ),
            format!(
                "an admin runs `medreview publisher add {publisher}` (never a hand edit of medreview.yaml), or publish without --as"
            ),
        ));
    }
    let roster = Roster::load(ws)?;
    let name = tag_name(&now, &export.manifest.commit);
    let _lock = ws.git.lock()?;
    ws.git
        .tag(
            &name,
            &export.manifest.commit,
            &roster.identity(publisher),
            now,
            &tag_message(&export.manifest, publisher),
        )
        .map_err(|err| {
            Error::with_hint(
                Code::AlreadyExists,
                format!("cannot record the publication as tag {name}: {err}"),
                "run `git tag --list 'published/*'` to see the publication tags; delete a stray local one with `git tag -d NAME`, then publish again",
            )
        })?;
    Ok(name)
}
