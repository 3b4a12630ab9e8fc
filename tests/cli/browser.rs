//! The browser harness proved on a tiny loopback site: a passkey made and used in
//! headless Chromium with a virtual authenticator (its ES256 signature checked
//! here), text selection, form filling and clicks, screenshots, and a second
//! browser context with its own cookie jar.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{JoinHandle, sleep};
use std::time::{Duration, Instant};

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};

use crate::common::browser::Browser;

/// The test page: a note to select, a form, and the script below.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Review desk proof</title>
<script src="/app.js" defer></script>
</head>
<body>
<h1>Review desk proof</h1>
<p id="note">Take the <em>first dose</em> with food, then wait two hours.</p>
<label>Name <input id="name"></label>
<button id="sign" type="button">Sign</button>
<p id="status">waiting</p>
<p id="selected"></p>
</body>
</html>
"#;

/// The test page's script: the passkey round trip, and handlers that show what the
/// page saw (the selection on `mouseup`, the name on a click).
const SCRIPT: &str = r#"'use strict';
const b64url = (buffer) => {
  let text = '';
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const fromB64url = (text) => {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - text.length % 4) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};
window.passkeyRoundTrip = async (challenge) => {
  const created = await navigator.credentials.create({ publicKey: {
    rp: { id: 'localhost', name: 'Medreview test' },
    user: { id: new TextEncoder().encode('ana-example'), name: 'ana-example', displayName: 'Ana Example' },
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    attestation: 'none',
    timeout: 10000,
  } });
  const got = await navigator.credentials.get({ publicKey: {
    rpId: 'localhost',
    challenge: fromB64url(challenge),
    userVerification: 'required',
    timeout: 10000,
  } });
  return {
    id: created.id,
    algorithm: created.response.getPublicKeyAlgorithm(),
    publicKey: b64url(created.response.getPublicKey()),
    getId: got.id,
    authenticatorData: b64url(got.response.authenticatorData),
    clientDataJSON: b64url(got.response.clientDataJSON),
    signature: b64url(got.response.signature),
    userHandle: b64url(got.response.userHandle),
  };
};
window.passkeyGet = async (challenge, userVerification) => {
  const got = await navigator.credentials.get({ publicKey: {
    rpId: 'localhost', challenge: fromB64url(challenge), userVerification, timeout: 5000,
  } });
  return b64url(got.response.authenticatorData);
};
document.getElementById('note').addEventListener('mouseup', () => {
  document.getElementById('selected').textContent = window.getSelection().toString();
});
document.getElementById('sign').addEventListener('click', () => {
  document.getElementById('status').textContent = 'signed by ' + document.getElementById('name').value;
});
"#;

/// A tiny HTTP server on 127.0.0.1 serving `PAGE` at `/` (with a session cookie)
/// and `SCRIPT` at `/app.js`, both under `Content-Security-Policy: default-src
/// 'self'`. It stops when dropped, or by itself after two minutes.
struct Site {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Site {
    /// Starts serving on a free loopback port.
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("its address").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    // A thread per connection: a browser's idle preconnection must
                    // not hold up the next request (each is bounded by timeouts).
                    Ok((stream, _)) => {
                        std::thread::spawn(move || serve(stream));
                    }
                    Err(_) => sleep(Duration::from_millis(5)),
                }
            }
        });
        Site {
            port,
            stop,
            thread: Some(thread),
        }
    }

    /// The site's address by name: `localhost` is a valid WebAuthn RP id, an IP
    /// address is not.
    fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one request on `stream` and closes it (reads and writes are bounded).
fn serve(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split(' ').nth(1).unwrap_or("/");
    let (status, kind, body, cookie) = match path {
        "/" => (
            "200 OK",
            "text/html; charset=utf-8",
            PAGE,
            "Set-Cookie: desk_session=proof; Path=/; HttpOnly; SameSite=Strict\r\n",
        ),
        "/app.js" => ("200 OK", "text/javascript; charset=utf-8", SCRIPT, ""),
        // The browser asks for an icon; a 404 would be logged in the page's console.
        "/favicon.ico" => ("204 No Content", "image/x-icon", "", ""),
        _ => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "not found\n",
            "",
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: default-src 'self'\r\n{cookie}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

/// A passkey made and used in a real browser: `create` then `get` with a fixed
/// challenge; the assertion's client data, flags and ES256 signature are what a
/// server would check.
#[test]
fn a_virtual_authenticator_makes_and_uses_a_passkey() {
    let started = Instant::now();
    let Some(browser) = Browser::launch() else {
        return;
    };
    let site = Site::start();
    browser.goto(&site.url("/"));
    let authenticator = browser.add_virtual_authenticator();
    browser.wait_for("typeof window.passkeyRoundTrip === 'function'", "app.js");

    let challenge: Vec<u8> = (0u8..32).collect();
    let challenge_b64 = Base64UrlUnpadded::encode_string(&challenge);
    let result = browser.eval(&format!("window.passkeyRoundTrip('{challenge_b64}')"));
    let field = |name: &str| -> Vec<u8> {
        let text = result[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {result}"));
        Base64UrlUnpadded::decode_vec(text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };

    // The client data names the ceremony, the challenge and the origin, in order.
    let client_data = field("clientDataJSON");
    let client_text = String::from_utf8(client_data.clone()).expect("client data is UTF-8");
    let expected = format!(
        "{{\"type\":\"webauthn.get\",\"challenge\":\"{challenge_b64}\",\"origin\":\"{}\"",
        site.url("")
    );
    assert!(client_text.starts_with(&expected), "{client_text}");

    // The authenticator data: the RP id's hash, then flags with UP and UV set.
    let auth_data = field("authenticatorData");
    assert!(auth_data.len() >= 37, "{auth_data:?}");
    assert_eq!(&auth_data[..32], Sha256::digest(b"localhost").as_slice());
    assert_eq!(auth_data[32] & 0x01, 0x01, "user present");
    assert_eq!(auth_data[32] & 0x04, 0x04, "user verified");

    // The passkey is discoverable: `get` named no credential, found the one made,
    // and returned the user id given to `create`.
    assert_eq!(result["algorithm"], -7);
    assert_eq!(result["getId"], result["id"]);
    assert_eq!(field("userHandle"), b"ana-example");

    // The ES256 signature covers the authenticator data and the client data's hash.
    let key = VerifyingKey::from_public_key_der(&field("publicKey")).expect("an SPKI P-256 key");
    let signature = Signature::from_der(&field("signature")).expect("a DER ECDSA signature");
    let mut signed = auth_data.clone();
    signed.extend_from_slice(&Sha256::digest(&client_data));
    key.verify(&signed, &signature)
        .expect("the signature verifies");
    let mut forged = signed.clone();
    forged[33] ^= 1;
    assert!(key.verify(&forged, &signature).is_err());

    // The authenticator holds exactly that one resident credential.
    let credentials = browser.credentials(&authenticator);
    assert_eq!(
        credentials.len(),
        1,
        "{credentials:?}\nChromium's stderr:\n{}",
        browser.stderr()
    );
    let credential = &credentials[0];
    assert_eq!(credential["rpId"], "localhost");
    assert_eq!(credential["isResidentCredential"], true);
    let id = Base64::decode_vec(credential["credentialId"].as_str().expect("an id"))
        .expect("standard base64");
    assert_eq!(id, field("id"));

    // With the authenticator's user verification failing (a wrong fingerprint), a
    // request that requires it is refused at once, not left to time out.
    browser.set_user_verified(&authenticator, false);
    let asked = Instant::now();
    let refused = browser
        .try_eval(&format!("window.passkeyGet('{challenge_b64}', 'required')"))
        .expect_err("an unverified user is refused");
    assert!(refused.contains("NotAllowedError"), "{refused}");
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    browser.set_user_verified(&authenticator, true);
    let again = browser.eval(&format!("window.passkeyGet('{challenge_b64}', 'required')"));
    let flags = Base64UrlUnpadded::decode_vec(again.as_str().unwrap_or_default())
        .expect("authenticator data")[32];
    assert_eq!(flags & 0x05, 0x05, "present and verified again");

    // Removing it leaves the authenticator empty.
    browser.remove_credential(
        &authenticator,
        credential["credentialId"].as_str().unwrap_or(""),
    );
    assert!(browser.credentials(&authenticator).is_empty());

    // The screenshot is a real PNG of the whole page.
    let dir = tempfile::tempdir().expect("a temp folder");
    let shot = dir.path().join("page.png");
    browser.eval("document.body.style.minHeight = '2500px'");
    browser.screenshot(&shot);
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("the screenshot"),
    ));
    let reader = decoder.read_info().expect("a valid PNG");
    let info = reader.info();
    assert!(
        info.width >= 1000 && info.height >= 2500,
        "{}x{}",
        info.width,
        info.height
    );
    eprintln!("passkey proof took {:?}", started.elapsed());
}

/// `select_text` selects words across elements as a reader's drag would, and the
/// page's `mouseup` handler sees them; `fill` and `click` drive a form.
#[test]
fn selected_words_and_a_filled_form_reach_the_page() {
    let Some(browser) = Browser::launch() else {
        return;
    };
    let site = Site::start();
    browser.goto(&site.url("/"));
    browser.wait_for("typeof window.passkeyRoundTrip === 'function'", "app.js");

    browser.select_text("#note", "first dose with food");
    assert_eq!(
        browser.eval("window.getSelection().toString()"),
        "first dose with food"
    );
    assert_eq!(browser.text("#selected"), "first dose with food");

    browser.fill("#name", "Ana Example");
    browser.click("#sign");
    browser.wait_for(
        "document.getElementById('status').textContent.startsWith('signed')",
        "the click handler",
    );
    assert_eq!(browser.text("#status"), "signed by Ana Example");
    assert_eq!(browser.url(), site.url("/"));
    // The CSP allowed the page's own script and nothing complained.
    assert!(browser.console().is_empty(), "{:?}", browser.console());
    // It is in force, and its violations reach the page's console.
    browser.eval(
        "(() => { const s = document.createElement('script'); \
         s.textContent = 'window.inlineRan = true'; document.body.append(s); })()",
    );
    assert_eq!(browser.eval("window.inlineRan === undefined"), true);
    browser.wait_for_console("Content Security Policy");
}

/// A second browser context is another person's browser: the first page's session
/// cookie is not in its jar, and a cookie set there stays there.
#[test]
fn an_isolated_page_has_its_own_cookie_jar() {
    let Some(browser) = Browser::launch() else {
        return;
    };
    let site = Site::start();
    browser.goto(&site.url("/"));
    let cookies = browser.cookies();
    assert!(
        cookies
            .iter()
            .any(|c| c["name"] == "desk_session" && c["httpOnly"] == true),
        "{cookies:?}"
    );

    // Another tab of the same browser shares the jar.
    let tab = browser.new_page();
    tab.goto(&site.url("/missing"));
    assert!(
        tab.cookies().iter().any(|c| c["value"] == "proof"),
        "{:?}",
        tab.cookies()
    );

    let other = browser.new_isolated_page();
    other.set_cookie("desk_session", "other-doctor", &site.url("/"));
    other.goto(&site.url("/missing"));
    let theirs = other.cookies();
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert_eq!(theirs[0]["value"], "other-doctor");
    let mine = browser.page().cookies();
    assert!(
        mine.iter().all(|c| c["value"] != "other-doctor"),
        "{mine:?}"
    );
}

/// The harness fails with messages that say what went wrong: what a script threw,
/// which selector matched nothing, and what a bounded wait was awaiting.
#[test]
fn harness_failures_say_what_went_wrong() {
    let Some(browser) = Browser::launch() else {
        return;
    };
    let site = Site::start();
    browser.goto(&site.url("/"));
    let thrown = browser
        .try_eval("Promise.reject(new Error('no such article'))")
        .expect_err("a rejected promise is an error");
    assert!(thrown.contains("no such article"), "{thrown}");
    let failed = browser
        .try_call("Page.noSuchMethod", serde_json::json!({}))
        .expect_err("an unknown method is an error");
    assert!(failed.contains("Page.noSuchMethod"), "{failed}");

    let message = |f: &dyn Fn()| -> String {
        let panic =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("the call panics");
        panic.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    let missing = message(&|| browser.click("#missing"));
    assert!(missing.contains("no element matches #missing"), "{missing}");
    let absent = message(&|| browser.select_text("#note", "second dose"));
    assert!(
        absent.contains("does not contain \"second dose\""),
        "{absent}"
    );
}
