//! The memo (`.git/medreview/`): what `status`, `check` and `publish` derived is kept
//! by content id, and must never change what they report. After each change a
//! user or an attacker can make to the working tree, the commands with the memo
//! and without it (`MEDREVIEW_NO_MEMO=1`) must say exactly the same.

use std::fs;

use crate::common::{ARTICLE, SIGNOFFS, SLUG, TestEnv};

/// `status --json`, `status`, `status SLUG` and `check --json` with the memo
/// (run twice, so the second run reads what the first kept) equal the same
/// without it.
fn same_with_and_without_memo(env: &TestEnv, what: &str) {
    for args in [
        &["status", "--json"][..],
        &["status"][..],
        &["status", SLUG][..],
        &["status", "--due"][..],
        &["check", "--json"][..],
    ] {
        let off = env.run_with(&[("MEDREVIEW_NO_MEMO", "1")], args);
        for _ in 0..2 {
            let on = env.run(args);
            let strip = |s: &str| {
                // check's checkpoint fields move with the walk, not with the memo.
                s.lines()
                    .filter(|l| {
                        ![
                            "\"checkpoint",
                            "\"commits\"",
                            "\"entries_verified\"",
                            "Checked ",
                        ]
                        .iter()
                        .any(|walk| l.contains(walk))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(
                (on.code, strip(&on.stdout), on.stderr.clone()),
                (off.code, strip(&off.stdout), off.stderr.clone()),
                "{what}: `{}` with the memo differs from without it",
                args.join(" ")
            );
        }
    }
}

/// The first sign-off file of the article.
fn first_entry(env: &TestEnv) -> std::path::PathBuf {
    let mut names: Vec<_> = fs::read_dir(env.root().join(SIGNOFFS))
        .expect("signoffs")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    names.remove(0)
}

#[test]
fn every_change_to_the_inputs_is_seen_through_the_memo() {
    let mut env = TestEnv::approved();
    same_with_and_without_memo(&env, "approved");
    assert!(
        env.root().join(".git/medreview/status-2.json").exists(),
        "the memo was written"
    );

    // The clock: the re-review comes due with the memo holding "approved".
    env.set_now("2027-03-05T09:00:00-05:00");
    same_with_and_without_memo(&env, "a year later");
    let status = env.ok(&["status", "--json"]);
    assert!(status.stdout.contains("re-review-due"), "{}", status.stdout);
    env.set_now("2025-03-05T09:00:00-05:00");

    // The article text edited (the same size).
    let text = env.read(ARTICLE);
    env.write(ARTICLE, &text.replacen("Treatment", "Treatmenx", 1));
    same_with_and_without_memo(&env, "article edited");
    env.write(ARTICLE, &text);
    same_with_and_without_memo(&env, "article restored");

    // A sign-off edited in place: same size, same modification time.
    let entry = first_entry(&env);
    let original = fs::read(&entry).expect("entry");
    let mtime = fs::metadata(&entry)
        .and_then(|m| m.modified())
        .expect("mtime");
    let mut edited = original.clone();
    let at = edited
        .iter()
        .position(|b| *b == b'2')
        .expect("a digit to change");
    edited[at] = b'3';
    fs::write(&entry, &edited).expect("edit");
    fs::File::options()
        .write(true)
        .open(&entry)
        .and_then(|f| f.set_modified(mtime))
        .expect("keep the mtime");
    same_with_and_without_memo(&env, "entry edited in place");
    assert_eq!(
        env.run(&["status", SLUG]).code,
        1,
        "a damaged record is refused"
    );
    fs::write(&entry, &original).expect("restore");
    same_with_and_without_memo(&env, "entry restored");

    // A hand-made file next to the sign-offs, and a dotfile.
    env.write(&format!("{SIGNOFFS}/notes.txt"), "by hand");
    same_with_and_without_memo(&env, "a stray file");
    fs::remove_file(env.root().join(SIGNOFFS).join("notes.txt")).expect("remove");
    env.write(&format!("{SIGNOFFS}/.swp"), "editor");
    same_with_and_without_memo(&env, "a dotfile");
    fs::remove_file(env.root().join(SIGNOFFS).join(".swp")).expect("remove");

    // The people and the policy.
    let config = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &config.replace("required_approvals: 1", "required_approvals: 2"),
    );
    same_with_and_without_memo(&env, "policy changed");
    env.write("medreview.yaml", &config);
    let reviewer = env.read("reviewers/ana-example.yaml");
    fs::remove_file(env.root().join("reviewers/ana-example.yaml")).expect("remove");
    same_with_and_without_memo(&env, "reviewer file removed");
    env.write(
        "reviewers/ana-example.yaml",
        &reviewer.replace("Ana Example", "Ana Exemple"),
    );
    same_with_and_without_memo(&env, "reviewer file edited");
    env.write("reviewers/ana-example.yaml", &reviewer);

    // The sign-off folder replaced by a link to a copy.
    let copy = env.outside("copy");
    fs::create_dir_all(&copy).expect("mkdir");
    for e in fs::read_dir(env.root().join(SIGNOFFS)).expect("read") {
        let e = e.expect("entry");
        fs::copy(e.path(), copy.join(e.file_name())).expect("copy");
    }
    let signoffs = env.root().join(SIGNOFFS);
    fs::rename(&signoffs, env.outside("moved")).expect("move");
    std::os::unix::fs::symlink(&copy, &signoffs).expect("link");
    same_with_and_without_memo(&env, "signoffs is a link");
    fs::remove_file(&signoffs).expect("unlink");
    fs::rename(env.outside("moved"), &signoffs).expect("move back");
    same_with_and_without_memo(&env, "all restored");

    // A memo that is not ours is ignored, never trusted.
    fs::write(
        env.root().join(".git/medreview/summaries.json"),
        "{not json",
    )
    .expect("write");
    fs::write(env.root().join(".git/medreview/memo.json"), "garbage").expect("write");
    same_with_and_without_memo(&env, "memo damaged");
}

#[test]
fn a_forged_memo_entry_needs_the_content_it_names() {
    // The memo maps content ids to results; a result kept for other content is
    // never used, because the key is derived from the bytes on disk.
    let env = TestEnv::approved();
    env.ok(&["status"]);
    let file = env.root().join(".git/medreview/status-2.json");
    let text = fs::read_to_string(&file).expect("memo");
    // Say "approved" for every key, then make the article a draft.
    fs::write(&file, text.replace("in-review", "approved")).expect("write");
    let entry = first_entry(&env);
    let approval = fs::read_dir(env.root().join(SIGNOFFS))
        .expect("read")
        .map(|e| e.expect("entry").path())
        .find(|p| p.to_string_lossy().contains("-approved-"))
        .expect("the approval");
    fs::remove_file(&approval).expect("remove the approval");
    let status = env.ok(&["status", "--json"]);
    assert!(
        status.stdout.contains("\"in-review\""),
        "with its approval gone the article is in review: {}",
        status.stdout
    );
    assert!(entry.exists());
}

/// Guards the publish memo (issue 23): a hand-edited `publish-3.json` that says an
/// article in review is publishable (the value an earlier approval left) does not
/// publish it: a kept "publishable" is judged again from the record.
#[test]
fn a_forged_publish_memo_does_not_publish() {
    let mut env = TestEnv::approved();
    let memo = env.root().join(".git/medreview/publish-3.json");
    let read = |memo: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&fs::read(memo).expect("the publish memo")).expect("json")
    };
    let first = env.outside("first");
    env.ok(&["publish", "--out", first.to_str().expect("utf-8")]);
    assert!(first.join(format!("{SLUG}.html")).exists());
    let approved = read(&memo)["results"]
        .as_object()
        .expect("results")
        .values()
        .next()
        .expect("the approved article's result")
        .clone();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "New guidance.",
    ]);
    let second = env.outside("second");
    env.ok(&["publish", "--out", second.to_str().expect("utf-8")]);
    assert!(!second.join(format!("{SLUG}.html")).exists());
    let mut forged = read(&memo);
    for value in forged["results"]
        .as_object_mut()
        .expect("results")
        .values_mut()
    {
        *value = approved.clone();
    }
    fs::write(&memo, serde_json::to_vec(&forged).expect("json")).expect("write");
    let third = env.outside("third");
    env.ok(&["publish", "--out", third.to_str().expect("utf-8")]);
    assert!(
        !third.join(format!("{SLUG}.html")).exists(),
        "a forged memo published a withdrawn article"
    );
}
