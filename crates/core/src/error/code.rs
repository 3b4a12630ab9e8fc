//! The code of every error medreview reports: its stable name, its kind (which sets
//! the exit code) and the hint printed when the place that failed has no more
//! specific one. One table, so a code, its kind and its default fix are read and
//! changed together; `docs/errors.md` explains each code to readers (a test keeps
//! the two in step).

/// What kind of failure an error is; it sets the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// medreview refused: the record, the roster or the files say no. Exit 1.
    Refused,
    /// The command line was wrong (clap's own usage errors also exit 2). Exit 2.
    Usage,
    /// The machine: a program missing (git, ssh-keygen), a file that cannot be read
    /// or written, permissions, the disk, the network. Exit 3.
    Environment,
    /// A bug in medreview. Exit 4.
    Internal,
}

impl Kind {
    /// Every kind, in exit-code order.
    pub const ALL: &'static [Kind] = &[
        Kind::Refused,
        Kind::Usage,
        Kind::Environment,
        Kind::Internal,
    ];

    /// The process exit code for an error of this kind.
    pub const fn exit_code(self) -> u8 {
        match self {
            Kind::Refused => 1,
            Kind::Usage => 2,
            Kind::Environment => 3,
            Kind::Internal => 4,
        }
    }

    /// The kind's name, as `docs/errors.md` groups the codes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Refused => "refused",
            Kind::Usage => "usage",
            Kind::Environment => "environment",
            Kind::Internal => "internal",
        }
    }
}

/// Declares [`Code`] from one table: variant, name, kind and default hint per row.
macro_rules! codes {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $name:literal, $kind:ident, $hint:expr;
    )+) => {
        /// The code of an error: one per kind of refusal or failure, with a stable
        /// kebab-case name that `--json` reports and `docs/errors.md` explains.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Code {
            /// Every code, in the order of the table.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable kebab-case name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)+
                }
            }

            /// Refused, usage, environment or internal: sets the exit code.
            pub const fn kind(self) -> Kind {
                match self {
                    $(Code::$variant => Kind::$kind,)+
                }
            }

            /// How to fix it, when the place that failed does not say more precisely.
            pub const fn hint(self) -> Option<&'static str> {
                match self {
                    $(Code::$variant => $hint,)+
                }
            }
        }
    };
}

codes! {
    // The workspace and the git repository.

    /// No `medreview.yaml` in the folder or any folder above it.
    NotAWorkspace = "not-a-workspace", Refused,
        Some("run `medreview init` to create a workspace, or use -C DIR to point at one");
    /// What the command would create is there already: a workspace, an article, a
    /// person, a hook, a publication tag.
    AlreadyExists = "already-exists", Refused,
        Some("nothing was changed: edit the one that exists, or pick another name");
    /// The folder is not inside a git repository's working tree.
    NotAGitRepository = "not-a-git-repository", Refused,
        Some("run `git init` in the workspace folder (or clone the team's repository), then try again");
    /// The repository is a server's bare copy, with no working tree.
    BareRepository = "bare-repository", Refused,
        Some("a bare repository is a server's copy; clone it to work in it (`git clone PATH work`)");
    /// The server's repository was expected, and this one has a working tree.
    NotABareRepository = "not-a-bare-repository", Refused,
        Some("point at the server's bare repository (the folder `git init --bare` made, often NAME.git)");
    /// The branch has no commit yet.
    NoCommitYet = "no-commit-yet", Refused,
        Some("commit the workspace first (`git add -A && git commit -m \"Start the workspace\"`); `medreview init` does this for a new one");
    /// HEAD is not on a branch.
    DetachedHead = "detached-head", Refused,
        Some("check out a branch (`git switch main`) and try again");
    /// Unresolved merge conflict markers in a file, or conflicts in git's index.
    MergeConflict = "merge-conflict", Refused,
        Some("resolve the conflicts and commit (`git status` lists them)");
    /// Another git or medreview command holds the repository's lock.
    RepositoryLocked = "repository-locked", Refused,
        Some("another git or medreview command is running; wait for it, then try again");
    /// The branch moved while medreview was committing.
    BranchMoved = "branch-moved", Refused,
        Some("another commit landed at the same moment; run the command again");
    /// A revision the record names is not in this clone's git objects.
    MissingRevisionObject = "missing-revision-object", Refused,
        Some("fetch the commits that recorded it (`git fetch`); `medreview check` lists every such entry");
    /// Files the command reads from the last commit have changes that are not committed.
    UncommittedChanges = "uncommitted-changes", Refused,
        Some("commit or restore the changes first (`git status` lists them)");

    // Files and settings.

    /// A setting in `medreview.yaml`, git config or `MEDREVIEW_NOW` has a value that cannot be used.
    InvalidSetting = "invalid-setting", Refused,
        Some("correct the setting the message names, then run the command again");
    /// A file is not UTF-8 text.
    NotUtf8 = "not-utf8", Refused,
        Some("save the file as UTF-8");
    /// A symbolic link, or a file where a folder belongs (or the reverse).
    WrongFileType = "wrong-file-type", Refused,
        Some("replace it with the real folder or file; medreview never follows links out of the workspace");
    /// A YAML file (front matter, a roster file, `medreview.yaml`) does not parse.
    InvalidYaml = "invalid-yaml", Refused,
        Some("fix the YAML at that line and run the command again");
    /// A slug or id breaks the naming rules.
    InvalidId = "invalid-id", Refused,
        Some("use lowercase ASCII letters and digits in words joined by single hyphens, at most 80 characters, e.g. `her2-treatment`");

    // Articles.

    /// No article by that slug.
    UnknownArticle = "unknown-article", Refused,
        Some("`medreview status` lists the articles");
    /// The article's `article.md` is missing, so there is no text to work on.
    MissingArticleFile = "missing-article-file", Refused,
        Some("restore it with `git checkout -- <path>` or write it again");
    /// The article file is larger than the limit.
    ArticleTooLarge = "article-too-large", Refused,
        Some("split it into several articles or remove what does not belong (embedded data, pasted documents)");
    /// The front matter is missing, unclosed, or has an empty title or a bad source address.
    InvalidFrontMatter = "invalid-front-matter", Refused,
        Some("fix the front matter (the fields between the two `---` lines at the top) as the message says");
    /// The article has front matter and no text.
    EmptyArticle = "empty-article", Refused,
        Some("write the article below the front matter, then submit it");
    /// Submitting a text that is already the latest submitted revision.
    UnchangedText = "unchanged-text", Refused,
        Some("edit the article, then submit it again");
    /// The editorial check found errors in the text being signed off.
    EditorialErrors = "editorial-errors", Refused,
        Some("fix what the editorial check found (`medreview lint SLUG` lists it), then try again");
    /// A page template fails or runs away.
    TemplateError = "template-error", Refused,
        Some("fix the template at that line; templates/README.md lists the variables");
    /// A page template prints its own review claim (a "reviewed by" line, script,
    /// CSS-generated text): only medreview's review block may say who reviewed a page.
    TemplateReviewLine = "template-review-line", Refused,
        Some("remove the template's own review text; only `{{ review_block }}` says who reviewed a page");
    /// A page template does not place medreview's review block exactly once, as text.
    TemplateWithoutReviewBlock = "template-without-review-block", Refused,
        Some("put `{{ review_block }}` once, as it is, where the byline goes");

    // People.

    /// Nobody on the roster has that id.
    UnknownPerson = "unknown-person", Refused,
        Some("`medreview writer list` and `medreview reviewer list` show the ids");
    /// No writer by that id.
    UnknownWriter = "unknown-writer", Refused,
        Some("fix the id, or add them with `medreview writer add ID --name NAME`");
    /// No medical reviewer by that id.
    UnknownReviewer = "unknown-reviewer", Refused,
        Some("fix the id, or add them with `medreview reviewer add ID --name NAME --credentials CRED`");
    /// A setting `config get` was asked for is not in `medreview.yaml`.
    NotSet = "not-set", Refused,
        Some("its default applies; `medreview config set KEY VALUE` sets it");
    /// Removing the last admin would leave no one to change the roster or the settings.
    LastAdmin = "last-admin", Refused,
        Some("make someone else an admin first (`medreview admin add ID`)");
    /// medreview cannot tell who is acting: no `--as`, and git's user.email is unset or on no roster file.
    UnknownIdentity = "unknown-identity", Refused,
        Some("pass --as ID, or set `git config user.email` to the email in your roster file");
    /// Acting for someone else where the rules do not allow it.
    ProxyNotAllowed = "proxy-not-allowed", Refused,
        Some("run the command as yourself (git's user.email must be the email in your roster file)");
    /// A writer tried a reviewer's decision.
    WriterCannotSignOff = "writer-cannot-sign-off", Refused,
        Some("ask a medical reviewer in reviewers/ to do it");
    /// The writer of a revision tried to review it.
    CannotReviewOwnRevision = "cannot-review-own-revision", Refused,
        Some("ask another medical reviewer to review it");
    /// The reviewer's license has expired.
    LicenseExpired = "license-expired", Refused,
        Some("update license.expires in the reviewer's file once the license is renewed");
    /// A name or email in a roster file cannot be used.
    InvalidPersonField = "invalid-person-field", Refused,
        Some("correct it with `medreview writer edit` or `medreview reviewer edit`");
    /// The change is made already (an admin added twice, a reviewer retired twice).
    NothingToDo = "nothing-to-do", Refused,
        Some("nothing to do");
    /// Two people on the roster would share a key or a byline.
    SharedIdentity = "shared-identity", Refused,
        Some("give each person their own key and a byline that tells them apart, or edit the existing entry");
    /// Someone not in `publishers:` tried to record a publication.
    NotAPublisher = "not-a-publisher", Refused,
        Some("an admin adds them with `medreview publisher add ID`, or publish without --as");
    /// `verify` cannot read a published site's `/.well-known/medreview/` (missing, malformed, unreachable).
    SiteUnverifiable = "site-unverifiable", Refused,
        Some("name the folder `publish --out` wrote or the site's address; a site published before verification existed is published again to add it");

    // Revisions and sign-offs.

    /// No revision by that name.
    UnknownRevision = "unknown-revision", Refused,
        Some("`medreview log SLUG` lists the revisions");
    /// A short revision id that starts more than one revision.
    AmbiguousRevision = "ambiguous-revision", Refused,
        Some("give more digits of the revision id");
    /// A decision on a revision that is not the latest submitted one.
    RevisionNotLatest = "revision-not-latest", Refused,
        Some("read the latest revision (`medreview diff SLUG`) and sign off on that one");
    /// Nothing was submitted yet.
    NoSubmittedRevision = "no-submitted-revision", Refused,
        Some("the writer submits it first: `medreview submit SLUG --as WRITER`");
    /// No approved revision to withdraw or re-review.
    NoApprovedRevision = "no-approved-revision", Refused,
        Some("`medreview status SLUG` says what the article needs");
    /// A re-review while a newer revision waits for review.
    NewerRevisionInReview = "newer-revision-in-review", Refused,
        Some("review the newer revision instead (`medreview diff SLUG`), then approve or request changes");
    /// The reviewer has approved this revision already.
    AlreadyApproved = "already-approved", Refused,
        Some("nothing to do: the approval is recorded");
    /// The sign-off or roster change would be recorded but not count.
    WouldNotCount = "would-not-count", Refused,
        Some("`medreview status SLUG` and `medreview log SLUG` show the record as it stands");
    /// The policy requires signed approvals, and no key was given.
    SignatureRequired = "signature-required", Refused,
        Some("pass --key ~/.ssh/id_ed25519 (or set `git config medreview.signingKey PATH`, or git's user.signingKey with gpg.format=ssh)");
    /// A sign-off file or the roster's record was edited, removed or added by hand.
    DamagedRecord = "damaged-record", Refused,
        Some("sign-off files are written only by medreview and never change; restore the file from git (`git checkout -- FILE`) or remove what was added by hand; `medreview check` lists every problem");
    /// The record is in the old format (one `signoffs.yaml`).
    NeedsMigration = "needs-migration", Refused,
        Some("run `medreview migrate` once, commit nothing else with it, and push it to your team");
    /// The git history removed or changed sign-offs, so publishing would not be safe.
    DamagedHistory = "damaged-history", Refused,
        Some("`medreview check` explains each problem; restore what was removed or edited, or have an admin record the roster change");

    // The review conversation.

    /// A comment's quoted words are not in the revision.
    QuoteNotFound = "quote-not-found", Refused,
        Some("copy the words exactly from `medreview preview SLUG` or the article; the message lists the closest lines");
    /// A comment's quoted words stand in more than one place.
    QuoteAmbiguous = "quote-ambiguous", Refused,
        Some("quote more words, or add --prefix with the words just before the place you mean");
    /// No thread by that id.
    UnknownThread = "unknown-thread", Refused,
        Some("`medreview comments SLUG` lists the threads and their ids");
    /// An approval while the approver's own comment threads are open.
    OpenThreads = "open-threads", Refused,
        Some("resolve each of your threads (`medreview resolve SLUG ID`) once the text answers it, then approve");

    // Signing keys.

    /// The signing key file named cannot be read.
    UnreadableSigningKey = "unreadable-signing-key", Refused,
        Some("name an OpenSSH key file that exists (a private key, or a .pub file whose key is in ssh-agent), or a key::ssh-ed25519 AAAA... literal");
    /// A public key that is not an OpenSSH public key.
    InvalidPublicKey = "invalid-public-key", Refused,
        Some("paste the single line of the .pub file (ssh-ed25519 AAAA... comment)");
    /// The signer has no public key on file, so a signature could not be verified.
    NoPublicKey = "no-public-key", Refused,
        Some("add the signer's public key to their roster file (`--public-key` of `medreview reviewer edit`)");
    /// The key is not the one on the signer's roster file.
    WrongSigningKey = "wrong-signing-key", Refused,
        Some("sign with the key whose public half is in your roster file, or have an admin record your new key");

    // Sharing with the team.

    /// The git remote to sync with is not configured.
    NoRemote = "no-remote", Refused,
        Some("add the team's repository with `git remote add origin URL`, or name another with `git config medreview.remote NAME`");
    /// The server refused the push.
    PushRejected = "push-rejected", Refused,
        Some("the server checks every sign-off it receives; fix what it names (`medreview check` shows the record's problems), then sync again");
    /// Others kept pushing while sync tried to push.
    RemoteKeptMoving = "remote-kept-moving", Refused,
        Some("run `medreview sync` again in a moment; everything is recorded here");
    /// The remote's branch was rewritten and lost sign-offs this clone had seen.
    RemoteRewritten = "remote-rewritten", Refused,
        Some("ask whoever runs the server what happened; install the server gate (`medreview hook install --server`) so it cannot happen again");
    /// The record on the remote does not verify.
    RemoteDoesNotVerify = "remote-does-not-verify", Refused,
        Some("tell whoever administers the record; nothing was changed in this clone");
    /// A local commit changes a file the remote changed too; sync never merges text.
    CannotReplay = "cannot-replay", Refused,
        Some("integrate it with git (`git pull --rebase`, resolve, commit), then run `medreview sync` again");
    /// This clone and the remote share no history.
    UnrelatedHistories = "unrelated-histories", Refused,
        Some("clone the team's repository afresh and carry your work over");
    /// This clone and the remote have diverged.
    Diverged = "diverged", Refused,
        Some("run `medreview sync` first, then the command again");
    /// This clone is behind the remote, which may hold a withdrawal.
    BehindRemote = "behind-remote", Refused,
        Some("run `medreview sync` first, or publish what this clone holds with --offline");

    // Publishing.

    /// `--out` names a folder publishing must not replace.
    UnsafeOutputFolder = "unsafe-output-folder", Refused,
        Some("publish into a folder of its own, e.g. --out public");
    /// `--out` holds files medreview did not write.
    ForeignFilesInOutput = "foreign-files-in-output", Refused,
        Some("publish into an empty or new folder; medreview replaces its output folder whole");

    // Usage.

    /// A value on the command line cannot be used (an empty `-m`, a malformed date).
    InvalidArgument = "invalid-argument", Usage,
        Some("`medreview COMMAND --help` says what each option takes");
    /// `approve` without `--revision` asks which revision was read, and there is no terminal to ask on.
    ConfirmNeedsTerminal = "confirm-needs-terminal", Usage,
        Some("name the revision you read: `medreview approve SLUG --revision rN`");

    // The machine.

    /// A file or folder cannot be read or written (permissions, a full disk, a missing folder).
    IoError = "io-error", Environment,
        Some("check that the file or folder exists, that you may read and write it, and that the disk is not full");
    /// git could not read or write the repository.
    GitError = "git-error", Environment,
        Some("`git status` shows whether git can read the repository; `git fsck` checks it");
    /// The `git` program failed (fetch, push): the network, the server or access to it.
    GitCommandFailed = "git-command-failed", Environment,
        Some("check the network and `git remote -v`; nothing is lost here, and the command can run again");
    /// A program medreview runs (git, ssh-keygen) is not installed or cannot start.
    MissingProgram = "missing-program", Environment,
        Some("install git and OpenSSH (Debian/Ubuntu: apt-get install git openssh-client)");
    /// The key lives in ssh-agent, and no agent can be reached.
    NoSshAgent = "no-ssh-agent", Environment,
        Some("start ssh-agent and add the key (`eval \"$(ssh-agent)\"` then `ssh-add ~/.ssh/id_ed25519`)");
    /// The signing program (ssh-keygen) could not sign, or wrote a bad signature.
    SigningFailed = "signing-failed", Environment,
        Some("git config gpg.ssh.program must name ssh-keygen or a program that works like it");

    // Bugs.

    /// medreview failed where it never should: a bug.
    InternalError = "internal-error", Internal,
        Some("this is a bug in medreview; please report it with the command you ran");
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                !name.is_empty()
                    && !name.starts_with('-')
                    && !name.ends_with('-')
                    && !name.contains("--")
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name} is not kebab-case"
            );
        }
    }

    #[test]
    fn every_code_has_a_hint() {
        for code in Code::ALL {
            assert!(code.hint().is_some(), "{code}");
        }
    }

    #[test]
    fn the_id_hint_states_the_real_length_limit() {
        let limit = format!("at most {} characters", crate::ids::MAX_LEN);
        assert!(
            Code::InvalidId.hint().is_some_and(|h| h.contains(&limit)),
            "{:?}",
            Code::InvalidId.hint()
        );
    }

    /// Every code is explained in `docs/errors.md`, under the heading of its kind
    /// (which names the exit code), so a code added here without its explanation,
    /// or moved to another kind, fails this test.
    #[test]
    fn docs_errors_md_explains_every_code_under_its_kind() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
        let doc = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let section = |kind: Kind| {
            let heading = format!("(exit code {})", kind.exit_code());
            doc.split("\n## ")
                .find(|s| s.lines().next().is_some_and(|h| h.contains(&heading)))
                .unwrap_or_else(|| panic!("docs/errors.md has no heading with {heading:?}"))
        };
        let missing: Vec<&str> = Code::ALL
            .iter()
            .filter(|c| !section(c.kind()).contains(&format!("`{}`", c.as_str())))
            .map(|c| c.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "docs/errors.md does not explain {missing:?} under the heading of its kind"
        );
        for kind in Kind::ALL {
            let row = format!("| {} | {} |", kind.exit_code(), kind.as_str());
            assert!(
                doc.contains(&row),
                "docs/errors.md has no exit-code row {row:?}"
            );
        }
    }
}
