//! Hostile input and faults: each row of docs/hostile-input.md has a test here.
//!
//! Every refusal is checked the same way: exit 1, an `Error:` that names the file (and
//! line where the parser knows it), a `Hint:` where there is a fix, and a repository
//! left exactly as it was. Inputs that could hang or exhaust memory run under a time
//! limit and an address-space limit, so a regression fails the test instead of
//! stalling the suite. Tests documented `/// Regression: ...` guard against a bug found here
//! that is described in docs/hostile-input.md ("Fixed here"); every one of them is fixed
//! and passes, and none is ignored.
//!
//! The record is format 2 (one immutable file per sign-off under
//! `articles/<slug>/signoffs/`). Most attacks on it use a hand-made sign-off: a file
//! with exactly the name medreview would give its bytes, so only the part under test
//! is hostile.
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

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId, HEADER};
use medreview_store::revision::RevId;
use serde_json::Value;

use crate::common::{ARTICLE, HER2_ARTICLE, NEXT_DAY, Run, SIGNOFFS, SLUG, START, TestEnv, json};

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

/// Commits `file` as it is in the working tree, alone: sign-offs judge by the
/// committed roster (an uncommitted roster file only gets a warning), so a broken
/// roster file must be committed to be the roster they read.
fn commit_roster_file(env: &TestEnv, file: &str) {
    if file.starts_with("writers/") || file.starts_with("reviewers/") {
        env.git(&["add", file]);
        env.git(&["commit", "-q", "-m", "hand edit", "--", file]);
    }
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
        .args(crate::common::with_latest_revision(env.root(), args))
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

/// A sign-off made by hand (no note, unsigned), for `TestEnv::write_entry`.
fn hand_entry(action: Action, by: &str, at: &str, revision: &str, after: &[&str]) -> Entry {
    Entry {
        action,
        by: Id::parse("id", by).expect("a valid id"),
        at: DateTime::parse_from_rfc3339(at).expect("an RFC 3339 time"),
        revision: RevId::parse(revision).expect("a 40-hex blob id"),
        after: after
            .iter()
            .map(|id| EntryId::parse(id).expect("an entry id"))
            .collect(),
        roster: Vec::new(),
        note: None,
        recorded_by: None,
        clock: None,
        format: None,
        viewed: None,
        meaning: None,
        name: None,
        credentials: None,
        change: None,
        schedule: None,
        signature: None,
    }
}

/// Writes `fields` (YAML, after medreview's header line) as a sign-off file of `slug`
/// named `<stem>-<first 12 hex digits of its git blob id>.yaml`, the name medreview
/// would give those exact bytes, so only the content is hostile. Returns the
/// workspace-relative path.
fn write_raw_entry(env: &TestEnv, slug: &str, stem: &str, fields: &[u8]) -> String {
    let bytes = [HEADER.as_bytes(), fields].concat();
    let scratch = env.outside("raw-entry.yaml");
    fs::write(&scratch, &bytes).expect("write the entry outside the repository");
    let digest = env.git(&["hash-object", scratch.to_str().expect("UTF-8 path")]);
    fs::remove_file(&scratch).expect("remove the scratch file");
    let rel = format!("articles/{slug}/signoffs/{stem}-{}.yaml", &digest[..12]);
    env.write_bytes(&rel, &bytes);
    rel
}

/// The id (file name without `.yaml`) of the sign-off of `slug` whose name contains `part`.
fn entry_id(env: &TestEnv, slug: &str, part: &str) -> String {
    let path = env.signoff_path(slug, part);
    let name = path.rsplit('/').next().expect("a file name");
    name.trim_end_matches(".yaml").to_owned()
}

/// Every sign-off file of `slug` in HEAD, concatenated in name order.
fn committed_record(env: &TestEnv, slug: &str) -> String {
    let folder = format!("articles/{slug}/signoffs");
    env.git(&["ls-tree", "--name-only", "HEAD", &format!("{folder}/")])
        .lines()
        .map(|path| env.git(&["show", &format!("HEAD:{path}")]))
        .collect()
}

/// The problems `check --json` lists, as (code, "file: message"); check must exit 1.
#[track_caller]
fn check_problems(env: &TestEnv) -> Vec<(String, String)> {
    let run = env.run(&["check", "--json"]);
    assert_eq!(
        run.code, 1,
        "check should fail:\n{}{}",
        run.stdout, run.stderr
    );
    json(&run.stdout)["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            let file = p["file"].as_str().unwrap_or_default();
            let message = p["message"].as_str().expect("a message");
            let place = match p["line"].as_u64() {
                Some(line) => format!("{file}:{line}"),
                None => file.to_owned(),
            };
            (
                p["code"].as_str().expect("a code").to_owned(),
                format!("{place}: {message}"),
            )
        })
        .collect()
}

/// Asserts a problem with `code` whose file or message contains every one of `parts`.
#[track_caller]
fn assert_problem(problems: &[(String, String)], code: &str, parts: &[&str]) {
    assert!(
        problems
            .iter()
            .any(|(c, m)| c == code && parts.iter().all(|p| m.contains(p))),
        "no [{code}] problem mentioning {parts:?} in {problems:#?}"
    );
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
    let want = format!(":{}: unknown field `b0`", person.matches('\n').count() + 1);
    // Every command judges by the committed roster, as `publish` does (issue 13
    // item 10), so an uncommitted bomb is never parsed; status names it, fast.
    let run = run_bounded(&env, START, &["log", SLUG]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_bounded(&env, START, &["status"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_mentions(
        &run.stderr,
        &[&format!("Warning: {roster} has uncommitted changes")],
    );
    // Committed, it is the roster: every command that loads it refuses, naming it.
    commit_roster_file(&env, roster);
    let err = refused_bounded(&env, START, &["submit", SLUG, "--as", "suzanne-example"]);
    assert_mentions(&err, &[roster, &want, "Hint: fix the YAML at that line"]);
    let err = env.fails(&["status"]).stderr;
    assert_mentions(&err, &[roster, &want]);
    env.write(roster, &person);
    commit_roster_file(&env, roster);

    // In a sign-off file: the bomb hides in the note of a hand-made approval whose
    // name carries the digest of its bytes, so only the YAML inside is hostile.
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let fields = format!(
        "action: approved\nby: ana-example\nat: {NEXT_DAY}\nrevision: {}\nafter:\n- {}\nnote:\n{}",
        env.hash_object(ARTICLE),
        entry_id(&env, SLUG, "submitted"),
        alias_bomb(4, 9)
    );
    let bomb = write_raw_entry(
        &env,
        SLUG,
        "20250304T140000Z-approved-ana-example",
        fields.as_bytes(),
    );
    env.set_now(NEXT_DAY);
    // Line 9 is the first key under `note:` (after the header and six lines of fields).
    let note = format!("{bomb}:9: note: invalid type: map, expected a string");
    let err = refused_bounded(&env, NEXT_DAY, &["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[
            &format!("Error: the record of {SLUG} is damaged: "),
            &bomb,
            &note,
            "Hint: sign-off files are written only by medreview",
        ],
    );
    let run = run_bounded(&env, NEXT_DAY, &["status", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let status = json(&run.stdout);
    assert_mentions(
        status["problems"][0]["message"].as_str().expect("text"),
        &[&note],
    );

    // Committed by hand, it stops publish (which reads the commit) just as fast, and
    // check lists it in the working tree and in the commit that added it.
    env.git(&["add", SIGNOFFS]);
    env.git(&["commit", "-q", "-m", "hand-made sign-off"]);
    let err = refused_bounded(&env, NEXT_DAY, &["publish", "--out", "site"]);
    assert_mentions(
        &err,
        &[&format!("{bomb}:9: note: invalid type: map"), "(commit "],
    );
    assert!(!env.root().join("site").exists());
    let run = run_bounded(&env, NEXT_DAY, &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(
        &format!("{}{}", run.stdout, run.stderr),
        &[
            ":9: note: invalid type: map, expected a string [entry-damaged]",
            "line 9: note: invalid type: map, expected a string [entry-invalid]",
        ],
    );
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
        commit_roster_file(&env, file);
        let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
        // A committed file is named with its commit: `FILE (commit abc1234):LINE:`.
        assert_mentions(&err, &[file, want]);
        env.write(file, &before);
        commit_roster_file(&env, file);
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
            "Nora No, NO</a>",
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
        commit_roster_file(env, file);
        let offset = before.len() + bytes.iter().position(|b| *b >= 0x80).expect("a bad byte");
        let line = bad[..offset].iter().filter(|b| **b == b'\n').count() + 1;
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                file,
                &format!(":{line}: {what} is not valid UTF-8 (byte {offset})"),
                "Hint: save the file as UTF-8",
            ],
        );
        env.write_bytes(file, &before);
        commit_roster_file(env, file);
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
    let damaged = format!("Error: the record of {SLUG} is damaged: ");
    let restore = "Hint: sign-off files are written only by medreview and never change";

    // A hand-made sign-off with a Latin-1 byte in its note, named by the digest of
    // those very bytes, so only the encoding is wrong: damage, naming the file.
    let fields = format!(
        "action: approved\nby: ana-example\nat: {NEXT_DAY}\nrevision: {}\nafter:\n- {}\nnote: na",
        env.hash_object(ARTICLE),
        entry_id(&env, SLUG, "submitted")
    );
    let fields = [fields.as_bytes(), b"\xefve\n"].concat();
    let latin1 = write_raw_entry(&env, SLUG, "20250304T140000Z-approved-ana-example", &fields);
    let err = env.refuse(&approve);
    assert_mentions(
        &err,
        &[
            &damaged,
            &format!("{latin1}:8: is not valid UTF-8 (byte 274)"),
            restore,
        ],
    );
    let problems = status_with_problems(&env)["problems"].to_string();
    assert_mentions(&problems, &[&latin1, "is not valid UTF-8"]);
    assert_problem(
        &check_problems(&env),
        "entry-damaged",
        &[&latin1, "is not valid UTF-8 (byte 274)"],
    );
    fs::remove_file(env.root().join(&latin1)).expect("remove the hand-made file");

    // A byte appended to a recorded sign-off: its name no longer matches its bytes.
    let recorded = env.signoff_path(SLUG, "submitted");
    let intact = fs::read(env.root().join(&recorded)).expect("read");
    env.write_bytes(&recorded, &[intact.as_slice(), b"# \xff\n"].concat());
    let err = env.refuse(&approve);
    assert_mentions(
        &err,
        &[
            &damaged,
            &recorded,
            "does not match the digest in its name (its blob id is ",
            "it was edited after it was recorded",
        ],
    );
    let problems = status_with_problems(&env)["problems"].to_string();
    assert_mentions(
        &problems,
        &[&recorded, "it was edited after it was recorded"],
    );
    // publish reads the commit, where the sign-off is intact.
    let out = env.outside("site");
    let run = env.ok(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    assert_mentions(&run.stderr, &["Skipped her2-treatment: in-review"]);
    env.write_bytes(&recorded, &intact);
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
        let err = medreview_core::ids::Id::parse("slug", name).expect_err(name);
        assert_eq!(
            err.rule,
            "it contains '\\0'; only a-z, 0-9 and '-' are allowed"
        );
    }
    for (name, rule) in hostile_names() {
        let err = medreview_core::ids::Id::parse("slug", &name).expect_err(&name);
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
        .map(|p| p["message"].as_str().expect("text").to_owned())
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

    // Committed with plain git (git stores the link, not its target), with hand-made
    // sign-offs that claim the link's blob was submitted and approved: publish still
    // reads nothing outside.
    env.git(&["add", "articles"]);
    let link_blob = env.git(&["rev-parse", ":articles/linked-file/article.md"]);
    let link_blob = link_blob.trim();
    let submitted = hand_entry(Action::Submitted, "suzanne-example", START, link_blob, &[]);
    let submitted = env.write_entry("linked-file", &submitted);
    let submitted_id = submitted
        .rsplit('/')
        .next()
        .and_then(|name| name.strip_suffix(".yaml"))
        .expect("an entry file name");
    let approved = hand_entry(
        Action::Approved,
        "ana-example",
        NEXT_DAY,
        link_blob,
        &[submitted_id],
    );
    env.write_entry("linked-file", &approved);
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
/// what is there, and submit reads the outside article into a commit and writes its
/// sign-off outside the repository.
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
    assert!(!env.outside("outside-articles/stolen/signoffs").exists());
    assert_secret_stayed_outside(&env, &env.outside("no-site"));
}

/// A sign-off file, or the whole `signoffs` folder, as a link to a forged approval
/// outside the repository (format 1's version of this bug: a linked `signoffs.yaml`
/// was followed, and status showed an approval held in no commit).
#[test]
/// Regression: a symlinked signoffs.yaml is followed; status shows an approval that is not in the repository
fn a_symlinked_sign_off_file_or_folder_is_reported_not_trusted() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let submitted = env.signoff_path(SLUG, "submitted");
    // The forged approval has exactly the name medreview would give it.
    let forged = hand_entry(
        Action::Approved,
        "ana-example",
        NEXT_DAY,
        &env.hash_object(ARTICLE),
        &[&entry_id(&env, SLUG, "submitted")],
    );
    let (id, bytes) = forged.to_file();
    let outside = env.outside("forged");
    fs::create_dir_all(&outside).expect("create the outside folder");
    fs::write(outside.join(id.file_name()), bytes).expect("write the forged approval");
    env.set_now(NEXT_DAY);
    let not_approved = |env: &TestEnv| {
        let run = env.run(&["status", "--json"]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        let status = json(&run.stdout);
        let states = status["articles"].to_string();
        assert!(!states.contains("\"approved\""), "{status:#}");
        status["problems"].to_string()
    };

    // One linked file in the real folder: damage, never read.
    let link = format!("{SIGNOFFS}/{}", id.file_name());
    symlink(outside.join(id.file_name()), env.root().join(&link)).expect("link the file");
    let not_a_file = format!("the record of {SLUG} is damaged: {link} is not a regular file");
    assert_mentions(&not_approved(&env), &[&not_a_file]);
    for args in [
        &["approve", SLUG, "--as", "ana-example"][..],
        &["log", SLUG],
        &["status", SLUG],
    ] {
        let err = env.refuse(args);
        assert_mentions(&err, &[&not_a_file]);
    }
    assert_problem(
        &check_problems(&env),
        "entry-damaged",
        &[&link, "is not a regular file"],
    );
    // Committed with plain git (git stores the link's text, not its target), publish
    // refuses it too, and check finds it in the commit that added it.
    env.git(&["add", SIGNOFFS]);
    env.git(&["commit", "-q", "-m", "a linked sign-off"]);
    let out = env.outside("site");
    let out_arg = out.to_str().expect("UTF-8 path");
    let err = env.refuse(&["publish", "--out", out_arg]);
    assert_mentions(&err, &[&not_a_file]);
    assert!(!out.exists());
    assert_problem(&check_problems(&env), "entry-invalid", &[&link]);
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);

    // The whole folder as a link to an outside folder holding a copy of the real
    // submission next to the forged approval.
    fs::copy(
        env.root().join(&submitted),
        outside.join(submitted.rsplit('/').next().expect("a name")),
    )
    .expect("copy the submission out");
    fs::remove_dir_all(env.root().join(SIGNOFFS)).expect("remove the real folder");
    symlink(&outside, env.root().join(SIGNOFFS)).expect("link the folder");
    let linked = format!(
        "{}/{SIGNOFFS} is a symbolic link; medreview does not follow links out of the workspace",
        env.root().display()
    );
    // `status --json` names files workspace-relative, as `check --json` does.
    let linked_rel = format!(
        "{SIGNOFFS} is a symbolic link; medreview does not follow links out of the workspace"
    );
    assert_mentions(&not_approved(&env), &[&linked_rel]);
    for args in [
        &["approve", SLUG, "--as", "ana-example"][..],
        &["log", SLUG],
        &["status", SLUG],
    ] {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[&linked, "Hint: put the real folder back, restored from git"],
        );
    }
    assert_problem(&check_problems(&env), "record", &[&linked]);
    // Committed, git holds a link where the folder was: nothing of the outside
    // approval is published, and check reports the submission as removed.
    env.git(&["add", "-A", "articles"]);
    env.git(&["commit", "-q", "-m", "sign-offs as a link"]);
    env.run(&["publish", "--out", out_arg]);
    assert!(!out.join(format!("{SLUG}.html")).exists());
    assert_problem(&check_problems(&env), "entry-removed", &[&submitted]);
}

// --- Sign-off contents ------------------------------------------------------------

#[test]
fn a_sign_off_with_an_unknown_action_is_refused_naming_the_file_and_line() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let fields = format!(
        "action: rubber-stamped\nby: ana-example\nat: {NEXT_DAY}\nrevision: {}\nafter:\n- {}\n",
        env.hash_object(ARTICLE),
        entry_id(&env, SLUG, "submitted")
    );
    // Named as an approval (with the right digest), the file says otherwise on line 2.
    let stamped = write_raw_entry(
        &env,
        SLUG,
        "20250304T140000Z-approved-ana-example",
        fields.as_bytes(),
    );
    env.set_now(NEXT_DAY);
    let want = format!(
        "{stamped}:2: action: unknown variant `rubber-stamped`, expected one of `submitted`, `approved`, `changes-requested`, `withdrawn`"
    );
    for args in [
        &["approve", SLUG, "--as", "ana-example"][..],
        &["log", SLUG],
        &["status", SLUG],
    ] {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!("Error: the record of {SLUG} is damaged: "),
                &stamped,
                &want,
                "Hint: sign-off files are written only by medreview",
            ],
        );
    }
    let run = env.fails(&["status"]);
    assert_mentions(&run.stderr, &[&want]);
    assert_problem(&check_problems(&env), "entry-damaged", &[&want]);
    // Committed by hand, publish refuses it too, naming the commit it read.
    env.git(&["add", SIGNOFFS]);
    env.git(&["commit", "-q", "-m", "rubber stamp"]);
    let err = env.refuse(&["publish", "--out", "site"]);
    assert_mentions(
        &err,
        &[
            &format!("{stamped}:"),
            "(commit ",
            "unknown variant `rubber-stamped`",
        ],
    );
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);

    // Named for the unknown action, the name itself is refused.
    let renamed = write_raw_entry(
        &env,
        SLUG,
        "20250304T140000Z-rubber-stamped-ana-example",
        fields.as_bytes(),
    );
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[&format!(
            "{renamed} has a name medreview never writes (<UTC time>-<action, roster or comment>-<person>-<12 hex digits>.yaml)"
        )],
    );
}

/// An article `ghost` with hand-committed sign-off files that submit and approve a
/// blob the repository does not have.
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
    let submitted = hand_entry(Action::Submitted, "suzanne-example", START, &missing, &[]);
    let (submitted_id, _) = submitted.to_file();
    env.write_entry("ghost", &submitted);
    let approved = hand_entry(
        Action::Approved,
        "ana-example",
        NEXT_DAY,
        &missing,
        &[submitted_id.as_str()],
    );
    env.write_entry("ghost", &approved);
    env.git(&["add", "articles/ghost/signoffs"]);
    env.git(&["commit", "-q", "-m", "sign-offs written by hand"]);
    (env, missing)
}

#[test]
fn sign_offs_naming_a_missing_blob_are_reported_and_publish_refuses() {
    let (mut env, missing) = ghost();
    env.set_now(NEXT_DAY);
    let want = format!("revision {missing} is not in the repository's object database");
    let status = status_with_problems(&env);
    assert_eq!(status["articles"][0]["slug"], SLUG, "{status:#}");
    let error = status["problems"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        error.contains(&want) && error.contains("articles/ghost/signoffs"),
        "names the record: {error}"
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
    let problems = check_problems(&env);
    for action in ["submitted", "approved"] {
        assert_problem(
            &problems,
            "revision-missing",
            &[
                &format!(
                    "articles/ghost/signoffs/{}",
                    entry_id(&env, "ghost", action)
                ),
                &format!("revision {missing} is not in the repository"),
            ],
        );
    }
}

/// The problem says which revision is missing but not which article or record names it.
#[test]
/// Regression: the missing-revision error from status/publish does not name the article or its ledger
fn a_missing_blob_error_names_the_article() {
    let (mut env, _) = ghost();
    env.set_now(NEXT_DAY);
    let problem = status_with_problems(&env)["problems"][0]["message"].to_string();
    assert_mentions(&problem, &["articles/ghost/signoffs"]);
    let err = env.refuse(&["publish", "--out", "site"]);
    assert_mentions(&err, &["articles/ghost/signoffs (commit "]);
}

// --- Attacks on the record's files ------------------------------------------------

/// Damage in the record makes status, log, publish and sign-offs refuse the article
/// (fail closed: a damaged withdrawal must never read as an approval).
#[track_caller]
fn assert_damaged(env: &TestEnv, file: &str, message: &str) {
    let damaged = format!("the record of {SLUG} is damaged: ");
    let problems = status_with_problems(env)["problems"].to_string();
    assert_mentions(&problems, &[&damaged, file, message]);
    for args in [
        &["status", SLUG][..],
        &["log", SLUG],
        &["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."],
        &["approve", SLUG, "--as", "david-okafor"],
    ] {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!("Error: {damaged}"),
                file,
                message,
                "Hint: sign-off files are written only by medreview and never change; restore the file from git",
            ],
        );
    }
}

/// Commits the working tree's sign-offs with plain git, then asserts publish (which
/// reads the commit) refuses naming `file` and writes nothing.
#[track_caller]
fn assert_publish_refuses_committed(env: &TestEnv, file: &str, message: &str) {
    env.git(&["add", "-A", SIGNOFFS]);
    env.git(&["commit", "-q", "-m", "sign-offs changed by hand"]);
    let out = env.outside("site");
    let err = env.refuse(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    assert_mentions(
        &err,
        &[&format!("the record of {SLUG} is damaged: "), file, message],
    );
    assert!(!out.exists());
}

#[test]
fn a_sign_off_edited_in_place_no_longer_matches_its_name() {
    let mut env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    env.write(
        &approval,
        &env.read(&approval)
            .replace("Accurate and clear.", "Accurate, clear and complete."),
    );
    env.set_now("2025-03-05T09:00:00-05:00");
    let edited = "does not match the digest in its name (its blob id is ";
    assert_damaged(&env, &approval, edited);
    assert_problem(&check_problems(&env), "entry-damaged", &[&approval, edited]);
    assert_publish_refuses_committed(&env, &approval, edited);
    let problems = check_problems(&env);
    assert_problem(
        &problems,
        "entry-edited",
        &[
            &approval,
            "a sign-off file was changed after it was recorded",
        ],
    );
}

#[test]
fn a_renamed_sign_off_is_damage_and_check_reports_the_removal() {
    let mut env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    // The same bytes under another reviewer's name: the digest still matches.
    let renamed = approval.replace("-ana-example-", "-david-okafor-");
    env.git(&["mv", &approval, &renamed]);
    env.set_now("2025-03-05T09:00:00-05:00");
    let says = "is named approved by david-okafor at 20250304T140000Z but says approved by ana-example at 20250304T140000Z";
    assert_damaged(&env, &renamed, says);
    assert_publish_refuses_committed(&env, &renamed, says);
    let problems = check_problems(&env);
    assert_problem(&problems, "entry-removed", &[&approval]);
    assert_problem(&problems, "entry-invalid", &[&renamed, says]);
}

#[test]
fn an_after_link_to_a_missing_entry_is_damage() {
    let mut env = TestEnv::approved();
    // A hand-made withdrawal that claims to have seen an entry that does not exist.
    let phantom = "20250304T150000Z-approved-ana-example-abcdefabcdef";
    let withdrawal = hand_entry(
        Action::Withdrawn,
        "ana-example",
        "2025-03-05T09:00:00-05:00",
        &env.hash_object(ARTICLE),
        &[phantom],
    );
    let file = env.write_entry(SLUG, &withdrawal);
    env.set_now("2025-03-05T09:00:00-05:00");
    let names = format!(
        "names {phantom} in after:, which is not in the record (an entry was removed, or this one was copied from elsewhere)"
    );
    assert_damaged(&env, &file, &names);
    assert_problem(&check_problems(&env), "entry-damaged", &[&file, &names]);
    fs::remove_file(env.root().join(&file)).expect("remove the withdrawal");

    // The submission removed with git: the approval that saw it now names nothing.
    let submission = env.signoff_path(SLUG, "submitted");
    let approval = env.signoff_path(SLUG, "approved");
    env.git(&["rm", "-q", &submission]);
    let names = format!("names {} in after:", entry_id_of(&submission));
    assert_damaged(&env, &approval, &names);
    assert_publish_refuses_committed(&env, &approval, &names);
    let problems = check_problems(&env);
    assert_problem(&problems, "entry-removed", &[&submission]);
    assert_problem(&problems, "entry-damaged", &[&approval, &names]);
}

/// The id of the sign-off file at workspace-relative `path`.
fn entry_id_of(path: &str) -> &str {
    path.rsplit('/')
        .next()
        .and_then(|name| name.strip_suffix(".yaml"))
        .expect("a sign-off file name")
}

/// A hand-made sign-off of about 50 MB, its note one pasted paragraph after another,
/// named by its digest; returns its path and size.
fn huge_entry(env: &TestEnv) -> (String, usize) {
    let mut fields = format!(
        "action: approved\nby: ana-example\nat: {NEXT_DAY}\nrevision: {}\nafter:\n- {}\nnote: ",
        env.hash_object(ARTICLE),
        entry_id(env, SLUG, "submitted")
    );
    let paragraph = "A note pasted again and again from a PDF, page after page. ";
    fields.reserve(50_000_000);
    while fields.len() < 50_000_000 {
        fields.push_str(paragraph);
    }
    fields.push('\n');
    let size = HEADER.len() + fields.len();
    let rel = write_raw_entry(
        env,
        SLUG,
        "20250304T140000Z-approved-ana-example",
        fields.as_bytes(),
    );
    (rel, size)
}

#[test]
fn a_huge_sign_off_file_is_refused_quickly_in_bounded_memory() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let (file, size) = huge_entry(&env);
    let want = format!(
        "the record of {SLUG} is damaged: {file} is {size} bytes, larger than any entry medreview writes (65536)"
    );
    let err = refused_bounded(&env, NEXT_DAY, &["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[&want, "Hint: sign-off files are written only by medreview"],
    );
    for args in [&["status", SLUG][..], &["log", SLUG]] {
        let err = refused_bounded(&env, NEXT_DAY, args);
        assert_mentions(&err, &[&want]);
    }
    let run = run_bounded(&env, NEXT_DAY, &["status", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(&json(&run.stdout)["problems"].to_string(), &[&want]);
    let run = run_bounded(&env, NEXT_DAY, &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(
        &run.stdout,
        &[&format!(
            "{file}: is {size} bytes, larger than any entry medreview writes (65536) [entry-damaged]"
        )],
    );
}

/// A flood of files: more than one record may hold is refused before any is read.
#[test]
fn a_signoffs_folder_with_more_files_than_a_record_may_hold_is_damage() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let count = medreview_core::ledger::MAX_ENTRIES + 1;
    let dir = env.root().join(SIGNOFFS);
    for i in 1..count {
        fs::write(dir.join(format!("flood-{i:05}.yaml")), "").expect("write a file");
    }
    let want = format!(
        "the record of {SLUG} is damaged: {SIGNOFFS} holds {count} files, more than the {} entries one record may hold",
        count - 1
    );
    let err = refused_bounded(&env, NEXT_DAY, &["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[&want, "Hint: sign-off files are written only by medreview"],
    );
    let run = run_bounded(&env, NEXT_DAY, &["status", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(&json(&run.stdout)["problems"].to_string(), &[&want]);
}

#[test]
fn folders_and_other_non_files_in_signoffs_are_damage_and_dotfiles_are_ignored() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    // A dotfile holding a valid approval is never an entry, so it never counts.
    let forged = hand_entry(
        Action::Approved,
        "ana-example",
        NEXT_DAY,
        &env.hash_object(ARTICLE),
        &[&entry_id(&env, SLUG, "submitted")],
    );
    let (id, bytes) = forged.to_file();
    env.write_bytes(&format!("{SIGNOFFS}/.{}", id.file_name()), &bytes);
    env.write_bytes(&format!("{SIGNOFFS}/.DS_Store"), b"\0\0\0\x01Bud1");
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "in-review", "{status:#}");

    // A FIFO would block a reader that opened it; it is never opened.
    let fifo = format!("{SIGNOFFS}/pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(env.root().join(&fifo))
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let not_a_file = "is not a regular file; the folder holds only sign-off or roster files";
    assert_damaged(&env, &fifo, not_a_file);
    fs::remove_file(env.root().join(&fifo)).expect("remove the FIFO");

    // Neither is a file whose name is not a sign-off's.
    let readme = format!("{SIGNOFFS}/README.md");
    env.write(&readme, "Do not edit these files.\n");
    assert_damaged(
        &env,
        &readme,
        "README.md is not an entry file (entry files end in .yaml and are written only by medreview)",
    );
    fs::remove_file(env.root().join(&readme)).expect("remove README.md");

    // A folder holding a copy of the approval with its proper name is not read.
    let folder = format!("{SIGNOFFS}/extra");
    env.write_bytes(&format!("{folder}/{}", id.file_name()), &bytes);
    assert_damaged(&env, &folder, not_a_file);
    assert_problem(
        &check_problems(&env),
        "entry-damaged",
        &[&folder, not_a_file],
    );
    assert_publish_refuses_committed(&env, &folder, not_a_file);
}

#[test]
fn an_uncommitted_hand_made_sign_off_is_refused_and_never_published() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    // A valid approval, exactly as medreview would write it, but not committed.
    let forged = hand_entry(
        Action::Approved,
        "ana-example",
        NEXT_DAY,
        &env.hash_object(ARTICLE),
        &[&entry_id(&env, SLUG, "submitted")],
    );
    let file = env.write_entry(SLUG, &forged);
    let name = file.rsplit('/').next().expect("a name");
    for args in [
        &["approve", SLUG, "--as", "david-okafor"][..],
        &[
            "request-changes",
            SLUG,
            "--as",
            "ana-example",
            "-m",
            "Later.",
        ],
    ] {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!(
                    "{SIGNOFFS}/{name} is not committed; entries are written only by medreview"
                ),
                &format!("Hint: restore the folder with `git checkout -- {SIGNOFFS}`"),
            ],
        );
    }
    // publish reads the commit, which has no approval.
    let out = env.outside("site");
    let run = env.ok(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    assert_mentions(&run.stderr, &["Skipped her2-treatment: in-review"]);
    assert!(!out.join(format!("{SLUG}.html")).exists());
    assert_problem(
        &check_problems(&env),
        "uncommitted",
        &[name, "is not committed"],
    );
}

// --- Found while porting to format 2, since fixed --------------------------------------
//
// Each test below guards a product bug found while porting this module to format 2.
// All are fixed and the tests pass (docs/hostile-input.md, "Fixed during the format-2
// port"); the doc comments describe the bug as it was found.

/// `check` compares the committed file names with the entries it could read, so a
/// damaged sign-off that is committed (or present, uncommitted) is also reported as
/// `uncommitted` with "<file> was removed", although the file is there.
#[test]
/// Regression: check reports a damaged sign-off as `uncommitted` and says it "was removed"
fn check_does_not_call_a_damaged_sign_off_removed() {
    let env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    env.write(
        &approval,
        &env.read(&approval)
            .replace("Accurate and clear.", "Accurate."),
    );
    env.git(&["commit", "-q", "-am", "edit an approval"]);
    let problems = check_problems(&env);
    assert_problem(&problems, "entry-damaged", &[&approval]);
    assert!(
        !problems.iter().any(|(code, _)| code == "uncommitted"),
        "the working tree is clean: {problems:#?}"
    );
}

/// The damage message puts the workspace-relative path in front of a message that
/// already starts with the absolute path.
#[test]
/// Regression: "the record of SLUG is damaged: FILE /abs/FILE: ..." names the file twice
fn a_damaged_sign_off_is_named_once() {
    let env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    env.append(&approval, "# edited\n");
    let err = env.refuse(&["status", SLUG]);
    let name = approval.rsplit('/').next().expect("a name");
    let first = err.lines().next().expect("an Error: line");
    assert_eq!(first.matches(name).count(), 1, "{first}");
}

/// The conflict-marker message was written for the format-1 ledger and says to resolve
/// the conflict keeping every entry from both sides; for a sign-off file that advice
/// makes a file that no longer matches its name, and it contradicts the hint below it.
#[test]
/// Regression: a sign-off file with conflict markers is told to "resolve the conflict (for a ledger, keep every entry from both sides)"
fn conflict_markers_in_a_sign_off_file_are_not_to_be_resolved_by_hand() {
    let env = TestEnv::approved();
    let fields = format!(
        "<<<<<<< HEAD\naction: approved\n=======\n>>>>>>> other\nby: ana-example\nat: {NEXT_DAY}\nrevision: {}\nafter: []\n",
        env.hash_object(ARTICLE)
    );
    write_raw_entry(
        &env,
        SLUG,
        "20250304T140000Z-approved-ana-example",
        fields.as_bytes(),
    );
    let err = env.refuse(&["status", SLUG]);
    assert_mentions(&err, &["conflict markers"]);
    for advice in ["keep every entry from both sides", "resolve the conflict"] {
        assert!(!err.contains(advice), "{err}");
    }
}

/// The size limit is applied to working-tree sign-offs only; `check`'s history walk
/// reads every committed sign-off whole and parses it (50 MB: ~3 s, and it is counted
/// as a verified entry; 124 MB: medreview aborts with "memory allocation of 134217736
/// bytes failed" under a 256 MiB limit).
#[test]
/// Regression: check reads a 50 MB committed sign-off whole and counts it as verified
fn a_huge_committed_sign_off_is_refused_by_check_for_its_size() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let (file, size) = huge_entry(&env);
    env.git(&["add", SIGNOFFS]);
    env.git(&["commit", "-q", "-m", "a huge sign-off"]);
    let run = run_bounded(&env, NEXT_DAY, &["check", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run.stdout);
    assert_eq!(
        report["entries_verified"], 1,
        "only the submission: {report:#}"
    );
    let history = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .any(|p| {
            p["code"] == "entry-invalid"
                && p["file"] == file.as_str()
                && p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&size.to_string()))
        });
    assert!(history, "{report:#}");
}

/// A working-tree sign-off is read whole before its size is checked; a sparse file
/// larger than the memory limit fails the read ("cannot read FILE", caused by "out of
/// memory") instead of being refused for its size, and without a limit it is read.
#[test]
/// Regression: a 300 MB sign-off file is reported as "cannot read ... out of memory", not by its size
fn a_sign_off_larger_than_memory_is_refused_for_its_size() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let file = format!("{SIGNOFFS}/20250304T140000Z-approved-ana-example-0123456789ab.yaml");
    let sparse = fs::File::create(env.root().join(&file)).expect("create");
    sparse.set_len(300 << 20).expect("make it 300 MB, sparse");
    let run = run_bounded(&env, NEXT_DAY, &["status", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(
        &json(&run.stdout)["problems"].to_string(),
        &[&format!(
            "{file} is {} bytes, larger than any entry medreview writes",
            300 << 20
        )],
    );
}

/// A committed `signoffs` that is a symbolic link (or a plain file) lists as an empty
/// record, so publish exits 0 and skips the article as a "draft", where it refuses a
/// linked article folder or a linked sign-off file.
#[test]
/// Regression: publish silently skips an article whose committed `signoffs` is a symlink, as "draft"
fn a_committed_symlinked_signoffs_folder_stops_publish() {
    let env = TestEnv::approved();
    let outside = env.outside("elsewhere");
    fs::rename(env.root().join(SIGNOFFS), &outside).expect("move the folder out");
    symlink(&outside, env.root().join(SIGNOFFS)).expect("link the folder");
    env.git(&["add", "-A", "articles"]);
    env.git(&["commit", "-q", "-m", "sign-offs as a link"]);
    let out = env.outside("site");
    let err = env.refuse(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    assert_mentions(
        &err,
        &[&format!("{SIGNOFFS} (commit "), "is a symbolic link"],
    );
    assert!(!out.exists());
}

// --- Merges -----------------------------------------------------------------------

/// Format 1 needed a union merge driver for its one ledger file; format 2 needs none,
/// since two clones never write the same path. The two decisions did not see each
/// other, so the article needs a new decision instead of taking either one.
#[test]
fn a_merge_of_two_branches_keeps_both_sign_offs_and_needs_a_decision() {
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

    let record = env.record_text(SLUG);
    assert!(!record.contains("<<<<<<<"), "{record}");
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["submitted", "approved", "changes-requested"]);
    let status = json(&env.ok(&["status", "--json"]).stdout);
    let article = &status["articles"][0];
    assert_eq!(article["state"], "needs-decision", "{status:#}");
    assert_eq!(article["publishable"], Value::Null);
    assert_eq!(
        article["conflicts"][0],
        "the approval by ana-example and the changes-requested by david-okafor were made without seeing each other"
    );
    // The next sign-off saw both decisions, and its commit holds only its own file.
    let heads = [
        entry_id(&env, SLUG, "approved"),
        entry_id(&env, SLUG, "changes-requested"),
    ];
    env.append(ARTICLE, "\nSources: the trial is cited above.\n");
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let (_, latest) = env.entries(SLUG).pop().expect("the new submission");
    let after: Vec<&str> = latest.after.iter().map(EntryId::as_str).collect();
    assert_eq!(after, heads);
    let mut changed = env.changed_files("HEAD");
    changed.sort();
    assert_eq!(
        changed,
        [ARTICLE.to_owned(), env.signoff_path(SLUG, "submitted")]
    );
    assert!(env.record_text(SLUG).len() > record.len());
}

/// A merge of sign-offs can no longer leave conflict markers (two clones never write
/// the same file), so markers in a sign-off file were put there by hand: the file is
/// damage, whether a recorded sign-off was edited or a hand-made one was named by
/// its own digest.
#[test]
fn conflict_markers_in_a_sign_off_file_refuse_sign_offs_and_change_nothing() {
    let mut env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    let intact = env.read(&approval);
    let marked = intact.replacen(
        "action: approved\n",
        "<<<<<<< HEAD\naction: approved\n=======\naction: withdrawn\n>>>>>>> other\n",
        1,
    );
    env.set_now("2025-03-05T09:00:00-05:00");
    let sign_offs = [
        &["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."][..],
        &["approve", SLUG, "--as", "david-okafor"],
    ];

    // Edited into a recorded sign-off: it no longer matches its name.
    env.write(&approval, &marked);
    for args in sign_offs {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!("the record of {SLUG} is damaged: "),
                &approval,
                "it was edited after it was recorded",
            ],
        );
    }
    env.fails(&["status"]);
    env.write(&approval, &intact);

    // Hand-made with the right digest: the markers are found at their line.
    let fields = marked
        .split_once('\n')
        .map(|(_, rest)| rest.to_owned())
        .expect("a header line");
    let hand_made = write_raw_entry(
        &env,
        SLUG,
        "20250305T140000Z-withdrawn-ana-example",
        fields.as_bytes(),
    );
    let line = line_of(&marked, "<<<<<<<");
    for args in sign_offs {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                &format!("{hand_made}:{line}: the file holds "),
                "merge conflict markers",
                "Hint: ",
            ],
        );
    }
    env.fails(&["status"]);
    assert_problem(
        &check_problems(&env),
        "entry-damaged",
        &[&hand_made, "merge conflict markers"],
    );
}

/// A ledger with conflict markers got the generic YAML hint ("fix the YAML at that
/// line"), which invited hand-editing an append-only record instead of finishing the
/// merge. A sign-off file with markers must still be named as a conflict.
#[test]
/// Regression: conflict markers in signoffs.yaml get a generic YAML error, not a merge-conflict hint
fn conflict_markers_in_a_sign_off_file_are_named_as_a_merge_conflict() {
    let mut env = TestEnv::approved();
    let fields = format!(
        "<<<<<<< HEAD\naction: approved\n=======\n>>>>>>> other\nby: ana-example\nat: {NEXT_DAY}\nrevision: {}\nafter: []\n",
        env.hash_object(ARTICLE)
    );
    write_raw_entry(
        &env,
        SLUG,
        "20250304T140000Z-approved-ana-example",
        fields.as_bytes(),
    );
    env.set_now("2025-03-05T09:00:00-05:00");
    let err = env.refuse(&["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."]);
    assert_mentions(&err, &["conflict"]);
    assert!(!err.contains("fix the YAML at that line"), "{err}");
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
    let committed = committed_record(&env, SLUG);
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
            let committed = committed_record(&env, slug);
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
