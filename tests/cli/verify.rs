//! `medreview verify`: a site published with signed sign-offs and a signed
//! manifest verifies from its folder and over HTTP from a real web server, with
//! no repository; every kind of tampering (a page's text, a byline, a key, the
//! manifest, its signature, an entry, a page pointing at an unapproved revision)
//! fails with a message that says what is wrong.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::browser::Browser;
use crate::common::{NEXT_DAY, SLUG, TestEnv, fixture, public_key, ssh_keygen};
use crate::server::http::{LIGHTTPD, available, free_port, wait_listening};

const WELL_KNOWN: &str = ".well-known/medreview";

/// A workspace whose her2-treatment is submitted and approved with signatures, and
/// whose publisher eve-editor has a key on file; published signed into `site/`
/// beside the repository. `None` without ssh-keygen.
fn published() -> Option<(TestEnv, PathBuf)> {
    ssh_keygen()?;
    let mut env = TestEnv::seeded();
    env.append(
        "reviewers/ana-example.yaml",
        &format!("public_key: {}\n", public_key("ana_ed25519")),
    );
    env.append(
        "writers/suzanne-example.yaml",
        &format!("public_key: {}\n", public_key("suzanne_ed25519")),
    );
    env.git(&["commit", "-q", "-am", "public keys"]);
    env.ok(&[
        "writer",
        "add",
        "eve-editor",
        "--name",
        "Eve Editor",
        "--email",
        "runner@example.org",
    ]);
    env.append(
        "writers/eve-editor.yaml",
        &format!("public_key: {}\n", public_key("eve_ed25519")),
    );
    env.git(&["commit", "-q", "-am", "eve's key"]);
    env.ok(&["publisher", "add", "eve-editor"]);
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "First draft.",
        "--key",
        key("suzanne_ed25519"),
    ]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Accurate.",
        "--key",
        key("ana_ed25519"),
    ]);
    let site = env.outside("site");
    let out = site.to_str().expect("utf-8").to_owned();
    env.ok(&[
        "publish",
        "--out",
        &out,
        "--as",
        "eve-editor",
        "--key",
        key("eve_ed25519"),
    ]);
    Some((env, site))
}

fn key(name: &str) -> &'static str {
    Box::leak(
        fixture(name)
            .to_str()
            .expect("utf-8")
            .to_owned()
            .into_boxed_str(),
    )
}

/// A copy of the published folder, changed by `change`.
fn tampered(env: &TestEnv, site: &Path, name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let copy = env.outside(name);
    let status = Command::new("cp")
        .arg("-R")
        .arg(site)
        .arg(&copy)
        .status()
        .expect("cp");
    assert!(status.success());
    change(&copy);
    copy
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn verify(env: &TestEnv, dir: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["verify", dir.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    env.run(&args)
}

fn the_entry(site: &Path, action: &str) -> PathBuf {
    let dir = site.join(WELL_KNOWN).join("entries").join(SLUG);
    fs::read_dir(&dir)
        .expect("entries")
        .map(|e| e.expect("entry").path())
        .find(|p| p.to_string_lossy().contains(&format!("-{action}-")))
        .expect("an entry")
}

#[test]
fn a_signed_publication_verifies_from_its_folder_and_names_its_signer() {
    let Some((env, site)) = published() else {
        return;
    };
    let run = verify(&env, &site, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("OK    {SLUG}.html\tr1")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("reviewed by Ana Example, M.D."),
        "{}",
        run.stdout
    );
    let eve = medreview_core::signing::key_fingerprint(&public_key("eve_ed25519")).expect("fp");
    assert!(
        run.stdout.contains(&format!(
            "the manifest is signed by eve-editor with key {eve}, the key this site offers: no key was pinned (--trust-key)"
        )),
        "{}",
        run.stdout
    );
    // Pinned: the publisher's .pub file.
    let pinned = verify(&env, &site, &["--trust-key", key("eve_ed25519.pub")]);
    assert_eq!(pinned.code, 0, "{}", pinned.stdout);
    assert!(
        pinned.stdout.contains("with the pinned key"),
        "{}",
        pinned.stdout
    );
    // A pinned key that is not the publisher's fails, whatever the site offers.
    let wrong = verify(&env, &site, &["--trust-key", &public_key("ana_ed25519")]);
    assert_eq!(wrong.code, 1, "{}", wrong.stdout);
    assert!(
        wrong.stdout.contains("does not verify with the pinned key"),
        "{}",
        wrong.stdout
    );
    // JSON.
    let json = verify(&env, &site, &["--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(doc["signature"]["verified"], true);
    assert_eq!(doc["pages"][0]["problems"], serde_json::json!([]));
    // The page names its revision and sign-offs.
    let page = fs::read_to_string(site.join(format!("{SLUG}.html"))).expect("page");
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(site.join(WELL_KNOWN).join("manifest.json")).expect("manifest"),
    )
    .expect("manifest json");
    let revision = manifest["pages"][0]["revision"].as_str().expect("revision");
    assert!(
        page.contains(&format!(
            "<meta name=\"medreview-revision\" content=\"{revision}\">"
        )),
        "{page}"
    );
    let ids: Vec<&str> = manifest["pages"][0]["signoffs"]
        .as_array()
        .expect("signoffs")
        .iter()
        .map(|s| s["entry"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 2, "submission and approval: {ids:?}");
    assert!(page.contains(&ids.join(" ")), "{page}");
}

#[test]
fn publishing_the_same_commit_again_gives_the_same_folder() {
    let Some((env, site)) = published() else {
        return;
    };
    let again = env.outside("again");
    env.ok(&[
        "publish",
        "--out",
        again.to_str().expect("utf-8"),
        "--as",
        "eve-editor",
        "--key",
        key("eve_ed25519"),
    ]);
    for rel in [
        "manifest.json",
        "manifest.json.sig",
        "keys.json",
        "index.html",
    ] {
        assert_eq!(
            fs::read(site.join(WELL_KNOWN).join(rel)).expect("first"),
            fs::read(again.join(WELL_KNOWN).join(rel)).expect("second"),
            "{rel}"
        );
    }
}

/// One way of tampering with a copy of the site.
type Change<'a> = Box<dyn FnOnce(&Path) + 'a>;

#[test]
fn tampered_copies_fail_with_what_is_wrong() {
    let Some((env, site)) = published() else {
        return;
    };
    let page = format!("{SLUG}.html");
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "word",
            Box::new(|d: &Path| edit(&d.join(&page), "tumour", "tumor")),
            "the article text differs from the approved revision r1",
        ),
        (
            "byline",
            Box::new(|d: &Path| {
                edit(
                    &d.join(&page),
                    "Ana Example, M.D.</a>",
                    "Ana Example, M.D., Ph.D.</a>",
                )
            }),
            "the byline says \"Medically reviewed by Ana Example, M.D., Ph.D.\", and the verified approvals are by Ana Example, M.D.",
        ),
        (
            "jsonld",
            Box::new(|d: &Path| {
                edit(
                    &d.join(&page),
                    "\"honorificSuffix\": \"M.D.\"",
                    "\"honorificSuffix\": \"Ph.D.\"",
                )
            }),
            "the JSON-LD says Ana Example, Ph.D. reviewed it (medical-accuracy), and no verified approval was signed so",
        ),
        (
            "keys",
            Box::new(|d: &Path| {
                let keys = d.join(WELL_KNOWN).join("keys.json");
                edit(
                    &keys,
                    public_key("ana_ed25519").as_str(),
                    public_key("encrypted_ed25519").as_str(),
                )
            }),
            ".well-known/medreview/keys.json is not the file that was published",
        ),
        (
            "manifest",
            Box::new(|d: &Path| {
                edit(
                    &d.join(WELL_KNOWN).join("manifest.json"),
                    "\"publication\": \"Example Health\"",
                    "\"publication\": \"Other Health\"",
                )
            }),
            "the manifest's signature by eve-editor does not verify",
        ),
        (
            "unsigned",
            Box::new(|d: &Path| {
                fs::remove_file(d.join(WELL_KNOWN).join("manifest.json.sig")).expect("rm")
            }),
            "the manifest is not signed: .well-known/medreview/manifest.json.sig is missing",
        ),
        (
            "entry",
            Box::new(|d: &Path| edit(&the_entry(d, "approved"), "Accurate.", "Accurate!")),
            "is not the file that was published",
        ),
    ];
    for (name, change, expected) in cases {
        let copy = tampered(&env, &site, name, change);
        let run = verify(&env, &copy, &[]);
        assert_eq!(run.code, 1, "{name}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(expected),
            "{name}: expected {expected:?} in:\n{}",
            run.stdout
        );
        assert!(
            run.stderr.contains("Not verified"),
            "{name}: {}",
            run.stderr
        );
    }
}

/// A host who rewrites keys, entry and manifest digests consistently is still
/// caught: the entry's name carries its digest and its signature covers its text;
/// and one who swaps in their own publisher key is caught by a pinned key only.
#[test]
fn a_consistent_forgery_is_caught_by_entry_digests_and_a_pinned_key() {
    let Some((env, site)) = published() else {
        return;
    };
    // The approval rewritten, and the manifest's digest of it updated (the manifest
    // signature then fails too, but the entry is caught on its own).
    let copy = tampered(&env, &site, "forged", |d| {
        let entry = the_entry(d, "approved");
        edit(&entry, "Accurate.", "Accurate!");
        let rel = entry
            .strip_prefix(d.join(WELL_KNOWN))
            .expect("in folder")
            .to_str()
            .expect("utf-8")
            .to_owned();
        let bytes = fs::read(&entry).expect("entry");
        let digest = medreview_site::verify::format::digest(&bytes);
        let manifest = d.join(WELL_KNOWN).join("manifest.json");
        let mut doc: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&manifest).expect("m")).expect("json");
        doc["files"][&rel] = serde_json::Value::String(digest);
        fs::write(&manifest, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    });
    let run = verify(&env, &copy, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("does not match the digest in its name"),
        "{}",
        run.stdout
    );
    // A page pointing at a revision no approval covers: the submission is of it,
    // the approval is not.
    let copy = tampered(&env, &site, "other-revision", |d| {
        let manifest = d.join(WELL_KNOWN).join("manifest.json");
        let text = fs::read_to_string(&manifest).expect("m");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
        let revision = doc["pages"][0]["revision"]
            .as_str()
            .expect("rev")
            .to_owned();
        let other = "0".repeat(40);
        fs::write(&manifest, text.replace(&revision, &other)).expect("write");
        edit(&d.join(format!("{SLUG}.html")), &revision, &other);
    });
    let run = verify(&env, &copy, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("is of revision") && run.stdout.contains("not the page's 0000000"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("no verified medical approval of r1"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_folder_without_a_manifest_is_refused_plainly() {
    let env = TestEnv::new();
    let empty = env.outside("empty");
    fs::create_dir_all(&empty).expect("mkdir");
    let run = verify(&env, &empty, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("has no .well-known/medreview/manifest.json"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("site-unverifiable"), "{}", run.stderr);
}

/// lighttpd serving `root` as static files on 127.0.0.1; killed when dropped.
struct StaticServer {
    child: Child,
    port: u16,
    _conf: tempfile::TempDir,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl StaticServer {
    fn start(root: &Path) -> Option<StaticServer> {
        if !available(Path::new(LIGHTTPD), "lighttpd") {
            return None;
        }
        let conf = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let log = conf.path().join("error.log");
        let text = format!(
            "server.document-root = \"{}\"\nserver.bind = \"127.0.0.1\"\nserver.port = {port}\nserver.errorlog = \"{}\"\nmimetype.assign = (\".html\" => \"text/html\", \".json\" => \"application/json\", \"\" => \"application/octet-stream\")\n",
            root.display(),
            log.display()
        );
        let file = conf.path().join("lighttpd.conf");
        fs::write(&file, text).expect("conf");
        let mut child = Command::new(LIGHTTPD)
            .arg("-D")
            .arg("-f")
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start lighttpd");
        wait_listening(&mut child, port, "lighttpd", Some(&log));
        Some(StaticServer {
            child,
            port,
            _conf: conf,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

#[test]
fn a_site_verifies_over_http_and_a_tampered_one_does_not() {
    let Some((env, site)) = published() else {
        return;
    };
    if Command::new("curl").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
            "curl is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
        );
        eprintln!("skipped: curl is not installed (apt-get install curl)");
        return;
    }
    let root = env.outside("htdocs");
    fs::create_dir_all(&root).expect("mkdir");
    let status = Command::new("cp")
        .arg("-R")
        .arg(&site)
        .arg(root.join("good"))
        .status()
        .expect("cp");
    assert!(status.success());
    let bad = tampered(&env, &site, "bad", |d| {
        edit(&d.join(format!("{SLUG}.html")), "tumour", "tumor")
    });
    fs::rename(&bad, root.join("bad")).expect("move");
    let Some(server) = StaticServer::start(&root) else {
        return;
    };
    let run = env.run(&["verify", &server.url("good/")]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("OK    {SLUG}.html")),
        "{}",
        run.stdout
    );
    let run = env.run(&["verify", &server.url("bad")]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("the article text differs from the approved revision r1"),
        "{}",
        run.stdout
    );
    let run = env.run(&["verify", &server.url("nothing-here")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("has no .well-known/medreview/manifest.json"),
        "{}",
        run.stderr
    );
    // The reader's view: the page links to how to verify it, and names what it shows.
    let Some(browser) = Browser::launch() else {
        return;
    };
    browser.goto(&server.url(&format!("good/{SLUG}.html")));
    let found = browser.eval(
        "[document.querySelector('meta[name=medreview-revision]')?.content?.length ?? 0, document.querySelector('.review-block a[rel=help]')?.textContent ?? '']",
    );
    assert_eq!(found[0], 40, "{found}");
    assert_eq!(found[1], "How to verify this page", "{found}");
    browser.click(".review-block a[rel=help]");
    browser.wait_for(
        "document.querySelector('h1')?.textContent === 'How to verify these pages'",
        "the how-to-verify page",
    );
}

/// A legitimate page verifies whatever its review block also says: a notice that
/// it is due for re-review before the byline, a list of corrections after it.
#[test]
fn a_page_verifies_with_a_due_notice_and_a_correction() {
    let Some((mut env, _)) = published() else {
        return;
    };
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(crate::common::ARTICLE, "\nThe usual dose is 6 mg/kg.\n");
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--change",
        "correction",
        "-m",
        "We corrected the dose.",
        "--key",
        key("suzanne_ed25519"),
    ]);
    env.set_now("2025-03-06T09:00:00-05:00");
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Right.",
        "--key",
        key("ana_ed25519"),
    ]);
    env.ok(&["config", "set", "review.overdue", "banner"]);
    env.set_now("2026-06-01T09:00:00-04:00");
    let site = env.outside("site-2");
    let out = site.to_str().expect("utf-8").to_owned();
    env.ok(&[
        "publish",
        "--out",
        &out,
        "--as",
        "eve-editor",
        "--key",
        key("eve_ed25519"),
    ]);
    let page = fs::read_to_string(site.join(format!("{SLUG}.html"))).expect("page");
    assert!(page.contains("due for medical re-review"), "{page}");
    assert!(page.contains("Corrected on"), "{page}");
    let run = verify(&env, &site, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}
