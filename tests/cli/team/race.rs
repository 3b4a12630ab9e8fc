//! A randomised race: the writer and two doctors sign off in their own clones, often
//! without having pulled, then pull (merging or rebasing) and push. Whatever the
//! order, every merge is clean, every clone ends with the same record and the same
//! state, and that state is what the rules of the record say, worked out here
//! again from the entries `log --json` lists.

use chrono::{DateTime, Duration};
use serde_json::Value;

use super::fixture::{ANA, DAVID, Member, SUZANNE, Team};
use crate::common::{ARTICLE, NEXT_DAY, SLUG};

/// The seed of the race; `MEDREVIEW_RACE_SEED=N` tries another one.
const SEED: u64 = 0x5EED_CAFE_F00D_2025;

/// Rounds of the race: each of the three clones acts about twenty times.
/// `MEDREVIEW_RACE_ROUNDS=N` runs a longer or shorter one.
const ROUNDS: i64 = 60;

/// xorshift64: tiny, deterministic, good enough to pick who does what (never seeded 0).
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What happened over the race, to show it was one.
#[derive(Debug, Default)]
struct Tally {
    recorded: usize,
    refused: usize,
    merges: usize,
    rebases: usize,
}

#[test]
fn three_clones_racing_agree_with_the_rules() {
    let team = Team::new();
    let mut members = [
        team.clone_for(SUZANNE),
        team.clone_for(ANA),
        team.clone_for(DAVID),
    ];
    let seed = std::env::var("MEDREVIEW_RACE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let mut rng = XorShift(seed.max(1));
    let mut tally = Tally::default();
    let start = DateTime::parse_from_rfc3339(NEXT_DAY).expect("a time");
    let rounds: i64 = std::env::var("MEDREVIEW_RACE_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(ROUNDS);
    for round in 0..rounds {
        let now = (start + Duration::minutes(37 * round)).to_rfc3339();
        let member = &mut members[rng.below(3) as usize];
        member.set_now(&now);
        if rng.below(4) == 0 {
            member.pull_merge();
        }
        let run = act(member, round, &mut rng);
        if run.code == 0 {
            tally.recorded += 1;
        } else {
            assert_refused(member, &run);
            tally.refused += 1;
        }
        let rebase = rng.below(2) == 0;
        member.sync(rebase);
        if rebase {
            tally.rebases += 1;
        } else if member.head_parents() == 2 {
            tally.merges += 1;
        }
    }

    for member in &members {
        member.pull_merge();
    }
    let status = members[0].status();
    let log = members[0].log();
    for member in &members {
        member.check_clean();
        assert_eq!(member.status(), status, "{} differs", member.person.id);
        assert_eq!(member.log(), log, "{} differs", member.person.id);
    }

    eprintln!("race with seed {seed}: {tally:?}");
    let nodes = nodes(&log);
    let graph = Graph::new(&nodes);
    let expected = graph.judge(&[ANA.id, DAVID.id], SUZANNE.id, 1);
    let publishable = status["publishable"]["revision"]["id"].as_str();
    assert_eq!(
        (status["state"].as_str(), publishable),
        (Some(expected.state), expected.publishable.as_deref()),
        "the state differs from the rules; {tally:?}\n{log:#}"
    );
    for (i, entry) in log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .enumerate()
    {
        if nodes[i].action == "approved" {
            assert_eq!(
                entry["does_not_count"].is_null(),
                expected.counts[i],
                "entry {i} {}",
                nodes[i].id
            );
        }
    }

    // The invariants, on their own: a publishable revision has an approval that
    // counts, and no approval counts whose revision was not a latest submission in
    // its signer's view.
    if let Some(id) = publishable {
        assert!(
            (0..nodes.len()).any(|i| nodes[i].rev == id && expected.counts[i]),
            "{id} is publishable without a counting approval"
        );
    }
    for a in (0..nodes.len()).filter(|&a| expected.counts[a]) {
        let view = graph.frontier(&|i| graph.saw(a, i));
        assert!(view.iter().any(|&s| nodes[s].rev == nodes[a].rev));
    }

    // It was a race: sign-offs made without seeing each other, merges and rebases,
    // refusals; fixed by the seed.
    let concurrent = (0..nodes.len())
        .flat_map(|a| (0..a).map(move |b| (a, b)))
        .filter(|&(a, b)| !graph.saw(a, b))
        .count();
    assert!(
        concurrent >= 3 && tally.merges >= 1 && tally.rebases >= 1 && tally.refused >= 1,
        "{concurrent} concurrent pairs; {tally:?}"
    );
    assert!(tally.recorded >= rounds as usize / 2, "{tally:?}");
}

/// One random sign-off in `member`'s clone: the writer mostly submits an edited text
/// (sometimes tries to approve, which she may not), a doctor approves, requests
/// changes or withdraws, whatever the state in their copy.
fn act(member: &Member, round: i64, rng: &mut XorShift) -> crate::common::Run {
    let note = format!("Round {round}.");
    let pick = rng.below(5);
    if member.person.id == SUZANNE.id && pick < 4 {
        let mut text = member.read(ARTICLE);
        text.push_str(&format!("\nRound {round}: one more thing to ask about.\n"));
        member.write(ARTICLE, &text);
        return member.run(&["submit", SLUG, "-m", &note]);
    }
    let command = match pick % 4 {
        0 | 1 => "approve",
        2 => "request-changes",
        _ => "withdraw",
    };
    member.run(&[command, SLUG, "-m", &note])
}

/// A refusal exits 1 with an `Error:` line (never a panic), and leaves the clone as
/// it was once the writer's unsubmitted edit is put back.
fn assert_refused(member: &Member, run: &crate::common::Run) {
    assert_eq!(
        run.code, 1,
        "{}: not a refusal:\nstdout:\n{}\nstderr:\n{}",
        member.person.id, run.stdout, run.stderr
    );
    assert!(
        run.stderr.lines().any(|l| l.starts_with("Error: ")),
        "{}: no Error line:\n{}",
        member.person.id,
        run.stderr
    );
    member.git(&["checkout", "-q", "--", ARTICLE]);
    assert_eq!(
        member.git(&["status", "--porcelain", "--untracked-files=all"]),
        "",
        "{}: the refusal left changes",
        member.person.id
    );
}

/// An entry as `log --json` lists it: only what the rules need.
struct Node {
    id: String,
    after: Vec<String>,
    action: String,
    by: String,
    rev: String,
}

fn nodes(log: &Value) -> Vec<Node> {
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| Node {
            id: text(&e["id"]),
            after: e["after"]
                .as_array()
                .expect("after")
                .iter()
                .map(text)
                .collect(),
            action: text(&e["action"]),
            by: text(&e["by"]),
            rev: text(&e["revision"]),
        })
        .collect()
}

/// The entry graph: who saw whom, from the `after:` links.
struct Graph<'a> {
    nodes: &'a [Node],
    seen: Vec<Vec<bool>>,
}

/// What the rules say: the state, the publishable revision, which entries count.
struct Verdict {
    state: &'static str,
    publishable: Option<String>,
    counts: Vec<bool>,
}

impl<'a> Graph<'a> {
    /// Builds the graph, asserting the log lists each entry after what it saw.
    fn new(nodes: &'a [Node]) -> Graph<'a> {
        let n = nodes.len();
        let mut seen = vec![vec![false; n]; n];
        for i in 0..n {
            for parent in &nodes[i].after {
                let p = nodes[..i]
                    .iter()
                    .position(|e| &e.id == parent)
                    .unwrap_or_else(|| panic!("{} is listed before {parent}", nodes[i].id));
                seen[i][p] = true;
                let above = seen[p].clone();
                for (bit, was) in seen[i].iter_mut().zip(above) {
                    *bit |= was;
                }
            }
        }
        Graph { nodes, seen }
    }

    fn saw(&self, later: usize, earlier: usize) -> bool {
        self.seen[later][earlier]
    }

    fn is(&self, i: usize, action: &str) -> bool {
        self.nodes[i].action == action
    }

    /// The submissions in `view` that no other submission in it saw.
    fn frontier(&self, view: &dyn Fn(usize) -> bool) -> Vec<usize> {
        let subs: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| view(i) && self.is(i, "submitted"))
            .collect();
        subs.iter()
            .copied()
            .filter(|&s| !subs.iter().any(|&t| self.saw(t, s)))
            .collect()
    }

    /// The rules of the record (docs/record.md, "Evaluation rules"), for reviewers `reviewers`, an
    /// article written by `writer`, and `required` approvals. Every approval here
    /// passes the policy otherwise: licensed, unsigned, signatures not required.
    fn judge(&self, reviewers: &[&str], writer: &str, required: usize) -> Verdict {
        let nodes = self.nodes;
        let n = nodes.len();
        let all: Vec<usize> = (0..n).collect();
        let reviewer = |i: usize| reviewers.contains(&nodes[i].by.as_str());
        let submitter = |rev: &str| {
            all.iter()
                .find(|&&s| self.is(s, "submitted") && nodes[s].rev == rev)
                .map(|&s| nodes[s].by.as_str())
        };
        let decision = |i: usize| {
            ["approved", "changes-requested", "withdrawn"].contains(&nodes[i].action.as_str())
        };

        // The latest revision: the frontier's, or the one a decision that saw the
        // whole frontier picked; unsettled otherwise.
        let frontier = self.frontier(&|_| true);
        let first = &nodes[frontier[0]].rev;
        let (latest, settled) = if frontier.iter().all(|&s| &nodes[s].rev == first) {
            (first.clone(), true)
        } else {
            match (0..n).rev().find(|&d| {
                decision(d)
                    && frontier.iter().all(|&s| self.saw(d, s))
                    && frontier.iter().any(|&s| nodes[s].rev == nodes[d].rev)
            }) {
                Some(d) => (nodes[d].rev.clone(), true),
                None => (
                    nodes[*frontier.last().expect("a submission")].rev.clone(),
                    false,
                ),
            }
        };

        let policy_ok = |a: usize| {
            self.is(a, "approved")
                && reviewer(a)
                && submitter(&nodes[a].rev).is_some_and(|by| by != nodes[a].by)
                && nodes[a].by != writer
        };
        // Rule 1 without concurrent entries: the revision was a latest submission in
        // the signer's view, and every submission of another text is seen or after.
        let current: Vec<bool> = all
            .iter()
            .map(|&a| {
                policy_ok(a)
                    && self
                        .frontier(&|i| self.saw(a, i))
                        .iter()
                        .any(|&s| nodes[s].rev == nodes[a].rev)
                    && all.iter().all(|&s| {
                        !self.is(s, "submitted")
                            || nodes[s].rev == nodes[a].rev
                            || self.saw(a, s)
                            || self.saw(s, a)
                    })
            })
            .collect();
        let valid = |d: usize| match nodes[d].action.as_str() {
            "submitted" => false,
            "approved" => policy_ok(d),
            _ => reviewer(d),
        };
        // A request for changes stands until a valid withdrawal, or a valid decision
        // of the same reviewer on the same revision, saw it.
        let live: Vec<bool> = all
            .iter()
            .map(|&c| {
                self.is(c, "changes-requested")
                    && reviewer(c)
                    && !all.iter().any(|&d| {
                        valid(d)
                            && self.saw(d, c)
                            && (self.is(d, "withdrawn")
                                || (nodes[d].by == nodes[c].by && nodes[d].rev == nodes[c].rev))
                    })
            })
            .collect();
        let blockers = |a: usize| -> Vec<usize> {
            all.iter()
                .copied()
                .filter(|&x| {
                    x != a
                        && !self.saw(a, x)
                        && ((self.is(x, "withdrawn") && reviewer(x))
                            || (live[x] && nodes[x].rev == nodes[a].rev))
                })
                .collect()
        };
        let counts: Vec<bool> = all
            .iter()
            .map(|&a| current[a] && blockers(a).is_empty())
            .collect();

        // Rule 3: an approval that would count but for an entry concurrent with it,
        // unless a reviewer's decision saw both; or an unsettled latest text.
        let resolver = |d: usize| valid(d) && (!self.is(d, "approved") || current[d]);
        let resolved = |a: usize, x: usize| {
            all.iter()
                .any(|&d| resolver(d) && self.saw(d, a) && self.saw(d, x))
        };
        let conflict = !settled
            || all.iter().any(|&a| {
                let blocked = blockers(a);
                current[a]
                    && blocked.iter().all(|&x| !self.saw(x, a))
                    && blocked.iter().any(|&x| !resolved(a, x))
            });

        // Rule 2: the approved revision approved last in graph order.
        let last_approval = |rev: &str| -> Option<usize> {
            if all.iter().any(|&c| live[c] && nodes[c].rev == rev) {
                return None;
            }
            let counted: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&a| counts[a] && nodes[a].rev == rev)
                .collect();
            let mut by: Vec<&str> = counted.iter().map(|&a| nodes[a].by.as_str()).collect();
            by.sort_unstable();
            by.dedup();
            (by.len() >= required.max(1)).then(|| *counted.last().expect("an approval"))
        };
        let publishable = all
            .iter()
            .filter(|&&s| self.is(s, "submitted"))
            .filter_map(|&s| last_approval(&nodes[s].rev).map(|i| (i, nodes[s].rev.clone())))
            .max_by_key(|(i, _)| *i)
            .map(|(_, rev)| rev);

        let withdrawn = all.iter().any(|&w| {
            self.is(w, "withdrawn")
                && reviewer(w)
                && all
                    .iter()
                    .any(|&s| self.is(s, "submitted") && nodes[s].rev == latest && self.saw(w, s))
        });
        let sent_back = all.iter().any(|&c| live[c] && nodes[c].rev == latest);
        let state = if conflict {
            "needs-decision"
        } else if publishable.as_deref() == Some(latest.as_str()) {
            "approved"
        } else if withdrawn {
            "withdrawn"
        } else if sent_back {
            "changes-requested"
        } else {
            "in-review"
        };
        Verdict {
            state,
            publishable,
            counts,
        }
    }
}
