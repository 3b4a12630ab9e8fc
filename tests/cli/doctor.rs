//! The doctor's day: the periodic re-review (`recertify`), the diff since my own
//! last decision, `approve` that never guesses the revision, and sign-offs that
//! say what the reviewer had read.

use crate::common::{NEXT_DAY, SLUG, TestEnv, json};

/// A year and a week after the approval at `NEXT_DAY`: the re-review is due.
const A_YEAR_ON: &str = "2026-03-11T09:30:00-05:00";

#[test]
fn recertify_renews_the_review_date_without_a_new_revision() {
    let mut env = TestEnv::approved();
    env.set_now(A_YEAR_ON);
    let due = env.ok(&["status", "--due"]);
    assert!(due.stdout.contains(SLUG), "{}", due.stdout);
    // The old ways out are refused: there is nothing to approve or submit.
    let again = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert!(again.contains("medreview recertify"), "{again}");
    let before = env.commit_count();

    let run = env.ok(&[
        "recertify",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Checked against the 2026 guidelines; nothing changed.",
        "--json",
    ]);
    assert_eq!(env.commit_count(), before + 1);
    let out = json(&run.stdout);
    assert_eq!(out["action"], "recertified");
    assert_eq!(out["revision"], "r1");
    assert_eq!(out["state"], "approved");
    assert_eq!(out["synced"], false);
    assert!(
        run.stderr.contains("Re-reviewed her2-treatment r1")
            && run.stderr.contains("Next: share it"),
        "{}",
        run.stderr
    );
    let entry = env.signoff_path(SLUG, "recertified");
    let text = env.read(&entry);
    assert!(text.contains("action: recertified\n"), "{text}");
    let message = env.message("HEAD");
    assert!(
        message.starts_with("recertify her2-treatment r1\n"),
        "{message}"
    );

    // status --due clears, the page's review date moves, the byline stays true.
    let due = env.ok(&["status", "--due"]);
    assert!(!due.stdout.contains(SLUG), "{}", due.stdout);
    let status = json(&env.ok(&["status", "--json"]).stdout);
    let article = &status["articles"][0];
    assert_eq!(article["state"], "approved");
    assert_eq!(article["publishable"]["revision"]["number"], 1);
    assert_eq!(article["publishable"]["reviewed_at"], A_YEAR_ON);
    assert_eq!(article["publishable"]["recertified_by"][0], "ana-example");
    assert_eq!(article["publishable"]["approved_at"], NEXT_DAY);
    let detail = env.ok(&["status", SLUG]).stdout;
    assert!(
        detail.contains("approved by ana-example on 2025-03-04 09:00 -05:00\n  re-reviewed:  by ana-example on 2026-03-11 09:30 -05:00\n"),
        "{detail}"
    );
    let out = env.outside("public");
    env.ok(&["publish", "--out", out.to_str().expect("utf-8")]);
    let page = std::fs::read_to_string(out.join(format!("{SLUG}.html"))).expect("page");
    assert!(page.contains("\"lastReviewed\": \"2026-03-11\""), "{page}");
    assert!(
        page.contains("<time datetime=\"2026-03-11\">March 11, 2026</time>"),
        "{page}"
    );
    assert!(env.ok(&["check"]).stderr.contains("no problems"));
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(log.contains("recertified"), "{log}");
}

#[test]
fn recertify_is_refused_where_there_is_no_approval_to_renew() {
    let mut env = TestEnv::seeded();
    let draft = env.refuse(&["recertify", SLUG, "--as", "ana-example"]);
    insta::assert_snapshot!(draft, @r"
    Error: her2-treatment has no submitted revision yet
    Hint: the writer submits it first: `medreview submit her2-treatment --as WRITER`
    Code: no-submitted-revision
    ");
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    let in_review = env.refuse(&["recertify", SLUG, "--as", "ana-example"]);
    insta::assert_snapshot!(in_review, @r"
    Error: her2-treatment is in-review, so there is no approval to re-review
    Hint: `medreview status her2-treatment` says what it needs; a re-review renews an approved revision
    Code: no-approved-revision
    ");
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    env.append(crate::common::ARTICLE, "\nA new paragraph.\n");
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Second."]);
    let newer = env.refuse(&["recertify", SLUG, "--as", "ana-example"]);
    insta::assert_snapshot!(newer, @r"
    Error: her2-treatment has a newer revision in review (r2) than the approved r1; a re-review renews only the latest text
    Hint: review r2 instead: `medreview diff her2-treatment`, then approve or request changes
    Code: newer-revision-in-review
    ");
    let writer = env.refuse(&["recertify", SLUG, "--as", "suzanne-example"]);
    assert!(writer.contains("writers cannot recertify"), "{writer}");
}

#[test]
fn a_hand_written_recertification_without_an_approval_counts_for_nothing() {
    // Someone with push access commits a re-review of a withdrawn article: it must
    // not bring the page back, whatever its date.
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Outdated dosing.",
    ]);
    let mut entry = env.entries(SLUG).last().expect("withdrawal").1.clone();
    entry.action = medreview_core::record::entry::Action::Recertified;
    entry.by = medreview_core::ids::Id::parse("id", "ana-example").expect("id");
    entry.at = chrono::DateTime::parse_from_rfc3339("2025-03-06T09:00:00-05:00").expect("t");
    entry.after = vec![
        medreview_core::record::entry::EntryId::parse(&env.entries(SLUG).last().expect("w").0)
            .expect("id"),
    ];
    entry.note = None;
    env.write_entry(SLUG, &entry);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "recertify her2-treatment r1"]);
    env.set_now("2025-03-07T09:00:00-05:00");
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "withdrawn");
    assert!(status["articles"][0]["publishable"].is_null());
    // Hand-made and committed by someone else, history refuses it too
    // (`committer-mismatch`); either reason keeps it from counting.
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains("nothing to re-review") || log.contains("history refuses it"),
        "{log}"
    );
}

#[test]
fn diff_defaults_to_what_this_reviewer_last_decided_on_with_their_note() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Cite the trial for pertuzumab.",
    ]);
    env.append(
        crate::common::ARTICLE,
        "\nThe APHINITY trial tested pertuzumab.\n",
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Cited it."]);
    env.git(&["config", "user.email", "ana@example.org"]);
    let run = env.ok(&["diff", SLUG]);
    insta::assert_snapshot!(run.stderr, @r"
    Since your request for changes on r1 (2025-03-04 09:00 -05:00)
    Your note then: Cite the trial for pertuzumab.
    ");
    assert!(
        run.stdout
            .contains("{+The APHINITY trial tested pertuzumab.+}"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("{+HER2-positive"),
        "not the whole article: {}",
        run.stdout
    );

    let out = json(&env.ok(&["diff", SLUG, "--json"]).stdout);
    assert_eq!(out["from"]["number"], "r1");
    assert_eq!(out["to"]["number"], "r2");
    assert_eq!(out["base_note"], "Cite the trial for pertuzumab.");
    assert_eq!(out["words_added"], 5);
    assert_eq!(out["words_removed"], 0);
    assert!(out["blocks"].as_array().is_some_and(|b| !b.is_empty()));

    // Someone who never decided on it sees the diff from the last approval: none.
    env.git(&["config", "user.email", "david@example.org"]);
    let run = env.ok(&["diff", SLUG]);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("{+HER2-positive"), "{}", run.stdout);
    let out = json(&env.ok(&["diff", SLUG, "--json"]).stdout);
    assert_eq!(out["base"], "nothing: no revision was approved yet");
    assert!(out["from"]["number"].is_null());
}

#[test]
fn approve_off_a_terminal_names_the_revision_or_is_refused() {
    let env = {
        let env = TestEnv::seeded();
        env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
        env
    };
    let before = env.commit_count();
    let run = env.run_exact(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    assert_eq!(run.code, 2, "a usage error");
    insta::assert_snapshot!(run.stderr, @r"
    Error: approve without --revision asks for confirmation, and there is no terminal to ask on (the latest revision of her2-treatment is r1)
    Hint: name the revision you read: `medreview approve her2-treatment --revision r1`
    Code: confirm-needs-terminal
    ");
    assert_eq!(env.commit_count(), before, "nothing recorded");
}

#[test]
fn a_sign_off_records_what_its_reviewer_diffed_and_the_signature_covers_it() {
    let mut env = r2_in_review();
    env.ok(&["diff", SLUG]);
    let key = crate::common::fixture("ana_ed25519");
    let pubkey = crate::common::public_key("ana_ed25519");
    env.ok(&["reviewer", "edit", "ana-example", "--public-key", &pubkey]);
    let run = env.ok(&[
        "approve",
        SLUG,
        "--revision",
        "r2",
        "--key",
        key.to_str().expect("utf-8"),
        "-m",
        "Good.",
        "--json",
    ]);
    assert_eq!(json(&run.stdout)["action"], "approved");
    let approval = |env: &TestEnv| {
        env.entries(SLUG)
            .into_iter()
            .rev()
            .find(|(_, e)| e.action == medreview_core::record::entry::Action::Approved)
            .expect("an approval")
            .1
    };
    let entry = approval(&env);
    let viewed = entry.viewed.expect("the diff is recorded");
    assert_eq!(viewed.how, medreview_core::record::entry::ViewKind::Diff);
    let revisions: Vec<_> = env
        .entries(SLUG)
        .into_iter()
        .filter(|(_, e)| e.action == medreview_core::record::entry::Action::Submitted)
        .map(|(_, e)| e.revision)
        .collect();
    assert_eq!(viewed.revision, revisions[1]);
    assert_eq!(viewed.from.as_ref(), Some(&revisions[0]));
    assert!(entry.signature.is_some());
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "approved");
    assert!(env.ok(&["check"]).stderr.contains("no problems"));

    // Someone else's view in this clone is not theirs to claim.
    env.git(&["config", "user.email", "david@example.org"]);
    env.set_now("2025-03-07T09:00:00-05:00");
    env.append(crate::common::ARTICLE, "\nOne more line.\n");
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "More."]);
    env.set_now("2025-03-08T09:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "david-okafor", "-m", "Fine."]);
    let entry = approval(&env);
    assert_eq!(entry.by.as_str(), "david-okafor");
    assert_eq!(entry.viewed, None);
}

/// A workspace where r1 was sent back and r2 answers it, and ana-example is who git
/// says the user is.
fn r2_in_review() -> TestEnv {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Cite the trial.",
    ]);
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(
        crate::common::ARTICLE,
        "\nThe APHINITY trial tested pertuzumab.\n",
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Cited."]);
    env.set_now("2025-03-06T09:00:00-05:00");
    env.git(&["config", "user.email", "ana@example.org"]);
    env
}

#[test]
fn approve_on_a_terminal_shows_the_revision_and_asks_first() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = r2_in_review();
    env.ok(&["diff", SLUG]);
    let before = env.commit_count();
    let term = crate::common::tty::Terminal::start(&tmux, &env, &["approve", SLUG, "-m", "Good."]);
    let screen = term.wait_for("[y/N]");
    insta::assert_snapshot!(screen, @r"
    About to approve her2-treatment r2 458f978
      written and submitted by Suzanne Example (suzanne-example) on 2025-03-05 09:00 -05:00
      since your request for changes on r1 (2025-03-04 09:00 -05:00): 5 words added, 0 removed.
      you last read it here with `medreview diff`
      editorial check: no findings
    Approve r2? [y/N]
    ");
    term.send(&["y", "Enter"]);
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Approved her2-treatment r2"), "{screen}");
    assert_eq!(env.commit_count(), before + 1);
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "approved");
}

#[test]
fn approve_on_a_terminal_records_nothing_unless_the_answer_is_yes() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = r2_in_review();
    let before = env.commit_count();
    let term = crate::common::tty::Terminal::start(&tmux, &env, &["approve", SLUG]);
    let screen = term.wait_for("[y/N]");
    assert!(
        screen.contains("Warning: you have not read r2 here"),
        "no diff or preview was run: {screen}"
    );
    term.send(&["Enter"]);
    let (code, screen) = term.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.ends_with("Not approved; nothing was recorded."),
        "{screen}"
    );
    assert_eq!(env.commit_count(), before);
    assert_eq!(env.porcelain(), "");
}

#[test]
fn a_preview_is_recorded_as_what_the_reviewer_read() {
    let env = r2_in_review();
    let page = env.outside("r2.html");
    env.ok(&[
        "preview",
        SLUG,
        "r2",
        "--out",
        page.to_str().expect("utf-8"),
    ]);
    env.ok(&["approve", SLUG, "--revision", "r2", "-m", "Read the page."]);
    let (_, entry) = env
        .entries(SLUG)
        .into_iter()
        .rev()
        .find(|(_, e)| e.action == medreview_core::record::entry::Action::Approved)
        .expect("the approval");
    let viewed = entry.viewed.expect("the preview is recorded");
    assert_eq!(viewed.how, medreview_core::record::entry::ViewKind::Preview);
    assert_eq!(viewed.from, None);
    assert_eq!(viewed.revision, entry.revision);
    let text = env.read(&env.signoff_path(SLUG, "approved"));
    assert!(text.contains("viewed:\n  how: preview\n"), "{text}");
}

/// Runs medreview on the system clock (no `MEDREVIEW_NOW`), as a CI job or the
/// server gate does.
fn on_the_system_clock(env: &TestEnv, args: &[&str]) -> crate::common::Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_medreview"))
        .env_clear()
        .envs(
            env.env_vars()
                .into_iter()
                .filter(|(k, _)| *k != "MEDREVIEW_NOW"),
        )
        .current_dir(env.root())
        .args(args)
        .output()
        .expect("run medreview");
    crate::common::Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// An entry dated ahead of the checking machine's clock is a warning naming it
/// (issue 22: a slow checking clock, or one person's fast one, must not stop
/// anyone's check or publish). The server's gate still refuses such an entry at
/// push time (`server-time`), to its author.
#[test]
fn a_re_review_dated_ahead_of_the_checking_clock_is_a_warning_for_check_and_publish() {
    let mut env = TestEnv::approved();
    env.set_now("2099-01-01T09:00:00-05:00");
    env.ok(&[
        "recertify",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Good for years.",
    ]);
    let check = on_the_system_clock(&env, &["check", "--json"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let doc = json(&check.stdout);
    let warning = doc["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .find(|p| p["code"] == "entry-in-the-future")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert!(
        warning["message"]
            .as_str()
            .is_some_and(|m| m.contains("if this machine's clock is behind, set it right")),
        "{warning:#}"
    );
    let out = env.outside("site");
    let publish = on_the_system_clock(&env, &["publish", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(publish.code, 0, "{}", publish.stderr);
}
