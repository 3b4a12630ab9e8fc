//! What waits on one person (`medreview inbox`): revisions to decide, requests
//! for changes that got an answer, re-reviews coming due, and for a writer the
//! articles sent back and the edits not yet submitted. Derived from the article
//! summaries `status` shows, so the two always agree.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::report::ArticleSummary;
use medreview_core::clock;
use medreview_core::ids::Id;
use medreview_core::record::entry::Action;
use medreview_core::record::evaluate::State;
use medreview_core::roster::Roster;

/// How far ahead a re-review shows up: due now or within this many days.
pub(crate) const DUE_SOON_DAYS: i64 = 30;

/// What kind of work an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A revision waits for my decision (assigned to me, or in my specialty).
    Decide,
    /// I asked for changes, and a new revision answers them.
    Answered,
    /// An approval of mine (or of an article assigned to me) is due for re-review.
    ReReview,
    /// My article was sent back to me.
    SentBack,
    /// My article has edits not yet submitted.
    Unsubmitted,
    /// Comment threads wait on me: a reviewer's, on my article; or mine, answered.
    Threads,
    /// (A publisher.) A page was approved since the last publication.
    Publish,
    /// (A publisher.) A published page is past its re-review date.
    Overdue,
    /// (A publisher.) A reviewer's license ends soon; `slug` is the reviewer's id.
    License,
}

/// How far ahead a publisher sees a reviewer's license ending.
pub const LICENSE_SOON_DAYS: i64 = 60;

/// One thing that waits on me.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The article.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// What kind of work it is.
    pub kind: Kind,
    /// What waits, in words (`you asked for changes on r1; r2 is new`).
    pub what: String,
    /// The revision concerned (1 for r1), where there is one.
    pub revision: Option<usize>,
    /// Since when it waits (a submission, a request, a due date); `null` for a
    /// draft never submitted.
    #[serde(serialize_with = "ser_opt_time")]
    pub since: Option<DateTime<FixedOffset>>,
    /// The commands to run, in order.
    pub commands: Vec<String>,
    /// The article's open comment threads.
    pub open_threads: usize,
}

impl Item {
    /// An item about article `a`.
    fn of(
        a: &ArticleSummary,
        kind: Kind,
        what: String,
        revision: Option<usize>,
        since: Option<DateTime<FixedOffset>>,
        commands: Vec<String>,
    ) -> Item {
        Item {
            slug: a.slug.clone(),
            title: a.title.clone(),
            kind,
            what,
            revision,
            since,
            commands,
            open_threads: a.threads.open,
        }
    }
}

fn ser_opt_time<S: serde::Serializer>(
    time: &Option<DateTime<FixedOffset>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match time {
        Some(t) => clock::ser(t, s),
        None => s.serialize_none(),
    }
}

/// Whether `id` is a reviewer who can decide on `day` (on the roster, not retired).
fn active_reviewer(roster: &Roster, id: &Id, day: NaiveDate) -> bool {
    roster
        .reviewers
        .get(id)
        .is_some_and(|r| r.retired.is_none_or(|retired| day < retired))
}

/// Why a revision waiting for a decision is mine: assigned to me, or (when no
/// active reviewer is assigned) in one of my specialties.
fn routed_to_me(a: &ArticleSummary, me: &Id, roster: &Roster, day: NaiveDate) -> Option<String> {
    // The assigned reviewer who already decided on the latest revision leaves it
    // to the specialty (a policy that needs more than one approval).
    let latest = a.latest.as_ref().map(|r| r.number);
    let decided = |r: &Id| {
        a.decisions
            .iter()
            .any(|d| &d.by == r && d.revision.is_some() && d.revision == latest)
    };
    let mut assigned_decided = false;
    match &a.reviewer {
        Some(r) if r == me => return Some("assigned to you".into()),
        Some(r) if active_reviewer(roster, r, day) && !decided(r) => return None,
        Some(r) => assigned_decided = active_reviewer(roster, r, day),
        None => {}
    }
    let topic = a.topic.as_deref()?.trim();
    let mine = roster.reviewers.get(me)?;
    let specialty = mine
        .specialties
        .iter()
        .find(|s| s.trim().eq_ignore_ascii_case(topic))?;
    Some(match &a.reviewer {
        Some(r) if assigned_decided => {
            format!("in your specialty, {specialty}; {r} decided, another reviewer is needed")
        }
        Some(r) => format!("in your specialty, {specialty}; {r} cannot review it"),
        None => format!("in your specialty, {specialty}; no reviewer assigned"),
    })
}

/// Whether `me` can meet a requirement of `review.rules` the latest revision still
/// lacks: what it needs and who on the roster can give it (`needs one
/// medical-accuracy approval by a reviewer in oncology: ana-example`), and its
/// meaning.
fn rule_route(
    a: &ArticleSummary,
    me: &Id,
    roster: &Roster,
    day: NaiveDate,
) -> Option<(String, String)> {
    let latest = a.latest.as_ref()?;
    let writers = [&a.writer, &latest.submitted_by];
    a.needs
        .iter()
        .filter(|n| n.rule.is_some() && !n.met())
        .find_map(|need| {
            let who = medreview_core::record::evaluate::who_can(need, roster, &writers, day);
            who.contains(me).then(|| {
                let who: Vec<&str> = who.iter().map(Id::as_str).collect();
                (
                    format!(
                        "needs {}: {}",
                        need.requirement().describe(need.missing()),
                        who.join(", ")
                    ),
                    need.meaning.clone(),
                )
            })
        })
}

/// The items of one article for reviewer `me`.
fn reviewer_items(
    a: &ArticleSummary,
    me: &Id,
    roster: &Roster,
    now: DateTime<FixedOffset>,
) -> Vec<Item> {
    let day = now.date_naive();
    let mut items = Vec::new();
    if !active_reviewer(roster, me, day) {
        return items;
    }
    let item =
        |kind, what, revision, since, commands| Item::of(a, kind, what, revision, since, commands);
    let slug = &a.slug;
    let mine = a.decisions.iter().find(|d| &d.by == me);
    let waiting = matches!(a.state, State::InReview | State::NeedsDecision);
    if let Some(latest) = a.latest.as_ref().filter(|_| waiting) {
        let n = latest.number;
        let decide = vec![
            format!("medreview diff {slug}"),
            format!("medreview approve {slug} --revision r{n}"),
        ];
        let wrote = a.writer == *me || latest.submitted_by == *me;
        let asked = mine
            .filter(|d| d.action == Action::ChangesRequested && d.revision.is_some_and(|r| r < n));
        if let Some(asked) = asked.filter(|_| !wrote) {
            let on = asked
                .revision
                .map_or(String::new(), |r| format!(" on r{r}"));
            items.push(item(
                Kind::Answered,
                format!("you asked for changes{on}; r{n} is new"),
                Some(n),
                Some(latest.submitted_at),
                decide,
            ));
            return items;
        }
        let decided = mine.is_some_and(|d| d.revision == Some(n));
        let conflict = a.state == State::NeedsDecision;
        // A rule's requirement routes to the reviewers who can meet it, with the
        // meaning to approve with.
        let (routed, decide) = match routed_to_me(a, me, roster, day) {
            Some(why) => (Some(why), decide),
            None => match rule_route(a, me, roster, day) {
                Some((why, meaning)) => {
                    let mut decide = decide;
                    if meaning != medreview_core::record::entry::MEDICAL_ACCURACY {
                        decide[1].push_str(&format!(" --meaning {meaning}"));
                    }
                    (Some(why), decide)
                }
                None => (None, decide),
            },
        };
        if !wrote
            && (conflict || !decided)
            && let Some(why) = routed
        {
            let what = if conflict {
                format!("r{n} needs a new decision, seeing both of the conflicting ones ({why})")
            } else {
                format!("r{n} waits for a decision ({why})")
            };
            items.push(item(
                Kind::Decide,
                what,
                Some(n),
                Some(latest.submitted_at),
                decide,
            ));
            return items;
        }
    }
    if let Some(p) = &a.publishable {
        let approved = p.approved_by.contains(me);
        let assigned = a.reviewer.as_ref() == Some(me);
        let soon = now + chrono::Duration::days(DUE_SOON_DAYS);
        if (approved || assigned) && p.due_at <= soon {
            let n = p.revision.number;
            let when = if p.due_at <= now { "since" } else { "on" };
            let whose = if approved {
                "your approval"
            } else {
                "the approval"
            };
            items.push(item(
                Kind::ReReview,
                format!(
                    "re-review of r{n} due {when} {} ({whose} of {})",
                    p.due_at.date_naive(),
                    p.reviewed_at.date_naive()
                ),
                Some(n),
                Some(p.due_at),
                vec![
                    format!("medreview diff {slug}"),
                    format!("medreview recertify {slug} -m NOTE"),
                ],
            ));
        }
    }
    items
}

/// The items of one article for writer `me`.
fn writer_items(a: &ArticleSummary, me: &Id) -> Vec<Item> {
    if a.writer != *me {
        return Vec::new();
    }
    let slug = &a.slug;
    let submit = format!("medreview submit {slug} -m NOTE");
    let edit = format!("$EDITOR articles/{slug}/article.md");
    let pending = if a.unsubmitted_edits {
        "; your edits are not submitted yet"
    } else {
        ""
    };
    let item =
        |kind, what, revision, since, commands| Item::of(a, kind, what, revision, since, commands);
    if let (State::ChangesRequested, Some(request)) = (a.state, &a.open_request) {
        let note = request
            .note
            .as_deref()
            .map(|n| {
                format!(
                    ": \"{}\"",
                    n.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            })
            .unwrap_or_default();
        let commands = if a.unsubmitted_edits {
            vec![submit]
        } else {
            vec![edit, submit]
        };
        return vec![item(
            Kind::SentBack,
            format!(
                "{} asked for changes on r{}{note}{pending}",
                request.by, request.revision
            ),
            Some(request.revision),
            Some(request.at),
            commands,
        )];
    }
    if !a.unsubmitted_edits {
        return Vec::new();
    }
    let (what, since) = match &a.latest {
        Some(latest) => (
            format!("edits since r{} are not submitted", latest.number),
            Some(latest.submitted_at),
        ),
        None => ("a draft, never submitted".to_owned(), None),
    };
    vec![item(Kind::Unsubmitted, what, None, since, vec![submit])]
}

/// The comment threads of one article that wait on `me`: as its writer, the open
/// threads whose last word is not mine; as a thread's author, my open threads
/// someone answered.
fn thread_items(a: &ArticleSummary, me: &Id) -> Vec<Item> {
    let slug = &a.slug;
    let latest = a.latest.as_ref().map(|r| r.number);
    let mut items = Vec::new();
    let waiting = a.threads.awaiting_writer;
    if a.writer == *me && waiting > 0 {
        items.push(Item::of(
            a,
            Kind::Threads,
            format!(
                "{} on your article wait on you: reply, or change the text and submit",
                medreview_core::plural::plural(waiting, "comment thread", "comment threads")
            ),
            latest,
            None,
            vec![
                format!("medreview comments {slug} --open"),
                format!("medreview comment {slug} --reply ID -m NOTE"),
                format!("medreview apply {slug} ID"),
            ],
        ));
    }
    if let Some(mine) = a
        .threads
        .by_author
        .iter()
        .find(|t| t.by == *me && t.answered > 0)
    {
        items.push(Item::of(
            a,
            Kind::Threads,
            format!(
                "{} of your {} open threads {} an answer: resolve or reply",
                mine.answered,
                mine.open,
                if mine.answered == 1 { "has" } else { "have" }
            ),
            latest,
            None,
            vec![
                format!("medreview comments {slug} --open"),
                format!("medreview resolve {slug} ID"),
            ],
        ));
    }
    items
}

/// Everything that waits on `me` at `now`, oldest first (an item with no time
/// last), judged from `articles` and the roster.
pub fn items(
    me: &Id,
    roster: &Roster,
    articles: &[ArticleSummary],
    now: DateTime<FixedOffset>,
) -> Vec<Item> {
    let mut items: Vec<Item> = articles
        .iter()
        .flat_map(|a| {
            let mut mine = reviewer_items(a, me, roster, now);
            mine.extend(writer_items(a, me));
            mine.extend(thread_items(a, me));
            mine
        })
        .collect();
    sort(&mut items);
    items
}

/// What waits on a publisher at `now`: pages approved (or re-reviewed) since the
/// last publication (`published`, none when nothing was published), published
/// pages past their re-review date, and reviewers whose license ends within
/// [`LICENSE_SOON_DAYS`] days (or has ended while they are not retired).
pub fn publisher_items(
    me: &Id,
    roster: &Roster,
    articles: &[ArticleSummary],
    published: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
) -> Vec<Item> {
    let mut items = Vec::new();
    for a in articles {
        let Some(p) = &a.publishable else {
            continue;
        };
        let n = p.revision.number;
        if published.is_none_or(|at| p.reviewed_at > at) {
            let since = published.map_or("nothing was published yet".to_owned(), |at| {
                format!("the last publication was on {}", clock::short(&at))
            });
            items.push(Item::of(
                a,
                Kind::Publish,
                format!("r{n} approved on {}; {since}", clock::short(&p.reviewed_at)),
                Some(n),
                Some(p.reviewed_at),
                vec![format!("medreview publish --out public --as {me}")],
            ));
        }
        if p.due_at <= now {
            items.push(Item::of(
                a,
                Kind::Overdue,
                format!(
                    "r{n}, the approved revision, is past its medical re-review date ({})",
                    p.due_at.date_naive()
                ),
                Some(n),
                Some(p.due_at),
                vec![format!("medreview status {}", a.slug)],
            ));
        }
    }
    let soon = now.date_naive() + chrono::Duration::days(LICENSE_SOON_DAYS);
    for (id, reviewer) in &roster.reviewers {
        let Some(expires) = reviewer.license.as_ref().and_then(|l| l.expires) else {
            continue;
        };
        if reviewer.retired.is_some() || expires > soon {
            continue;
        }
        let when = if expires < now.date_naive() {
            "ended"
        } else {
            "ends"
        };
        items.push(Item {
            slug: id.to_string(),
            title: reviewer.name.clone(),
            kind: Kind::License,
            what: format!(
                "the license of {} {when} on {expires}: their approvals stop counting from then",
                reviewer.name
            ),
            revision: None,
            since: expires
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().fixed_offset()),
            commands: vec![format!(
                "medreview reviewer edit {id} --license-expires YYYY-MM-DD"
            )],
            open_threads: 0,
        });
    }
    sort(&mut items);
    items
}

/// Oldest first; an item with no time last.
pub fn sort(items: &mut [Item]) {
    items.sort_by(|a, b| {
        (a.since.is_none(), a.since, &a.slug, a.kind).cmp(&(
            b.since.is_none(),
            b.since,
            &b.slug,
            b.kind,
        ))
    });
}

/// Whose inbox: `--as ID` (a roster id), else the roster member whose email is
/// git's `user.email`.
pub fn whose(
    roster: &Roster,
    as_id: Option<&str>,
    email: Option<&str>,
) -> medreview_core::Result<Id> {
    use medreview_core::error::{Code, Error};
    let hint = "set `git config user.email` to the email in your writers/ or reviewers/ file, or pass --as ID";
    if let Some(as_id) = as_id {
        let id = Id::parse("person id (--as)", as_id)?;
        if !roster.contains(&id) {
            return Err(Error::with_hint(
                Code::UnknownPerson,
                format!("{id} is not on the roster (writers/ or reviewers/, as committed)"),
                "pass --as with a roster id; `medreview whoami` says who git says you are",
            ));
        }
        return Ok(id);
    }
    let Some(email) = email else {
        return Err(Error::with_hint(
            Code::UnknownIdentity,
            "whose inbox? --as is missing and git has no user.email",
            hint,
        ));
    };
    medreview_core::roster::identity::me(roster, Some(email)).ok_or_else(|| {
        Error::with_hint(
            Code::UnknownIdentity,
            format!("no one on the roster has the email {email} (git's user.email)"),
            hint,
        )
    })
}

#[cfg(test)]
mod tests;
