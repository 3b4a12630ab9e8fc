//! The desk's routes and the pages people read: the inbox, the review page, the
//! writer's article page, the publisher's list, and the two frames (the redline
//! and the page as patients see it).
//!
//! Who may read what is decided in one place, [`may_read`]: a reviewer reads every
//! article, a writer the articles they write, a publisher the approved ones. A page
//! someone may not read is answered as if the article did not exist.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset};
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::{ViewKind, Viewed};
use medreview_core::roster::Roster;
use medreview_core::workspace::{Config, Workspace};
use medreview_site::diff::{self, Side, comment_marks};
use medreview_site::inbox::Kind;
use medreview_site::report::ArticleSummary;
use serde::{Deserialize, Serialize};

use crate::session::Me;
use crate::state::Desk;
use crate::view::{FRAME_POLICY, SCRIPT, STYLE, html_response, secure_headers};

/// Every route of the desk.
pub(crate) fn router(desk: Arc<Desk>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(crate::auth::signin_page))
        .route("/signin/begin", post(crate::auth::signin_begin))
        .route("/signin/finish", post(crate::auth::signin_finish))
        .route("/signout", post(crate::auth::signout))
        .route("/enroll/{token}", get(crate::auth::enroll_page))
        .route("/enroll/{token}/begin", post(crate::auth::enroll_begin))
        .route("/enroll/{token}/finish", post(crate::auth::enroll_finish))
        .route("/inbox", get(inbox))
        .route("/review/{slug}", get(review))
        .route("/article/{slug}", get(article))
        .route("/publisher", get(publisher))
        .route("/frame/{slug}/redline", get(redline_frame))
        .route("/frame/{slug}/preview", get(preview_frame))
        .route("/sign/prepare", post(crate::sign::prepare))
        .route("/sign/finish", post(crate::sign::finish))
        .route("/done", get(done))
        .route("/static/desk.js", get(script))
        .route("/static/desk.css", get(style))
        .layer(middleware::from_fn(headers))
        .with_state(desk)
}

async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    secure_headers(response.headers_mut());
    response
}

async fn script() -> Response {
    static_file(SCRIPT, "text/javascript; charset=utf-8")
}

async fn style() -> Response {
    static_file(STYLE, "text/css; charset=utf-8")
}

fn static_file(body: &'static str, kind: &'static str) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}

async fn home(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    match desk.sessions.me(&headers) {
        Some(_) => Redirect::to("/inbox").into_response(),
        None => Redirect::to("/signin").into_response(),
    }
}

/// The person's roles, as the committed roster and settings give them.
fn roles(roster: &Roster, config: &Config, me: &Id) -> Vec<&'static str> {
    let mut roles = medreview_core::roster::identity::roles(roster, config, me);
    if roster
        .reviewers
        .get(me)
        .is_some_and(|r| r.retired.is_some())
    {
        roles.retain(|r| *r != "reviewer");
    }
    roles
}

/// The committed roster and settings, and `me`'s roles in them.
fn who<'w>(
    ws: &'w Workspace,
    me: &Id,
) -> Result<(
    Box<dyn medreview_core::roster::people::People + 'w>,
    Vec<&'static str>,
)> {
    let people = ws.committed_people()?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let roles = roles(&state.roster, &config, me);
    Ok((people, roles))
}

/// Whether a person with `roles` may read `article`: the one rule of the desk.
fn may_read(me: &Id, roles: &[&str], article: &ArticleSummary) -> bool {
    roles.contains(&"reviewer")
        || (roles.contains(&"writer") && &article.writer == me)
        || (roles.contains(&"publisher") && article.publishable.is_some())
}

/// The common parts of a signed-in page.
#[derive(Serialize)]
struct Frame {
    me: String,
    name: String,
    roles: Vec<&'static str>,
    csrf: String,
    sync_problem: Option<String>,
}

/// What every signed-in page reads first: the session, the roster and settings.
struct Reader {
    me: Me,
    now: DateTime<FixedOffset>,
}

impl Reader {
    fn frame(&self, desk: &Desk, roster: &Roster, roles: Vec<&'static str>) -> Frame {
        Frame {
            me: self.me.person.to_string(),
            name: roster
                .name_of(&self.me.person)
                .unwrap_or(self.me.person.as_str())
                .to_owned(),
            roles,
            csrf: self.me.csrf.clone(),
            sync_problem: crate::state::lock(&desk.sync_problem).clone(),
        }
    }
}

/// Runs `f` for a signed-in person on a blocking thread; a visitor who is not
/// signed in is sent to sign in.
async fn signed_in_page(
    desk: Arc<Desk>,
    headers: &HeaderMap,
    f: impl FnOnce(&Desk, &Workspace, &Reader) -> Result<Response> + Send + 'static,
) -> Response {
    let Some(me) = desk.sessions.me(headers) else {
        return Redirect::to("/signin").into_response();
    };
    let worker = desk.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let now = medreview_core::clock::now()?;
        let reader = Reader { me, now };
        worker.read(|ws| f(&worker, ws, &reader))
    })
    .await;
    match outcome {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => desk.views.error(&e),
        Err(e) => desk.views.problem_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the desk failed while drawing the page: {e}"),
            None,
        ),
    }
}

/// The answer to an article someone may not read, or that does not exist.
fn not_found(slug: &str) -> Error {
    Error::with_hint(
        Code::UnknownArticle,
        format!("there is no article {slug} for you here"),
        "go back to your inbox",
    )
}

/// The summary of `slug`, if `me` may read it.
fn readable(
    ws: &Workspace,
    me: &Id,
    roles: &[&str],
    slug: &str,
    now: DateTime<FixedOffset>,
) -> Result<(Id, ArticleSummary)> {
    let id = Id::parse("slug", slug).map_err(|_| not_found(slug))?;
    if !ws.root().join(Workspace::article_rel(&id)).is_file() {
        return Err(not_found(slug));
    }
    let people = ws.committed_people()?;
    let key = ws.committed_people_key();
    let summary = medreview_site::report::summary(ws, &*people, &id, key.as_deref(), now)?;
    if !may_read(me, roles, &summary) {
        return Err(not_found(slug));
    }
    Ok((id, summary))
}

/// For a script call: refuses an article the person may not read.
pub(crate) async fn may_read_article(
    desk: &Arc<Desk>,
    me: &Id,
    slug: Option<&Id>,
) -> std::result::Result<(), Response> {
    let Some(slug) = slug.cloned() else {
        return Err(crate::view::json_refusal(&not_found("?")));
    };
    let worker = desk.clone();
    let me = me.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        worker.read(|ws| {
            let now = medreview_core::clock::now()?;
            let (_, roles) = who(ws, &me)?;
            readable(ws, &me, &roles, slug.as_str(), now).map(|_| ())
        })
    })
    .await;
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(crate::view::json_refusal(&e)),
        Err(e) => Err(crate::view::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
            None,
        )),
    }
}

/// One line of the inbox.
#[derive(Serialize)]
struct InboxRow {
    slug: String,
    title: String,
    what: String,
    since: Option<String>,
    open_threads: usize,
    rules: Vec<String>,
    /// The page to open; none for a reviewer's license.
    link: Option<String>,
}

/// The review rules an article must meet, in words, with who met them.
fn rules_of(summary: &ArticleSummary) -> Vec<String> {
    summary
        .needs
        .iter()
        .map(|need| {
            let rule = need
                .rule
                .as_deref()
                .map_or("required approvals".to_owned(), str::to_owned);
            let specialty = need
                .specialty
                .as_deref()
                .map_or(String::new(), |s| format!(" in {s}"));
            format!(
                "{rule}: {} {}{specialty} ({} of {} met)",
                need.count,
                need.meaning,
                need.by.len().min(need.count as usize),
                need.count
            )
        })
        .collect()
}

async fn inbox(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    signed_in_page(desk, &headers, |desk, ws, reader| {
        let (people, roles) = who(ws, &reader.me.person)?;
        let state = people.current();
        let (articles, problems) = medreview_site::report::all_summaries(ws, reader.now, false)?;
        let me = &reader.me.person;
        let mut items = medreview_site::inbox::items(me, &state.roster, &articles, reader.now);
        if roles.contains(&"publisher") {
            let published = medreview_site::publish::last_publication(&ws.git);
            items.extend(medreview_site::inbox::publisher_items(
                me,
                &state.roster,
                &articles,
                published,
                reader.now,
            ));
            medreview_site::inbox::sort(&mut items);
        }
        let rows: Vec<InboxRow> = items
            .iter()
            .filter_map(|item| {
                let row = |link: Option<String>, rules: Vec<String>| InboxRow {
                    slug: item.slug.clone(),
                    title: item.title.clone(),
                    what: item.what.clone(),
                    since: item.since.as_ref().map(medreview_core::clock::short),
                    open_threads: item.open_threads,
                    rules,
                    link,
                };
                if item.kind == Kind::License {
                    return Some(row(None, Vec::new()));
                }
                let summary = articles.iter().find(|a| a.slug == item.slug)?;
                if !may_read(me, &roles, summary) {
                    return None;
                }
                let link = if roles.contains(&"reviewer") {
                    format!("/review/{}", item.slug)
                } else {
                    format!("/article/{}", item.slug)
                };
                Some(row(Some(link), rules_of(summary)))
            })
            .collect();
        let frame = reader.frame(desk, &state.roster, roles);
        Ok(desk.views.page(
            "inbox.html",
            serde_json::json!({
                "title": "Inbox",
                "frame": frame,
                "rows": rows,
                "unreadable": problems.len(),
            }),
        ))
    })
    .await
}

/// A thread as the pages show it.
#[derive(Serialize)]
struct ThreadView {
    short: String,
    by: String,
    at: String,
    quote: String,
    note: Option<String>,
    suggest: Option<String>,
    open: bool,
    mine: bool,
    replies: Vec<(String, String, String)>,
}

fn threads(
    ws: &Workspace,
    people: &dyn medreview_core::roster::people::People,
    record: &ArticleRecord,
    me: &Id,
) -> Result<Vec<ThreadView>> {
    let conversation = medreview_core::comments::Conversation::of_record(ws, record, people)?;
    let roster = &people.current().roster;
    let name = |id: &Id| roster.name_of(id).unwrap_or(id.as_str()).to_owned();
    Ok(conversation
        .threads()
        .into_iter()
        .map(|t| ThreadView {
            short: t.short.clone(),
            by: name(&t.by),
            at: medreview_core::clock::short(&t.at),
            quote: t.anchor.exact.clone(),
            note: t.note.clone(),
            suggest: t.suggest.clone(),
            open: t.open,
            mine: &t.by == me,
            replies: t
                .replies
                .iter()
                .map(|r| {
                    (
                        name(&r.by),
                        medreview_core::clock::short(&r.at),
                        r.note.clone(),
                    )
                })
                .collect(),
        })
        .collect())
}

/// One lint finding as the review page lists it.
#[derive(Serialize)]
struct FindingView {
    severity: String,
    line: usize,
    message: String,
}

async fn review(
    State(desk): State<Arc<Desk>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    signed_in_page(desk, &headers, move |desk, ws, reader| {
        let me = &reader.me.person;
        let (people, roles) = who(ws, me)?;
        let state = people.current();
        if !roles.contains(&"reviewer") {
            return Err(not_found(&slug));
        }
        let (id, summary) = readable(ws, me, &roles, &slug, reader.now)?;
        let record = ArticleRecord::load(ws, &id)?;
        let latest = record.ledger.latest_revision();
        let base = diff::default_base(ws, &*people, &record, Some(me));
        let from = match &base.side {
            Side::Revision(r) => Some(r.id.to_string()),
            _ => None,
        };
        let findings = match &latest {
            Some(r) => {
                let bytes = diff::bytes(ws, &record, &Side::Revision(r.clone()))?;
                medreview_lint::Linter::for_workspace(ws)?
                    .without_info()
                    .lint(&bytes, &record.article_path, None)?
                    .into_iter()
                    .map(|f| FindingView {
                        severity: f.severity.as_str().to_owned(),
                        line: f.line,
                        message: f.message,
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        if let Some(r) = &latest {
            let viewed = Viewed {
                how: ViewKind::Diff,
                revision: r.id.clone(),
                from: match &base.side {
                    Side::Revision(b) => Some(b.id.clone()),
                    _ => None,
                },
            };
            desk.sessions.with(&reader.me.token, |s| {
                s.viewed.insert(slug.clone(), viewed);
            });
        }
        let policy = ws.policy(&*people);
        let threads = threads(ws, &*people, &record, me)?;
        let publishable = summary
            .publishable
            .as_ref()
            .map(|p| p.revision.id.to_string());
        let frame = reader.frame(desk, &state.roster, roles);
        Ok(desk.views.page(
            "review.html",
            serde_json::json!({
                "title": summary.title,
                "frame": frame,
                "slug": slug,
                "summary": summary,
                "state": summary.state.to_string(),
                "revision": latest.as_ref().map(|r| r.id.to_string()),
                "revision_label": latest.as_ref().map(|r| r.label_with_id()),
                "from": from,
                "since": base.why,
                "since_mine": base.mine,
                "my_note": base.note,
                "findings": findings,
                "threads": threads,
                "meanings": policy.meanings,
                "default_meaning": policy.default_meaning(),
                "publishable": publishable,
                "rules": rules_of(&summary),
            }),
        ))
    })
    .await
}

async fn article(
    State(desk): State<Arc<Desk>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    signed_in_page(desk, &headers, move |desk, ws, reader| {
        let me = &reader.me.person;
        let (people, roles) = who(ws, me)?;
        let state = people.current();
        let (id, summary) = readable(ws, me, &roles, &slug, reader.now)?;
        let record = ArticleRecord::load(ws, &id)?;
        let latest = record.ledger.latest_revision();
        let threads = threads(ws, &*people, &record, me)?;
        let frame = reader.frame(desk, &state.roster, roles);
        Ok(desk.views.page(
            "article.html",
            serde_json::json!({
                "title": summary.title,
                "frame": frame,
                "slug": slug,
                "summary": summary,
                "state": summary.state.to_string(),
                "revision": latest.as_ref().map(|r| r.id.to_string()),
                "revision_label": latest.as_ref().map(|r| r.label_with_id()),
                "threads": threads,
            }),
        ))
    })
    .await
}

/// One approved article on the publisher's list.
#[derive(Serialize)]
struct Approved {
    slug: String,
    title: String,
    revision: String,
    approvals: Vec<String>,
    since: String,
    /// Approved after the last publication (or there was none).
    new: bool,
}

async fn publisher(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    signed_in_page(desk, &headers, |desk, ws, reader| {
        let (people, roles) = who(ws, &reader.me.person)?;
        let state = people.current();
        if !roles.contains(&"publisher") {
            return Err(Error::with_hint(
                Code::NotAPublisher,
                format!("{} is not a publisher", reader.me.person),
                "an admin makes someone a publisher with `medreview publisher add ID`",
            ));
        }
        let (articles, _) = medreview_site::report::all_summaries(ws, reader.now, false)?;
        let published = medreview_site::publish::last_publication(&ws.git);
        // What is new is what the publisher's inbox lists (one rule).
        let waiting = medreview_site::inbox::publisher_items(
            &reader.me.person,
            &state.roster,
            &articles,
            published,
            reader.now,
        );
        let mut approved: Vec<(DateTime<FixedOffset>, Approved)> = articles
            .iter()
            .filter_map(|a| {
                let p = a.publishable.as_ref()?;
                let last = p.approved_at;
                Some((
                    last,
                    Approved {
                        slug: a.slug.clone(),
                        title: a.title.clone(),
                        revision: format!(
                            "r{} ({})",
                            p.revision.number,
                            &p.revision.id.to_string()[..10]
                        ),
                        approvals: p
                            .approvals
                            .iter()
                            .map(|x| {
                                format!(
                                    "{} ({}, {})",
                                    x.name.as_deref().unwrap_or(x.by.as_str()),
                                    x.meaning,
                                    medreview_core::clock::short(&x.at)
                                )
                            })
                            .collect(),
                        since: medreview_core::clock::short(&last),
                        new: waiting
                            .iter()
                            .any(|i| i.kind == Kind::Publish && i.slug == a.slug),
                    },
                ))
            })
            .collect();
        approved.sort_by_key(|a| std::cmp::Reverse(a.0));
        let approved: Vec<Approved> = approved.into_iter().map(|(_, a)| a).collect();
        let frame = reader.frame(desk, &state.roster, roles);
        Ok(desk.views.page(
            "publisher.html",
            serde_json::json!({
                "title": "Approved pages",
                "frame": frame,
                "approved": approved,
                "published": published.as_ref().map(medreview_core::clock::short),
            }),
        ))
    })
    .await
}

/// Which sides a frame shows: revision ids (or prefixes), as the pages link them.
#[derive(Debug, Deserialize)]
struct FrameQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// A frame's answer: the page, under the frame policy (no script at all).
fn frame_response(html: String) -> Response {
    let mut response = html_response(StatusCode::OK, html);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FRAME_POLICY),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    response
}

/// A side named by a frame link: a revision, never the desk's working tree.
fn frame_side(record: &ArticleRecord, name: Option<&str>) -> Result<Side> {
    match name {
        None | Some("") => Ok(Side::Nothing),
        Some(name) if name.starts_with('r') || name.chars().all(|c| c.is_ascii_hexdigit()) => {
            record.ledger.resolve(name).map(Side::Revision)
        }
        Some(name) => Err(Error::new(
            Code::UnknownRevision,
            format!("{name:?} names no revision"),
        )),
    }
}

/// The article a frame shows, if `me` may read it, and its newer side (`to`,
/// default the latest revision).
fn frame_article(
    ws: &Workspace,
    me: &Id,
    roles: &[&str],
    slug: &str,
    query: &FrameQuery,
    now: DateTime<FixedOffset>,
) -> Result<(ArticleRecord, Side)> {
    let (id, _) = readable(ws, me, roles, slug, now)?;
    let record = ArticleRecord::load(ws, &id)?;
    let to = match query.to.as_deref() {
        Some(name) => frame_side(&record, Some(name))?,
        None => record
            .ledger
            .latest_revision()
            .map_or(Side::Nothing, Side::Revision),
    };
    Ok((record, to))
}

/// What a frame shows, as the desk keeps it drawn: its kind, the article, both
/// sides and the minute of the clock (a page may say how old a review is).
fn frame_key(kind: &str, slug: &str, from: &Side, to: &Side, now: DateTime<FixedOffset>) -> String {
    let name = |side: &Side| match side {
        Side::Revision(r) => r.id.to_string(),
        Side::Working => "working".to_owned(),
        Side::Nothing => String::new(),
    };
    format!(
        "{kind} {slug} {} {} {}",
        name(from),
        name(to),
        now.format("%Y-%m-%dT%H:%M%:z")
    )
}

async fn redline_frame(
    State(desk): State<Arc<Desk>>,
    Path(slug): Path<String>,
    Query(query): Query<FrameQuery>,
    headers: HeaderMap,
) -> Response {
    signed_in_page(desk, &headers, move |desk, ws, reader| {
        let me = &reader.me.person;
        let (people, roles) = who(ws, me)?;
        let state = people.current();
        let (record, to) = frame_article(ws, me, &roles, &slug, &query, reader.now)?;
        let from = frame_side(&record, query.from.as_deref())?;
        let key = frame_key("redline", &slug, &from, &to, reader.now);
        let html = desk.frame(ws.git.head_commit(), key, || {
            let comparison = diff::compare(ws, &state.roster, &record, &from, &to)?;
            let notes = comment_marks::notes(ws, &record, &*people, &to)?;
            diff::html_page(ws, &record, &comparison, &to, &notes, Default::default())
        })?;
        Ok(frame_response(html))
    })
    .await
}

async fn preview_frame(
    State(desk): State<Arc<Desk>>,
    Path(slug): Path<String>,
    Query(query): Query<FrameQuery>,
    headers: HeaderMap,
) -> Response {
    signed_in_page(desk, &headers, move |desk, ws, reader| {
        let me = &reader.me.person;
        let (people, roles) = who(ws, me)?;
        let (record, side) = frame_article(ws, me, &roles, &slug, &query, reader.now)?;
        if let Side::Nothing = side {
            return Err(not_found(&slug));
        }
        let key = frame_key("preview", &slug, &Side::Nothing, &side, reader.now);
        let html = desk.frame(ws.git.head_commit(), key, || {
            medreview_site::publish::preview::committed_preview(
                ws,
                &*people,
                record,
                &side,
                reader.now,
                true,
                Default::default(),
            )
            .map(|preview| preview.html)
        })?;
        Ok(frame_response(html))
    })
    .await
}

async fn done(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    let Some(me) = desk.sessions.me(&headers) else {
        return Redirect::to("/signin").into_response();
    };
    let done = desk.sessions.with(&me.token, |s| s.done.clone()).flatten();
    let Some(done) = done else {
        return Redirect::to("/inbox").into_response();
    };
    desk.views.page(
        "done.html",
        serde_json::json!({ "title": "Recorded", "frame": Frame {
                me: me.person.to_string(),
                name: me.person.to_string(),
                roles: Vec::new(),
                csrf: me.csrf,
                sync_problem: done.sync_problem.clone(),
            }, "done": done }),
    )
}
