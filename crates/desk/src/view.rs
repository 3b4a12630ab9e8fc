//! The desk's pages: minijinja templates compiled into the binary (every value
//! HTML-escaped unless it is a page `diff` or `preview` made), the headers every
//! response carries, and the error page that says what to do next.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use medreview_core::error::{Error, Kind, Result};
use minijinja::Environment;
use serde::Serialize;

/// The policy of the desk's own pages: scripts and styles from the desk alone,
/// no inline script, frames only from the desk, forms only to the desk.
pub(crate) const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The policy of the redline and preview frames: their own inline styles, no
/// script of any kind, shown only inside the desk's pages.
pub(crate) const FRAME_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'";

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    ("enroll.html", include_str!("../templates/enroll.html")),
    ("inbox.html", include_str!("../templates/inbox.html")),
    ("thread.html", include_str!("../templates/thread.html")),
    ("review.html", include_str!("../templates/review.html")),
    ("article.html", include_str!("../templates/article.html")),
    (
        "publisher.html",
        include_str!("../templates/publisher.html"),
    ),
    ("done.html", include_str!("../templates/done.html")),
    ("problem.html", include_str!("../templates/problem.html")),
];

/// The desk's script: passkey calls and text selection, nothing else.
pub(crate) const SCRIPT: &str = include_str!("../static/desk.js");
/// The desk's style sheet.
pub(crate) const STYLE: &str = include_str!("../static/desk.css");

/// The compiled templates.
pub(crate) struct Views(Environment<'static>);

impl Views {
    /// Compiles every template; a broken one is the build's fault, said at start.
    pub fn new() -> Result<Views> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, text) in TEMPLATES {
            env.add_template(name, text)
                .map_err(|e| Error::internal(format!("the desk's page {name} is broken: {e}")))?;
        }
        Ok(Views(env))
    }

    /// The page `name` with `context`, as an HTML response.
    pub fn page(&self, name: &str, context: impl Serialize) -> Response {
        match self
            .0
            .get_template(name)
            .and_then(|t| t.render(minijinja::value::Serde(&context)))
        {
            Ok(html) => html_response(StatusCode::OK, html),
            Err(e) => self.problem_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("the desk could not draw the page {name}: {e}"),
                None,
            ),
        }
    }

    /// The page that says what went wrong and what to do next.
    pub fn problem_page(&self, status: StatusCode, message: &str, hint: Option<&str>) -> Response {
        let context = serde_json::json!({
            "title": "Problem",
            "message": message,
            "hint": hint,
            "status": status.as_u16(),
        });
        match self
            .0
            .get_template("problem.html")
            .and_then(|t| t.render(minijinja::value::Serde(&context)))
        {
            Ok(html) => html_response(status, html),
            Err(_) => (status, message.to_owned()).into_response(),
        }
    }

    /// The page for a refusal or failure of the domain.
    pub fn error(&self, error: &Error) -> Response {
        self.problem_page(
            status_of(error),
            &error.to_string(),
            error.hint().as_deref(),
        )
    }
}

/// The HTTP status of a domain error: a refusal is the person's to act on.
pub(crate) fn status_of(error: &Error) -> StatusCode {
    match error.kind() {
        Kind::Refused | Kind::Usage => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An HTML response.
pub(crate) fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// A JSON error for the script: what happened and what to do next.
pub(crate) fn json_error(status: StatusCode, message: &str, hint: Option<&str>) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": message, "hint": hint })),
    )
        .into_response()
}

/// A JSON error from a domain error.
pub(crate) fn json_refusal(error: &Error) -> Response {
    json_error(
        status_of(error),
        &error.to_string(),
        error.hint().as_deref(),
    )
}

/// The headers every response carries; a response that set its own policy (a
/// frame) keeps it.
pub(crate) fn secure_headers(headers: &mut HeaderMap) {
    let defaults = [
        (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
}
