//! Issue 25: the review desk, end to end in a real browser. A doctor makes a
//! passkey from an admin's invitation (Chromium's virtual authenticator), signs
//! in, comments on a sentence she selects, resolves her thread and approves; a
//! colleague's fresh clone then verifies her signature with `check`, `publish`
//! names her, and plain `ssh-keygen -Y verify` accepts the same signature.

mod attacks;
mod load;

use std::path::Path;

use crate::common::browser::{Browser, Page, js_string};
use crate::common::desk::DeskTeam;
use crate::common::{SLUG, ssh_keygen};

/// Saves a screenshot of `page` as `name` in the test's folder, and in
/// `$MEDREVIEW_SCREENSHOTS` when set (to look at them).
fn shoot(page: &Page, team: &DeskTeam, name: &str) {
    let path = team.env.outside(name);
    page.screenshot(&path);
    let bytes = std::fs::read(&path).expect("read the screenshot");
    assert!(bytes.len() > 1000, "{name} is not a real screenshot");
    if let Some(dir) = std::env::var_os("MEDREVIEW_SCREENSHOTS") {
        std::fs::write(Path::new(&dir).join(name), bytes).expect("keep the screenshot");
    }
}

/// Clicks the submit button of the signing form `op` and waits for the page that
/// says what was recorded.
fn sign(page: &Page, op: &str) {
    page.click(&format!("form[data-sign=\"{op}\"] button[type=submit]"));
    page.wait_for(
        &format!(
            "location.pathname === '/done' || (document.querySelector('form[data-sign=\"{op}\"] .status') || {{}}).textContent.startsWith('Nothing')"
        ),
        &format!("the desk to record {op}"),
    );
    assert_eq!(
        page.eval("location.pathname"),
        "/done",
        "{op} was not recorded: {}",
        page.text(&format!("form[data-sign=\"{op}\"] .status"))
    );
}

#[test]
fn a_doctor_reviews_and_signs_in_the_browser_and_every_clone_verifies_it() {
    let Some(browser) = Browser::launch() else {
        return;
    };
    let team = DeskTeam::new();
    let server = team.serve();
    let authenticator = browser.add_virtual_authenticator();

    // 1. The admin's invitation; Ana makes her passkey.
    let link = team.invite("ana-example", &server);
    assert!(
        link.starts_with(&format!("{}/enroll/", server.origin)),
        "{link}"
    );
    browser.goto(&link);
    shoot(&browser, &team, "desk-enroll.png");
    browser.click("#enroll");
    browser.wait_for(
        "!document.getElementById('enrolled').hidden || document.getElementById('status').textContent.length > 0 && !document.getElementById('status').textContent.startsWith('Waiting')",
        "the passkey to be made",
    );
    let public_key = browser.text("#public-key");
    assert!(
        public_key.starts_with("sk-ecdsa-sha2-nistp256@openssh.com "),
        "{public_key}: {}",
        browser.text("#status")
    );
    assert!(browser.text("#steps").contains("An admin records it"));
    shoot(&browser, &team, "desk-enrolled.png");
    assert_eq!(browser.credentials(&authenticator).len(), 1);
    // The link works once.
    browser.goto(&link);
    assert!(browser.text("main").contains("not valid"));

    // 2. The admin records her key (a first key) and shares it.
    team.record_key("ana-example", &public_key);

    // 3. She signs in: her inbox lists the article with its rule.
    browser.goto(&format!("{}/signin", server.origin));
    browser.click("#signin");
    browser.wait_for("location.pathname === '/inbox'", "the inbox after sign-in");
    let inbox = browser.text("main");
    assert!(inbox.contains("Six Things to Know"), "{inbox}");
    assert!(inbox.contains("medical-accuracy"), "{inbox}");
    shoot(&browser, &team, "desk-inbox.png");

    // 4. The review page: the redline, the page as patients see it, lint, forms.
    browser.goto(&format!("{}/review/{SLUG}", server.origin));
    browser.wait_for(
        "document.getElementById('preview').contentDocument.readyState === 'complete' && document.getElementById('preview').contentDocument.body.innerText.length > 100",
        "the page as patients see it",
    );
    let shown = browser.text(".signing");
    assert!(shown.contains("r1"), "{shown}");
    shoot(&browser, &team, "desk-review.png");

    // 5. She selects words on the page and comments on them.
    let words = "trastuzumab";
    browser.eval(&format!(
        r#"(() => {{
            const doc = document.getElementById('preview').contentDocument;
            const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {{
                const at = node.textContent.indexOf({w});
                const block = node.parentElement.closest('p');
                if (at >= 0 && block && block.textContent.includes('Drugs such as')) {{
                    const range = doc.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + {w}.length);
                    doc.getSelection().removeAllRanges();
                    doc.getSelection().addRange(range);
                    doc.dispatchEvent(new MouseEvent('mouseup', {{bubbles: true}}));
                    return true;
                }}
            }}
            throw new Error('the words are not on the page');
        }})()"#,
        w = js_string(words)
    ));
    assert_eq!(
        browser.eval("document.getElementById('comment-quote').value"),
        words
    );
    assert_eq!(
        browser.eval("document.getElementById('comment-prefix').value"),
        "Drugs such as "
    );
    let suffix = browser.eval("document.getElementById('comment-suffix').value");
    assert!(
        suffix
            .as_str()
            .is_some_and(|s| s.starts_with(" attach to the HER2")),
        "{suffix}"
    );
    browser.fill(
        "form[data-sign=\"comment\"] textarea[name=note]",
        "Name the brand too (Herceptin).",
    );
    sign(&browser, "comment");
    assert!(
        !browser.text("main").contains("sync"),
        "{}",
        browser.text("body")
    );
    shoot(&browser, &team, "desk-commented.png");

    // 6. Her thread is open, so approval waits; she resolves it, then approves.
    browser.goto(&format!("{}/review/{SLUG}", server.origin));
    let threads = browser.text(".threads");
    let listed = team.env.run_in(&team.desk, &["comments", SLUG]);
    let checked = team.env.run_in(&team.desk, &["check"]);
    assert!(
        threads.contains("Name the brand too"),
        "{threads}\n{listed:?}\n{checked:?}"
    );
    sign(&browser, "resolve");
    browser.goto(&format!("{}/review/{SLUG}", server.origin));
    browser.fill("form[data-sign=\"approve\"] input[name=note]", "Accurate.");
    sign(&browser, "approve");
    let done = browser.text("main");
    assert!(done.contains("approved"), "{done}");
    shoot(&browser, &team, "desk-approved.png");

    // 7. A colleague's fresh clone verifies everything she signed.
    let clone = team.fresh_clone("colleague");
    let check = team.env.ok_in(&clone, &["check"]);
    assert!(!check.stderr.contains("signature"), "{}", check.stderr);
    let out = team.env.outside("site");
    let out_arg = out.to_str().expect("utf-8 path");
    team.env.ok_in(&clone, &["publish", "--out", out_arg]);
    let page = std::fs::read_to_string(out.join(format!("{SLUG}/index.html")))
        .or_else(|_| std::fs::read_to_string(out.join(format!("{SLUG}.html"))))
        .expect("the published page");
    assert!(page.contains("Ana Example"), "the byline names her");

    // 8. The spike: the same signature verifies with plain ssh-keygen.
    let Some(keygen) = ssh_keygen() else {
        return;
    };
    let approval = std::fs::read_dir(clone.join(format!("articles/{SLUG}/signoffs")))
        .expect("the sign-offs")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("-approved-"))
        .expect("the approval file");
    verify_with_ssh_keygen(&keygen, &team, &clone, &approval, &public_key);
}

/// Verifies the approval's signature with `ssh-keygen -Y verify`, over the canonical
/// text `medreview` itself signs.
fn verify_with_ssh_keygen(
    keygen: &Path,
    team: &DeskTeam,
    clone: &Path,
    approval: &Path,
    public_key: &str,
) {
    let bytes = std::fs::read(approval).expect("read the approval");
    let name = approval
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a file name");
    let (_, entry) =
        medreview_core::ledger::entry::read(name, &bytes, approval).expect("the approval parses");
    let slug = medreview_core::ids::Id::parse("slug", SLUG).expect("slug");
    let canonical = medreview_core::signing::canonical_text(&slug, &entry);
    let signature = entry.signature.clone().expect("the approval is signed");
    assert!(signature.contains("BEGIN SSH SIGNATURE"));
    let dir = team.env.outside("spike");
    std::fs::create_dir_all(&dir).expect("spike folder");
    std::fs::write(dir.join("text"), &canonical).expect("write text");
    std::fs::write(dir.join("sig"), &signature).expect("write sig");
    std::fs::write(
        dir.join("allowed"),
        format!("ana@example.org namespaces=\"medreview-signoff\" {public_key}\n"),
    )
    .expect("write allowed signers");
    let run = |text_file: &str| {
        std::process::Command::new(keygen)
            .current_dir(&dir)
            .args([
                "-Y",
                "verify",
                "-f",
                "allowed",
                "-I",
                "ana@example.org",
                "-n",
                "medreview-signoff",
                "-s",
                "sig",
            ])
            .stdin(std::fs::File::open(dir.join(text_file)).expect("open text"))
            .output()
            .expect("run ssh-keygen")
    };
    let good = run("text");
    assert!(
        good.status.success(),
        "ssh-keygen refused the desk's signature: {}",
        String::from_utf8_lossy(&good.stderr)
    );
    std::fs::write(dir.join("other"), canonical.replace("r1", "r2") + "x").expect("write");
    assert!(!run("other").status.success());
    let _ = clone;
}

/// Rosa, admin, becomes publisher and moves her own key to a passkey, signing the
/// change with her current key (her identity chain); shared with the remote.
fn publisher_with_passkey(team: &DeskTeam) -> crate::common::desk::SoftPasskey {
    let rosa = crate::common::desk::SoftPasskey::new(9, "localhost", "rosa-editor");
    let admin_key = crate::common::fixture("eve_ed25519");
    let admin_key = admin_key.to_str().expect("utf-8 path");
    team.env
        .ok(&["publisher", "add", "rosa-editor", "--key", admin_key]);
    team.env.ok(&[
        "writer",
        "edit",
        "rosa-editor",
        "--public-key",
        &rosa.public_key(),
        "--key",
        admin_key,
    ]);
    team.env.git(&["push", "-q", "origin", "main"]);
    rosa
}

/// Gives `page` the session `cookie` (`NAME=VALUE`) at the desk.
fn use_session(page: &Page, server: &crate::common::desk::Server, cookie: &str) {
    let (name, value) = cookie.split_once('=').expect("NAME=VALUE");
    page.call(
        "Network.setCookie",
        serde_json::json!({
            "name": name, "value": value, "url": server.origin,
            "secure": true, "httpOnly": true, "sameSite": "Strict", "path": "/",
        }),
    );
}

#[test]
fn the_writer_and_the_publisher_see_their_pages_in_a_browser() {
    use crate::common::desk::{SoftPasskey, sign_in, sign_op};
    let Some(browser) = Browser::launch() else {
        return;
    };
    let mut team = DeskTeam::new();
    let server = team.serve();
    let ana = SoftPasskey::new(7, "localhost", "ana-example");
    team.record_key("ana-example", &ana.public_key());
    let david = SoftPasskey::new(8, "localhost", "david-okafor");
    team.record_key("david-okafor", &david.public_key());
    let rosa = publisher_with_passkey(&team);
    // Suzanne moves her own key to a passkey, signing with her SSH key, the next
    // day (the key she signed her submission with is revoked from then on).
    team.env.set_now(crate::common::NEXT_DAY);
    let suzanne = team.writer_passkey(10);

    // Ana comments on words; David approves.
    let revision = team
        .env
        .git(&["rev-parse", &format!("HEAD:articles/{SLUG}/article.md")]);
    let (ana_session, ana_csrf) = sign_in(&server, &ana);
    let commented = sign_op(
        &server,
        &ana,
        (&ana_session, &ana_csrf),
        serde_json::json!({"op": "comment", "slug": SLUG, "revision": revision.trim(),
            "quote": "trastuzumab", "note": "Name the brand too.", "suggest": "trastuzumab (Herceptin)"}),
    );
    assert_eq!(commented.status, 200, "{}", commented.body);
    let done = crate::common::desk::http(
        server.port,
        "GET",
        "/done",
        &[("cookie", &ana_session)],
        None,
    );
    assert!(done.body.contains("<h1>Recorded</h1>"), "{}", done.body);
    let (david_session, david_csrf) = sign_in(&server, &david);
    let approved = sign_op(
        &server,
        &david,
        (&david_session, &david_csrf),
        serde_json::json!({"op": "approve", "slug": SLUG, "revision": revision.trim()}),
    );
    assert_eq!(approved.status, 200, "{}", approved.body);

    // The writer: her inbox and her article, with Ana's thread to answer.
    let (suzanne_session, _) = sign_in(&server, &suzanne);
    browser.goto(&format!("{}/signin", server.origin));
    shoot(&browser, &team, "desk-signin.png");
    use_session(&browser, &server, &suzanne_session);
    browser.goto(&format!("{}/inbox", server.origin));
    assert!(
        browser.text("main").contains("Six Things"),
        "{}",
        browser.text("main")
    );
    shoot(&browser, &team, "desk-writer-inbox.png");
    browser.goto(&format!("{}/article/{SLUG}", server.origin));
    let page = browser.text("main");
    assert!(page.contains("Name the brand too."), "{page}");
    assert!(page.contains("trastuzumab (Herceptin)"), "{page}");
    assert!(!page.contains("Sign and approve"), "{page}");
    shoot(&browser, &team, "desk-writer-article.png");

    // The publisher: the approval is new on her list and in her inbox.
    let (rosa_session, _) = sign_in(&server, &rosa);
    let other = browser.new_isolated_page();
    use_session(&other, &server, &rosa_session);
    other.goto(&format!("{}/publisher", server.origin));
    let list = other.text("main");
    assert!(list.contains("new"), "{list}");
    assert!(list.contains("David Okafor (medical-accuracy"), "{list}");
    shoot(&other, &team, "desk-publisher.png");
    other.goto(&format!("{}/inbox", server.origin));
    assert!(
        other.text("main").contains("nothing was published yet"),
        "{}",
        other.text("main")
    );
    shoot(&other, &team, "desk-publisher-inbox.png");
}

#[test]
fn the_publisher_sees_what_was_approved_since_the_last_publication() {
    use crate::common::desk::{SoftPasskey, http, sign_in, sign_op};
    let team = DeskTeam::new();
    let server = team.serve();
    let ana = SoftPasskey::new(7, "localhost", "ana-example");
    team.record_key("ana-example", &ana.public_key());
    let rosa = publisher_with_passkey(&team);

    // Before any approval: nothing to publish. A reviewer may not open the list.
    let (rosa_session, _) = sign_in(&server, &rosa);
    let list = http(
        server.port,
        "GET",
        "/publisher",
        &[("cookie", &rosa_session)],
        None,
    );
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains("No page is approved yet."),
        "{}",
        list.body
    );
    let (ana_session, ana_csrf) = sign_in(&server, &ana);
    let refused = http(
        server.port,
        "GET",
        "/publisher",
        &[("cookie", &ana_session)],
        None,
    );
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("ana-example is not a publisher"));

    // Ana approves r1 in the desk: it is new on Rosa's list.
    let revision = team
        .env
        .git(&["rev-parse", &format!("HEAD:articles/{SLUG}/article.md")]);
    let done = sign_op(
        &server,
        &ana,
        (&ana_session, &ana_csrf),
        serde_json::json!({"op": "approve", "slug": SLUG, "revision": revision.trim(), "note": "Accurate."}),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    let list = http(
        server.port,
        "GET",
        "/publisher",
        &[("cookie", &rosa_session)],
        None,
    );
    assert!(
        list.body.contains("Nothing was published yet."),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("<strong class=\"tag\">new</strong>"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("Ana Example (medical-accuracy"),
        "{}",
        list.body
    );

    // Rosa publishes on the desk's host, in its clone: the publication tag is
    // there, and the page is no longer new.
    let out = team.env.outside("site");
    team.env.ok_in(
        &team.desk,
        &[
            "publish",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--as",
            "rosa-editor",
        ],
    );
    let list = http(
        server.port,
        "GET",
        "/publisher",
        &[("cookie", &rosa_session)],
        None,
    );
    assert!(
        list.body.contains("The last publication was recorded on"),
        "{}",
        list.body
    );
    assert!(
        !list.body.contains("<strong class=\"tag\">new</strong>"),
        "{}",
        list.body
    );
}
