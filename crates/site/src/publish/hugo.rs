//! Hugo export: a Hugo site's content, data and layouts.
//!
//! `publish --format hugo --out SITE` writes, into the Hugo site folder SITE:
//!
//! - `content/articles/<slug>.md`: the Markdown export's front matter and body,
//!   with what medreview renders from the record (the review block, the bios, the
//!   index line, the JSON-LD) as front matter fields a layout places with
//!   `safeHTML`/`safeJS` but never composes, and `type: medreview`;
//! - `content/articles/_index.md`: the list of articles;
//! - `layouts/…`: every file of the commit's `templates/hugo/` (the built-in layout
//!   where the commit has none), vetted like the HTML templates: the page layout
//!   places the review block, and no layout prints a review claim of its own;
//! - `data/medreview/manifest.json`: the manifest, where layouts read it as
//!   `site.Data.medreview.manifest`, outside `content/`.
//!
//! Everything else in SITE (the user's config, themes, own content, Hugo's
//! `public/`) is carried over as it is.

use medreview_core::error::{Code, Error, Result};
use medreview_core::source::Source;
use medreview_core::workspace::Config;
use medreview_store::gitstore::EntryKind;
use serde::Serialize;

use super::*;
use crate::templates;

/// The section the articles are published under.
pub(super) const SECTION: &str = "articles";

/// Where the manifest of a Hugo export is written.
pub(super) const MANIFEST: &str = "data/medreview/manifest.json";

/// The layout folder in the workspace.
const LAYOUTS: &str = "templates/hugo";

/// The front matter fields medreview renders for a Hugo layout to place.
#[derive(Serialize)]
pub(super) struct HugoFields {
    /// Hugo's layout type: `layouts/medreview/`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The review block, HTML (escaped by medreview).
    review_block: String,
    /// The writer's and reviewers' bios, HTML.
    about_block: String,
    /// The line the list of articles shows for the page, HTML.
    review_line: String,
    /// schema.org `MedicalWebPage`, safe inside `<script type="application/ld+json">`.
    json_ld: String,
}

/// The page's URL path under the site: `articles/<slug>/`.
pub(super) fn page_url(slug: &Id) -> String {
    format!("{SECTION}/{slug}/")
}

/// The Hugo files for `pages`: content, the section's list page and the layouts.
pub(super) fn hugo_files(
    src: &dyn Source,
    config: &Config,
    pages: &[Page],
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = layouts(src)?;
    for p in pages {
        let url = page_url(&p.slug);
        let fields = HugoFields {
            kind: "medreview",
            review_block: block::review_block(p),
            about_block: block::about_block(p),
            review_line: block::index_review_line(p),
            json_ld: page_json_ld(config, p, url.clone(), canonical_url(config, &url))?,
        };
        files.push(markdown_file(config, p, Format::Hugo, Some(&fields))?);
    }
    let index = serde_json::json!({
        "title": config.publication,
        "type": "medreview",
    });
    let index = serde_json::to_string_pretty(&index)
        .map_err(|e| Error::internal(format!("cannot write the list page: {e}")))?;
    files.push((
        format!("content/{SECTION}/_index.md"),
        format!("---\n{index}\n---\n").into_bytes(),
    ));
    Ok(files)
}

/// The layouts: every file of the commit's `templates/hugo/`, or the built-in ones
/// where it has none, as `layouts/<path>`; each vetted.
fn layouts(src: &dyn Source) -> Result<Vec<(String, Vec<u8>)>> {
    let mut found = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        let rel = if dir.is_empty() {
            LAYOUTS.to_owned()
        } else {
            format!("{LAYOUTS}/{dir}")
        };
        for (name, kind) in src.list(&rel)? {
            let path = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            match kind {
                EntryKind::Dir => stack.push(path),
                EntryKind::File => {
                    let bytes = src.read(&format!("{LAYOUTS}/{path}"))?.unwrap_or_default();
                    found.push((path, bytes));
                }
                _ => {
                    return Err(Error::with_hint(
                        Code::WrongFileType,
                        format!(
                            "{} is not a regular file",
                            src.shown(&format!("{LAYOUTS}/{path}")).display()
                        ),
                        "layouts in templates/hugo/ must be regular files",
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        found = templates::HUGO_LAYOUTS
            .iter()
            .map(|(path, text)| ((*path).to_owned(), text.as_bytes().to_vec()))
            .collect();
    }
    found.sort();
    let mut single = false;
    for (path, bytes) in &found {
        let shown = format!("{LAYOUTS}/{path}");
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Error::with_hint(
                Code::InvalidArgument,
                format!("{shown} is not UTF-8 text"),
                "save the layout as UTF-8",
            )
        })?;
        vet_layout(&shown, text)?;
        single |= path == "medreview/single.html" && places_review_block(&found, text);
    }
    if !single {
        return Err(Error::with_hint(
            Code::TemplateWithoutReviewBlock,
            format!(
                "{LAYOUTS}/medreview/single.html does not place the review block: a page without medreview's review block is not a medreview page"
            ),
            format!(
                "place it with `{{{{ partial \"medreview/review-block.html\" . }}}}` (or `{{{{ .Params.review_block | safeHTML }}}}`) where the byline goes; commit the layout and record it (`medreview admin record {LAYOUTS} -m NOTE`)"
            ),
        ));
    }
    Ok(found
        .into_iter()
        .map(|(path, bytes)| (format!("layouts/{path}"), bytes))
        .collect())
}

/// Whether the page layout `text` places `review_block`, itself or through a
/// partial of `layouts`.
fn places_review_block(layouts: &[(String, Vec<u8>)], text: &str) -> bool {
    let direct = |t: &str| t.contains(".Params.review_block");
    direct(text)
        || layouts.iter().any(|(path, bytes)| {
            path.strip_prefix("partials/").is_some_and(|partial| {
                text.contains(&format!("partial \"{partial}\""))
                    && std::str::from_utf8(bytes).is_ok_and(direct)
            })
        })
}

/// Refuses a layout that prints a review claim of its own: only medreview's review
/// block says who reviewed a page and when.
fn vet_layout(shown: &str, text: &str) -> Result<()> {
    let folded = text.to_lowercase();
    for claim in [
        "reviewed by",
        "medically reviewed",
        "fact-checked by",
        "fact checked by",
    ] {
        if folded.contains(claim) {
            return Err(Error::with_hint(
                Code::TemplateReviewLine,
                format!("{shown} prints its own review claim: {claim:?}"),
                format!(
                    "only medreview's review block (`.Params.review_block`) says who reviewed a page and when; remove the text, commit the layout and record it (`medreview admin record {LAYOUTS} -m NOTE`)"
                ),
            ));
        }
    }
    // The record's fields a layout could rebuild a byline from.
    for field in ["medically_reviewed_by", "last_reviewed"] {
        if folded.contains(&format!(".params.{field}")) {
            return Err(Error::with_hint(
                Code::TemplateReviewLine,
                format!("{shown} composes its own review claim from .Params.{field}"),
                "place medreview's review block (`.Params.review_block`) instead; the review facts in the front matter are for themes that read them, the byline is medreview's",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_layouts_pass_their_own_vetting() {
        let found: Vec<(String, Vec<u8>)> = templates::HUGO_LAYOUTS
            .iter()
            .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec()))
            .collect();
        for (path, bytes) in &found {
            vet_layout(path, std::str::from_utf8(bytes).unwrap()).unwrap();
        }
        let single = found
            .iter()
            .find(|(p, _)| p == "medreview/single.html")
            .unwrap();
        assert!(places_review_block(
            &found,
            std::str::from_utf8(&single.1).unwrap()
        ));
    }

    #[test]
    fn a_layout_with_its_own_byline_is_refused() {
        let err = vet_layout("x.html", "<p>Medically Reviewed by Dr. Nobody</p>").unwrap_err();
        assert!(
            err.to_string().contains("prints its own review claim"),
            "{err}"
        );
        let err = vet_layout(
            "x.html",
            "{{ range .Params.medically_reviewed_by }}{{ .name }}{{ end }}",
        )
        .unwrap_err();
        assert!(err.to_string().contains("composes its own"), "{err}");
    }
}
