//! Confusable names (issue 23, item 5): a reviewer named "Аnа Example, M.D." with
//! a Cyrillic А and а shows the same byline as the real Dr Ana Example. Names and
//! bylines are compared by their Unicode skeleton (UTS #39): the roster commands
//! refuse a look-alike, `check` reports one forced onto the record as
//! `shared-identity`, and its approval does not count as a second reviewer.

use crate::common::{NEXT_DAY, START, public_key};
use crate::roster::{
    ANA, DAVID, MALLORY, ROSA, Team, approved_by, assert_check_names, assert_not_approved,
    assert_reported, audited, be, check, commit_as, hand_roster_entry, submit,
    two_approvals_required,
};

/// Ana Example's name with a Cyrillic capital А (U+0410) and small а (U+0430).
const CYRILLIC_ANA: &str = "\u{0410}n\u{0430} Example";
/// Ana Example's name in fullwidth Latin letters: one script, so only its skeleton
/// gives it away.
const FULLWIDTH_ANA: &str =
    "\u{FF21}\u{FF4E}\u{FF41} \u{FF25}\u{FF58}\u{FF41}\u{FF4D}\u{FF50}\u{FF4C}\u{FF45}";
const LOOKALIKE: &str = "reviewers/ana-example-md.yaml";

fn add_reviewer(name: &str, credentials: &str) -> Vec<String> {
    [
        "reviewer",
        "add",
        "ana-example-md",
        "--name",
        name,
        "--credentials",
        credentials,
        "--email",
        MALLORY,
        "--public-key",
        &public_key("encrypted_ed25519"),
    ]
    .map(str::to_owned)
    .to_vec()
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_cyrillic_look_alike_reviewer_is_refused_at_add_and_changes_nothing() {
    let env = audited(Team::default());
    let head = env.head();
    let err = env.refuse(&args(&add_reviewer(CYRILLIC_ANA, "M.D.")));
    assert!(
        err.contains("ana-example-md (\"\u{0410}n\u{0430} Example, M.D.\") would be mistaken for ana-example (\"Ana Example, M.D.\")"),
        "{err}"
    );
    assert!(err.contains("the letters look alike"), "{err}");
    assert!(err.contains("U+0410") && err.contains("U+0430"), "{err}");
    assert!(err.contains("Code: shared-identity"), "{err}");
    assert!(!env.root().join(LOOKALIKE).exists());
    assert_eq!(env.head(), head);
    let listed = env.ok(&["reviewer", "list"]).stdout;
    assert!(!listed.contains("ana-example-md"), "{listed}");
}

#[test]
fn look_alike_names_are_refused_whatever_the_credentials_and_role() {
    let env = audited(Team::default());
    // The name alone is enough: a byline shows it first.
    for (name, credentials) in [(CYRILLIC_ANA, "Ph.D."), (FULLWIDTH_ANA, "M.D.")] {
        let err = env.refuse(&args(&add_reviewer(name, credentials)));
        assert!(
            err.contains("would be mistaken for ana-example"),
            "{name}: {err}"
        );
    }
    // A zero-width space was already set aside with punctuation: the same byline.
    let err = env.refuse(&args(&add_reviewer("A\u{200B}na Example", "M.D.")));
    assert!(
        err.contains("would share a displayed name and credentials"),
        "{err}"
    );
    let err = env.refuse(&["writer", "add", "ana-w", "--name", FULLWIDTH_ANA]);
    assert!(err.contains("would be mistaken for ana-example"), "{err}");
    // An edit that turns an honest name into a look-alike is refused as well.
    let err = env.refuse(&["writer", "edit", "rosa-editor", "--name", CYRILLIC_ANA]);
    assert!(
        err.contains(
            "rosa-editor (\"\u{0410}n\u{0430} Example\") would be mistaken for ana-example"
        ),
        "{err}"
    );
    assert!(!env.root().join(LOOKALIKE).exists());
}

#[test]
fn a_word_mixing_latin_and_cyrillic_is_refused_and_honest_names_are_not() {
    let env = audited(Team::default());
    // "Mаria" with a Cyrillic а looks like no one on the roster, but is built to pass.
    let err = env.refuse(&[
        "writer",
        "add",
        "maria-lopez",
        "--name",
        "M\u{0430}ria Lopez",
    ]);
    assert!(
        err.contains("the word \"M\u{0430}ria\" mixes letters of different scripts"),
        "{err}"
    );
    assert!(err.contains("Code: shared-identity"), "{err}");
    let err = env.refuse(&[
        "reviewer",
        "add",
        "sam-lee",
        "--name",
        "Sam Lee",
        "--credentials",
        "\u{041C}.D.",
    ]);
    assert!(err.contains("the credentials of sam-lee"), "{err}");
    // Names wholly in one script, or in several words of different scripts, stay allowed.
    for (id, name) in [
        ("jose-muller", "José Müller"),
        ("ivan-petrov", "Иван Петров"),
        ("giorgos", "Γιώργος Παπαδόπουλος"),
        ("yamada", "山田 太郎"),
        ("mohammed", "محمد علي"),
        ("ana-ivanova", "Ana Иванова"),
    ] {
        env.ok(&["writer", "add", id, "--name", name]);
    }
    let listed = env.ok(&["writer", "list"]).stdout;
    assert!(
        listed.contains("José Müller") && listed.contains("Иван Петров"),
        "{listed}"
    );
}

#[test]
fn admin_record_of_a_hand_written_look_alike_is_refused() {
    let env = audited(Team::default());
    env.write(
        LOOKALIKE,
        &format!("name: {CYRILLIC_ANA}\ncredentials: M.D.\nemail: {MALLORY}\n"),
    );
    be(&env, ROSA);
    let err = env.refuse(&["admin", "record", LOOKALIKE, "-m", "New reviewer"]);
    assert!(err.contains("would be mistaken for ana-example"), "{err}");
}

/// Regression (issue 23, item 5): a Cyrillic look-alike of Ana Example, put on the
/// record by hand past the command's refusal, passed the shared-identity rule and
/// counted as a second doctor.
#[test]
fn a_look_alike_forced_onto_the_record_is_reported_and_never_counts() {
    let mut env = two_approvals_required();
    submit(&env, None);
    env.write(
        LOOKALIKE,
        &format!(
            "name: {CYRILLIC_ANA}\ncredentials: M.D.\nspecialties:\n- oncology\nemail: {MALLORY}\n"
        ),
    );
    hand_roster_entry(&env, "rosa-editor", START, &[LOOKALIKE]);
    commit_as(&env, ROSA, "add reviewer ana-example-md", START);
    let listed = env.ok(&["reviewer", "list"]).stdout;
    assert!(
        listed.contains("ana-example-md"),
        "the record holds it: {listed}"
    );

    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", crate::common::SLUG, "-m", "Accurate."]);
    be(&env, MALLORY);
    // The look-alike's approval never counts (a page would name Ana): refused
    // before it is recorded (issue 23).
    let err = env.refuse(&[
        "approve",
        crate::common::SLUG,
        "--as",
        "ana-example-md",
        "-m",
        "Agreed.",
    ]);
    assert!(err.contains("byline looks like ana-example's"), "{err}");
    // One approval of two required: nothing is approved.
    assert_eq!(approved_by(&env), Vec::<String>::new());
    assert_not_approved(&env);

    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    let p = assert_reported(&report, "shared-identity", LOOKALIKE, None);
    let message = p["message"].as_str().expect("message");
    assert!(
        message.contains("ana-example and ana-example-md share a name that looks the same"),
        "{p:#}"
    );
    assert_check_names(&env, "shared-identity");

    // A second doctor who is someone else does count: the rule is the look-alike.
    be(&env, DAVID);
    env.ok(&["approve", crate::common::SLUG, "-m", "Also accurate."]);
    assert_eq!(approved_by(&env).len(), 2, "{:?}", approved_by(&env));
}
