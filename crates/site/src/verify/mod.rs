//! `medreview verify`: checks a published site with no access to its repository,
//! from what `publish` wrote under `/.well-known/medreview/` (see [`format`] and
//! docs/verify.md).
//!
//! What it proves: every file the manifest lists has the bytes it was published
//! with; every sign-off behind a page is the recorded entry (its name carries its
//! git blob id) and its signature verifies against the signer's key; each
//! approval names the page's revision; the revision's source hashes to that
//! revision id; the page's article text is that source rendered again; each
//! byline (the review block, the JSON-LD) names what a verified approval of that
//! revision signed; and the manifest is signed by its publisher. Without
//! `--trust-key`, the publisher's key is the one the site itself offers: a host
//! who replaces everything, keys included, is caught only with a pinned key.
//! Nothing here panics on what a site holds, and no path is built from it
//! unchecked.

use std::collections::BTreeMap;

use medreview_core::error::{Code, Error, Result};
use medreview_core::signing;
use serde::Serialize;

pub mod fetch;
pub mod format;
mod page;

use self::fetch::Site;
use self::format::{DIR, KEYS, MANIFEST, SIGNATURE, SiteKeys, SiteManifest};

/// How many files a manifest may list, and its pages.
const MAX_FILES: usize = 200_000;

/// What `verify` found.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The site, as given.
    pub site: String,
    /// The publication's name, as the manifest says.
    pub publication: String,
    /// The commit the manifest says was published.
    pub commit: String,
    /// The manifest's signature.
    pub signature: SignatureCheck,
    /// Problems with the folder itself (files changed, keys unreadable).
    pub problems: Vec<String>,
    /// Each page.
    pub pages: Vec<PageReport>,
}

impl Report {
    /// Whether everything verified.
    pub fn ok(&self) -> bool {
        self.signature.verified
            && self.problems.is_empty()
            && self.pages.iter().all(|p| p.problems.is_empty())
    }
}

/// The manifest's signature, checked.
#[derive(Debug, Serialize)]
pub struct SignatureCheck {
    /// Whether it verified.
    pub verified: bool,
    /// The publisher the manifest names.
    pub publisher: Option<String>,
    /// The SHA-256 fingerprint of the key it verified with.
    pub key: Option<String>,
    /// Whether that key was pinned with `--trust-key` (else the site offered it).
    pub pinned: bool,
    /// What was found, in words.
    pub message: String,
}

/// One page, checked.
#[derive(Debug, Serialize)]
pub struct PageReport {
    /// The page, relative to the site's root.
    pub path: String,
    /// The article.
    pub slug: String,
    /// The revision the page says it shows.
    pub revision: String,
    /// Its number.
    pub revision_number: usize,
    /// The reviewers whose verified approvals back the byline.
    pub reviewed_by: Vec<String>,
    /// What does not verify; empty when the page does.
    pub problems: Vec<String>,
}

/// Checks the site `site`; `trust_key` pins the publisher's key (an OpenSSH
/// public key line). `Err` only when there is no manifest to check at all.
pub fn verify(site: &dyn Site, trust_key: Option<&str>) -> Result<Report> {
    // A Hugo site's source keeps it under static/, which Hugo serves at the root.
    let dir = match site.get(&format!("{DIR}/{MANIFEST}"))? {
        None if site.get(&format!("static/{DIR}/{MANIFEST}"))?.is_some() => {
            format!("static/{DIR}")
        }
        _ => DIR.to_owned(),
    };
    let dir = dir.as_str();
    let manifest_rel = format!("{dir}/{MANIFEST}");
    let manifest_bytes = site.get(&manifest_rel)?.ok_or_else(|| {
        Error::with_hint(
            Code::SiteUnverifiable,
            format!("{} has no {manifest_rel}", site.describe()),
            "name the folder `publish --out` wrote or the site's address; a site published before verification existed is published again to add it",
        )
    })?;
    let unreadable = |why: String| {
        Error::with_hint(
            Code::SiteUnverifiable,
            format!(
                "{}/{manifest_rel} is not a manifest medreview wrote: {why}",
                site.describe()
            ),
            "publish the site again; a manifest that was altered cannot be checked",
        )
    };
    let manifest_text =
        String::from_utf8(manifest_bytes).map_err(|_| unreadable("it is not UTF-8".into()))?;
    let manifest: SiteManifest =
        serde_json::from_str(&manifest_text).map_err(|e| unreadable(e.to_string()))?;
    if manifest.format != format::FORMAT {
        return Err(unreadable(format!(
            "its format is {:?}, and this medreview reads {:?}",
            manifest.format,
            format::FORMAT
        )));
    }
    if manifest.files.len() > MAX_FILES || manifest.pages.len() > MAX_FILES {
        return Err(unreadable("it lists more files than any site holds".into()));
    }
    let mut problems = Vec::new();
    // Every listed file, read once and compared with its digest.
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (rel, digest) in &manifest.files {
        if !fetch::safe_rel(rel) {
            problems.push(format!(
                "the manifest lists {rel:?}, a path verify will not read"
            ));
            continue;
        }
        match site.get(&format!("{dir}/{rel}"))? {
            None => problems.push(format!("{dir}/{rel} is missing")),
            Some(bytes) if &format::digest(&bytes) != digest => problems.push(format!(
                "{dir}/{rel} is not the file that was published (its digest differs from the manifest's)"
            )),
            Some(bytes) => {
                files.insert(rel.clone(), bytes);
            }
        }
    }
    let keys: SiteKeys = match files.get(KEYS) {
        Some(bytes) => serde_json::from_slice(bytes).unwrap_or_else(|e| {
            problems.push(format!("{dir}/{KEYS} cannot be read: {e}"));
            SiteKeys { people: Vec::new() }
        }),
        None => {
            if manifest.files.contains_key(KEYS) {
                // Reported above.
            } else {
                problems.push(format!("the manifest does not list {dir}/{KEYS}"));
            }
            SiteKeys { people: Vec::new() }
        }
    };
    let signature = check_signature(site, dir, &manifest, &manifest_text, &keys, trust_key)?;
    let pages = manifest
        .pages
        .iter()
        .map(|p| page::check(site, &manifest, p, &files, &keys))
        .collect::<Result<Vec<_>>>()?;
    Ok(Report {
        site: site.describe(),
        publication: manifest.publication.clone(),
        commit: manifest.commit.clone(),
        signature,
        problems,
        pages,
    })
}

/// Checks the publisher's signature over the manifest's exact bytes.
fn check_signature(
    site: &dyn Site,
    dir: &str,
    manifest: &SiteManifest,
    text: &str,
    keys: &SiteKeys,
    trust_key: Option<&str>,
) -> Result<SignatureCheck> {
    let publisher = manifest.publisher.as_ref();
    let failed = |message: String| SignatureCheck {
        verified: false,
        publisher: publisher.map(ToString::to_string),
        key: None,
        pinned: trust_key.is_some(),
        message,
    };
    let Some(publisher) = publisher else {
        return Ok(failed(
            "the manifest names no publisher and is not signed: nothing shows who published these pages (publish with --as PUBLISHER --key KEYFILE)".into(),
        ));
    };
    let signature = site
        .get(&format!("{dir}/{SIGNATURE}"))?
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let Some(signature) = signature else {
        return Ok(failed(format!(
            "the manifest is not signed: {dir}/{SIGNATURE} is missing, so nothing shows {publisher} published these pages"
        )));
    };
    let offered: Vec<&str> = keys
        .people
        .iter()
        .filter(|p| &p.id == publisher)
        .flat_map(|p| p.keys.iter().map(String::as_str))
        .collect();
    let candidates: Vec<&str> = match trust_key {
        Some(key) => vec![key],
        None => offered,
    };
    let mut last_error = format!("{dir}/{KEYS} has no key for {publisher}");
    for key in candidates {
        match signing::verify_text(
            signing::PUBLICATION_NAMESPACE,
            text,
            publisher,
            Some(&signature),
            Some(key),
        ) {
            Ok(()) => {
                let fingerprint = signing::key_fingerprint(key);
                let shown = fingerprint.clone().unwrap_or_default();
                let message = match trust_key {
                    Some(_) => {
                        format!("the manifest is signed by {publisher} with the pinned key {shown}")
                    }
                    None => format!(
                        "the manifest is signed by {publisher} with key {shown}, the key this site offers: no key was pinned (--trust-key), so this shows only that the site agrees with itself"
                    ),
                };
                return Ok(SignatureCheck {
                    verified: true,
                    publisher: Some(publisher.to_string()),
                    key: fingerprint,
                    pinned: trust_key.is_some(),
                    message,
                });
            }
            Err(why) => last_error = why,
        }
    }
    Ok(failed(match trust_key {
        Some(key) => format!(
            "the manifest's signature does not verify with the pinned key {}: {last_error}",
            signing::key_fingerprint(key).unwrap_or_else(|| "(unreadable)".into())
        ),
        None => format!("the manifest's signature by {publisher} does not verify: {last_error}"),
    }))
}

/// Reads a `--trust-key` value: an OpenSSH public key line, or a file holding one.
pub fn trust_key(value: &str, start: &std::path::Path) -> Result<String> {
    let looks_like_key = value.trim_start().starts_with("ssh-")
        || value.trim_start().starts_with("ecdsa-")
        || value.trim_start().starts_with("sk-");
    let text = if looks_like_key {
        value.to_owned()
    } else {
        let path = start.join(value);
        std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?
    };
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned();
    if signing::key_fingerprint(&line).is_none() {
        return Err(Error::with_hint(
            Code::InvalidPublicKey,
            format!("--trust-key {value}: not an OpenSSH public key"),
            "give the publisher's public key line (ssh-ed25519 AAAA...) or the .pub file holding it",
        ));
    }
    Ok(line)
}
