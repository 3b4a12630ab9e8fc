//! Fault injection (issue 11): the real binary runs under `strace -f -e inject=…`,
//! killed (`signal=KILL`) or failed (`error=ENOSPC`, `error=EIO`) at each rename and
//! at each `openat` that opens for writing, and the repository must come out whole:
//! after one recovery command (`medreview status`), `git fsck --strict` and
//! `medreview check` are clean, the sign-off is wholly there or wholly absent, no
//! lock is left, and a colleague's plain `git commit -am` cannot undo it.
//!
//! Each test builds its fixture once (a few commands, in its own temp folder) and
//! copies it with `cp -a` for every injected case. Skipped with a message where
//! strace is missing or ptrace is not allowed; required under
//! `MEDREVIEW_REQUIRE_TOOLS=1`.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::common::{ARTICLE, NEXT_DAY, SLUG, TestEnv, json};

const STRACE: &str = "/usr/bin/strace";
const RENAMES: &str = "rename,renameat,renameat2";
/// A command with more renames than this is a bug in itself (a sign-off makes three).
const MAX_RENAMES: usize = 60;
/// After this many write-opens, only every `SAMPLE`th one is tried.
const ALL_OPENS: usize = 40;
const SAMPLE: usize = 5;

/// Whether strace can trace here; prints why not (or fails under
/// `MEDREVIEW_REQUIRE_TOOLS`) when it cannot.
fn strace_works() -> bool {
    static WORKS: OnceLock<Result<(), String>> = OnceLock::new();
    let works = WORKS.get_or_init(|| {
        if !Path::new(STRACE).is_file() {
            return Err("strace is not installed (apt-get install strace)".to_owned());
        }
        let out = Command::new(STRACE)
            .args(["-f", "-qq", "-e", "trace=none", "true"])
            .output()
            .map_err(|e| format!("cannot run strace: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "strace cannot trace here (ptrace not allowed?): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    });
    match works {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
                "strace is required (MEDREVIEW_REQUIRE_TOOLS is set): {why}"
            );
            eprintln!("skipped: {why}");
            false
        }
    }
}

/// How a process ended and what it printed.
#[derive(Debug)]
struct Out {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Out {
    fn killed(&self) -> bool {
        self.signal == Some(9) || self.code == Some(137)
    }
}

/// One copy of a fixture repository, with the environment every command there sees.
struct Repo {
    root: PathBuf,
    home: PathBuf,
    now: String,
}

impl Repo {
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        cmd.env_clear()
            .env("PATH", path)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LANG", "C")
            .env("NO_COLOR", "1")
            .env("MEDREVIEW_NOW", &self.now)
            .current_dir(&self.root)
            .stdin(Stdio::null());
        cmd
    }

    fn run(mut cmd: Command) -> Out {
        let out = cmd.output().expect("start a process");
        Out {
            code: out.status.code(),
            signal: out.status.signal(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn medreview(&self, args: &[&str]) -> Out {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_medreview"));
        cmd.args(crate::common::with_latest_revision(&self.root, args));
        Repo::run(cmd)
    }

    /// medreview under strace: `trace` and `inject` are strace's `-e` values.
    fn traced(&self, trace: &str, inject: Option<&str>, log: &str, args: &[&str]) -> Out {
        let mut cmd = self.command(STRACE);
        cmd.args(["-f", "-qq", "-o", log, "-e", &format!("trace={trace}")]);
        if let Some(inject) = inject {
            cmd.args(["-e", &format!("inject={inject}")]);
        }
        cmd.arg(env!("CARGO_BIN_EXE_medreview"))
            .args(crate::common::with_latest_revision(&self.root, args));
        Repo::run(cmd)
    }

    fn git_out(&self, args: &[&str]) -> Out {
        let mut cmd = self.command("git");
        cmd.args(args);
        Repo::run(cmd)
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self.git_out(args);
        assert_eq!(out.code, Some(0), "git {args:?} failed: {}", out.stderr);
        out.stdout
    }

    fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    fn porcelain(&self) -> Vec<String> {
        self.git(&["status", "--porcelain", "--untracked-files=all"])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn locks(&self) -> Vec<&'static str> {
        [".git/index.lock", ".git/medreview.lock", ".git/HEAD.lock"]
            .into_iter()
            .filter(|l| self.root.join(l).exists())
            .collect()
    }
}

/// A fixture repository built once per test, copied for each case.
struct Fixture {
    env: TestEnv,
    tmp: TempDir,
    cases: usize,
}

impl Fixture {
    fn new(env: TestEnv) -> Fixture {
        let tmp = tempfile::Builder::new()
            .prefix("medreview-faults-")
            .tempdir()
            .expect("temp folder");
        Fixture { env, tmp, cases: 0 }
    }

    /// A fresh copy of the fixture, its clock at `now`.
    fn copy(&mut self, now: &str) -> Repo {
        self.cases += 1;
        let dir = self.tmp.path().join(format!("case-{}", self.cases));
        fs::create_dir_all(dir.join("home")).expect("case folder");
        let root = dir.join("repo");
        let status = Command::new("cp")
            .arg("-a")
            .arg(self.env.root())
            .arg(&root)
            .status()
            .expect("run cp");
        assert!(status.success(), "cp -a failed");
        Repo {
            root,
            home: dir.join("home"),
            now: now.to_owned(),
        }
    }

    /// Removes a finished case, so hundreds of cases do not pile up on disk.
    fn discard(&self, repo: Repo) {
        let _ = fs::remove_dir_all(repo.root.parent().expect("case folder"));
    }
}

/// One sign-off command and the state it starts from.
struct Signoff {
    what: &'static str,
    setup: fn() -> TestEnv,
    now: &'static str,
    args: &'static [&'static str],
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

fn audited_roster() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        "runner@example.org",
    ]);
    env.ok(&["admin", "add", "rosa-editor"]);
    env
}

const LATER: &str = "2025-03-05T09:00:00-05:00";

const SIGNOFFS: &[Signoff] = &[
    Signoff {
        what: "submit",
        setup: TestEnv::seeded,
        now: NEXT_DAY,
        args: &["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."],
    },
    Signoff {
        what: "approve",
        setup: submitted,
        now: NEXT_DAY,
        args: &["approve", SLUG, "--as", "ana-example", "-m", "Accurate."],
    },
    Signoff {
        what: "request-changes",
        setup: submitted,
        now: NEXT_DAY,
        args: &[
            "request-changes",
            SLUG,
            "--as",
            "ana-example",
            "-m",
            "Cite.",
        ],
    },
    Signoff {
        what: "withdraw",
        setup: TestEnv::approved,
        now: LATER,
        args: &["withdraw", SLUG, "--as", "david-okafor", "-m", "Stop."],
    },
    Signoff {
        what: "writer add (audited roster)",
        setup: audited_roster,
        now: LATER,
        args: &[
            "writer",
            "add",
            "new-writer",
            "--name",
            "New Writer",
            "--email",
            "new@example.org",
        ],
    },
];

/// The path in a porcelain line.
fn porcelain_path(line: &str) -> &str {
    line.get(3..).unwrap_or_default()
}

/// The repository before a sign-off: its commit and `git status`.
struct Before {
    head: String,
    porcelain: Vec<String>,
}

/// After a fault and one recovery command: git is consistent, check is clean, no
/// lock is left, the sign-off is wholly there or wholly absent, and a colleague's
/// `git commit -am` keeps it so. Returns whether the sign-off landed.
fn assert_whole(repo: &Repo, before: &Before, case: &str) -> bool {
    let locks = repo.locks();
    assert!(locks.is_empty(), "{case}: {locks:?} left behind");
    let fsck = repo.git_out(&["fsck", "--strict"]);
    assert_eq!(
        fsck.code,
        Some(0),
        "{case}: git fsck --strict failed:\n{}{}",
        fsck.stdout,
        fsck.stderr
    );
    let bad: Vec<&str> = fsck
        .stdout
        .lines()
        .chain(fsck.stderr.lines())
        .filter(|l| !l.starts_with("dangling ") && !l.starts_with("Checking "))
        .collect();
    assert!(bad.is_empty(), "{case}: git fsck --strict: {bad:?}");
    let check = repo.medreview(&["check", "--json"]);
    let report = json(&check.stdout);
    assert_eq!(
        report["problems"],
        serde_json::json!([]),
        "{case}: medreview check --json:\n{}\n{}",
        check.stdout,
        check.stderr
    );
    let index_is_head = repo.git_out(&["diff", "--cached", "--quiet", "HEAD"]).code == Some(0);
    assert!(index_is_head, "{case}: the index differs from HEAD:\n{}", {
        repo.git(&["diff", "--cached", "--stat", "HEAD"])
    });
    let head = repo.head();
    let porcelain = repo.porcelain();
    let landed = head != before.head;
    // Paths the user had changed before and still may: the colleague may commit them.
    let mut own: BTreeSet<String> = before
        .porcelain
        .iter()
        .map(|l| porcelain_path(l).to_owned())
        .collect();
    if landed {
        let parent = repo.git(&["rev-parse", "HEAD~1"]);
        assert_eq!(
            parent.trim(),
            before.head,
            "{case}: HEAD moved by more than one commit"
        );
        let committed: Vec<String> = repo
            .git(&["diff", "--name-only", &before.head, &head])
            .lines()
            .map(str::to_owned)
            .collect();
        assert!(
            !committed.is_empty(),
            "{case}: the sign-off commit is empty"
        );
        for path in &committed {
            own.remove(path);
        }
        let expected: Vec<String> = before
            .porcelain
            .iter()
            .filter(|l| own.contains(porcelain_path(l)))
            .cloned()
            .collect();
        assert_eq!(
            porcelain, expected,
            "{case}: the sign-off landed (commit {head}) but the working tree does not hold it"
        );
    } else {
        assert_eq!(
            porcelain, before.porcelain,
            "{case}: the sign-off did not land but the working tree changed"
        );
    }
    // A colleague's plain commit of everything modified.
    let tip = repo.head();
    repo.git(&["commit", "-qam", "x", "--allow-empty"]);
    let changed: Vec<String> = repo
        .git(&["diff", "--name-only", &tip, "HEAD"])
        .lines()
        .map(str::to_owned)
        .filter(|p| !own.contains(p))
        .collect();
    assert!(
        changed.is_empty(),
        "{case}: a colleague's `git commit -am` changed {changed:?}"
    );
    landed
}

/// The recovery command after a kill: `medreview status`, which says so on stderr
/// when it finds a lock left by the dead process.
fn recover(repo: &Repo, case: &str) {
    let stale = repo.root.join(".git/medreview.lock").exists();
    let out = repo.medreview(&["status"]);
    assert_eq!(
        out.code,
        Some(0),
        "{case}: the recovery command `medreview status` failed:\n{}",
        out.stderr
    );
    if stale {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with("medreview: recovered")),
            "{case}: `status` found a stale medreview.lock but did not say `medreview: recovered`:\n{}",
            out.stderr
        );
    }
}

/// The 1-based numbers, among all `openat` calls of the traced process, of those
/// that open for writing (as a run without faults makes them).
fn write_opens(fixture: &mut Fixture, now: &str, args: &[&str]) -> Vec<usize> {
    let repo = fixture.copy(now);
    let log = repo.root.parent().expect("case folder").join("openat.log");
    let log_arg = log.to_str().expect("utf-8 path");
    let out = repo.traced("openat", None, log_arg, args);
    assert_eq!(out.code, Some(0), "{args:?} failed:\n{}", out.stderr);
    let text = fs::read_to_string(&log).expect("read the strace log");
    // Lines are `PID  openat(…`, the pid padded to a width.
    let split = |line: &str| -> (String, String) {
        let (pid, rest) = line.split_once(' ').unwrap_or_default();
        (pid.to_owned(), rest.trim_start().to_owned())
    };
    let pid = split(text.lines().next().unwrap_or_default()).0;
    let mut numbers = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        let (who, call) = split(line);
        if who != pid || !call.starts_with("openat(") {
            continue;
        }
        count += 1;
        if ["O_WRONLY", "O_RDWR", "O_CREAT"]
            .iter()
            .any(|f| line.contains(f))
        {
            numbers.push(count);
        }
    }
    fixture.discard(repo);
    assert!(
        !numbers.is_empty(),
        "{args:?}: no openat for writing in:\n{text}"
    );
    numbers
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i < ALL_OPENS || i % SAMPLE == 0)
        .map(|(_, n)| n)
        .collect()
}

fn before(repo: &Repo) -> Before {
    Before {
        head: repo.head(),
        porcelain: repo.porcelain(),
    }
}

/// Runs one case's checks, recording a failure instead of stopping there, so one run
/// lists every point where a fault breaks the repository.
fn collect<T>(failures: &mut Vec<String>, check: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)) {
        Ok(value) => Some(value),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(message);
            None
        }
    }
}

/// Fails with every recorded failure.
fn finish(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Kills `signoff` at every rename and every write-open; checks the repository is
/// whole after each. Returns how many cases ran.
fn kill_everywhere(signoff: &Signoff, failures: &mut Vec<String>) -> usize {
    let mut fixture = Fixture::new((signoff.setup)());
    let mut cases = 0;
    // Renames: N = 1, 2, … until the command runs to the end.
    let mut completed = false;
    for n in 1..=MAX_RENAMES {
        let repo = fixture.copy(signoff.now);
        let start = before(&repo);
        let case = format!("{} killed at rename {n}", signoff.what);
        let inject = format!("{RENAMES}:signal=KILL:when={n}");
        let out = repo.traced(RENAMES, Some(&inject), "/dev/null", signoff.args);
        cases += 1;
        completed = !out.killed();
        collect(failures, || {
            if out.killed() {
                recover(&repo, &case);
                assert_whole(&repo, &start, &case);
            } else {
                assert_eq!(
                    out.code,
                    Some(0),
                    "{case}: not killed, yet failed:\n{}",
                    out.stderr
                );
                assert!(
                    assert_whole(&repo, &start, &case),
                    "{case}: exit 0, nothing landed"
                );
            }
        });
        fixture.discard(repo);
        if completed {
            break;
        }
    }
    if !completed {
        failures.push(format!("{}: more than {MAX_RENAMES} renames", signoff.what));
    }
    // Every openat that opens for writing.
    let opens = write_opens(&mut fixture, signoff.now, signoff.args);
    for n in opens {
        let repo = fixture.copy(signoff.now);
        let start = before(&repo);
        let case = format!("{} killed at openat {n}", signoff.what);
        let inject = format!("openat:signal=KILL:when={n}");
        let out = repo.traced("openat", Some(&inject), "/dev/null", signoff.args);
        cases += 1;
        collect(failures, || {
            if out.killed() {
                recover(&repo, &case);
            } else {
                assert_eq!(
                    out.code,
                    Some(0),
                    "{case}: not killed, yet failed:\n{}",
                    out.stderr
                );
            }
            assert_whole(&repo, &start, &case);
        });
        fixture.discard(repo);
    }
    cases
}

/// Regression (issue 11, items 2 and 3): a `kill -9` between the branch update and
/// the index write left the locks and a stale index (a colleague's `git commit -am`
/// then reverted the approval); one after the entry file was written but before the
/// branch moved left an approval in no commit. Each sign-off is killed at each of
/// its renames and write-opens.
#[test]
fn a_signoff_killed_at_any_rename_or_write_is_whole_after_one_recovery() {
    if !strace_works() {
        return;
    }
    let started = Instant::now();
    // One thread per command: a recovery that undoes a sign-off waits about a second
    // (it makes sure no live git owns the index.lock), so the commands run side by side.
    let failures: Vec<String> = thread::scope(|scope| {
        let workers: Vec<_> = SIGNOFFS
            .iter()
            .map(|signoff| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    let cases = kill_everywhere(signoff, &mut failures);
                    eprintln!("{}: {cases} kills", signoff.what);
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker"))
            .collect()
    });
    eprintln!("took {:?}", started.elapsed());
    finish(&failures);
}

/// A failed system call (disk full at an open, an I/O error at a rename) makes a
/// sign-off either succeed or fail with nothing committed and no entry file left in
/// the working tree; it never exits non-zero after its commit landed.
#[test]
fn a_signoff_that_hits_enospc_or_eio_fails_with_nothing_committed() {
    if !strace_works() {
        return;
    }
    let mut failures = Vec::new();
    for signoff in SIGNOFFS {
        let mut fixture = Fixture::new((signoff.setup)());
        let mut injections: Vec<(String, String)> =
            write_opens(&mut fixture, signoff.now, signoff.args)
                .into_iter()
                .map(|n| ("openat".to_owned(), format!("openat:error=ENOSPC:when={n}")))
                .collect();
        injections
            .extend((1..=6).map(|n| (RENAMES.to_owned(), format!("{RENAMES}:error=EIO:when={n}"))));
        for (trace, inject) in injections {
            let repo = fixture.copy(signoff.now);
            let start = before(&repo);
            let case = format!("{} with {inject}", signoff.what);
            let out = repo.traced(&trace, Some(&inject), "/dev/null", signoff.args);
            collect(&mut failures, || failed_cleanly(&repo, &start, &out, &case));
            fixture.discard(repo);
        }
    }
    finish(&failures);
}

/// After an injected error: exit 0 with the commit landed (the working tree written,
/// or a warning saying it was not), or a failure with nothing committed, the working
/// tree as it was and no lock left.
fn failed_cleanly(repo: &Repo, start: &Before, out: &Out, case: &str) {
    assert!(!out.killed(), "{case}: killed");
    let head = repo.head();
    if out.code == Some(0) {
        assert_ne!(head, start.head, "{case}: exit 0 but nothing was committed");
        let index_is_head = repo.git_out(&["diff", "--cached", "--quiet", "HEAD"]).code == Some(0);
        assert!(index_is_head, "{case}: exit 0, the index differs from HEAD");
        let diff = repo.git(&["diff", "--name-only", &start.head, &head]);
        let unwritten: Vec<&str> = diff
            .lines()
            .filter(|p| repo.git_out(&["diff", "--quiet", "HEAD", "--", p]).code != Some(0))
            .collect();
        if !unwritten.is_empty() {
            assert!(
                out.stderr.to_lowercase().contains("warning"),
                "{case}: exit 0, {unwritten:?} not written to the working tree, and no warning:\n{}",
                out.stderr
            );
        }
    } else {
        assert_eq!(
            head, start.head,
            "{case}: exited {:?} after its commit landed:\n{}",
            out.code, out.stderr
        );
        assert_eq!(
            repo.porcelain(),
            start.porcelain,
            "{case}: failed, yet the working tree changed:\n{}",
            out.stderr
        );
        let locks = repo.locks();
        assert!(locks.is_empty(), "{case}: failed and left {locks:?}");
        let check = repo.medreview(&["check", "--json"]);
        assert_eq!(
            json(&check.stdout)["problems"],
            serde_json::json!([]),
            "{case}: failed, and then `check` finds problems:\n{}",
            check.stdout
        );
    }
}

/// Whether `dir` holds a complete publish output: a parseable `manifest.json`,
/// `index.html`, and every file the manifest lists.
fn assert_complete_output(dir: &Path, case: &str) {
    let manifest = fs::read_to_string(dir.join("manifest.json"))
        .unwrap_or_else(|e| panic!("{case}: {}/manifest.json: {e}", dir.display()));
    let manifest: serde_json::Value = serde_json::from_str(&manifest)
        .unwrap_or_else(|e| panic!("{case}: manifest.json is not JSON: {e}"));
    assert!(dir.join("index.html").is_file(), "{case}: no index.html");
    if let Some(files) = manifest["files"].as_array() {
        for file in files {
            let name = file.as_str().expect("a file name");
            assert!(
                dir.join(name).is_file(),
                "{case}: {name} listed but missing"
            );
        }
    }
}

/// `.medreview-publish-*` entries next to the output folder.
fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .expect("read the output's parent")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".medreview-publish-"))
        .collect()
}

/// Regression (issue 11, item 4): a `kill -9` between publish's two renames left no
/// output folder, the previous site hidden in a `.medreview-publish-*.old` that the
/// next publish neither restored nor removed.
#[test]
fn publish_killed_at_any_rename_leaves_a_complete_output_and_the_next_run_cleans_up() {
    if !strace_works() {
        return;
    }
    let mut env = TestEnv::approved();
    env.ok(&["publish", "--out", "../site"]);
    // A second approved revision, so the next publish writes different pages.
    env.append(ARTICLE, "\nAsk your care team about clinical trials.\n");
    env.set_now(LATER);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Trials."]);
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Good."]);
    let mut fixture = Fixture::new(env);
    let mut completed = false;
    let mut failures = Vec::new();
    for n in 1..=MAX_RENAMES {
        let repo = fixture.copy(LATER);
        // The previous output sits next to the copy of the repository, as `../site`.
        let parent = repo.root.parent().expect("case folder").to_owned();
        let copied = Command::new("cp")
            .arg("-a")
            .arg(fixture.env.outside("site"))
            .arg(parent.join("site"))
            .status()
            .expect("run cp");
        assert!(copied.success());
        let case = format!("publish killed at rename {n}");
        let inject = format!("{RENAMES}:signal=KILL:when={n}");
        let out = repo.traced(
            RENAMES,
            Some(&inject),
            "/dev/null",
            &["publish", "--out", "../site"],
        );
        completed = !out.killed();
        collect(&mut failures, || {
            let site = parent.join("site");
            assert_complete_output(&site, &case);
            if !out.killed() {
                assert_eq!(
                    out.code,
                    Some(0),
                    "{case}: not killed, yet failed:\n{}",
                    out.stderr
                );
            }
            let again = repo.medreview(&["publish", "--out", "../site"]);
            assert_eq!(
                again.code,
                Some(0),
                "{case}: the next publish failed:\n{}",
                again.stderr
            );
            assert_complete_output(&site, &case);
            let left = leftovers(&parent);
            assert!(left.is_empty(), "{case}: the next publish left {left:?}");
            let manifest = json(&fs::read_to_string(site.join("manifest.json")).expect("manifest"));
            assert!(
                manifest.to_string().contains(&repo.head()[..10]),
                "{case}: the next publish did not export HEAD: {manifest}"
            );
        });
        fixture.discard(repo);
        if completed {
            break;
        }
    }
    assert!(completed, "publish: more than {MAX_RENAMES} renames");
    finish(&failures);
}

/// Regression (issue 11, item 1): a `git status` holding `.git/index.lock` while a
/// sign-off ran made it commit, then exit 1 with the index stale; the next plain
/// commit deleted the entry. Thirty sign-offs run while `git status` and
/// `git diff --stat` loop in the same clone: each succeeds or is refused before
/// committing, naming `index.lock`.
#[test]
fn signoffs_during_a_git_status_loop_commit_whole_or_not_at_all() {
    let env = submitted();
    let mut fixture = Fixture::new(env);
    let repo = Arc::new(fixture.copy(NEXT_DAY));
    let stop = Arc::new(AtomicBool::new(false));
    let loops = Arc::new(AtomicUsize::new(0));
    let background = {
        let (repo, stop, loops) = (Arc::clone(&repo), Arc::clone(&stop), Arc::clone(&loops));
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            for i in 0..20_000usize {
                if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                    break;
                }
                let args: &[&str] = if i % 2 == 0 {
                    &["status"]
                } else {
                    &["diff", "--stat"]
                };
                let _ = repo.git_out(args);
                loops.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let mut refused = 0;
    let mut outcome = Ok(());
    'steps: for step in 0..30usize {
        let now = format!("2025-03-05T{:02}:{:02}:00-05:00", 10 + step / 60, step % 60);
        let approve = step % 2 == 0;
        if !approve {
            let path = repo.root.join(ARTICLE);
            let mut text = fs::read_to_string(&path).expect("read the article");
            text.push_str(&format!("\nEdit {step}.\n"));
            fs::write(&path, text).expect("edit the article");
        }
        let args: Vec<&str> = if approve {
            vec!["approve", SLUG, "--as", "ana-example", "-m", "Fine."]
        } else {
            vec!["submit", SLUG, "--as", "suzanne-example", "-m", "Edit."]
        };
        for _attempt in 0..10 {
            let head = repo.head();
            let mut cmd = repo.command(env!("CARGO_BIN_EXE_medreview"));
            cmd.env("MEDREVIEW_NOW", &now)
                .args(crate::common::with_latest_revision(&repo.root, &args));
            let out = Repo::run(cmd);
            if out.code == Some(0) {
                if repo.head() == head {
                    outcome = Err(format!("step {step} {args:?}: exit 0, HEAD unchanged"));
                    break 'steps;
                }
                continue 'steps;
            }
            if out.code != Some(1) || repo.head() != head || !out.stderr.contains("index.lock") {
                outcome = Err(format!(
                    "step {step} {args:?}: exit {:?}, HEAD {} (was {head}):\n{}",
                    out.code,
                    repo.head(),
                    out.stderr
                ));
                break 'steps;
            }
            refused += 1;
        }
        outcome = Err(format!("step {step} {args:?}: refused 10 times"));
        break;
    }
    stop.store(true, Ordering::Relaxed);
    background.join().expect("the git status loop");
    let loops = loops.load(Ordering::Relaxed);
    eprintln!("{loops} git status/diff runs; {refused} sign-offs refused and retried");
    outcome.unwrap_or_else(|e| panic!("{e}"));
    let porcelain = repo.porcelain();
    assert!(
        !porcelain.iter().any(|l| l.contains("signoffs")),
        "git status shows sign-offs: {porcelain:?}"
    );
    let staged = repo.git_out(&["diff", "--cached", "--quiet", "HEAD", "--", "articles/"]);
    assert_eq!(
        staged.code,
        Some(0),
        "the index differs from HEAD under articles/"
    );
    let check = repo.medreview(&["check", "--json"]);
    assert_eq!(
        json(&check.stdout)["problems"],
        serde_json::json!([]),
        "{}",
        check.stdout
    );
    assert!(loops > 0, "the background loop never ran");
}
