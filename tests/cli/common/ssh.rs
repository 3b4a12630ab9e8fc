//! gitolite behind a private `sshd` on loopback, for the server-gate tests: the
//! pusher is the gitolite user whose SSH key opened the connection (`GL_USER`), the
//! way a team's real gitolite server names it.
//!
//! One temp folder holds everything: a host key and an `sshd_config` of our own
//! (127.0.0.1, a free port, keys only, `StrictModes no`, the current user only, so
//! no system account or file is touched), gitolite's home (`gitolite setup -pk
//! admin.pub`, then each user's key in its keydir) and a key pair per user.
//! gitolite's `GL_REPO_BASE` is the folder that already holds the bare repository,
//! so gitolite adopts it (adding its own `update` hook beside the gate's
//! `pre-receive`). `sshd` gives every session the hermetic environment (and so the
//! hook its clock) with `SetEnv`. It is waited for with a bound and killed when
//! dropped. A missing program skips the test with a message; under
//! `MEDREVIEW_REQUIRE_TOOLS=1` it fails it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use tempfile::TempDir;

use super::http::{available, free_port, server_env, wait_listening};

/// The SSH server (Debian package openssh-server).
pub const SSHD: &str = "/usr/sbin/sshd";
/// gitolite's command (Debian package gitolite3).
pub const GITOLITE: &str = "/usr/bin/gitolite";

/// gitolite serving one repository over a private sshd on 127.0.0.1; killed when
/// dropped.
pub struct Gitolite {
    sshd: Child,
    port: u16,
    login: String,
    keys: PathBuf,
    _dir: TempDir,
}

impl Drop for Gitolite {
    fn drop(&mut self) {
        let _ = self.sshd.kill();
        let _ = self.sshd.wait();
    }
}

/// Runs `program ARGS` with `env` only; panics with what it printed on failure.
fn run(program: &str, args: &[&str], env: &[(String, String)], dir: &Path) -> Output {
    let out = Command::new(program)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The name of the account this test runs as: the one sshd lets in.
fn login_name() -> String {
    let out = Command::new("id").arg("-un").output().expect("run id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// An `sshd_config` value, quoted.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', ""))
}

impl Gitolite {
    /// Serves the bare repository `base/<repo>.git` through gitolite to `users`
    /// (gitolite user names, each given a key pair), all with `RW+`, plus `conf`
    /// lines in the repository's gitolite.conf block (e.g. `config
    /// medreview.pusherVariable = GL_USER`; gitolite may set `medreview.*` keys).
    /// `env` is added to every session's environment, and so the hook's. `None`
    /// (skipped) without sshd, gitolite, ssh or ssh-keygen.
    pub fn start(
        base: &Path,
        repo: &str,
        users: &[&str],
        conf: &[&str],
        env: &[(&str, &str)],
    ) -> Option<Gitolite> {
        let tools = [
            (SSHD, "openssh-server"),
            (GITOLITE, "gitolite3"),
            ("/usr/bin/ssh", "openssh-client"),
            ("/usr/bin/ssh-keygen", "openssh-client"),
        ];
        if !tools
            .iter()
            .all(|(program, package)| available(Path::new(program), package))
        {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("medreview-gitolite-")
            .tempdir()
            .expect("create a temp folder");
        let root = dir.path().canonicalize().expect("canonical temp folder");
        let home = root.join("home");
        let keys = root.join("keys");
        // gitolite logs under its home from its first command on.
        fs::create_dir_all(home.join(".gitolite/logs")).expect("create gitolite's home");
        fs::create_dir_all(&keys).expect("create the key folder");
        let env_of = |extra: &[(&str, &str)]| server_env(&home, extra);
        let plain = env_of(&[]);
        let keygen = |name: &str| {
            let file = keys.join(name);
            let file = file.to_str().expect("utf-8 path");
            run(
                "ssh-keygen",
                &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file],
                &plain,
                &root,
            );
        };
        for user in std::iter::once(&"admin").chain(users) {
            keygen(user);
        }
        keygen("host");

        // gitolite's rc: the repositories live where the test put them, and
        // gitolite.conf may set medreview's server settings.
        let rc = run("gitolite", &["print-default-rc"], &plain, &root);
        let rc = String::from_utf8(rc.stdout).expect("utf-8 rc");
        let marker = "%RC = (\n";
        assert!(rc.contains(marker), "gitolite's default rc changed:\n{rc}");
        let rc = rc.replacen(
            marker,
            &format!(
                "{marker}    GL_REPO_BASE => '{}',\n",
                base.display().to_string().replace('\'', "")
            ),
            1,
        );
        let rc = rc.replacen(
            "GIT_CONFIG_KEYS                 =>  '',",
            r"GIT_CONFIG_KEYS                 =>  'medreview\..*',",
            1,
        );
        assert!(rc.contains("medreview"), "no GIT_CONFIG_KEYS line:\n{rc}");
        fs::write(home.join(".gitolite.rc"), rc).expect("write gitolite's rc");
        let admin = keys.join("admin.pub");
        run(
            "gitolite",
            &["setup", "-pk", admin.to_str().expect("utf-8 path")],
            &plain,
            &root,
        );
        // Administered on the server itself: the conf and keydir under ~/.gitolite,
        // then compile and the post-compile triggers (authorized_keys, git config).
        let admin_dir = home.join(".gitolite");
        for user in users {
            fs::copy(
                keys.join(format!("{user}.pub")),
                admin_dir.join(format!("keydir/{user}.pub")),
            )
            .expect("copy a user's key into gitolite's keydir");
        }
        let conf_file = admin_dir.join("conf/gitolite.conf");
        let mut text = fs::read_to_string(&conf_file).expect("read gitolite.conf");
        text.push_str(&format!("\nrepo {repo}\n    RW+ = {}\n", users.join(" ")));
        for line in conf {
            text.push_str(&format!("    {line}\n"));
        }
        fs::write(&conf_file, text).expect("write gitolite.conf");
        run("gitolite", &["compile"], &plain, &root);
        run("gitolite", &["trigger", "POST_COMPILE"], &plain, &root);

        // sshd, as root, needs its privilege separation folder (the package's
        // service makes it at start); as anyone else it does not use it.
        if !Path::new("/run/sshd").is_dir() {
            let _ = fs::create_dir_all("/run/sshd");
        }
        let login = login_name();
        let port = free_port();
        let set_env: Vec<String> = env_of(env)
            .iter()
            .map(|(k, v)| quoted(&format!("{k}={v}")))
            .collect();
        let config = format!(
            "ListenAddress 127.0.0.1\nPort {port}\nHostKey {host}\nPidFile none\n\
             AuthorizedKeysFile {authorized}\nStrictModes no\nUsePAM no\n\
             PubkeyAuthentication yes\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
             AllowUsers {login}\nSetEnv {set_env}\nLogLevel VERBOSE\n",
            host = quoted(&keys.join("host").display().to_string()),
            authorized = quoted(&home.join(".ssh/authorized_keys").display().to_string()),
            set_env = set_env.join(" "),
        );
        let config_file = root.join("sshd_config");
        fs::write(&config_file, config).expect("write sshd_config");
        let log = root.join("sshd.log");
        let sshd = Command::new(SSHD)
            .env_clear()
            .envs(plain.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).expect("create the sshd log"))
            .spawn()
            .expect("start sshd");
        let mut server = Gitolite {
            sshd,
            port,
            login,
            keys,
            _dir: dir,
        };
        wait_listening(&mut server.sshd, port, "sshd", Some(&log));
        Some(server)
    }

    /// The SSH URL of repository `repo` (gitolite's name, without `.git`).
    pub fn url(&self, repo: &str) -> String {
        format!("ssh://{}@127.0.0.1:{}/{repo}", self.login, self.port)
    }

    /// The command git runs to reach the server as gitolite user `user`
    /// (`core.sshCommand`): that user's key only, no known-hosts file, no prompts.
    pub fn ssh_command(&self, user: &str) -> String {
        format!(
            "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes \
             -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
             -o ConnectTimeout=10 -o LogLevel=ERROR",
            self.keys.join(user).display()
        )
    }
}
