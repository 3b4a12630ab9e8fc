//! Issue 26: no silent rollback. A request for changes or a withdrawal that
//! changes what the site shows of an article says so (the revision shown next, or
//! no page) and, on a terminal, asks first; refused there, it records nothing.

use crate::common::{NEXT_DAY, SLUG, TestEnv};

/// r1 approved (on the site), then r2 submitted and approved: r2 is on the site.
fn r2_live() -> TestEnv {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(
        crate::common::ARTICLE,
        "\nThe APHINITY trial tested pertuzumab.\n",
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Cited."]);
    env.set_now("2025-03-06T09:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Good."]);
    env.set_now("2025-03-07T09:00:00-05:00");
    env
}

#[test]
fn a_request_for_changes_on_the_live_revision_says_the_site_goes_back_to_the_one_before() {
    let env = r2_live();
    let run = env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "The dose is wrong.",
    ]);
    assert!(
        run.stderr.contains(&format!(
            "Note: r2 {} of her2-treatment is on the site now; after this request for changes the site shows r1 ",
            &env.hash_object(crate::common::ARTICLE)[..7]
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("instead."), "{}", run.stderr);
}

#[test]
fn a_withdrawal_says_the_page_leaves_the_site() {
    let mut env = TestEnv::approved();
    env.set_now(NEXT_DAY);
    let run = env.ok(&["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."]);
    assert!(
        run.stderr
            .contains("after this withdrawal the site shows no page of her2-treatment."),
        "{}",
        run.stderr
    );
}

#[test]
fn a_decision_that_leaves_the_site_as_it_is_says_nothing_about_it() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    let run = env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Cite it.",
    ]);
    assert!(!run.stderr.contains("on the site"), "{}", run.stderr);
}

#[test]
fn on_a_terminal_the_withdrawal_asks_and_a_no_records_nothing() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = r2_live();
    let before = env.commit_count();
    let term = crate::common::tty::Terminal::start(
        &tmux,
        &env,
        &["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."],
    );
    let screen = term.wait_for("[y/N]");
    assert!(
        screen.contains("after this withdrawal the site shows no page of her2-treatment"),
        "{screen}"
    );
    term.send(&["Enter"]);
    let (code, screen) = term.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("Error: nothing was recorded: r2"),
        "{screen}"
    );
    assert!(screen.contains("stays on the site"), "{screen}");
    assert_eq!(env.commit_count(), before);
    drop(term);

    // --yes says it and goes ahead without asking.
    let term = crate::common::tty::Terminal::start(
        &tmux,
        &env,
        &[
            "withdraw",
            SLUG,
            "--as",
            "ana-example",
            "-m",
            "Outdated.",
            "--yes",
        ],
    );
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert!(screen.contains("Withdrew"), "{screen}");
    assert_eq!(env.commit_count(), before + 1);
}
