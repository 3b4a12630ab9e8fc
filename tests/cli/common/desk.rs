//! `DeskTeam`: the review desk as a newsroom runs it, for the desk's tests. An
//! audited workspace (rosa-editor is the admin, signatures required, r1 of the
//! seeded article submitted), a bare remote behind the server gate, the desk's own
//! clone of it, and `medreview serve` on a free loopback port, stopped on drop.
//!
//! Also a minimal HTTP/1.1 client (one request per connection) and a software
//! passkey, so attacks can be made without a browser.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use sha2::{Digest, Sha256};

use crate::common::{SLUG, TestEnv, fixture, public_key};

/// The admin (rosa-editor, whose key is the `eve_ed25519` fixture), who is also
/// git's identity in the test repository.
pub const ADMIN_EMAIL: &str = "runner@example.org";

/// The newsroom: the admin's repository (`env.root()`), the remote and the desk.
pub struct DeskTeam {
    /// The admin's clone (the test repository), whose `origin` is the remote.
    pub env: TestEnv,
    /// The bare remote, with the server gate installed.
    pub remote: PathBuf,
    /// The desk's clone.
    pub desk: PathBuf,
}

impl DeskTeam {
    /// The audited, seeded workspace with r1 submitted, shared through a gated remote,
    /// and the desk's clone of it. Signatures are required.
    pub fn new() -> DeskTeam {
        let env = TestEnv::seeded();
        env.ok(&[
            "writer",
            "add",
            "rosa-editor",
            "--name",
            "Rosa Editor",
            "--email",
            ADMIN_EMAIL,
            "--public-key",
            &public_key("eve_ed25519"),
        ]);
        env.ok(&["admin", "add", "rosa-editor"]);
        // Signatures are required, so the writer signs her submission too.
        env.ok(&[
            "writer",
            "edit",
            "suzanne-example",
            "--public-key",
            &public_key("suzanne_ed25519"),
        ]);
        let admin_key = fixture("eve_ed25519");
        let admin_key = admin_key.to_str().expect("utf-8 path");
        env.ok(&[
            "config",
            "set",
            "review.require_signatures",
            "true",
            "--key",
            admin_key,
        ]);
        env.git(&["config", "user.email", "suzanne@example.org"]);
        let writer_key = fixture("suzanne_ed25519");
        env.ok(&[
            "submit",
            SLUG,
            "-m",
            "First draft.",
            "--key",
            writer_key.to_str().expect("utf-8 path"),
        ]);
        env.git(&["config", "user.email", ADMIN_EMAIL]);
        let remote = env.outside("remote.git");
        let remote_arg = remote.to_str().expect("utf-8 path").to_owned();
        env.git(&["clone", "-q", "--bare", ".", &remote_arg]);
        env.ok(&["hook", "install", "--server", &remote_arg]);
        env.git(&["remote", "add", "origin", &remote_arg]);
        env.git(&["fetch", "-q", "origin"]);
        env.git(&["branch", "-q", "--set-upstream-to=origin/main", "main"]);
        let desk = env.outside("desk");
        let desk_arg = desk.to_str().expect("utf-8 path").to_owned();
        env.git(&["clone", "-q", &remote_arg, &desk_arg]);
        // The desk's host is the admin here; the desk commits as each signer anyway.
        env.git_in(&desk, &["config", "user.name", "Rosa Editor"]);
        env.git_in(&desk, &["config", "user.email", ADMIN_EMAIL]);
        DeskTeam { env, remote, desk }
    }

    /// An invitation link for `person`, made in the desk's clone by the admin.
    pub fn invite(&self, person: &str, server: &Server) -> String {
        let run = self.env.ok_in(
            &self.desk,
            &["serve", "--invite", person, "--origin", &server.origin],
        );
        run.stdout.trim().to_owned()
    }

    /// The admin records `person`'s first key and pushes it to the remote.
    pub fn record_key(&self, person: &str, public_key: &str) {
        let admin_key = fixture("eve_ed25519");
        self.env.ok(&[
            "reviewer",
            "edit",
            person,
            "--public-key",
            public_key,
            "--key",
            admin_key.to_str().expect("utf-8 path"),
        ]);
        self.env.git(&["push", "-q", "origin", "main"]);
    }

    /// suzanne-example moves her own key to a software passkey (seed `seed`),
    /// signing the change with her SSH key, and shares it. At the fixed clock her
    /// submission's key is revoked from the same instant: move the clock on first
    /// when the desk must record after it.
    pub fn writer_passkey(&self, seed: u8) -> SoftPasskey {
        let suzanne = SoftPasskey::new(seed, "localhost", "suzanne-example");
        self.env
            .git(&["config", "user.email", "suzanne@example.org"]);
        let key = fixture("suzanne_ed25519");
        self.env.ok(&[
            "writer",
            "edit",
            "suzanne-example",
            "--public-key",
            &suzanne.public_key(),
            "--key",
            key.to_str().expect("utf-8 path"),
        ]);
        self.env.git(&["config", "user.email", ADMIN_EMAIL]);
        self.env.git(&["push", "-q", "origin", "main"]);
        suzanne
    }

    /// Starts `medreview serve` on the desk's clone.
    pub fn serve(&self) -> Server {
        Server::start(&self.env, &self.desk)
    }

    /// A fresh clone of the remote, as a colleague would make it.
    pub fn fresh_clone(&self, name: &str) -> PathBuf {
        let dir = self.env.outside(name);
        self.env.git(&[
            "clone",
            "-q",
            self.remote.to_str().expect("utf-8 path"),
            dir.to_str().expect("utf-8 path"),
        ]);
        dir
    }
}

/// A running desk.
pub struct Server {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// The origin people open: `http://localhost:PORT`.
    pub origin: String,
}

impl Server {
    /// Starts the desk on the clone at `dir` on a free port, syncing before every
    /// page; waits (bounded) until it listens.
    pub fn start(env: &TestEnv, dir: &Path) -> Server {
        let binary = assert_cmd::cargo::cargo_bin("medreview");
        let mut child = Process::new(binary)
            .env_clear()
            .envs(env.env_vars())
            .current_dir(dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--sync-every", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start medreview serve");
        let stderr = child.stderr.take().expect("the desk's stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split("listens on 127.0.0.1:").nth(1) {
                        let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                        break port.parse::<u16>().expect("a port number");
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("the desk did not start within 20 s: {}", seen.join("\n"));
                }
            }
        };
        Server {
            child,
            port,
            origin: format!("http://localhost:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// The first header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of cookie `name` set by this answer.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request to the desk at `port` (bounded by 30 s) and reads the answer.
/// `headers` are extra header lines (`("cookie", "a=b")`); the `Origin` is the
/// desk's own unless one is given.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the desk");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("set a timeout");
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nhost: localhost:{port}\r\nconnection: close\r\n");
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("origin"))
        && method == "POST"
    {
        request.push_str(&format!("origin: http://localhost:{port}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    if method == "POST" {
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            request.push_str("content-type: application/json\r\n");
        }
        request.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    exchange(stream, &request)
}

/// Sends `request` (a whole HTTP/1.1 request) on `stream` and reads the answer
/// until the server closes the connection.
pub fn exchange(mut stream: TcpStream, request: &str) -> Answer {
    stream
        .write_all(request.as_bytes())
        .expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A passkey in software: a P-256 key that answers WebAuthn challenges as
/// Chromium's authenticator does (user present and verified).
pub struct SoftPasskey {
    key: p256::ecdsa::SigningKey,
    /// The relying party (`localhost`).
    pub rp_id: String,
    /// The user handle: the person's roster id.
    pub person: String,
}

impl SoftPasskey {
    /// A passkey from a fixed seed byte.
    pub fn new(seed: u8, rp_id: &str, person: &str) -> SoftPasskey {
        let mut bytes = [seed; 32];
        bytes[0] = 1;
        SoftPasskey {
            key: p256::ecdsa::SigningKey::from_bytes(&bytes.into()).expect("a P-256 key"),
            rp_id: rp_id.to_owned(),
            person: person.to_owned(),
        }
    }

    /// Its roster line: `sk-ecdsa-sha2-nistp256@openssh.com AAAA… person@rp`.
    pub fn public_key(&self) -> String {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut blob = Vec::new();
        let mut put = |bytes: &[u8]| {
            blob.extend((bytes.len() as u32).to_be_bytes());
            blob.extend(bytes);
        };
        put(b"sk-ecdsa-sha2-nistp256@openssh.com");
        put(b"nistp256");
        put(point.as_bytes());
        put(self.rp_id.as_bytes());
        use base64ct::Base64;
        format!(
            "sk-ecdsa-sha2-nistp256@openssh.com {} {}@{}",
            Base64::encode_string(&blob),
            self.person,
            self.rp_id
        )
    }

    /// The JSON the desk's script sends for an assertion over `challenge` (base64url)
    /// made at `origin`, with the user-verified flag as given.
    pub fn assert(&self, challenge_b64: &str, origin: &str, verified: bool) -> serde_json::Value {
        let client_data = format!(
            "{{\"type\":\"webauthn.get\",\"challenge\":\"{challenge_b64}\",\"origin\":\"{origin}\",\"crossOrigin\":false}}"
        );
        let mut auth_data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth_data.push(if verified { 0x05 } else { 0x01 });
        auth_data.extend(7u32.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(client_data.as_bytes()));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        let b64 = |b: &[u8]| Base64UrlUnpadded::encode_string(b);
        serde_json::json!({
            "authenticator_data": b64(&auth_data),
            "client_data_json": b64(client_data.as_bytes()),
            "signature": b64(signature.to_der().as_bytes()),
            "user_handle": b64(self.person.as_bytes()),
        })
    }
}

/// Begins a sign-in: the login cookie (as a `cookie` header value) and the
/// challenge (base64url).
pub fn begin_sign_in(server: &Server) -> (String, String) {
    let begin = http(server.port, "POST", "/signin/begin", &[], Some("{}"));
    assert_eq!(begin.status, 200, "{}", begin.body);
    let login = begin
        .cookie("__Host-medreview-login")
        .expect("a login cookie");
    let challenge = begin.json()["challenge"]
        .as_str()
        .expect("a challenge")
        .to_owned();
    (format!("__Host-medreview-login={login}"), challenge)
}

/// Begins a sign-in and finishes it with `answer(challenge)`.
pub fn sign_in_with(server: &Server, answer: impl Fn(&str) -> serde_json::Value) -> Answer {
    let (login, challenge) = begin_sign_in(server);
    http(
        server.port,
        "POST",
        "/signin/finish",
        &[("cookie", &login)],
        Some(&answer(&challenge).to_string()),
    )
}

/// Signs in over HTTP with `passkey`; returns the session cookie and the CSRF token
/// (read from the inbox page).
pub fn sign_in(server: &Server, passkey: &SoftPasskey) -> (String, String) {
    let finish = sign_in_with(server, |c| passkey.assert(c, &server.origin, true));
    assert_eq!(finish.status, 200, "{}", finish.body);
    let session = finish
        .cookie("__Host-medreview-session")
        .expect("a session cookie");
    let session = format!("__Host-medreview-session={session}");
    let inbox = http(server.port, "GET", "/inbox", &[("cookie", &session)], None);
    let csrf = inbox
        .body
        .split("<meta name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page's CSRF token")
        .to_owned();
    (session, csrf)
}

/// Signs `op` (a JSON object with `op` and its fields) through the desk with
/// `passkey`: prepare, assert, finish. Returns the finish answer.
pub fn sign_op(
    server: &Server,
    passkey: &SoftPasskey,
    (session, csrf): (&str, &str),
    mut op: serde_json::Value,
) -> Answer {
    op["csrf"] = csrf.into();
    let prepared = http(
        server.port,
        "POST",
        "/sign/prepare",
        &[("cookie", session)],
        Some(&op.to_string()),
    );
    if prepared.status != 200 {
        return prepared;
    }
    let challenge = prepared.json()["challenge"]
        .as_str()
        .expect("a challenge")
        .to_owned();
    let mut answer = passkey.assert(&challenge, &server.origin, true);
    answer["csrf"] = csrf.into();
    http(
        server.port,
        "POST",
        "/sign/finish",
        &[("cookie", session)],
        Some(&answer.to_string()),
    )
}
