//! The rows about the workspace and its repository, its files and settings,
//! articles, people, and revisions and sign-offs.

use super::{Code, Row, Start, arg, cmd, commit_all, edit_signoff, first_signoff};
use crate::common::{ARTICLE, HER2_ARTICLE, NEXT_DAY, SLUG, public_key};

/// The rows, in the order of `docs/errors.md`.
pub(super) fn rows() -> Vec<Row> {
    vec![
        // The workspace and the git repository.
        Row {
            code: Code::NotAWorkspace,
            start: Start::Bare,
            setup: |_| cmd(&["status"]),
        },
        Row {
            code: Code::AlreadyExists,
            start: Start::New,
            setup: |_| cmd(&["init", "--publication", "Other"]),
        },
        Row {
            code: Code::NotAGitRepository,
            start: Start::Bare,
            setup: |env| {
                let plain = env.outside("plain");
                std::fs::create_dir_all(&plain).expect("create a folder");
                std::fs::write(plain.join("medreview.yaml"), "publication: Plain\n")
                    .expect("write");
                cmd(&["-C", arg(&plain), "status"])
            },
        },
        Row {
            code: Code::BareRepository,
            start: Start::New,
            setup: |env| {
                env.git_in(&env.outside(""), &["init", "-q", "--bare", "server.git"]);
                cmd(&["-C", "../server.git", "status"])
            },
        },
        Row {
            code: Code::NotABareRepository,
            start: Start::New,
            setup: |_| cmd(&["hook", "install", "--server", "."]),
        },
        Row {
            code: Code::NoCommitYet,
            start: Start::New,
            setup: |env| {
                env.git(&["update-ref", "-d", "refs/heads/main"]);
                cmd(&["status"])
            },
        },
        Row {
            code: Code::DetachedHead,
            start: Start::Seeded,
            setup: |env| {
                env.git(&["checkout", "-q", "--detach"]);
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::MergeConflict,
            start: Start::Seeded,
            setup: |env| {
                env.append(
                    ARTICLE,
                    "<<<<<<< HEAD\nOurs.\n=======\nTheirs.\n>>>>>>> other\n",
                );
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::RepositoryLocked,
            start: Start::Seeded,
            setup: |env| {
                env.write(".git/index.lock", "");
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::MissingRevisionObject,
            start: Start::Submitted,
            setup: |env| {
                let blob = env.hash_object(ARTICLE);
                let object = env
                    .root()
                    .join(format!(".git/objects/{}/{}", &blob[..2], &blob[2..]));
                std::fs::remove_file(object).expect("remove the revision's object");
                cmd(&["diff", SLUG, "r1"])
            },
        },
        Row {
            code: Code::UncommittedChanges,
            start: Start::Seeded,
            setup: |env| {
                env.git(&["config", "user.email", "suzanne@example.org"]);
                env.append("writers/suzanne-example.yaml", "# edited\n");
                cmd(&["admin", "add", "suzanne-example"])
            },
        },
        // Files and settings.
        Row {
            code: Code::InvalidSetting,
            start: Start::Submitted,
            setup: |env| {
                env.set_now("not a time");
                cmd(&["approve", SLUG, "--as", "ana-example"])
            },
        },
        Row {
            code: Code::NotUtf8,
            start: Start::Seeded,
            setup: |env| {
                let mut bytes = HER2_ARTICLE.as_bytes().to_vec();
                bytes.extend_from_slice(b"Caf\xe9 au lait.\n");
                env.write_bytes(ARTICLE, &bytes);
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::WrongFileType,
            start: Start::Seeded,
            setup: |env| {
                let elsewhere = env.outside("article.md");
                std::fs::write(&elsewhere, HER2_ARTICLE).expect("write");
                let link = env.root().join(ARTICLE);
                std::fs::remove_file(&link).expect("remove the article");
                std::os::unix::fs::symlink(&elsewhere, &link).expect("link");
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::InvalidYaml,
            start: Start::Seeded,
            setup: |env| {
                env.write(
                    ARTICLE,
                    &HER2_ARTICLE.replace("title: Six Things", "title: HER2: Six Things"),
                );
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::InvalidId,
            start: Start::Seeded,
            setup: |_| cmd(&["submit", "HER2", "--as", "suzanne-example"]),
        },
        // Articles.
        Row {
            code: Code::UnknownArticle,
            start: Start::Seeded,
            setup: |_| cmd(&["log", "her2"]),
        },
        Row {
            code: Code::MissingArticleFile,
            start: Start::Seeded,
            setup: |env| {
                std::fs::remove_file(env.root().join(ARTICLE)).expect("remove the article");
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::ArticleTooLarge,
            start: Start::Seeded,
            setup: |env| {
                let padding = "Words. ".repeat(160_000);
                env.write(ARTICLE, &format!("{HER2_ARTICLE}\n{padding}\n"));
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::InvalidFrontMatter,
            start: Start::Seeded,
            setup: |env| {
                env.write(
                    ARTICLE,
                    "HER2-positive breast cancer, without front matter.\n",
                );
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::EmptyArticle,
            start: Start::Seeded,
            setup: |env| {
                let front = HER2_ARTICLE.split("---\n").nth(1).expect("front matter");
                env.write(ARTICLE, &format!("---\n{front}---\n"));
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::UnchangedText,
            start: Start::Submitted,
            setup: |_| cmd(&["submit", SLUG, "--as", "suzanne-example"]),
        },
        Row {
            code: Code::EditorialErrors,
            start: Start::Seeded,
            setup: |env| {
                env.append(ARTICLE, "\nYou will need:\n\n## 3. Next\n\nText.\n");
                cmd(&["submit", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::TemplateError,
            start: Start::Approved,
            setup: |env| {
                env.write(
                    "templates/article.html",
                    "{{ article.title | nosuchfilter }}\n",
                );
                commit_all(env, "A broken template");
                cmd(&["publish", "--out", "../site"])
            },
        },
        Row {
            code: Code::TemplateReviewLine,
            start: Start::Approved,
            setup: |env| {
                let text = env.read("templates/article.html").replace(
                    "{{ review_block }}\n",
                    "{{ review_block }}\n<p>Medically reviewed by Dr Nobody</p>\n",
                );
                env.write("templates/article.html", &text);
                commit_all(env, "A review line of the template's own");
                cmd(&["publish", "--out", "../site"])
            },
        },
        Row {
            code: Code::TemplateWithoutReviewBlock,
            start: Start::Approved,
            setup: |env| {
                let text = env
                    .read("templates/article.html")
                    .replace("{{ review_block }}\n", "");
                env.write("templates/article.html", &text);
                commit_all(env, "No review block");
                cmd(&["preview", SLUG])
            },
        },
        // People.
        Row {
            code: Code::UnknownPerson,
            start: Start::Seeded,
            setup: |_| cmd(&["submit", SLUG, "--as", "nobody-here"]),
        },
        Row {
            code: Code::UnknownWriter,
            start: Start::Seeded,
            setup: |_| {
                cmd(&[
                    "new",
                    "statins",
                    "--title",
                    "Statins",
                    "--writer",
                    "suzane-example",
                ])
            },
        },
        Row {
            code: Code::UnknownReviewer,
            start: Start::Submitted,
            setup: |_| cmd(&["approve", SLUG, "--as", "zoe-smith"]),
        },
        Row {
            code: Code::UnknownIdentity,
            start: Start::Submitted,
            setup: |_| cmd(&["approve", SLUG]),
        },
        Row {
            code: Code::ProxyNotAllowed,
            start: Start::Submitted,
            setup: |env| {
                env.ok(&[
                    "writer",
                    "add",
                    "rosa-editor",
                    "--name",
                    "Rosa Editor",
                    "--email",
                    "runner@example.org",
                ]);
                env.ok(&["admin", "add", "rosa-editor"]);
                cmd(&["approve", SLUG, "--as", "ana-example"])
            },
        },
        Row {
            code: Code::WriterCannotSignOff,
            start: Start::Submitted,
            setup: |_| cmd(&["approve", SLUG, "--as", "suzanne-example"]),
        },
        Row {
            code: Code::CannotReviewOwnRevision,
            start: Start::Seeded,
            setup: |env| {
                env.ok(&[
                    "reviewer",
                    "add",
                    "suzanne-example",
                    "--name",
                    "Suzanne Example",
                    "--credentials",
                    "R.N.",
                ]);
                env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
                env.set_now(NEXT_DAY);
                cmd(&["approve", SLUG, "--as", "suzanne-example"])
            },
        },
        Row {
            code: Code::LicenseExpired,
            start: Start::Submitted,
            setup: |env| {
                env.set_now("2027-07-01T09:00:00-04:00");
                cmd(&["approve", SLUG, "--as", "ana-example"])
            },
        },
        Row {
            code: Code::InvalidPersonField,
            start: Start::Seeded,
            setup: |env| {
                env.write("writers/sam-lee.yaml", "name: Sam <Lee>\n");
                commit_all(env, "A writer added by hand");
                cmd(&["status"])
            },
        },
        Row {
            code: Code::NothingToDo,
            start: Start::Seeded,
            setup: |env| {
                env.ok(&[
                    "writer",
                    "add",
                    "rosa-editor",
                    "--name",
                    "Rosa Editor",
                    "--email",
                    "runner@example.org",
                ]);
                env.ok(&["admin", "add", "rosa-editor"]);
                cmd(&["admin", "add", "rosa-editor"])
            },
        },
        Row {
            code: Code::LastAdmin,
            start: Start::Seeded,
            setup: |env| {
                env.ok(&[
                    "writer",
                    "add",
                    "rosa-editor",
                    "--name",
                    "Rosa Editor",
                    "--email",
                    "runner@example.org",
                ]);
                env.ok(&["admin", "add", "rosa-editor"]);
                cmd(&["admin", "remove", "rosa-editor"])
            },
        },
        Row {
            code: Code::NotSet,
            start: Start::New,
            setup: |_| cmd(&["config", "get", "base_url"]),
        },
        Row {
            code: Code::SharedIdentity,
            start: Start::Seeded,
            setup: |env| {
                let key = public_key("ana_ed25519");
                env.ok(&["reviewer", "edit", "ana-example", "--public-key", &key]);
                cmd(&[
                    "writer",
                    "add",
                    "sam-lee",
                    "--name",
                    "Sam Lee",
                    "--public-key",
                    &key,
                ])
            },
        },
        Row {
            code: Code::NotAPublisher,
            start: Start::Approved,
            setup: |_| cmd(&["publish", "--out", "../site", "--as", "ana-example"]),
        },
        Row {
            code: Code::SiteUnverifiable,
            start: Start::New,
            setup: |_| cmd(&["verify", "../no-such-site"]),
        },
        // Revisions and sign-offs.
        Row {
            code: Code::UnknownRevision,
            start: Start::Submitted,
            setup: |_| cmd(&["approve", SLUG, "--as", "ana-example", "--revision", "r3"]),
        },
        Row {
            code: Code::AmbiguousRevision,
            start: Start::Seeded,
            setup: |env| {
                // Two texts whose revision ids both start with e254 (found by trying).
                let mut ids = Vec::new();
                for n in [134, 305] {
                    env.write(ARTICLE, &format!("{HER2_ARTICLE}\nNote {n}.\n"));
                    ids.push(env.hash_object(ARTICLE));
                    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
                }
                assert!(ids.iter().all(|id| id.starts_with("e254")), "{ids:?}");
                env.set_now(NEXT_DAY);
                cmd(&["approve", SLUG, "--as", "ana-example", "--revision", "e254"])
            },
        },
        Row {
            code: Code::RevisionNotLatest,
            start: Start::Submitted,
            setup: |env| {
                env.append(ARTICLE, "\nAn update.\n");
                env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
                cmd(&["approve", SLUG, "--as", "ana-example", "--revision", "r1"])
            },
        },
        Row {
            code: Code::NoSubmittedRevision,
            start: Start::Seeded,
            setup: |_| cmd(&["approve", SLUG, "--as", "ana-example"]),
        },
        Row {
            code: Code::NoApprovedRevision,
            start: Start::Submitted,
            setup: |_| cmd(&["withdraw", SLUG, "--as", "ana-example", "-m", "Stop."]),
        },
        Row {
            code: Code::NewerRevisionInReview,
            start: Start::Approved,
            setup: |env| {
                env.append(ARTICLE, "\nAn update.\n");
                env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
                cmd(&["recertify", SLUG, "--as", "ana-example"])
            },
        },
        Row {
            code: Code::AlreadyApproved,
            start: Start::Approved,
            setup: |_| cmd(&["approve", SLUG, "--as", "ana-example"]),
        },
        Row {
            code: Code::WouldNotCount,
            start: Start::Seeded,
            setup: |env| {
                env.ok(&[
                    "writer",
                    "add",
                    "rosa-editor",
                    "--name",
                    "Rosa Editor",
                    "--email",
                    "runner@example.org",
                ]);
                env.ok(&["admin", "add", "rosa-editor"]);
                env.git(&["config", "user.email", "suzanne@example.org"]);
                cmd(&["writer", "add", "sam-lee", "--name", "Sam Lee"])
            },
        },
        Row {
            code: Code::SignatureRequired,
            start: Start::Submitted,
            setup: |env| {
                let config = env
                    .read("medreview.yaml")
                    .replace("require_signatures: false", "require_signatures: true");
                env.write("medreview.yaml", &config);
                commit_all(env, "Require signed approvals");
                cmd(&["approve", SLUG, "--as", "ana-example"])
            },
        },
        Row {
            code: Code::DamagedRecord,
            start: Start::Submitted,
            setup: |env| {
                edit_signoff(env.root(), &first_signoff(env));
                cmd(&["approve", SLUG, "--as", "ana-example"])
            },
        },
        Row {
            code: Code::NeedsMigration,
            start: Start::Seeded,
            setup: |env| {
                env.write(
                    "articles/her2-treatment/signoffs.yaml",
                    "format: 1\nentries: []\n",
                );
                cmd(&["log", SLUG])
            },
        },
        Row {
            code: Code::DamagedHistory,
            start: Start::Approved,
            setup: |env| {
                let approval = env.signoff_path(SLUG, "approved");
                env.git(&["rm", "-q", &approval]);
                env.git(&["commit", "-q", "-m", "An approval removed by hand"]);
                cmd(&["publish", "--out", "../site"])
            },
        },
        // The review conversation.
        Row {
            code: Code::QuoteNotFound,
            start: Start::Submitted,
            setup: |_| {
                cmd(&[
                    "comment",
                    SLUG,
                    "--as",
                    "ana-example",
                    "--quote",
                    "Drugs such as pertuzumab",
                    "-m",
                    "Which?",
                ])
            },
        },
        Row {
            code: Code::QuoteAmbiguous,
            start: Start::Submitted,
            setup: |_| {
                cmd(&[
                    "comment",
                    SLUG,
                    "--as",
                    "ana-example",
                    "--quote",
                    "HER2",
                    "-m",
                    "?",
                ])
            },
        },
        Row {
            code: Code::UnknownThread,
            start: Start::Submitted,
            setup: |_| cmd(&["resolve", SLUG, "0123abcd", "--as", "ana-example"]),
        },
        Row {
            code: Code::OpenThreads,
            start: Start::Submitted,
            setup: |env| {
                env.ok(&[
                    "comment",
                    SLUG,
                    "--as",
                    "ana-example",
                    "--quote",
                    "Drugs such as",
                    "-m",
                    "Which drugs?",
                ]);
                cmd(&["approve", SLUG, "--as", "ana-example"])
            },
        },
    ]
}
