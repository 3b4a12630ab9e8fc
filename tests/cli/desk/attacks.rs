//! Attacks on the desk and on what it records: a host forging an approval without
//! the doctor's passkey, another doctor's session, replayed and misdirected
//! assertions, CSRF, session fixation, XSS, and roles reading what they may not.

use crate::common::SLUG;
use crate::common::desk::{
    DeskTeam, SoftPasskey, begin_sign_in, http, sign_in, sign_in_with, sign_op,
};

/// Ana with a software passkey on the roster, and the desk running.
fn ana_enrolled() -> (DeskTeam, crate::common::desk::Server, SoftPasskey) {
    let team = DeskTeam::new();
    let server = team.serve();
    let ana = SoftPasskey::new(7, "localhost", "ana-example");
    team.record_key("ana-example", &ana.public_key());
    (team, server, ana)
}

#[test]
fn a_software_passkey_signs_in_and_approves_and_the_approval_verifies_elsewhere() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let revision = team
        .env
        .git(&["rev-parse", &format!("HEAD:articles/{SLUG}/article.md")]);
    let done = sign_op(
        &server,
        &ana,
        (&session, &csrf),
        serde_json::json!({"op": "approve", "slug": SLUG, "revision": revision.trim()}),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    let clone = team.fresh_clone("colleague");
    let status = team.env.ok_in(&clone, &["status", SLUG, "--json"]);
    assert!(status.stdout.contains("\"approved\""), "{}", status.stdout);
    team.env.ok_in(&clone, &["check"]);
}

// ---------------------------------------------------------------------------
// Helpers for the attacks below.
// ---------------------------------------------------------------------------

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId};
use medreview_core::signing::{self, SigningKey, passkey};
use medreview_store::revision::RevId;

use crate::common::desk::{Answer, Server};
use crate::common::{ARTICLE, fixture, public_key};

/// What the remote's `main` names: what a refused attack must leave alone.
fn remote_head(team: &DeskTeam) -> String {
    let remote = team.remote.to_str().expect("utf-8 path");
    team.env
        .git(&["--git-dir", remote, "rev-parse", "refs/heads/main"])
        .trim()
        .to_owned()
}

/// The desk clone's HEAD.
fn desk_head(team: &DeskTeam) -> String {
    team.env
        .git_in(&team.desk, &["rev-parse", "HEAD"])
        .trim()
        .to_owned()
}

/// The full blob id of the article as committed at the admin's HEAD.
fn r1(team: &DeskTeam) -> String {
    team.env
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned()
}

/// Publishes the clone at `dir` into a fresh folder `name`; every file's text by
/// its name.
fn published(
    team: &DeskTeam,
    dir: &std::path::Path,
    name: &str,
) -> std::collections::BTreeMap<String, String> {
    let out = team.env.outside(name);
    let _ = std::fs::remove_dir_all(&out);
    let _ = team.env.run_in(
        dir,
        &["publish", "--out", out.to_str().expect("utf-8 path")],
    );
    std::fs::read_dir(&out)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let e = e.ok()?;
            let text = std::fs::read_to_string(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), text))
        })
        .collect()
}

/// The state of the article in the clone at `dir`.
fn state_in(team: &DeskTeam, dir: &std::path::Path) -> String {
    let status = team.env.ok_in(dir, &["status", SLUG, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    json["articles"][0]["state"]
        .as_str()
        .expect("a state")
        .to_owned()
}

/// The state of the article in a fresh clone of the remote.
fn remote_state(team: &DeskTeam, name: &str) -> String {
    let clone = team.fresh_clone(name);
    let status = team.env.ok_in(&clone, &["status", SLUG, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    json["articles"][0]["state"]
        .as_str()
        .expect("a state")
        .to_owned()
}

/// Posts `body` (JSON) to `path` with the session cookie.
fn post(server: &Server, path: &str, session: &str, body: &serde_json::Value) -> Answer {
    http(
        server.port,
        "POST",
        path,
        &[("cookie", session)],
        Some(&body.to_string()),
    )
}

/// `GET path` with `cookie` (may be empty).
fn get(server: &Server, path: &str, cookie: &str) -> Answer {
    let headers: &[(&str, &str)] = if cookie.is_empty() {
        &[]
    } else {
        &[("cookie", cookie)]
    };
    http(server.port, "GET", path, headers, None)
}

/// Prepares `op` and returns its challenge (base64url); panics if refused.
fn prepare(server: &Server, (session, csrf): (&str, &str), mut op: serde_json::Value) -> String {
    op["csrf"] = csrf.into();
    let prepared = post(server, "/sign/prepare", session, &op);
    assert_eq!(prepared.status, 200, "{}", prepared.body);
    prepared.json()["challenge"]
        .as_str()
        .expect("a challenge")
        .to_owned()
}

/// The finish body for `passkey`'s answer to `challenge`.
fn finish_body(
    server: &Server,
    passkey: &SoftPasskey,
    challenge: &str,
    csrf: &str,
) -> serde_json::Value {
    let mut answer = passkey.assert(challenge, &server.origin, true);
    answer["csrf"] = csrf.into();
    answer
}

fn approve(revision: &str) -> serde_json::Value {
    serde_json::json!({"op": "approve", "slug": SLUG, "revision": revision})
}

fn comment(revision: &str, note: &str) -> serde_json::Value {
    serde_json::json!({"op": "comment", "slug": SLUG, "revision": revision,
        "quote": "Trastuzumab (Herceptin)", "note": note})
}

/// The assertion the script sends, as bytes.
fn assertion(json: &serde_json::Value) -> passkey::Assertion {
    let field = |name: &str| {
        Base64UrlUnpadded::decode_vec(json[name].as_str().expect("a field")).expect("base64url")
    };
    passkey::Assertion {
        authenticator_data: field("authenticator_data"),
        client_data_json: field("client_data_json"),
        signature: field("signature"),
    }
}

/// An approval by ana-example of r1 exactly as the desk would record it (the
/// host runs the desk, so he sees the text it asks her passkey to sign), unsigned.
fn forged_approval(team: &DeskTeam, server: &Server, ana: &SoftPasskey) -> Entry {
    let (session, csrf) = sign_in(server, ana);
    let mut op = approve(&r1(team));
    op["csrf"] = csrf.into();
    let prepared = post(server, "/sign/prepare", &session, &op);
    assert_eq!(prepared.status, 200, "{}", prepared.body);
    let text = prepared.json()["text"]
        .as_str()
        .expect("the text")
        .to_owned();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    };
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_str(&field(name)).expect("a JSON field")
    };
    let text_of = |name: &str| json(name).as_str().map(str::to_owned);
    let ids = |name: &str| -> Vec<EntryId> {
        json(name)
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| EntryId::parse(v.as_str().expect("an id")).expect("an entry id"))
            .collect()
    };
    let entry = Entry {
        action: Action::Approved,
        by: Id::parse("id", &field("by")).expect("id"),
        at: chrono::DateTime::parse_from_rfc3339(&field("at")).expect("time"),
        revision: RevId::parse(&field("revision")).expect("revision"),
        after: ids("after"),
        note: text_of("note"),
        recorded_by: None,
        roster: ids("roster"),
        clock: text_of("clock"),
        format: None,
        viewed: None,
        meaning: text_of("meaning"),
        name: text_of("name"),
        credentials: text_of("credentials"),
        change: None,
        schedule: None,
        signature: None,
    };
    assert_eq!(signing::canonical_text(&slug_id(), &entry), text);
    // The host's clone is the desk's, up to date with the team's record.
    team.env.git_in(&team.desk, &["pull", "-q", "--ff-only"]);
    entry
}

/// The host commits `entry` in the desk's clone with plain git, as Ana, and
/// pushes: the server gate must refuse it and the remote must not move. Returns
/// the push's stderr.
fn host_pushes(team: &DeskTeam, entry: &Entry) -> String {
    let before = remote_head(team);
    let (id, bytes) = entry.to_file();
    let rel = format!("articles/{SLUG}/signoffs/{}", id.file_name());
    std::fs::write(team.desk.join(&rel), bytes).expect("write the forged entry");
    team.env.git_in(&team.desk, &["add", "-A"]);
    let at = entry.at.to_rfc3339();
    team.env.git_in(
        &team.desk,
        &[
            "-c",
            "user.name=Ana Example",
            "-c",
            "user.email=ana@example.org",
            "commit",
            "-q",
            "-m",
            "approve",
            "--date",
            &at,
        ],
    );
    let push = std::process::Command::new("git")
        .env_clear()
        .envs(team.env.env_vars())
        .current_dir(&team.desk)
        .args(["push", "origin", "main"])
        .output()
        .expect("run git push");
    let stderr = String::from_utf8_lossy(&push.stderr).into_owned();
    assert!(
        !push.status.success(),
        "the gate accepted a forgery: {stderr}"
    );
    // Refused for its signature alone: everything else is as the desk makes it.
    let codes: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split("medreview: refused refs/heads/main: [").nth(1))
        .filter_map(|rest| rest.split(']').next())
        .collect();
    assert_eq!(codes, ["signature"], "{stderr}");
    assert_eq!(remote_head(team), before, "the remote moved");
    // The desk's own clone does not count it either.
    let check = team.env.run_in(&team.desk, &["check", "--json"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(check.stdout.contains("\"signature\""), "{}", check.stdout);
    assert_eq!(state_in(team, &team.desk), "in-review");
    stderr
}

/// An SSHSIG for a WebAuthn assertion by `public_key`, assembled as OpenSSH
/// writes one but with no check that the assertion signed this text: what a host
/// who kept an assertion of hers would make.
fn wrap_as_sshsig(public_key: &str, a: &passkey::Assertion, origin: &str) -> String {
    fn put(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend((bytes.len() as u32).to_be_bytes());
        out.extend(bytes);
    }
    fn mpint(out: &mut Vec<u8>, bytes: &[u8]) {
        let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        let mut v = Vec::new();
        if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            v.push(0);
        }
        v.extend(trimmed);
        put(out, &v);
    }
    let blob =
        Base64::decode_vec(public_key.split_whitespace().nth(1).expect("a blob")).expect("base64");
    let signature = p256::ecdsa::Signature::from_der(&a.signature).expect("DER");
    let (r, s) = signature.split_bytes();
    let mut ecdsa = Vec::new();
    mpint(&mut ecdsa, &r);
    mpint(&mut ecdsa, &s);
    let mut inner = Vec::new();
    put(&mut inner, b"webauthn-sk-ecdsa-sha2-nistp256@openssh.com");
    put(&mut inner, &ecdsa);
    inner.push(a.authenticator_data[32]);
    inner.extend(&a.authenticator_data[33..37]);
    put(&mut inner, origin.as_bytes());
    put(&mut inner, &a.client_data_json);
    put(&mut inner, &a.authenticator_data[37..]);
    let mut sig = b"SSHSIG".to_vec();
    sig.extend(1u32.to_be_bytes());
    put(&mut sig, &blob);
    put(&mut sig, signing::NAMESPACE.as_bytes());
    put(&mut sig, b"");
    put(&mut sig, b"sha512");
    put(&mut sig, &inner);
    let b64 = Base64::encode_string(&sig);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(70)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
        lines.join("\n")
    )
}

fn slug_id() -> Id {
    Id::parse("slug", SLUG).expect("slug")
}

// ---------------------------------------------------------------------------
// 1. The host forges an approval without her passkey.
// ---------------------------------------------------------------------------

#[test]
fn the_host_forges_ana_approval_with_his_own_passkey_and_the_gate_refuses_it() {
    let (team, server, ana) = ana_enrolled();
    let host = SoftPasskey::new(99, "localhost", "ana-example");
    let mut entry = forged_approval(&team, &server, &ana);
    let text = signing::canonical_text(&slug_id(), &entry);
    let challenge =
        Base64UrlUnpadded::encode_string(&passkey::challenge(signing::NAMESPACE, &text));
    let answer = assertion(&host.assert(&challenge, "http://localhost", true));
    let pem = passkey::to_sshsig(&host.public_key(), signing::NAMESPACE, &text, &answer)
        .expect("his own passkey signs");
    entry.signature = Some(pem);
    assert!(signing::verify(&slug_id(), &entry, Some(&ana.public_key())).is_err());
    host_pushes(&team, &entry);
    assert_eq!(remote_state(&team, "colleague"), "in-review");
}

#[test]
fn the_host_forges_ana_approval_with_the_admins_ssh_key_and_the_gate_refuses_it() {
    let (team, server, ana) = ana_enrolled();
    let mut entry = forged_approval(&team, &server, &ana);
    let key = SigningKey::load(&fixture("eve_ed25519")).expect("the admin's key");
    let pem = key
        .sign(
            &slug_id(),
            &entry,
            &entry.by,
            Some(&public_key("eve_ed25519")),
        )
        .expect("the admin signs");
    entry.signature = Some(pem);
    host_pushes(&team, &entry);
    assert_eq!(remote_state(&team, "colleague"), "in-review");
}

#[test]
fn the_host_rewraps_ana_sign_in_assertion_as_an_approval_and_the_gate_refuses_it() {
    let (team, server, ana) = ana_enrolled();
    // Ana signs in; the host keeps her assertion.
    let (_, challenge) = begin_sign_in(&server);
    let kept = assertion(&ana.assert(&challenge, &server.origin, true));
    let mut entry = forged_approval(&team, &server, &ana);
    let text = signing::canonical_text(&slug_id(), &entry);
    let refused = passkey::to_sshsig(&ana.public_key(), signing::NAMESPACE, &text, &kept)
        .expect_err("a sign-in assertion is no approval");
    assert!(refused.contains("another challenge"), "{refused}");
    entry.signature = Some(wrap_as_sshsig(&ana.public_key(), &kept, &server.origin));
    let why = signing::verify(&slug_id(), &entry, Some(&ana.public_key()))
        .expect_err("the wrapped sign-in assertion must not verify");
    assert!(!why.is_empty());
    host_pushes(&team, &entry);
    assert_eq!(remote_state(&team, "colleague"), "in-review");
    let site = published(&team, &team.desk, "site");
    assert!(
        !site.contains_key(&format!("{SLUG}.html")),
        "{:?}",
        site.keys()
    );
    assert!(!site.values().any(|page| page.contains("Ana Example")));
}

// ---------------------------------------------------------------------------
// 2. Another doctor's session.
// ---------------------------------------------------------------------------

/// Ana and David, each with a passkey on the roster, and the desk running.
fn ana_and_david() -> (DeskTeam, Server, SoftPasskey, SoftPasskey) {
    let (team, server, ana) = ana_enrolled();
    let david = SoftPasskey::new(8, "localhost", "david-okafor");
    team.record_key("david-okafor", &david.public_key());
    (team, server, ana, david)
}

#[test]
fn david_cannot_approve_as_ana_whatever_the_request_says() {
    let (team, server, _ana, david) = ana_and_david();
    let (session, csrf) = sign_in(&server, &david);
    let mut op = approve(&r1(&team));
    op["by"] = "ana-example".into();
    op["person"] = "ana-example".into();
    let done = sign_op(&server, &david, (&session, &csrf), op);
    // The op names no signer: the session is the signer. (Any reviewer may
    // approve here, as on the command line; see below.)
    assert_eq!(done.status, 200, "{}", done.body);
    let clone = team.fresh_clone("colleague");
    let names: Vec<String> = std::fs::read_dir(clone.join(format!("articles/{SLUG}/signoffs")))
        .expect("sign-offs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.contains("-approved-david-okafor-")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("-ana-example-")),
        "{names:?}"
    );
    // This workspace's policy asks one medical-accuracy approval by any reviewer,
    // so his counts, under his own name: publish and status never name Ana.
    let status = team.env.ok_in(&clone, &["status", SLUG, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    let approvals = &json["articles"][0]["publishable"]["approved_by"];
    assert_eq!(
        approvals,
        &serde_json::json!(["david-okafor"]),
        "{}",
        status.stdout
    );
    team.env.ok_in(&clone, &["check"]);
    let site = published(&team, &clone, "site");
    let page = site
        .get(&format!("{SLUG}.html"))
        .expect("the published page");
    assert!(page.contains("David Okafor") && !page.contains("Ana Example"));
}

#[test]
fn david_challenge_answered_by_ana_passkey_fails_at_finish() {
    let (team, server, ana, david) = ana_and_david();
    let (session, csrf) = sign_in(&server, &david);
    let before = remote_head(&team);
    let challenge = prepare(
        &server,
        (&session, &csrf),
        comment(&r1(&team), "A question."),
    );
    let done = post(
        &server,
        "/sign/finish",
        &session,
        &finish_body(&server, &ana, &challenge, &csrf),
    );
    assert_eq!(done.status, 409, "{}", done.body);
    assert!(
        done.body.contains("does not verify with this public key"),
        "{}",
        done.body
    );
    assert_eq!(remote_head(&team), before);
    assert_eq!(desk_head(&team), before);
}

#[test]
fn ana_cookie_with_david_csrf_is_refused_and_the_cookie_alone_names_ana() {
    let (_team, server, ana, david) = ana_and_david();
    let (ana_session, _) = sign_in(&server, &ana);
    let (_, david_csrf) = sign_in(&server, &david);
    let inbox = get(&server, "/inbox", &ana_session);
    assert!(inbox.body.contains("Ana Example"), "{}", inbox.body);
    assert!(!inbox.body.contains("David Okafor"), "{}", inbox.body);
    let mut op = comment("x", "n");
    op["csrf"] = david_csrf.into();
    let refused = post(&server, "/sign/prepare", &ana_session, &op);
    assert_eq!(refused.status, 403, "{}", refused.body);
}

// ---------------------------------------------------------------------------
// 3. Replay.
// ---------------------------------------------------------------------------

#[test]
fn a_replayed_sign_in_finish_is_refused() {
    let (_team, server, ana) = ana_enrolled();
    let (login, challenge) = begin_sign_in(&server);
    let body = ana.assert(&challenge, &server.origin, true).to_string();
    let first = http(
        server.port,
        "POST",
        "/signin/finish",
        &[("cookie", &login)],
        Some(&body),
    );
    assert_eq!(first.status, 200, "{}", first.body);
    let again = http(
        server.port,
        "POST",
        "/signin/finish",
        &[("cookie", &login)],
        Some(&body),
    );
    assert_eq!(again.status, 400, "{}", again.body);
    assert!(again.body.contains("not started here"), "{}", again.body);
    assert!(again.cookie("__Host-medreview-session").is_none());
}

#[test]
fn a_replayed_sign_finish_finds_no_signature_waiting() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let challenge = prepare(&server, (&session, &csrf), comment(&r1(&team), "First."));
    let body = finish_body(&server, &ana, &challenge, &csrf);
    let first = post(&server, "/sign/finish", &session, &body);
    assert_eq!(first.status, 200, "{}", first.body);
    let after = remote_head(&team);
    let again = post(&server, "/sign/finish", &session, &body);
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body.contains("no signature waiting"),
        "{}",
        again.body
    );
    assert_eq!(remote_head(&team), after);
}

#[test]
fn an_old_assertion_presented_for_a_new_prepare_is_refused() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let challenge = prepare(&server, (&session, &csrf), comment(&r1(&team), "First."));
    let body = finish_body(&server, &ana, &challenge, &csrf);
    let first = post(&server, "/sign/finish", &session, &body);
    assert_eq!(first.status, 200, "{}", first.body);
    let after = remote_head(&team);
    let _ = prepare(&server, (&session, &csrf), comment(&r1(&team), "Second."));
    let again = post(&server, "/sign/finish", &session, &body);
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("another challenge"), "{}", again.body);
    assert_eq!(remote_head(&team), after);
    assert_eq!(desk_head(&team), after);
}

// ---------------------------------------------------------------------------
// 4. r1 presented for r2.
// ---------------------------------------------------------------------------

/// The writer submits r2 in the admin's clone and pushes it.
fn writer_submits_r2(team: &DeskTeam) -> String {
    team.env.append(ARTICLE, "\nOne more sentence for r2.\n");
    team.env.git(&["commit", "-q", "-am", "r2 text"]);
    team.env
        .git(&["config", "user.email", "suzanne@example.org"]);
    let key = fixture("suzanne_ed25519");
    team.env.ok(&[
        "submit",
        SLUG,
        "-m",
        "Second draft.",
        "--key",
        key.to_str().expect("utf-8 path"),
    ]);
    team.env
        .git(&["config", "user.email", crate::common::desk::ADMIN_EMAIL]);
    team.env.git(&["push", "-q", "origin", "main"]);
    remote_head(team)
}

#[test]
fn an_approval_of_r1_finished_after_r2_was_submitted_records_nothing() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let first = r1(&team);
    let challenge = prepare(&server, (&session, &csrf), approve(&first));
    let r2_head = writer_submits_r2(&team);
    // A page read makes the desk sync.
    assert_eq!(get(&server, "/inbox", &session).status, 200);
    assert_eq!(desk_head(&team), r2_head);
    let done = post(
        &server,
        "/sign/finish",
        &session,
        &finish_body(&server, &ana, &challenge, &csrf),
    );
    assert_eq!(done.status, 409, "{}", done.body);
    assert!(done.body.contains("the record changed"), "{}", done.body);
    assert_eq!(remote_head(&team), r2_head);
    assert_eq!(desk_head(&team), r2_head);
    assert_eq!(remote_state(&team, "colleague"), "in-review");
    // And r1 can no longer be prepared at all.
    let mut op = approve(&first);
    op["csrf"] = csrf.clone().into();
    let again = post(&server, "/sign/prepare", &session, &op);
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(remote_head(&team), r2_head);
}

#[test]
fn an_empty_or_short_revision_is_not_taken_as_the_one_shown() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    for revision in ["", "0"] {
        let mut op = approve(revision);
        op["csrf"] = csrf.clone().into();
        let refused = post(&server, "/sign/prepare", &session, &op);
        assert_eq!(refused.status, 409, "{revision:?}: {}", refused.body);
    }
    let _ = team;
}

// ---------------------------------------------------------------------------
// 5. CSRF.
// ---------------------------------------------------------------------------

#[test]
fn prepare_and_finish_without_the_session_csrf_or_from_another_site_are_refused() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let (_, other_csrf) = sign_in(&server, &ana);
    let before = remote_head(&team);
    let op = approve(&r1(&team));
    let send = |path: &str, body: &serde_json::Value, extra: &[(&str, &str)]| {
        let mut headers = vec![("cookie", session.as_str())];
        headers.extend_from_slice(extra);
        http(server.port, "POST", path, &headers, Some(&body.to_string()))
    };
    for (token, extra) in [
        ("", &[][..]),
        (other_csrf.as_str(), &[][..]),
        (csrf.as_str(), &[("origin", "http://evil.example")][..]),
        (csrf.as_str(), &[("sec-fetch-site", "cross-site")][..]),
        (csrf.as_str(), &[("sec-fetch-site", "same-site")][..]),
    ] {
        let mut body = op.clone();
        body["csrf"] = token.into();
        let refused = send("/sign/prepare", &body, extra);
        assert_eq!(refused.status, 403, "{token} {extra:?}: {}", refused.body);
    }
    // With no csrf field at all the request is not even read.
    let missing = send("/sign/prepare", &op, &[]);
    assert!((400..500).contains(&missing.status), "{}", missing.body);
    // A genuine prepare, then a forged finish: refused, and the real one still works.
    let challenge = prepare(&server, (&session, &csrf), op.clone());
    for (token, extra) in [
        ("", &[][..]),
        (other_csrf.as_str(), &[][..]),
        (csrf.as_str(), &[("origin", "http://evil.example")][..]),
        (csrf.as_str(), &[("sec-fetch-site", "cross-site")][..]),
    ] {
        let body = finish_body(&server, &ana, &challenge, token);
        let refused = send("/sign/finish", &body, extra);
        assert_eq!(refused.status, 403, "{token} {extra:?}: {}", refused.body);
    }
    assert_eq!(remote_head(&team), before);
    let done = send(
        "/sign/finish",
        &finish_body(&server, &ana, &challenge, &csrf),
        &[],
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert_ne!(remote_head(&team), before);
}

#[test]
fn sign_out_without_the_csrf_token_leaves_the_session_alive() {
    let (_team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let form = [
        ("cookie", session.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let refused = http(server.port, "POST", "/signout", &form, Some(""));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(get(&server, "/inbox", &session).status, 200);
    let evil = [
        ("cookie", session.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("origin", "http://evil.example"),
    ];
    let body = format!("csrf={csrf}");
    let _ = http(server.port, "POST", "/signout", &evil, Some(&body));
    assert_eq!(
        get(&server, "/inbox", &session).status,
        200,
        "another site signed her out"
    );
    let ok = http(server.port, "POST", "/signout", &form, Some(&body));
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(get(&server, "/inbox", &session).status, 303);
}

// ---------------------------------------------------------------------------
// 6. Session fixation.
// ---------------------------------------------------------------------------

#[test]
fn a_planted_session_cookie_is_never_accepted_nor_kept_by_sign_in() {
    let (_team, server, ana) = ana_enrolled();
    let planted = format!("__Host-medreview-session={}", "ab".repeat(32));
    let page = get(&server, "/inbox", &planted);
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), Some("/signin"));
    let begin = http(
        server.port,
        "POST",
        "/signin/begin",
        &[("cookie", &planted)],
        Some("{}"),
    );
    let login = begin
        .cookie("__Host-medreview-login")
        .expect("login cookie");
    let challenge = begin.json()["challenge"]
        .as_str()
        .expect("challenge")
        .to_owned();
    let both = format!("{planted}; __Host-medreview-login={login}");
    let body = ana.assert(&challenge, &server.origin, true).to_string();
    let finish = http(
        server.port,
        "POST",
        "/signin/finish",
        &[("cookie", &both)],
        Some(&body),
    );
    assert_eq!(finish.status, 200, "{}", finish.body);
    let fresh = finish
        .cookie("__Host-medreview-session")
        .expect("a new session");
    assert_ne!(fresh, "ab".repeat(32));
    assert_eq!(fresh.len(), 64);
    assert_eq!(get(&server, "/inbox", &planted).status, 303);
    let set = finish
        .headers
        .iter()
        .find(|(n, v)| n == "set-cookie" && v.starts_with("__Host-medreview-session="))
        .map(|(_, v)| v.clone())
        .expect("set-cookie");
    for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(part), "{set}");
    }
}

// ---------------------------------------------------------------------------
// 7. XSS.
// ---------------------------------------------------------------------------

const SCRIPT_TAG: &str = "<script>alert(1)</script>";
const IMG_TAG: &str = "<img src=x onerror=alert(1)>";
const XSS_SLUG: &str = "xss-page";
/// A display name that would break out of an attribute (names cannot hold `<`).
const NAME: &str = "Ana\" onmouseover=\"alert(1)";

/// An article by suzanne-example, reviewed by ana-example, whose title and body
/// carry markup, submitted (signed) and pushed.
fn submit_markup_article(team: &DeskTeam) {
    let title = format!("Care {SCRIPT_TAG} and {IMG_TAG}");
    team.env.ok(&[
        "new",
        XSS_SLUG,
        "--title",
        &title,
        "--writer",
        "suzanne-example",
        "--reviewer",
        "ana-example",
        "--topic",
        "oncology",
    ]);
    let rel = format!("articles/{XSS_SLUG}/article.md");
    let text = crate::common::HER2_ARTICLE
        .replace(crate::common::TITLE, &format!("\"{title}\""))
        .replace(
            "Treatment has improved",
            &format!("{SCRIPT_TAG} {IMG_TAG} Treatment has improved"),
        );
    team.env.write(&rel, &text);
    team.env.git(&["add", "-A"]);
    team.env.git(&["commit", "-q", "-m", "markup article"]);
    team.env
        .git(&["config", "user.email", "suzanne@example.org"]);
    let key = fixture("suzanne_ed25519");
    team.env.ok(&[
        "submit",
        XSS_SLUG,
        "-m",
        "Draft.",
        "--key",
        key.to_str().expect("utf-8 path"),
    ]);
    team.env
        .git(&["config", "user.email", crate::common::desk::ADMIN_EMAIL]);
    team.env.git(&["push", "-q", "origin", "main"]);
}

fn assert_no_markup(what: &str, page: &Answer) {
    assert_eq!(page.status, 200, "{what}: {}", page.body);
    for raw in [SCRIPT_TAG, IMG_TAG, "\" onmouseover=\""] {
        assert!(
            !page.body.contains(raw),
            "{what} holds {raw}: {}",
            page.body
        );
    }
}

#[test]
fn markup_in_titles_bodies_notes_and_names_is_shown_as_text_and_frames_run_no_script() {
    let (team, server, ana) = ana_enrolled();
    submit_markup_article(&team);
    let admin_key = fixture("eve_ed25519");
    team.env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--name",
        NAME,
        "--key",
        admin_key.to_str().expect("utf-8 path"),
    ]);
    team.env.git(&["push", "-q", "origin", "main"]);
    let (session, csrf) = sign_in(&server, &ana);
    let noted = sign_op(
        &server,
        &ana,
        (&session, &csrf),
        comment(&r1(&team), &format!("{SCRIPT_TAG} {IMG_TAG}")),
    );
    assert_eq!(noted.status, 200, "{}", noted.body);
    let inbox = get(&server, "/inbox", &session);
    assert_no_markup("inbox", &inbox);
    assert!(inbox.body.contains("&lt;script&gt;"), "{}", inbox.body);
    assert!(
        inbox.body.contains("Ana&quot; onmouseover=&quot;alert(1)"),
        "the name: {}",
        inbox.body
    );
    let review = get(&server, &format!("/review/{XSS_SLUG}"), &session);
    assert_no_markup("review", &review);
    assert!(review.body.contains("&lt;script&gt;"), "{}", review.body);
    let threads = get(&server, &format!("/review/{SLUG}"), &session);
    assert_no_markup("review with the note", &threads);
    assert!(threads.body.contains("&lt;img src=x"), "{}", threads.body);
    for page in [&inbox, &review, &threads] {
        let policy = page.header("content-security-policy").expect("a CSP");
        let scripts = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .expect("script-src");
        assert!(!scripts.contains("unsafe-inline"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");
    }
    for frame in ["redline", "preview"] {
        let page = get(&server, &format!("/frame/{XSS_SLUG}/{frame}"), &session);
        assert_no_markup(frame, &page);
        let policy = page.header("content-security-policy").expect("a CSP");
        assert!(policy.contains("default-src 'none'"), "{policy}");
        assert!(!policy.contains("script-src"), "{policy}");
    }
}

// ---------------------------------------------------------------------------
// 8. Roles.
// ---------------------------------------------------------------------------

fn suzanne_enrolled(team: &DeskTeam) -> SoftPasskey {
    team.writer_passkey(9)
}

/// rosa-editor's article, which suzanne-example does not write, shared.
fn another_writers_article(team: &DeskTeam) {
    team.env.ok(&[
        "new",
        "rosa-page",
        "--title",
        "Rosa's page",
        "--writer",
        "rosa-editor",
    ]);
    if !team.env.porcelain().trim().is_empty() {
        team.env.git(&["add", "-A"]);
        team.env
            .git(&["commit", "-q", "-m", "another writer's article"]);
    }
    team.env.git(&["push", "-q", "origin", "main"]);
}

#[test]
fn a_writer_reads_her_own_article_only_and_never_the_review_page() {
    let (team, server, ana) = ana_enrolled();
    let suzanne = suzanne_enrolled(&team);
    another_writers_article(&team);
    let (session, _) = sign_in(&server, &suzanne);
    let review = get(&server, &format!("/review/{SLUG}"), &session);
    assert_eq!(review.status, 409, "{}", review.body);
    assert!(
        review
            .body
            .contains(&format!("there is no article {SLUG} for you here"))
    );
    assert_eq!(
        get(&server, &format!("/article/{SLUG}"), &session).status,
        200
    );
    for path in [
        "/article/rosa-page",
        "/review/rosa-page",
        "/frame/rosa-page/redline",
        "/frame/rosa-page/preview",
    ] {
        let page = get(&server, path, &session);
        assert!(
            page.body
                .contains("there is no article rosa-page for you here"),
            "{path}: {}",
            page.body
        );
        assert!(
            !page.body.contains("Rosa&#x27;s page") && !page.body.contains("Rosa's page"),
            "{path}"
        );
    }
    let inbox = get(&server, "/inbox", &session);
    assert!(!inbox.body.contains("rosa-page"), "{}", inbox.body);
    let publisher = get(&server, "/publisher", &session);
    assert!(
        publisher.body.contains("is not a publisher"),
        "{}",
        publisher.body
    );
    assert_ne!(publisher.status, 200);
    // The reviewer may read the other writer's page: the refusal above is a rule.
    let (ana_session, _) = sign_in(&server, &ana);
    assert_eq!(
        get(&server, "/frame/rosa-page/redline", &ana_session).status,
        200
    );
    assert!(
        get(&server, "/publisher", &ana_session)
            .body
            .contains("is not a publisher")
    );
}

#[test]
fn a_visitor_who_is_not_signed_in_is_sent_to_sign_in_from_every_page_and_frame() {
    let (team, server, _ana) = ana_enrolled();
    for path in [
        "/".to_owned(),
        "/inbox".to_owned(),
        format!("/review/{SLUG}"),
        format!("/article/{SLUG}"),
        "/publisher".to_owned(),
        format!("/frame/{SLUG}/redline"),
        format!("/frame/{SLUG}/preview?to={}", r1(&team)),
        "/done".to_owned(),
    ] {
        let page = get(&server, &path, "");
        assert_eq!(page.status, 303, "{path}: {}", page.body);
        assert_eq!(page.header("location"), Some("/signin"), "{path}");
        assert!(!page.body.contains("HER2"), "{path}");
    }
    let refused = http(
        server.port,
        "POST",
        "/sign/prepare",
        &[],
        Some(
            &serde_json::json!({"csrf": "", "op": "approve", "slug": SLUG, "revision": r1(&team)})
                .to_string(),
        ),
    );
    assert_eq!(refused.status, 401, "{}", refused.body);
}

#[test]
fn a_retired_reviewer_cannot_sign_in() {
    let (team, server, _ana, david) = ana_and_david();
    let admin_key = fixture("eve_ed25519");
    team.env.ok(&[
        "reviewer",
        "retire",
        "david-okafor",
        "--key",
        admin_key.to_str().expect("utf-8 path"),
    ]);
    team.env.git(&["push", "-q", "origin", "main"]);
    let finish = sign_in_with(&server, |c| david.assert(c, &server.origin, true));
    assert_eq!(finish.status, 401, "{}", finish.body);
    assert!(
        finish.body.contains("david-okafor is retired"),
        "{}",
        finish.body
    );
    assert!(finish.cookie("__Host-medreview-session").is_none());
}

// ---------------------------------------------------------------------------
// 9. Rate limit.
// ---------------------------------------------------------------------------

#[test]
fn after_ten_failed_sign_ins_in_a_minute_the_eleventh_attempt_is_refused_with_429() {
    let (_team, server, _ana) = ana_enrolled();
    let stranger = SoftPasskey::new(42, "localhost", "ana-example");
    for n in 1..=10 {
        let finish = sign_in_with(&server, |c| stranger.assert(c, &server.origin, true));
        assert_eq!(finish.status, 401, "attempt {n}: {}", finish.body);
    }
    let eleventh = http(server.port, "POST", "/signin/begin", &[], Some("{}"));
    assert_eq!(eleventh.status, 429, "{}", eleventh.body);
    assert!(
        eleventh.body.contains("too many sign-in attempts"),
        "{}",
        eleventh.body
    );
    assert!(eleventh.cookie("__Host-medreview-login").is_none());
}

#[test]
fn a_newsroom_behind_one_proxy_signs_in_many_times_but_a_flood_is_refused() {
    let (_team, server, ana) = ana_enrolled();
    // Thirty honest sign-ins from one address (a reverse proxy) all pass.
    for n in 1..=30 {
        let finish = sign_in_with(&server, |c| ana.assert(c, &server.origin, true));
        assert_eq!(finish.status, 200, "sign-in {n}: {}", finish.body);
    }
    // A flood of beginnings stops at 120 a minute.
    let mut refused = None;
    for n in 31..=130 {
        let begin = http(server.port, "POST", "/signin/begin", &[], Some("{}"));
        if begin.status != 200 {
            refused = Some((n, begin.status));
            break;
        }
    }
    assert_eq!(refused, Some((121, 429)));
}

// ---------------------------------------------------------------------------
// 10. Invitations.
// ---------------------------------------------------------------------------

/// Rewrites the desk's invitation file with `f`.
fn tamper_invitations(team: &DeskTeam, f: impl Fn(&mut serde_json::Value)) {
    let path = team.desk.join(".git/medreview/desk/invitations.json");
    let mut kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("the invitations"))
            .expect("json");
    f(&mut kept);
    std::fs::write(&path, kept.to_string()).expect("write the invitations");
}

fn each_invitation(kept: &mut serde_json::Value, f: &dyn Fn(&mut serde_json::Value)) {
    match kept {
        serde_json::Value::Array(all) => all.iter_mut().for_each(f),
        serde_json::Value::Object(map) => {
            if map.contains_key("token_hash") {
                f(kept)
            } else {
                map.values_mut().for_each(|v| each_invitation(v, f))
            }
        }
        _ => {}
    }
}

fn assert_not_valid(server: &Server, path: &str) {
    let page = get(server, path, "");
    assert_eq!(page.status, 404, "{path}: {}", page.body);
    assert!(
        page.body.contains("this invitation is not valid"),
        "{}",
        page.body
    );
    let begin = http(
        server.port,
        "POST",
        &format!("{path}/begin"),
        &[],
        Some("{}"),
    );
    assert_eq!(begin.status, 404, "{path}/begin: {}", begin.body);
}

#[test]
fn a_mistyped_used_or_expired_invitation_is_not_valid() {
    let (team, server, _ana) = ana_enrolled();
    let link = team.invite("david-okafor", &server);
    let path = link.trim_start_matches(&server.origin).to_owned();
    assert!(path.starts_with("/enroll/"), "{link}");
    assert_eq!(get(&server, &path, "").status, 200);
    let mut mistyped = path.clone();
    let last = mistyped.pop().expect("a token");
    mistyped.push(if last == '0' { '1' } else { '0' });
    assert_not_valid(&server, &mistyped);
    assert_not_valid(&server, "/enroll/..%2F..%2Fetc%2Fpasswd");
    tamper_invitations(&team, |kept| {
        each_invitation(kept, &|i| i["used"] = true.into())
    });
    assert_not_valid(&server, &path);
    tamper_invitations(&team, |kept| {
        each_invitation(kept, &|i| {
            i["used"] = false.into();
            i["expires"] = "2020-01-01T00:00:00+00:00".into();
        })
    });
    assert_not_valid(&server, &path);
}

#[test]
fn only_an_admin_makes_invitations() {
    let (team, server, _ana) = ana_enrolled();
    team.env
        .git_in(&team.desk, &["config", "user.email", "suzanne@example.org"]);
    let run = team.env.run_in(
        &team.desk,
        &[
            "serve",
            "--invite",
            "ana-example",
            "--origin",
            &server.origin,
        ],
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("only an admin invites"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("/enroll/"), "{}", run.stdout);
}

#[test]
fn a_cardiologist_approval_through_the_desk_does_not_meet_an_oncology_rule() {
    let (team, server, _ana, david) = ana_and_david();
    let admin_key = fixture("eve_ed25519");
    team.env.ok(&[
        "config",
        "set",
        "review.rules",
        "[{topic: oncology, require: [{meaning: medical-accuracy, specialty: oncology}]}]",
        "--key",
        admin_key.to_str().expect("utf-8 path"),
    ]);
    team.env.git(&["push", "-q", "origin", "main"]);
    let (session, csrf) = sign_in(&server, &david);
    let done = sign_op(&server, &david, (&session, &csrf), approve(&r1(&team)));
    assert_eq!(done.status, 200, "{}", done.body);
    let clone = team.fresh_clone("colleague");
    assert_eq!(state_in(&team, &clone), "in-review");
    let status = team.env.ok_in(&clone, &["status", SLUG]);
    assert!(status.stdout.contains("oncology"), "{}", status.stdout);
    let site = published(&team, &clone, "site");
    assert!(
        !site.contains_key(&format!("{SLUG}.html")),
        "{:?}",
        site.keys()
    );
}

// ---------------------------------------------------------------------------
// Passkey answers that are not what they claim.
// ---------------------------------------------------------------------------

#[test]
fn ana_passkey_claiming_to_be_david_or_unverified_or_from_a_phishing_origin_does_not_sign_in() {
    let (_team, server, ana, _david) = ana_and_david();
    let as_david = sign_in_with(&server, |c| {
        let mut a = ana.assert(c, &server.origin, true);
        a["user_handle"] = Base64UrlUnpadded::encode_string(b"david-okafor").into();
        a
    });
    assert_eq!(as_david.status, 401, "{}", as_david.body);
    assert!(
        as_david.body.contains("does not verify for david-okafor"),
        "{}",
        as_david.body
    );
    let unverified = sign_in_with(&server, |c| ana.assert(c, &server.origin, false));
    assert_eq!(unverified.status, 401, "{}", unverified.body);
    let phished = sign_in_with(&server, |c| ana.assert(c, "http://evil.example", true));
    assert_eq!(phished.status, 401, "{}", phished.body);
    let other_rp = SoftPasskey::new(7, "evil.example", "ana-example");
    let relayed = sign_in_with(&server, |c| other_rp.assert(c, &server.origin, true));
    assert_eq!(relayed.status, 401, "{}", relayed.body);
    for refused in [&as_david, &unverified, &phished, &relayed] {
        assert!(refused.cookie("__Host-medreview-session").is_none());
    }
    // The control: her own answer signs her in.
    let ok = sign_in_with(&server, |c| ana.assert(c, &server.origin, true));
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[test]
fn an_unverified_or_phished_approval_assertion_records_nothing() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let before = remote_head(&team);
    for (origin, verified) in [
        (server.origin.as_str(), false),
        ("http://evil.example", true),
    ] {
        let challenge = prepare(&server, (&session, &csrf), approve(&r1(&team)));
        let mut body = ana.assert(&challenge, origin, verified);
        body["csrf"] = csrf.clone().into();
        let refused = post(&server, "/sign/finish", &session, &body);
        assert_eq!(refused.status, 409, "{origin} {verified}: {}", refused.body);
        assert!(refused.body.contains("does not verify"), "{}", refused.body);
    }
    assert_eq!(remote_head(&team), before);
    assert_eq!(desk_head(&team), before);
    assert_eq!(remote_state(&team, "colleague"), "in-review");
}

#[test]
fn a_writer_cannot_approve_her_own_article_nor_prepare_on_another_writers() {
    let (team, server, _ana) = ana_enrolled();
    let suzanne = suzanne_enrolled(&team);
    another_writers_article(&team);
    let (session, csrf) = sign_in(&server, &suzanne);
    let before = remote_head(&team);
    let own = sign_op(&server, &suzanne, (&session, &csrf), approve(&r1(&team)));
    assert_eq!(own.status, 409, "{}", own.body);
    assert!(
        own.body
            .contains("suzanne-example is a writer, and writers cannot approve"),
        "{}",
        own.body
    );
    let mut op = serde_json::json!({"op": "comment", "slug": "rosa-page", "revision": "r1",
        "quote": "Rosa", "note": "n", "csrf": csrf});
    let other = post(&server, "/sign/prepare", &session, &op);
    assert_eq!(other.status, 409, "{}", other.body);
    assert!(
        other
            .body
            .contains("there is no article rosa-page for you here"),
        "{}",
        other.body
    );
    op["slug"] = "../her2-treatment".into();
    assert_ne!(post(&server, "/sign/prepare", &session, &op).status, 200);
    assert_eq!(remote_head(&team), before);
    assert_eq!(remote_state(&team, "colleague"), "in-review");
}

/// Issue 26, item 2 at the desk: a withdrawal of the live revision first says
/// what readers will see next and records nothing; only a second press, with
/// `go_ahead`, asks the passkey and records it.
#[test]
fn a_withdrawal_at_the_desk_says_the_page_leaves_the_site_before_the_passkey_is_asked() {
    let (team, server, ana) = ana_enrolled();
    let (session, csrf) = sign_in(&server, &ana);
    let approved = sign_op(&server, &ana, (&session, &csrf), approve(&r1(&team)));
    assert_eq!(approved.status, 200, "{}", approved.body);
    let before = remote_head(&team);
    let withdraw = serde_json::json!({"op": "withdraw", "slug": SLUG, "revision": r1(&team), "note": "Outdated."});
    let told = sign_op(&server, &ana, (&session, &csrf), withdraw.clone());
    assert_eq!(told.status, 409, "{}", told.body);
    assert!(
        told.body
            .contains("after this withdrawal the site shows no page of her2-treatment"),
        "{}",
        told.body
    );
    assert_eq!(told.json()["live"], true, "{}", told.body);
    assert_eq!(remote_head(&team), before);
    assert_eq!(desk_head(&team), before);
    let mut again = withdraw;
    again["go_ahead"] = "yes".into();
    let done = sign_op(&server, &ana, (&session, &csrf), again);
    assert_eq!(done.status, 200, "{}", done.body);
    let clone = team.fresh_clone("colleague");
    let status = team.env.ok_in(&clone, &["status", SLUG, "--json"]);
    assert!(status.stdout.contains("\"withdrawn\""), "{}", status.stdout);
}
