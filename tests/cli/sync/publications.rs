//! Issue 26: publication tags never collide. Two publishers publishing different
//! commits in the same second both keep their record on the remote; the same
//! commit published from two clones keeps one record; nothing wedges later syncs.

use super::{T0900, T0930, T1100, T1200, sync_ok, team};
use crate::common::team::{Member, Person, Team};

/// An editor on the roster who may publish.
const ROSA: Person = Person {
    id: "rosa-editor",
    name: "Rosa Editor",
    email: "rosa@example.org",
};

/// The remote's publication tags: (name, commit), sorted by name.
fn remote_tags(team: &Team) -> Vec<(String, String)> {
    let out = team.git_remote(&[
        "for-each-ref",
        "--format=%(refname:short) %(*objectname)",
        "refs/tags/published/",
    ]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let (name, commit) = l.split_once(' ').expect("a tag line");
            (name.to_owned(), commit.to_owned())
        })
        .collect()
}

/// A new commit (no change) and its publication by `who`; returns the tag made.
fn commit_and_publish(team: &Team, member: &Member, who: &str, note: &str) -> String {
    member.git(&["commit", "-q", "--allow-empty", "-m", note]);
    publish(team, member, who)
}

fn publish(team: &Team, member: &Member, who: &str) -> String {
    let out = team.base().join(format!("site-{who}"));
    let run = member.ok(&[
        "publish",
        "--offline",
        "--out",
        out.to_str().expect("utf-8"),
        "--as",
        who,
    ]);
    assert!(run.stderr.contains("as tag published/"), "{}", run.stderr);
    member
        .git(&["tag", "--points-at", "HEAD", "--list", "published/*"])
        .trim()
        .to_owned()
}

/// Warnings of a `sync --json` document.
fn warnings(doc: &serde_json::Value) -> Vec<String> {
    doc["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w.as_str().expect("a warning").to_owned())
        .collect()
}

#[test]
fn publications_in_the_same_second_all_reach_the_remote_and_one_commit_keeps_one_record() {
    let (team, mut suzanne, mut ana, _) = team(1);
    suzanne.ok(&[
        "writer", "add", ROSA.id, "--name", ROSA.name, "--email", ROSA.email,
    ]);
    suzanne.commit_config(
        &|text| {
            text.replace(
                "publishers: []",
                "publishers:\n- rosa-editor\n- suzanne-example",
            )
        },
        "Rosa and Suzanne publish",
    );
    suzanne.set_now(T0900);
    sync_ok(&suzanne);
    ana.set_now(T0930);
    ana.ok(&["approve", "her2-treatment", "-m", "Accurate."]);
    sync_ok(&ana);
    let mut rosa = team.clone_from(team.remote().to_str().expect("utf-8"), ROSA, ROSA.id);
    sync_ok(&suzanne);

    // Five publications of five commits, all in the same second (11:00 EST).
    rosa.set_now(T1100);
    suzanne.set_now(T1100);
    let mut made = Vec::new();
    for n in 1..=3 {
        made.push(commit_and_publish(
            &team,
            &rosa,
            ROSA.id,
            &format!("rosa {n}"),
        ));
    }
    let doc = sync_ok(&rosa);
    assert_eq!(warnings(&doc), Vec::<String>::new(), "{doc:#}");
    sync_ok(&suzanne);
    for n in 1..=2 {
        made.push(commit_and_publish(
            &team,
            &suzanne,
            "suzanne-example",
            &format!("suzanne {n}"),
        ));
    }
    let doc = sync_ok(&suzanne);
    assert_eq!(warnings(&doc), Vec::<String>::new(), "{doc:#}");
    sync_ok(&rosa);
    let tags = remote_tags(&team);
    assert_eq!(tags.len(), 5, "{tags:?}");
    for (name, commit) in &tags {
        assert!(
            name.starts_with("published/20250304T160000Z-") && name.ends_with(&commit[..12]),
            "{name} {commit}"
        );
    }
    made.sort();
    let names: Vec<String> = tags.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, made);
    // Both clones hold all five.
    for member in [&rosa, &suzanne] {
        assert_eq!(
            member
                .git(&["tag", "--list", "published/*"])
                .lines()
                .count(),
            5
        );
    }

    // One commit published from both clones at different times: one record kept.
    suzanne.git(&["commit", "-q", "--allow-empty", "-m", "both publish this"]);
    sync_ok(&suzanne);
    sync_ok(&rosa);
    let commit = rosa.head();
    let first = publish(&team, &rosa, ROSA.id);
    suzanne.set_now(T1200);
    let second = publish(&team, &suzanne, "suzanne-example");
    assert_ne!(first, second);
    sync_ok(&rosa);
    let doc = sync_ok(&suzanne);
    let said = warnings(&doc);
    assert!(
        said.iter().any(|w| w.contains(&format!(
            "{second} was not pushed: origin already records the publication of commit {} as {first}; that record stands",
            &commit[..10]
        ))),
        "{doc:#}"
    );
    let of_commit = |tags: &[(String, String)]| {
        tags.iter()
            .filter(|(_, c)| *c == commit)
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(of_commit(&remote_tags(&team)), vec![first.clone()]);
    assert_eq!(
        suzanne
            .git(&["tag", "--points-at", &commit, "--list", "published/*"])
            .trim(),
        first
    );

    // One commit published from both clones in the same second: the same name,
    // two tag objects. The first pushed stands; the other clone takes it, no error.
    suzanne.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "both publish this too",
    ]);
    sync_ok(&suzanne);
    sync_ok(&rosa);
    rosa.set_now(T1200);
    let commit = rosa.head();
    let rosas = publish(&team, &rosa, ROSA.id);
    let suzannes = publish(&team, &suzanne, "suzanne-example");
    assert_eq!(rosas, suzannes);
    let rosa_object = rosa.git(&["rev-parse", &rosas]).trim().to_owned();
    assert_ne!(rosa_object, suzanne.git(&["rev-parse", &suzannes]).trim());
    sync_ok(&rosa);
    let doc = sync_ok(&suzanne);
    assert!(
        warnings(&doc).iter().any(|w| w.contains(&format!(
            "{rosas}: origin already holds a record of the same publication (commit {})",
            &commit[..10]
        ))),
        "{doc:#}"
    );
    assert_eq!(suzanne.git(&["rev-parse", &suzannes]).trim(), rosa_object);
    let remote = team.git_remote(&["rev-parse", &format!("refs/tags/{rosas}")]);
    assert_eq!(String::from_utf8_lossy(&remote.stdout).trim(), rosa_object);
    assert_eq!(remote_tags(&team).len(), 7);

    // Nothing wedges: later syncs say nothing and leave the tags as they are.
    for member in [&rosa, &suzanne] {
        let doc = sync_ok(member);
        assert_eq!(warnings(&doc), Vec::<String>::new(), "{doc:#}");
        assert_eq!(
            member
                .git(&["tag", "--list", "published/*"])
                .lines()
                .count(),
            7
        );
        assert!(
            member
                .git(&["for-each-ref", "refs/medreview/incoming/"])
                .is_empty(),
            "the fetched tags are put away"
        );
    }
    // The newest publication is what inbox and the desk count from.
    assert_eq!(remote_tags(&team).len(), 7);
}

/// Tags named before issue 26 (`published/<UTC time>`): two clones that recorded
/// different commits under the same name both keep their publication.
#[test]
fn an_old_style_name_two_clones_shared_is_kept_under_a_name_of_its_own() {
    let (team, mut suzanne, _, _) = team(1);
    suzanne.set_now(T0900);
    let stamp = "published/20250304T160000Z";
    let tag = |member: &Member| {
        member.git(&["tag", "-a", "-m", "Publish", stamp]);
        member.head()
    };
    suzanne.git(&["commit", "-q", "--allow-empty", "-m", "one"]);
    sync_ok(&suzanne);
    let mut other = team.clone_from(
        team.remote().to_str().expect("utf-8"),
        crate::common::team::SUZANNE,
        "suzanne-laptop",
    );
    other.set_now(T0900);
    let theirs = tag(&suzanne);
    sync_ok(&suzanne);
    other.git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    sync_ok(&other);
    // `other` synced its branch first (its commit is now replayed or pushed); tag it now.
    other.git(&["tag", "-d", stamp]);
    let mine = tag(&other);
    assert_ne!(mine, theirs);
    let doc = sync_ok(&other);
    let own = format!("{stamp}-{}", &mine[..12]);
    assert!(
        warnings(&doc)
            .iter()
            .any(|w| w.contains(&format!("kept as {own} and pushed"))),
        "{doc:#}"
    );
    let tags = remote_tags(&team);
    assert_eq!(
        tags,
        vec![(stamp.to_owned(), theirs), (own.clone(), mine)],
        "{tags:?}"
    );
    assert!(
        sync_ok(&other)["warnings"]
            .as_array()
            .expect("warnings")
            .is_empty()
    );
}
