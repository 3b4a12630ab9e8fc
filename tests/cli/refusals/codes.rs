//! Every error code a user can reach from the command line, one row each: what the
//! command printed (stdout, stderr) and its exit code in one snapshot, the exit code
//! the code's kind sets, the `Code:` line naming it, and the repository left exactly
//! as it was. A code no row reaches must be listed in [`UNREACHED`] with the reason.

use std::collections::BTreeSet;
use std::path::Path;

use medreview_core::error::Code;

use crate::common::{NEXT_DAY, SIGNOFFS, SLUG, TestEnv, fixture};

mod outside;
mod record;

/// Codes no row triggers, and why.
const UNREACHED: &[(Code, &str)] = &[
    (
        Code::InternalError,
        "a bug in medreview: nothing a user does should reach it",
    ),
    (
        Code::BranchMoved,
        "needs another commit at the same instant; team/race.rs runs such races",
    ),
    (
        Code::RemoteKeptMoving,
        "needs others pushing in between each of sync's attempts",
    ),
];

/// The state a row starts from.
#[derive(Clone, Copy)]
enum Start {
    /// A git repository with no workspace.
    Bare,
    /// A workspace just made by `init`.
    New,
    /// The standard roster, and the article written but not submitted.
    Seeded,
    /// `Seeded` with r1 submitted; the clock at the next day.
    Submitted,
    /// `Submitted` with r1 approved by ana-example.
    Approved,
}

/// The command a row runs, and how.
struct Command {
    args: Vec<String>,
    /// Run exactly as given, with no `--revision` added to `approve`.
    exact: bool,
}

/// A command line.
fn cmd(args: &[&str]) -> Command {
    Command {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        exact: false,
    }
}

/// One row: the code it must report, where it starts, and what it does there
/// (preparing the repository) before the command it returns is refused.
struct Row {
    code: Code,
    start: Start,
    setup: fn(&mut TestEnv) -> Command,
}

/// A path as an argument.
fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Commits everything in the working tree with plain git.
fn commit_all(env: &TestEnv, message: &str) {
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", message]);
}

/// The first sign-off file of the seeded article, workspace-relative.
fn first_signoff(env: &TestEnv) -> String {
    let name = env.signoffs(SLUG).into_iter().next().expect("a sign-off");
    format!("{}/{name}", SIGNOFFS)
}

/// Appends a line to the sign-off file `rel` (workspace-relative) of a clone at `root`.
fn edit_signoff(root: &Path, rel: &str) {
    let path = root.join(rel);
    let mut text = std::fs::read_to_string(&path).expect("read the sign-off");
    text.push_str("note: edited by hand\n");
    std::fs::write(&path, text).expect("write the sign-off");
}

/// Every row, in the order of `docs/errors.md`.
fn rows() -> Vec<Row> {
    let mut rows = record::rows();
    rows.extend(outside::rows());
    rows
}

/// A workspace in the state `start` names.
fn start(start: Start) -> TestEnv {
    match start {
        Start::Bare => TestEnv::bare(),
        Start::New => TestEnv::new(),
        Start::Seeded => TestEnv::seeded(),
        Start::Submitted => {
            let mut env = TestEnv::seeded();
            env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
            env.set_now(NEXT_DAY);
            env
        }
        Start::Approved => TestEnv::approved(),
    }
}

/// `text` with the temp folders and the fixture keys' folder named, commit and
/// revision ids (which depend on the time git commits) as `[HASH]`, and no
/// trailing spaces (git pads the lines a server sends).
fn redact(env: &TestEnv, text: &str) -> String {
    let fixtures = fixture("");
    let text = text
        .replace(arg(&fixtures), "[FIXTURES]/")
        .replace(arg(env.root()), "[REPO]")
        .replace(arg(&env.outside("")), "[TMP]/");
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(&hashes_redacted(line.trim_end()));
        out.push('\n');
    }
    out
}

/// Each run of 7 to 40 lowercase hex digits holding a digit, standing alone, as
/// `[HASH]`; but `ed25519` (a key type) and numbers of fewer than 10 digits (a size),
/// unless the word `commit` names them (a short commit id may be all digits).
fn hashes_redacted(line: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex = word
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if hex
            && (7..=40).contains(&word.len())
            && word.bytes().any(|b| b.is_ascii_digit())
            && word != "ed25519"
            && (out.ends_with("commit ")
                || !(word.len() < 10 && word.bytes().all(|b| b.is_ascii_digit())))
        {
            out.push_str("[HASH]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in line.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// An argument as a shell would need it.
fn quoted(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@".contains(&b))
    {
        arg.to_owned()
    } else {
        format!("'{arg}'")
    }
}

#[test]
fn every_code_a_user_can_reach_is_reported_with_its_exit_code_and_changes_nothing() {
    let mut transcript = String::new();
    let mut reached = BTreeSet::new();
    for row in rows() {
        let mut env = start(row.start);
        let command = (row.setup)(&mut env);
        let args: Vec<&str> = command.args.iter().map(String::as_str).collect();
        let exit = i32::from(row.code.kind().exit_code());
        let run = env.stops_in(env.root(), &[], &args, command.exact, exit);
        let named = format!("Code: {}", row.code);
        assert!(
            run.stderr.lines().last() == Some(named.as_str()),
            "{}: the last line is not {named:?}:\n{}",
            row.code,
            run.stderr
        );
        assert!(
            reached.insert(row.code.as_str()),
            "{} has two rows",
            row.code
        );
        let shown: Vec<String> = args.iter().map(|a| quoted(a)).collect();
        transcript.push_str(&format!(
            "$ medreview {}\n[exit {}]\n{}{}\n",
            redact(&env, &shown.join(" ")).trim_end(),
            run.code,
            redact(&env, &run.stdout),
            redact(&env, &run.stderr),
        ));
    }
    let unreached: BTreeSet<&str> = UNREACHED.iter().map(|(code, _)| code.as_str()).collect();
    for code in Code::ALL {
        assert!(
            reached.contains(code.as_str()) != unreached.contains(code.as_str()),
            "{code}: reached by a row and listed as unreached, or neither"
        );
    }
    insta::assert_snapshot!(transcript);
}
