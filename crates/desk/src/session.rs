//! Sessions: who is signed in, their CSRF token, and what they were about to sign.
//!
//! A session is a random 256-bit token in a `Secure; HttpOnly; SameSite=Strict`
//! cookie, made only by a successful passkey sign-in, so a token planted before
//! sign-in never becomes a session (no fixation). Sessions end after 30 minutes
//! idle or 12 hours in all; at most [`MAX_SESSIONS`] live at once (the oldest go).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use medreview_core::ids::Id;
use medreview_core::record::entry::Viewed;

use crate::sign::{Done, Pending};

/// The session cookie. `__Host-` makes browsers refuse it unless it is `Secure`,
/// for path `/`, and set by this host alone.
pub(crate) const COOKIE: &str = "__Host-medreview-session";
/// The cookie that ties a sign-in's challenge to the browser that asked for it.
pub(crate) const LOGIN_COOKIE: &str = "__Host-medreview-login";

const IDLE: Duration = Duration::from_secs(30 * 60);
const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// How many sessions the desk keeps at once.
pub(crate) const MAX_SESSIONS: usize = 10_000;

/// A signed-in person.
pub(crate) struct Session {
    /// Who signed in.
    pub person: Id,
    /// The token every form and script call must carry.
    pub csrf: String,
    started: Instant,
    seen: Instant,
    /// A signature the browser is making now.
    pub pending: Option<Pending>,
    /// What the person looked at, article by article (the diff of the review page).
    pub viewed: HashMap<String, Viewed>,
    /// What the last signature recorded, for the page that says so.
    pub done: Option<Done>,
}

/// What a request knows of its session.
#[derive(Clone)]
pub(crate) struct Me {
    pub token: String,
    pub person: Id,
    pub csrf: String,
}

/// Every live session, by token.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// Starts a session for `person`; returns its token.
    pub fn start(&self, person: Id) -> String {
        let token = random_token();
        let now = Instant::now();
        let session = Session {
            person,
            csrf: random_token(),
            started: now,
            seen: now,
            pending: None,
            viewed: HashMap::new(),
            done: None,
        };
        let mut all = self.lock();
        all.retain(|_, s| live(s, now));
        if all.len() >= MAX_SESSIONS
            && let Some(oldest) = all
                .iter()
                .min_by_key(|(_, s)| s.seen)
                .map(|(t, _)| t.clone())
        {
            all.remove(&oldest);
        }
        all.insert(token.clone(), session);
        token
    }

    /// The session the request's cookie names, if it is live.
    pub fn me(&self, headers: &HeaderMap) -> Option<Me> {
        let token = cookie(headers, COOKIE)?;
        let now = Instant::now();
        let mut all = self.lock();
        let session = all.get_mut(&token)?;
        if !live(session, now) {
            all.remove(&token);
            return None;
        }
        session.seen = now;
        Some(Me {
            token,
            person: session.person.clone(),
            csrf: session.csrf.clone(),
        })
    }

    /// Runs `f` on the session `token`, if it is still there.
    pub fn with<T>(&self, token: &str, f: impl FnOnce(&mut Session) -> T) -> Option<T> {
        self.lock().get_mut(token).map(f)
    }

    /// Ends the session `token`.
    pub fn end(&self, token: &str) {
        self.lock().remove(token);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic elsewhere while holding the lock leaves plain data behind.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn live(session: &Session, now: Instant) -> bool {
    now.duration_since(session.seen) < IDLE && now.duration_since(session.started) < LIFETIME
}

/// The value of cookie `name` in the request.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: secure, script-proof, never sent by another site.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Duration) -> String {
    format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
        max_age.as_secs()
    )
}

/// A `Set-Cookie` value that removes the cookie.
pub(crate) fn clear_cookie(name: &str) -> String {
    format!("{name}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// 32 random bytes as 64 hex digits.
pub(crate) fn random_token() -> String {
    random_bytes::<32>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `N` random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The operating system's generator does not fail on a working system; a
    // desk that cannot get randomness must not hand out guessable tokens.
    if let Err(e) = getrandom::fill(&mut bytes) {
        panic!("the operating system gave no random bytes: {e}");
    }
    bytes
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
