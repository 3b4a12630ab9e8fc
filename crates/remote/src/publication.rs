//! Who may push a publication tag (`refs/tags/published/*`) through the server gate.
//!
//! A tag's tagger name and email are whatever the tagger's git says, so they prove
//! nothing. The gate accepts a publication tag when the server authenticated the
//! pusher (the variable `medreview.pusherVariable` names, default `REMOTE_USER`)
//! and the pusher is a publisher, or when the tag carries an SSH signature (`git tag
//! -s` with `gpg.format=ssh`) that verifies against the roster key of a publisher.
//! Both are read from the gated branch's tip, which the pusher cannot change in the
//! same push without the gate verifying that change first.

use std::path::Path;

use medreview_core::repo::Repo;
use medreview_core::roster::Roster;
use medreview_core::signing;
use medreview_core::source::{Committed, Source};
use medreview_core::workspace::{CONFIG_FILE, Config};

/// Why the push of publication tag `tag` is not a publisher's, if it is not. `tip` is
/// the gated branch's tip after the push; `pusher` the authenticated pusher, if the
/// server names one in the variable `pusher_var`.
pub(crate) fn not_a_publisher(
    git: &Repo,
    prefix: &str,
    tip: &str,
    pusher: Option<&str>,
    pusher_var: &str,
    tag: &str,
) -> Option<String> {
    let src = Committed {
        snapshot: git.snapshot(tip).ok()?,
        prefix: prefix.to_owned(),
        root: std::path::PathBuf::new(),
    };
    let config = src
        .read(CONFIG_FILE)
        .ok()
        .flatten()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| Config::parse(&text, Path::new(CONFIG_FILE)).ok());
    let Some(config) = config else {
        return Some(format!(
            "the gated branch holds no readable {CONFIG_FILE}, so no one may publish"
        ));
    };
    let roster = Roster::load_lenient(&src)
        .map(|(r, _)| r)
        .unwrap_or_default();
    let pusher_publishes = pusher.is_some_and(|who| {
        config.publishers.iter().any(|id| {
            id.as_str() == who
                || roster
                    .email_of(id)
                    .is_some_and(|e| e.eq_ignore_ascii_case(who))
        })
    });
    if pusher_publishes {
        return None;
    }
    let object = git.tag_bytes(tag).unwrap_or_default();
    let why_unsigned = if !signing::has_git_signature(&object) {
        "it is not signed with an SSH key"
    } else if config
        .publishers
        .iter()
        .any(|id| signing::verify_git_tag(&object, id, roster.public_key_of(id)).is_ok())
    {
        return None;
    } else {
        "its signature verifies with no publisher's roster key"
    };
    let sign = "or sign the tag with a publisher's roster key (`git tag -s` with gpg.format=ssh)";
    Some(match pusher {
        Some(who) => format!(
            "{who} pushed it, and is not in publishers in {CONFIG_FILE}, and {why_unsigned}; only a publisher records a publication: let a publisher push it, {sign}"
        ),
        None => format!(
            "the server names no pusher (${pusher_var} is not set; `git config medreview.pusherVariable` names the variable), and {why_unsigned}; only someone in publishers in {CONFIG_FILE} records a publication, and a tagger's name and email prove nothing (anyone can set them). Push it through a server that authenticates the pusher (git http-backend sets REMOTE_USER; gitolite: medreview.pusherVariable=GL_USER), {sign}"
        ),
    })
}
