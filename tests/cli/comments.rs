//! Issue 24, items 1–3: the review conversation lives in the record. Comments
//! anchored to words, carried across revisions (anchored, moved, outdated),
//! replies and resolutions from clones merged concurrently, a suggestion applied
//! by the writer and approved by the doctor, the approval gate, and hostile input.

use std::path::Path;

use medreview_core::comments::anchor;
use medreview_core::comments::entry::{CommentAction, CommentEntry};
use medreview_core::ids::Id;
use medreview_store::revision::RevId;

use crate::common::team::{ANA, DAVID, SUZANNE, T1000, T1030, T1100, Team};
use crate::common::{ARTICLE, NEXT_DAY, SLUG, TestEnv, json};

/// `comments SLUG --json`.
fn conversation(env: &TestEnv) -> serde_json::Value {
    json(&env.ok(&["comments", SLUG, "--json"]).stdout)
}

/// The thread of `doc` whose quote is `exact`.
fn thread<'a>(doc: &'a serde_json::Value, exact: &str) -> &'a serde_json::Value {
    doc["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .find(|t| t["quote"]["exact"] == exact)
        .unwrap_or_else(|| panic!("no thread on {exact:?} in {doc:#}"))
}

/// The thread's short id a comment command printed ("…, thread 3f9c2a1b4d5e (commit …").
fn short_id(stderr: &str) -> String {
    stderr
        .split(", thread ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no thread id in {stderr}"))
        .to_owned()
}

/// Writes the article with `from` replaced by `to` and submits it as the writer.
fn resubmit(env: &TestEnv, from: &str, to: &str, note: &str) {
    let text = env.read(ARTICLE);
    assert!(text.contains(from), "{from:?} is not in the article");
    env.write(ARTICLE, &text.replacen(from, to, 1));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", note]);
}

/// `comment SLUG --as BY --quote QUOTE -m NOTE`, which must succeed.
fn comment(env: &TestEnv, by: &str, quote: &str, note: &str) -> crate::common::Run {
    env.ok(&["comment", SLUG, "--as", by, "--quote", quote, "-m", note])
}

fn submitted() -> TestEnv {
    let env = TestEnv::seeded();
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "First draft.",
    ]);
    env
}

#[test]
fn threads_follow_the_words_across_three_revisions() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    for (quote, note) in [
        (
            "makes too much of a protein called HER2",
            "Say what HER2 does first.",
        ),
        ("attach to the HER2 protein", "Name the receptor."),
        ("to shrink the tumour", "Tumour or cancer? Be consistent."),
    ] {
        comment(&env, "ana-example", quote, note);
    }
    let doc = conversation(&env);
    assert_eq!(doc["open"], 3, "{doc:#}");
    for exact in ["attach to the HER2 protein", "to shrink the tumour"] {
        assert_eq!(thread(&doc, exact)["place"], "anchored", "{doc:#}");
    }
    // r2: a paragraph lands between the first and second quotes.
    resubmit(
        &env,
        "## 1. Targeted therapy",
        "Your care team will explain each step.\n\n## 1. Targeted therapy",
        "A line of reassurance.",
    );
    // r3: the third quote's words change.
    resubmit(
        &env,
        "to shrink the tumour",
        "to shrink the cancer",
        "Consistent wording.",
    );
    let doc = conversation(&env);
    assert_eq!(doc["revision"], "r3");
    let first = thread(&doc, "makes too much of a protein called HER2");
    assert_eq!(first["place"], "anchored", "{doc:#}");
    assert_eq!(first["revision"], "r1");
    let second = thread(&doc, "attach to the HER2 protein");
    assert_eq!(second["place"], "moved", "{doc:#}");
    let third = thread(&doc, "to shrink the tumour");
    assert_eq!(third["place"], "outdated", "{doc:#}");
    assert_eq!(third["now"], "to shrink the cancer", "{doc:#}");
    // The text listing says the same, old and new words side by side.
    let text = env.ok(&["comments", SLUG]).stdout;
    assert!(text.contains("outdated in r3"), "{text}");
    assert!(text.contains("now: \"to shrink the cancer\""), "{text}");
    assert!(text.contains("moved, line"), "{text}");
    // A comment can still be made on an older revision's words.
    let run = env.ok(&[
        "comment",
        SLUG,
        "--as",
        "david-okafor",
        "--revision",
        "r1",
        "--quote",
        "to shrink the tumour",
        "-m",
        "Agree with Ana.",
    ]);
    assert!(run.stderr.contains("Commented on"), "{}", run.stderr);
    env.ok(&["check"]);
}

#[test]
fn a_suggestion_applied_by_the_writer_is_approved_by_the_doctor_once_resolved() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    let run = env.ok(&[
        "comment",
        SLUG,
        "--as",
        "ana-example",
        "--quote",
        "stop it from signalling",
        "-m",
        "Plainer words.",
        "--suggest",
        "block its signals",
    ]);
    let id = short_id(&run.stderr);
    // The gate: her own open thread keeps her from approving.
    let head = env.head();
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "--revision", "r1"]);
    assert!(err.contains("open-threads"), "{err}");
    assert!(err.contains(&id), "{err}");
    assert!(
        err.contains(&format!("medreview resolve {SLUG} {id}")),
        "{err}"
    );
    assert_eq!(env.head(), head, "a refused approval committed");
    // The writer applies it in the working tree, and submits.
    let applied = env.ok(&["apply", SLUG, &id]);
    assert!(
        applied.stderr.contains("block its signals"),
        "{}",
        applied.stderr
    );
    assert!(env.read(ARTICLE).contains("and block its signals."));
    assert_eq!(env.head(), head, "apply commits nothing");
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "Applied Ana's wording.",
    ]);
    let doc = conversation(&env);
    let t = thread(&doc, "stop it from signalling");
    assert_eq!(t["place"], "outdated");
    assert_eq!(t["now"], "block its signals");
    assert_eq!(t["suggest"], "block its signals");
    // Applying again finds the words gone and says the suggestion is in.
    let err = env.refuse(&["apply", SLUG, &id]);
    assert!(err.contains("suggestion is in"), "{err}");
    // Only the thread's author resolves it.
    let err = env.refuse(&["resolve", SLUG, &id, "--as", "suzanne-example"]);
    assert!(err.contains("only its author resolves it"), "{err}");
    let resolved = env.ok(&["resolve", SLUG, &id, "--as", "ana-example", "-m", "Thanks."]);
    assert_eq!(
        short_id(&resolved.stderr),
        id,
        "resolve names the thread it settled"
    );
    env.ok(&["approve", SLUG, "--as", "ana-example", "--revision", "r2"]);
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "approved");
    assert_eq!(status["articles"][0]["threads"]["open"], 0);
    assert_eq!(status["articles"][0]["threads"]["resolved"], 1);
    // Reopened, it blocks her next approval again (a new revision to approve).
    env.ok(&[
        "reopen",
        SLUG,
        &id,
        "--as",
        "suzanne-example",
        "-m",
        "One more look?",
    ]);
    resubmit(
        &env,
        "Treatment has improved",
        "Treatment has greatly improved",
        "Stronger.",
    );
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "--revision", "r3"]);
    assert!(err.contains("open-threads"), "{err}");
    env.ok(&["check"]);
}

#[test]
fn the_gate_can_be_turned_off_and_request_changes_records_threads_in_its_commit() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    let run = env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Two things.",
        "--quote",
        "Treatment has improved a great deal",
        "--say",
        "Cite a source.",
        "--quote",
        "to shrink the tumour",
        "--say",
        "Say why.",
    ]);
    assert!(run.stderr.contains("Sent back"), "{}", run.stderr);
    let files = env.changed_files(&env.head());
    assert_eq!(
        files.len(),
        3,
        "one commit: the decision and both threads: {files:?}"
    );
    assert_eq!(files.iter().filter(|f| f.contains("/comments/")).count(), 2);
    let doc = conversation(&env);
    assert_eq!(thread(&doc, "to shrink the tumour")["note"], "Say why.");
    // The writer's inbox lists the threads waiting on her.
    let inbox = json(
        &env.ok(&["inbox", "--as", "suzanne-example", "--json"])
            .stdout,
    );
    let items = inbox["items"].as_array().expect("items");
    assert!(
        items.iter().any(|i| i["kind"] == "threads"
            && i["what"]
                .as_str()
                .unwrap_or("")
                .contains("2 comment threads")),
        "{inbox:#}"
    );
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(
        status["articles"][0]["threads"]["awaiting_writer"], 2,
        "{status:#}"
    );
    // She answers one; the doctor's inbox says so.
    let id = thread(&doc, "to shrink the tumour")["short"]
        .as_str()
        .expect("id")
        .to_owned();
    env.ok(&[
        "comment",
        SLUG,
        "--as",
        "suzanne-example",
        "--reply",
        &id,
        "-m",
        "Added why in r2.",
    ]);
    let inbox = json(&env.ok(&["inbox", "--as", "ana-example", "--json"]).stdout);
    assert!(
        inbox["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["kind"] == "threads"
                && i["what"]
                    .as_str()
                    .unwrap_or("")
                    .contains("1 of your 2 open threads")),
        "{inbox:#}"
    );
    // With the gate off, her open threads do not hold her approval.
    resubmit(
        &env,
        "to shrink the tumour",
        "to shrink the tumour before surgery",
        "Why added.",
    );
    env.ok(&["config", "set", "review.block_on_unresolved", "false"]);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--revision", "r2"]);
}

#[test]
fn quotes_are_found_exactly_once_or_refused_with_the_candidates() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    let head = env.head();
    // Words that stand twice: refused with both places and a --prefix hint.
    let err = env.refuse(&[
        "comment",
        SLUG,
        "--as",
        "ana-example",
        "--quote",
        "HER2",
        "-m",
        "?",
    ]);
    assert!(err.contains("quote-ambiguous"), "{err}");
    assert!(err.contains("--prefix"), "{err}");
    // Not there at all: refused with the closest lines.
    let err = env.refuse(&[
        "comment",
        SLUG,
        "--as",
        "ana-example",
        "--quote",
        "Drugs such as pertuzumab attach",
        "-m",
        "?",
    ]);
    assert!(err.contains("quote-not-found"), "{err}");
    assert!(err.contains("Drugs such as trastuzumab attach"), "{err}");
    // Markup in the source is matched by what the page shows.
    env.write(
        ARTICLE,
        &env.read(ARTICLE)
            .replace("stop it from signalling", "stop it from **signalling**"),
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Bold."]);
    comment(&env, "ana-example", "stop it from signalling", "No bold.");
    let doc = conversation(&env);
    assert_eq!(
        thread(&doc, "stop it from **signalling")["place"],
        "anchored",
        "{doc:#}"
    );
    // Bidi controls and terminal escapes in a note or quote are refused, and nothing is recorded.
    let head2 = env.head();
    for bad in ["Fine\u{202E}txt.exe", "\u{1b}[2J cleared", "ok\u{2066}"] {
        let err = env
            .fails_as_usage(&[
                "comment",
                SLUG,
                "--as",
                "ana-example",
                "--quote",
                "Drugs such as",
                "-m",
                bad,
            ])
            .stderr;
        assert!(err.contains("invisible character"), "{err}");
    }
    assert_eq!(env.head(), head2);
    assert_ne!(head, head2);
    // HTML and Markdown in a note are kept as text, byte for byte.
    let note = "<script>alert(1)</script> **not bold** [x](javascript:alert(1))";
    comment(&env, "ana-example", "Drugs such as", note);
    let doc = conversation(&env);
    assert_eq!(thread(&doc, "Drugs such as")["note"], note);
    env.ok(&["check"]);
}

/// A comment entry of `by` on revision `rev`, as medreview writes one.
fn entry(by: &str, rev: &str, at: &str, action: CommentAction) -> CommentEntry {
    CommentEntry {
        action,
        by: Id::parse("id", by).expect("id"),
        at: chrono::DateTime::parse_from_rfc3339(at).expect("time"),
        revision: RevId::parse(rev).expect("rev"),
        after: Vec::new(),
        roster: Vec::new(),
        thread: None,
        quote: None,
        note: Some("Note.".into()),
        suggest: None,
        recorded_by: None,
        clock: None,
        signature: None,
    }
}

#[test]
fn a_forged_resolution_settles_nothing_and_a_hand_made_file_is_reported() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    let run = comment(&env, "ana-example", "Drugs such as", "Which?");
    let id = short_id(&run.stderr);
    let doc = conversation(&env);
    let full = thread(&doc, "Drugs such as")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let rev = env
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned();
    // The writer hand-writes "ana-example resolved it".
    let mut forged = entry(
        "ana-example",
        &rev,
        "2025-03-04T09:30:00-05:00",
        CommentAction::Resolved,
    );
    forged.thread = Some(medreview_core::ledger::entry::EntryId::parse(&full).expect("id"));
    forged.after = vec![forged.thread.clone().expect("thread")];
    forged.note = None;
    let (fid, bytes) = forged.to_file();
    let dir = format!("articles/{SLUG}/comments");
    env.write_bytes(&format!("{dir}/{}", fid.file_name()), &bytes);
    env.git(&["add", "-A"]);
    env.git(&[
        "-c",
        "user.email=suzanne@example.org",
        "commit",
        "-qm",
        "resolve",
    ]);
    // Unaudited roster: the file reads as ana's; but her thread then counts as settled
    // only because nothing says otherwise. Under signatures it would not count:
    let doc = conversation(&env);
    assert_eq!(doc["resolved"], 1, "{doc:#}");
    // A resolution by someone other than the thread's author never counts.
    let mut other = forged.clone();
    other.by = Id::parse("id", "suzanne-example").expect("id");
    let (oid, bytes) = other.to_file();
    env.ok(&["reopen", SLUG, &id, "--as", "david-okafor"]);
    env.write_bytes(&format!("{dir}/{}", oid.file_name()), &bytes);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-qm", "suzanne resolves ana's thread"]);
    let doc = conversation(&env);
    assert_eq!(doc["open"], 1, "{doc:#}");
    let refused = doc["refused"].as_array().expect("refused");
    assert!(
        refused.iter().any(|r| r["why"]
            .as_str()
            .unwrap_or("")
            .contains("only its author settles")),
        "{doc:#}"
    );
    let codes = json(&env.run(&["check", "--json"]).stdout);
    assert!(codes.to_string().contains("comment-refused"), "{codes:#}");
    // A hand-made file with a bidi control is damage, listed, and never counted.
    let mut bidi = entry(
        "ana-example",
        &rev,
        "2025-03-04T09:40:00-05:00",
        CommentAction::Comment,
    );
    bidi.quote = Some(anchor::at(&env.read(ARTICLE), 0, 3));
    bidi.note = Some("ok\u{202E}".into());
    let (bid, bytes) = bidi.to_file();
    env.write_bytes(&format!("{dir}/{}", bid.file_name()), &bytes);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-qm", "bidi"]);
    let run = env.ok(&["comments", SLUG]);
    assert!(run.stderr.contains("does not count"), "{}", run.stderr);
    let codes = json(&env.run(&["check", "--json"]).stdout);
    assert!(codes.to_string().contains("comment-damaged"), "{codes:#}");
    // Offsets a hand-made entry invents are never trusted: the words are found by content.
    let mut far = entry(
        "ana-example",
        &rev,
        "2025-03-04T09:50:00-05:00",
        CommentAction::Comment,
    );
    far.quote = Some(anchor::Anchor {
        exact: "Drugs".into(),
        prefix: String::new(),
        suffix: String::new(),
        start: 5_000_000,
        end: 5_000_005,
    });
    let (far_id, bytes) = far.to_file();
    env.write_bytes(&format!("{dir}/{}", far_id.file_name()), &bytes);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-qm", "far"]);
    let doc = conversation(&env);
    let far = thread(&doc, "Drugs");
    assert_eq!(far["place"], "anchored", "{doc:#}");
    assert_eq!(far["line"], 16, "{doc:#}");
    // Editing a recorded comment is an append-only violation in history.
    let name = std::fs::read_dir(env.root().join(&dir))
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.contains("-comment-ana-example-") && n.contains(&id))
        .expect("the thread's file");
    env.append(&format!("{dir}/{name}"), "# edited\n");
    env.git(&["commit", "-qam", "edit a comment"]);
    let codes = json(&env.run(&["check", "--json"]).stdout);
    assert!(codes.to_string().contains("entry-edited"), "{codes:#}");
}

#[test]
fn ten_thousand_comments_on_one_article_stay_fast_and_bounded() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    let rev = env
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned();
    let text = env.read(ARTICLE);
    let at = text.find("Drugs such as").expect("words");
    let dir = env.root().join(format!("articles/{SLUG}/comments"));
    std::fs::create_dir_all(&dir).expect("dir");
    let n = medreview_core::ledger::MAX_ENTRIES - 1;
    for i in 0..n {
        let mut e = entry("ana-example", &rev, NEXT_DAY, CommentAction::Comment);
        e.quote = Some(anchor::at(&text, at, at + 13));
        e.note = Some(format!("Comment {i}."));
        let (id, bytes) = e.to_file();
        std::fs::write(dir.join(id.file_name()), bytes).expect("write");
    }
    env.git(&["add", "-A"]);
    env.git(&[
        "-c",
        "user.email=ana@example.org",
        "commit",
        "-qm",
        "many comments",
    ]);
    let started = std::time::Instant::now();
    let doc = conversation(&env);
    assert_eq!(doc["open"], n);
    // One more fills the record; the next is refused with the reason, nothing recorded.
    comment(&env, "david-okafor", "Drugs such as", "Last one.");
    let head = env.head();
    let err = env.refuse(&[
        "comment",
        SLUG,
        "--as",
        "david-okafor",
        "--quote",
        "Drugs such as",
        "-m",
        "One too many.",
    ]);
    assert!(
        err.contains("the most one article's record may hold"),
        "{err}"
    );
    assert_eq!(env.head(), head);
    env.ok(&["status", SLUG]);
    for args in [
        vec!["preview", SLUG, "--out", "../page.html"],
        vec!["diff", SLUG],
        vec!["diff", SLUG, "--format", "html", "--out", "../diff.html"],
    ] {
        let one = std::time::Instant::now();
        env.ok(&args);
        eprintln!("{args:?}: {:?}", one.elapsed());
    }
    let check = env.run(&["check", "--json"]);
    // Entries made by hand here are dated apart from their commit (`entry-time`);
    // nothing else is wrong, and every file reads back.
    let problems: Vec<serde_json::Value> = json(&check.stdout)["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["code"] != "entry-time")
        .cloned()
        .collect();
    assert_eq!(
        serde_json::Value::Array(problems),
        serde_json::json!([]),
        "{}",
        &check.stdout[..check.stdout.len().min(3000)]
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
    let _ = Path::new("");
}

#[test]
fn replies_and_resolutions_from_two_clones_merge_and_agree() {
    let team = Team::new();
    let mut ana = team.clone_for(ANA);
    let mut suzanne = team.clone_for(SUZANNE);
    let mut david = team.clone_for(DAVID);
    ana.set_now(T1000);
    let run = ana.ok(&[
        "comment",
        SLUG,
        "--quote",
        "Drugs such as",
        "-m",
        "Which drugs?",
    ]);
    let id = short_id(&run.stderr);
    ana.push();
    suzanne.pull_merge();
    david.pull_merge();
    // At once: the writer replies, the doctor resolves, another reviewer reopens.
    suzanne.set_now(T1030);
    suzanne.ok(&[
        "comment",
        SLUG,
        "--reply",
        &id,
        "-m",
        "Trastuzumab and pertuzumab.",
    ]);
    ana.set_now(T1030);
    ana.ok(&["resolve", SLUG, &id]);
    suzanne.push();
    ana.sync(false);
    // A reply the resolution did not see leaves it resolved.
    let doc = json(&ana.ok(&["comments", SLUG, "--json"]).stdout);
    assert_eq!(doc["resolved"], 1, "{doc:#}");
    assert_eq!(
        doc["threads"][0]["replies"].as_array().map(Vec::len),
        Some(1)
    );
    // Reopened by another reviewer, it is open in every clone.
    david.pull_merge();
    david.set_now(T1030);
    david.ok(&["reopen", SLUG, &id, "-m", "Not yet."]);
    david.sync(true);
    for member in [&ana, &suzanne, &david] {
        member.pull_rebase();
        let doc = json(&member.ok(&["comments", SLUG, "--json"]).stdout);
        assert_eq!(doc["open"], 1, "{doc:#}");
        member.check_clean();
    }
    // Resolving after seeing the reopening settles it for everyone.
    ana.set_now(T1100);
    ana.ok(&["resolve", SLUG, &id]);
    ana.sync(true);
    suzanne.pull_merge();
    let doc = json(&suzanne.ok(&["comments", SLUG, "--json"]).stdout);
    assert_eq!(doc["open"], 0, "{doc:#}");
}

#[test]
fn comments_are_signed_and_a_copy_with_other_words_does_not_verify() {
    if crate::common::ssh_keygen().is_none() {
        return;
    }
    let mut env = submitted();
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--public-key",
        &crate::common::public_key("ana_ed25519"),
    ]);
    env.ok(&["config", "set", "review.require_signatures", "true"]);
    env.set_now(NEXT_DAY);
    let key = env.outside("ana_ed25519");
    std::fs::copy(crate::common::fixture("ana_ed25519"), &key).expect("copy the key");
    let mut perms = std::fs::metadata(&key).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&key, perms).expect("chmod");
    let key = key.to_str().expect("utf-8").to_owned();
    // Unsigned where signatures are required: refused, with the step that works.
    let head = env.head();
    let err = env.refuse(&[
        "comment",
        SLUG,
        "--as",
        "ana-example",
        "--quote",
        "Drugs such as",
        "-m",
        "Which?",
    ]);
    assert!(err.contains("unsigned"), "{err}");
    assert!(err.contains("--key"), "{err}");
    assert_eq!(env.head(), head);
    let run = env.ok(&[
        "comment",
        SLUG,
        "--as",
        "ana-example",
        "--quote",
        "Drugs such as",
        "-m",
        "Which?",
        "--key",
        &key,
    ]);
    let id = short_id(&run.stderr);
    let dir = env.root().join(format!("articles/{SLUG}/comments"));
    let name = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.contains(&id))
        .expect("the signed file");
    let bytes = std::fs::read(dir.join(&name)).expect("read");
    assert!(String::from_utf8_lossy(&bytes).contains("BEGIN SSH SIGNATURE"));
    // (The submission before the policy changed is unsigned; the comment is not.)
    let check = env.run(&["check", "--json"]);
    assert!(!check.stdout.contains("comment-"), "{}", check.stdout);
    // A copy saying other words under her signature is a new file that does not verify.
    let (_, mut copy) =
        medreview_core::ledger::entry::read_named::<CommentEntry>(&name, &bytes, Path::new(&name))
            .expect("reads");
    copy.note = Some("Approve as is.".into());
    let (copy_id, copy_bytes) = copy.to_file();
    std::fs::write(dir.join(copy_id.file_name()), copy_bytes).expect("write");
    env.git(&["add", "-A"]);
    env.git(&[
        "-c",
        "user.email=ana@example.org",
        "commit",
        "-qm",
        "a copy",
    ]);
    let doc = conversation(&env);
    assert_eq!(doc["open"], 1, "{doc:#}");
    assert!(
        doc["refused"].to_string().contains("does not verify"),
        "{doc:#}"
    );
}
