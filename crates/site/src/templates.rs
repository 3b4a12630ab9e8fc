//! The built-in files `init` lays out: templates, `.gitattributes` and the workspace README.md.

/// The workspace's `.gitattributes`: LF articles, sign-off files byte for byte.
pub const GITATTRIBUTES: &str = include_str!("templates/gitattributes");

/// The built-in article page template.
pub const ARTICLE_HTML: &str = include_str!("templates/article.html");

/// The built-in index page template.
pub const INDEX_HTML: &str = include_str!("templates/index.html");

/// The guide to template variables, laid beside the templates.
pub const TEMPLATES_README: &str = include_str!("templates/README.md");

/// The workspace's README.md that `init` writes; `{publication}` stands for its name.
pub const WORKSPACE_README: &str = include_str!("templates/workspace-README.md");

/// The built-in page of a medical reviewer (`reviewers/<id>.html`).
pub const REVIEWER_HTML: &str = include_str!("templates/reviewer.html");
