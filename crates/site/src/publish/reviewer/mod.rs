//! Reviewer pages: `reviewers/<id>.html` for each medical reviewer whose approval
//! is behind at least one published page: credentials, specialties, the license
//! and who checked it when and where, disclosures, bio, the published articles
//! they reviewed, and schema.org JSON-LD (`ProfilePage` about a `Person` with
//! `hasCredential`, `sameAs`, `knowsAbout`).
//!
//! Everything on the page comes from the roster of the published commit and the
//! pages of this publish; the profile is one block medreview renders (escaped)
//! and `templates/reviewer.html` places, vetted like an article page. Links are
//! relative (`../her2-treatment.html`), so the site works from any folder. The
//! pages are few and cheap, so each publish renders them again: a changed
//! disclosure always reaches the reviewer's page.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::json;

use crate::render::guard::{Placement, Slots};
use crate::render::{self, Context, Templates, escape_html};
use crate::templates;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_core::roster::{Reviewer, Roster};
use medreview_core::source::Source;
use medreview_core::workspace::Config;

use super::*;

mod markdown;
pub(super) use markdown::{content_rel, reviewer_content};

/// The template of reviewer pages, by the name messages use.
pub(super) const REVIEWER: &str = "templates/reviewer.html";

/// The folder reviewer pages are written to, in the output folder.
const FOLDER: &str = "reviewers";

/// Reviewer `id`'s page, relative to the output folder: `reviewers/ana-example.html`.
pub(super) fn page_rel(id: &Id) -> String {
    format!("{FOLDER}/{id}.html")
}

/// Reviewer `id`'s page as JSON-LD names it: under `base_url` when there is one,
/// else relative to the page that names it (every such page is at the top).
pub(super) fn page_url(config: &Config, id: &Id) -> String {
    canonical_url(config, &page_rel(id)).unwrap_or_else(|| page_rel(id))
}

/// One published article a reviewer vouched for.
struct Reviewed<'p> {
    page: &'p Page,
    /// What they vouched for on it (`medical-accuracy`, `fact-check`), in order.
    meanings: Vec<String>,
    /// Their latest approval or re-review behind it.
    at: DateTime<FixedOffset>,
}

/// A reviewer with a page: their roster file and what they reviewed.
struct Profile<'a> {
    id: &'a Id,
    reviewer: &'a Reviewer,
    reviewed: Vec<Reviewed<'a>>,
}

/// The reviewers whose approvals are behind `pages` (as the byline names them:
/// on the roster of the published commit), with what each reviewed, by id.
fn profiles<'a>(roster: &'a Roster, pages: &'a [Page]) -> Vec<Profile<'a>> {
    let mut by_id: BTreeMap<&'a Id, Profile<'a>> = BTreeMap::new();
    for p in pages {
        let shown = p
            .reviewers
            .iter()
            .chain(p.others.iter().map(|(_, r)| r))
            .map(|r| &r.id);
        for id in shown {
            let Some((id, reviewer)) = roster.reviewers.get_key_value(id) else {
                continue;
            };
            let profile = by_id.entry(id).or_insert_with(|| Profile {
                id,
                reviewer,
                reviewed: Vec::new(),
            });
            if profile
                .reviewed
                .last()
                .is_some_and(|r| r.page.slug == p.slug)
            {
                continue;
            }
            let mut reviewed = Reviewed {
                page: p,
                meanings: Vec::new(),
                at: p.reviewed,
            };
            let mine = p.approvals.iter().filter(|(_, a)| &a.by == id);
            for (n, (_, a)) in mine.enumerate() {
                if n == 0 || a.at > reviewed.at {
                    reviewed.at = a.at;
                }
                if !reviewed.meanings.contains(&a.meaning) {
                    reviewed.meanings.push(a.meaning.clone());
                }
            }
            profile.reviewed.push(reviewed);
        }
    }
    by_id.into_values().collect()
}

impl Profile<'_> {
    /// `Medical reviewer` for someone who vouched for a page's medical accuracy,
    /// else `Reviewer` (a fact-checker on the roster of reviewers).
    fn role(&self) -> &'static str {
        let medical = self.reviewed.iter().any(|r| {
            r.meanings
                .iter()
                .any(|m| m == medreview_core::ledger::entry::MEDICAL_ACCURACY)
        });
        if medical {
            "Medical reviewer"
        } else {
            "Reviewer"
        }
    }
}

/// What `templates/reviewer.html` sees as `reviewer`: the name (for `<title>`),
/// never the credentials or dates, which only the profile block shows.
#[derive(Serialize)]
struct ReviewerView<'a> {
    id: &'a Id,
    name: &'a str,
    url: String,
    canonical_url: Option<String>,
}

/// The reviewer pages of an HTML publish, in id order.
pub(super) fn reviewer_files(
    src: &dyn Source,
    config: &Config,
    roster: &Roster,
    pages: &[Page],
) -> Result<Vec<(String, Vec<u8>)>> {
    let templates = Templates::new(vec![template_source(
        src,
        "reviewer.html",
        templates::REVIEWER_HTML,
    )?])?;
    let publication = PublicationView {
        name: &config.publication,
        base_url: config.base_url.as_deref(),
    };
    probe_reviewer(&templates, config, &publication)?;
    profiles(roster, pages)
        .iter()
        .map(|profile| {
            let html = reviewer_page(&templates, config, &publication, roster, profile)?;
            Ok((page_rel(profile.id), html.into_bytes()))
        })
        .collect()
}

/// Renders one reviewer's page through `templates/reviewer.html`, vetted as an
/// article page is: the profile block once, no review claim of the template's own.
fn reviewer_page(
    templates: &Templates,
    config: &Config,
    publication: &PublicationView<'_>,
    roster: &Roster,
    profile: &Profile<'_>,
) -> Result<String> {
    let r = profile.reviewer;
    let mut excused = vec![publication.name, r.name.as_str()];
    excused.extend(publication.base_url);
    let mut slots = Slots::new(&excused);
    slots.add(
        "reviewer_block",
        Placement::Once,
        profile_block(roster, profile),
    );
    slots.add(
        "jsonld",
        Placement::AtMostOnce,
        render::script_json(&json_ld(config, profile))?,
    );
    let tokens = slots.seal();
    let view = ReviewerView {
        id: profile.id,
        name: &r.name,
        url: page_rel(profile.id),
        canonical_url: canonical_url(config, &page_rel(profile.id)),
    };
    let mut ctx = Context::default();
    ctx.insert("publication", publication);
    ctx.insert("reviewer", &view);
    // A constant, given as it is: escaped, its slashes would read `..&#x2f;`.
    ctx.insert_safe("root", "../".to_owned());
    for (name, token) in &tokens {
        ctx.insert_safe(name, token.clone());
    }
    let page = templates.render(REVIEWER, &ctx)?;
    slots.vet(REVIEWER, &page, &excused)?;
    Ok(slots.fill(&page))
}

/// `March 5, 2025`
fn long_date(day: chrono::NaiveDate) -> String {
    day.format("%B %-d, %Y").to_string()
}

/// `<time datetime="2025-03-05">March 5, 2025</time>`
fn time_tag(day: chrono::NaiveDate) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        day.format("%Y-%m-%d"),
        long_date(day)
    )
}

/// A link to an address from the roster (already checked to be `http(s)://`).
fn link(url: &str, text: &str) -> String {
    format!(
        "<a href=\"{}\" rel=\"noopener\">{}</a>",
        escape_html(url),
        escape_html(text)
    )
}

/// The license line: `NY, number 123456, valid through June 30, 2027`.
fn license_line(r: &Reviewer) -> Option<String> {
    let l = r.license.as_ref()?;
    let mut parts = Vec::new();
    parts.extend(l.region.as_deref().map(escape_html));
    parts.extend(
        l.number
            .as_deref()
            .map(|n| format!("number {}", escape_html(n))),
    );
    parts.extend(l.expires.map(|d| format!("valid through {}", time_tag(d))));
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The verification line: who checked the license, when and where.
fn verified_line(roster: &Roster, r: &Reviewer) -> String {
    let Some(v) = &r.verified else {
        return "<span class=\"unverified\">Not verified by the publisher yet</span>".to_owned();
    };
    let who = roster.name_of(&v.by).unwrap_or(v.by.as_str());
    let source = match v.source_url() {
        Some(url) => link(url, url),
        None => escape_html(&v.source),
    };
    format!(
        "<span class=\"verified\" data-medreview=\"license-verified\">On {} by {}, at {source}</span>",
        time_tag(v.on),
        escape_html(who)
    )
}

/// How a page names a meaning: `medical review`, `fact check`, `legal review`.
fn meaning_name(meaning: &str) -> String {
    match meaning {
        medreview_core::ledger::entry::MEDICAL_ACCURACY => "medical review".to_owned(),
        "fact-check" => "fact check".to_owned(),
        "legal" => "legal review".to_owned(),
        other => format!("review for {}", other.replace('-', " ")),
    }
}

/// The profile: everything the page says about the reviewer, escaped.
fn profile_block(roster: &Roster, profile: &Profile<'_>) -> String {
    let r = profile.reviewer;
    let mut html =
        String::from("<article class=\"reviewer-profile\" data-medreview=\"reviewer-profile\">\n");
    html.push_str(&format!(
        "<h1>{}, {}</h1>\n<p class=\"role\">{}</p>\n<dl class=\"facts\">\n",
        escape_html(&r.name),
        escape_html(&r.credentials),
        profile.role()
    ));
    html.push_str(&format!(
        "<dt>Credentials</dt><dd>{}</dd>\n",
        escape_html(&r.credentials)
    ));
    if !r.specialties.is_empty() {
        let list: Vec<String> = r.specialties.iter().map(|s| escape_html(s)).collect();
        html.push_str(&format!(
            "<dt>Specialties</dt><dd>{}</dd>\n",
            list.join(", ")
        ));
    }
    if let Some(line) = license_line(r) {
        html.push_str(&format!("<dt>License</dt><dd>{line}</dd>\n"));
    }
    html.push_str(&format!(
        "<dt>License verified</dt><dd>{}</dd>\n",
        verified_line(roster, r)
    ));
    if let Some(day) = r.retired {
        html.push_str(&format!(
            "<dt>Retired</dt><dd>{}; earlier reviews keep their meaning</dd>\n",
            time_tag(day)
        ));
    }
    html.push_str("</dl>\n<section class=\"disclosures\">\n<h2>Disclosures</h2>\n");
    match r.disclosures.as_deref() {
        None => html.push_str("<p>No disclosures on file.</p>\n"),
        Some([]) => html.push_str("<p>None declared.</p>\n"),
        Some(list) => {
            html.push_str("<ul>\n");
            for d in list {
                html.push_str(&format!("<li>{}</li>\n", escape_html(d)));
            }
            html.push_str("</ul>\n");
        }
    }
    html.push_str("</section>\n");
    if let Some(bio) = &r.bio {
        html.push_str(&format!(
            "<section class=\"bio\">\n<h2>About</h2>\n<p>{}</p>\n</section>\n",
            escape_html(bio)
        ));
    }
    html.push_str("<section class=\"reviewed-articles\">\n<h2>Articles reviewed</h2>\n<ul>\n");
    for reviewed in &profile.reviewed {
        let meanings: Vec<String> = reviewed.meanings.iter().map(|m| meaning_name(m)).collect();
        html.push_str(&format!(
            "<li><a href=\"../{}\">{}</a> <span class=\"meta\">{}, {}</span></li>\n",
            page_path(&reviewed.page.slug, Format::Html),
            escape_html(&reviewed.page.article.front.title),
            escape_html(&capitalized(&meanings.join(" and "))),
            time_tag(reviewed.at.date_naive())
        ));
    }
    html.push_str("</ul>\n</section>\n");
    if !r.same_as.is_empty() {
        html.push_str("<section class=\"profiles\">\n<h2>Elsewhere</h2>\n<ul>\n");
        for url in &r.same_as {
            html.push_str(&format!("<li>{}</li>\n", link(url, url)));
        }
        html.push_str("</ul>\n</section>\n");
    }
    html.push_str("</article>");
    html
}

/// `text` with its first letter upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// schema.org `ProfilePage` whose `mainEntity` is the reviewer as a `Person`.
fn json_ld(config: &Config, profile: &Profile<'_>) -> serde_json::Value {
    let r = profile.reviewer;
    let mut credentials: Vec<serde_json::Value> = r
        .credentials
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| json!({ "@type": "EducationalOccupationalCredential", "name": c }))
        .collect();
    if let Some(l) = &r.license {
        let mut license = json!({
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "license",
            "name": "Medical license",
        });
        if let Some(number) = &l.number {
            license["identifier"] = json!(number);
        }
        if let Some(region) = &l.region {
            license["validIn"] = json!({ "@type": "AdministrativeArea", "name": region });
        }
        if let Some(expires) = l.expires {
            license["expires"] = json!(expires.format("%Y-%m-%d").to_string());
        }
        // Who recognizes the license, as far as the verification says: the
        // board's page it was checked at, or the board's name.
        if let Some(v) = &r.verified {
            license["recognizedBy"] = match v.source_url() {
                Some(url) => json!({ "@type": "Organization", "url": url }),
                None => json!({ "@type": "Organization", "name": v.source }),
            };
        }
        credentials.push(license);
    }
    let url = page_url(config, profile.id);
    let mut person = json!({
        "@type": "Person",
        "name": r.name,
        "honorificSuffix": r.credentials,
        "jobTitle": profile.role(),
        "knowsAbout": r.specialties,
        "hasCredential": credentials,
        "url": url,
    });
    if let Some(bio) = &r.bio {
        person["description"] = json!(bio);
    }
    if !r.same_as.is_empty() {
        person["sameAs"] = json!(r.same_as);
    }
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "name": r.name,
        "inLanguage": "en",
        "publisher": { "@type": "Organization", "name": config.publication },
        "mainEntity": person,
    });
    if let Some(url) = canonical_url(config, &page_rel(profile.id)) {
        doc["url"] = json!(url);
    }
    doc
}

/// Renders a made-up reviewer's page, so the template is vetted whatever the
/// roster holds.
pub(super) fn probe_reviewer(
    templates: &Templates,
    config: &Config,
    publication: &PublicationView<'_>,
) -> Result<()> {
    let page = probe_page()?;
    let mut roster = Roster::default();
    let mut reviewer = Reviewer::named("Probe Reviewer", "M.D.");
    reviewer.specialties = vec!["probe".to_owned()];
    reviewer.disclosures = Some(vec!["Probe disclosure.".to_owned()]);
    reviewer.same_as = vec!["https://example.org/probe-profile".to_owned()];
    reviewer.bio = Some("Probe bio.".to_owned());
    let id = Id::parse_slug("probe person", "probe-reviewer")?;
    roster.reviewers.insert(id.clone(), reviewer);
    let pages = [page];
    for profile in profiles(&roster, &pages) {
        reviewer_page(templates, config, publication, &roster, &profile)?;
    }
    Ok(())
}
