//! One page, checked: its sign-offs, its revision, its text and its bylines.

use std::collections::BTreeMap;
use std::path::Path;

use medreview_core::article::Article;
use medreview_core::error::Result;
use medreview_core::record::entry::{self, Action, MEDICAL_ACCURACY};
use medreview_core::signing;
use medreview_store::gitstore::GitStore;

use super::PageReport;
use super::fetch::Site;
use super::format::{self, BODY_END, BODY_START, SiteKeys, SiteManifest, SitePage, SitePerson};

/// A verified approval or re-review of the page's revision, as signed.
struct Vouch {
    action: Action,
    by: String,
    meaning: String,
    name: String,
    credentials: Option<String>,
}

impl Vouch {
    /// `Ana Example, M.D.`, as bylines print a reviewer.
    fn byline(&self) -> String {
        match &self.credentials {
            Some(c) => format!("{}, {c}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Checks page `page` of `manifest`; `files` are the folder's files whose digest
/// matched.
pub(super) fn check(
    site: &dyn Site,
    manifest: &SiteManifest,
    page: &SitePage,
    files: &BTreeMap<String, Vec<u8>>,
    keys: &SiteKeys,
) -> Result<PageReport> {
    let mut problems = Vec::new();
    let slug = &page.slug;
    let person = |id: &str| keys.people.iter().find(|p| p.id.as_str() == id);
    let mut vouches = Vec::new();
    for s in &page.signoffs {
        let rel = format::entry_path(slug, &s.entry);
        let Some(bytes) = files.get(&rel) else {
            problems.push(format!("the sign-off {} is not in the folder", s.entry));
            continue;
        };
        let shown = Path::new(&rel);
        let entry = match entry::read(&format!("{}.yaml", s.entry), bytes, shown) {
            Ok((_, entry)) => entry,
            Err(why) => {
                problems.push(format!("the sign-off {} {why}", s.entry));
                continue;
            }
        };
        let what = format!("the {} by {}", entry.action, entry.by);
        if entry.by != s.by || entry.action.as_str() != s.action {
            problems.push(format!(
                "the manifest calls {} a {} by {}, and the entry says it is {what}",
                s.entry, s.action, s.by
            ));
            continue;
        }
        if entry.revision != page.revision {
            problems.push(format!(
                "{what} ({}) is of revision {}, not the page's {}",
                s.entry,
                entry.revision.short(),
                page.revision.short()
            ));
            continue;
        }
        let signer = person(entry.by.as_str());
        match &entry.signature {
            None if entry.action == Action::Submitted => {}
            None => {
                problems.push(format!(
                    "{what} is not signed, so nothing shows {} gave it",
                    entry.by
                ));
                continue;
            }
            Some(signature) => {
                let candidates: Vec<&str> = signer
                    .map(|p| {
                        p.keys
                            .iter()
                            .filter(|k| s.key.is_none() || signing::key_fingerprint(k) == s.key)
                            .map(String::as_str)
                            .collect()
                    })
                    .unwrap_or_default();
                if candidates.is_empty() {
                    problems.push(format!(
                        "{what} is signed, and {} has no key for {} to check it with",
                        format::KEYS,
                        entry.by
                    ));
                    continue;
                }
                let text = signing::canonical_text(slug, &entry);
                let check = |key: &&str| {
                    signing::verify_text(
                        signing::NAMESPACE,
                        &text,
                        &entry.by,
                        Some(signature),
                        Some(key),
                    )
                };
                if !candidates.iter().any(|key| check(key).is_ok()) {
                    let why = candidates
                        .first()
                        .and_then(|key| check(key).err())
                        .unwrap_or_default();
                    problems.push(format!("{what}: its signature does not verify: {why}"));
                    continue;
                }
            }
        }
        if matches!(entry.action, Action::Approved | Action::Recertified) {
            vouches.push(Vouch {
                action: entry.action,
                by: entry.by.to_string(),
                meaning: entry.meaning().to_owned(),
                name: entry
                    .name
                    .clone()
                    .or_else(|| signer.map(|p| p.name.clone()))
                    .unwrap_or_else(|| entry.by.to_string()),
                credentials: entry
                    .credentials
                    .clone()
                    .or_else(|| signer.and_then(|p| p.credentials.clone())),
            });
        }
    }
    if !vouches
        .iter()
        .any(|v| v.action == Action::Approved && v.meaning == MEDICAL_ACCURACY)
    {
        problems.push(format!(
            "no verified medical approval of r{} ({}) stands behind the page",
            page.revision_number,
            page.revision.short()
        ));
    }
    let article = match files.get(&format::revision_path(&page.revision)) {
        None => {
            problems.push(format!(
                "the source of revision {} is not in the folder",
                page.revision.short()
            ));
            None
        }
        Some(bytes) if GitStore::blob_id(bytes) != page.revision => {
            problems.push(format!(
                "the source given for revision {} is another text (its blob id is {})",
                page.revision.short(),
                GitStore::blob_id(bytes).short()
            ));
            None
        }
        Some(bytes) => match Article::parse(bytes, Path::new(&page.path)) {
            Ok(article) => Some(article),
            Err(err) => {
                problems.push(format!(
                    "the source of revision {} cannot be read: {err}",
                    page.revision.short()
                ));
                None
            }
        },
    };
    let expected_page = match manifest.page_format.as_str() {
        "markdown" => format!("{slug}.md"),
        "hugo" => format!("content/articles/{slug}.md"),
        _ => format!("{slug}.html"),
    };
    if page.path != expected_page {
        problems.push(format!(
            "the manifest places {slug} at {:?}, where medreview writes {expected_page}",
            page.path
        ));
    } else if let Some(article) = &article {
        match site.get(&page.path)? {
            None => problems.push(format!("{} is missing", page.path)),
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let checked = match manifest.page_format.as_str() {
                    "markdown" | "hugo" => markdown_page(&text, page, article, &vouches, keys),
                    _ => html_page(&text, page, article, &vouches, keys),
                };
                problems.extend(checked);
            }
        }
    }
    let mut reviewed_by: Vec<String> = Vec::new();
    for v in vouches.iter().filter(|v| v.meaning == MEDICAL_ACCURACY) {
        if !reviewed_by.contains(&v.byline()) {
            reviewed_by.push(v.byline());
        }
    }
    Ok(PageReport {
        path: page.path.clone(),
        slug: slug.to_string(),
        revision: page.revision.to_string(),
        revision_number: page.revision_number,
        reviewed_by,
        problems,
    })
}

/// The byline the verified medical approvals make: `A, M.D. and B, M.D.`, each
/// reviewer once, in the record's order.
fn expected_byline(vouches: &[Vouch]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for v in vouches.iter().filter(|v| v.meaning == MEDICAL_ACCURACY) {
        if !seen.contains(&v.by.as_str()) {
            seen.push(&v.by);
            names.push(v.byline());
        }
    }
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn writer_name<'a>(keys: &'a SiteKeys, article: &Article) -> Option<&'a SitePerson> {
    keys.people.iter().find(|p| p.id == article.front.writer)
}

/// An HTML page: what it names in `<head>`, its marked body, its review block and
/// its JSON-LD.
fn html_page(
    html: &str,
    page: &SitePage,
    article: &Article,
    vouches: &[Vouch],
    keys: &SiteKeys,
) -> Vec<String> {
    let mut problems = Vec::new();
    if meta(html, "medreview-revision").as_deref() != Some(page.revision.as_str()) {
        problems.push(format!(
            "the page does not name revision {} in <meta name=\"medreview-revision\">",
            page.revision.short()
        ));
    }
    let ids: Vec<String> = page.signoffs.iter().map(|s| s.entry.to_string()).collect();
    if meta(html, "medreview-signoffs").as_deref() != Some(ids.join(" ").as_str()) {
        problems.push("the page's <meta name=\"medreview-signoffs\"> does not name the sign-offs the manifest lists".into());
    }
    // The body: every marked copy is the signed source rendered again.
    let expected = crate::render::markdown_to_html(&article.body);
    let bodies = marked(html, BODY_START, BODY_END);
    if bodies.is_empty() {
        problems.push("the page has no marked article body to compare".into());
    }
    for body in bodies {
        if body.trim_matches('\n') != expected.trim_matches('\n') {
            problems.push(format!(
                "the article text differs from the approved revision r{}{}",
                page.revision_number,
                first_difference(body.trim_matches('\n'), expected.trim_matches('\n'))
            ));
            break;
        }
    }
    // The review block's byline.
    let block = marked(html, "data-medreview=\"review-block\">", "</div>");
    match block.first() {
        None => problems.push("the page has no review block".into()),
        Some(block) => {
            let text = text_of(block);
            let parts: Vec<&str> = text.split('·').map(str::trim).collect();
            let want = expected_byline(vouches);
            // The byline may follow a notice (due for re-review) in the block.
            const REVIEWED: &str = "Medically reviewed by ";
            match parts
                .iter()
                .find_map(|p| p.find(REVIEWED).map(|at| &p[at + REVIEWED.len()..]))
            {
                Some(names) if names == want => {}
                Some(names) => problems.push(format!(
                    "the byline says \"Medically reviewed by {names}\", and the verified approvals are by {}",
                    if want.is_empty() { "no one".to_owned() } else { want.clone() }
                )),
                None => problems.push("the review block names no medical reviewer".into()),
            }
            if let Some(writer) = writer_name(keys, article) {
                let says = parts.iter().find_map(|p| p.strip_prefix("Written by "));
                if says != Some(writer.name.as_str()) {
                    problems.push(format!(
                        "the byline says \"Written by {}\", and the approved revision names {} ({})",
                        says.unwrap_or(""),
                        writer.name,
                        writer.id
                    ));
                }
            }
        }
    }
    problems.extend(json_ld(html, article, vouches));
    problems
}

/// The JSON-LD's title and reviewers, against the revision and the approvals.
fn json_ld(html: &str, article: &Article, vouches: &[Vouch]) -> Vec<String> {
    let mut problems = Vec::new();
    let scripts = marked(html, "<script type=\"application/ld+json\">", "</script>");
    let Some(script) = scripts.first() else {
        return problems;
    };
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(script) else {
        return vec!["the page's JSON-LD is not JSON".into()];
    };
    if doc["headline"].as_str() != Some(article.front.title.as_str()) {
        problems.push(format!(
            "the JSON-LD headline is not the approved title {:?}",
            article.front.title
        ));
    }
    let roles = doc["reviewedBy"].as_array().cloned().unwrap_or_default();
    if roles.len() != vouches.len() {
        problems.push(format!(
            "the JSON-LD names {} review(s), and {} verified sign-off(s) stand behind the page",
            roles.len(),
            vouches.len()
        ));
    }
    for role in &roles {
        let name = role["reviewedBy"]["name"].as_str().unwrap_or("");
        let credentials = role["reviewedBy"]["honorificSuffix"].as_str();
        let meaning = role["roleName"].as_str().unwrap_or("");
        let backed = vouches.iter().any(|v| {
            v.name == name && v.credentials.as_deref() == credentials && v.meaning == meaning
        });
        if !backed {
            problems.push(format!(
                "the JSON-LD says {name}{} reviewed it ({meaning}), and no verified approval was signed so",
                credentials.map(|c| format!(", {c}")).unwrap_or_default()
            ));
        }
    }
    problems
}

/// A Markdown page: its front matter and its body.
fn markdown_page(
    text: &str,
    page: &SitePage,
    article: &Article,
    vouches: &[Vouch],
    _keys: &SiteKeys,
) -> Vec<String> {
    let mut problems = Vec::new();
    let Some((front, body)) = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
    else {
        return vec!["the page has no front matter".into()];
    };
    let Ok(front) = serde_json::from_str::<serde_json::Value>(front) else {
        return vec!["the page's front matter is not the JSON medreview writes".into()];
    };
    if front["revision"].as_str() != Some(page.revision.as_str()) {
        problems.push(format!(
            "the front matter does not name revision {}",
            page.revision.short()
        ));
    }
    let ids: Vec<String> = page.signoffs.iter().map(|s| s.entry.to_string()).collect();
    let named: Vec<String> = front["signoffs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if named != ids {
        problems
            .push("the front matter's signoffs are not the sign-offs the manifest lists".into());
    }
    if front["title"].as_str() != Some(article.front.title.as_str()) {
        problems.push(format!(
            "the title is not the approved title {:?}",
            article.front.title
        ));
    }
    if body.trim_start_matches('\n') != article.body.trim_start_matches('\n') {
        problems.push(format!(
            "the article text differs from the approved revision r{}",
            page.revision_number
        ));
    }
    let reviewers = front["medically_reviewed_by"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let shown: Vec<String> = reviewers
        .iter()
        .map(|r| {
            let name = r["name"].as_str().unwrap_or("");
            match r["credentials"].as_str().filter(|c| !c.is_empty()) {
                Some(c) => format!("{name}, {c}"),
                None => name.to_owned(),
            }
        })
        .collect();
    let joined = match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let want = expected_byline(vouches);
    if joined != want {
        problems.push(format!(
            "the front matter says medically reviewed by {joined:?}, and the verified approvals are by {want:?}"
        ));
    }
    problems
}

/// The `content` of `<meta name="NAME" content="...">`, unescaped.
fn meta(html: &str, name: &str) -> Option<String> {
    let tag = format!("<meta name=\"{name}\" content=\"");
    let start = html.find(&tag)? + tag.len();
    let end = html[start..].find('"')?;
    Some(unescape(&html[start..start + end]))
}

/// Each text between `start` and the next `end`.
fn marked<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(start) {
        let after = &rest[at + start.len()..];
        let Some(stop) = after.find(end) else { break };
        out.push(&after[..stop]);
        rest = &after[stop + end.len()..];
    }
    out
}

/// The text of an HTML fragment: tags removed, entities read, spaces collapsed.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the entities medreview's escaping writes, and `&middot;`.
fn unescape(text: &str) -> String {
    text.replace("&middot;", "·")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// `: "...page..." where the approved text has "...source..."`, around the first
/// difference, for the message.
fn first_difference(page: &str, source: &str) -> String {
    let at = page
        .char_indices()
        .zip(source.chars())
        .find(|((_, a), b)| a != b)
        .map_or(page.len().min(source.len()), |((i, _), _)| i);
    let around = |s: &str| -> String {
        let mut start = at.saturating_sub(20).min(s.len());
        while !s.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (at + 30).min(s.len());
        while !s.is_char_boundary(end) {
            end += 1;
        }
        text_of(&s[start..end])
    };
    format!(
        ": the page has \"{}\" where the approved text has \"{}\"",
        around(page),
        around(source)
    )
}
