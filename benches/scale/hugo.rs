//! A Hugo site of the same articles: each one's latest approved revision, the same
//! Markdown body, its front matter converted (the people's names, credentials and
//! bios, and the review date, which medreview takes from the roster and the record),
//! and layouts that print what the built-in `crates/site/src/templates/*.html` print: title,
//! summary, byline, body, sources, bios, JSON-LD in the head, the same style sheet,
//! and an index of every article. `uglyURLs` gives `SLUG.html`, as publish writes.

use std::fmt::Write as _;
use std::path::Path;

use crate::corpus::quote;
use crate::generate::{Final, REVIEWERS, WRITERS, reviewer_bio, writer_bio};

const CONFIG: &str = r#"baseURL = "https://health.example.org/"
languageCode = "en-us"
title = "Bench Health"
uglyURLs = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
enableGitInfo = false
[markup.goldmark.renderer]
unsafe = false
"#;

const SINGLE_HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ .Site.Title }}</title>
{{ with .Params.summary }}<meta name="description" content="{{ . }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
"#;

const SINGLE_BODY: &str = r#"{{ $by := slice }}{{ range .Params.reviewers }}{{ $by = $by | append (dict "@type" "Person" "name" .name "honorificSuffix" .credentials) }}{{ end }}
{{ $ld := dict "@context" "https://schema.org" "@type" "MedicalWebPage" "headline" .Title "description" .Params.summary "url" .Permalink "lastReviewed" .Params.reviewed_iso "reviewedBy" $by "author" (dict "@type" "Person" "name" .Params.writer.name) "publisher" (dict "@type" "Organization" "name" .Site.Title) }}
<script type="application/ld+json">{{ $ld | jsonify | safeJS }}</script>
</head>
<body>
<header class="site"><a href="index.html">{{ .Site.Title }}</a></header>
<main>
<article>
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
<p class="byline">
<span class="part reviewed">Medically reviewed by {{ range $i, $r := .Params.reviewers }}{{ if $i }}, {{ end }}{{ $r.name }}, {{ $r.credentials }}{{ end }}</span><span class="sep">&middot;</span>
<span class="part">Written by {{ .Params.writer.name }}</span><span class="sep">&middot;</span>
<span class="part">Updated on <time datetime="{{ .Params.reviewed_iso }}">{{ .Params.reviewed_display }}</time></span>
</p>
<div class="body">
{{ .Content }}
</div>
{{ with .Params.sources }}
<section class="sources">
<h2>Sources</h2>
<ol>
{{ range . }}<li><a href="{{ .url }}" rel="noopener">{{ .title }}</a></li>
{{ end }}</ol>
</section>
{{ end }}
<section class="people">
<h2>About the reviewers and writer</h2>
{{ range .Params.reviewers }}<div class="person"><h3>{{ .name }}, {{ .credentials }} <small>(medical reviewer)</small></h3>{{ with .bio }}<p>{{ . }}</p>{{ end }}</div>
{{ end }}<div class="person"><h3>{{ .Params.writer.name }} <small>(writer)</small></h3>{{ with .Params.writer.bio }}<p>{{ . }}</p>{{ end }}</div>
</section>
</article>
</main>
<footer class="site">{{ .Site.Title }} &middot; This article is for general information and does not replace advice from your own doctor.</footer>
</body>
</html>
"#;

const INDEX_HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Site.Title }}</title>
"#;

const INDEX_BODY: &str = r#"</head>
<body>
<header><h1>{{ .Site.Title }}</h1></header>
<main>
<ul class="articles">
{{ range .Site.RegularPages.ByTitle }}<li>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}
<p class="meta">Medically reviewed by {{ range $i, $r := .Params.reviewers }}{{ if $i }}, {{ end }}{{ $r.name }}{{ end }} &middot; Updated on <time datetime="{{ .Params.reviewed_iso }}">{{ .Params.reviewed_display }}</time></p>
</li>
{{ end }}</ul>
</main>
</body>
</html>
"#;

/// The `<style>` element of a built-in template, so both sites carry the same CSS.
fn style(template: &str) -> &str {
    let start = template.find("<style>").expect("a style element");
    let end = template.find("</style>").expect("a style element") + "</style>\n".len();
    &template[start..end]
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("create a folder");
    std::fs::write(path, text).expect("write a site file");
}

/// Writes the site into `dir` (replacing it).
pub fn write_site(dir: &Path, finals: &[Final]) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("remove the old site");
    }
    let article = include_str!("../../crates/site/src/templates/article.html");
    let index = include_str!("../../crates/site/src/templates/index.html");
    write(&dir.join("config.toml"), CONFIG);
    write(
        &dir.join("layouts/_default/single.html"),
        &format!("{SINGLE_HEAD}{}{SINGLE_BODY}", style(article)),
    );
    write(
        &dir.join("layouts/index.html"),
        &format!("{INDEX_HEAD}{}{INDEX_BODY}", style(index)),
    );
    for f in finals {
        let a = &f.article;
        let (_, writer) = WRITERS[a.writer];
        let (_, reviewer, credentials) = REVIEWERS[a.reviewer];
        let mut text = String::from("---\n");
        let _ = writeln!(text, "title: {}", quote(&a.title));
        let _ = writeln!(text, "summary: {}", quote(&a.summary));
        let _ = writeln!(
            text,
            "date: {}",
            medreview_core::clock::rfc3339(&f.approved)
        );
        let _ = writeln!(
            text,
            "reviewed_iso: {}",
            quote(&f.approved.format("%Y-%m-%d").to_string())
        );
        let _ = writeln!(
            text,
            "reviewed_display: {}",
            quote(&f.approved.format("%B %-d, %Y").to_string())
        );
        let _ = writeln!(
            text,
            "writer:\n  name: {}\n  bio: {}",
            quote(writer),
            quote(&writer_bio(writer))
        );
        let _ = writeln!(
            text,
            "reviewers:\n  - name: {}\n    credentials: {}\n    bio: {}",
            quote(reviewer),
            quote(credentials),
            quote(&reviewer_bio(reviewer))
        );
        text.push_str("sources:\n");
        for (title, url) in &a.sources {
            let _ = writeln!(text, "  - title: {}\n    url: {}", quote(title), quote(url));
        }
        text.push_str("---\n\n");
        text.push_str(&a.body());
        write(&dir.join("content").join(format!("{}.md", a.slug)), &text);
    }
}

/// Whether `hugo` runs here.
pub fn available() -> bool {
    std::process::Command::new("hugo")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}
