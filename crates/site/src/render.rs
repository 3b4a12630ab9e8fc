//! Rendering: Markdown to sanitized HTML, and minijinja templates with HTML
//! auto-escaping forced on and strict undefined behaviour. minijinja,
//! pulldown-cmark and ammonia types stay inside this module.

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use pulldown_cmark::{Parser, html};
use serde::Serialize;

use medreview_core::error::{Code, Error, Result};

pub mod blocks;
mod footnotes;
pub(crate) mod guard;
pub mod marks;

pub(crate) use medreview_core::markdown::options;

/// Markdown to HTML that is safe to put on a page: raw `<script>`, event handlers,
/// `javascript:` links and the like are removed; links get `rel="noopener noreferrer"`.
/// Footnote references link to a notes list at the end, and each note links back;
/// those links' ids (`fn-LABEL`, `fnref-LABEL`) are the only ids the HTML keeps.
pub fn markdown_to_html(markdown: &str) -> String {
    let split = footnotes::split(Parser::new_ext(markdown, options()));
    let marker = footnotes::Marker::for_source(markdown);
    footnotes::render(split, &marker, |events| {
        let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
        html::push_html(&mut unsafe_html, events.into_iter());
        SANITIZER.clean(&unsafe_html).to_string()
    })
}

/// The sanitizer, built once and shared by every page.
static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(ammonia::Builder::default);

/// The sanitizer of the redline page's body, whose markup medreview writes itself
/// around escaped text: it keeps classes, and still removes anything unsafe.
static REDLINE_SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(|| {
        let mut builder = ammonia::Builder::default();
        // `id`, `data-code` and `aria-describedby` are lint marks' (the panel links them).
        builder.add_generic_attributes([
            "class",
            "data-thread",
            "id",
            "data-code",
            "aria-describedby",
        ]);
        builder
    });

/// Sanitizes the HTML of a rendered redline (see `diff::redline_blocks`).
pub(crate) fn sanitize_redline(html: &str) -> String {
    REDLINE_SANITIZER.clean(html).to_string()
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Serializes `value` as JSON that can sit inside `<script type="application/ld+json">`:
/// `<`, `>` and `&` are written as `\u003c`, `\u003e` and `\u0026`, so no text can close the tag.
pub(crate) fn script_json<T: Serialize>(value: &T) -> Result<String> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal(format!("cannot write JSON-LD: {e}")))?;
    Ok(json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026"))
}

/// The variables of one page, by name.
#[derive(Default)]
pub struct Context {
    vars: std::collections::BTreeMap<String, Value>,
}

impl Context {
    /// Adds a variable from anything serializable; its text is escaped on output.
    pub fn insert<T: Serialize>(&mut self, name: &str, data: &T) {
        self.vars.insert(name.to_owned(), Value::from(Serde(data)));
    }

    /// Adds a variable holding HTML that is already safe (it is not escaped again).
    pub(crate) fn insert_safe(&mut self, name: &str, html: String) {
        self.vars
            .insert(name.to_owned(), Value::from_safe_string(html));
    }
}

/// A set of page templates with HTML auto-escaping forced and strict undefined behaviour.
pub struct Templates {
    env: Environment<'static>,
}

/// The most steps one page's template may take (the built-in pages take a few
/// thousand; an index of 10,000 articles well under a million).
const FUEL: u64 = 50_000_000;

/// The most one page may weigh.
const MAX_OUTPUT: usize = 16 << 20;

/// Output that refuses to grow past [`MAX_OUTPUT`].
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT {
            self.0.extend_from_slice(buf);
            return Err(std::io::Error::other("page too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One template: its name as the user knows it (`templates/article.html`) and its source.
pub struct TemplateSource {
    /// The name in messages.
    pub name: String,
    /// The template text.
    pub text: String,
}

impl Templates {
    /// Compiles the templates; a syntax error names the template and the line.
    pub fn new(sources: Vec<TemplateSource>) -> Result<Templates> {
        let mut env = Environment::new();
        // Every template is HTML, whatever its name: escaping is never left to a file extension.
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // An error names the expression that failed (`article.no_such_field`) in
        // release builds too, where minijinja leaves debug info off by default.
        env.set_debug(true);
        // A committed template is input: bound what one page may cost.
        env.set_fuel(Some(FUEL));
        // Keep each template's source, so an error quotes the expression that failed;
        // minijinja keeps it only in debug builds unless asked, and users run release ones.
        env.set_debug(true);
        for source in sources {
            env.add_template_owned(source.name.clone(), source.text)
                .map_err(|err| template_error(&err, &source.name))?;
        }
        Ok(Templates { env })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &Context) -> Result<String> {
        let template = self
            .env
            .get_template(name)
            .map_err(|err| template_error(&err, name))?;
        let mut out = Capped(Vec::new());
        match template.render_captured_to(Value::from(context.vars.clone()), &mut out) {
            Ok(_) => {}
            Err(err) if out.0.len() > MAX_OUTPUT => {
                return Err(Error::with_hint(
                    Code::TemplateError,
                    format!(
                        "{name}: the template wrote more than {} MiB for one page ({})",
                        MAX_OUTPUT >> 20,
                        err.kind()
                    ),
                    "a page is never that large; look for a loop that repeats too much",
                ));
            }
            Err(err) if err.kind() == minijinja::ErrorKind::OutOfFuel => {
                return Err(Error::with_hint(
                    Code::TemplateError,
                    format!(
                        "{name}: the template ran too long for one page (more than {FUEL} steps): a loop that never ends or repeats too much"
                    ),
                    "fix the loops in the template (nested `for` over large ranges), commit it and publish again",
                ));
            }
            Err(err) => return Err(template_error(&err, name)),
        }
        String::from_utf8(out.0).map_err(|_| {
            Error::internal(format!("{name}: the template wrote text that is not UTF-8"))
        })
    }
}

/// Turns a minijinja error into one that names the template, the line and the expression.
fn template_error(err: &minijinja::Error, name: &str) -> Error {
    let name = err.name().unwrap_or(name);
    let line = err.line().map(|l| format!(":{l}")).unwrap_or_default();
    let what = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    // Name the expression that failed, unless the detail already quotes it.
    let expression = match (err.template_source(), err.range()) {
        (Some(source), Some(range)) => source
            .get(range)
            .map(str::trim)
            .filter(|text| !what.contains(*text))
            .map(|text| format!(" in `{text}`")),
        _ => None,
    }
    .unwrap_or_default();
    let hint = if err.kind() == minijinja::ErrorKind::UndefinedError {
        "use only the variables listed in templates/README.md; test optional ones with `{% if x %}`"
    } else {
        "fix the template at that line; templates/README.md lists the variables"
    };
    Error::with_hint(
        Code::TemplateError,
        format!("{name}{line}: {what}{expression}"),
        hint,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_sanitized() {
        let html = markdown_to_html(
            "# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://e.org)\n",
        );
        assert!(html.contains("<h1>Hi</h1>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(
            html.contains(r#"<a href="https://e.org" rel="noopener noreferrer">ok</a>"#),
            "{html}"
        );
    }

    #[test]
    fn script_json_cannot_close_the_tag() {
        let json =
            script_json(&serde_json::json!({ "name": "</script><script>alert(1)</script> & co" }))
                .expect("json");
        assert!(!json.contains("</script"), "{json}");
        assert!(json.contains("\\u003c/script\\u003e"), "{json}");
    }

    #[test]
    fn templates_escape_and_refuse_undefined() {
        let t = Templates::new(vec![
            TemplateSource {
                name: "a.txt".into(),
                text: "{{ title }}".into(),
            },
            TemplateSource {
                name: "b.html".into(),
                text: "line one\n{{ article.missing }}".into(),
            },
        ])
        .expect("compiles");
        let mut ctx = Context::default();
        ctx.insert("title", &"<b>");
        let out = t.render("a.txt", &ctx).expect("renders");
        assert_eq!(out, "&lt;b&gt;", "escaping is forced even for a .txt name");
        let mut ctx = Context::default();
        ctx.insert("article", &serde_json::json!({}));
        let err = t.render("b.html", &ctx).expect_err("undefined");
        let text = err.to_string();
        assert!(text.starts_with("b.html:2:"), "{text}");
        assert!(text.contains("article.missing"), "{text}");
    }

    #[test]
    fn syntax_errors_name_the_template_and_line() {
        let err = Templates::new(vec![TemplateSource {
            name: "templates/x.html".into(),
            text: "ok\n{% if %}".into(),
        }])
        .err()
        .expect("syntax error");
        assert!(err.to_string().starts_with("templates/x.html:2:"), "{err}");
    }
}
