//! Real git servers on loopback for the server-gate tests: `git daemon
//! --enable=receive-pack`, and `git http-backend` behind lighttpd with HTTP basic auth
//! (so the hook sees `REMOTE_USER`). Each listens on 127.0.0.1 at a free port, is
//! waited for with a bound, and is killed when dropped. A missing program skips the
//! test with a message; under `MEDREVIEW_REQUIRE_TOOLS=1` it fails it.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

use tempfile::TempDir;

/// The web server the HTTP tests use.
pub const LIGHTTPD: &str = "/usr/sbin/lighttpd";

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits (at most 5 s) until `child` accepts connections on `port`.
pub fn wait_listening(child: &mut Child, port: u16, what: &str, log: Option<&Path>) {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let said = log
                .and_then(|l| fs::read_to_string(l).ok())
                .unwrap_or_default();
            panic!("{what} exited early: {status}\n{said}");
        }
        sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("{what} did not accept connections on port {port} within 5 s");
}

/// Whether `program` exists; when it does not, prints why the test is skipped (and
/// fails under `MEDREVIEW_REQUIRE_TOOLS`). For `if !available(..) { return; }`.
pub fn available(program: &Path, package: &str) -> bool {
    if program.is_file() {
        return true;
    }
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "{} is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed",
        program.display()
    );
    eprintln!(
        "skipped: {} is not installed (apt-get install {package})",
        program.display()
    );
    false
}

/// git's folder of helper programs (`git --exec-path`).
pub fn git_exec_path() -> PathBuf {
    let out = Command::new("git")
        .arg("--exec-path")
        .output()
        .expect("run git --exec-path");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// The variables every server (and so every hook it runs) gets, plus `extra`.
pub fn server_env(home: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    let mut vars = vec![
        ("PATH".to_owned(), path),
        ("HOME".to_owned(), home.display().to_string()),
        ("GIT_CONFIG_GLOBAL".to_owned(), "/dev/null".to_owned()),
        ("GIT_CONFIG_NOSYSTEM".to_owned(), "1".to_owned()),
        ("LANG".to_owned(), "C".to_owned()),
    ];
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    vars
}

/// `git daemon --enable=receive-pack` serving a folder; killed when dropped.
pub struct GitDaemon {
    child: Child,
    port: u16,
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl GitDaemon {
    /// Serves every repository under `base` read-write, with `env` (e.g. the server's
    /// `MEDREVIEW_NOW`) in its environment and so in its hooks'; `None` (skipped)
    /// without git-daemon.
    pub fn start(base: &Path, env: &[(&str, &str)]) -> Option<GitDaemon> {
        if !available(&git_exec_path().join("git-daemon"), "git-daemon-run") {
            return None;
        }
        let port = free_port();
        // git-daemon itself, not `git daemon`: git runs a dashed command as its child,
        // which killing `git` would leave serving after the test.
        let mut child = Command::new(git_exec_path().join("git-daemon"))
            .env_clear()
            .envs(server_env(base, env))
            .arg("--reuseaddr")
            .arg(format!("--base-path={}", base.display()))
            .args([
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
            ])
            .arg(format!("--port={port}"))
            .arg(base)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start git daemon");
        wait_listening(&mut child, port, "git daemon", None);
        Some(GitDaemon { child, port })
    }

    /// The URL of repository `repo` (a folder under the base path).
    pub fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }
}

/// lighttpd running `git http-backend` as CGI under `/git`, behind HTTP basic auth;
/// killed when dropped.
pub struct WebServer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Drop for WebServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A lighttpd config string literal.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl WebServer {
    /// Serves the repositories under `root` at `http://127.0.0.1:PORT/git/<repo>`, to
    /// `users` (name, password) only, with `env` added to the CGI environment (and so
    /// the hook's). `None` (skipped) without lighttpd or git-http-backend.
    pub fn start(root: &Path, users: &[(&str, &str)], env: &[(&str, &str)]) -> Option<WebServer> {
        let backend = git_exec_path().join("git-http-backend");
        if !available(Path::new(LIGHTTPD), "lighttpd") || !available(&backend, "git") {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("medreview-httpd-")
            .tempdir()
            .expect("create a temp folder");
        let base = dir.path().canonicalize().expect("canonical temp folder");
        let docroot = base.join("htdocs");
        fs::create_dir_all(&docroot).expect("create the document root");
        let userfile = base.join("users");
        let lines: String = users.iter().map(|(u, p)| format!("{u}:{p}\n")).collect();
        fs::write(&userfile, lines).expect("write the user file");
        let mut cgi_env = server_env(&base, env);
        cgi_env.push(("GIT_PROJECT_ROOT".into(), root.display().to_string()));
        cgi_env.push(("GIT_HTTP_EXPORT_ALL".into(), "1".into()));
        let cgi_env: Vec<String> = cgi_env
            .iter()
            .map(|(k, v)| format!("{} => {}", quoted(k), quoted(v)))
            .collect();
        let port = free_port();
        let log = base.join("error.log");
        let conf = format!(
            r#"server.modules = ("mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi")
server.document-root = {docroot}
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = {log}
server.upload-dirs = ({tmp})
server.max-request-size = 0
alias.url = ("/git" => {backend})
auth.backend = "plain"
auth.backend.plain.userfile = {userfile}
auth.require = ("/git" => ("method" => "basic", "realm" => "medreview", "require" => "valid-user"))
$HTTP["url"] =~ "^/git" {{
  cgi.assign = ("" => "")
  setenv.add-environment = ({cgi_env})
}}
"#,
            docroot = quoted(&docroot.display().to_string()),
            log = quoted(&log.display().to_string()),
            tmp = quoted(&base.display().to_string()),
            backend = quoted(&backend.display().to_string()),
            userfile = quoted(&userfile.display().to_string()),
            cgi_env = cgi_env.join(", "),
        );
        let conf_file = base.join("lighttpd.conf");
        fs::write(&conf_file, conf).expect("write the lighttpd config");
        let mut child = Command::new(LIGHTTPD)
            .env_clear()
            .envs(server_env(&base, &[]))
            .arg("-D")
            .arg("-f")
            .arg(&conf_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start lighttpd");
        wait_listening(&mut child, port, "lighttpd", Some(&log));
        Some(WebServer {
            child,
            port,
            _dir: dir,
        })
    }

    /// The URL of repository `repo` with `user`'s credentials in it (`@` in a user
    /// name is escaped).
    pub fn url(&self, user: &str, password: &str, repo: &str) -> String {
        let user = user.replace('@', "%40");
        format!(
            "http://{user}:{password}@127.0.0.1:{}/git/{repo}",
            self.port
        )
    }
}
