//! The rows about signing keys, sharing with the team's remote, the command line
//! and the machine.

use std::path::Path;

use super::{Code, Command, Row, Start, arg, cmd, commit_all, edit_signoff};
use crate::common::{ARTICLE, NEXT_DAY, SIGNOFFS, SLUG, TestEnv, fixture, public_key};

/// A bare repository `remote.git` beside the repository, as its `origin`, holding `main`.
fn with_remote(env: &TestEnv) {
    let base = env.outside("");
    env.git_in(&base, &["init", "-q", "--bare", "-b", "main", "remote.git"]);
    env.git(&["remote", "add", "origin", "../remote.git"]);
    env.git(&["push", "-q", "origin", "main"]);
}

/// Clones `remote.git` as `other`, lets `change` edit it, commits and pushes it:
/// a colleague's push.
fn colleague_pushes(env: &TestEnv, message: &str, change: fn(&Path)) {
    let base = env.outside("");
    env.git_in(&base, &["clone", "-q", "remote.git", "other"]);
    let other = env.outside("other");
    change(&other);
    env.git_in(&other, &["add", "-A"]);
    env.git_in(
        &other,
        &[
            "-c",
            "user.name=Colleague",
            "-c",
            "user.email=colleague@example.org",
            "commit",
            "-q",
            "-m",
            message,
        ],
    );
    env.git_in(&other, &["push", "-q", "origin", "main"]);
}

/// Gives ana-example her fixture key in the roster, then submits r1.
fn ana_signs(env: &mut TestEnv) {
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--public-key",
        &public_key("ana_ed25519"),
    ]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
}

/// The approval ana-example signs with her fixture key.
fn ana_approves_signed() -> Command {
    let key = fixture("ana_ed25519");
    cmd(&["approve", SLUG, "--as", "ana-example", "--key", arg(&key)])
}

/// The rows, in the order of `docs/errors.md`.
pub(super) fn rows() -> Vec<Row> {
    vec![
        // Signing keys.
        Row {
            code: Code::UnreadableSigningKey,
            start: Start::Submitted,
            setup: |_| {
                cmd(&[
                    "approve",
                    SLUG,
                    "--as",
                    "ana-example",
                    "--key",
                    "/nonexistent/id_ed25519",
                ])
            },
        },
        Row {
            code: Code::InvalidPublicKey,
            start: Start::Submitted,
            setup: |_| {
                cmd(&[
                    "approve",
                    SLUG,
                    "--as",
                    "ana-example",
                    "--key",
                    "key::ssh-ed25519 not-a-key",
                ])
            },
        },
        Row {
            code: Code::NoPublicKey,
            start: Start::Submitted,
            setup: |_| ana_approves_signed(),
        },
        Row {
            code: Code::WrongSigningKey,
            start: Start::Seeded,
            setup: |env| {
                ana_signs(env);
                let key = fixture("suzanne_ed25519");
                cmd(&["approve", SLUG, "--as", "ana-example", "--key", arg(&key)])
            },
        },
        // Sharing with the team.
        Row {
            code: Code::NoRemote,
            start: Start::Submitted,
            setup: |_| cmd(&["sync"]),
        },
        Row {
            code: Code::PushRejected,
            start: Start::Submitted,
            // A refusal that is not the medreview gate's (what the gate refuses, sync
            // sets aside): a server hook of the team's own.
            setup: |env| {
                with_remote(env);
                let hook = env.outside("remote.git/hooks/pre-receive");
                std::fs::write(
                    &hook,
                    "#!/bin/sh\necho 'only the release manager pushes to main' >&2\nexit 1\n",
                )
                .expect("write the hook");
                let mut perms = std::fs::metadata(&hook).expect("hook").permissions();
                std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
                std::fs::set_permissions(&hook, perms).expect("chmod the hook");
                env.append(ARTICLE, "\nAn update.\n");
                env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
                cmd(&["sync"])
            },
        },
        Row {
            code: Code::RemoteRewritten,
            start: Start::Submitted,
            setup: |env| {
                with_remote(env);
                env.append(ARTICLE, "\nAn update.\n");
                env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
                env.ok(&["sync"]);
                let remote = env.outside("remote.git");
                env.git_in(&remote, &["update-ref", "refs/heads/main", "main~1"]);
                cmd(&["sync"])
            },
        },
        Row {
            code: Code::RemoteDoesNotVerify,
            start: Start::Submitted,
            setup: |env| {
                with_remote(env);
                colleague_pushes(env, "A sign-off edited by hand", |other| {
                    let dir = other.join(SIGNOFFS);
                    let name = std::fs::read_dir(&dir)
                        .expect("the sign-offs")
                        .map(|e| e.expect("entry").file_name())
                        .next()
                        .expect("a sign-off");
                    edit_signoff(other, &format!("{}/{}", SIGNOFFS, name.to_string_lossy()));
                });
                cmd(&["sync"])
            },
        },
        Row {
            code: Code::CannotReplay,
            start: Start::Submitted,
            setup: |env| {
                with_remote(env);
                colleague_pushes(env, "A colleague's edit", |other| {
                    let path = other.join(ARTICLE);
                    let text = std::fs::read_to_string(&path).expect("read");
                    std::fs::write(&path, format!("{text}\nTheir paragraph.\n")).expect("write");
                });
                env.append(ARTICLE, "\nMy paragraph.\n");
                commit_all(env, "My edit");
                cmd(&["sync"])
            },
        },
        Row {
            code: Code::UnrelatedHistories,
            start: Start::Submitted,
            setup: |env| {
                let base = env.outside("");
                env.git_in(&base, &["init", "-q", "--bare", "-b", "main", "remote.git"]);
                // Another publication's workspace, with a history of its own.
                env.git_in(&base, &["init", "-q", "-b", "main", "stranger"]);
                let stranger = env.outside("stranger");
                env.ok_in(
                    &stranger,
                    &["init", "--publication", "Another Publication", "--no-admin"],
                );
                env.git_in(&stranger, &["push", "-q", "../remote.git", "main"]);
                env.git(&["remote", "add", "origin", "../remote.git"]);
                cmd(&["sync"])
            },
        },
        Row {
            code: Code::Diverged,
            start: Start::Submitted,
            setup: |env| {
                with_remote(env);
                colleague_pushes(env, "A colleague's note", |other| {
                    std::fs::write(other.join("NOTES.md"), "A note.\n").expect("write");
                });
                env.ok(&["writer", "add", "sam-lee", "--name", "Sam Lee"]);
                cmd(&["approve", SLUG, "--as", "ana-example", "--sync"])
            },
        },
        Row {
            code: Code::BehindRemote,
            start: Start::Approved,
            setup: |env| {
                with_remote(env);
                colleague_pushes(env, "A colleague's note", |other| {
                    std::fs::write(other.join("NOTES.md"), "A note.\n").expect("write");
                });
                env.git(&["fetch", "-q", "origin"]);
                cmd(&["publish", "--out", "../site"])
            },
        },
        // Publishing.
        Row {
            code: Code::UnsafeOutputFolder,
            start: Start::Approved,
            setup: |_| cmd(&["publish", "--out", "articles/site"]),
        },
        Row {
            code: Code::ForeignFilesInOutput,
            start: Start::Approved,
            setup: |env| {
                let site = env.outside("site");
                std::fs::create_dir_all(&site).expect("create the folder");
                std::fs::write(site.join("notes.txt"), "Not medreview's.\n").expect("write");
                cmd(&["publish", "--out", "../site"])
            },
        },
        // Usage.
        Row {
            code: Code::InvalidArgument,
            start: Start::Submitted,
            setup: |_| cmd(&["request-changes", SLUG, "--as", "ana-example", "-m", "  "]),
        },
        Row {
            code: Code::ConfirmNeedsTerminal,
            start: Start::Submitted,
            setup: |_| Command {
                exact: true,
                ..cmd(&["approve", SLUG, "--as", "ana-example"])
            },
        },
        // The machine.
        Row {
            code: Code::IoError,
            start: Start::Seeded,
            setup: |_| cmd(&["-C", "no-such-folder", "status"]),
        },
        Row {
            code: Code::GitError,
            start: Start::Seeded,
            setup: |env| {
                // A committed roster file whose object is damaged; git's own status
                // never reads it, so the repository still compares as unchanged.
                let blob = env.git(&["rev-parse", "HEAD:writers/suzanne-example.yaml"]);
                let blob = blob.trim();
                let object = env
                    .root()
                    .join(format!(".git/objects/{}/{}", &blob[..2], &blob[2..]));
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&object, std::fs::Permissions::from_mode(0o644))
                    .expect("make the object writable");
                std::fs::write(&object, "damaged").expect("damage the object");
                cmd(&["status"])
            },
        },
        Row {
            code: Code::GitCommandFailed,
            start: Start::Submitted,
            setup: |env| {
                env.git(&["remote", "add", "origin", "../no-such-remote.git"]);
                cmd(&["sync"])
            },
        },
        Row {
            code: Code::MissingProgram,
            start: Start::Seeded,
            setup: |env| {
                ana_signs(env);
                env.git(&["config", "gpg.ssh.program", "/nonexistent/ssh-keygen"]);
                ana_approves_signed()
            },
        },
        Row {
            code: Code::NoSshAgent,
            start: Start::Seeded,
            setup: |env| {
                ana_signs(env);
                let literal = format!("key::{}", public_key("ana_ed25519"));
                cmd(&["approve", SLUG, "--as", "ana-example", "--key", &literal])
            },
        },
        Row {
            code: Code::SigningFailed,
            start: Start::Seeded,
            setup: |env| {
                ana_signs(env);
                env.git(&["config", "gpg.ssh.program", "/bin/false"]);
                ana_approves_signed()
            },
        },
    ]
}
