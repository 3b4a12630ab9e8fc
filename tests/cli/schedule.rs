//! Issue 26, item 4: scheduling. `schedule SLUG --not-before T --not-after T` is
//! a recorded, signed entry that only a publisher or an admin makes count;
//! `publish --at T` judges schedules (and re-review dates) at T, so the same
//! commit at the same time publishes the same files, and a page past its
//! `not-after` leaves the site.

use crate::common::{NEXT_DAY, SLUG, TestEnv};

/// Puts rosa-editor on the roster as a publisher.
fn add_publisher(env: &TestEnv) {
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        "rosa@example.org",
    ]);
    env.ok(&["publisher", "add", "rosa-editor"]);
}

/// The approved article, with rosa-editor on the roster as a publisher.
fn with_publisher() -> TestEnv {
    let mut env = TestEnv::approved();
    add_publisher(&env);
    env.set_now("2025-03-05T09:00:00-05:00");
    env
}

fn publish_at(env: &TestEnv, at: &str, out: &str) -> crate::common::Run {
    env.ok(&["publish", "--out", out, "--at", at])
}

#[test]
fn a_page_goes_up_at_its_time_and_comes_down_after_it() {
    let env = with_publisher();
    env.ok(&[
        "schedule",
        SLUG,
        "--as",
        "rosa-editor",
        "--not-before",
        "2025-03-10T09:00-05:00",
        "--not-after",
        "2025-04-01T00:00:00Z",
        "-m",
        "Goes up with the newsletter.",
    ]);
    let status = env.ok(&["status", SLUG]).stdout;
    assert!(
        status.contains("schedule:     on the site from 2025-03-10 09:00"),
        "{status}"
    );
    // Before its time it is left out, and publish says when it goes up.
    let run = publish_at(&env, "2025-03-09T12:00:00-05:00", "../early");
    assert!(
        run.stderr
            .contains("Left out her2-treatment: scheduled to go up at 2025-03-10T09:00:00-05:00"),
        "{}",
        run.stderr
    );
    assert!(!env.outside(&format!("early/{SLUG}.html")).exists());
    // At its time it is there.
    publish_at(&env, "2025-03-10T09:00:00-05:00", "../on-time");
    assert!(env.outside(&format!("on-time/{SLUG}.html")).exists());
    // After not-after it leaves the site.
    let run = publish_at(&env, "2025-04-01T00:00:00Z", "../late");
    assert!(
        run.stderr.contains("its schedule took it off the site at"),
        "{}",
        run.stderr
    );
    assert!(!env.outside(&format!("late/{SLUG}.html")).exists());
    // JSON says so too.
    let json = crate::common::json(
        &env.ok(&[
            "publish",
            "--out",
            "../late",
            "--at",
            "2025-04-02T00:00:00Z",
            "--json",
        ])
        .stdout,
    );
    assert_eq!(json["off_schedule"][0]["slug"], SLUG);
    assert_eq!(
        json["off_schedule"][0]["not_after"],
        "2025-04-01T00:00:00+00:00"
    );
}

#[test]
fn the_same_commit_at_the_same_time_publishes_the_same_bytes() {
    let env = with_publisher();
    env.ok(&[
        "schedule",
        SLUG,
        "--as",
        "rosa-editor",
        "--not-before",
        "2025-03-10T09:00:00-05:00",
    ]);
    // Two runs of an hourly job, at different real times, for the same hour.
    let mut env = env;
    env.set_now("2025-06-01T00:00:00Z");
    publish_at(&env, "2025-03-10T10:00:00-05:00", "../run-1");
    env.set_now("2025-07-01T00:00:00Z");
    publish_at(&env, "2025-03-10T10:00:00-05:00", "../run-2");
    for file in ["index.html", "manifest.json", &format!("{SLUG}.html")] {
        let one = std::fs::read(env.outside(&format!("run-1/{file}"))).expect("run 1");
        let two = std::fs::read(env.outside(&format!("run-2/{file}"))).expect("run 2");
        assert!(
            one == two,
            "{file} differs between two publishes of one commit at one time"
        );
    }
}

#[test]
fn only_a_publisher_or_an_admin_schedules_and_a_refusal_records_nothing() {
    let env = with_publisher();
    let before = env.commit_count();
    let run = env.fails(&[
        "schedule",
        SLUG,
        "--as",
        "suzanne-example",
        "--not-after",
        "2025-03-06T00:00:00Z",
    ]);
    assert!(
        run.stderr.contains("neither a publisher nor an admin"),
        "{}",
        run.stderr
    );
    assert_eq!(env.commit_count(), before);
    // The page stays on the site.
    publish_at(&env, "2025-03-07T00:00:00Z", "../site");
    assert!(env.outside(&format!("site/{SLUG}.html")).exists());
}

#[test]
fn bad_times_are_usage_errors_and_clear_removes_the_schedule() {
    let env = with_publisher();
    let before = env.commit_count();
    for args in [
        vec![
            "schedule",
            SLUG,
            "--as",
            "rosa-editor",
            "--not-before",
            "tomorrow",
        ],
        vec![
            "schedule",
            SLUG,
            "--as",
            "rosa-editor",
            "--not-before",
            "2025-03-10T09:00",
        ],
        vec!["schedule", SLUG, "--as", "rosa-editor"],
        vec![
            "schedule",
            SLUG,
            "--as",
            "rosa-editor",
            "--not-before",
            "2025-03-10T09:00:00Z",
            "--not-after",
            "2025-03-09T09:00:00Z",
        ],
    ] {
        let run = env.fails_as_usage(&args);
        assert!(run.stderr.contains("Error: "), "{}", run.stderr);
        assert_eq!(env.commit_count(), before);
    }
    let run = env.fails_as_usage(&["publish", "--out", "../x", "--at", "noon"]);
    assert!(
        run.stderr.contains("2026-12-08T09:00-05:00"),
        "{}",
        run.stderr
    );
    // A schedule that takes the live page down says so.
    let run = env.ok(&[
        "schedule",
        SLUG,
        "--as",
        "rosa-editor",
        "--not-after",
        "2025-03-05T00:00:00Z",
    ]);
    assert!(
        run.stderr
            .contains("the next `medreview publish` leaves it out"),
        "{}",
        run.stderr
    );
    env.ok(&["schedule", SLUG, "--as", "rosa-editor", "--clear"]);
    let status = env.ok(&["status", SLUG]).stdout;
    assert!(
        status.contains("cleared: on the site whenever it is publishable"),
        "{status}"
    );
    publish_at(&env, "2025-03-07T00:00:00Z", "../site");
    assert!(env.outside(&format!("site/{SLUG}.html")).exists());
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains("schedule: not before -, not after 2025-03-05T00:00:00+00:00"),
        "{log}"
    );
    env.ok(&["check"]);
}

#[test]
fn a_schedule_set_before_approval_holds_the_page_until_its_time() {
    let mut env = TestEnv::seeded();
    add_publisher(&env);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.ok(&[
        "schedule",
        SLUG,
        "--as",
        "rosa-editor",
        "--not-before",
        "2025-03-20T09:00:00-05:00",
    ]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Good."]);
    publish_at(&env, "2025-03-19T09:00:00-05:00", "../site");
    assert!(!env.outside(&format!("site/{SLUG}.html")).exists());
    publish_at(&env, "2025-03-20T09:00:00-05:00", "../site");
    assert!(env.outside(&format!("site/{SLUG}.html")).exists());
}

/// A publication tag records what went on the site: the same commit published
/// again at a time its schedule puts other pages up is a second publication, and
/// the same pages again are the first one's.
#[test]
fn a_scheduled_page_going_up_is_a_publication_of_its_own() {
    let env = with_publisher();
    env.ok(&[
        "schedule",
        SLUG,
        "--as",
        "rosa-editor",
        "--not-before",
        "2025-03-10T09:00:00-05:00",
    ]);
    let tags = |env: &TestEnv| -> Vec<String> {
        env.git(&["tag", "--list", "published/*"])
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let at = |time: &str| {
        env.ok(&[
            "publish",
            "--out",
            "../site",
            "--as",
            "rosa-editor",
            "--at",
            time,
        ])
    };
    at("2025-03-09T09:00:00-05:00");
    assert_eq!(tags(&env).len(), 1);
    let run = at("2025-03-09T10:00:00-05:00");
    assert!(run.stderr.contains("that record stands"), "{}", run.stderr);
    assert_eq!(tags(&env).len(), 1);
    at("2025-03-10T09:00:00-05:00");
    assert_eq!(tags(&env).len(), 2, "{:?}", tags(&env));
    let newest = tags(&env).last().cloned().expect("a tag");
    let message = env.git(&["tag", "--list", "--format=%(contents)", &newest]);
    assert!(message.contains(&format!("{SLUG} r1 ")), "{message}");
}
