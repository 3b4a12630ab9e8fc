//! Attacks on the desk and on what it records: a host forging an approval without
//! the doctor's passkey, another doctor's session, replayed and misdirected
//! assertions, CSRF, session fixation, XSS, and roles reading what they may not.

use crate::common::SLUG;
use crate::common::desk::{DeskTeam, SoftPasskey, http, sign_in, sign_op};

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
