//! Hostile input and faults: each row of docs/hostile-input.md has a test here.
//!
//! Every refusal is checked the same way: exit 1, an `Error:` that names the file (and
//! line where the parser knows it), a `Hint:` where there is a fix, and a repository
//! left exactly as it was. Inputs that could hang or exhaust memory run under a time
//! limit and an address-space limit, so a regression fails the test instead of
//! stalling the suite. Tests documented `/// Regression: ...` guard against a bug found here
//! that is described in docs/hostile-input.md; they pass once it is fixed.
//!
//! Unix only: the limits are set with `sh -c 'ulimit -v ...'`, and several rows are
//! about symbolic links.

#![cfg(unix)]

use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{ARTICLE, HER2_ARTICLE, LEDGER, NEXT_DAY, Run, SLUG, START, TestEnv, json};

/// How long a refusal of hostile input may take, process start to exit.
const FAST: Duration = Duration::from_secs(5);

/// The address space a command handling hostile input may use. A fully expanded alias
/// bomb needs gigabytes; medreview itself needs a few megabytes.
const MEMORY_KIB: u64 = 256 * 1024;

/// The front matter of [`HER2_ARTICLE`] ends at this line (`---`); the body follows.
const FRONT_END: &str = "---\nHER2-positive";

/// Asserts `text` contains every one of `parts`.
#[track_caller]
fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "expected {part:?} in:\n{text}");
    }
}

/// The variables TestEnv gives medreview (and git), so processes started here run alike.
fn test_vars(env: &TestEnv, now: &str) -> Vec<(&'static str, OsString)> {
    vec![
        (
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        ),
        ("HOME", env.outside("home").into_os_string()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("LANG", "C".into()),
        ("NO_COLOR", "1".into()),
        ("MEDREVIEW_NOW", now.into()),
    ]
}

/// `program args` in the repository with the test environment and piped output.
fn command(env: &TestEnv, now: &str, program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .envs(test_vars(env, now))
        .current_dir(env.root())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Collects a child's output on threads (so a chatty child never blocks on a full
/// pipe), kills it if it outlives `deadline`, and returns its exit code and output.
fn finish(mut child: Child, deadline: Duration, what: &str) -> Run {
    fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {deadline:?}; it was stopped");
        }
        thread::sleep(Duration::from_millis(10));
    };
    let stdout = String::from_utf8_lossy(&stdout.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
    let Some(code) = status.code() else {
        panic!(
            "{what} was killed by a signal ({status}); out of its {} MiB of memory?\n{stderr}",
            MEMORY_KIB / 1024
        );
    };
    Run {
        code,
        stdout,
        stderr,
    }
}

/// Runs medreview with at most [`MEMORY_KIB`] of address space, failing the test if it
/// takes longer than [`FAST`] (the process is stopped, so the suite never hangs).
#[track_caller]
fn run_bounded(env: &TestEnv, now: &str, args: &[&str]) -> Run {
    let script = "ulimit -v \"$1\" || exit 125; shift; exec \"$0\" \"$@\"";
    let limit = MEMORY_KIB.to_string();
    let binary = env!("CARGO_BIN_EXE_medreview");
    let child = command(env, now, "sh", &["-c", script, binary, &limit])
        .args(args)
        .spawn()
        .expect("start medreview under sh");
    let run = finish(child, FAST, &format!("medreview {args:?}"));
    assert_ne!(run.code, 125, "sh could not limit memory: {}", run.stderr);
    run
}

/// HEAD, status, staged and unstaged changes: what a refusal must leave alone.
fn repo_state(env: &TestEnv) -> [String; 4] {
    [
        env.head(),
        env.porcelain(),
        env.git(&["diff", "--binary"]),
        env.git(&["diff", "--cached", "--binary"]),
    ]
}

/// Asserts no lock file of medreview or git was left behind.
#[track_caller]
fn assert_no_locks(env: &TestEnv) {
    for lock in [".git/medreview.lock", ".git/index.lock", ".git/HEAD.lock"] {
        assert!(!env.root().join(lock).exists(), "{lock} left behind");
    }
}

/// [`run_bounded`], asserting a refusal (exit 1, `Error:` first) that changed nothing.
#[track_caller]
fn refused_bounded(env: &TestEnv, now: &str, args: &[&str]) -> String {
    let before = repo_state(env);
    let run = run_bounded(env, now, args);
    assert_eq!(run.code, 1, "medreview {args:?}:\n{}", run.stderr);
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    assert_eq!(
        repo_state(env),
        before,
        "medreview {args:?} changed the repository"
    );
    assert_no_locks(env);
    run.stderr
}

/// `status --json` in a workspace where some article cannot be read: exit 1, nothing
/// changed, and the document (articles that could be read, and the problems).
#[track_caller]
fn status_with_problems(env: &TestEnv) -> Value {
    let before = repo_state(env);
    let run = env.run(&["status", "--json"]);
    assert_eq!(
        run.code, 1,
        "status should report a problem:\n{}",
        run.stdout
    );
    assert_eq!(repo_state(env), before, "status changed the repository");
    json(&run.stdout)
}

/// The 1-based line of `text` on which `needle` first starts.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text}"));
    text[..at].matches('\n').count() + 1
}

/// A YAML "billion laughs": `levels` keys at `indent` spaces, each anchoring a list of
/// nine aliases of the one before. Expanded, level 9 is 9^9 = 387,420,489 strings.
fn alias_bomb(indent: usize, levels: usize) -> String {
    let pad = " ".repeat(indent);
    let mut text = format!("{pad}b0: &b0 \"lol\"\n");
    for level in 1..=levels {
        let aliases = vec![format!("*b{}", level - 1); 9].join(", ");
        text.push_str(&format!("{pad}b{level}: &b{level} [{aliases}]\n"));
    }
    text
}

/// The seeded article with `extra` lines added at the end of its front matter.
fn her2_with_front(extra: &str) -> String {
    HER2_ARTICLE.replacen(FRONT_END, &format!("{extra}{FRONT_END}"), 1)
}

/// `git` with the test environment, whatever its outcome (for merges that conflict).
fn git_unchecked(env: &TestEnv, args: &[&str]) -> Run {
    let child = command(env, START, "git", args).spawn().expect("start git");
    finish(child, Duration::from_secs(30), &format!("git {args:?}"))
}

// --- YAML alias bombs -------------------------------------------------------------

#[test]
fn yaml_alias_bombs_are_refused_fast_in_bounded_memory() {
    let mut env = TestEnv::seeded();
    let bomb_line = line_of(HER2_ARTICLE, FRONT_END);

    // In front matter: refused by every command that reads the article.
    env.write(ARTICLE, &her2_with_front(&alias_bomb(0, 9)));
    let unknown = format!("article.md:{bomb_line}: unknown field `b0`, expected one of");
    let err = refused_bounded(&env, START, &["submit", SLUG, "--as", "suzanne-example"]);
    assert_mentions(&err, &[&unknown, "Hint: fix the YAML at that line"]);
    let started = Instant::now();
    env.refuse(&["log", SLUG]);
    let err = env.fails(&["status"]).stderr;
    assert_mentions(&err, &[&unknown]);
    assert!(started.elapsed() < FAST * 2, "{:?}", started.elapsed());
    // diff compares front matter field by field when it parses; a bomb hits the YAML
    // library's expansion limit, so diff falls back to comparing the text.
    let run = run_bounded(&env, START, &["diff", SLUG]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_mentions(&run.stdout, &["front matter:", "b9: &b9 [*b8, *b8"]);

    // In a roster file: every command that loads the roster refuses, naming the file.
    env.write(ARTICLE, HER2_ARTICLE);
    let roster = "reviewers/ana-example.yaml";
    let person = env.read(roster);
    env.append(roster, &alias_bomb(0, 9));
    let want = format!(
        "{roster}:{}: unknown field `b0`",
        person.matches('\n').count() + 1
    );
    for args in [
        &["status"][..],
        &["submit", SLUG, "--as", "suzanne-example"],
        &["log", SLUG],
    ] {
        let err = refused_bounded(&env, START, args);
        assert_mentions(&err, &[&want, "Hint: fix the YAML at that line"]);
    }
    env.write(roster, &person);

    // In a ledger: the bomb hides in the note of a hand-added entry.
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let ledger = env.read(LEDGER);
    let entry_line = ledger.matches('\n').count() + 1;
    env.append(
        LEDGER,
        &format!(
            "- action: approved\n  by: ana-example\n  at: {NEXT_DAY}\n  revision: {}\n  note:\n{}",
            env.hash_object(ARTICLE),
            alias_bomb(4, 9)
        ),
    );
    env.set_now(NEXT_DAY);
    let note = format!(
        "signoffs.yaml:{}: .[1].note: invalid type: map, expected a string",
        entry_line + 5
    );
    let err = refused_bounded(&env, NEXT_DAY, &["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(&err, &[&note, "Hint: fix the YAML at that line"]);
    let run = run_bounded(&env, NEXT_DAY, &["status", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let status = json(&run.stdout);
    assert_mentions(
        status["problems"][0]["error"].as_str().expect("text"),
        &[&note],
    );

    // Committed by hand, it stops publish (which reads the commit) just as fast.
    env.git(&["commit", "-q", "-am", "hand-edited ledger"]);
    let err = refused_bounded(&env, NEXT_DAY, &["publish", "--out", "site"]);
    assert_mentions(
        &err,
        &["signoffs.yaml (commit ", "[1].note: invalid type: map"],
    );
    assert!(!env.root().join("site").exists());
}

// --- Deep nesting -----------------------------------------------------------------

#[test]
fn deeply_nested_front_matter_is_refused_without_a_crash() {
    let env = TestEnv::seeded();
    let depth = 10_000;
    let cases = [
        (
            format!("topic: {}\n", "[".repeat(depth)),
            "collections are nested more than 64 levels deep",
        ),
        (
            format!("topic: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
            "collections are nested more than 64 levels deep",
        ),
        (
            format!("summary: {}x{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
            "collections are nested more than 64 levels deep",
        ),
        (
            format!("sources: {}\n", "[".repeat(depth)),
            "collections are nested more than 64 levels deep",
        ),
    ];
    for (nested, want) in cases {
        env.write(
            ARTICLE,
            &format!("---\ntitle: T\nwriter: suzanne-example\n{nested}---\nBody.\n"),
        );
        let err = refused_bounded(&env, START, &["submit", SLUG, "--as", "suzanne-example"]);
        assert_mentions(
            &err,
            &[
                &format!("article.md:4: {want}"),
                "Hint: fix the YAML at that line",
            ],
        );
        let run = run_bounded(&env, START, &["status", "--json"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            json(&run.stdout)["problems"].as_array().map(Vec::len),
            Some(1)
        );
        // diff cannot read these as fields (the YAML library's depth limit, or the
        // unclosed brackets), so it falls back to comparing the front matter as text.
        let run = run_bounded(&env, START, &["diff", SLUG]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_mentions(&run.stdout, &["front matter:"]);
    }
}

/// The YAML scanner is quadratic in the nesting depth of flow collections, and the
/// 1 MiB article limit is far above what it handles quickly: 100,000 `[` (100 KB)
/// take about 20 s to refuse, 1 MiB of them would take most of an hour.
#[test]
/// Regression: 100 KB of nested `[` in front matter takes ~20 s to refuse (quadratic YAML scan)
fn a_100_kb_nested_front_matter_is_refused_within_5_seconds() {
    let env = TestEnv::seeded();
    env.write(
        ARTICLE,
        &her2_with_front(&format!("x: {}\n", "[".repeat(100_000))),
    );
    let err = refused_bounded(&env, START, &["submit", SLUG, "--as", "suzanne-example"]);
    assert_mentions(&err, &["article.md:"]);
}

// --- Duplicate keys ---------------------------------------------------------------

#[test]
fn duplicate_keys_are_refused_naming_duplicate() {
    let env = TestEnv::seeded();
    let url = "    url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq\n";
    let cases = [
        (
            her2_with_front("title: A Second Title\n"),
            "duplicate field `title`",
        ),
        (
            her2_with_front("summary: The same key twice.\n"),
            "duplicate field `summary`",
        ),
        (
            HER2_ARTICLE.replacen(url, &format!("{url}    url: https://example.org/\n"), 1),
            "sources[0]: duplicate field `url`",
        ),
    ];
    for (text, want) in cases {
        env.write(ARTICLE, &text);
        let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
        assert_mentions(
            &err,
            &["article.md:", want, "Hint: fix the YAML at that line"],
        );
    }
    env.write(ARTICLE, HER2_ARTICLE);

    // Roster files and settings are held to the same rule.
    for (file, extra, want) in [
        (
            "writers/suzanne-example.yaml",
            "name: Someone Else\n",
            "duplicate field `name`",
        ),
        (
            "medreview.yaml",
            "publication: Other Health\n",
            "duplicate field `publication`",
        ),
    ] {
        let before = env.read(file);
        env.append(file, extra);
        let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
        assert_mentions(&err, &[&format!("{file}:"), want]);
        env.write(file, &before);
    }
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
}

/// serde_yaml reports a duplicate key at the start of the mapping that holds it, so the
/// message sends the writer to the wrong line of a long front matter.
#[test]
/// Regression: a duplicate key is reported at the first line of its mapping, not at the duplicate
fn a_duplicate_key_is_reported_at_its_own_line() {
    let env = TestEnv::seeded();
    let text = her2_with_front("title: A Second Title\n");
    env.write(ARTICLE, &text);
    let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
    let line = line_of(&text, "title: A Second Title");
    assert_mentions(
        &err,
        &[&format!("article.md:{line}: duplicate field `title`")],
    );
}

// --- The Norway problem -----------------------------------------------------------

/// An article whose title, topic, summary and source say NO / yes / off, approved by a
/// reviewer whose credentials are NO.
fn norway() -> TestEnv {
    let mut env = TestEnv::seeded();
    env.ok(&[
        "reviewer",
        "add",
        "nora-no",
        "--name",
        "Nora No",
        "--credentials",
        "NO",
        "--specialty",
        "on",
    ]);
    env.write(
        ARTICLE,
        "---\ntitle: NO\nwriter: suzanne-example\ntopic: NO\nsummary: yes\nsources:\n  - title: off\n    url: https://example.org/off\n---\nNorway's country code is NO.\n",
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "nora-no"]);
    env
}

#[test]
fn norway_values_stay_strings_and_a_non_boolean_setting_is_refused() {
    let env = norway();
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(status["articles"][0]["title"], "NO");
    assert_eq!(status["articles"][0]["state"], "approved");

    let out = env.outside("site");
    env.ok(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    let page = fs::read_to_string(out.join(format!("{SLUG}.html"))).expect("page");
    assert_mentions(
        &page,
        &[
            "<h1>NO</h1>",
            "<meta name=\"description\" content=\"yes\">",
            "Medically reviewed by Nora No, NO",
            "\"honorificSuffix\": \"NO\"",
            "\"headline\": \"NO\"",
        ],
    );
    assert!(
        !page.contains(">false<") && !page.contains("\"false\""),
        "{page}"
    );
    let manifest = json(&fs::read_to_string(out.join("manifest.json")).expect("manifest"));
    assert_eq!(manifest["articles"][0]["title"], "NO");

    // A setting that must be a boolean is refused, not guessed: YAML 1.1's NO, yes,
    // off and the string "false" are all refused with the line and the fix.
    let settings = env.read("medreview.yaml");
    let line = line_of(&settings, "require_signatures:");
    for value in ["NO", "yes", "off", "\"false\"", "0"] {
        env.write(
            "medreview.yaml",
            &settings.replace(
                "require_signatures: false",
                &format!("require_signatures: {value}"),
            ),
        );
        let err = env.refuse(&["status"]);
        let shown = value.trim_matches('"');
        let kind = if value == "0" {
            "integer `0`".to_owned()
        } else {
            format!("string \"{shown}\"")
        };
        assert_mentions(
            &err,
            &[
                &format!(
                    "medreview.yaml:{line}: review.require_signatures: invalid type: {kind}, expected a boolean"
                ),
                "Hint: fix the YAML at that line",
            ],
        );
    }
    env.write("medreview.yaml", &settings);
    env.ok(&["status"]);
}

/// The markdown export writes `title: NO`, `description: yes` and `credentials: NO` as
/// plain YAML scalars. Hugo (YAML 1.1 rules) reads them as booleans, so the built page
/// says "false" where the title and the reviewer's credentials belong.
#[test]
/// Regression: markdown export leaves NO/yes/off unquoted; Hugo renders them as false/true
fn markdown_export_quotes_strings_that_yaml_1_1_reads_as_booleans() {
    let env = norway();
    let out = env.outside("content");
    env.ok(&[
        "publish",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--format",
        "markdown",
    ]);
    let md = fs::read_to_string(out.join(format!("{SLUG}.md"))).expect("markdown page");
    for plain in [
        "title: NO\n",
        "description: yes\n",
        "credentials: NO\n",
        "topic: NO\n",
        "title: off\n",
    ] {
        assert!(
            !md.contains(plain),
            "{plain:?} is a boolean in YAML 1.1:\n{md}"
        );
    }
}

// --- Non-UTF-8 bytes --------------------------------------------------------------

#[test]
fn non_utf8_bytes_are_refused_naming_the_file_line_and_byte() {
    let mut env = TestEnv::seeded();
    let check = |env: &TestEnv, file: &str, bytes: &[u8], what: &str, args: &[&str]| {
        let before = fs::read(env.root().join(file)).expect("read");
        let mut bad = before.clone();
        bad.extend_from_slice(bytes);
        env.write_bytes(file, &bad);
        let offset = before.len() + bytes.iter().position(|b| *b >= 0x80).expect("a bad byte");
        let line = bad[..offset].iter().filter(|b| **b == b'\n').count() + 1;
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!("{file}:{line}: {what} is not valid UTF-8 (byte {offset})"),
                "Hint: save the file as UTF-8",
            ],
        );
        env.write_bytes(file, &before);
    };
    // Latin-1 é and a lone continuation byte, the two usual ways text arrives broken.
    let submit = ["submit", SLUG, "--as", "suzanne-example"];
    check(&env, "medreview.yaml", b"# Caf\xe9\n", "the file", &submit);
    check(
        &env,
        "reviewers/ana-example.yaml",
        b"# Dr. M\x80ller\n",
        "the file",
        &submit,
    );
    check(&env, ARTICLE, b"Caf\xe9 au lait.\n", "the article", &submit);

    env.ok(&submit);
    env.set_now(NEXT_DAY);
    let approve = ["approve", SLUG, "--as", "ana-example"];
    check(&env, LEDGER, b"# na\xefve\n", "the file", &approve);

    // status lists the unreadable article as a problem and exits 1.
    let ledger = fs::read(env.root().join(LEDGER)).expect("read");
    env.write_bytes(LEDGER, &[ledger.as_slice(), b"# \xff\n"].concat());
    let problems = status_with_problems(&env)["problems"].to_string();
    assert_mentions(&problems, &["signoffs.yaml:", "is not valid UTF-8"]);
    // publish reads the commit, where the ledger is intact.
    let out = env.outside("site");
    let run = env.ok(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    assert_mentions(&run.stderr, &["Skipped her2-treatment: in-review"]);
    env.write_bytes(LEDGER, &ledger);
    env.ok(&approve);
}

// --- A 50 MB article --------------------------------------------------------------

/// An untracked article folder holding a 50 MB article.md (untracked, so the
/// before-and-after comparison of the repository does not diff 50 MB).
fn fifty_megabytes(env: &TestEnv) -> usize {
    let mut text = HER2_ARTICLE.to_owned();
    let paragraph = "A paragraph pasted again and again from a PDF, page after page.\n\n";
    text.reserve(50_000_000);
    while text.len() < 50_000_000 {
        text.push_str(paragraph);
    }
    env.write("articles/big/article.md", &text);
    text.len()
}

#[test]
fn a_50_mb_article_is_refused_quickly_with_the_size_limit() {
    let env = TestEnv::seeded();
    let size = fifty_megabytes(&env);
    let limit =
        format!("articles/big/article.md: the article is {size} bytes; the limit is 1048576");
    let err = refused_bounded(&env, START, &["submit", "big", "--as", "suzanne-example"]);
    assert_mentions(&err, &[&limit, "Hint: split it into several articles"]);
    let err = refused_bounded(&env, START, &["log", "big"]);
    assert_mentions(&err, &[&limit]);
    let err = refused_bounded(&env, START, &["status"]);
    assert_mentions(&err, &[&limit]);
}

/// diff reads the working tree with no size limit and compares it word by word.
#[test]
/// Regression: `diff` of a 50 MB article is not refused: it ran >290 s and ~370 MB before being stopped
fn diff_of_a_50_mb_article_is_refused_with_the_size_limit() {
    let env = TestEnv::seeded();
    let size = fifty_megabytes(&env);
    let err = refused_bounded(&env, START, &["diff", "big"]);
    assert_mentions(
        &err,
        &[&format!(
            "the article is {size} bytes; the limit is 1048576"
        )],
    );
}

// --- Hostile names ----------------------------------------------------------------

/// Names that must never become a path, with the rule each one breaks.
fn hostile_names() -> Vec<(String, String)> {
    let only = "; only a-z, 0-9 and '-' are allowed";
    let device = |n: &str| format!("{n:?} is a reserved device name on Windows");
    [
        ("..", format!("it contains '.'{only}")),
        ("../../etc/passwd", format!("it contains '.'{only}")),
        ("a/b", format!("it contains '/'{only}")),
        ("/tmp", format!("it contains '/'{only}")),
        ("a\\b", format!("it contains '\\\\'{only}")),
        ("tab\there", format!("it contains '\\t'{only}")),
        ("con", device("con")),
        ("nul", device("nul")),
        ("com1", device("com1")),
        ("lpt9", device("lpt9")),
        ("-lead", "it starts or ends with a hyphen".to_owned()),
        ("trail-", "it starts or ends with a hyphen".to_owned()),
        ("dou--ble", "it contains a doubled hyphen".to_owned()),
        ("Her2", "it contains the capital letter 'H'".to_owned()),
        ("caf\u{e9}", format!("it contains '\u{e9}'{only}")),
        (
            "\u{440}\u{430}\u{43a}",
            format!("it contains '\u{440}'{only}"),
        ),
        ("", "it is empty".to_owned()),
    ]
    .into_iter()
    .map(|(n, r)| (n.to_owned(), r))
    .chain([(
        "a".repeat(81),
        "it is 81 characters long; the limit is 80".to_owned(),
    )])
    .collect()
}

#[test]
fn hostile_names_are_refused_by_every_command_before_any_path_is_built() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    for (name, rule) in hostile_names() {
        // Names go after `--` or `=`, so one starting with '-' reaches medreview.
        let as_flag = format!("--as={name}");
        let writer_flag = format!("--writer={name}");
        let commands: [(Vec<&str>, &str); 8] = [
            (
                vec![
                    "new",
                    "--title",
                    "T",
                    "--writer",
                    "suzanne-example",
                    "--",
                    &name,
                ],
                "slug",
            ),
            (
                vec!["new", "fine", "--title", "T", &writer_flag],
                "writer id",
            ),
            (
                vec!["submit", "--as", "suzanne-example", "--", &name],
                "slug",
            ),
            (
                vec!["writer", "add", "--name", "N", "--", &name],
                "writer id",
            ),
            (
                vec![
                    "reviewer",
                    "add",
                    "--name",
                    "N",
                    "--credentials",
                    "M.D.",
                    "--",
                    &name,
                ],
                "reviewer id",
            ),
            (vec!["submit", SLUG, &as_flag], "person id (--as)"),
            (vec!["approve", SLUG, &as_flag], "person id (--as)"),
            (
                vec!["publish", "--out", "site", &as_flag],
                "publisher id (--as)",
            ),
        ];
        for (args, what) in commands {
            let err = env.refuse(&args);
            assert_mentions(
                &err,
                &[
                    &format!("Error: {what} {name:?} is not valid: {rule}"),
                    "Hint: use lowercase ASCII letters and digits in words joined by single hyphens",
                ],
            );
        }
    }
    assert!(!env.root().join("site").exists());
    assert!(!env.outside("etc").exists());

    // NUL cannot travel in argv; the library refuses it like any other character.
    for name in ["a\0b", "\0", "her2\0/../x"] {
        let err = medreview::ids::Id::parse("slug", name).expect_err(name);
        assert_eq!(
            err.rule,
            "it contains '\\0'; only a-z, 0-9 and '-' are allowed"
        );
    }
    for (name, rule) in hostile_names() {
        let err = medreview::ids::Id::parse("slug", &name).expect_err(&name);
        assert_eq!(err.rule, rule, "{name:?}");
    }
}

#[test]
fn article_folders_with_bad_names_are_problems_in_status_not_crashes() {
    let env = TestEnv::seeded();
    for name in ["Bad_Name", "con", "trail-", "a..b", " space"] {
        env.write(&format!("articles/{name}/article.md"), HER2_ARTICLE);
    }
    let latin1 = env
        .root()
        .join("articles")
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    fs::create_dir_all(&latin1).expect("create non-UTF-8 folder");
    // A plain file in articles/ is not an article and not a problem.
    env.write("articles/README.txt", "notes\n");

    let status = status_with_problems(&env);
    let slugs: Vec<&str> = status["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .filter_map(|a| a["slug"].as_str())
        .collect();
    assert_eq!(slugs, [SLUG]);
    let problems: Vec<String> = status["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["error"].as_str().expect("text").to_owned())
        .collect();
    assert_eq!(problems.len(), 6, "{problems:#?}");
    for want in [
        "article folder name \"Bad_Name\" is not valid: it contains the capital letter 'B'",
        "article folder name \"con\" is not valid: \"con\" is a reserved device name on Windows",
        "article folder name \"trail-\" is not valid: it starts or ends with a hyphen",
        "article folder name \"a..b\" is not valid: it contains '.'",
        "article folder name \" space\" is not valid: it contains ' '",
        "article folder name \"caf\u{fffd}\" is not valid: it contains '\u{fffd}'",
    ] {
        assert!(
            problems.iter().any(|p| p == want || p.starts_with(want)),
            "{want} not in {problems:#?}"
        );
    }
    let table = env.fails(&["status"]);
    assert_mentions(&table.stdout, &[SLUG, "draft"]);
    assert_mentions(&table.stderr, &["Error: article folder name \"Bad_Name\""]);
    env.refuse(&["submit", "Bad_Name", "--as", "suzanne-example"]);

    // Committed, a misnamed folder stops publish (which exports the commit) by name.
    env.git(&["add", "articles"]);
    env.git(&["commit", "-q", "-m", "misnamed folders"]);
    let err = env.refuse(&["publish", "--out", "site"]);
    assert_mentions(&err, &["article folder \"", "is not valid"]);
    assert!(!env.root().join("site").exists());
}

/// The HTML export writes each article to `<slug>.html` and the index to `index.html`;
/// an article with the valid slug `index` is silently replaced by the index page while
/// stdout and manifest.json say it was published there. (In the markdown export,
/// `index.md` at the content root turns Hugo's home page into a leaf bundle that
/// swallows every other article.)
#[test]
/// Regression: an approved article with slug `index` is overwritten by the index page
fn an_article_named_index_is_not_overwritten_by_the_index_page() {
    let env = TestEnv::seeded();
    let err = env.refuse(&[
        "new",
        "index",
        "--title",
        "Index Of Symptoms",
        "--writer",
        "suzanne-example",
    ]);
    assert_mentions(
        &err,
        &["slug \"index\" is not valid: it is reserved for the site's index page"],
    );
    // A folder made by hand is refused too, by name, before anything is written.
    env.write(
        "articles/index/article.md",
        "---\ntitle: Index\nwriter: suzanne-example\n---\nSymptoms, from A to Z.\n",
    );
    env.refuse(&["submit", "index", "--as", "suzanne-example"]);
    env.git(&["add", "articles"]);
    env.git(&["commit", "-q", "-m", "an index article"]);
    let out = env.outside("site");
    let run = env.run(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(&run.stderr, &["\"index\"", "reserved"]);
    assert!(!out.exists());
}

// --- Symbolic links ---------------------------------------------------------------

/// A file outside the repository that would pass for an article if a link were followed.
fn secret_article(env: &TestEnv, name: &str) -> std::path::PathBuf {
    let path = env.outside(name);
    fs::create_dir_all(path.parent().expect("parent")).expect("create");
    fs::write(
        &path,
        HER2_ARTICLE.replace("HER2-positive breast cancer makes", "SECRET-OUTSIDE makes"),
    )
    .expect("write outside file");
    path
}

/// Asserts no commit, tree or page holds the outside text.
#[track_caller]
fn assert_secret_stayed_outside(env: &TestEnv, out: &Path) {
    let history = env.git(&["log", "--all", "-p", "--format=%H %s"]);
    assert!(!history.contains("SECRET-OUTSIDE"), "{history}");
    if out.exists() {
        for entry in fs::read_dir(out).expect("list output") {
            let text = fs::read(entry.expect("entry").path()).expect("read output");
            assert!(!String::from_utf8_lossy(&text).contains("SECRET-OUTSIDE"));
        }
    }
}

#[test]
fn symlinked_article_folders_and_files_are_refused_or_reported() {
    let mut env = TestEnv::seeded();
    let outside_dir = env.outside("elsewhere");
    secret_article(&env, "elsewhere/article.md");
    symlink(&outside_dir, env.root().join("articles/linked-folder")).expect("link folder");
    let passwd = secret_article(&env, "etc/passwd");
    fs::create_dir_all(env.root().join("articles/linked-file")).expect("folder");
    symlink(&passwd, env.root().join("articles/linked-file/article.md")).expect("link file");

    let run = env.fails(&["status"]);
    assert_mentions(
        &run.stderr,
        &[
            "articles/linked-folder is a symbolic link; articles must be real folders",
            "articles/linked-file/article.md is a symbolic link",
        ],
    );
    assert_mentions(&run.stdout, &[SLUG]);
    let err = env.refuse(&["submit", "linked-folder", "--as", "suzanne-example"]);
    assert_mentions(&err, &["articles/linked-folder is a symbolic link"]);
    let err = env.refuse(&["submit", "linked-file", "--as", "suzanne-example"]);
    assert_mentions(
        &err,
        &[
            "articles/linked-file/article.md is a symbolic link",
            "Hint: replace the link with the real folder or file",
        ],
    );
    for args in [
        &["log", "linked-file"][..],
        &["diff", "linked-file"],
        &["status", "linked-folder"],
    ] {
        env.refuse(args);
    }

    // Committed with plain git (git stores the link, not its target), with a ledger
    // that claims the link's blob was approved: publish still reads nothing outside.
    env.git(&["add", "articles"]);
    let link_blob = env.git(&["rev-parse", ":articles/linked-file/article.md"]);
    env.write(
        "articles/linked-file/signoffs.yaml",
        &format!(
            "- action: submitted\n  by: suzanne-example\n  at: {START}\n  revision: {0}\n- action: approved\n  by: ana-example\n  at: {NEXT_DAY}\n  revision: {0}\n",
            link_blob.trim()
        ),
    );
    env.git(&["add", "articles"]);
    env.git(&["commit", "-q", "-m", "links, by hand"]);
    env.set_now(NEXT_DAY);
    let out = env.outside("site");
    let out_arg = out.to_str().expect("UTF-8 path");
    let err = env.refuse(&["publish", "--out", out_arg]);
    assert_mentions(
        &err,
        &["articles/linked-folder (commit ", "is a symbolic link"],
    );
    fs::remove_file(env.root().join("articles/linked-folder")).expect("unlink");
    env.git(&["rm", "-q", "--cached", "articles/linked-folder"]);
    env.git(&["commit", "-q", "-m", "drop the folder link"]);
    let err = env.refuse(&["publish", "--out", out_arg]);
    assert_mentions(
        &err,
        &[
            "linked-file/article.md@r1",
            "does not start with YAML front matter",
        ],
    );
    assert!(!out.exists());
    assert_secret_stayed_outside(&env, &out);
}

/// `articles/` itself may be a link to a folder outside the repository: status lists
/// what is there, and submit reads the outside article into a commit and writes the
/// ledger outside the repository.
#[test]
/// Regression: with `articles/` a symlink out of the repository, submit commits the outside file
fn a_symlinked_articles_folder_is_not_followed_out_of_the_repository() {
    let env = TestEnv::seeded();
    let outside = env.outside("outside-articles");
    fs::rename(env.root().join("articles"), &outside).expect("move articles/ out");
    symlink(&outside, env.root().join("articles")).expect("link articles/");
    secret_article(&env, "outside-articles/stolen/article.md");
    let run = env.run(&["submit", "stolen", "--as", "suzanne-example"]);
    assert_eq!(run.code, 1, "submit followed the link:\n{}", run.stderr);
    assert!(
        !env.outside("outside-articles/stolen/signoffs.yaml")
            .exists()
    );
    assert_secret_stayed_outside(&env, &env.outside("no-site"));
}

/// `signoffs.yaml` as a link is followed when reading (unlike article.md and article
/// folders), so status reports the state recorded in an outside file.
#[test]
/// Regression: a symlinked signoffs.yaml is followed; status shows an approval that is not in the repository
fn a_symlinked_ledger_is_reported_not_trusted() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let forged = format!(
        "{}- action: approved\n  by: ana-example\n  at: {NEXT_DAY}\n  revision: {}\n",
        env.read(LEDGER),
        env.hash_object(ARTICLE)
    );
    fs::write(env.outside("forged.yaml"), forged).expect("write forged ledger");
    fs::remove_file(env.root().join(LEDGER)).expect("remove ledger");
    symlink(env.outside("forged.yaml"), env.root().join(LEDGER)).expect("link");
    let run = env.run(&["status", "--json"]);
    let status = json(&run.stdout);
    assert_ne!(status["articles"][0]["state"], "approved", "{status:#}");
    assert_eq!(run.code, 1);
    assert_mentions(
        &status["problems"].to_string(),
        &["signoffs.yaml is a symbolic link"],
    );
}

// --- Ledger contents --------------------------------------------------------------

#[test]
fn a_ledger_with_an_unknown_action_is_refused_with_file_and_line() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let line = env.read(LEDGER).matches('\n').count() + 1;
    env.append(
        LEDGER,
        &format!(
            "- action: rubber-stamped\n  by: ana-example\n  at: {NEXT_DAY}\n  revision: {}\n",
            env.hash_object(ARTICLE)
        ),
    );
    env.set_now(NEXT_DAY);
    let want = format!(
        "articles/her2-treatment/signoffs.yaml:{line}: .[1].action: unknown variant `rubber-stamped`, expected one of `submitted`, `approved`, `changes-requested`, `withdrawn`"
    );
    for args in [
        &["approve", SLUG, "--as", "ana-example"][..],
        &["log", SLUG],
        &["status", SLUG],
    ] {
        let err = env.refuse(args);
        assert_mentions(&err, &[&want, "Hint: fix the YAML at that line"]);
    }
    let run = env.fails(&["status"]);
    assert_mentions(&run.stderr, &[&want]);
    // Committed by hand, publish refuses it too, naming the commit it read.
    env.git(&["commit", "-q", "-am", "rubber stamp"]);
    let err = env.refuse(&["publish", "--out", "site"]);
    assert_mentions(
        &err,
        &["signoffs.yaml (commit ", "unknown variant `rubber-stamped`"],
    );
}

/// An article `ghost` whose hand-committed ledger submits and approves a blob the
/// repository does not have.
fn ghost() -> (TestEnv, String) {
    let env = TestEnv::seeded();
    env.ok(&[
        "new",
        "ghost",
        "--title",
        "Ghost",
        "--writer",
        "suzanne-example",
    ]);
    let missing = "0123456789abcdef0123456789abcdef01234567".to_owned();
    env.write(
        "articles/ghost/signoffs.yaml",
        &format!(
            "- action: submitted\n  by: suzanne-example\n  at: {START}\n  revision: {missing}\n- action: approved\n  by: ana-example\n  at: {NEXT_DAY}\n  revision: {missing}\n"
        ),
    );
    env.git(&["add", "articles/ghost/signoffs.yaml"]);
    env.git(&["commit", "-q", "-m", "a ledger written by hand"]);
    (env, missing)
}

#[test]
fn a_ledger_naming_a_missing_blob_is_reported_and_publish_refuses() {
    let (mut env, missing) = ghost();
    env.set_now(NEXT_DAY);
    let want = format!("revision {missing} is not in the repository's object database");
    let status = status_with_problems(&env);
    assert_eq!(status["articles"][0]["slug"], SLUG, "{status:#}");
    let error = status["problems"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(&want) && error.contains("ghost/signoffs.yaml"),
        "names the ledger: {error}"
    );
    for args in [
        &["status", "ghost"][..],
        &["log", "ghost"],
        &["diff", "ghost"],
        &["publish", "--out", "site"],
    ] {
        let err = env.refuse(args);
        assert_mentions(&err, &[&want, "Hint: fetch the commits that recorded it"]);
    }
    assert!(!env.root().join("site").exists());
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_mentions(&format!("{}{}", run.stdout, run.stderr), &[&missing[..7]]);
}

/// The problem says which revision is missing but not which article or ledger names it.
#[test]
/// Regression: the missing-revision error from status/publish does not name the article or its ledger
fn a_missing_blob_error_names_the_article() {
    let (mut env, _) = ghost();
    env.set_now(NEXT_DAY);
    let problem = status_with_problems(&env)["problems"][0]["error"].to_string();
    assert_mentions(&problem, &["ghost"]);
    let err = env.refuse(&["publish", "--out", "site"]);
    assert_mentions(&err, &["articles/ghost/signoffs.yaml"]);
}

// --- Merges -----------------------------------------------------------------------

#[test]
fn a_union_merge_of_two_branches_keeps_both_ledger_entries() {
    let mut env = TestEnv::seeded();
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "First draft.",
    ]);
    env.git(&["branch", "second-opinion"]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Accurate."]);
    env.git(&["checkout", "-q", "second-opinion"]);
    env.set_now("2025-03-04T11:00:00-05:00");
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Cite the trial.",
    ]);
    env.git(&["checkout", "-q", "main"]);
    env.git(&["merge", "-q", "--no-edit", "second-opinion"]);

    let ledger = env.read(LEDGER);
    assert!(!ledger.contains("<<<<<<<"), "{ledger}");
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["submitted", "approved", "changes-requested"]);
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "changes-requested");
    // The merged ledger is the committed record, so the next sign-off extends it.
    env.append(ARTICLE, "\nSources: the trial is cited above.\n");
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    assert!(env.read(LEDGER).starts_with(&ledger));
}

#[test]
fn conflict_markers_in_a_ledger_refuse_sign_offs_and_change_nothing() {
    let mut env = TestEnv::approved();
    let ledger = env.read(LEDGER);
    let split = ledger.find("- action: approved").expect("approval");
    let marked = format!(
        "{}<<<<<<< HEAD\n{}=======\n- action: withdrawn\n  by: david-okafor\n  at: {NEXT_DAY}\n  revision: {}\n>>>>>>> other\n",
        &ledger[..split],
        &ledger[split..],
        env.hash_object(ARTICLE)
    );
    env.write(LEDGER, &marked);
    let line = line_of(&marked, "<<<<<<<");
    env.set_now("2025-03-05T09:00:00-05:00");
    for args in [
        &["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."][..],
        &["approve", SLUG, "--as", "david-okafor"],
    ] {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!("signoffs.yaml:{line}: the file holds unresolved merge conflict markers"),
                "Hint: ",
            ],
        );
    }
    env.fails(&["status"]);
}

/// A ledger with conflict markers gets the generic YAML hint ("fix the YAML at that
/// line"), which invites hand-editing an append-only record instead of finishing the merge.
#[test]
/// Regression: conflict markers in signoffs.yaml get a generic YAML error, not a merge-conflict hint
fn conflict_markers_in_a_ledger_are_named_as_a_merge_conflict() {
    let mut env = TestEnv::approved();
    let ledger = env.read(LEDGER);
    env.write(
        LEDGER,
        &format!("<<<<<<< HEAD\n{ledger}=======\n>>>>>>> other\n"),
    );
    env.set_now("2025-03-05T09:00:00-05:00");
    let err = env.refuse(&["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."]);
    assert_mentions(&err, &["conflict"]);
}

#[test]
fn an_unmerged_index_refuses_sign_offs_with_a_hint_to_resolve_it() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.git(&["checkout", "-q", "-b", "side"]);
    env.write(
        ARTICLE,
        &HER2_ARTICLE.replace("twenty years", "two decades"),
    );
    env.git(&["commit", "-q", "-am", "side edit"]);
    env.git(&["checkout", "-q", "main"]);
    env.write(ARTICLE, &HER2_ARTICLE.replace("twenty years", "20 years"));
    env.git(&["commit", "-q", "-am", "main edit"]);
    let merge = git_unchecked(&env, &["merge", "--no-edit", "side"]);
    assert_eq!(merge.code, 1, "the merge should conflict: {}", merge.stdout);
    assert!(
        env.porcelain()
            .contains("UU articles/her2-treatment/article.md")
    );

    env.set_now(NEXT_DAY);
    for args in [
        &["approve", SLUG, "--as", "ana-example"][..],
        &[
            "request-changes",
            SLUG,
            "--as",
            "ana-example",
            "-m",
            "Merge first.",
        ],
        &["submit", SLUG, "--as", "suzanne-example"],
    ] {
        let err = env.refuse(args);
        assert_mentions(&err, &["merge conflict", "Hint: resolve the conflict"]);
    }
}

// --- Locks and concurrency --------------------------------------------------------

#[test]
fn a_stale_index_lock_refuses_sign_offs_until_it_is_removed() {
    let env = TestEnv::seeded();
    let lock = env.root().join(".git/index.lock");
    fs::write(&lock, "").expect("write a stale lock");
    for args in [
        &["submit", SLUG, "--as", "suzanne-example"][..],
        &[
            "new",
            "flu-shot",
            "--title",
            "Flu",
            "--writer",
            "suzanne-example",
        ],
    ] {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!("the repository is locked: {} exists", lock.display()),
                &format!(
                    "Hint: another git or medreview command is running; if none is, remove {}",
                    lock.display()
                ),
            ],
        );
    }
    assert!(lock.exists(), "medreview removed a lock it did not take");
    fs::remove_file(&lock).expect("remove the lock");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let committed = env.git(&["show", &format!("HEAD:{LEDGER}")]);
    assert_mentions(
        &committed,
        &[&format!("revision: {}", env.hash_object(ARTICLE))],
    );
}

#[test]
fn four_simultaneous_sign_offs_all_land_and_the_repository_stays_sound() {
    let env = TestEnv::seeded();
    let slugs = [SLUG, "flu-shot", "sunscreen", "sleep-apnea"];
    for slug in &slugs[1..] {
        env.ok(&["new", slug, "--title", slug, "--writer", "suzanne-example"]);
        env.append(
            &format!("articles/{slug}/article.md"),
            "A first paragraph.\n",
        );
    }
    for round in 1..=3 {
        let now = format!("2025-03-0{}T10:00:00-05:00", round + 3);
        for slug in slugs {
            env.append(
                &format!("articles/{slug}/article.md"),
                &format!("\nRound {round}.\n"),
            );
        }
        let before = env.commit_count();
        let children: Vec<(&str, Child)> = slugs
            .iter()
            .map(|slug| {
                let args = ["submit", slug, "--as", "suzanne-example", "-m", "Round."];
                let child = command(&env, &now, env!("CARGO_BIN_EXE_medreview"), &args)
                    .spawn()
                    .expect("start medreview");
                (*slug, child)
            })
            .collect();
        let mut landed = 0;
        for (slug, child) in children {
            let run = finish(child, Duration::from_secs(30), &format!("submit {slug}"));
            let rel = format!("articles/{slug}/article.md");
            let revision = env.hash_object(&rel);
            let committed = env.git(&["show", &format!("HEAD:articles/{slug}/signoffs.yaml")]);
            match run.code {
                0 => {
                    landed += 1;
                    assert_mentions(&committed, &[&format!("revision: {revision}")]);
                    assert_eq!(env.git(&["show", &format!("HEAD:{rel}")]), env.read(&rel));
                }
                1 => {
                    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
                    assert!(
                        !committed.contains(&revision),
                        "a refused submit was committed"
                    );
                }
                code => panic!("submit {slug} exited {code}:\n{}", run.stderr),
            }
        }
        assert!(landed >= 1, "round {round}: every submit failed");
        assert_eq!(env.commit_count(), before + landed, "round {round}");
        env.git(&["fsck", "--strict", "--no-dangling"]);
        assert_no_locks(&env);
        if landed == slugs.len() {
            assert_eq!(env.porcelain(), "", "round {round}");
        }
    }
}
