//! The scale benchmark of issue 12: a realistic newsroom streamed into git, and
//! each command timed side by side with the tool a user would compare it with.
//!
//! `cargo bench --bench scale` builds N articles (MEDREVIEW_SCALE_ARTICLES, default
//! 1,000) of about 1,450 words, each with R revisions (MEDREVIEW_SCALE_ROUNDS,
//! default 5), every revision submitted and then approved or sent back: 2·N·R
//! sign-off commits streamed into `git fast-import`, byte for byte what the CLI
//! commits (`generate`). It writes a Hugo site of the same articles with an
//! equivalent template (`hugo`), then runs each command and its anchor interleaved,
//! MEDREVIEW_SCALE_RUNS times (default 5), and prints the medians, ratios, goals
//! and peak memory as a table (also written as Markdown to
//! `$MEDREVIEW_SCALE_REPORT` when set).
//!
//! - `MEDREVIEW_SCALE_VERIFY=1` first builds a tiny workspace twice, with the
//!   generator and command by command with the real binary, and compares them.
//! - `MEDREVIEW_SCALE_DIR=PATH` builds the workspace at PATH (the Hugo site at
//!   PATH-hugo), keeps both and stops, for profiling one command by hand.
//! - Without `hugo` the Hugo row is skipped, unless `MEDREVIEW_REQUIRE_TOOLS=1`.

#[path = "scale/corpus.rs"]
mod corpus;
#[path = "scale/generate.rs"]
mod generate;
#[path = "scale/hugo.rs"]
mod hugo;
#[path = "scale/sh.rs"]
mod sh;

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sh::{BIN, median, run, time};

fn var(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

/// A row of the table: every cell already formatted.
struct Row {
    command: String,
    ours: String,
    anchor: String,
    theirs: String,
    ratio: String,
    goal: String,
    memory: String,
}

fn ms(seconds: f64) -> String {
    let ms = seconds * 1000.0;
    if ms >= 10_000.0 {
        format!("{:.1} s", seconds)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("–".to_owned(), |b| {
        format!("{:.0} MiB", b as f64 / 1048576.0)
    })
}

/// A ratio goal, met or not.
fn goal(ratio: f64, at_most: f64) -> String {
    let mark = if ratio <= at_most { "met" } else { "NOT met" };
    format!("≤ {at_most}× ({mark})")
}

struct Bench {
    dir: PathBuf,
    runs: usize,
    rows: Vec<Row>,
}

impl Bench {
    /// Runs `ours` and `theirs` interleaved; returns both medians in seconds.
    fn pair(&self, ours: &mut dyn FnMut() -> f64, theirs: &mut dyn FnMut() -> f64) -> (f64, f64) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..self.runs {
            a.push(ours());
            b.push(theirs());
        }
        (median(a), median(b))
    }

    /// A plain row: one medreview command against one anchor command.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        label: &str,
        ours: &[&str],
        anchor_label: &str,
        anchor: &[&str],
        at_most: Option<f64>,
        memory: bool,
    ) -> (f64, f64) {
        let dir = self.dir.clone();
        // One untimed run of each first: the page cache and git's index stat data.
        run(&dir, BIN, ours);
        run(&dir, anchor[0], &anchor[1..]);
        let (a, b) = self.pair(&mut || time(&dir, BIN, ours), &mut || {
            time(&dir, anchor[0], &anchor[1..])
        });
        let memory = if memory {
            format!(
                "{} (git {})",
                mib(sh::max_rss(&dir, BIN, ours)),
                mib(sh::max_rss(&dir, anchor[0], &anchor[1..]))
            )
        } else {
            String::new()
        };
        self.rows.push(Row {
            command: format!("`{label}`"),
            ours: ms(a),
            anchor: format!("`{anchor_label}`"),
            theirs: ms(b),
            ratio: format!("{:.2}×", a / b.max(1e-9)),
            goal: at_most.map_or("stay".to_owned(), |g| goal(a / b.max(1e-9), g)),
            memory,
        });
        (a, b)
    }

    fn print(&self, header: &str) {
        let mut md = format!(
            "{header}\n\n| command | ours | anchor | anchor's time | ratio | goal | memory |\n| --- | --- | --- | --- | --- | --- | --- |\n"
        );
        for r in &self.rows {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                r.command, r.ours, r.anchor, r.theirs, r.ratio, r.goal, r.memory
            ));
        }
        println!("\n{md}");
        if let Some(path) = std::env::var_os("MEDREVIEW_SCALE_REPORT") {
            std::fs::write(&path, md).expect("write MEDREVIEW_SCALE_REPORT");
            println!("(written to {})", Path::new(&path).display());
        }
    }
}

/// A fresh `git clone --no-local` of `dir` (a pack as a server sends it) in a
/// temporary folder, and the seconds the clone took (shown, not counted).
fn fresh_clone(dir: &Path) -> (tempfile::TempDir, PathBuf, f64) {
    let tmp = tempfile::tempdir().expect("a clone folder");
    let clone = tmp.path().join("clone");
    let started = Instant::now();
    run(
        dir,
        "git",
        &[
            "clone",
            "-q",
            "--no-local",
            dir.to_str().expect("utf-8"),
            clone.to_str().expect("utf-8"),
        ],
    );
    (tmp, clone, started.elapsed().as_secs_f64())
}

/// Issue 28's rows from a fresh clone: its first `publish` (every commit of history
/// verified) next to hugo, and a second one (the first left a verified checkpoint)
/// next to hugo. `hugo` times one hugo run (`None`: not installed).
fn fresh_clone_publish(bench: &mut Bench, dir: &Path, hugo: &mut dyn FnMut() -> Option<f64>) {
    let (mut first, mut second, mut anchor, mut cloned) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut memory = None;
    for i in 0..bench.runs {
        let (_tmp, clone, took) = fresh_clone(dir);
        cloned.push(took);
        let out = clone.with_extension("out");
        let publish = ["publish", "--out", out.to_str().expect("utf-8")];
        if i == 0 {
            memory = sh::max_rss(&clone, BIN, &publish);
            // Measured on a clone of its own: the memory run verified this one.
            continue;
        }
        first.push(time(&clone, BIN, &publish));
        remove(&out);
        second.push(time(&clone, BIN, &publish));
        anchor.extend(hugo());
    }
    if first.is_empty() {
        // One run only: time a second clone.
        let (_tmp, clone, _) = fresh_clone(dir);
        let out = clone.with_extension("out");
        let publish = ["publish", "--out", out.to_str().expect("utf-8")];
        first.push(time(&clone, BIN, &publish));
        remove(&out);
        second.push(time(&clone, BIN, &publish));
        anchor.extend(hugo());
    }
    let (first, second, cloned) = (median(first), median(second), median(cloned));
    let theirs = (!anchor.is_empty()).then(|| median(anchor));
    for (label, ours, at_most, mem) in [
        (
            format!(
                "`publish` in a fresh clone (whole history verified; the clone took {})",
                ms(cloned)
            ),
            first,
            1.0,
            mib(memory),
        ),
        (
            "`publish` again in that clone (from its verified checkpoint)".to_owned(),
            second,
            0.5,
            String::new(),
        ),
    ] {
        bench.rows.push(Row {
            command: label,
            ours: ms(ours),
            anchor: "`hugo`".to_owned(),
            theirs: theirs.map_or("–".to_owned(), ms),
            ratio: theirs.map_or("–".to_owned(), |t| format!("{:.2}×", ours / t)),
            goal: theirs.map_or(format!("≤ {at_most}×"), |t| goal(ours / t, at_most)),
            memory: mem,
        });
    }
}

/// The row "fresh-clone publish trusting the gate checkpoint" (issue 28, item 3): a
/// bare server copy of `dir` whose gate signs its checkpoint (an admin made and the
/// gate key recorded in `sync.gate_keys`, outside the timing), then each run a
/// fresh `git clone --no-local` that pins the key (`medreview.trustGate`) and
/// publishes, fetching the statement and walking nothing the gate verified; next
/// to hugo. Skipped, with a line saying so, without `ssh-keygen`.
fn fresh_clone_publish_trusting_gate(
    bench: &mut Bench,
    dir: &Path,
    hugo: &mut dyn FnMut() -> Option<f64>,
) {
    if Command::new("ssh-keygen").arg("-?").output().is_err() {
        println!("(the gate row is skipped: ssh-keygen is not installed)");
        return;
    }
    let tmp = tempfile::tempdir().expect("a server folder");
    let server = tmp.path().join("server.git");
    let path = |p: &Path| p.to_str().expect("utf-8").to_owned();
    run(
        tmp.path(),
        "git",
        &["clone", "-q", "--bare", &path(dir), &path(&server)],
    );
    let admin = tmp.path().join("admin");
    run(
        tmp.path(),
        "git",
        &["clone", "-q", &path(&server), &path(&admin)],
    );
    // The bench's workspace has no admin: its first writer becomes one.
    let mut writers: Vec<PathBuf> = std::fs::read_dir(admin.join("writers"))
        .expect("the writers folder")
        .map(|e| e.expect("a writer").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    writers.sort();
    let first = &writers[0];
    let id = first.file_stem().and_then(|s| s.to_str()).expect("an id");
    let email = std::fs::read_to_string(first)
        .expect("a writer file")
        .lines()
        .find_map(|l| {
            l.strip_prefix("email: ")
                .map(|e| e.trim().trim_matches(['"', '\'']).to_owned())
        })
        .expect("an email");
    run(&admin, "git", &["config", "user.email", &email]);
    run(&admin, "git", &["config", "user.name", id]);
    run(&admin, BIN, &["admin", "add", id]);
    let key = tmp.path().join("gate-key");
    run(
        tmp.path(),
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "bench gate",
            "-f",
            &path(&key),
        ],
    );
    let line = std::fs::read_to_string(key.with_extension("pub"))
        .expect("the gate's public key")
        .trim()
        .to_owned();
    run(
        &admin,
        BIN,
        &["config", "set", "sync.gate_keys", &format!("[\"{line}\"]")],
    );
    run(&admin, "git", &["push", "-q", "origin", "HEAD"]);
    run(
        tmp.path(),
        BIN,
        &[
            "hook",
            "install",
            "--server",
            &path(&server),
            "--gate-key",
            &path(&key),
        ],
    );
    let (mut ours, mut anchor) = (Vec::new(), Vec::new());
    for _ in 0..bench.runs.max(1) {
        let (_tmp, clone, _) = fresh_clone(&server);
        run(&clone, "git", &["config", "medreview.trustGate", &line]);
        let out = clone.with_extension("out");
        ours.push(time(
            &clone,
            BIN,
            &["publish", "--out", out.to_str().expect("utf-8")],
        ));
        // The statement was used: the clone's checkpoint rests on the gate.
        let checked = run(&clone, BIN, &["check", "--json"]);
        assert!(
            checked.contains("\"checkpoint_signed_by\": \"SHA256:"),
            "the pinned clone did not start from the gate's checkpoint:\n{checked}"
        );
        anchor.extend(hugo());
    }
    let ours = median(ours);
    let theirs = (!anchor.is_empty()).then(|| median(anchor));
    bench.rows.push(Row {
        command: "`publish` in a fresh clone that trusts the gate's signed checkpoint".to_owned(),
        ours: ms(ours),
        anchor: "`hugo`".to_owned(),
        theirs: theirs.map_or("–".to_owned(), ms),
        ratio: theirs.map_or("–".to_owned(), |t| format!("{:.2}×", ours / t)),
        goal: theirs.map_or("≤ 0.5×".to_owned(), |t| goal(ours / t, 0.5)),
        memory: String::new(),
    });
}

/// Each file under `dir`: its inode and change time, and a hash of its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, ((u64, i64, i64), u64)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read the output") {
            let path = entry.expect("read the output").path();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            if meta.is_dir() {
                todo.push(path);
                continue;
            }
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&path).expect("read").hash(&mut h);
            let rel = path.strip_prefix(dir).expect("inside").to_path_buf();
            out.insert(
                rel,
                ((meta.ino(), meta.mtime(), meta.mtime_nsec()), h.finish()),
            );
        }
    }
    out
}

/// (files rewritten or new or removed, files whose bytes changed or new or removed)
fn changed(
    before: &BTreeMap<PathBuf, ((u64, i64, i64), u64)>,
    after: &BTreeMap<PathBuf, ((u64, i64, i64), u64)>,
) -> (usize, usize, usize) {
    let gone = before.keys().filter(|k| !after.contains_key(*k)).count();
    let (mut written, mut content) = (gone, gone);
    for (path, (stat, hash)) in after {
        match before.get(path) {
            None => {
                written += 1;
                content += 1;
            }
            Some((s, h)) => {
                written += usize::from(s != stat);
                content += usize::from(h != hash);
            }
        }
    }
    (written, content, after.len())
}

fn remove(path: &Path) {
    if path.exists() {
        std::fs::remove_dir_all(path).expect("remove an output folder");
    }
}

/// Appends a sentence to an article in the working tree.
fn edit(dir: &Path, slug: &str, n: usize) {
    let path = dir.join("articles").join(slug).join("article.md");
    let mut text = std::fs::read_to_string(&path).expect("read an article");
    text.push_str(&format!("\nA bench edit, number {n}.\n"));
    std::fs::write(&path, text).expect("write an article");
}

/// One more revision of article `i`, submitted and approved, at NOW.
fn revise_and_approve(dir: &Path, finals: &[generate::Final], i: usize, n: usize, number: usize) {
    let a = &finals[i].article;
    edit(dir, &a.slug, n);
    let writer = generate::WRITERS[a.writer].0;
    let reviewer = generate::REVIEWERS[a.reviewer].0;
    run(
        dir,
        BIN,
        &["submit", &a.slug, "--as", writer, "-m", "Bench edit."],
    );
    let r = format!("r{number}");
    run(
        dir,
        BIN,
        &["approve", &a.slug, "--as", reviewer, "--revision", &r],
    );
}

/// The tiny cross-check: the generator's workspace against the CLI's.
fn verify() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b) = (tmp.path().join("generated"), tmp.path().join("cli"));
    let started = Instant::now();
    let (finals, commits) = generate::build(&a, 3, 2);
    generate::build_with_cli(&b, 3, 2);
    let show = |dir: &Path| {
        run(
            dir,
            "git",
            &[
                "log",
                "--format=%H %T%n%an <%ae> %ad%n%cn <%ce> %cd%n%B",
                "--date=raw",
            ],
        )
    };
    let (la, lb) = (show(&a), show(&b));
    assert_eq!(
        la, lb,
        "the generated history differs from the CLI's (ids, trees, authors, committers, times, messages)"
    );
    let tree = |dir: &Path| run(dir, "git", &["rev-parse", "HEAD^{tree}"]);
    assert_eq!(tree(&a), tree(&b));
    run(&a, BIN, &["check"]);
    approved_at_now(&a, finals.len());
    println!(
        "verify: 3 articles × 2 revisions ({commits} sign-off commits): the generated history is the CLI's, commit for commit (same ids); `check` clean; all approved ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

/// `status --json` names every article approved.
fn approved_at_now(dir: &Path, articles: usize) {
    let json: serde_json::Value =
        serde_json::from_str(&run(dir, BIN, &["status", "--json"])).expect("status --json");
    let list = json["articles"].as_array().expect("articles");
    let approved = list.iter().filter(|a| a["state"] == "approved").count();
    assert_eq!(
        (list.len(), approved),
        (articles, articles),
        "status at MEDREVIEW_NOW should show every article approved"
    );
}

fn main() {
    let articles = var("MEDREVIEW_SCALE_ARTICLES", 1000).max(3);
    let rounds = var("MEDREVIEW_SCALE_ROUNDS", 5).max(2);
    let runs = var("MEDREVIEW_SCALE_RUNS", 5).max(1);
    if flag("MEDREVIEW_SCALE_VERIFY") {
        verify();
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let keep = std::env::var_os("MEDREVIEW_SCALE_DIR").map(PathBuf::from);
    if let Some(keep) = &keep {
        let empty = std::fs::read_dir(keep).map_or(true, |mut d| d.next().is_none());
        assert!(
            empty,
            "MEDREVIEW_SCALE_DIR={} is not empty; remove it first",
            keep.display()
        );
    }
    let dir = keep.clone().unwrap_or_else(|| tmp.path().join("ws"));
    let site = match &keep {
        Some(k) => PathBuf::from(format!("{}-hugo", k.display())),
        None => tmp.path().join("hugo"),
    };
    // MEDREVIEW_SCALE_REUSE=PATH measures a workspace an earlier run kept with
    // MEDREVIEW_SCALE_DIR (same ARTICLES and ROUNDS), without building it again; the
    // measurements add sign-offs to it.
    if let Some(reused) = std::env::var_os("MEDREVIEW_SCALE_REUSE").map(PathBuf::from) {
        let finals = generate::plan(articles, rounds, |_| {});
        let site = PathBuf::from(format!("{}-hugo", reused.display()));
        println!("measuring the kept workspace {}", reused.display());
        measure(&reused, &site, &finals, articles, rounds, runs);
        return;
    }
    let started = Instant::now();
    let (finals, commits) = generate::build(&dir, articles, rounds);
    let built = started.elapsed().as_secs_f64();
    let words: usize = finals
        .iter()
        .map(|f| f.text.split_whitespace().count())
        .sum();
    println!(
        "built {articles} articles × {rounds} revisions (~{} words each): {commits} sign-off commits in {built:.1} s, in {}",
        words / articles,
        dir.display()
    );
    let started = Instant::now();
    hugo::write_site(&site, &finals);
    println!(
        "wrote the Hugo site in {:.1} s, in {}",
        started.elapsed().as_secs_f64(),
        site.display()
    );
    if keep.is_some() {
        println!("kept; measure with MEDREVIEW_NOW={}", sh::NOW);
        return;
    }
    measure(&dir, &site, &finals, articles, rounds, runs);
}

/// Runs every measurement on the workspace `dir` and prints the table.
fn measure(
    dir: &Path,
    site: &Path,
    finals: &[generate::Final],
    articles: usize,
    rounds: usize,
    runs: usize,
) {
    let dir = dir.to_path_buf();
    let site = site.to_path_buf();
    let commits = 2 * articles * rounds;
    let words: usize = finals
        .iter()
        .map(|f| f.text.split_whitespace().count())
        .sum();
    run(&dir, BIN, &["check"]);
    approved_at_now(&dir, articles);

    let mut bench = Bench {
        dir: dir.clone(),
        runs,
        rows: Vec::new(),
    };
    let middle = &finals[articles / 2].article.slug;
    bench.row(
        "status",
        &["status"],
        "git status --porcelain",
        &["git", "status", "--porcelain"],
        Some(3.0),
        true,
    );
    bench.row(
        "status --json",
        &["status", "--json"],
        "git status --porcelain",
        &["git", "status", "--porcelain"],
        Some(3.0),
        false,
    );
    let (one, _) = bench.row(
        "status SLUG",
        &["status", middle],
        "git status --porcelain -- articles/SLUG",
        &[
            "git",
            "status",
            "--porcelain",
            "--",
            &format!("articles/{middle}"),
        ],
        None,
        false,
    );
    bench.rows.last_mut().expect("a row").goal =
        format!("≤ 20 ms ({})", if one <= 0.020 { "met" } else { "NOT met" });

    // Publish: a full one into an empty folder on tmpfs, next to hugo.
    let shm = tempfile::Builder::new()
        .prefix("medreview-scale-")
        .tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("an output folder");
    let out = shm.path().join("public");
    let out_s = out.to_str().expect("utf-8").to_owned();
    let publish = ["publish", "--out", out_s.as_str()];
    let hugo_out = shm.path().join("hugo");
    let hugo_args = [
        "hugo",
        "--quiet",
        "--source",
        site.to_str().expect("utf-8"),
        "--destination",
        hugo_out.to_str().expect("utf-8"),
    ];
    if sh::gnu_time().is_none() {
        assert!(
            !flag("MEDREVIEW_REQUIRE_TOOLS"),
            "/usr/bin/time is not installed (MEDREVIEW_REQUIRE_TOOLS=1)"
        );
        println!("/usr/bin/time is not installed: no peak memory (apt-get install time)");
    }
    let have_hugo = hugo::available();
    if !have_hugo {
        assert!(
            !flag("MEDREVIEW_REQUIRE_TOOLS"),
            "hugo is not installed (MEDREVIEW_REQUIRE_TOOLS=1)"
        );
        println!("hugo is not installed: the hugo rows are skipped (apt-get install hugo)");
    }
    let full = |out: &Path| {
        remove(out);
        time(
            &dir,
            BIN,
            &["publish", "--out", out.to_str().expect("utf-8")],
        )
    };
    let hugo_run = || {
        remove(&hugo_out);
        time(&dir, hugo_args[0], &hugo_args[1..])
    };
    full(&out);
    let (ours, theirs) = if have_hugo {
        hugo_run();
        let (a, b) = bench.pair(&mut || full(&out), &mut || hugo_run());
        (a, Some(b))
    } else {
        let (a, _) = bench.pair(&mut || full(&out), &mut || 0.0);
        (a, None)
    };
    let pages = articles as f64;
    remove(&out);
    let ours_mem = sh::max_rss(&dir, BIN, &publish);
    remove(&hugo_out);
    let hugo_mem = if have_hugo {
        sh::max_rss(&dir, hugo_args[0], &hugo_args[1..])
    } else {
        None
    };
    bench.rows.push(Row {
        command: format!(
            "`publish --out` (tmpfs, empty), {:.0} pages/s",
            pages / ours
        ),
        ours: ms(ours),
        anchor: match theirs {
            Some(t) => format!("`hugo`, {:.0} pages/s", pages / t),
            None => "`hugo` (not installed)".to_owned(),
        },
        theirs: theirs.map_or("–".to_owned(), ms),
        ratio: theirs.map_or("–".to_owned(), |t| format!("{:.2}×", ours / t)),
        goal: theirs.map_or("≤ 0.5×".to_owned(), |t| goal(ours / t, 0.5)),
        memory: format!("{} (hugo {})", mib(ours_mem), mib(hugo_mem)),
    });
    if let (Some(a), Some(b)) = (ours_mem, hugo_mem) {
        let r = a as f64 / b as f64;
        bench.rows.push(Row {
            command: "`publish` peak memory".to_owned(),
            ours: mib(Some(a)),
            anchor: "`hugo` peak memory".to_owned(),
            theirs: mib(Some(b)),
            ratio: format!("{r:.2}×"),
            goal: goal(r, 0.5),
            memory: String::new(),
        });
    }

    // Publish from a fresh clone (issue 28): no memo and no checkpoint, so the whole
    // history is verified first, next to hugo; then again in the same clone, whose
    // first publish left a verified checkpoint.
    let mut hugo_time = || have_hugo.then(&hugo_run);
    fresh_clone_publish(&mut bench, &dir, &mut hugo_time);
    fresh_clone_publish_trusting_gate(&mut bench, &dir, &mut hugo_time);

    // lint at error and warning level (what submit, approve, `check --lint` and
    // `status --json` run) over every article with no memo, next to a full publish
    // of the same articles; then a second run from the memo; then `lint` with every
    // rule (harper's spelling and grammar too, at info by default) with no memo.
    // Every lint memo file, whatever its version (`lint-N.json`).
    let memo_dir = dir.join(".git/medreview");
    let forget = || {
        for entry in std::fs::read_dir(&memo_dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("lint-") && name.ends_with(".json") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    };
    let cold = |args: &[&str]| {
        forget();
        time(&dir, BIN, args)
    };
    cold(&["lint", "--gates"]);
    for (label, args, warm, target) in [
        (
            "`lint --gates` (error and warning rules), no memo",
            &["lint", "--gates"][..],
            false,
            1.0,
        ),
        (
            "`lint --gates` again (from the memo)",
            &["lint", "--gates"][..],
            true,
            1.0,
        ),
        (
            "`lint` (every rule: spelling and grammar too), no memo",
            &["lint"][..],
            false,
            5.0,
        ),
    ] {
        if warm {
            run(&dir, BIN, args);
        }
        let (l, p) = bench.pair(
            &mut || {
                if warm {
                    time(&dir, BIN, args)
                } else {
                    cold(args)
                }
            },
            &mut || full(&out),
        );
        bench.rows.push(Row {
            command: format!("{label}, {:.0} articles/s", pages / l),
            ours: ms(l),
            anchor: "`publish --out` (full, empty folder)".to_owned(),
            theirs: ms(p),
            ratio: format!("{:.2}×", l / p),
            goal: goal(l / p, target),
            memory: if warm {
                String::new()
            } else {
                mib({
                    forget();
                    sh::max_rss(&dir, BIN, args)
                })
            },
        });
    }

    // Incremental publish: one article gets a new revision, approved; publish again
    // into the existing output, next to a full publish into an empty folder.
    let full_out = shm.path().join("full");
    run(&dir, BIN, &publish);
    let mut next = 0usize;
    let mut files = (0, 0, 0);
    let (inc, whole) = bench.pair(
        &mut || {
            revise_and_approve(&dir, finals, next, next, rounds + 1);
            next += 1;
            let before = snapshot(&out);
            let t = time(&dir, BIN, &publish);
            files = changed(&before, &snapshot(&out));
            t
        },
        &mut || full(&full_out),
    );
    bench.rows.push(Row {
        command: format!(
            "`publish` after one article changed (rewrote {} of {} files; {} changed in content)",
            files.0, files.2, files.1
        ),
        ours: ms(inc),
        anchor: "`publish` (full, empty folder)".to_owned(),
        theirs: ms(whole),
        ratio: format!("{:.2}×", inc / whole),
        goal: goal(inc / whole, 0.1),
        memory: String::new(),
    });
    remove(&full_out);

    // check: the first run (no checkpoint), then after one new sign-off.
    let uncheck = |dir: &Path| run(dir, "git", &["update-ref", "-d", "refs/medreview/checked"]);
    let (check, log_all) = {
        let d = dir.clone();
        uncheck(&d);
        run(&d, BIN, &["check"]);
        let anchor = ["log", "--name-only", "--format=%H"];
        run(&d, "git", &anchor);
        let pair = bench.pair(
            &mut || {
                uncheck(&d);
                time(&d, BIN, &["check"])
            },
            &mut || time(&d, "git", &anchor),
        );
        uncheck(&d);
        let mem = sh::max_rss(&d, BIN, &["check"]);
        let git_mem = sh::max_rss(&d, "git", &anchor);
        bench.rows.push(Row {
            command: "`check` (first run, no checkpoint)".to_owned(),
            ours: ms(pair.0),
            anchor: "`git log --name-only --format=%H`".to_owned(),
            theirs: ms(pair.1),
            ratio: format!("{:.2}×", pair.0 / pair.1),
            goal: goal(pair.0 / pair.1, 2.0),
            memory: format!("{} (git {})", mib(mem), mib(git_mem)),
        });
        pair
    };
    let _ = (check, log_all);
    {
        let d = dir.clone();
        let a = &finals[next].article;
        edit(&d, &a.slug, next);
        run(
            &d,
            BIN,
            &[
                "submit",
                &a.slug,
                "--as",
                generate::WRITERS[a.writer].0,
                "-m",
                "Bench edit.",
            ],
        );
        let before = run(&d, "git", &["rev-parse", "HEAD~1"]).trim().to_owned();
        let status = ["status", "--porcelain"];
        run(&d, "git", &status);
        let (a, b) = bench.pair(
            &mut || {
                run(
                    &d,
                    "git",
                    &["update-ref", "refs/medreview/checked", &before],
                );
                time(&d, BIN, &["check"])
            },
            &mut || time(&d, "git", &status),
        );
        bench.rows.push(Row {
            command: "`check` after one new sign-off (checkpoint at HEAD~1)".to_owned(),
            ours: ms(a),
            anchor: "`git status --porcelain`".to_owned(),
            theirs: ms(b),
            ratio: format!("{:.2}×", a / b),
            goal: goal(a / b, 2.0),
            memory: String::new(),
        });
    }

    // log, diff, submit: where they stand.
    let slug = middle.clone();
    let path = format!("articles/{slug}");
    bench.row(
        "log SLUG",
        &["log", &slug],
        "git log -- articles/SLUG",
        &["git", "log", "--", &path],
        None,
        false,
    );
    let submits = run(
        &dir,
        "git",
        &["log", "--format=%H", "--", &format!("{path}/article.md")],
    );
    let submits: Vec<&str> = submits.lines().collect();
    let (last, first) = (submits[0], submits[submits.len() - 1]);
    let to = format!("r{rounds}");
    let file = format!("{path}/article.md");
    bench.row(
        &format!("diff SLUG r1 {to}"),
        &["diff", &slug, "r1", &to],
        "git diff A B -- articles/SLUG/article.md",
        &["git", "diff", first, last, "--", &file],
        None,
        false,
    );
    {
        let d = dir.clone();
        let n = std::cell::Cell::new(0usize);
        let notes = d.join("bench-notes.txt");
        let pick = articles / 3;
        let (a, b) = bench.pair(
            &mut || {
                n.set(n.get() + 1);
                let art = &finals[pick].article;
                edit(&d, &art.slug, 1000 + n.get());
                time(
                    &d,
                    BIN,
                    &[
                        "submit",
                        &art.slug,
                        "--as",
                        generate::WRITERS[art.writer].0,
                        "-m",
                        "Bench edit.",
                    ],
                )
            },
            &mut || {
                std::fs::write(&notes, format!("edit {}\n", n.get())).expect("write");
                time(&d, "git", &["add", "bench-notes.txt"])
                    + time(&d, "git", &["commit", "-q", "-m", "Bench edit."])
            },
        );
        bench.rows.push(Row {
            command: "`submit` (one-line edit)".to_owned(),
            ours: ms(a),
            anchor: "`git add && git commit`".to_owned(),
            theirs: ms(b),
            ratio: format!("{:.2}×", a / b),
            goal: "stay".to_owned(),
            memory: String::new(),
        });
    }
    bench.print(&format!(
        "{articles} articles × {rounds} revisions ({commits} sign-off commits, ~{} words an article), medians of {runs} interleaved runs, {} cores, release build",
        words / articles,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
}
