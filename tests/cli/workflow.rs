//! The sign-off commands (`submit`, `approve`, `request-changes`, `withdraw`): the
//! ledger entries they append and the shape of the one commit each makes.

use std::fs;

use crate::common::{ARTICLE, HER2_ARTICLE, NEXT_DAY, SLUG, START, TestEnv};

/// The trailer lines of a commit message, in order.
fn trailers(message: &str) -> Vec<&str> {
    message
        .lines()
        .filter(|l| l.starts_with("Medreview-"))
        .collect()
}

#[test]
fn submit_appends_a_ledger_entry_for_the_exact_bytes_and_commits_the_article() {
    let env = TestEnv::seeded();
    let before = env.head();
    let run = env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "First draft.",
    ]);

    let revision = env.hash_object(ARTICLE);
    assert_eq!(revision.len(), 40);
    let entry = env.signoff_path(SLUG, "submitted");
    assert_eq!(
        env.read(&entry),
        format!(
            "# A sign-off, written by medreview. Immutable: never edit, rename or remove this file.\n\
             action: submitted\n\
             by: suzanne-example\n\
             at: {START}\n\
             revision: {revision}\n\
             after: []\n\
             note: First draft.\n\
             clock: MEDREVIEW_NOW\n"
        )
    );
    // The name sorts by UTC time and ends in the file's own blob id.
    let name = entry.rsplit('/').next().expect("a name");
    assert!(
        name.starts_with("20250303T151200Z-submitted-suzanne-example-"),
        "{name}"
    );
    let digest = &name[name.len() - 17..name.len() - 5];
    assert!(env.hash_object(&entry).starts_with(digest), "{name}");
    // The revision is what git stores for article.md in the sign-off commit.
    assert_eq!(
        env.git(&["rev-parse", &format!("HEAD:{ARTICLE}")]).trim(),
        revision
    );
    assert_eq!(env.read(ARTICLE), HER2_ARTICLE);
    assert!(
        run.stderr
            .contains(&format!("Submitted her2-treatment r1 {}", &revision[..7])),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("her2-treatment is now in-review"),
        "{}",
        run.stderr
    );

    assert_eq!(env.git(&["rev-parse", "HEAD~"]).trim(), before);
    assert_eq!(
        env.changed_files("HEAD"),
        [ARTICLE.to_owned(), entry.clone()]
    );
    let message = env.message("HEAD");
    assert!(
        message.starts_with("submit her2-treatment r1\n\nFirst draft.\n\n"),
        "{message}"
    );
    assert_eq!(
        trailers(&message),
        [
            "Medreview-Action: submitted",
            "Medreview-Article: her2-treatment",
            &format!("Medreview-Revision: {revision}"),
            "Medreview-By: suzanne-example",
            &format!("Medreview-Entry: {}", &name[..name.len() - 5]),
        ]
    );
    // The writer is the author; the commit time is the sign-off time.
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>|%cn|%aI|%cI"])
            .trim(),
        format!("Suzanne Example <suzanne@example.org>|Test Runner|{START}|{START}")
    );
    assert_eq!(env.porcelain(), "");
}

#[test]
fn approve_adds_one_sign_off_after_the_submission_and_commits_only_it() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let submitted = env.signoff_path(SLUG, "submitted");
    let submitted_id = submitted
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".yaml"))
        .expect("an id")
        .to_owned();
    let revision = env.hash_object(ARTICLE);
    let before = env.head();

    env.set_now(NEXT_DAY);
    let run = env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Accurate."]);
    assert!(
        run.stderr
            .contains(&format!("Approved her2-treatment r1 {}", &revision[..7])),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("her2-treatment is now approved"),
        "{}",
        run.stderr
    );

    let approved = env.signoff_path(SLUG, "approved");
    assert_eq!(env.signoffs(SLUG).len(), 2);
    assert_eq!(
        env.read(&approved),
        format!(
            "# A sign-off, written by medreview. Immutable: never edit, rename or remove this file.\n\
             action: approved\nby: ana-example\nat: {NEXT_DAY}\nrevision: {revision}\n\
             after:\n- {submitted_id}\nnote: Accurate.\nclock: MEDREVIEW_NOW\n\
             meaning: medical-accuracy\nname: Ana Example\ncredentials: M.D.\n"
        )
    );

    assert_eq!(env.commit_count(), 7);
    assert_eq!(env.git(&["rev-parse", "HEAD~"]).trim(), before);
    assert_eq!(env.changed_files("HEAD"), std::slice::from_ref(&approved));
    let message = env.message("HEAD");
    assert!(
        message.starts_with("approve her2-treatment r1\n"),
        "{message}"
    );
    assert_eq!(
        trailers(&message),
        [
            "Medreview-Action: approved",
            "Medreview-Article: her2-treatment",
            &format!("Medreview-Revision: {revision}"),
            "Medreview-By: ana-example",
            &format!(
                "Medreview-Entry: {}",
                approved
                    .rsplit('/')
                    .next()
                    .and_then(|n| n.strip_suffix(".yaml"))
                    .expect("an id")
            ),
        ]
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>|%aI"]).trim(),
        format!("Ana Example <ana@example.org>|{NEXT_DAY}")
    );
}

#[test]
fn sign_offs_commit_only_the_article_files_and_leave_other_work_alone() {
    let mut env = TestEnv::seeded();
    let original_article_template = env.read("templates/article.html");
    env.write("other.txt", "staged, not part of any sign-off\n");
    env.write("templates/article.html", "<p>staged template change</p>\n");
    env.git(&["add", "other.txt", "templates/article.html"]);
    env.append("templates/index.html", "<!-- unstaged edit -->\n");
    env.write("notes.txt", "untracked\n");
    let staged = env.git(&["diff", "--cached"]);
    let unstaged_elsewhere = env.git(&["diff", "--", "templates"]);
    let others = "A  other.txt\nM  templates/article.html\n M templates/index.html\n?? notes.txt\n";

    // Each step: the clock, the command, its commit subject, and whether the commit
    // holds article.md besides the one new sign-off file.
    let steps: [(&str, &[&str], &str, bool); 5] = [
        (
            START,
            &["submit", SLUG, "--as", "suzanne-example"],
            "submit her2-treatment r1",
            true,
        ),
        (
            NEXT_DAY,
            &[
                "request-changes",
                SLUG,
                "--as",
                "david-okafor",
                "-m",
                "Cite the trial.",
            ],
            "request-changes her2-treatment r1",
            false,
        ),
        (
            "2025-03-05T09:00:00-05:00",
            &["submit", SLUG, "--as", "suzanne-example"],
            "submit her2-treatment r2",
            true,
        ),
        (
            "2025-03-06T09:00:00-05:00",
            &["approve", SLUG, "--as", "ana-example"],
            "approve her2-treatment r2",
            false,
        ),
        (
            "2025-03-07T09:00:00-05:00",
            &[
                "withdraw",
                SLUG,
                "--as",
                "david-okafor",
                "-m",
                "New guidance.",
            ],
            "withdraw her2-treatment r2",
            false,
        ),
    ];
    for (i, (now, args, subject, with_article)) in steps.into_iter().enumerate() {
        if i == 2 {
            env.append(ARTICLE, "\nThe KATHERINE trial showed the benefit.\n");
        }
        env.set_now(now);
        let count = env.commit_count();
        env.ok(args);
        assert_eq!(env.commit_count(), count + 1, "{args:?} made one commit");
        let before = env.signoffs(SLUG).len();
        let _ = before;
        let verb = subject.split(' ').next().expect("a verb");
        let action = match verb {
            "submit" => "submitted",
            "approve" => "approved",
            "request-changes" => "changes-requested",
            _ => "withdrawn",
        };
        let mut files = vec![env.signoff_path(SLUG, action)];
        if with_article {
            files.insert(0, ARTICLE.to_owned());
        }
        assert_eq!(env.changed_files("HEAD"), files, "{args:?}");
        assert_eq!(env.signoffs(SLUG).len(), i + 1, "{args:?}");
        assert_eq!(env.git(&["log", "-1", "--format=%s"]).trim(), subject);
        // The ledger revision is the blob git has for article.md.
        let revision = env.hash_object(ARTICLE);
        assert!(
            env.message("HEAD")
                .contains(&format!("Medreview-Revision: {revision}\n"))
        );
        // Everything else is exactly as it was: still staged, still modified, still untracked.
        assert_eq!(env.porcelain(), others, "after {args:?}");
        assert_eq!(env.git(&["diff", "--cached"]), staged, "after {args:?}");
        assert_eq!(env.git(&["diff", "--", "templates"]), unstaged_elsewhere);
        assert_eq!(
            env.git(&["show", "HEAD:templates/article.html"]),
            original_article_template
        );
        assert_eq!(
            env.git(&["ls-tree", "--name-only", "HEAD", "other.txt"]),
            ""
        );
    }
}

#[test]
fn request_changes_then_resubmit_numbers_the_new_revision() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let r1 = env.hash_object(ARTICLE);
    env.set_now(NEXT_DAY);
    let run = env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Say which patients get pertuzumab.",
    ]);
    assert!(
        run.stderr.contains("Sent back her2-treatment r1")
            && run.stderr.contains("is now changes-requested"),
        "{}",
        run.stderr
    );
    let message = env.message("HEAD");
    assert!(
        message.starts_with(
            "request-changes her2-treatment r1\n\nSay which patients get pertuzumab.\n"
        ),
        "{message}"
    );
    assert!(message.contains("Medreview-Action: changes-requested\n"));
    assert!(message.contains(&format!("Medreview-Revision: {r1}\n")));

    env.append(
        ARTICLE,
        "\nPertuzumab is added for larger or node-positive tumours.\n",
    );
    env.set_now("2025-03-05T09:00:00-05:00");
    let run = env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Added."]);
    let r2 = env.hash_object(ARTICLE);
    assert_ne!(r1, r2);
    assert!(
        run.stderr
            .contains(&format!("Submitted her2-treatment r2 {}", &r2[..7])),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]).trim(),
        "submit her2-treatment r2"
    );
    assert_eq!(env.signoffs(SLUG).len(), 3);
}

#[test]
fn approve_names_the_revision_by_number_or_by_id_prefix() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let r1 = env.hash_object(ARTICLE);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--revision", "r1"]);
    assert!(
        env.message("HEAD")
            .contains(&format!("Medreview-Revision: {r1}"))
    );

    env.append(ARTICLE, "\nOne more paragraph.\n");
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let r2 = env.hash_object(ARTICLE);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "david-okafor",
        "--revision",
        &r2[..8],
    ]);
    let message = env.message("HEAD");
    assert!(
        message.starts_with("approve her2-treatment r2\n"),
        "{message}"
    );
    assert!(message.contains(&format!("Medreview-Revision: {r2}")));
}

#[test]
fn as_defaults_to_the_roster_member_with_gits_user_email() {
    let mut env = TestEnv::seeded();
    env.git(&["config", "user.email", "suzanne@example.org"]);
    env.ok(&["submit", SLUG]);
    assert!(
        env.message("HEAD")
            .contains("Medreview-By: suzanne-example\n")
    );

    // Matching is case-insensitive, as email addresses are.
    env.git(&["config", "user.email", "Ana@Example.ORG"]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG]);
    assert!(env.message("HEAD").contains("Medreview-By: ana-example\n"));
    let approval = env.read(&env.signoff_path(SLUG, "approved"));
    assert!(
        approval.contains("action: approved\nby: ana-example\n"),
        "{approval}"
    );
}

#[test]
fn dash_c_runs_against_a_workspace_elsewhere() {
    let env = TestEnv::seeded();
    let outside = env.outside("elsewhere");
    fs::create_dir_all(&outside).expect("create folder");
    let repo = env.root().display().to_string();
    env.ok_in(
        &outside,
        &["-C", &repo, "submit", SLUG, "--as", "suzanne-example"],
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]).trim(),
        "submit her2-treatment r1"
    );
    let status = env.ok_in(&outside, &["-C", &repo, "status"]).stdout;
    assert!(status.contains("her2-treatment  in-review"), "{status}");
    // A relative -C works too.
    let status = env
        .ok_in(&env.outside(""), &["-C", "repo/articles", "status", SLUG])
        .stdout;
    assert!(status.contains("state:        in-review"), "{status}");
}

#[test]
fn commands_find_the_workspace_from_a_subfolder() {
    let mut env = TestEnv::seeded();
    let dir = env.root().join("articles/her2-treatment");
    env.ok_in(&dir, &["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    env.ok_in(&dir, &["approve", SLUG, "--as", "ana-example"]);
    assert_eq!(
        env.changed_files("HEAD"),
        [env.signoff_path(SLUG, "approved")]
    );
    let log = env.ok_in(&dir, &["log", SLUG]).stdout;
    assert!(
        log.contains("approved by Ana Example (ana-example)"),
        "{log}"
    );
}

#[test]
fn a_workspace_in_a_subfolder_of_the_repository_records_prefixed_paths() {
    let mut env = TestEnv::bare();
    let site = env.root().join("site");
    fs::create_dir_all(&site).expect("create site");
    env.ok_in(
        &site,
        &["init", "--publication", "Example Health", "--no-admin"],
    );
    env.ok_in(&site, &["writer", "add", "sam-lee", "--name", "Sam Lee"]);
    env.ok_in(
        &site,
        &[
            "reviewer",
            "add",
            "ana-example",
            "--name",
            "Ana Example",
            "--credentials",
            "M.D.",
        ],
    );
    assert_eq!(
        env.changed_files("HEAD"),
        ["site/reviewers/ana-example.yaml"]
    );
    env.ok_in(
        &site,
        &[
            "new",
            "flu-shot",
            "--title",
            "The Flu Shot",
            "--writer",
            "sam-lee",
        ],
    );
    env.append(
        "site/articles/flu-shot/article.md",
        "Get one every autumn.\n",
    );
    env.ok_in(&site, &["submit", "flu-shot", "--as", "sam-lee"]);
    let changed = env.changed_files("HEAD");
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert_eq!(changed[0], "site/articles/flu-shot/article.md");
    assert!(
        changed[1].starts_with("site/articles/flu-shot/signoffs/")
            && changed[1].contains("-submitted-sam-lee-"),
        "{changed:?}"
    );
    env.set_now(NEXT_DAY);
    env.ok_in(&site, &["approve", "flu-shot", "--as", "ana-example"]);
    let changed = env.changed_files("HEAD");
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].contains("/signoffs/") && changed[0].contains("-approved-ana-example-"));
    let revision = env.hash_object("site/articles/flu-shot/article.md");
    assert!(
        env.read(&changed[0])
            .contains(&format!("revision: {revision}"))
    );
    assert_eq!(env.porcelain(), "");
}

#[test]
fn a_crlf_article_gets_the_revision_id_git_gives_it() {
    let env = TestEnv::seeded();
    env.write(ARTICLE, &HER2_ARTICLE.replace('\n', "\r\n"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let revision = env.hash_object(ARTICLE);
    assert!(
        env.record_text(SLUG)
            .contains(&format!("revision: {revision}\n"))
    );
    // With `eol=lf` the CRLF text and the LF text are the same revision.
    let lf = env.git(&["rev-parse", &format!("HEAD:{ARTICLE}")]);
    assert_eq!(lf.trim(), revision);
    assert_eq!(env.git(&["show", &format!("HEAD:{ARTICLE}")]), HER2_ARTICLE);
    let status = crate::common::json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["unsubmitted_edits"], false);
    assert_eq!(env.porcelain(), "");
}

#[test]
/// Regression: sign-offs append to the working-tree signoffs.yaml, so a hand-edited (uncommitted) ledger is committed and a recorded entry disappears from the record
fn a_sign_off_never_removes_a_committed_entry() {
    let mut env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    let committed = env.git(&[
        "ls-tree",
        "--name-only",
        "HEAD",
        "articles/her2-treatment/signoffs/",
    ]);
    // Someone deletes ana-example's approval by hand and does not commit it.
    std::fs::remove_file(env.root().join(&approval)).expect("remove");

    env.set_now("2025-03-05T09:00:00-05:00");
    let err = env.refuse(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Check dosing.",
    ]);
    assert!(err.contains("was removed"), "{err}");
    let after = env.git(&[
        "ls-tree",
        "--name-only",
        "HEAD",
        "articles/her2-treatment/signoffs/",
    ]);
    assert_eq!(
        after, committed,
        "the committed record lost or gained entries"
    );
}

/// A hand-made entry in the working tree is never carried into a sign-off's view.
#[test]
fn a_sign_off_never_builds_on_an_uncommitted_entry() {
    let mut env = TestEnv::approved();
    let (_, approval) = env.entries(SLUG).pop().expect("an approval");
    let mut forged = approval.clone();
    forged.by = medreview_core::ids::Id::parse("id", "david-okafor").expect("valid");
    let rel = env.write_entry(SLUG, &forged);
    env.set_now("2025-03-05T09:00:00-05:00");
    let err = env.refuse(&["withdraw", SLUG, "--as", "ana-example", "-m", "Stop."]);
    assert!(err.contains("is not committed"), "{err}");
    assert!(err.contains(rel.rsplit('/').next().expect("name")), "{err}");
}

#[test]
/// Regression: a note starting with '-' (a Markdown list) is a usage error: `-m "- name the trial"` exits 2 with clap's "unexpected argument '- ' found"
fn a_note_may_start_with_a_markdown_bullet() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let note = "- name the trial\n- say how long treatment lasts";
    env.ok(&["request-changes", SLUG, "--as", "ana-example", "-m", note]);
    let log = crate::common::json(&env.ok(&["log", SLUG, "--json"]).stdout);
    assert_eq!(log["entries"][1]["note"], note);
}

#[test]
/// Regression: an article with "\r\r\n" line ends is rewritten with "\r\n" left in it, so right after submit the ledger revision differs from `git hash-object`, git shows the file modified and status reports unsubmitted edits
fn submit_leaves_a_clean_tree_whose_hash_is_the_revision_even_for_doubled_carriage_returns() {
    let env = TestEnv::seeded();
    // Some Windows tools convert CRLF twice.
    env.write(ARTICLE, &HER2_ARTICLE.replace('\n', "\r\r\n"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let revision = env.hash_object(ARTICLE);
    assert!(
        env.record_text(SLUG)
            .contains(&format!("revision: {revision}\n")),
        "record:\n{}\nhash-object: {revision}",
        env.record_text(SLUG)
    );
    assert_eq!(env.porcelain(), "");
    let status = crate::common::json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["unsubmitted_edits"], false);
}
