//! Talking to the team's remote through the `git` program, as jj's
//! `git_subprocess` does: credentials, SSH config, helpers and proxies behave
//! exactly as they do for `git fetch` and `git push`.

use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, Stdio};

use medreview_core::error::{Code, Error, Result};
use medreview_core::record::history::gate::{self, GATE_REF};

/// How a push ended.
#[derive(Debug)]
pub enum Pushed {
    /// Every ref was updated (or already up to date).
    Done,
    /// The remote moved since the fetch (the lease did not hold).
    Moved,
    /// The server refused it (its hook, or its settings); git's messages.
    Refused(String),
}

/// The `git` program, run in `workdir`.
fn git(workdir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(workdir);
    // Never wait for a password on a terminal nobody watches.
    if !std::io::stderr().is_terminal() {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// Whether git's progress goes straight to the terminal.
fn live() -> bool {
    std::io::stderr().is_terminal()
}

/// Why git could not be started to do `what`: not installed, or the machine's reason.
fn cannot_run(what: &str, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::with_hint(
            Code::MissingProgram,
            format!("cannot run git to {what}: it is not installed or not on PATH"),
            "install git (Debian/Ubuntu: apt-get install git)",
        ),
        _ => Error::io("run", Path::new("git"), e),
    }
}

/// Runs `cmd`; on failure, an error with `code` naming `what` with git's own messages.
fn run(mut cmd: Command, code: Code, what: &str, hint: &str) -> Result<String> {
    if live() {
        cmd.stderr(Stdio::inherit());
    } else {
        cmd.stderr(Stdio::piped());
    }
    let out = cmd
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| cannot_run(what, e))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said = stderr.trim();
    Err(Error::with_hint(
        code,
        if said.is_empty() {
            format!("git could not {what} (its messages are above)")
        } else {
            format!("git could not {what}:\n{said}")
        },
        hint,
    ))
}

/// Whether `remote` is configured in the repository. A `git` program that cannot
/// be run is said as such, never as "there is no remote" (regression: a machine
/// without git was told to add a remote).
pub(crate) fn remote_exists(workdir: &Path, remote: &str) -> Result<bool> {
    let mut cmd = git(workdir);
    cmd.args(["remote", "get-url", remote]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let status = cmd
        .status()
        .map_err(|e| cannot_run("read the remote's address", e))?;
    Ok(status.success())
}

/// Fetches `branch` into `refs/remotes/<remote>/<branch>` and the remote's
/// checkpoint into `refs/medreview/remotes/<remote>/checked`, whichever exist there
/// (an empty remote has neither). Returns whether the remote has the branch.
pub fn fetch(workdir: &Path, remote: &str, branch: &str) -> Result<bool> {
    let hint = "check the network and `git remote -v`; `medreview sync` tries again safely";
    let mut cmd = git(workdir);
    cmd.args(["ls-remote", "--quiet", remote]);
    cmd.arg(format!("refs/heads/{branch}"));
    cmd.arg("refs/medreview/checked");
    cmd.arg(GATE_REF);
    let listed = run(
        cmd,
        Code::GitCommandFailed,
        &format!("reach {remote}"),
        hint,
    )?;
    let has = |name: &str| listed.lines().any(|l| l.split('\t').nth(1) == Some(name));
    let mut specs = Vec::new();
    if has(&format!("refs/heads/{branch}")) {
        specs.push(format!(
            "+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
        ));
    }
    let branch_there = !specs.is_empty();
    if has("refs/medreview/checked") {
        specs.push(format!(
            "+refs/medreview/checked:refs/medreview/remotes/{remote}/checked"
        ));
    }
    if has(GATE_REF) {
        specs.push(format!("+{GATE_REF}:{}", gate::remote_ref(remote)));
    }
    if specs.is_empty() {
        return Ok(false);
    }
    let mut cmd = git(workdir);
    cmd.args(["fetch", "--no-tags", "--no-write-fetch-head"]);
    cmd.arg(if live() { "--progress" } else { "--quiet" });
    cmd.arg(remote);
    cmd.args(&specs);
    run(
        cmd,
        Code::GitCommandFailed,
        &format!("fetch from {remote}"),
        hint,
    )?;
    Ok(branch_there)
}

/// Fetches the gate's signed checkpoint of `remote` ([`GATE_REF`]) into
/// `refs/medreview/remotes/<remote>/gate`, for a clone that trusts the gate and has
/// verified nothing yet (a CI job's fresh clone). `Ok(false)`: the remote has none.
pub fn fetch_gate(workdir: &Path, remote: &str) -> Result<bool> {
    // The name may come from the working tree's medreview.yaml (`sync.remote`),
    // which nothing has verified yet: only a remote git knows by that exact name is
    // ever given to git, so no text can pass for one of git's options.
    if remote.starts_with('-') || !remote_exists(workdir, remote)? {
        return Err(Error::with_hint(
            Code::GitCommandFailed,
            format!("there is no git remote named {remote:?} to fetch the gate's checkpoint from"),
            "`git remote -v` lists the remotes; `git config medreview.remote NAME` picks one",
        ));
    }
    let mut cmd = git(workdir);
    cmd.args([
        "fetch",
        "--no-tags",
        "--no-write-fetch-head",
        "--quiet",
        remote,
    ]);
    cmd.arg(format!("+{GATE_REF}:{}", gate::remote_ref(remote)));
    cmd.stderr(Stdio::piped()).stdout(Stdio::null());
    let out = cmd
        .output()
        .map_err(|e| cannot_run("fetch the gate's checkpoint", e))?;
    if out.status.success() {
        return Ok(true);
    }
    let said = String::from_utf8_lossy(&out.stderr);
    if said.contains("couldn't find remote ref") {
        return Ok(false);
    }
    Err(Error::with_hint(
        Code::GitCommandFailed,
        format!(
            "git could not fetch the gate's checkpoint from {remote}: {}",
            said.trim()
        ),
        "check the network and `git remote -v`",
    ))
}

/// Where `sync` fetches the remote's publication tags to compare them with this
/// clone's before any is taken or pushed (emptied again after).
pub(crate) const INCOMING_PUBLICATIONS: &str = "refs/medreview/incoming/published/";

/// Fetches the remote's publication tags, as they are there, into
/// [`INCOMING_PUBLICATIONS`] (none of this clone's tags is touched); a failure is
/// the returned warning.
pub(crate) fn fetch_publications(workdir: &Path, remote: &str) -> Option<String> {
    let mut cmd = git(workdir);
    cmd.args([
        "fetch",
        "--no-tags",
        "--no-write-fetch-head",
        "--quiet",
        "--prune",
        remote,
    ]);
    cmd.arg(format!("+refs/tags/published/*:{INCOMING_PUBLICATIONS}*"));
    cmd.stderr(Stdio::piped()).stdout(Stdio::null());
    match cmd.output() {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "the publication tags of {remote} were not fetched, so none was exchanged: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("cannot run git to fetch tags: {e}")),
    }
}

/// Pushes `commit` to `refs/heads/<branch>` of `remote`, only if the remote still
/// holds `expected` there (`None`: no such branch yet), and never forcing: `commit`
/// descends from `expected`.
pub(crate) fn push_branch(
    workdir: &Path,
    remote: &str,
    branch: &str,
    commit: &str,
    expected: Option<&str>,
) -> Result<Pushed> {
    let mut cmd = git(workdir);
    cmd.args(["push", "--porcelain", "--atomic"]);
    cmd.arg(if live() { "--progress" } else { "--quiet" });
    cmd.arg(format!(
        "--force-with-lease=refs/heads/{branch}:{}",
        expected.unwrap_or("")
    ));
    cmd.arg(remote);
    cmd.arg(format!("{commit}:refs/heads/{branch}"));
    cmd.stderr(if live() {
        Stdio::inherit()
    } else {
        Stdio::piped()
    });
    let out = cmd
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| cannot_run(&format!("push to {remote}"), e))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        return Ok(Pushed::Done);
    }
    // `--porcelain`: one line per ref, `!` for a rejected one, the reason last.
    let rejected = stdout
        .lines()
        .find(|l| l.starts_with('!'))
        .unwrap_or_default();
    // Two pushes that both passed the lease at the same moment: the server locks the
    // ref for one and refuses the other ("cannot lock ref … is at X but expected Y").
    let raced = |text: &str| {
        text.contains("cannot lock ref")
            || text.contains("failed to update ref")
            || text.contains("but expected")
    };
    if rejected.contains("stale info")
        || rejected.contains("fetch first")
        || rejected.contains("non-fast-forward")
        || raced(rejected)
        || (rejected.contains("remote rejected") && raced(&stderr))
    {
        return Ok(Pushed::Moved);
    }
    if rejected.contains("remote rejected") || rejected.contains("[rejected]") {
        let mut said: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("remote:"))
            .collect();
        if said.is_empty() {
            said.push(rejected);
        }
        return Ok(Pushed::Refused(said.join("\n")));
    }
    Err(Error::with_hint(
        Code::GitCommandFailed,
        format!(
            "git could not push to {remote}:\n{}",
            stderr
                .trim()
                .lines()
                .chain(stdout.trim().lines())
                .collect::<Vec<_>>()
                .join("\n")
        ),
        "check the network and `git remote -v`; your sign-offs are recorded here, and `medreview sync` pushes them",
    ))
}

/// Pushes other refs (publication tags, the checkpoint) without forcing; returns a
/// warning for each one the remote did not take.
pub(crate) fn push_refs(workdir: &Path, remote: &str, refspecs: &[String]) -> Vec<String> {
    if refspecs.is_empty() {
        return Vec::new();
    }
    let mut cmd = git(workdir);
    cmd.args(["push", "--porcelain", "--quiet", remote]);
    cmd.args(refspecs);
    cmd.stderr(Stdio::piped()).stdout(Stdio::piped());
    match cmd.output() {
        Ok(out) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with('!'))
            .map(|l| {
                let mut parts = l.split('\t');
                let _ = parts.next();
                let spec = parts.next().unwrap_or_default();
                let why = parts.next().unwrap_or_default();
                format!("{remote} did not take {spec}: {why}")
            })
            .collect(),
        Err(e) => vec![format!("cannot run git to push tags: {e}")],
    }
}

/// Moves the checked-out branch from `from` to `to`: index and working tree first
/// (git refuses before writing anything if a file with local edits would change),
/// then the branch, only if it still names `from`.
pub(crate) fn move_branch(
    workdir: &Path,
    branch_ref: &str,
    from: Option<&str>,
    to: &str,
) -> Result<()> {
    // Plumbing trusts the index's stat data; refresh it first, as `git merge` does
    // (a file whose content is unchanged is then not taken for a local edit).
    let mut refresh = git(workdir);
    refresh.args(["update-index", "-q", "--refresh"]);
    let _ = refresh.stdout(Stdio::null()).stderr(Stdio::null()).status();
    let mut cmd = git(workdir);
    cmd.args(["read-tree", "-m", "-u"]);
    if let Some(from) = from {
        cmd.arg(from);
    }
    cmd.arg(to);
    run(
        cmd,
        Code::UncommittedChanges,
        "update the working tree",
        "commit or put aside (`git stash`) your edits to the files named, then run `medreview sync` again",
    )?;
    let mut cmd = git(workdir);
    cmd.args(["update-ref", "-m", "medreview sync", branch_ref, to]);
    cmd.arg(from.unwrap_or(""));
    if let Err(err) = run(
        cmd,
        Code::BranchMoved,
        "move the branch",
        "another git command moved the branch meanwhile; run `medreview sync` again",
    ) {
        // Put the working tree back where the branch still is.
        if let Some(from) = from {
            let mut back = git(workdir);
            back.args(["read-tree", "-m", "-u", to, from]);
            let _ = back.stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
        return Err(err);
    }
    Ok(())
}
