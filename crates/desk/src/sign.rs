//! Signing in the browser: every entry the desk records is signed by its author's
//! passkey over exactly the text the record will hold.
//!
//! 1. `POST /sign/prepare` runs the command as the command line would, with a key
//!    that stops where it would sign ([`SigningKey::passkey_ask`]); every refusal
//!    (not the latest revision, open threads, lint errors, not her article) comes
//!    here, before she touches her passkey. The text and the time are kept in her
//!    session; the WebAuthn challenge is the SSHSIG signed data of that text.
//! 2. `POST /sign/finish` takes her assertion, makes the SSHSIG signature from it,
//!    and runs the command again at the same time with that signature
//!    ([`SigningKey::passkey_signed`]). The entry is recorded only if it is exactly
//!    the text she signed and the signature verifies against her roster key; if the
//!    record moved in between, she is asked to look again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use medreview_core::comments::entry::CommentAction;
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Viewed};
use medreview_core::signing::{SigningKey, passkey};
use medreview_core::workspace::Workspace;
use medreview_workflow::Recorded;
use medreview_workflow::comments::NewComment;
use serde::{Deserialize, Serialize};

use crate::auth::{AssertionJson, b64_encode, same_origin_refusal};
use crate::session::Me;
use crate::state::Desk;
use crate::view::{json_error, json_refusal};

/// How long the desk waits for the passkey's answer.
const PENDING_LIFETIME: Duration = Duration::from_secs(180);

/// What a person asks the desk to record.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub(crate) enum Op {
    /// Approve the revision shown.
    Approve {
        slug: String,
        revision: String,
        #[serde(default)]
        meaning: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Send the revision shown back.
    RequestChanges {
        slug: String,
        revision: String,
        note: String,
    },
    /// Take the approved revision shown off the site.
    Withdraw {
        slug: String,
        revision: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// Re-review the approved revision shown.
    Recertify {
        slug: String,
        revision: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// A new thread on words of the revision shown.
    Comment {
        slug: String,
        revision: String,
        quote: String,
        #[serde(default)]
        prefix: Option<String>,
        #[serde(default)]
        suffix: Option<String>,
        note: String,
        #[serde(default)]
        suggest: Option<String>,
    },
    /// A reply in a thread.
    Reply {
        slug: String,
        thread: String,
        note: String,
    },
    /// Settle a thread (its author).
    Resolve {
        slug: String,
        thread: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// Open a settled thread again.
    Reopen {
        slug: String,
        thread: String,
        #[serde(default)]
        note: Option<String>,
    },
}

impl Op {
    fn slug(&self) -> &str {
        match self {
            Op::Approve { slug, .. }
            | Op::RequestChanges { slug, .. }
            | Op::Withdraw { slug, .. }
            | Op::Recertify { slug, .. }
            | Op::Comment { slug, .. }
            | Op::Reply { slug, .. }
            | Op::Resolve { slug, .. }
            | Op::Reopen { slug, .. } => slug,
        }
    }

    /// The revision the page showed, for the decisions that name one.
    fn shown_revision(&self) -> Option<&str> {
        match self {
            Op::Approve { revision, .. }
            | Op::RequestChanges { revision, .. }
            | Op::Withdraw { revision, .. }
            | Op::Recertify { revision, .. }
            | Op::Comment { revision, .. } => Some(revision),
            _ => None,
        }
    }
}

/// A signature the browser is making.
pub(crate) struct Pending {
    op: Op,
    now: DateTime<FixedOffset>,
    namespace: String,
    text: String,
    /// The branch tip when the text was made.
    head: Option<String>,
    made: Instant,
}

/// What a signature recorded, for the page that says so.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Done {
    pub slug: String,
    pub action: String,
    pub revision: String,
    pub entry: String,
    pub commit: String,
    pub state: String,
    pub thread: Option<String>,
    pub warnings: Vec<String>,
    pub sync_problem: Option<String>,
    /// Why the team's record refused it, when sync set it aside.
    pub refused: Option<String>,
}

/// Runs `op` for `me` at `now`, signing with `key`.
fn run(
    ws: &Workspace,
    me: &Id,
    op: &Op,
    now: DateTime<FixedOffset>,
    key: &SigningKey,
    viewed: Option<Viewed>,
    live: Option<&dyn Fn(&medreview_workflow::LiveChange) -> bool>,
) -> Result<Recorded> {
    let slug = Id::parse("slug", op.slug())?;
    let note = |n: &Option<String>| n.clone().filter(|n| !n.trim().is_empty());
    let mut req = medreview_workflow::Request {
        slug: &slug,
        by: me,
        recorded_by: None,
        note: None,
        now,
        key: Some(key),
        viewed: None,
        comments: Vec::new(),
        meaning: None,
        confirm_live: live,
    };
    match op {
        Op::Approve {
            revision,
            meaning,
            note: n,
            ..
        } => {
            req.note = note(n);
            req.meaning = meaning.clone().filter(|m| !m.is_empty());
            req.viewed = viewed;
            medreview_workflow::decide(ws, &req, Action::Approved, Some(revision))
        }
        Op::RequestChanges {
            revision, note: n, ..
        } => {
            req.note = note(&Some(n.clone()));
            req.viewed = viewed;
            medreview_workflow::decide(ws, &req, Action::ChangesRequested, Some(revision))
        }
        Op::Withdraw { note: n, .. } => {
            req.note = note(n);
            medreview_workflow::withdraw(ws, &req)
        }
        Op::Recertify { note: n, .. } => {
            req.note = note(n);
            req.viewed = viewed;
            medreview_workflow::recertify(ws, &req)
        }
        Op::Comment {
            revision,
            quote,
            prefix,
            suffix,
            note: n,
            suggest,
            ..
        } => {
            let new = NewComment {
                quote: Some(quote.clone()),
                prefix: note(prefix),
                suffix: note(suffix),
                note: note(&Some(n.clone())),
                suggest: note(suggest),
                reply: None,
            };
            medreview_workflow::comments::comment(ws, &req, Some(revision), &new)
        }
        Op::Reply {
            thread, note: n, ..
        } => {
            let new = NewComment {
                quote: None,
                prefix: None,
                suffix: None,
                note: note(&Some(n.clone())),
                suggest: None,
                reply: Some(thread.clone()),
            };
            medreview_workflow::comments::comment(ws, &req, None, &new)
        }
        Op::Resolve {
            thread, note: n, ..
        } => {
            req.note = note(n);
            medreview_workflow::comments::settle(ws, &req, thread, CommentAction::Resolved)
        }
        Op::Reopen {
            thread, note: n, ..
        } => {
            req.note = note(n);
            medreview_workflow::comments::settle(ws, &req, thread, CommentAction::Reopened)
        }
    }
}

/// The revision id a canonical text names (`revision: …`).
fn revision_in(text: &str) -> Option<&str> {
    text.lines().find_map(|l| l.strip_prefix("revision: "))
}

/// The request the script sends to start a signature: the CSRF token and the op.
#[derive(Debug, Deserialize)]
pub(crate) struct PrepareJson {
    csrf: String,
    /// `yes` once the person was told what the site will show after a decision
    /// on the live revision, and pressed again.
    #[serde(default)]
    go_ahead: Option<String>,
    #[serde(flatten)]
    op: Op,
}

/// Checks the session and its CSRF token for a script call.
fn signed_in(
    desk: &Desk,
    headers: &HeaderMap,
    csrf: &str,
) -> std::result::Result<Me, Box<Response>> {
    if let Some(refused) = same_origin_refusal(desk, headers) {
        return Err(Box::new(refused));
    }
    let Some(me) = desk.sessions.me(headers) else {
        return Err(Box::new(json_error(
            StatusCode::UNAUTHORIZED,
            "you are not signed in (or your session ended)",
            Some("sign in again; nothing was recorded"),
        )));
    };
    if !crate::session::same_secret(&me.csrf, csrf) {
        return Err(Box::new(json_error(
            StatusCode::FORBIDDEN,
            "the page's form token is not this session's, so the desk did not act on it",
            Some("reload the page and try again"),
        )));
    }
    Ok(me)
}

/// `POST /sign/prepare`.
pub(crate) async fn prepare(
    State(desk): State<Arc<Desk>>,
    headers: HeaderMap,
    Json(ask): Json<PrepareJson>,
) -> Response {
    let me = match signed_in(&desk, &headers, &ask.csrf) {
        Ok(me) => me,
        Err(refused) => return *refused,
    };
    let slug = op_slug(&ask.op);
    if let Err(refused) = crate::pages::may_read_article(&desk, &me.person, slug.as_ref()).await {
        return refused;
    }
    let viewed = desk
        .sessions
        .with(&me.token, |s| s.viewed.get(ask.op.slug()).cloned())
        .flatten();
    let worker = desk.clone();
    let person = me.person.clone();
    let op = ask.op.clone();
    let go_ahead = ask.go_ahead.as_deref() == Some("yes");
    let outcome = tokio::task::spawn_blocking(move || {
        worker.read(|ws| {
            let now = medreview_core::clock::now()?;
            let head = ws.git.head_commit();
            let key = SigningKey::passkey_ask();
            // A decision that changes what readers see is said first, and asked
            // again: the passkey is asked only once the person goes ahead.
            let told = std::cell::RefCell::new(None);
            let ask_live = |change: &medreview_workflow::LiveChange| {
                *told.borrow_mut() = Some(change.describe());
                go_ahead
            };
            let result = run(ws, &person, &op, now, &key, viewed, Some(&ask_live));
            if let (Some(live), false) = (told.borrow_mut().take(), go_ahead) {
                return Ok(Err(live));
            }
            match (result, key.asked()) {
                (Err(_), Some((namespace, text))) => Ok(Ok((now, namespace, text, head))),
                (Err(e), None) => Err(e),
                (Ok(_), _) => Err(Error::internal(
                    "the desk recorded an entry without a signature; run `medreview check` in its clone",
                )),
            }
        })
    })
    .await;
    let (now, namespace, text, head) = match outcome {
        Ok(Ok(Ok(prepared))) => prepared,
        Ok(Ok(Err(live))) => {
            return (
                StatusCode::CONFLICT,
                Json(serde_json::json!({
                    "error": format!("{live}. Nothing was recorded yet."),
                    "hint": "press the button again to go ahead",
                    "live": true,
                })),
            )
                .into_response();
        }
        Ok(Err(e)) => return json_refusal(&e),
        Err(e) => return internal(&e),
    };
    if let (Some(shown), Some(signed)) = (ask.op.shown_revision(), revision_in(&text))
        && !signed.starts_with(shown)
        && !matches!(ask.op, Op::Comment { .. })
    {
        return json_error(
            StatusCode::CONFLICT,
            "the revision you would sign is not the one this page shows: the article changed since the page was drawn",
            Some("reload the page, read what changed, and sign again"),
        );
    }
    let challenge = passkey::challenge(&namespace, &text);
    desk.sessions.with(&me.token, |s| {
        s.pending = Some(Pending {
            op: ask.op,
            now,
            namespace,
            text: text.clone(),
            head,
            made: Instant::now(),
        });
    });
    Json(serde_json::json!({
        "challenge": b64_encode(&challenge),
        "rp_id": desk.origin.rp_id,
        "text": text,
    }))
    .into_response()
}

fn op_slug(op: &Op) -> Option<Id> {
    Id::parse("slug", op.slug()).ok()
}

/// The request that finishes a signature.
#[derive(Debug, Deserialize)]
pub(crate) struct FinishJson {
    csrf: String,
    #[serde(flatten)]
    assertion: AssertionJson,
}

/// `POST /sign/finish`.
pub(crate) async fn finish(
    State(desk): State<Arc<Desk>>,
    headers: HeaderMap,
    Json(answer): Json<FinishJson>,
) -> Response {
    let me = match signed_in(&desk, &headers, &answer.csrf) {
        Ok(me) => me,
        Err(refused) => return *refused,
    };
    let pending = desk
        .sessions
        .with(&me.token, |s| s.pending.take())
        .flatten()
        .filter(|p| p.made.elapsed() < PENDING_LIFETIME);
    let Some(pending) = pending else {
        return json_error(
            StatusCode::CONFLICT,
            "there is no signature waiting (it was made already, or took longer than three minutes); nothing was recorded",
            Some("press the button again"),
        );
    };
    let assertion = match answer.assertion.decode() {
        Ok(a) => a,
        Err(e) => return json_refusal(&e),
    };
    let viewed = desk
        .sessions
        .with(&me.token, |s| s.viewed.get(pending.op.slug()).cloned())
        .flatten();
    let worker = desk.clone();
    let person = me.person.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        worker.write(|ws| {
            if ws.git.head_commit() != pending.head {
                return Err(Error::with_hint(
                    Code::BranchMoved,
                    "the record changed while your passkey was signing (someone recorded something, or the desk synced); nothing was recorded",
                    "look at the page again and sign once more",
                ));
            }
            let people = ws.people()?;
            let roster = &people.current().roster;
            let key = roster.public_key_of(&person).ok_or_else(|| {
                Error::new(
                    Code::NoPublicKey,
                    format!("{person} has no key on the roster to sign with"),
                )
            })?;
            let pem = passkey::to_sshsig(key, &pending.namespace, &pending.text, &assertion)
                .map_err(|why| {
                    // The signer's passkey answered something else: a refusal of
                    // what was sent, not a failure of the desk.
                    Error::with_hint(
                        Code::WrongSigningKey,
                        format!("your passkey's signature does not verify: {why}"),
                        "sign with the passkey you signed in with",
                    )
                })?;
            drop(people);
            let key = SigningKey::passkey_signed(&pending.namespace, &pending.text, &pem);
            // Told and confirmed at prepare.
            let yes = |_: &medreview_workflow::LiveChange| true;
            let recorded = run(ws, &person, &pending.op, pending.now, &key, viewed, Some(&yes))?;
            Ok(Done {
                slug: pending.op.slug().to_owned(),
                action: recorded.action.to_owned(),
                revision: recorded.revision.label_with_id(),
                entry: recorded.entry,
                commit: recorded.commit,
                state: recorded.state.to_string(),
                thread: recorded.thread,
                warnings: recorded.warnings,
                sync_problem: None,
                refused: None,
            })
        })
    })
    .await;
    match outcome {
        Ok(Ok((mut done, dropped))) => {
            done.sync_problem = crate::state::lock(&desk.sync_problem).clone();
            done.refused = dropped
                .into_iter()
                .find(|d| d.commit == done.commit)
                .map(|d| d.reason);
            desk.sessions.with(&me.token, |s| s.done = Some(done));
            Json(serde_json::json!({ "next": "/done" })).into_response()
        }
        Ok(Err(e)) => json_refusal(&e),
        Err(e) => internal(&e),
    }
}

fn internal(e: &tokio::task::JoinError) -> Response {
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!(
            "the desk failed while recording: {e}; nothing was recorded unless `medreview log` shows it"
        ),
        None,
    )
}
