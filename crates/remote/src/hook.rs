//! The server gate: a `pre-receive` hook in the team's bare repository that refuses
//! any push that would rewrite the record or add an entry that does not verify.
//!
//! Settings are the bare repository's own git config, which no pusher controls:
//! `medreview.branch` (default: every branch), `medreview.root` (the
//! workspace folder inside the repository, default the top), `medreview.clockTolerance`
//! (minutes an entry's time may be from the server's clock, default
//! [`DEFAULT_TOLERANCE_MINUTES`]) and `medreview.pusherVariable` (the environment
//! variable naming the authenticated pusher, default `REMOTE_USER` as `git
//! http-backend` sets it), and `medreview.gateKey` (a key file the gate signs its
//! checkpoint with, see [`medreview_core::record::history::gate`]).

use std::io::{BufRead, Write};
use std::path::Path;

use chrono::TimeDelta;

use medreview_core::error::{Code, Error, Result};
use medreview_core::record::history::{CHECKPOINT_REF, gate};
use medreview_store::gitstore::GitStore;

/// How far an entry's `at` may be from the server's clock, by default.
pub(crate) const DEFAULT_TOLERANCE_MINUTES: i64 = 30;

/// The marker line that says a hook is medreview's.
const MARKER: &str = "# medreview server gate";

/// What `install` did.
pub struct Installed {
    /// The hook file.
    pub hook: std::path::PathBuf,
    /// With a gate key: its public line, and what signing the branch's tip did.
    pub gate: Option<(String, Signed)>,
}

/// What the gate did about its signed checkpoint.
pub enum Signed {
    /// It signed a statement that the whole history of the branch verified.
    Signed(gate::Statement),
    /// The history has problems, so nothing was signed: how many, and the first.
    Problems(usize, String),
    /// The branch does not exist yet.
    NoBranch,
    /// The branch holds no workspace at `medreview.root` (named).
    NoWorkspace(String),
}

/// Installs the gate in the bare repository `dir`; with `gate_key`, the gate signs
/// its checkpoint with that key file, starting with the branch as it is now.
pub fn install(dir: &Path, gate_key: Option<&Path>) -> Result<Installed> {
    let git = GitStore::open_bare(dir)?;
    let key = match gate_key {
        Some(path) => {
            let path = path
                .canonicalize()
                .map_err(|e| Error::io("find", path, e))?;
            let key = gate::GateKey::load(&path)?;
            let branch = gated_branch(&git)?;
            let others = git.refs_under("refs/heads/");
            if git.ref_commit(&branch).is_none() && !others.is_empty() {
                // `git init --bare` names `master` in HEAD while the team pushes
                // `main`: the gate would wait for a branch nobody pushes.
                return Err(Error::with_hint(
                    Code::InvalidSetting,
                    format!(
                        "the gate would sign {branch}, which the repository does not have (it has {})",
                        others
                            .iter()
                            .map(|(name, _)| name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!(
                        "name the team's branch: `git --git-dir {} config medreview.branch main`, then install again",
                        dir.display()
                    ),
                ));
            }
            Some((path, key))
        }
        None => None,
    };
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| Error::io("find", Path::new("the medreview program"), e))?;
    let hooks = git.git_dir().join("hooks");
    std::fs::create_dir_all(&hooks).map_err(|e| Error::io("create", &hooks, e))?;
    let hook = hooks.join("pre-receive");
    let after = hooks.join("post-receive");
    for file in [&hook, &after] {
        if let Ok(existing) = std::fs::read_to_string(file)
            && !existing.contains(MARKER)
        {
            return Err(Error::with_hint(
                Code::AlreadyExists,
                format!("{} exists and is not medreview's", file.display()),
                "move it aside (or call it from a hook that runs both), then install again",
            ));
        }
    }
    let quoted = format!("'{}'", exe.display().to_string().replace('\'', r"'\''"));
    let scripts = [
        (
            &hook,
            format!(
                "#!/bin/sh\n{MARKER}: refuses pushes that would rewrite the record or add an entry\n# that does not verify. Installed by `medreview hook install --server`.\nexec {quoted} hook pre-receive\n"
            ),
        ),
        (
            &after,
            format!(
                "#!/bin/sh\n{MARKER}: moves refs/medreview/checked to what the gate verified.\n# Installed by `medreview hook install --server`.\nexec {quoted} hook post-receive\n"
            ),
        ),
    ];
    for (file, script) in scripts {
        medreview_store::gitstore::write_atomically(file, script.as_bytes())
            .map_err(|e| Error::io("write", file, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| Error::io("make executable", file, e))?;
        }
    }
    git.set_config("receive.denyNonFastForwards", "true")?;
    git.set_config("receive.denyDeletes", "true")?;
    let gate = match key {
        Some((path, key)) => {
            let shown = path.to_str().ok_or_else(|| {
                Error::new(
                    Code::InvalidSetting,
                    format!("the gate key's path {} is not UTF-8", path.display()),
                )
            })?;
            git.set_config("medreview.gateKey", shown)?;
            let branch = gated_branch(&git)?;
            let signed = match git.ref_commit(&branch) {
                Some(tip) => sign_checkpoint(git.git_dir(), &key, &tip)?,
                None => Signed::NoBranch,
            };
            Some((key.public_line().to_owned(), signed))
        }
        None => None,
    };
    Ok(Installed { hook, gate })
}

/// The branch the checkpoint follows: `medreview.branch`, else the one HEAD names.
fn gated_branch(git: &GitStore) -> Result<String> {
    Ok(match git.config_string("medreview.branch") {
        Some(b) if b.starts_with("refs/") => b,
        Some(b) => format!("refs/heads/{b}"),
        None => git.head_branch()?,
    })
}

/// The workspace folder in the server's repository (`medreview.root`), without
/// slashes at either end (`""` at the top).
fn server_root(git: &GitStore) -> String {
    git.config_string("medreview.root")
        .map(|r| r.trim_matches('/').to_owned())
        .unwrap_or_default()
}

/// Verifies the whole history of `tip` in the bare repository at `git_dir` (from
/// the server's own memo-backed checkpoint, so a push costs its own commits) and,
/// when it is clean, signs the gate's statement with `key`.
fn sign_checkpoint(git_dir: &Path, key: &gate::GateKey, tip: &str) -> Result<Signed> {
    let repo = medreview_core::repo::Repo::new(GitStore::open_bare(git_dir)?);
    let root = server_root(&repo);
    let config = if root.is_empty() {
        medreview_core::workspace::CONFIG_FILE.to_owned()
    } else {
        format!("{root}/{}", medreview_core::workspace::CONFIG_FILE)
    };
    if repo.snapshot(tip)?.file_id(&config).is_none() {
        return Ok(Signed::NoWorkspace(gate::workspace_name(&root)));
    }
    let report = medreview_core::record::history::verify_tip(&repo, &root, tip, true)?;
    repo.memo.save(false);
    if let Some(first) = report.problems.first() {
        let place = first
            .file
            .as_deref()
            .map(|f| format!("{f}: "))
            .unwrap_or_default();
        return Ok(Signed::Problems(
            report.problems.len(),
            format!("{place}{} [{}]", first.message, first.code),
        ));
    }
    Ok(Signed::Signed(gate::sign(&repo, key, &root, tip)?))
}

/// What a gate says about `signed`, for whoever installed it or pushed.
pub fn describe(signed: &Signed) -> String {
    match signed {
        Signed::Signed(statement) => format!(
            "The gate signed its checkpoint: the whole history of commit {} verified for the workspace in {} (key {}).",
            &statement.commit[..10],
            statement.workspace,
            statement.key
        ),
        Signed::Problems(n, first) => format!(
            "The gate signed no checkpoint: the history has {} ({first}); clones that trust it start from its last statement, and walk the rest, until `medreview repair` puts it right.",
            medreview_core::plural::plural(*n, "problem", "problems")
        ),
        Signed::NoWorkspace(root) => format!(
            "The gate signed no checkpoint: the branch has no medreview.yaml in the folder {root} (git config medreview.root names the workspace's folder)."
        ),
        Signed::NoBranch => {
            "The branch has no commits yet; the gate signs its checkpoint after the first push."
                .into()
        }
    }
}

/// Runs the `post-receive` hook: after a push the gate verified, moves the
/// server's checkpoint `refs/medreview/checked` to the gated branch's new tip (the
/// branch `medreview.branch` names, else the one HEAD names), only forward. With
/// `medreview.gateKey`, the checkpoint moves only after the whole history verified
/// (from the last one, so the cost follows the push), and the gate signs it; what
/// it did is said on `err`, which git shows the pusher.
pub fn post_receive(input: &mut dyn BufRead, err: &mut dyn Write) -> Result<()> {
    let git = GitStore::open_from_env()?;
    let branch = gated_branch(&git)?;
    let key = match git.config_string("medreview.gateKey") {
        Some(path) => Some(gate::GateKey::load(Path::new(&path))?),
        None => None,
    };
    for (_, new, refname) in ref_updates(input)? {
        let (new, refname) = (new.as_str(), refname.as_str());
        if refname != branch || new.bytes().all(|b| b == b'0') {
            continue;
        }
        if let Some(key) = &key {
            let signed = sign_checkpoint(git.git_dir(), key, new)?;
            if !matches!(signed, Signed::Signed(_)) {
                let _ = writeln!(err, "medreview gate: {}", describe(&signed));
            }
            continue;
        }
        let forward = git
            .ref_commit(CHECKPOINT_REF)
            .is_none_or(|cp| git.is_ancestor(&cp, new));
        if forward {
            git.set_ref(CHECKPOINT_REF, new, "medreview gate: push verified")?;
        }
    }
    Ok(())
}

/// The `<old> <new> <ref>` lines git gives a receive hook on stdin (others skipped).
fn ref_updates(input: &mut dyn BufRead) -> Result<Vec<(String, String, String)>> {
    let mut updates = Vec::new();
    let mut line = String::new();
    while {
        line.clear();
        input
            .read_line(&mut line)
            .map_err(|e| Error::io("read", Path::new("<stdin>"), e))?
            > 0
    } {
        let mut parts = line.split_whitespace();
        if let (Some(old), Some(new), Some(refname)) = (parts.next(), parts.next(), parts.next()) {
            updates.push((old.to_owned(), new.to_owned(), refname.to_owned()));
        }
    }
    Ok(updates)
}

/// What `medreview init` writes as the workspace's `.gitattributes`.
const INIT_GITATTRIBUTES: &str = include_str!("../../site/src/templates/gitattributes");

/// The `.gitattributes` files inside the workspace at `prefix` that differ between
/// `old` and `new`, unless the new one is the workspace's own, as `init` writes it.
fn changed_attributes(
    git: &medreview_core::repo::Repo,
    prefix: &str,
    old: &str,
    new: &str,
) -> Result<Vec<String>> {
    let root = prefix.trim_end_matches('/');
    let changes = git.diff_commits(root, old, new)?;
    let snapshot = git.snapshot(new)?;
    let mut files = Vec::new();
    for change in changes {
        let name = change.path.rsplit('/').next().unwrap_or_default();
        if name != ".gitattributes" {
            continue;
        }
        let file = format!("{prefix}{}", change.path);
        let own = change.path == ".gitattributes"
            && snapshot.read(&file)?.as_deref() == Some(INIT_GITATTRIBUTES.as_bytes());
        if !own {
            files.push(file);
        }
    }
    Ok(files)
}

/// One refusal.
struct Refusal {
    refname: String,
    code: String,
    message: String,
}

/// Runs the `pre-receive` hook: reads `<old> <new> <ref>` lines, writes refusals to
/// `err`, and returns whether the push may go ahead.
pub fn pre_receive(input: &mut dyn BufRead, err: &mut dyn Write) -> Result<bool> {
    let git = medreview_core::repo::Repo::without_memo(GitStore::open_from_env()?);
    // Without `medreview.branch`, every branch is gated: a server made by plain
    // `git init --bare` names `master` in HEAD while the team pushes `main`.
    let branch = git.config_string("medreview.branch").map(|b| {
        if b.starts_with("refs/") {
            b
        } else {
            format!("refs/heads/{b}")
        }
    });
    let gated = |name: &str| match &branch {
        Some(b) => name == b,
        None => name.starts_with("refs/heads/"),
    };
    let prefix = git
        .config_string("medreview.root")
        .map(|r| format!("{}/", r.trim_matches('/')))
        .filter(|r| r != "/")
        .unwrap_or_default();
    let tolerance = match git.config_string("medreview.clockTolerance") {
        Some(text) => text.trim().parse::<i64>().map_err(|_| {
            Error::with_hint(
                Code::InvalidSetting,
                format!("medreview.clockTolerance is {text:?}, not a number of minutes"),
                "set it with `git config medreview.clockTolerance 30` in the server's repository",
            )
        })?,
        None => DEFAULT_TOLERANCE_MINUTES,
    };
    let pusher_var = git
        .config_string("medreview.pusherVariable")
        .unwrap_or_else(|| "REMOTE_USER".into());
    let pusher = std::env::var(&pusher_var)
        .ok()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    let now = medreview_core::clock::now()?;
    let mut refusals = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut checked = 0;
    let updates = ref_updates(input)?;
    // The branch publication tags must name commits of: the gated one (else the one
    // HEAD names), at its tip after this push.
    let main_ref = branch.clone().or_else(|| git.head_branch().ok());
    let main_tip = main_ref.as_ref().and_then(|m| {
        updates
            .iter()
            .find(|(_, new, r)| r == m && !new.bytes().all(|b| b == b'0'))
            .map(|(_, new, _)| new.clone())
            .or_else(|| git.ref_commit(m))
    });
    for (old, new, refname) in updates {
        let (old, new, refname) = (old.as_str(), new.as_str(), refname.as_str());
        let zero = |id: &str| id.bytes().all(|b| b == b'0');
        let mut refuse = |code: &str, message: String| {
            refusals.push(Refusal {
                refname: refname.to_owned(),
                code: code.to_owned(),
                message,
            })
        };
        if refname.starts_with("refs/replace/") {
            // A replace ref makes git show other objects in place of the record's.
            refuse(
                "replace-ref",
                "refs/replace/ would make git read other objects in place of the record's commits and files; they are never accepted".into(),
            );
            continue;
        }
        let protected = gated(refname)
            || refname.starts_with("refs/tags/published/")
            || refname.starts_with("refs/medreview/");
        if !protected {
            continue;
        }
        if zero(new) {
            refuse(
                "ref-deleted",
                "deleting it would drop the record it holds; the record is append-only".into(),
            );
            continue;
        }
        if refname.starts_with("refs/medreview/") {
            // Regression: a pusher moved the server's checkpoint off main, and every
            // clone's sync then refused with a false "the remote was rewritten".
            refuse(
                "medreview-ref",
                "refs under refs/medreview/ on the server are moved by the gate alone (it moves refs/medreview/checked after each push it verified); push the branch only".into(),
            );
            continue;
        }
        if refname.starts_with("refs/tags/published/") {
            if !zero(old) {
                refuse(
                    "tag-moved",
                    "a publication tag records what was published and is never moved".into(),
                );
            } else if git.peel_to_commit(new).is_none() {
                refuse("tag-invalid", "a publication tag must name a commit".into());
            } else if git.object_kind(new) != Some("tag") {
                refuse(
                    "tag-invalid",
                    "a publication tag must be annotated (what `medreview publish --as` makes), naming who published and when".into(),
                );
            } else if !git
                .peel_to_commit(new)
                .zip(main_tip.as_deref())
                .is_some_and(|(commit, tip)| git.is_ancestor(&commit, tip))
            {
                refuse(
                    "tag-off-branch",
                    format!(
                        "a publication tag must name a commit of {}; publish from the gated branch",
                        main_ref.as_deref().unwrap_or("the gated branch")
                    ),
                );
            } else if let Some(why) = crate::publication::not_a_publisher(
                &git,
                &prefix,
                main_tip.as_deref().unwrap_or_default(),
                pusher.as_deref(),
                &pusher_var,
                new,
            ) {
                refuse("tag-publisher", why);
            }
            continue;
        }
        if !zero(old) && !git.is_ancestor(old, new) {
            refuse(
                "non-fast-forward",
                format!(
                    "the update drops commits ({} is not in the history of {}); the record is append-only",
                    &old[..old.len().min(10)],
                    &new[..new.len().min(10)]
                ),
            );
            continue;
        }
        if !gated(refname) {
            if !git.has_commit(new) {
                refuse("ref-invalid", "medreview's refs name commits".into());
            }
            continue;
        }
        let hide: Vec<String> = if zero(old) {
            Vec::new()
        } else {
            vec![old.to_owned()]
        };
        let base = (!zero(old)).then_some(old);
        if let Some(base) = base {
            for file in changed_attributes(&git, &prefix, base, new)? {
                refuse(
                    "record-attributes",
                    format!(
                        "{file}: the push changes git attributes, which decide how the record's files are read and written; only the `.gitattributes` `medreview init` writes is accepted"
                    ),
                );
            }
        }
        let report = crate::gate::verify(&git, &prefix, new, &hide, base)?;
        checked += report.commits;
        for w in &report.warnings {
            warnings.push(format!("[{}] {}{}", w.code, w.place(), w.message));
        }
        for p in &report.problems {
            let place = p
                .file
                .as_deref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            refuse(p.code, format!("{place}{}", p.message));
        }
        // The push that creates the branch brings the record's existing history
        // (years of sign-offs made before the gate): `check`'s rules apply to it,
        // the server's clock and the pusher to every later push.
        let created = zero(old);
        for added in report.added.iter().filter(|_| !created) {
            let off = (added.at - now).abs();
            if off > TimeDelta::minutes(tolerance) {
                refuse(
                    "server-time",
                    format!(
                        "{}: the entry by {} is dated {}, but the server's clock says {} ({} minutes apart, more than the {tolerance} allowed); record it again now (after `medreview sync`)",
                        added.file,
                        added.by,
                        medreview_core::clock::rfc3339(&added.at),
                        medreview_core::clock::rfc3339(&now),
                        off.num_minutes()
                    ),
                );
            }
            if let Some(pusher) = &pusher {
                let signer = added.recorded_by.as_ref().unwrap_or(&added.by);
                let is_pusher = signer.as_str() == pusher
                    || report
                        .roster
                        .email_of(signer)
                        .is_some_and(|e| e.eq_ignore_ascii_case(pusher));
                if !is_pusher {
                    refuse(
                        "pusher-mismatch",
                        format!(
                            "{}: the entry is by {signer}, but {pusher} pushed it; each person pushes their own sign-offs",
                            added.file
                        ),
                    );
                }
            }
        }
    }
    let say = |err: &mut dyn Write, text: &str| {
        writeln!(err, "{text}").map_err(|e| Error::io("write", Path::new("<stderr>"), e))
    };
    for w in &warnings {
        say(err, &format!("medreview: warning: {w}"))?;
    }
    if refusals.is_empty() {
        if checked > 0 {
            say(
                err,
                &format!(
                    "medreview: {} verified",
                    medreview_core::plural::plural(checked, "commit", "commits")
                ),
            )?;
        }
        return Ok(true);
    }
    for r in &refusals {
        say(
            err,
            &format!(
                "medreview: refused {}: [{}] {}",
                r.refname, r.code, r.message
            ),
        )?;
    }
    say(
        err,
        &format!(
            "medreview: the push was refused ({}); nothing was changed on the server",
            medreview_core::plural::plural(refusals.len(), "problem", "problems")
        ),
    )?;
    Ok(false)
}
