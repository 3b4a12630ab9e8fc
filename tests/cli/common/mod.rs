//! `TestEnv`: a throwaway git repository, a cleared environment, a fixed identity and
//! a clock each test moves by hand, so every run of the real binary is deterministic.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub mod browser;
pub mod desk;
pub mod team;
pub mod tty;

/// The clock when a test starts (and when `seed` does its work).
pub const START: &str = "2025-03-03T10:12:00-05:00";

/// The day after `START`: when the seeded article is approved in most tests.
pub const NEXT_DAY: &str = "2025-03-04T09:00:00-05:00";

/// The last line of `log` when an entry's time was set by `MEDREVIEW_NOW`, as in
/// every test.
pub const FIXED: &str =
    "* time set by MEDREVIEW_NOW, not the system clock (an import, a demo or a backdated entry)\n";

/// The seeded article's slug and headline.
pub const SLUG: &str = "her2-treatment";
pub const TITLE: &str = "Six Things to Know About HER2-Positive Breast Cancer Treatment";

/// The seeded article's path, workspace-relative.
pub const ARTICLE: &str = "articles/her2-treatment/article.md";

/// The seeded article's folder of sign-off files, workspace-relative.
pub const SIGNOFFS: &str = "articles/her2-treatment/signoffs";

/// The full text of the seeded article: front matter with sources, and a real body.
pub const HER2_ARTICLE: &str = "\
---
title: Six Things to Know About HER2-Positive Breast Cancer Treatment
writer: suzanne-example
reviewer: ana-example
topic: oncology
summary: How HER2-positive breast cancer is treated today, and what to ask your care team.
sources:
  - title: Breast Cancer Treatment (PDQ)
    url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq
---
HER2-positive breast cancer makes too much of a protein called HER2, which helps
cancer cells grow. Treatment has improved a great deal in the last twenty years.

## 1. Targeted therapy is the backbone of treatment

Drugs such as trastuzumab attach to the HER2 protein and stop it from signalling.

- Trastuzumab (Herceptin)
- Pertuzumab (Perjeta)

## 2. Treatment often starts before surgery

Many people get chemotherapy and targeted therapy first, to shrink the tumour.
Read more at the [National Cancer Institute](https://www.cancer.gov/types/breast).
";

/// A file in `tests/cli/fixtures` (the test keys).
pub fn fixture(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures")
        .join(name);
    // ssh-keygen, which signs, refuses a private key others may read, and a checkout
    // makes every file 0644.
    if name.ends_with("_ed25519") {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o600));
    }
    path
}

/// The one-line OpenSSH public key of fixture key `name`.
pub fn public_key(name: &str) -> String {
    fs::read_to_string(fixture(&format!("{name}.pub")))
        .expect("fixture public key")
        .trim()
        .to_owned()
}

/// The `ssh-keygen` program, or `None` (with a message) to skip a test on a
/// machine without it; under `MEDREVIEW_REQUIRE_TOOLS` its absence fails the test.
pub fn ssh_keygen() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/ssh-keygen");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "ssh-keygen is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
    );
    eprintln!("skipped: ssh-keygen is not installed (apt-get install openssh-client)");
    None
}

/// How a command exited and what it printed.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Everything a refusal must leave exactly as it found it.
#[derive(Debug, PartialEq, Eq)]
struct RepoState {
    head: String,
    porcelain: String,
    unstaged: String,
    staged: String,
}

/// A temp folder holding a git repository (`repo/`) and a home folder (`home/`).
pub struct TestEnv {
    tmp: TempDir,
    root: PathBuf,
    now: String,
}

impl TestEnv {
    /// A fresh git repository with a fixed identity and no workspace yet.
    pub fn bare() -> TestEnv {
        let tmp = tempfile::Builder::new()
            .prefix("medreview-cli-")
            .tempdir()
            .expect("create a temp folder");
        // Canonical, so paths in messages match what the binary prints.
        let base = tmp.path().canonicalize().expect("canonical temp folder");
        let root = base.join("repo");
        fs::create_dir_all(&root).expect("create repo folder");
        fs::create_dir_all(base.join("home")).expect("create home folder");
        let env = TestEnv {
            tmp,
            root,
            now: START.to_owned(),
        };
        env.git(&["init", "-q", "-b", "main"]);
        env.git(&["config", "user.name", "Test Runner"]);
        env.git(&["config", "user.email", "runner@example.org"]);
        env
    }

    /// A git repository holding a freshly initialised workspace, not audited yet
    /// (`init --no-admin`), so tests may record `--as` anyone.
    pub fn new() -> TestEnv {
        let env = TestEnv::bare();
        env.ok(&["init", "--publication", "Example Health", "--no-admin"]);
        env
    }

    /// A workspace with the standard roster and the article `her2-treatment` written
    /// but not yet submitted.
    pub fn seeded() -> TestEnv {
        let env = TestEnv::new();
        env.seed();
        env
    }

    /// `seeded`, then `her2-treatment` submitted at `START` and approved by
    /// ana-example at `NEXT_DAY`.
    pub fn approved() -> TestEnv {
        let mut env = TestEnv::seeded();
        env.ok(&[
            "submit",
            SLUG,
            "--as",
            "suzanne-example",
            "-m",
            "First draft.",
        ]);
        env.set_now(NEXT_DAY);
        env.ok(&[
            "approve",
            SLUG,
            "--as",
            "ana-example",
            "-m",
            "Accurate and clear.",
        ]);
        env
    }

    /// Adds writer suzanne-example, reviewers ana-example (license to 2027-06-30) and
    /// david-okafor, and the article her2-treatment with a real body (not submitted).
    pub fn seed(&self) {
        self.ok(&[
            "writer",
            "add",
            "suzanne-example",
            "--name",
            "Suzanne Example",
            "--email",
            "suzanne@example.org",
            "--bio",
            "Writes about health and wellness.",
        ]);
        self.ok(&[
            "reviewer",
            "add",
            "ana-example",
            "--name",
            "Ana Example",
            "--credentials",
            "M.D.",
            "--specialty",
            "oncology",
            "--license-number",
            "12345",
            "--license-region",
            "NY",
            "--license-expires",
            "2027-06-30",
            "--email",
            "ana@example.org",
            "--bio",
            "Board-certified medical oncologist.",
        ]);
        self.ok(&[
            "reviewer",
            "add",
            "david-okafor",
            "--name",
            "David Okafor",
            "--credentials",
            "M.D., Ph.D.",
            "--specialty",
            "cardiology",
            "--email",
            "david@example.org",
        ]);
        self.ok(&[
            "new",
            SLUG,
            "--title",
            TITLE,
            "--writer",
            "suzanne-example",
            "--reviewer",
            "ana-example",
            "--topic",
            "oncology",
        ]);
        self.write(ARTICLE, HER2_ARTICLE);
    }

    /// The repository's working tree (also the workspace root).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The sign-off file names of `slug` in the working tree, sorted (by time).
    pub fn signoffs(&self, slug: &str) -> Vec<String> {
        let dir = self.root.join(format!("articles/{slug}/signoffs"));
        let mut names: Vec<String> = match fs::read_dir(&dir) {
            Ok(entries) => entries
                .map(|e| {
                    e.expect("read entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .filter(|n| !n.starts_with('.'))
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }

    /// The workspace-relative path of the sign-off file of `slug` whose name contains `part`
    /// (the last one, in time order).
    pub fn signoff_path(&self, slug: &str, part: &str) -> String {
        let name = self
            .signoffs(slug)
            .into_iter()
            .rfind(|n| n.contains(part))
            .unwrap_or_else(|| panic!("no sign-off of {slug} contains {part:?}"));
        format!("articles/{slug}/signoffs/{name}")
    }

    /// Every sign-off file of `slug`, concatenated in name order: the record as text.
    pub fn record_text(&self, slug: &str) -> String {
        self.signoffs(slug)
            .iter()
            .map(|n| self.read(&format!("articles/{slug}/signoffs/{n}")))
            .collect()
    }

    /// The parsed sign-offs of `slug` (id and entry), in name order.
    pub fn entries(&self, slug: &str) -> Vec<(String, medreview_core::record::entry::Entry)> {
        self.signoffs(slug)
            .iter()
            .map(|n| {
                let rel = format!("articles/{slug}/signoffs/{n}");
                let bytes = fs::read(self.root.join(&rel)).expect("read sign-off");
                let (id, entry) = medreview_core::record::entry::read(n, &bytes, Path::new(&rel))
                    .unwrap_or_else(|e| panic!("{e}"));
                (id.to_string(), entry)
            })
            .collect()
    }

    /// Writes `entry` as a sign-off file of `slug` with the name medreview would give
    /// it (a hand-made entry for hostile tests); returns its workspace-relative path.
    pub fn write_entry(&self, slug: &str, entry: &medreview_core::record::entry::Entry) -> String {
        let (id, bytes) = entry.to_file();
        let rel = format!("articles/{slug}/signoffs/{}", id.file_name());
        self.write_bytes(&rel, &bytes);
        rel
    }

    /// A path in the temp folder but outside the repository.
    pub fn outside(&self, name: &str) -> PathBuf {
        self.root
            .parent()
            .expect("repo has a parent folder")
            .join(name)
    }

    /// Moves the clock every later command sees.
    pub fn set_now(&mut self, now: &str) {
        self.now = now.to_owned();
    }

    /// The only variables a child process sees: the environment is cleared first.
    pub fn env_vars(&self) -> Vec<(&'static str, OsString)> {
        let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin:/bin"));
        vec![
            ("PATH", path),
            ("HOME", self.tmp.path().join("home").into_os_string()),
            ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("LANG", "C".into()),
            ("NO_COLOR", "1".into()),
            ("MEDREVIEW_NOW", self.now.clone().into()),
        ]
    }

    /// Runs medreview in `dir` with `args`, whatever the outcome.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        self.run_env(dir, &[], args)
    }

    /// Runs medreview at the repository root with extra environment variables,
    /// whatever the outcome.
    pub fn run_with(&self, vars: &[(&str, &str)], args: &[&str]) -> Run {
        self.run_env(&self.root, vars, args)
    }

    fn run_env(&self, dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Run {
        self.run_env_as(dir, vars, args, false)
    }

    /// Runs medreview at the root with exactly these arguments (no `--revision`
    /// added to `approve`), whatever the outcome.
    pub fn run_exact(&self, args: &[&str]) -> Run {
        self.run_env_as(&self.root, &[], args, true)
    }

    fn run_env_as(&self, dir: &Path, vars: &[(&str, &str)], args: &[&str], exact: bool) -> Run {
        let output = Command::cargo_bin("medreview")
            .expect("the medreview binary is built")
            .env_clear()
            .envs(self.env_vars())
            .envs(vars.iter().copied())
            .current_dir(dir)
            .args(if exact {
                args.iter().map(|a| (*a).to_owned()).collect()
            } else {
                with_latest_revision(dir, args)
            })
            .output()
            .expect("run medreview");
        Run {
            code: output.status.code().expect("medreview exited normally"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs medreview at the repository root, whatever the outcome.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, args)
    }

    /// Runs medreview in `dir` and asserts it succeeded.
    pub fn ok_in(&self, dir: &Path, args: &[&str]) -> Run {
        let run = self.run_in(dir, args);
        assert_eq!(run.code, 0, "medreview {args:?} failed:\n{}", run.stderr);
        run
    }

    /// Runs medreview at the root and asserts it succeeded.
    pub fn ok(&self, args: &[&str]) -> Run {
        self.ok_in(&self.root, args)
    }

    /// Runs medreview in `dir`, asserts it exited 1 with an `Error:` line and that the
    /// repository is exactly as before: same HEAD, same status, same staged and unstaged
    /// changes, no lock left behind.
    pub fn fails_in(&self, dir: &Path, args: &[&str]) -> Run {
        let run = self.stops_in(dir, &[], args, false, 1);
        assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
        run
    }

    /// Runs medreview in `dir` with extra environment variables (`exact`: no
    /// `--revision` added to `approve`), asserts it exited with `code` and an
    /// `Error:` line (after progress lines, if any), and that the repository is
    /// exactly as before (see [`TestEnv::fails_in`]).
    pub fn stops_in(
        &self,
        dir: &Path,
        vars: &[(&str, &str)],
        args: &[&str],
        exact: bool,
        code: i32,
    ) -> Run {
        let before = self.repo_state();
        let run = self.run_env_as(dir, vars, args, exact);
        assert_eq!(
            run.code, code,
            "medreview {args:?} should stop with exit code {code}:\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        assert!(
            run.stderr.lines().any(|l| l.starts_with("Error: ")),
            "{}",
            run.stderr
        );
        assert_eq!(
            self.repo_state(),
            before,
            "medreview {args:?} changed the repository"
        );
        assert!(
            !self.root.join(".git/medreview.lock").exists(),
            "lock left behind"
        );
        run
    }

    /// `fails_in` at the repository root.
    pub fn fails(&self, args: &[&str]) -> Run {
        self.fails_in(&self.root, args)
    }

    /// `fails`, for a usage error (a value on the command line that cannot be
    /// used): exit code 2, and the repository exactly as before.
    pub fn fails_as_usage(&self, args: &[&str]) -> Run {
        let run = self.stops_in(&self.root, &[], args, false, 2);
        assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
        run
    }

    /// `fails`, and the message ends with a `Hint:` line saying how to fix it.
    /// Returns stderr.
    pub fn refuse(&self, args: &[&str]) -> String {
        let run = self.fails(args);
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("Hint: ") && l.len() > 10),
            "no hint in:\n{}",
            run.stderr
        );
        run.stderr
    }

    fn repo_state(&self) -> RepoState {
        RepoState {
            head: self.git_status_quiet(&["rev-parse", "--verify", "-q", "HEAD"]),
            porcelain: self.porcelain(),
            unstaged: self.git(&["diff", "--binary"]),
            staged: self.git(&["diff", "--cached", "--binary"]),
        }
    }

    /// Runs git in `dir` with the test environment; asserts success, returns stdout.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let output = std::process::Command::new("git")
            .env_clear()
            .envs(self.env_vars())
            .current_dir(dir)
            .args(args)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs git at the repository root; asserts success, returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.root, args)
    }

    /// Runs git and returns stdout even when it fails (for `rev-parse` of an unborn HEAD).
    fn git_status_quiet(&self, args: &[&str]) -> String {
        let output = std::process::Command::new("git")
            .env_clear()
            .envs(self.env_vars())
            .current_dir(&self.root)
            .args(args)
            .output()
            .expect("run git");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The commit HEAD points at.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// The number of commits on the current branch.
    pub fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .expect("a count")
    }

    /// `git status --porcelain`, untracked files included.
    pub fn porcelain(&self) -> String {
        self.git(&["status", "--porcelain", "--untracked-files=all"])
    }

    /// The files a commit changed, repository-relative.
    pub fn changed_files(&self, commit: &str) -> Vec<String> {
        self.git(&["show", "--name-only", "--format=", commit])
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// What `git hash-object` prints for a workspace file.
    pub fn hash_object(&self, rel: &str) -> String {
        self.git(&["hash-object", rel]).trim().to_owned()
    }

    /// The full message of a commit.
    pub fn message(&self, commit: &str) -> String {
        self.git(&["log", "-1", "--format=%B", commit])
    }

    /// Writes a text file (creating folders), relative to the repository root.
    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    /// Writes raw bytes (creating folders), relative to the repository root.
    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        fs::write(&path, bytes).expect("write file");
    }

    /// Appends text to a file relative to the repository root.
    pub fn append(&self, rel: &str, text: &str) {
        let mut content = self.read(rel);
        content.push_str(text);
        self.write(rel, &content);
    }

    /// Reads a text file relative to the repository root.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root.join(rel)).expect("read file")
    }

    /// Replaces the repository root in `text` with `[REPO]`, for snapshots and messages.
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.root.display().to_string(), "[REPO]")
    }
}

/// Parses JSON printed by a command.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}):\n{text}"))
}

/// The arguments as given, but an `approve` that names no `--revision` gets the
/// article's latest one, read from the record in `dir`. Off a terminal, `approve`
/// refuses to guess which revision was read; the tests written before that rule
/// approve the latest, and say so here rather than at every call. A test of the
/// refusal itself runs the binary through [`TestEnv::run_exact`].
pub fn with_latest_revision(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let Some(at) = args.iter().position(|a| *a == "approve") else {
        return out;
    };
    // Only global options may come before the subcommand.
    let mut i = 0;
    while i < at {
        if args[i] == "-C" {
            i += 1;
        } else if !args[i].starts_with('-') {
            return out;
        }
        i += 1;
    }
    if args.iter().any(|a| a.starts_with("--revision")) {
        return out;
    }
    let Some(slug) = args[at + 1..].iter().find(|a| !a.starts_with('-')) else {
        return out;
    };
    let dir = match args[..at].iter().position(|a| *a == "-C") {
        Some(c) if c + 1 < at => dir.join(args[c + 1]),
        _ => dir.to_path_buf(),
    };
    let latest = (|| {
        let ws = medreview_core::workspace::Workspace::discover(&dir).ok()?;
        let slug = medreview_core::ids::Id::parse_slug("slug", slug).ok()?;
        let record = medreview_core::record::ArticleRecord::load(&ws, &slug).ok()?;
        Some(record.ledger.latest_revision()?.label())
    })();
    if let Some(label) = latest {
        out.splice(at + 1..at + 1, ["--revision".to_owned(), label]);
    }
    out
}

/// The JSON-LD object of a published page.
pub fn json_ld(html: &str) -> serde_json::Value {
    let open = r#"<script type="application/ld+json">"#;
    let start = html.find(open).expect("JSON-LD script") + open.len();
    let end = start + html[start..].find("</script>").expect("script end");
    json(&html[start..end])
}
