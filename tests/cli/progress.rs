//! Progress on a terminal (issue 27): a long `lint`, `check`, `publish` or `status`
//! shows a bar on standard error once it has run a second, and nothing in a pipe,
//! in CI or with `--json`. The second is shortened with `MEDREVIEW_PROGRESS_AFTER=0`
//! so the test's small workspace shows it.

use crate::common::tty::{recorded, script};
use crate::common::{ARTICLE, TestEnv};

/// Shows bars at once.
const AT_ONCE: (&str, &str) = ("MEDREVIEW_PROGRESS_AFTER", "0");

#[test]
fn a_bar_on_a_terminal_for_lint_check_and_publish_and_none_in_a_pipe_in_ci_or_with_json() {
    let Some(script) = script() else { return };
    let env = TestEnv::approved();
    // Several articles, so that `lint` ticks from the threads of its parallel run
    // (a bar drawn from another thread once waited for ever on a locked stderr).
    let text = env.read(ARTICLE);
    for n in 1..=6 {
        env.write(&format!("articles/copy-{n}/article.md"), &text);
    }
    let out = env.outside("public");
    let out = out.to_str().expect("utf-8");
    for (args, what) in [
        (&["lint"][..], "articles linted"),
        (&["check"][..], "articles checked"),
        (&["publish", "--out", out][..], "articles"),
    ] {
        // The lint memo would make a second `lint` lint nothing afresh.
        let _ = std::fs::remove_dir_all(env.root().join(".git/medreview"));
        let (screen, code) = recorded(&script, &env, &[AT_ONCE], args);
        assert!(code == 0 || code == 1, "{args:?} exited {code}: {screen}");
        assert!(
            screen.contains(what),
            "{args:?} on a terminal should show a bar of {what}: {screen:?}"
        );
        let _ = std::fs::remove_dir_all(env.root().join(".git/medreview"));
        let (screen, _) = recorded(&script, &env, &[AT_ONCE, ("CI", "true")], args);
        assert!(
            !screen.contains(what),
            "{args:?} in CI should show no bar: {screen:?}"
        );
        let _ = std::fs::remove_dir_all(env.root().join(".git/medreview"));
        let piped = env.run_with(&[AT_ONCE], args);
        assert!(
            !piped.stderr.contains(what),
            "{args:?} into a pipe should show no bar: {}",
            piped.stderr
        );
    }
    let _ = std::fs::remove_dir_all(env.root().join(".git/medreview"));
    let (screen, _) = recorded(&script, &env, &[AT_ONCE], &["lint", "--json"]);
    assert!(
        !screen.contains("articles linted"),
        "`lint --json` should show no bar: {screen:?}"
    );
    // Without the shortened wait, a run of well under a second shows nothing.
    let _ = std::fs::remove_dir_all(env.root().join(".git/medreview"));
    let (screen, _) = recorded(&script, &env, &[], &["check"]);
    assert!(
        !screen.contains("articles checked"),
        "a quick `check` should show no bar: {screen:?}"
    );
}
