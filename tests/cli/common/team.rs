//! `Team`: a bare remote and one clone per person, each with its own identity, home
//! folder and clock, to try the record the way a newsroom shares it: plain
//! `git clone`, `pull` (merge or rebase) and `push`, nothing medreview-specific.
//!
//! The starting repository (the seeded workspace with r1 submitted) is built once per
//! test binary and kept as a git bundle in memory; each `Team` clones its remote from
//! it, so no test pays for the setup commands and nothing is left on disk.

use std::ffi::OsString;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Output, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

use crate::common::{ARTICLE, Run, SLUG, START, TestEnv, json};

/// A person on the seeded roster: their id, the name and email git knows them by.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    /// The roster id.
    pub id: &'static str,
    /// `user.name`.
    pub name: &'static str,
    /// `user.email`: the email in their roster file, so `--as` is never needed.
    pub email: &'static str,
}

/// The writer of the seeded article.
pub const SUZANNE: Person = Person {
    id: "suzanne-example",
    name: "Suzanne Example",
    email: "suzanne@example.org",
};

/// The seeded article's medical reviewer.
pub const ANA: Person = Person {
    id: "ana-example",
    name: "Ana Example",
    email: "ana@example.org",
};

/// A second medical reviewer.
pub const DAVID: Person = Person {
    id: "david-okafor",
    name: "David Okafor",
    email: "david@example.org",
};

/// The starting point of every team: the seeded workspace with r1 submitted by
/// suzanne-example at `START`, as the bytes of a git bundle of all its refs.
fn fixture_bundle() -> &'static [u8] {
    static BUNDLE: OnceLock<Vec<u8>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let env = TestEnv::seeded();
        env.ok(&["submit", SLUG, "--as", SUZANNE.id, "-m", "First draft."]);
        let file = env.outside("fixture.bundle");
        let file_arg = file.to_str().expect("utf-8 path");
        env.git(&["bundle", "create", "-q", file_arg, "--all"]);
        fs::read(&file).expect("read the fixture bundle")
    })
}

/// A bare remote holding the seeded workspace, and the folder clones are made in.
pub struct Team {
    _tmp: TempDir,
    base: PathBuf,
}

impl Team {
    /// A fresh remote `remote.git` cloned from the fixture (r1 submitted, nothing approved).
    pub fn new() -> Team {
        Team::from_bundle(fixture_bundle())
    }

    /// A fresh remote `remote.git` cloned from `bundle` (the bytes of a git bundle of
    /// all refs of the starting repository), for tests that need another start.
    pub fn from_bundle(bundle_bytes: &[u8]) -> Team {
        let tmp = tempfile::Builder::new()
            .prefix("medreview-team-")
            .tempdir()
            .expect("create a temp folder");
        let base = tmp.path().canonicalize().expect("canonical temp folder");
        let bundle = base.join("fixture.bundle");
        fs::write(&bundle, bundle_bytes).expect("write the fixture bundle");
        let team = Team { _tmp: tmp, base };
        team.git_in(
            &team.base,
            &["clone", "-q", "--bare", "fixture.bundle", "remote.git"],
        );
        team.git_in(&team.remote(), &["remote", "remove", "origin"]);
        fs::remove_file(&bundle).expect("remove the fixture bundle");
        team
    }

    /// The folder everything lives in (the `--base-path` of a `git daemon`).
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// The bare repository everyone pulls from and pushes to.
    pub fn remote(&self) -> PathBuf {
        self.base.join("remote.git")
    }

    /// `git clone`s the remote for `person`, with their identity and the clock at `START`.
    pub fn clone_for(&self, person: Person) -> Member {
        let url = self.remote().to_str().expect("utf-8 path").to_owned();
        self.clone_from(&url, person, person.id)
    }

    /// `git clone URL FOLDER` for `person`: their identity, `pull.rebase=false` set
    /// explicitly (a plain `git pull` merges), the clock at `START`.
    pub fn clone_from(&self, url: &str, person: Person, folder: &str) -> Member {
        let home = self.base.join(format!("home-{folder}"));
        fs::create_dir_all(&home).expect("create a home folder");
        let member = Member {
            person,
            dir: self.base.join(folder),
            home,
            now: START.to_owned(),
            skew: None,
        };
        member.git_in(&self.base, &["clone", "-q", url, folder]);
        member.git(&["config", "user.name", person.name]);
        member.git(&["config", "user.email", person.email]);
        member.git(&["config", "pull.rebase", "false"]);
        member
    }

    /// The commit the remote's `main` points at.
    pub fn remote_head(&self) -> String {
        let output = self.git_remote(&["rev-parse", "refs/heads/main"]);
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Runs git in the bare remote (a forge's server side); asserts success.
    pub fn git_remote(&self, args: &[&str]) -> Output {
        let output = git_command(&self.remote(), &self.base, START)
            .args(args)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} in the remote failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    fn git_in(&self, dir: &Path, args: &[&str]) {
        let output = git_command(dir, &self.base, START)
            .args(args)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The only variables a child process sees: the environment is cleared first.
fn hermetic_env(home: &Path, now: &str) -> Vec<(&'static str, OsString)> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin:/bin"));
    vec![
        ("PATH", path),
        ("HOME", home.as_os_str().to_owned()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("GIT_TERMINAL_PROMPT", "0".into()),
        ("LANG", "C".into()),
        ("NO_COLOR", "1".into()),
        ("MEDREVIEW_NOW", now.into()),
    ]
}

/// git in `dir` with the hermetic environment and its own commits (merges, the
/// config commit) dated `now`, so runs are reproducible.
fn git_command(dir: &Path, home: &Path, now: &str) -> Process {
    let mut git = Process::new("git");
    git.env_clear()
        .envs(hermetic_env(home, now))
        .env("GIT_AUTHOR_DATE", now)
        .env("GIT_COMMITTER_DATE", now)
        .current_dir(dir);
    git
}

/// One person's clone: runs medreview and git in it, as that person, at their clock.
pub struct Member {
    /// Who works in this clone.
    pub person: Person,
    dir: PathBuf,
    home: PathBuf,
    now: String,
    /// Seconds this machine's system clock is off (`set_skew`); `None`: the fixed
    /// clock `now` (MEDREVIEW_NOW).
    skew: Option<i64>,
}

impl Member {
    /// Runs every later command on the system clock off by `seconds` (negative:
    /// slow), as a machine whose clock is wrong: medreview through
    /// `MEDREVIEW_CLOCK_OFFSET` (entries are not marked as MEDREVIEW_NOW's are), git
    /// with its dates set to the same time.
    pub fn set_skew(&mut self, seconds: i64) {
        self.skew = Some(seconds);
    }

    /// The time this clone's commands see: `now`, or the skewed system clock.
    fn clock(&self) -> String {
        match self.skew {
            None => self.now.clone(),
            Some(s) => (chrono::Local::now() + chrono::TimeDelta::seconds(s))
                .fixed_offset()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        }
    }

    /// The environment medreview runs with in this clone.
    fn medreview_env(&self) -> Vec<(&'static str, OsString)> {
        let mut env = hermetic_env(&self.home, &self.now);
        if let Some(s) = self.skew {
            env.retain(|(k, _)| *k != "MEDREVIEW_NOW");
            env.push(("MEDREVIEW_CLOCK_OFFSET", s.to_string().into()));
        }
        env
    }

    /// The clone's working tree.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The commit HEAD points at.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// What `name` resolves to, or `None` when it does not exist.
    pub fn rev(&self, name: &str) -> Option<String> {
        let output = self.git_output(&["rev-parse", "--verify", "-q", name]);
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Everything a refused command must leave as it found it: HEAD, the local
    /// branches, tags and medreview refs, the index and the working tree.
    pub fn snapshot(&self) -> String {
        [
            self.head(),
            self.git(&[
                "for-each-ref",
                "--format=%(refname) %(objectname)",
                "refs/heads",
                "refs/tags",
                "refs/medreview",
            ]),
            self.git(&["status", "--porcelain", "--untracked-files=all"]),
            self.git(&["diff", "--binary"]),
            self.git(&["diff", "--cached", "--binary"]),
        ]
        .join("\n--\n")
    }

    /// This person's home folder (where their SSH key lives).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Sets the clock every later command in this clone sees.
    pub fn set_now(&mut self, now: &str) {
        self.now = now.to_owned();
    }

    /// Runs medreview in the clone, whatever the outcome.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::cargo_bin("medreview")
            .expect("the medreview binary is built")
            .env_clear()
            .envs(self.medreview_env())
            .current_dir(&self.dir)
            .args(crate::common::with_latest_revision(&self.dir, args))
            .output()
            .expect("run medreview");
        Run {
            code: output.status.code().expect("medreview exited normally"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs medreview and asserts it succeeded.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code, 0,
            "{}: medreview {args:?} failed:\n{}",
            self.person.id, run.stderr
        );
        run
    }

    /// Runs git in the clone, whatever the outcome.
    pub fn git_output(&self, args: &[&str]) -> Output {
        git_command(&self.dir, &self.home, &self.clock())
            .args(args)
            .output()
            .expect("run git")
    }

    /// Runs git in the clone; asserts success and returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.dir, args)
    }

    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let output = git_command(dir, &self.home, &self.clock())
            .args(args)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "{}: git {args:?} failed:\n{}{}",
            self.person.id,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `git pull --no-edit` (a merge: `pull.rebase=false`), asserting it was clean.
    pub fn pull_merge(&self) {
        self.pull(&["pull", "--no-edit"]);
    }

    /// `git pull --rebase`, asserting it was clean.
    pub fn pull_rebase(&self) {
        self.pull(&["pull", "--rebase"]);
    }

    fn pull(&self, args: &[&str]) {
        let output = self.git_output(args);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success() && !said.contains("CONFLICT"),
            "{}: git {args:?} was not clean:\n{said}",
            self.person.id
        );
        assert_eq!(
            self.git(&["status", "--porcelain", "--untracked-files=all"]),
            "",
            "{}: git {args:?} left changes behind",
            self.person.id
        );
    }

    /// `git push`; whether the remote took it (false when it had moved on).
    pub fn try_push(&self) -> bool {
        let output = self.git_output(&["push", "-q", "origin", "HEAD:main"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            assert!(
                stderr.contains("rejected") || stderr.contains("fetch first"),
                "{}: git push failed for another reason than a moved remote:\n{stderr}",
                self.person.id
            );
        }
        output.status.success()
    }

    /// `git push`, asserting the remote took it.
    pub fn push(&self) {
        assert!(self.try_push(), "{}: git push was rejected", self.person.id);
    }

    /// Pulls (rebasing or merging) and pushes until the remote takes it; a few tries.
    pub fn sync(&self, rebase: bool) {
        for _ in 0..5 {
            if rebase {
                self.pull_rebase();
            } else {
                self.pull_merge();
            }
            if self.try_push() {
                return;
            }
        }
        panic!("{}: the remote kept moving; push gave up", self.person.id);
    }

    /// Writes a file of the clone (creating folders).
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.dir.join(rel);
        fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        fs::write(path, text).expect("write file");
    }

    /// Reads a file of the clone.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.dir.join(rel)).expect("read file")
    }

    /// Edits medreview.yaml with `edit` and commits it (a setting the team agreed on).
    pub fn commit_config(&self, edit: &dyn Fn(&str) -> String, message: &str) {
        let before = self.read("medreview.yaml");
        let after = edit(&before);
        assert_ne!(before, after, "the edit changed nothing");
        self.write("medreview.yaml", &after);
        self.git(&["commit", "-q", "-m", message, "medreview.yaml"]);
    }

    /// Appends `line` to the article and submits it (the writer's new revision).
    pub fn submit_edit(&self, line: &str, note: &str) -> Run {
        let mut text = self.read(ARTICLE);
        text.push_str(line);
        text.push('\n');
        self.write(ARTICLE, &text);
        self.ok(&["submit", SLUG, "-m", note])
    }

    /// `status SLUG --json`: the article's summary.
    pub fn status(&self) -> serde_json::Value {
        let doc = json(&self.ok(&["status", SLUG, "--json"]).stdout);
        doc["articles"][0].clone()
    }

    /// `log SLUG --json`.
    pub fn log(&self) -> serde_json::Value {
        json(&self.ok(&["log", SLUG, "--json"]).stdout)
    }

    /// `check --json`: every problem's code (the run exits 1 exactly when there are some).
    pub fn check_codes(&self) -> Vec<String> {
        let run = self.run(&["check", "--json"]);
        let doc = json(&run.stdout);
        let codes: Vec<String> = doc["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .map(|p| p["code"].as_str().expect("a code").to_owned())
            .collect();
        assert_eq!(
            run.code,
            i32::from(!codes.is_empty()),
            "{}: check exit code disagrees with its problems:\n{}",
            self.person.id,
            run.stdout
        );
        codes
    }

    /// `check` exits 0 with no problems.
    pub fn check_clean(&self) {
        let run = self.run(&["check"]);
        assert!(
            run.code == 0 && run.stderr.contains("no problems"),
            "{}: check is not clean:\n{}{}",
            self.person.id,
            run.stdout,
            run.stderr
        );
    }

    /// The number of parents of HEAD (2 after a merge).
    pub fn head_parents(&self) -> usize {
        self.git(&["rev-list", "--parents", "-n", "1", "HEAD"])
            .split_whitespace()
            .count()
            - 1
    }
}

/// A `git daemon` serving a folder read-write on 127.0.0.1; killed when dropped.
pub struct Daemon {
    child: Child,
    port: u16,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    /// Serves `base` read-write on 127.0.0.1 at a free port, once it accepts connections.
    pub fn start(base: &Path) -> Daemon {
        let port = free_port();
        // git-daemon itself, not `git daemon`: git runs a dashed command as its child,
        // which killing `git` on drop would leave serving after the test.
        let exec_path = Process::new("git")
            .arg("--exec-path")
            .output()
            .expect("run git --exec-path");
        let exec_path = String::from_utf8_lossy(&exec_path.stdout).trim().to_owned();
        let child = Process::new(Path::new(&exec_path).join("git-daemon"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", base)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .arg("--reuseaddr")
            .arg(format!("--base-path={}", base.display()))
            .args([
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
            ])
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start git daemon");
        let mut daemon = Daemon { child, port };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return daemon;
            }
            if let Ok(Some(status)) = daemon.child.try_wait() {
                panic!("git daemon exited early: {status}");
            }
            sleep(Duration::from_millis(25));
        }
        panic!("git daemon did not accept connections on port {port} within 5 s");
    }

    /// The `git://` URL of the repository `repo` under the served folder.
    pub fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }
}

/// A port on 127.0.0.1 nothing listens on (just now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Whether `git daemon` is installed; prints a skip message when not, and fails
/// under `MEDREVIEW_REQUIRE_TOOLS`.
pub fn git_daemon_available() -> bool {
    let exec_path = Process::new("git")
        .arg("--exec-path")
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if exec_path.is_some_and(|dir| dir.join("git-daemon").is_file()) {
        return true;
    }
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "git daemon is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
    );
    eprintln!("skipped: git daemon is not installed (apt-get install git)");
    false
}

/// Times on the day after r1 was submitted, in order.
pub const T0900: &str = crate::common::NEXT_DAY;
/// See [`T0900`].
pub const T0930: &str = "2025-03-04T09:30:00-05:00";
/// See [`T0900`].
pub const T1000: &str = "2025-03-04T10:00:00-05:00";
/// See [`T0900`].
pub const T1030: &str = "2025-03-04T10:30:00-05:00";
/// See [`T0900`].
pub const T1100: &str = "2025-03-04T11:00:00-05:00";
/// See [`T0900`].
pub const T1200: &str = "2025-03-04T12:00:00-05:00";

/// The line the writer adds to make r2.
pub const R2_LINE: &str = "Ask your care team how long targeted therapy will last.";

/// A team whose medreview.yaml, committed and pushed by the writer, asks for
/// `required` approvals; clones for suzanne, ana and david, all up to date.
pub fn team(required: u32) -> (Team, Member, Member, Member) {
    let team = Team::new();
    let suzanne = team.clone_for(SUZANNE);
    if required != 1 {
        suzanne.commit_config(
            &|text| {
                text.replace(
                    "required_approvals: 1",
                    &format!("required_approvals: {required}"),
                )
            },
            "Every article needs two doctors",
        );
        suzanne.push();
    }
    let ana = team.clone_for(ANA);
    let david = team.clone_for(DAVID);
    (team, suzanne, ana, david)
}
