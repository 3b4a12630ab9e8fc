//! The pager for `log` and `diff` on a real terminal (a tmux pane): chosen like git's,
//! bypassed by `--no-pager` and by output that is not a terminal, and quit early
//! without a word. Skipped without tmux; required under `MEDREVIEW_REQUIRE_TOOLS`.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{ARTICLE, FIXED, HER2_ARTICLE, NEXT_DAY, SLUG, TestEnv};

/// What a command run in a tmux pane left behind.
#[derive(Debug)]
struct PaneRun {
    code: String,
    stderr: String,
    /// What the pager received, if it ran.
    paged: Option<String>,
    /// The pane's text once the command ended.
    screen: String,
}

/// Runs medreview with `args` in a fresh tmux pane (a real terminal on standard
/// output) with `MEDREVIEW_PAGER` set to `pager`, when given (`{OUT}` stands for the
/// file the pager should write), on a private tmux server that is killed afterwards.
fn in_pane(env: &TestEnv, tmux: &Path, vars: &str, pager: Option<&str>, args: &[&str]) -> PaneRun {
    run_pane(env, tmux, (vars, pager), args, false)
}

/// `in_pane`, pressing Ctrl-C in the pane once the pager has received text when
/// `interrupt` is set. The exit code is followed by `waited` when the pager had
/// finished (written `{OUT}.done`) before medreview exited.
fn run_pane(
    env: &TestEnv,
    tmux: &Path,
    (vars, pager): (&str, Option<&str>),
    args: &[&str],
    interrupt: bool,
) -> PaneRun {
    // A fresh folder per run, so nothing a run leaves is read as the next one's.
    let dir = (0..)
        .map(|n| env.outside(&format!("pane-{n}")))
        .find(|d| !d.exists())
        .expect("a free folder name");
    fs::create_dir_all(&dir).expect("pane folder");
    let out = dir.join("paged");
    let code = dir.join("code");
    let script = dir.join("run.sh");
    let vars = if vars.is_empty() {
        String::new()
    } else {
        format!("export {vars}\n")
    };
    let bin = assert_cmd::cargo::cargo_bin("medreview");
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    let pager = pager.map_or(String::new(), |p| {
        format!(
            "export MEDREVIEW_PAGER='{}'\n",
            p.replace("{OUT}", &out.display().to_string())
        )
    });
    fs::write(
        &script,
        format!(
            "cd '{root}'\nunset LESS LV GIT_PAGER PAGER NO_COLOR\ntrap : INT QUIT\n\
             export PATH='{path}' HOME='{home}' GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LANG=C MEDREVIEW_NOW='{NEXT_DAY}'\n\
             {pager}{vars}\
             '{bin}' {args} 2> '{err}'\n\
             echo \"$? $(test -e '{out}.done' && echo waited)\" > '{code}.tmp' && mv '{code}.tmp' '{code}'\n\
             sleep 5\n",
            root = env.root().display(),
            home = env.outside("home").display(),
            bin = bin.display(),
            args = args.join(" "),
            err = dir.join("stderr").display(),
            code = code.display(),
            out = out.display(),
        ),
    )
    .expect("write the pane's script");
    let socket = dir.join("tmux.sock");
    let tmux_cmd = |tmux_args: &[&str]| {
        Command::new(tmux)
            .env_clear()
            .env("PATH", &path)
            .env("TERM", "xterm")
            .env("HOME", env.outside("home"))
            .arg("-S")
            .arg(&socket)
            .arg("-f")
            .arg("/dev/null")
            .args(tmux_args)
            .output()
            .expect("run tmux")
    };
    let started = tmux_cmd(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        &format!("sh '{}'", script.display()),
    ]);
    assert!(
        started.status.success(),
        "tmux new-session failed: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    if interrupt {
        while fs::metadata(&out).map_or(true, |m| m.len() == 0) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        tmux_cmd(&["send-keys", "C-c"]);
    }
    while !code.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Give tmux a moment to draw what the command printed last.
    std::thread::sleep(Duration::from_millis(300));
    let screen = String::from_utf8_lossy(&tmux_cmd(&["capture-pane", "-p"]).stdout).into_owned();
    tmux_cmd(&["kill-server"]);
    let code = fs::read_to_string(&code)
        .unwrap_or_else(|_| panic!("the command did not end within 10 s; screen:\n{screen}"));
    PaneRun {
        code: code.trim().to_owned(),
        stderr: fs::read_to_string(dir.join("stderr")).unwrap_or_default(),
        paged: fs::read_to_string(&out).ok(),
        screen,
    }
}

#[test]
fn log_on_a_terminal_goes_through_the_pager_with_less_options_like_git() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = TestEnv::approved();
    let expected = env.ok(&["log", SLUG]).stdout;
    assert!(expected.ends_with(FIXED), "{expected}");
    let run = in_pane(
        &env,
        &tmux,
        "",
        Some("echo \"LESS=$LESS\" > {OUT}; cat >> {OUT}"),
        &["log", SLUG],
    );
    assert_eq!(run.code.split(' ').next(), Some("0"), "{run:?}");
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.paged.as_deref(),
        Some(format!("LESS=FRX\n{expected}").as_str()),
        "the pager got the log, with LESS=FRX: {run:?}"
    );
    // A LESS of the user's own is left alone.
    let run = in_pane(
        &env,
        &tmux,
        "LESS=-S",
        Some("echo \"LESS=$LESS\" > {OUT}"),
        &["log", SLUG],
    );
    assert_eq!(run.paged.as_deref(), Some("LESS=-S\n"), "{run:?}");
}

#[test]
fn no_pager_and_cat_and_a_pipe_bypass_the_pager() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = TestEnv::approved();
    let run = in_pane(
        &env,
        &tmux,
        "",
        Some("cat > {OUT}"),
        &["--no-pager", "log", SLUG],
    );
    assert_eq!(
        (run.code.as_str(), run.paged.as_deref()),
        ("0", None),
        "{run:?}"
    );
    assert!(run.screen.contains("approved by Ana Example"), "{run:?}");
    let run = in_pane(&env, &tmux, "", Some("cat"), &["log", SLUG]);
    assert_eq!(run.code.split(' ').next(), Some("0"), "{run:?}");
    assert!(run.screen.contains("approved by Ana Example"), "{run:?}");
    // No pager named: less, which prints a text that fits the screen and quits
    // (LESS=FRX); without less installed, the text is printed directly.
    let run = in_pane(&env, &tmux, "", None, &["log", SLUG]);
    assert_eq!(run.code.split(' ').next(), Some("0"), "{run:?}");
    assert!(run.screen.contains("approved by Ana Example"), "{run:?}");
    // `--json` is data for a program, never paged.
    let run = in_pane(
        &env,
        &tmux,
        "",
        Some("cat > {OUT}"),
        &["log", SLUG, "--json"],
    );
    assert_eq!(
        (run.code.as_str(), run.paged.as_deref()),
        ("0", None),
        "{run:?}"
    );
    // Output that is not a terminal is never paged.
    let out = env.outside("not-paged");
    let pager = format!("cat > '{}'", out.display());
    let run = env.run_with(&[("MEDREVIEW_PAGER", &pager)], &["log", SLUG]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("approved by Ana Example"), "{run:?}");
    assert!(!out.exists(), "paged into a pipe");
}

#[test]
fn ctrl_c_while_paging_waits_for_the_pager_then_exits_130() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = TestEnv::approved();
    // A pager that, like less, ignores Ctrl-C and goes on until the user quits it.
    let pager = "trap \"\" INT QUIT; cat > {OUT}; sleep 1; touch {OUT}.done";
    let run = run_pane(&env, &tmux, ("", Some(pager)), &["log", SLUG], true);
    assert_eq!(run.code, "130 waited", "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
    assert!(
        run.paged
            .is_some_and(|p| p.contains("approved by Ana Example"))
    );
    // Without Ctrl-C the same pager ends the command normally.
    let run = in_pane(&env, &tmux, "", Some(pager), &["log", SLUG]);
    assert_eq!(run.code, "0 waited", "{run:?}");
}

#[test]
fn diff_is_paged_in_colour_and_a_pager_quit_early_ends_quietly() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = TestEnv::seeded();
    let run = in_pane(&env, &tmux, "", Some("cat > {OUT}"), &["diff", SLUG]);
    assert_eq!(run.code.split(' ').next(), Some("0"), "{run:?}");
    let paged = run.paged.unwrap_or_default();
    assert!(
        paged.contains("\x1b[4;32m"),
        "a terminal behind the pager still gets colour: {paged:?}"
    );
    let run = in_pane(
        &env,
        &tmux,
        "NO_COLOR=1",
        Some("cat > {OUT}"),
        &["diff", SLUG],
    );
    let paged = run.paged.unwrap_or_default();
    assert!(paged.contains("{+") && !paged.contains('\x1b'), "{paged:?}");

    // A long redline (far more than a pipe holds) and a pager that quits after the
    // first bytes, as `q` in less does: no error, git's exit code for a closed pipe.
    let body: String = (0..4000)
        .map(|i| format!("Line {i} of a long article about HER2 treatment and its care team.\n"))
        .collect();
    env.write(ARTICLE, &format!("{HER2_ARTICLE}{body}"));
    let run = in_pane(&env, &tmux, "", Some("head -c 20 > {OUT}"), &["diff", SLUG]);
    assert_eq!(run.stderr, "", "{run:?}");
    assert_eq!(run.code, "141", "{run:?}");
    assert_eq!(run.paged.map(|p| p.len()), Some(20));
}
