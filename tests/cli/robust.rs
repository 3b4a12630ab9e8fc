//! Issue 11, the parts that need no fault injection: hostile names and emails, bare,
//! empty, unborn and shallow repositories, a closed stdout pipe, runaway templates and
//! the publish output folder (manifest `files`, user files, interrupted runs; in
//! `robust/publish.rs`). Each case is tried as the hit and as the near miss that must
//! keep working.

mod publish;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::{ARTICLE, Run, SLUG, START, TestEnv};

/// The time every later sign-off in these tests is made at (after the fixture's approval).
const LATER: &str = "2025-03-10T09:00:00-05:00";

/// `TestEnv::approved()`, built once and copied (`cp -a`) for each test.
pub(super) fn approved() -> TestEnv {
    static FIXTURE: OnceLock<PathBuf> = OnceLock::new();
    let src = FIXTURE.get_or_init(|| {
        // Leaked on purpose: the fixture lives as long as the test binary.
        let env: &'static TestEnv = Box::leak(Box::new(TestEnv::approved()));
        env.root().to_path_buf()
    });
    let mut env = TestEnv::bare();
    fs::remove_dir_all(env.root()).expect("remove the empty repository");
    let status = Process::new("cp")
        .args(["-a"])
        .arg(src)
        .arg(env.root())
        .status()
        .expect("run cp");
    assert!(status.success(), "cp -a of the fixture failed");
    env.set_now(LATER);
    env
}

/// A `medreview` process with the same cleared environment `TestEnv` gives its runs.
pub(super) fn medreview(env: &TestEnv, dir: &Path, args: &[&str]) -> Process {
    let mut cmd = Process::new(env!("CARGO_BIN_EXE_medreview"));
    cmd.env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("HOME", env.outside("home"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .env("MEDREVIEW_NOW", START)
        .current_dir(dir)
        .args(crate::common::with_latest_revision(dir, args));
    cmd
}

/// Waits for `child` at most `limit`; kills (and reaps) it when the time is up.
pub(super) fn wait_at_most(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("poll child") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Raw libgit2 text that must never reach a user.
pub(super) fn assert_no_raw_git_text(stderr: &str) {
    for raw in [
        "class=",
        "code=",
        "failed to parse signature",
        "reference 'refs/heads/",
        "Caused by",
        "panicked",
    ] {
        assert!(!stderr.contains(raw), "raw text {raw:?} in:\n{stderr}");
    }
}

/// One `Error:` line, then at most a `Hint:` line that says something.
fn assert_one_line_error_with_hint(run: &Run) {
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert_no_raw_git_text(&run.stderr);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("Error: ")).count(),
        1,
        "{}",
        run.stderr
    );
    assert!(lines.len() <= 3, "not a short error:\n{}", run.stderr);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Hint: ") && l.len() > 10),
        "no hint in:\n{}",
        run.stderr
    );
}

/// Every file under `dir`, by relative path with `/`.
pub(super) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("inside").to_string_lossy();
                files.insert(rel.replace('\\', "/"), fs::read(&path).expect("read file"));
            }
        }
    }
    files
}

/// The names in `dir` that start with `.medreview-publish-`.
pub(super) fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".medreview-publish-"))
        .collect();
    names.sort();
    names
}

/// Edits the seeded article in the working tree (so that it can be submitted again).
fn edit_article(env: &TestEnv) {
    env.append(ARTICLE, "\nA new paragraph about follow-up care.\n");
}

// ---------------------------------------------------------------------------------
// 1. Names and emails
// ---------------------------------------------------------------------------------

/// Names the contract refuses, each with words one of which the message must use.
const BAD_NAMES: &[(&str, &[&str])] = &[
    ("Ana <Example>", &["<"]),
    ("Ana > Example", &[">"]),
    ("<script>", &["<"]),
    ("Ana\nExample", &["newline", "line break", "\\n", "control"]),
    (
        "Ana Example\n",
        &["newline", "line break", "\\n", "control"],
    ),
    ("Ana\tExample", &["tab", "\\t", "control"]),
    ("Ana\rExample", &["\\r", "carriage", "control", "newline"]),
    ("Ana\u{1b}[31mExample", &["control", "\\u{1b}", "escape"]),
    ("Ana\u{7f}Example", &["control", "\\u{7f}", "delete"]),
    ("Ana\u{85}Example", &["control", "\\u{85}", "newline"]),
];

/// Emails the contract refuses (`<`, `>`, whitespace, control characters).
const BAD_EMAILS: &[&str] = &[
    "a<b@example.org",
    "a>b@example.org",
    "<ana@example.org>",
    "ana @example.org",
    "ana@example.org ",
    "ana\t@example.org",
    "ana\n@example.org",
    "ana\u{7}@example.org",
];

fn assert_names_rule(stderr: &str, words: &[&str], what: &str) {
    let lower = stderr.to_lowercase();
    assert!(
        words.iter().any(|w| lower.contains(&w.to_lowercase())),
        "the refusal of {what} does not name the rule ({words:?}):\n{stderr}"
    );
}

/// Names with `<`, `>`, newlines, tabs and other control characters are refused by
/// `writer add`, `reviewer add`, `writer edit` and `reviewer edit` with the rule
/// named, as a usage error (exit 2); nothing is written or committed (issue 11,
/// item 6).
#[test]
fn names_with_angle_brackets_or_control_characters_are_refused_by_add_and_edit() {
    let env = approved();
    for (name, words) in BAD_NAMES {
        let what = format!("name {name:?}");
        let commands: [Vec<&str>; 4] = [
            vec![
                "writer",
                "add",
                "new-writer",
                "--name",
                name,
                "--email",
                "nw@example.org",
            ],
            vec![
                "reviewer",
                "add",
                "new-reviewer",
                "--name",
                name,
                "--credentials",
                "M.D.",
                "--email",
                "nr@example.org",
            ],
            vec!["writer", "edit", "suzanne-example", "--name", name],
            vec!["reviewer", "edit", "ana-example", "--name", name],
        ];
        for args in commands {
            let run = env.fails_as_usage(&args);
            assert_names_rule(&run.stderr, words, &what);
            assert_no_raw_git_text(&run.stderr);
        }
    }
    assert!(!env.root().join("writers/new-writer.yaml").exists());
    assert!(!env.root().join("reviewers/new-reviewer.yaml").exists());
}

/// Emails with `<`, `>`, whitespace or control characters are refused by add and
/// edit as a usage error (exit 2), the message saying it is the email; nothing is
/// written or committed.
#[test]
fn emails_with_angle_brackets_whitespace_or_control_characters_are_refused() {
    let env = approved();
    for email in BAD_EMAILS {
        let what = format!("email {email:?}");
        let commands: [Vec<&str>; 4] = [
            vec![
                "writer",
                "add",
                "new-writer",
                "--name",
                "New Writer",
                "--email",
                email,
            ],
            vec![
                "reviewer",
                "add",
                "new-reviewer",
                "--name",
                "New Reviewer",
                "--credentials",
                "M.D.",
                "--email",
                email,
            ],
            vec!["writer", "edit", "suzanne-example", "--email", email],
            vec!["reviewer", "edit", "ana-example", "--email", email],
        ];
        for args in commands {
            let run = env.fails_as_usage(&args);
            assert_names_rule(&run.stderr, &["email"], &what);
            assert_no_raw_git_text(&run.stderr);
        }
    }
}

/// Unicode's own line breaks, LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR
/// (U+2029), are newlines too (not in category Cc, so a check for control
/// characters alone lets them through): refused like `\n`, as a usage error (exit 2).
#[test]
fn names_with_unicode_line_or_paragraph_separators_are_refused() {
    let env = approved();
    for name in ["Ana\u{2028}Example", "Ana\u{2029}Example"] {
        let run = env.fails_as_usage(&[
            "writer",
            "add",
            "new-writer",
            "--name",
            name,
            "--email",
            "nw@example.org",
        ]);
        assert_names_rule(
            &run.stderr,
            &[
                "newline",
                "line",
                "separator",
                "u{2028}",
                "u{2029}",
                "control",
            ],
            name,
        );
    }
}

/// The near miss: accents, apostrophes, hyphens, dashes and non-Latin scripts are
/// ordinary names, accepted by add and edit, and the person can still sign off.
#[test]
fn names_with_accents_apostrophes_and_hyphens_are_accepted_and_can_sign_off() {
    let env = approved();
    let writer = "Zoë O'Brien-Nguyễn";
    env.ok(&[
        "writer",
        "add",
        "zoe-obrien",
        "--name",
        writer,
        "--email",
        "zoe.o-brien+md@example.org",
    ]);
    assert!(env.read("writers/zoe-obrien.yaml").contains("Nguyễn"));
    env.ok(&[
        "reviewer",
        "add",
        "jose-nunez",
        "--name",
        "José Núñez — d'Arc",
        "--credentials",
        "M.D.",
        "--email",
        "jose@example.org",
    ]);
    env.ok(&["reviewer", "edit", "jose-nunez", "--name", "Хосе Нуньес"]);
    let renamed = "Suzanne D'Arcy-Éxample";
    env.ok(&["writer", "edit", "suzanne-example", "--name", renamed]);
    edit_article(&env);
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "Follow-up care.",
    ]);
    let author = env.git(&["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), format!("{renamed} <suzanne@example.org>"));
}

/// A roster file edited by hand to hold a name with `<`: a sign-off by that person
/// is refused with a medreview message naming the file or person and the character,
/// not libgit2's "failed to parse signature"; nothing is committed; `status` shows no
/// raw git text either. The same for a reviewer whose email was edited to hold `<`.
#[test]
fn a_hand_edited_roster_name_with_angle_brackets_gives_a_clear_error_at_sign_off() {
    let env = approved();
    let file = "writers/suzanne-example.yaml";
    let text = env.read(file);
    assert!(text.contains("name: Suzanne Example"), "{text}");
    env.write(
        file,
        &text.replace("name: Suzanne Example", "name: Suzanne <x> Example"),
    );
    env.git(&["commit", "-q", "-am", "hand edit of the roster"]);
    edit_article(&env);
    let run = env.fails(&["submit", SLUG, "--as", "suzanne-example", "-m", "Again."]);
    assert_no_raw_git_text(&run.stderr);
    assert!(
        run.stderr.contains(file) || run.stderr.contains("suzanne-example"),
        "the refusal names neither the file nor the person:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains('<'), "{}", run.stderr);
    let status = env.run(&["status"]);
    assert_no_raw_git_text(&status.stderr);
    assert!(status.code == 0 || status.code == 1, "{status:?}");

    // A reviewer's email, edited by hand: approve.
    let env = approved();
    edit_article(&env);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Again."]);
    let file = "reviewers/ana-example.yaml";
    let text = env.read(file);
    env.write(
        file,
        &text.replace("email: ana@example.org", "email: ana<x@example.org"),
    );
    env.git(&["commit", "-q", "-am", "hand edit of the roster"]);
    let run = env.fails(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    assert_no_raw_git_text(&run.stderr);
    assert!(
        run.stderr.contains(file) || run.stderr.contains("ana-example"),
        "the refusal names neither the file nor the person:\n{}",
        run.stderr
    );
}

/// `check` lists a committed roster file whose name breaks the name rule (a `<`, a
/// newline, a tab or an ESC added by hand): it checks every file.
#[test]
fn check_reports_a_hand_edited_roster_name_with_angle_brackets() {
    for bad in [
        "name: Suzanne <x> Example",
        "name: \"Suzanne\\nExample\"",
        "name: \"Suzanne\\tExample\"",
        "name: \"Suzanne\\u001bExample\"",
    ] {
        let env = approved();
        let file = "writers/suzanne-example.yaml";
        let text = env.read(file);
        env.write(file, &text.replace("name: Suzanne Example", bad));
        env.git(&["commit", "-q", "-am", "hand edit of the roster"]);
        let run = env.run(&["check"]);
        assert_no_raw_git_text(&run.stderr);
        assert_eq!(run.code, 1, "check passed {bad}:\n{}", run.stdout);
        assert!(
            format!("{}{}", run.stdout, run.stderr).contains(file),
            "check does not name {file} for {bad}:\n{}{}",
            run.stdout,
            run.stderr
        );
        let status = env.run(&["status"]);
        assert_no_raw_git_text(&status.stderr);
    }
}

/// The hint given for a hand-edited name (`correct the name with medreview writer
/// edit`) works: the edit that fixes the name is not itself refused because the
/// roster holds the bad name, and afterwards sign-offs and `check` are clean again.
/// The same for a reviewer's email.
#[test]
fn the_fix_the_hint_names_for_a_hand_edited_roster_works() {
    let env = approved();
    let text = env.read("writers/suzanne-example.yaml");
    env.write(
        "writers/suzanne-example.yaml",
        &text.replace("name: Suzanne Example", "name: Suzanne <x> Example"),
    );
    let text = env.read("reviewers/ana-example.yaml");
    env.write(
        "reviewers/ana-example.yaml",
        &text.replace("email: ana@example.org", "email: ana<x@example.org"),
    );
    env.git(&["commit", "-q", "-am", "hand edits of the roster"]);
    env.ok(&[
        "writer",
        "edit",
        "suzanne-example",
        "--name",
        "Suzanne Example",
    ]);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--email",
        "ana@example.org",
    ]);
    edit_article(&env);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Again."]);
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    env.ok(&["check"]);
}

// ---------------------------------------------------------------------------------
// 2. Bare, empty, unborn and shallow repositories
// ---------------------------------------------------------------------------------

/// Any command in a bare repository (run inside it, in one of its folders, or with
/// `-C`) exits 1 with a short error saying the repository is bare, and a hint;
/// nothing is created. Near miss: a linked worktree (`.git` is a file) works.
#[test]
fn commands_in_a_bare_repository_say_bare_with_a_hint() {
    let env = approved();
    let bare = env.outside("team.git");
    env.git(&["clone", "-q", "--bare", ".", bare.to_str().expect("utf-8")]);
    let site = env.outside("site");
    let site_arg = site.to_str().expect("utf-8").to_owned();
    let bare_arg = bare.to_str().expect("utf-8").to_owned();
    let commands: [&[&str]; 9] = [
        &["status"],
        &["check"],
        &["publish", "--out", &site_arg],
        &["submit", SLUG, "-m", "x"],
        &["log", SLUG],
        &["diff", SLUG],
        &["init", "--publication", "X"],
        &["writer", "add", "new-writer", "--name", "New Writer"],
        &[
            "new",
            "x",
            "--title",
            "T",
            "--writer",
            "w",
            "--reviewer",
            "r",
        ],
    ];
    let refs_before = env.git_in(&bare, &["for-each-ref"]);
    for args in commands {
        for dir in [bare.clone(), bare.join("refs")] {
            let run = env.run_in(&dir, args);
            assert_one_line_error_with_hint(&run);
            assert!(run.stderr.contains("bare"), "{args:?}:\n{}", run.stderr);
        }
        let mut with_c = vec!["-C", bare_arg.as_str()];
        with_c.extend_from_slice(args);
        let run = env.run_in(&env.outside("home"), &with_c);
        assert_one_line_error_with_hint(&run);
        assert!(run.stderr.contains("bare"), "{with_c:?}:\n{}", run.stderr);
    }
    assert!(
        !site.exists(),
        "publish wrote output from a bare repository"
    );
    assert_eq!(env.git_in(&bare, &["for-each-ref"]), refs_before);
    assert!(!bare.join("medreview.lock").exists());
    assert!(
        !bare.join("medreview.yaml").exists(),
        "init wrote into the bare repository"
    );

    let linked = env.outside("linked");
    env.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "other",
        linked.to_str().expect("utf-8"),
    ]);
    let run = env.ok_in(&linked, &["status"]);
    assert!(run.stdout.contains(SLUG), "{}", run.stdout);
}

/// A repository with no commit yet, holding a workspace's files: `status` and
/// `publish` exit 1 with a one-line error and a hint (commit first), no raw libgit2
/// text, nothing changed. Near miss: once committed, both work.
#[test]
fn status_and_publish_before_the_first_commit_say_commit_first() {
    let fixture = approved();
    let env = TestEnv::bare();
    for name in [
        "medreview.yaml",
        ".gitattributes",
        "writers",
        "reviewers",
        "templates",
        "articles",
    ] {
        let status = Process::new("cp")
            .arg("-a")
            .arg(fixture.root().join(name))
            .arg(env.root())
            .status()
            .expect("run cp");
        assert!(status.success(), "cp {name}");
    }
    let site = env.outside("site");
    let site_arg = site.to_str().expect("utf-8");
    for args in [
        vec!["status"],
        vec!["status", "--json"],
        vec!["publish", "--out", site_arg],
    ] {
        let run = env.fails(&args);
        assert_one_line_error_with_hint(&run);
        assert!(
            run.stderr.to_lowercase().contains("commit"),
            "{args:?}: no word of committing:\n{}",
            run.stderr
        );
    }
    assert!(!site.exists());

    // Committed by hand now, the sign-offs' times would not match their commit's:
    // the near miss commits the workspace without them.
    fs::remove_dir_all(env.root().join(format!("articles/{SLUG}/signoffs"))).expect("rm");
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "the workspace"]);
    let run = env.ok(&["status"]);
    assert!(run.stdout.contains(SLUG), "{}", run.stdout);
    env.ok(&["publish", "--out", site_arg]);
    assert!(site.join("manifest.json").is_file());
}

/// An unborn branch after `git checkout --orphan`: `status` and `publish` give a
/// one-line error with a hint, no raw "reference 'refs/heads/…' not found". Near
/// miss: back on `main`, both work.
#[test]
fn an_unborn_branch_after_checkout_orphan_gets_a_one_line_error() {
    let env = approved();
    env.git(&["checkout", "-q", "--orphan", "fresh"]);
    let site = env.outside("site");
    let site_arg = site.to_str().expect("utf-8");
    for args in [vec!["status"], vec!["publish", "--out", site_arg]] {
        let run = env.fails(&args);
        assert_one_line_error_with_hint(&run);
    }
    assert!(!site.exists());
    env.git(&["checkout", "-q", "main"]);
    env.ok(&["status"]);
    env.ok(&["publish", "--out", site_arg]);
    assert!(site.join(format!("{SLUG}.html")).is_file());
}

/// A shallow clone (`git clone --depth 1 file://…`): `status` and `publish` work.
#[test]
fn status_and_publish_work_in_a_shallow_clone() {
    let env = approved();
    let shallow = env.outside("shallow");
    let url = format!("file://{}", env.root().display());
    env.git_in(
        &env.outside("home"),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().expect("utf-8"),
        ],
    );
    assert!(
        shallow.join(".git/shallow").is_file(),
        "not a shallow clone"
    );
    env.git_in(&shallow, &["config", "user.email", "runner@example.org"]);
    let run = env.ok_in(&shallow, &["status"]);
    assert!(run.stdout.contains(SLUG), "{}", run.stdout);
    assert!(run.stdout.contains("approved"), "{}", run.stdout);
    let site = env.outside("site");
    env.ok_in(
        &shallow,
        &["publish", "--out", site.to_str().expect("utf-8")],
    );
    let page = fs::read_to_string(site.join(format!("{SLUG}.html"))).expect("the page");
    assert!(page.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a>"), "{page}");
}

// ---------------------------------------------------------------------------------
// 3. A closed pipe
// ---------------------------------------------------------------------------------

/// `status --json`, `log SLUG --json` and `diff SLUG` whose stdout pipe is closed
/// after one byte end quietly: no `Error` on stderr, no panic, exit 141 (or killed by
/// SIGPIPE) or 0, never 1. The output is made larger than any pipe buffer (a 300 KB
/// title, a 400 KB body) so the write after the close really fails; the near miss
/// (the whole output read) exits 0.
#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let env = approved();
    env.ok(&[
        "new",
        "big",
        "--title",
        "Big",
        "--writer",
        "suzanne-example",
        "--reviewer",
        "ana-example",
    ]);
    let title = "Long ".repeat(60_000);
    let mut body = String::new();
    for i in 0..4_000 {
        body.push_str(&format!(
            "Paragraph {i} says something about treatment and care.\n\n"
        ));
    }
    env.write(
        "articles/big/article.md",
        &format!(
            "---\ntitle: {}\nwriter: suzanne-example\nreviewer: ana-example\n---\n{body}",
            title.trim()
        ),
    );
    env.ok(&["submit", "big", "--as", "suzanne-example", "-m", "Draft."]);
    let commands: [&[&str]; 4] = [
        &["status", "--json"],
        &["log", "big", "--json"],
        &["diff", "big"],
        &["log", "big"],
    ];
    for args in commands {
        let full = env.ok(args);
        assert!(
            full.stdout.len() > 256 * 1024,
            "{args:?} printed only {} bytes; the test needs more than a pipe holds",
            full.stdout.len()
        );
        let mut child = medreview(&env, env.root(), args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn medreview");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).expect("read one byte");
        drop(stdout);
        let status = wait_at_most(&mut child, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("{args:?} did not end after its pipe closed"));
        let stderr = errors.join().expect("stderr reader");
        assert!(
            !stderr.contains("Error") && !stderr.contains("panicked"),
            "{args:?} complained about the closed pipe:\n{stderr}"
        );
        let quiet = status.signal() == Some(13) || matches!(status.code(), Some(0 | 141));
        assert!(quiet, "{args:?} exited {status:?} after its pipe closed");
    }
}
