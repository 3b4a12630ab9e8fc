//! Signing in with a passkey, signing out, and making a passkey from an invitation.
//!
//! Sign-in: the desk gives a fresh random challenge tied to the browser by a
//! short-lived cookie; the browser's assertion names the person (the credential's
//! user handle is their roster id) and must verify against the passkey on the
//! committed roster. Only then is a session made, with a new token. Attempts are
//! limited per client address: [`crate::state::LIMIT_FAILURES`] failures a minute,
//! and [`crate::state::LIMIT_BEGINS`] beginnings (a newsroom behind one proxy).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64ct::{Base64UrlUnpadded, Encoding};
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::signing::passkey;
use serde::Deserialize;

use crate::session::{self, COOKIE, LOGIN_COOKIE};
use crate::state::{CHALLENGE_LIFETIME, Challenge, Desk};
use crate::view::{json_error, json_refusal};

/// The session's lifetime as the cookie says it (the desk ends it sooner when idle).
const SESSION_COOKIE_AGE: std::time::Duration = std::time::Duration::from_secs(12 * 60 * 60);

/// An assertion as the desk's script sends it: every binary field base64url.
#[derive(Debug, Deserialize)]
pub(crate) struct AssertionJson {
    pub authenticator_data: String,
    pub client_data_json: String,
    pub signature: String,
    #[serde(default)]
    pub user_handle: Option<String>,
}

impl AssertionJson {
    /// The assertion's bytes; a field that is not base64url is refused.
    pub fn decode(&self) -> Result<passkey::Assertion> {
        Ok(passkey::Assertion {
            authenticator_data: b64(&self.authenticator_data, "authenticator data")?,
            client_data_json: b64(&self.client_data_json, "client data")?,
            signature: b64(&self.signature, "signature")?,
        })
    }
}

/// Base64url without padding, as WebAuthn writes it.
pub(crate) fn b64(text: &str, what: &str) -> Result<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).map_err(|_| {
        Error::new(
            Code::InvalidArgument,
            format!("the browser sent {what} that is not base64url"),
        )
    })
}

/// Base64url without padding.
pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// `GET /signin`.
pub(crate) async fn signin_page(State(desk): State<Arc<Desk>>) -> Response {
    desk.views.page(
        "signin.html",
        serde_json::json!({ "title": "Sign in", "origin": &desk.origin.url }),
    )
}

/// `POST /signin/begin`: a challenge for the browser's passkey.
pub(crate) async fn signin_begin(
    State(desk): State<Arc<Desk>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = same_origin_refusal(&desk, &headers) {
        return refused;
    }
    if !desk.allow_attempt(client.ip()) {
        return too_many();
    }
    let bytes = session::random_bytes::<32>().to_vec();
    let challenge = b64_encode(&bytes);
    let id = match desk.keep_challenge(Challenge {
        bytes,
        made: std::time::Instant::now(),
        invitation: None,
    }) {
        Ok(id) => id,
        Err(e) => return json_refusal(&e),
    };
    let mut response = Json(serde_json::json!({
        "challenge": challenge,
        "rp_id": desk.origin.rp_id,
    }))
    .into_response();
    set(
        &mut response,
        &session::set_cookie(LOGIN_COOKIE, &id, CHALLENGE_LIFETIME),
    );
    response
}

/// `POST /signin/finish`: the passkey's answer. A session starts only when it
/// verifies against the person's key on the committed roster.
pub(crate) async fn signin_finish(
    State(desk): State<Arc<Desk>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(answer): Json<AssertionJson>,
) -> Response {
    if let Some(refused) = same_origin_refusal(&desk, &headers) {
        return refused;
    }
    let challenge = session::cookie(&headers, LOGIN_COOKIE).and_then(|id| desk.take_challenge(&id));
    let Some(challenge) = challenge.filter(|c| c.invitation.is_none()) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "this sign-in was not started here, or took longer than five minutes",
            Some("press Sign in again"),
        );
    };
    let worker = desk.clone();
    let verdict =
        tokio::task::spawn_blocking(move || verify_sign_in(&worker, &challenge.bytes, &answer))
            .await;
    match verdict {
        Ok(Ok(person)) => {
            let token = desk.sessions.start(person);
            let mut response = Json(serde_json::json!({ "next": "/inbox" })).into_response();
            set(
                &mut response,
                &session::set_cookie(COOKIE, &token, SESSION_COOKIE_AGE),
            );
            set(&mut response, &session::clear_cookie(LOGIN_COOKIE));
            response
        }
        Ok(Err(e)) => {
            // Failed answers are what the limit counts.
            desk.count_failure(client.ip());
            json_error(
                StatusCode::UNAUTHORIZED,
                &e.to_string(),
                e.hint().as_deref(),
            )
        }
        Err(e) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the sign-in could not be checked: {e}"),
            None,
        ),
    }
}

/// Who the assertion proves is signing in.
fn verify_sign_in(desk: &Desk, challenge: &[u8], answer: &AssertionJson) -> Result<Id> {
    let handle = answer.user_handle.as_deref().ok_or_else(|| {
        Error::with_hint(
            Code::UnknownIdentity,
            "the passkey did not say whose it is",
            "use the passkey you made with the desk's invitation",
        )
    })?;
    let handle = String::from_utf8(b64(handle, "user handle")?).unwrap_or_default();
    let person = Id::parse("person id", &handle)?;
    let assertion = answer.decode()?;
    desk.read(|ws| {
        let people = ws.committed_people()?;
        let roster = &people.current().roster;
        let not_hers = || {
            Error::with_hint(
                Code::WrongSigningKey,
                format!("this passkey is not the one on the roster for {person}"),
                "use the passkey whose public key an admin recorded for you; ask an admin for a new invitation if you lost it",
            )
        };
        let key = roster.public_key_of(&person).ok_or_else(not_hers)?;
        if roster
            .reviewers
            .get(&person)
            .is_some_and(|r| r.retired.is_some())
            && !roster.writers.contains_key(&person)
        {
            return Err(Error::new(
                Code::UnknownPerson,
                format!("{person} is retired from the roster and has nothing to do here"),
            ));
        }
        passkey::verify_assertion(key, challenge, &assertion).map_err(|why| {
            Error::with_hint(
                Code::WrongSigningKey,
                format!("the passkey's answer does not verify for {person}: {why}"),
                "press Sign in again with your own passkey",
            )
        })?;
        Ok(person)
    })
}

/// The form that signs out: only the session's own page can send it.
#[derive(Debug, Deserialize)]
pub(crate) struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /signout`.
pub(crate) async fn signout(
    State(desk): State<Arc<Desk>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SignOutForm>,
) -> Response {
    if let Some(refused) = same_origin_refusal(&desk, &headers) {
        return refused;
    }
    if let Some(me) = desk.sessions.me(&headers) {
        if !session::same_secret(&me.csrf, &form.csrf) {
            return desk.views.problem_page(
                StatusCode::FORBIDDEN,
                "the sign-out did not come from the desk's own page, so you are still signed in",
                Some("use the Sign out button on the desk's page"),
            );
        }
        desk.sessions.end(&me.token);
    }
    let mut response = Redirect::to("/signin").into_response();
    set(&mut response, &session::clear_cookie(COOKIE));
    response
}

/// `GET /enroll/{token}`: the invitation's page.
pub(crate) async fn enroll_page(
    State(desk): State<Arc<Desk>>,
    Path(token): Path<String>,
) -> Response {
    let now = match medreview_core::clock::now() {
        Ok(now) => now,
        Err(e) => return desk.views.error(&e),
    };
    match crate::invite::find(&desk.git_dir, &token, now) {
        Some(kept) => desk.views.page(
            "enroll.html",
            serde_json::json!({
                "title": "Make your passkey",
                "person": kept.person,
                "token": token,
            }),
        ),
        None => invitation_gone(&desk),
    }
}

fn invitation_gone(desk: &Desk) -> Response {
    desk.views.problem_page(
        StatusCode::NOT_FOUND,
        "this invitation is not valid: it was used, it expired, or the link was mistyped",
        Some("ask an admin for a new one (`medreview serve --invite YOUR-ID` in the desk's clone)"),
    )
}

/// `POST /enroll/{token}/begin`: the options for making the passkey.
pub(crate) async fn enroll_begin(
    State(desk): State<Arc<Desk>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = same_origin_refusal(&desk, &headers) {
        return refused;
    }
    if !desk.allow_attempt(client.ip()) {
        return too_many();
    }
    let now = match medreview_core::clock::now() {
        Ok(now) => now,
        Err(e) => return json_refusal(&e),
    };
    let Some(kept) = crate::invite::find(&desk.git_dir, &token, now) else {
        return json_error(StatusCode::NOT_FOUND, "this invitation is not valid", None);
    };
    let bytes = session::random_bytes::<32>().to_vec();
    let challenge = b64_encode(&bytes);
    let id = match desk.keep_challenge(Challenge {
        bytes,
        made: std::time::Instant::now(),
        invitation: Some(token),
    }) {
        Ok(id) => id,
        Err(e) => return json_refusal(&e),
    };
    let mut response = Json(serde_json::json!({
        "challenge": challenge,
        "rp_id": desk.origin.rp_id,
        "user_id": b64_encode(kept.person.as_bytes()),
        "user_name": kept.person,
    }))
    .into_response();
    set(
        &mut response,
        &session::set_cookie(LOGIN_COOKIE, &id, CHALLENGE_LIFETIME),
    );
    response
}

/// What the script sends after making a passkey.
#[derive(Debug, Deserialize)]
pub(crate) struct RegistrationJson {
    public_key: String,
    authenticator_data: String,
    client_data_json: String,
}

/// `POST /enroll/{token}/finish`: the new passkey's public key, checked, and the
/// roster step that makes it count.
pub(crate) async fn enroll_finish(
    State(desk): State<Arc<Desk>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Json(made): Json<RegistrationJson>,
) -> Response {
    if let Some(refused) = same_origin_refusal(&desk, &headers) {
        return refused;
    }
    let challenge = session::cookie(&headers, LOGIN_COOKIE).and_then(|id| desk.take_challenge(&id));
    let Some(challenge) = challenge.filter(|c| c.invitation.as_deref() == Some(token.as_str()))
    else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "this passkey was not started here, or took longer than five minutes",
            Some("press the button again"),
        );
    };
    let worker = desk.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let now = medreview_core::clock::now()?;
        let kept = crate::invite::find(&worker.git_dir, &token, now).ok_or_else(|| {
            Error::new(Code::NothingToDo, "this invitation is not valid any more")
        })?;
        let person = Id::parse("person id", &kept.person)?;
        let registration = passkey::public_key_from_registration(
            &b64(&made.public_key, "public key")?,
            &b64(&made.authenticator_data, "authenticator data")?,
            &b64(&made.client_data_json, "client data")?,
            &challenge.bytes,
            &worker.origin.rp_id,
            &format!("{person}@{}", worker.origin.rp_id),
        )
        .map_err(|why| {
            Error::new(
                Code::InvalidPublicKey,
                format!("the new passkey cannot be used: {why}"),
            )
        })?;
        if !crate::invite::use_up(&worker.git_dir, &token, now)? {
            return Err(Error::new(
                Code::NothingToDo,
                "this invitation was used meanwhile",
            ));
        }
        let steps = worker.read(|ws| {
            let people = ws.committed_people()?;
            let roster = &people.current().roster;
            let role = if roster.reviewers.contains_key(&person) {
                "reviewer"
            } else {
                "writer"
            };
            let line = &registration.public_key;
            Ok(match roster.public_key_of(&person) {
                None => format!(
                    "An admin records it (a first key is enrolled by an admin, visibly): medreview {role} edit {person} --public-key \"{line}\""
                ),
                Some(_) => format!(
                    "You already have a key on the roster, so the change must be signed by it: run medreview {role} edit {person} --public-key \"{line}\" with your current key, or, if it is lost, two admins each run medreview {role} reset-key {person} --public-key \"{line}\""
                ),
            })
        })?;
        Ok((registration.public_key, steps))
    })
    .await;
    match outcome {
        Ok(Ok((public_key, steps))) => {
            Json(serde_json::json!({ "public_key": public_key, "steps": steps })).into_response()
        }
        Ok(Err(e)) => {
            desk.count_failure(client.ip());
            json_refusal(&e)
        }
        Err(e) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the passkey could not be checked: {e}"),
            None,
        ),
    }
}

/// Refuses a state-changing request another site made: the browser's `Origin`
/// (sent on every POST by current browsers) must be the desk's own, and so must
/// `Sec-Fetch-Site` when present.
pub(crate) fn same_origin_refusal(desk: &Desk, headers: &HeaderMap) -> Option<Response> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(|o| o.trim_end_matches('/').to_ascii_lowercase());
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let foreign = origin.is_some_and(|o| o != desk.origin.url)
        || site.is_some_and(|s| s != "same-origin" && s != "none");
    foreign.then(|| {
        json_error(
            StatusCode::FORBIDDEN,
            "this request came from another site, so the desk did not act on it",
            Some("open the desk's own page and act there"),
        )
    })
}

fn too_many() -> Response {
    json_error(
        StatusCode::TOO_MANY_REQUESTS,
        "too many sign-in attempts from here in the last minute",
        Some("wait a minute, then sign in again"),
    )
}

/// Adds a `Set-Cookie` header.
pub(crate) fn set(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
