//! The inbox's routing rules, on summaries built by hand.

use serde_json::json;

use super::{Kind, items};
use crate::report::ArticleSummary;
use medreview_core::ids::Id;
use medreview_core::roster::{Reviewer, Roster};

fn id(s: &str) -> Id {
    Id::parse("id", s).expect("id")
}

fn time(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s).expect("time")
}

/// ana (oncology) and bo (oncology, retired in 2025).
fn roster() -> Roster {
    let reviewer =
        |v: serde_json::Value| -> Reviewer { serde_json::from_value(v).expect("reviewer") };
    let mut roster = Roster::default();
    roster.reviewers.insert(
        id("ana"),
        reviewer(json!({"name": "Ana", "credentials": "M.D.", "specialties": ["Oncology"]})),
    );
    roster.reviewers.insert(
        id("bo"),
        reviewer(json!({"name": "Bo", "credentials": "M.D.", "specialties": ["oncology"], "retired": "2025-01-01"})),
    );
    roster
}

/// An oncology article by writer sam with r2 in review, and `extra` fields on top.
fn in_review(extra: serde_json::Value) -> ArticleSummary {
    let mut v = json!({
        "slug": "a", "title": "A", "state": "in-review", "unsubmitted_edits": false,
        "latest": {"number": 2, "id": "0000000000000000000000000000000000000000",
                   "submitted_by": "sam", "submitted_at": "2025-02-01T00:00:00Z", "change": null},
        "publishable": null, "last": null, "conflicts": [],
        "writer": "sam", "reviewer": null, "topic": "oncology", "open_request": null, "decisions": [],
    });
    for (k, value) in extra.as_object().expect("object") {
        v[k] = value.clone();
    }
    serde_json::from_value(v).expect("summary")
}

fn kinds(a: &ArticleSummary, me: &str) -> Vec<Kind> {
    items(
        &id(me),
        &roster(),
        std::slice::from_ref(a),
        time("2025-06-01T00:00:00Z"),
    )
    .into_iter()
    .map(|i| i.kind)
    .collect()
}

#[test]
fn a_specialty_match_ignores_case_and_a_retired_reviewer_gets_nothing() {
    let a = in_review(json!({}));
    assert_eq!(kinds(&a, "ana"), [Kind::Decide]);
    assert_eq!(kinds(&a, "bo"), [], "retired");
}

#[test]
fn an_assigned_active_reviewer_keeps_it_until_they_decided() {
    let a = in_review(json!({"reviewer": "carl"}));
    assert_eq!(kinds(&a, "ana"), [Kind::Decide], "carl is not a reviewer");
    let mut r = roster();
    r.reviewers
        .insert(id("carl"), r.reviewers[&id("ana")].clone());
    let now = time("2025-06-01T00:00:00Z");
    assert!(items(&id("ana"), &r, std::slice::from_ref(&a), now).is_empty());
    let decided = in_review(json!({"reviewer": "carl", "decisions": [
        {"by": "carl", "action": "approved", "revision": 2, "at": "2025-02-02T00:00:00Z"}]}));
    let got = items(&id("ana"), &r, std::slice::from_ref(&decided), now);
    assert_eq!(got.len(), 1);
    assert!(got[0].what.contains("carl decided"), "{}", got[0].what);
}

#[test]
fn no_one_is_asked_to_review_what_they_wrote_or_already_decided() {
    let wrote = in_review(json!({"writer": "ana"}));
    assert_eq!(kinds(&wrote, "ana"), [], "the writer");
    let decided = in_review(json!({"decisions": [
        {"by": "ana", "action": "approved", "revision": 2, "at": "2025-02-02T00:00:00Z"}]}));
    assert_eq!(kinds(&decided, "ana"), []);
    // A conflict needs a new decision from someone who saw both, even after one.
    let conflict = in_review(json!({"state": "needs-decision", "decisions": [
        {"by": "ana", "action": "approved", "revision": 2, "at": "2025-02-02T00:00:00Z"}]}));
    assert_eq!(kinds(&conflict, "ana"), [Kind::Decide]);
}

#[test]
fn an_answered_request_reaches_the_reviewer_who_made_it_whatever_the_routing() {
    let a = in_review(
        json!({"reviewer": "bo", "topic": "cardiology", "decisions": [
        {"by": "ana", "action": "changes-requested", "revision": 1, "at": "2025-01-10T00:00:00Z"}]}),
    );
    let got = items(
        &id("ana"),
        &roster(),
        std::slice::from_ref(&a),
        time("2025-06-01T00:00:00Z"),
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, Kind::Answered);
    assert_eq!(got[0].what, "you asked for changes on r1; r2 is new");
    assert_eq!(got[0].commands[1], "medreview approve a --revision r2");
}

#[test]
fn a_re_review_shows_30_days_ahead_and_not_before() {
    let approved = |due: &str| {
        in_review(json!({"state": "approved", "publishable": {
            "revision": {"number": 2, "id": "0000000000000000000000000000000000000000",
                         "submitted_by": "sam", "submitted_at": "2025-02-01T00:00:00Z", "change": null},
            "approved_by": ["ana"], "approved_at": "2025-02-02T00:00:00Z", "reviewed_at": "2025-02-02T00:00:00Z", "due_at": due}}))
    };
    assert_eq!(
        kinds(&approved("2025-07-01T00:00:00Z"), "ana"),
        [Kind::ReReview]
    );
    assert_eq!(kinds(&approved("2025-07-02T00:00:00Z"), "ana"), []);
    assert_eq!(
        kinds(&approved("2025-07-01T00:00:00Z"), "bo"),
        [],
        "not hers"
    );
}
