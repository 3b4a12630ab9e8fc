//! The files `publish` writes under `/.well-known/medreview/` and `verify` reads:
//! their names and their JSON shapes (documented in docs/verify.md). Everything
//! read back is validated on the way in (ids, revision ids, entry ids), so no path
//! is ever built from a name a site chose.

use std::collections::BTreeMap;

use medreview_core::ids::Id;
use medreview_core::record::entry::EntryId;
use medreview_store::revision::RevId;
use serde::{Deserialize, Serialize};

/// The folder, relative to the site's root.
pub const DIR: &str = ".well-known/medreview";

/// The manifest, relative to [`DIR`].
pub const MANIFEST: &str = "manifest.json";

/// The publisher's SSHSIG over the manifest's bytes, relative to [`DIR`].
pub const SIGNATURE: &str = "manifest.json.sig";

/// The roster's public keys, relative to [`DIR`].
pub const KEYS: &str = "keys.json";

/// The page a reader who follows a page's "How to verify" link sees.
pub const README: &str = "index.html";

/// The manifest's `format`: a verifier refuses a format it does not know.
pub const FORMAT: &str = "medreview-publication-1";

/// `manifest.json`: what was published, from which commit, by whom, and the
/// digest of every other file in the folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteManifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The publication's name.
    pub publication: String,
    /// Where the site lives, from `base_url` in medreview.yaml.
    pub base_url: Option<String>,
    /// The commit that was published.
    pub commit: String,
    /// When that commit was made (RFC 3339): the output depends on the commit only.
    pub commit_time: Option<String>,
    /// The publisher who recorded and signed the publication (`publish --as`).
    pub publisher: Option<Id>,
    /// `html` or `markdown`.
    pub page_format: String,
    /// One per published page, by slug.
    pub pages: Vec<SitePage>,
    /// `sha256:<hex>` of every other file in the folder, by its path in the folder
    /// (`keys.json`, `entries/<slug>/<id>.yaml`, `revisions/<blob id>.md`).
    pub files: BTreeMap<String, String>,
}

/// One published page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitePage {
    /// The page, relative to the site's root (`<slug>.html` or `<slug>.md`).
    pub path: String,
    /// The article.
    pub slug: Id,
    /// The published revision: the git blob id of its `article.md`.
    pub revision: RevId,
    /// Its number (r1 = 1).
    pub revision_number: usize,
    /// The sign-offs behind the page: its submission, then the approvals and
    /// re-reviews that count, in the record's order.
    pub signoffs: Vec<SiteSignoff>,
}

/// One sign-off behind a page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSignoff {
    /// The entry's id (its file name without `.yaml`).
    pub entry: EntryId,
    /// `submitted`, `approved` or `recertified`.
    pub action: String,
    /// Who signed it.
    pub by: Id,
    /// The SHA-256 fingerprint of the key it was verified with (the signer's key in
    /// the roster the entry names), when they had one.
    pub key: Option<String>,
}

/// `keys.json`: each person the published sign-offs name, and the publisher.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteKeys {
    /// By id.
    pub people: Vec<SitePerson>,
}

/// One person in `keys.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitePerson {
    /// Their roster id.
    pub id: Id,
    /// Their name, as the roster has it at the publication.
    pub name: String,
    /// Their credentials (reviewers), as the roster has it at the publication.
    pub credentials: Option<String>,
    /// The public keys that verified their published sign-offs (the keys of the
    /// time), and for the publisher the key the manifest is signed with; one
    /// OpenSSH line each.
    pub keys: Vec<String>,
}

/// The path of an entry file in the folder.
pub fn entry_path(slug: &Id, entry: &EntryId) -> String {
    format!("entries/{slug}/{entry}.yaml")
}

/// The path of a revision's source in the folder.
pub fn revision_path(revision: &RevId) -> String {
    format!("revisions/{revision}.md")
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The marker before a page's article body, which `verify` compares with the
/// signed revision rendered again. The sanitizer removes every comment from a
/// rendered body, so an article can never contain one.
pub const BODY_START: &str = "<!-- medreview:body -->";

/// The marker after a page's article body.
pub const BODY_END: &str = "<!-- /medreview:body -->";
