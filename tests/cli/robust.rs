//! Issue 11, the parts that need no fault injection: hostile names and emails, bare,
//! empty, unborn and shallow repositories, a closed stdout pipe, runaway templates and
//! the publish output folder (manifest `files`, user files, interrupted runs). Each
//! case is tried as the hit and as the near miss that must keep working.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::{ARTICLE, Run, SLUG, START, TestEnv, json};

/// The time every later sign-off in these tests is made at (after the fixture's approval).
const LATER: &str = "2025-03-10T09:00:00-05:00";

/// `TestEnv::approved()`, built once and copied (`cp -a`) for each test.
fn approved() -> TestEnv {
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
fn medreview(env: &TestEnv, dir: &Path, args: &[&str]) -> Process {
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
        .args(args);
    cmd
}

/// Waits for `child` at most `limit`; kills (and reaps) it when the time is up.
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
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
fn assert_no_raw_git_text(stderr: &str) {
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
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
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
fn leftovers(dir: &Path) -> Vec<String> {
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
/// named; nothing is written or committed (issue 11, item 6).
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
            let run = env.fails(&args);
            assert_names_rule(&run.stderr, words, &what);
            assert_no_raw_git_text(&run.stderr);
        }
    }
    assert!(!env.root().join("writers/new-writer.yaml").exists());
    assert!(!env.root().join("reviewers/new-reviewer.yaml").exists());
}

/// Emails with `<`, `>`, whitespace or control characters are refused by add and
/// edit, the message saying it is the email; nothing is written or committed.
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
            let run = env.fails(&args);
            assert_names_rule(&run.stderr, &["email"], &what);
            assert_no_raw_git_text(&run.stderr);
        }
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

/// `check` lists a committed roster file whose name can never sign a commit (a `<`
/// added by hand): it checks every file, and this one breaks the name rule.
#[test]
fn check_reports_a_hand_edited_roster_name_with_angle_brackets() {
    let env = approved();
    let file = "writers/suzanne-example.yaml";
    let text = env.read(file);
    env.write(
        file,
        &text.replace("name: Suzanne Example", "name: Suzanne <x> Example"),
    );
    env.git(&["commit", "-q", "-am", "hand edit of the roster"]);
    let run = env.run(&["check"]);
    assert_no_raw_git_text(&run.stderr);
    assert_eq!(run.code, 1, "check passed a name with '<':\n{}", run.stdout);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains(file),
        "check does not name {file}:\n{}{}",
        run.stdout,
        run.stderr
    );
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
    let commands: [&[&str]; 5] = [
        &["status"],
        &["check"],
        &["publish", "--out", &site_arg],
        &["submit", SLUG, "-m", "x"],
        &["log", SLUG],
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
    assert!(page.contains("Medically reviewed by Ana Example"), "{page}");
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
    let commands: [&[&str]; 3] = [
        &["status", "--json"],
        &["log", "big", "--json"],
        &["diff", "big"],
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

// ---------------------------------------------------------------------------------
// 4. Templates
// ---------------------------------------------------------------------------------

/// Commits `text` as `templates/<name>` with plain git.
fn commit_template(env: &TestEnv, name: &str, text: &str) {
    env.write(&format!("templates/{name}"), text);
    env.git(&["commit", "-q", "-am", "template change"]);
}

/// Runs `publish --out site` with a time bound; returns the run and how long it took.
fn publish_bounded(env: &TestEnv, site: &Path, limit: Duration) -> (Run, Duration) {
    let started = Instant::now();
    let child = medreview(
        env,
        env.root(),
        &["publish", "--out", site.to_str().expect("utf-8")],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn publish");
    let mut child = child;
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let readers = std::thread::spawn(move || {
        let (mut o, mut e) = (String::new(), String::new());
        let _ = out.read_to_string(&mut o);
        let _ = err.read_to_string(&mut e);
        (o, e)
    });
    let status = wait_at_most(&mut child, limit);
    let took = started.elapsed();
    let (stdout, stderr) = readers.join().expect("readers");
    let status = status.unwrap_or_else(|| panic!("publish ran past {limit:?}; killed"));
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    };
    (run, took)
}

/// A committed template with runaway nested loops (with and without output, in the
/// article and in the index template), or one that writes more than 16 MiB for a
/// page: publish exits 1 within 20 s naming the template, and the previous output is
/// left exactly as it was.
#[test]
fn runaway_templates_are_stopped_naming_the_template() {
    let nested_x =
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}";
    let nested_silent =
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
    let huge = "{% for i in range(40) %}{{ \"x\" * 500000 }}{% endfor %}";
    let cases = [
        ("article.html", nested_x),
        ("article.html", nested_silent),
        ("index.html", nested_x),
        ("article.html", huge),
        ("index.html", huge),
    ];
    for (name, text) in cases {
        let env = approved();
        let site = env.outside("site");
        env.ok(&["publish", "--out", site.to_str().expect("utf-8")]);
        let before = tree(&site);
        commit_template(&env, name, text);
        let (run, took) = publish_bounded(&env, &site, Duration::from_secs(20));
        assert_eq!(run.code, 1, "{name} {text}: {run:?}");
        assert!(took < Duration::from_secs(20), "{name}: took {took:?}");
        assert!(
            run.stderr.contains(&format!("templates/{name}")),
            "{name} {text}: the error does not name the template:\n{}",
            run.stderr
        );
        assert_no_raw_git_text(&run.stderr);
        assert!(tree(&site) == before, "{name}: the previous output changed");
        assert_eq!(leftovers(&env.outside("")), Vec::<String>::new());
    }
}

/// The near miss: a template with a modest loop, and one that writes an 8 MiB page
/// (half the limit), publish as usual.
#[test]
fn templates_with_modest_loops_and_large_pages_still_publish() {
    let env = approved();
    let original = env.read("templates/article.html");
    let modest = original.replace(
        "</main>",
        "{% for i in range(2000) %}<span>{{ i }}</span>{% endfor %}</main>",
    );
    assert_ne!(modest, original, "the template has no </main>");
    commit_template(&env, "article.html", &modest);
    let site = env.outside("site");
    let (run, _) = publish_bounded(&env, &site, Duration::from_secs(20));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fs::read_to_string(site.join(format!("{SLUG}.html"))).expect("page");
    assert!(page.contains("<span>1999</span>"));

    let large = original.replace("</main>", "{{ \"x\" * 8388608 }}</main>");
    commit_template(&env, "article.html", &large);
    let (run, _) = publish_bounded(&env, &site, Duration::from_secs(20));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let len = fs::metadata(site.join(format!("{SLUG}.html")))
        .expect("page")
        .len();
    assert!(len > 8 << 20, "{len}");
}

// ---------------------------------------------------------------------------------
// 5. The publish output folder
// ---------------------------------------------------------------------------------

/// The `files` list of `DIR/manifest.json`.
fn manifest_files(site: &Path) -> Vec<String> {
    let manifest = json(&fs::read_to_string(site.join("manifest.json")).expect("manifest"));
    manifest["files"]
        .as_array()
        .unwrap_or_else(|| panic!("manifest.json has no files list:\n{manifest}"))
        .iter()
        .map(|f| f.as_str().expect("a file name").to_owned())
        .collect()
}

/// Asserts `files` is sorted and names exactly the files medreview wrote to `site`
/// (manifest.json itself may or may not be listed), given the user's `theirs`.
fn assert_manifest_lists_what_was_written(site: &Path, theirs: &[&str]) {
    let files = manifest_files(site);
    let mut sorted = files.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(files, sorted, "manifest files are not sorted and unique");
    let mut written: Vec<String> = tree(site)
        .into_keys()
        .filter(|f| !theirs.contains(&f.as_str()))
        .collect();
    let mut listed = files.clone();
    if !listed.contains(&"manifest.json".to_owned()) {
        written.retain(|f| f != "manifest.json");
    }
    written.sort();
    listed.sort();
    assert_eq!(
        listed, written,
        "manifest files differ from the files written"
    );
}

/// manifest.json's `files` is the sorted list of the files publish wrote, for
/// HTML and Markdown.
#[test]
fn the_manifest_lists_every_file_written_sorted() {
    let env = approved();
    for format in ["html", "markdown"] {
        let site = env.outside(&format!("site-{format}"));
        env.ok(&[
            "publish",
            "--out",
            site.to_str().expect("utf-8"),
            "--format",
            format,
        ]);
        assert_manifest_lists_what_was_written(&site, &[]);
        let page = if format == "html" {
            format!("{SLUG}.html")
        } else {
            format!("{SLUG}.md")
        };
        assert!(manifest_files(&site).contains(&page), "{page}");
    }
}

/// HTML: files the user added to the output folder (`notes.txt`, `assets/logo.svg`)
/// survive later publishes unchanged and are not claimed in `files` (so they survive
/// the publish after that too). Near miss: a file medreview wrote and the user
/// edited is rewritten, and a page no longer published (withdrawn) is removed.
#[test]
fn html_publish_keeps_the_users_files_and_replaces_its_own() {
    let env = approved();
    let site = env.outside("site");
    let site_arg = site.to_str().expect("utf-8");
    env.ok(&["publish", "--out", site_arg]);
    let index = fs::read(site.join("index.html")).expect("index");
    let notes = b"my notes\n".to_vec();
    let logo = b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
    fs::write(site.join("notes.txt"), &notes).expect("write notes");
    fs::create_dir_all(site.join("assets")).expect("assets");
    fs::write(site.join("assets/logo.svg"), &logo).expect("write logo");
    fs::write(site.join("index.html"), "edited by hand").expect("edit index");
    let theirs = ["notes.txt", "assets/logo.svg"];

    env.ok(&["publish", "--out", site_arg]);
    assert_eq!(fs::read(site.join("notes.txt")).expect("notes"), notes);
    assert_eq!(fs::read(site.join("assets/logo.svg")).expect("logo"), logo);
    assert_eq!(fs::read(site.join("index.html")).expect("index"), index);
    assert_manifest_lists_what_was_written(&site, &theirs);
    for file in theirs {
        assert!(
            !manifest_files(&site).contains(&file.to_owned()),
            "{file} claimed"
        );
    }

    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Out of date.",
    ]);
    env.ok(&["publish", "--out", site_arg]);
    assert_eq!(fs::read(site.join("notes.txt")).expect("notes"), notes);
    assert_eq!(fs::read(site.join("assets/logo.svg")).expect("logo"), logo);
    assert!(
        !site.join(format!("{SLUG}.html")).exists(),
        "the withdrawn page is still there"
    );
    assert_manifest_lists_what_was_written(&site, &theirs);
    assert_eq!(leftovers(&env.outside("")), Vec::<String>::new());
}

/// Markdown into a content folder holding medreview's previous output plus the
/// user's `_index.md` and `about.md`: refused, both named, nothing changed (issue
/// 11, item 8). Near miss: the same folder without them publishes.
#[test]
fn markdown_publish_refuses_files_it_did_not_write_naming_each() {
    let env = approved();
    let content = env.outside("hugo/content/articles");
    let arg = content.to_str().expect("utf-8");
    env.ok(&["publish", "--format", "markdown", "--out", arg]);
    env.ok(&["publish", "--format", "markdown", "--out", arg]);
    fs::write(content.join("_index.md"), "---\ntitle: Articles\n---\n").expect("_index");
    fs::write(content.join("about.md"), "About us.\n").expect("about");
    let before = tree(&content);
    let run = env.fails(&["publish", "--format", "markdown", "--out", arg]);
    assert!(run.stderr.contains("_index.md"), "{}", run.stderr);
    assert!(run.stderr.contains("about.md"), "{}", run.stderr);
    assert!(tree(&content) == before, "the content folder changed");
    assert_eq!(
        leftovers(&env.outside("hugo/content")),
        Vec::<String>::new()
    );

    fs::remove_file(content.join("_index.md")).expect("rm");
    fs::remove_file(content.join("about.md")).expect("rm");
    env.ok(&["publish", "--format", "markdown", "--out", arg]);
    assert!(content.join(format!("{SLUG}.md")).is_file());
}

/// An interrupted publish left the previous output aside as
/// `.medreview-publish-<name>-<x>.old` with `DIR` missing, plus a half-written
/// staging folder: the next publish restores the previous output first (so the
/// user's file in it survives), publishes, and leaves no `.medreview-publish-*`.
/// Near miss: with `DIR` present, stale leftovers are removed and not merged in.
#[test]
fn the_next_publish_recovers_an_interrupted_ones_leftovers() {
    let env = approved();
    let parent = env.outside("www");
    let site = parent.join("site");
    let arg = site.to_str().expect("utf-8");
    env.ok(&["publish", "--out", arg]);
    fs::write(site.join("notes.txt"), "keep me\n").expect("notes");
    fs::rename(&site, parent.join(".medreview-publish-site-a1B2c3.old")).expect("move aside");
    fs::create_dir_all(parent.join(".medreview-publish-site-d4E5f6")).expect("staging");
    fs::write(
        parent.join(".medreview-publish-site-d4E5f6/index.html"),
        "half",
    )
    .expect("half-written");
    env.ok(&["publish", "--out", arg]);
    assert_eq!(leftovers(&parent), Vec::<String>::new());
    assert_eq!(
        fs::read_to_string(site.join("notes.txt")).expect("notes restored"),
        "keep me\n"
    );
    assert!(site.join(format!("{SLUG}.html")).is_file());
    assert_ne!(
        fs::read_to_string(site.join("index.html")).expect("index"),
        "half"
    );
    assert_manifest_lists_what_was_written(&site, &["notes.txt"]);

    // DIR present: leftovers are stale copies, removed without being merged in.
    let stale = parent.join(".medreview-publish-site-g7H8i9.old");
    Process::new("cp")
        .arg("-a")
        .arg(&site)
        .arg(&stale)
        .status()
        .expect("cp");
    fs::write(stale.join("stale.txt"), "old").expect("stale file");
    env.ok(&["publish", "--out", arg]);
    assert_eq!(leftovers(&parent), Vec::<String>::new());
    assert!(
        !site.join("stale.txt").exists(),
        "a stale leftover was merged in"
    );
    assert!(site.join("notes.txt").is_file());
}

/// Leftovers are matched to their own output folder only: an interrupted publish of
/// `www/site-2` (its previous output aside as `.medreview-publish-site-2-<x>.old`,
/// `site-2` missing) is neither restored as `www/site` nor deleted by a publish into
/// `www/site`; the next publish into `site-2` restores it.
#[test]
fn leftovers_of_a_sibling_output_folder_are_left_alone() {
    let env = approved();
    let parent = env.outside("www");
    let site = parent.join("site");
    let site2 = parent.join("site-2");
    env.ok(&["publish", "--out", site2.to_str().expect("utf-8")]);
    fs::write(site2.join("notes.txt"), "site-2 only\n").expect("notes");
    let aside = parent.join(".medreview-publish-site-2-a1B2c3.old");
    fs::rename(&site2, &aside).expect("move aside");

    // `site` missing: a first publish into it.
    env.ok(&["publish", "--out", site.to_str().expect("utf-8")]);
    assert!(
        !site.join("notes.txt").exists(),
        "site-2's old output was restored as site"
    );
    assert!(
        aside.join("notes.txt").is_file(),
        "site-2's old output is gone"
    );
    // `site` present: a second publish into it.
    env.ok(&["publish", "--out", site.to_str().expect("utf-8")]);
    assert!(
        aside.join("notes.txt").is_file(),
        "site-2's old output is gone"
    );

    env.ok(&["publish", "--out", site2.to_str().expect("utf-8")]);
    assert_eq!(
        fs::read_to_string(site2.join("notes.txt")).expect("restored"),
        "site-2 only\n"
    );
    assert_eq!(leftovers(&parent), Vec::<String>::new());
}

/// A file the user put in the HTML output folder under the name a page later takes
/// (`second.html`, before the article `second` was approved) is not overwritten
/// silently: HTML keeps files the manifest does not list, so publish refuses, naming
/// it, and changes nothing.
#[test]
fn a_user_file_in_the_way_of_a_new_page_is_not_overwritten() {
    let mut env = approved();
    let site = env.outside("site");
    let arg = site.to_str().expect("utf-8");
    env.ok(&[
        "new",
        "second",
        "--title",
        "A Second Article",
        "--writer",
        "suzanne-example",
        "--reviewer",
        "ana-example",
    ]);
    env.write(
        "articles/second/article.md",
        "---\ntitle: A Second Article\nwriter: suzanne-example\nreviewer: ana-example\n---\nBody text.\n",
    );
    env.ok(&[
        "submit",
        "second",
        "--as",
        "suzanne-example",
        "-m",
        "Draft.",
    ]);
    env.ok(&["publish", "--out", arg]);
    assert!(!site.join("second.html").exists());
    fs::write(site.join("second.html"), "the user's own page\n").expect("user file");
    env.set_now("2025-03-11T09:00:00-05:00");
    env.ok(&["approve", "second", "--as", "ana-example", "-m", "Fine."]);
    let before = tree(&site);
    let run = env.run(&["publish", "--out", arg]);
    assert!(
        fs::read_to_string(site.join("second.html")).expect("second.html")
            == "the user's own page\n",
        "publish overwrote the user's file (exit {}):\n{}",
        run.code,
        run.stderr
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("second.html"), "{}", run.stderr);
    assert!(tree(&site) == before, "the output changed");
}
