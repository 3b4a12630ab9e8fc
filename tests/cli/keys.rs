//! Keys the way git uses them (issue 13, item 6): `ssh-keygen -Y sign` signs, so a
//! passphrase key held by a real ssh-agent signs through a `.pub` path or a `key::`
//! literal in git's `user.signingKey`; a key that is not the roster's is refused
//! naming the key used and the roster file (item 9); every failure records nothing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::{NEXT_DAY, SLUG, TestEnv, fixture, json, public_key, ssh_keygen};

const ANA_FILE: &str = "reviewers/ana-example.yaml";
const SUZANNE_FILE: &str = "writers/suzanne-example.yaml";

/// A real ssh-agent on a socket in the test's temp folder, killed when dropped.
struct Agent {
    child: Child,
    socket: PathBuf,
}

impl Agent {
    /// Starts `ssh-agent -D -a SOCKET`, or `None` (with a message) to skip on a
    /// machine without it; under `MEDREVIEW_REQUIRE_TOOLS` its absence fails the test.
    fn start(env: &TestEnv) -> Option<Agent> {
        let program = Path::new("/usr/bin/ssh-agent");
        if !program.is_file() {
            assert!(
                std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
                "ssh-agent is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
            );
            eprintln!("skipped: ssh-agent is not installed (apt-get install openssh-client)");
            return None;
        }
        let socket = env.outside("agent.sock");
        let child = Command::new(program)
            .env_clear()
            .args(["-D", "-a"])
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ssh-agent");
        let agent = Agent { child, socket };
        for _ in 0..200 {
            if agent.socket.exists() {
                return Some(agent);
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("ssh-agent did not open its socket within 5 seconds");
    }

    fn sock(&self) -> &str {
        self.socket.to_str().expect("utf-8 path")
    }

    /// `ssh-add KEY`, typing `passphrase` through an askpass script, as a desktop does.
    fn add(&self, env: &TestEnv, key: &Path, passphrase: &str) {
        let askpass = env.outside("askpass.sh");
        std::fs::write(&askpass, format!("#!/bin/sh\necho '{passphrase}'\n")).expect("askpass");
        let mut perms = std::fs::metadata(&askpass).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
        std::fs::set_permissions(&askpass, perms).expect("chmod");
        let out = Command::new("/usr/bin/ssh-add")
            .env_clear()
            .env("SSH_AUTH_SOCK", &self.socket)
            .env("SSH_ASKPASS", &askpass)
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("DISPLAY", ":0")
            .arg(key)
            .stdin(Stdio::null())
            .output()
            .expect("run ssh-add");
        assert!(
            out.status.success(),
            "ssh-add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Generates an ed25519 key (`-N passphrase`) at `keys/NAME` outside the repository;
/// returns the private key's path and the public key line.
fn generate(env: &TestEnv, name: &str, passphrase: &str, extra: &[&str]) -> (PathBuf, String) {
    let dir = env.outside("keys");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join(name);
    let out = Command::new("/usr/bin/ssh-keygen")
        .env_clear()
        .args(["-q", "-N", passphrase, "-C", name, "-f"])
        .arg(&path)
        .args(if extra.is_empty() {
            &["-t", "ed25519"][..]
        } else {
            extra
        })
        .output()
        .expect("run ssh-keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = std::fs::read_to_string(path.with_file_name(format!("{name}.pub")))
        .expect("public key")
        .trim()
        .to_owned();
    (path, line)
}

fn fingerprint(line: &str) -> String {
    medreview_core::signing::key_fingerprint(line).expect("a public key")
}

fn pub_path(private: &Path) -> String {
    format!("{}.pub", private.display())
}

/// Puts `line` on file as `rel`'s public_key and commits it.
fn put_key(env: &TestEnv, rel: &str, line: &str) {
    env.append(rel, &format!("public_key: {line}\n"));
    env.git(&["commit", "-q", "-am", "public key"]);
}

/// Temp paths, the commit hash and the named fingerprints replaced, for snapshots.
fn redact(env: &TestEnv, text: &str, fingerprints: &[(&str, &str)]) -> String {
    let tmp = env.outside("x");
    let tmp = tmp.parent().expect("temp folder").display().to_string();
    let mut text = env
        .redact(text)
        .replace(&tmp, "[TMP]")
        .replace(env!("CARGO_MANIFEST_DIR"), "[CRATE]");
    for (line, name) in fingerprints {
        text = text.replace(&fingerprint(line), name);
    }
    let text = match text.find("(commit ") {
        Some(at) => format!("{}(commit [COMMIT]{}", &text[..at], &text[at + 18..]),
        None => text,
    };
    // The fixture key on file keeps its real fingerprint; a generated key has none fixed.
    text.replace("[TMP]/keys/", "[KEYS]/")
}

/// Runs medreview with `vars`, asserts it was refused with a hint and that nothing
/// was recorded (same commit count, clean working tree); returns stderr.
fn refused(env: &TestEnv, vars: &[(&str, &str)], args: &[&str]) -> String {
    let (commits, status) = (env.commit_count(), env.porcelain());
    let run = env.run_with(vars, args);
    // Refused (1), or the machine's signing setup (3: no agent, ssh-keygen failing).
    let code = run
        .stderr
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("Code: "));
    let kind = medreview_core::error::Code::ALL
        .iter()
        .find(|c| Some(c.as_str()) == code)
        .map(|c| i32::from(c.kind().exit_code()));
    assert_eq!(
        Some(run.code),
        kind,
        "{args:?} should be refused:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("\nHint: "), "{}", run.stderr);
    assert_eq!(env.commit_count(), commits, "a commit was made");
    assert_eq!(env.porcelain(), status, "the working tree changed");
    assert_eq!(status, "", "the working tree was clean before");
    run.stderr
}

fn signed(env: &TestEnv) -> Vec<bool> {
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["signed"] == true)
        .collect()
}

fn require_signatures(env: &TestEnv) {
    let config = env
        .read("medreview.yaml")
        .replace("require_signatures: false", "require_signatures: true");
    env.write("medreview.yaml", &config);
    env.git(&["commit", "-q", "-am", "require signatures"]);
}

#[test]
fn a_passphrase_key_in_ssh_agent_signs_through_a_pub_path_and_a_key_literal() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    let Some(agent) = Agent::start(&env) else {
        return;
    };
    let (ana, ana_line) = generate(&env, "ana_agent", "correct horse", &[]);
    let (suzanne, suzanne_line) = generate(&env, "suzanne_agent", "battery staple", &[]);
    agent.add(&env, &ana, "correct horse");
    agent.add(&env, &suzanne, "battery staple");
    // Only the agent holds the private halves now.
    std::fs::remove_file(&ana).expect("rm");
    std::fs::remove_file(&suzanne).expect("rm");
    put_key(&env, ANA_FILE, &ana_line);
    put_key(&env, SUZANNE_FILE, &suzanne_line);
    require_signatures(&env);
    let sock = [("SSH_AUTH_SOCK", agent.sock())];

    // The writer: a key:: literal, which only the agent can sign with.
    env.git(&["config", "user.signingKey", &format!("key::{suzanne_line}")]);
    let run = env.run_with(&sock, &["submit", SLUG, "--as", "suzanne-example"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The reviewer: the path of the .pub file (no gpg.format: an OpenSSH key file).
    env.set_now(NEXT_DAY);
    env.git(&["config", "user.signingKey", &pub_path(&ana)]);
    let run = env.run_with(
        &sock,
        &["approve", SLUG, "--as", "ana-example", "-m", "Accurate."],
    );
    insta::assert_snapshot!(
        format!("{}\nexit {}", redact(&env, &run.stderr, &[]), run.code),
        @r"
    Approved her2-treatment r1 a02ddc2 (commit [COMMIT]); her2-treatment is now approved
    Next: share it with the team: `medreview sync` (or `git push`), or pass --sync next time

    exit 0
    "
    );
    assert_eq!(signed(&env), [true, true]);
    env.ok(&["check"]);
    // Counted with signatures required: status says approved and publishable.
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "approved", "{status:#}");
    assert!(
        !status["articles"][0]["publishable"].is_null(),
        "{status:#}"
    );
}

#[test]
fn a_private_key_file_in_user_signing_key_signs_with_gpg_format_ssh() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    put_key(&env, ANA_FILE, &public_key("ana_ed25519"));
    // A GPG key id is never read as a path: the submission goes unsigned, no error.
    env.git(&["config", "user.signingKey", "3AA5C34371567BD2"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    assert_eq!(signed(&env), [false]);
    env.set_now(NEXT_DAY);
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&[
        "config",
        "user.signingKey",
        fixture("ana_ed25519").to_str().expect("utf-8"),
    ]);
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    assert_eq!(signed(&env), [false, true]);
    env.ok(&["check"]);
}

#[test]
fn a_key_that_is_not_the_rosters_is_refused_naming_the_key_and_the_roster_file() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    put_key(&env, ANA_FILE, &public_key("ana_ed25519"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let ana = public_key("ana_ed25519");

    // Known before signing: the .pub file beside the private key.
    let (other, other_line) = generate(&env, "other", "", &[]);
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&["config", "user.signingKey", other.to_str().expect("utf-8")]);
    let err = refused(&env, &[], &["approve", SLUG, "--as", "ana-example"]);
    insta::assert_snapshot!(
        redact(&env, &err, &[(&other_line, "[OTHER]"), (&ana, "[ANA]")]),
        @"
    Error: the key [OTHER] from [KEYS]/other (git config user.signingKey) is not ana-example's: reviewers/ana-example.yaml has public_key [ANA]
    Hint: sign with the key whose public line is in reviewers/ana-example.yaml (--key FILE, or git config medreview.signingKey FILE), or act as the person this key belongs to
    Code: wrong-signing-key
    "
    );

    // Known only from the signature: a gpg.ssh.program that signs with another key
    // than it was given. Its signature is checked here and refused before any commit.
    let program = env.outside("sign-with-other");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\n# -Y sign -n NAMESPACE -f KEY FILE\nexec /usr/bin/ssh-keygen -Y sign -n \"$4\" -f {} \"$7\"\n",
            other.display()
        ),
    )
    .expect("program");
    let mut perms = std::fs::metadata(&program).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
    std::fs::set_permissions(&program, perms).expect("chmod");
    env.git(&[
        "config",
        "gpg.ssh.program",
        program.to_str().expect("utf-8"),
    ]);
    env.git(&["config", "--unset", "user.signingKey"]);
    let key = fixture("ana_ed25519");
    let err = refused(
        &env,
        &[],
        &[
            "approve",
            SLUG,
            "--as",
            "ana-example",
            "--key",
            key.to_str().expect("utf-8"),
        ],
    );
    insta::assert_snapshot!(
        redact(&env, &err, &[(&other_line, "[OTHER]"), (&ana, "[ANA]")]),
        @r#"
    Error: the key [OTHER] that [TMP]/sign-with-other signed with, given [CRATE]/tests/cli/fixtures/ana_ed25519 (--key) is not ana-example's: reviewers/ana-example.yaml has public_key [ANA]
    Hint: sign with the key whose public line is in reviewers/ana-example.yaml (--key FILE, or git config medreview.signingKey FILE), or act as the person this key belongs to
    Code: wrong-signing-key
    "#
    );
    assert!(env.signoffs(SLUG).len() == 1, "only the submission");
}

#[test]
fn signing_failures_say_why_and_record_nothing() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    let (locked, locked_line) = generate(&env, "locked", "right passphrase", &[]);
    put_key(&env, ANA_FILE, &locked_line);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let approve = ["approve", SLUG, "--as", "ana-example"];
    let literal = format!("key::{locked_line}");
    let mut stderr = String::new();

    // A key:: literal with no agent running, then with an agent that is not there.
    env.git(&["config", "user.signingKey", &literal]);
    stderr.push_str(&refused(&env, &[], &approve));
    let gone = env.outside("no-agent.sock");
    stderr.push_str(&refused(
        &env,
        &[("SSH_AUTH_SOCK", gone.to_str().expect("utf-8"))],
        &approve,
    ));
    // A wrong passphrase (the askpass program types nothing), never a terminal prompt.
    env.git(&["config", "user.signingKey", locked.to_str().expect("utf-8")]);
    env.git(&["config", "gpg.format", "ssh"]);
    let no_tty = [
        ("SSH_ASKPASS", "/bin/false"),
        ("SSH_ASKPASS_REQUIRE", "force"),
    ];
    stderr.push_str(&refused(&env, &no_tty, &approve));
    // A key file that is not there.
    env.git(&["config", "user.signingKey", "~/.ssh/id_missing"]);
    stderr.push_str(&refused(&env, &[], &approve));
    // No signing program.
    env.git(&["config", "user.signingKey", locked.to_str().expect("utf-8")]);
    env.git(&["config", "gpg.ssh.program", "/nonexistent/ssh-keygen"]);
    stderr.push_str(&refused(&env, &[], &approve));

    insta::assert_snapshot!(redact(&env, &stderr, &[]), @r#"
    Error: the key:: literal in git config user.signingKey needs ssh-agent, and no agent is running (SSH_AUTH_SOCK is not set)
    Hint: start ssh-agent and add the key (`eval "$(ssh-agent)"` then `ssh-add ~/.ssh/id_ed25519`), or sign with the private key file instead of the key:: literal in git config user.signingKey
    Code: no-ssh-agent
    Error: the key:: literal in git config user.signingKey needs ssh-agent, and the agent at SSH_AUTH_SOCK=[TMP]/no-agent.sock cannot be reached: No such file or directory (os error 2)
    Hint: start ssh-agent and add the key (`eval "$(ssh-agent)"` then `ssh-add ~/.ssh/id_ed25519`), or sign with the private key file instead of the key:: literal in git config user.signingKey
    Code: no-ssh-agent
    Error: ssh-keygen could not sign with [KEYS]/locked (git config user.signingKey): Load key "[KEYS]/locked": incorrect passphrase supplied to decrypt private key
    Hint: the passphrase was wrong or not typed: run the command again on a terminal and type it, or add the key to ssh-agent once (`ssh-add [KEYS]/locked`)
    Code: signing-failed
    Error: cannot read the signing key [TMP]/home/.ssh/id_missing (git config user.signingKey): No such file or directory (os error 2)
    Hint: name an OpenSSH key file that exists (a private key, or a .pub file whose key is in ssh-agent), or a key::ssh-ed25519 AAAA... literal
    Code: unreadable-signing-key
    Error: cannot run /nonexistent/ssh-keygen to sign: it is not installed or not on PATH
    Hint: install OpenSSH's ssh-keygen (Debian/Ubuntu: apt-get install openssh-client), or point git config gpg.ssh.program at it
    Code: missing-program
    "#);
    assert_eq!(env.signoffs(SLUG).len(), 1, "only the submission");
}

#[test]
fn medreview_signing_key_wins_over_user_signing_key() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    put_key(&env, ANA_FILE, &public_key("ana_ed25519"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    // git's key would need an agent that is not running; medreview's own key is used.
    env.git(&[
        "config",
        "user.signingKey",
        &format!("key::{}", public_key("suzanne_ed25519")),
    ]);
    env.git(&[
        "config",
        "medreview.signingKey",
        fixture("ana_ed25519").to_str().expect("utf-8"),
    ]);
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    assert_eq!(signed(&env), [false, true]);
    env.ok(&["check"]);
}

#[test]
fn git_signing_key_for_a_person_with_no_key_on_file_records_unsigned_with_a_warning() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&[
        "config",
        "user.signingKey",
        fixture("suzanne_ed25519").to_str().expect("utf-8"),
    ]);
    let run = env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    insta::assert_snapshot!(redact(&env, &run.stderr, &[]), @r#"
    Warning: not signed: suzanne-example has no public_key in writers/suzanne-example.yaml, so the key in git config user.signingKey was not used; an admin records the key's public line in writers/suzanne-example.yaml: `medreview writer edit suzanne-example --public-key "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEjXp7I1pbuE44X6v/DE/7UBsoBgkwpDRleM1k+vdb6W"`
    Submitted her2-treatment r1 a02ddc2 (commit [COMMIT]); her2-treatment is now in-review
    Next: share it with the team: `medreview sync` (or `git push`), or pass --sync next time
    "#);
    assert_eq!(signed(&env), [false]);
    env.set_now(NEXT_DAY);
    // Chosen for medreview (--key), a key is refused instead: a signature no one could
    // verify. The hint names the key's own public line and the roster file it goes in.
    let key = fixture("ana_ed25519");
    let args = [
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        key.to_str().expect("utf-8"),
    ];
    let err = refused(&env, &[], &args);
    insta::assert_snapshot!(redact(&env, &err, &[]), @r#"
    Error: ana-example has no public_key in reviewers/ana-example.yaml, so a signature by them could not be verified
    Hint: an admin records the key's public line in reviewers/ana-example.yaml: `medreview reviewer edit ana-example --public-key "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMjsJuzdWgnvFxpnxcut2cSnHlgy79hUJ1kMvMfmhNGG"`
    Code: no-public-key
    "#);
    // Issue 13 item 9: the hint named "<key>.pub", a file that need not exist (and
    // "id.pub.pub" for a .pub key). Given the .pub file, it names the same line.
    let key = fixture("ana_ed25519.pub");
    let args = [
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        key.to_str().expect("utf-8"),
    ];
    assert_eq!(refused(&env, &[], &args), err);
}
