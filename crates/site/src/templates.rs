//! The built-in files `init` lays out: templates, `.gitattributes` and the workspace README.md.

/// The workspace's `.gitattributes`: LF articles, sign-off files byte for byte.
pub const GITATTRIBUTES: &str = include_str!("templates/gitattributes");

/// The built-in article page template.
pub const ARTICLE_HTML: &str = include_str!("templates/article.html");

/// The built-in index page template.
pub const INDEX_HTML: &str = include_str!("templates/index.html");

/// The built-in Hugo layouts (`publish --format hugo`), by their path under `layouts/`.
pub const HUGO_LAYOUTS: &[(&str, &str)] = &[
    (
        "medreview/single.html",
        include_str!("templates/hugo/medreview/single.html"),
    ),
    (
        "medreview/list.html",
        include_str!("templates/hugo/medreview/list.html"),
    ),
    (
        "partials/medreview/review-block.html",
        include_str!("templates/hugo/partials/medreview/review-block.html"),
    ),
    (
        "partials/medreview/bios.html",
        include_str!("templates/hugo/partials/medreview/bios.html"),
    ),
    (
        "partials/medreview/json-ld.html",
        include_str!("templates/hugo/partials/medreview/json-ld.html"),
    ),
];

/// The guide to template variables, laid beside the templates.
pub const TEMPLATES_README: &str = include_str!("templates/README.md");

/// The workspace's README.md that `init` writes; `{publication}` stands for its name.
pub const WORKSPACE_README: &str = include_str!("templates/workspace-README.md");

/// The built-in page of a medical reviewer (`reviewers/<id>.html`).
pub const REVIEWER_HTML: &str = include_str!("templates/reviewer.html");
