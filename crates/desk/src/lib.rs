//! The review desk (`medreview serve`): a clone of the team's repository with a web
//! front, where doctors read what changed, comment on words, and approve, request
//! changes, withdraw or re-review, each signed by their passkey.
//!
//! The desk holds no authority of its own. Every entry it records is signed in the
//! signer's browser: the WebAuthn challenge is the SSHSIG signed data of the entry's
//! canonical text (`medreview_core::signing::passkey`), the workflow records the
//! entry only if it is exactly the text signed, and `check`, `publish` and the
//! server gate verify the signature like any SSH signature. A host that records an
//! approval without her passkey records one that counts nowhere.
//!
//! Security: sessions are random tokens in `Secure; HttpOnly; SameSite=Strict`
//! cookies, made anew at every sign-in (no fixation); every state-changing request
//! carries the session's CSRF token and must come from the desk's own origin; the
//! Content-Security-Policy allows no inline script; sign-in is rate-limited per
//! client; every text from the record is escaped by the page templates, and the
//! redline and preview frames are the sanitized pages `diff` and `preview` write,
//! served with no script allowed at all.
//!
//! axum and tokio types stay inside this crate; the domain work (which runs the
//! workflow and reads git) runs on blocking threads, writes one at a time.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod auth;
mod invite;
mod pages;
mod session;
mod sign;
mod state;
mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use medreview_core::error::{Code, Error, Result};

pub use invite::{Invitation, invite};

/// How the desk is served.
#[derive(Debug, Clone)]
pub struct Options {
    /// The workspace root (a clone of the team's repository).
    pub root: PathBuf,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The address people open (`https://desk.example.org`, behind a reverse
    /// proxy); its host is the passkeys' relying party. Default
    /// `http://localhost:PORT`.
    pub origin: Option<String>,
    /// How long a page may show the record before the desk syncs with the remote.
    pub sync_every: Duration,
}

/// The origin people open and its host (the WebAuthn relying-party id).
pub(crate) struct Origin {
    pub url: String,
    pub rp_id: String,
}

/// Checks an origin (`https://desk.example.org`, `http://localhost:8080`): a scheme,
/// a host and maybe a port, nothing else; `http` only for `localhost`.
pub fn parse_origin(text: &str) -> Result<(String, String)> {
    let bad = |why: &str| {
        Error::with_hint(
            Code::InvalidArgument,
            format!("the desk's origin {text:?} {why}"),
            "give the address people open, e.g. --origin https://desk.example.org (no path)",
        )
    };
    let text = text.trim_end_matches('/');
    let (scheme, rest) = text.split_once("://").ok_or_else(|| bad("has no scheme"))?;
    let host = rest.split(':').next().unwrap_or_default();
    if rest.contains('/') || rest.contains('@') || rest.contains('?') || host.is_empty() {
        return Err(bad("is not scheme://host[:port]"));
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(bad("has a host that is not a DNS name"));
    }
    match scheme {
        "https" => {}
        "http" if host == "localhost" => {}
        _ => return Err(bad("must be https (plain http only for localhost)")),
    }
    Ok((text.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

/// Serves the desk until interrupted. `ready` is told the address it listens on,
/// once it does.
pub fn serve(options: Options, ready: impl FnOnce(SocketAddr, &str)) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .max_blocking_threads(16)
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the desk's runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| {
                Error::with_hint(
                    Code::InvalidArgument,
                    format!("cannot listen on {}: {e}", options.listen),
                    "choose another address with --listen 127.0.0.1:PORT",
                )
            })?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::internal(format!("cannot read the listening address: {e}")))?;
        let origin_text = options
            .origin
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", local.port()));
        let (url, rp_id) = parse_origin(&origin_text)?;
        let desk = Arc::new(state::Desk::new(
            options.root.clone(),
            Origin { url, rp_id },
            options.sync_every,
        )?);
        warm_language_rules(options.root.clone());
        ready(local, &desk.origin.url);
        let app = pages::router(desk);
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Error::internal(format!("the desk stopped: {e}")))
    })
}

/// Loads the linter's language rules (harper's dictionary and rules: about 0.7 s,
/// once per process) on a thread of its own at start, so the first doctor's frame
/// does not wait for them.
fn warm_language_rules(root: PathBuf) {
    const TEXT: &str = "---\ntitle: Warm-up\nwriter: desk\nreviewer: desk\n---\nThe desk loads its language rules before the first page asks for them.\n";
    std::thread::spawn(move || {
        if let Ok(ws) = medreview_core::workspace::Workspace::open(root)
            && let Ok(linter) = medreview_lint::Linter::for_workspace(&ws)
        {
            let _ = linter.lint(TEXT.as_bytes(), std::path::Path::new("warm-up.md"), None);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::parse_origin;

    #[test]
    fn an_origin_is_a_scheme_and_a_host_and_http_only_for_localhost() {
        assert_eq!(
            parse_origin("https://Desk.Example.org/").expect("https"),
            (
                "https://desk.example.org".to_owned(),
                "desk.example.org".to_owned()
            )
        );
        assert_eq!(
            parse_origin("http://localhost:8080").expect("localhost").1,
            "localhost"
        );
        for bad in [
            "desk.example.org",
            "http://desk.example.org",
            "https://desk.example.org/review",
            "https://user@desk.example.org",
            "https://desk example.org",
            "ftp://desk.example.org",
            "https://",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} was taken");
        }
    }
}
