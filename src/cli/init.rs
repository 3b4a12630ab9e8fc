//! `medreview init`: lay out a workspace and commit it.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Ctx, say};
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::roster::Writer;
use medreview_core::roster::edit;
use medreview_core::workspace::Workspace;
use medreview_core::workspace::{CONFIG_FILE, Config, ReviewPolicy, default_identity, repo_prefix};
use medreview_core::yaml;
use medreview_site::templates;
use medreview_store::gitstore::{CommitRequest, GitStore};

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to make a workspace (created if missing; must be inside a git repository)
    dir: Option<PathBuf>,
    /// The publication's name, shown on every page
    #[arg(long, value_name = "NAME")]
    publication: Option<String>,
    /// Your roster id as the first admin (default: made from git's user.name)
    #[arg(long, value_name = "ID", conflicts_with = "no_admin")]
    admin: Option<String>,
    /// Start without an admin: the roster is not audited, and anyone may record as
    /// anyone, until someone runs `medreview admin add ID` (for a trial or an import)
    #[arg(long)]
    no_admin: bool,
    /// The site's address (https://health.example.org): canonical links and JSON-LD name it
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
}

/// What `init` writes into a workspace: `.gitattributes` first so the others are checked in under it.
fn layout(publication: &str, base_url: Option<&str>) -> Vec<(String, Vec<u8>)> {
    let config = Config {
        publication: publication.to_owned(),
        base_url: base_url.map(|u| u.trim_end_matches('/').to_owned()),
        review: ReviewPolicy::default(),
        publishers: Vec::new(),
        admins: Vec::new(),
        sync: Default::default(),
        editorial: Default::default(),
    };
    let config_text = format!(
        "# medreview settings: the publication and its review policy. An admin changes them\n\
         # with `medreview config set KEY VALUE` (each change is recorded); never edit by hand.\n\
         # README.md beside this file gives the daily commands for writers, reviewers,\n\
         # publishers and admins, and what to do when a command is refused.\n\
         # review.interval_months: an approval older than this is \"re-review due\".\n\
         # review.required_approvals: distinct reviewers who must approve a revision.\n\
         # publishers: roster ids who may record a publication (`medreview publisher add ID`).\n\
         # admins: roster ids who may change the roster and this file (`medreview admin add ID`).\n{}",
        yaml::to_string(&config)
    );
    vec![
        (
            ".gitattributes".into(),
            templates::GITATTRIBUTES.as_bytes().to_vec(),
        ),
        (CONFIG_FILE.into(), config_text.into_bytes()),
        (
            "README.md".into(),
            templates::WORKSPACE_README
                .replace("{publication}", publication)
                .into_bytes(),
        ),
        ("writers/.gitkeep".into(), Vec::new()),
        ("reviewers/.gitkeep".into(), Vec::new()),
        ("articles/.gitkeep".into(), Vec::new()),
        (
            "templates/article.html".into(),
            templates::ARTICLE_HTML.as_bytes().to_vec(),
        ),
        (
            "templates/index.html".into(),
            templates::INDEX_HTML.as_bytes().to_vec(),
        ),
    ]
}

/// The line that keeps the site `publish --out public` builds out of git.
const IGNORE_PUBLIC: &str = "public/";

/// `.gitignore` with the line for `public/`: a new file, the existing one with the
/// line appended, or `None` when it already ignores `public/`.
fn gitignore(root: &Path) -> Result<Option<(String, Vec<u8>)>> {
    let path = root.join(".gitignore");
    let mut text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io("read", &path, e)),
    };
    if text
        .lines()
        .any(|l| matches!(l.trim(), "public" | "public/" | "/public" | "/public/"))
    {
        return Ok(None);
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if text.is_empty() {
        text.push_str("# The site `medreview publish --out public` builds: made from the record, never committed.\n");
    }
    text.push_str(IGNORE_PUBLIC);
    text.push('\n');
    Ok(Some((".gitignore".into(), text.into_bytes())))
}

/// The first admin: `--admin ID` or an id made from git's `user.name`, with the
/// name and email git holds. Refused without a `user.email`, which is how medreview
/// knows who acts.
fn first_admin(git: &GitStore, given: Option<&str>) -> Result<(Id, String, String)> {
    let Some(email) = git.config_string("user.email") else {
        return Err(Error::with_hint(
            Code::UnknownIdentity,
            "git has no user.email, so medreview cannot tell who is starting the workspace (its first admin)",
            "set it first: `git config user.email you@example.org` (and `git config user.name \"Your Name\"`), then run `medreview init` again",
        ));
    };
    let name = git.config_string("user.name");
    let id = match given {
        Some(id) => Id::parse("admin id", id)?,
        None => {
            let made: String = name
                .as_deref()
                .unwrap_or_else(|| email.split('@').next().unwrap_or_default())
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        ' '
                    }
                })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-");
            Id::parse("admin id", &made).map_err(|_| {
                Error::with_hint(
                    Code::InvalidArgument,
                    format!(
                        "cannot make a roster id from git's user.name {:?}",
                        name.clone().unwrap_or_default()
                    ),
                    "give your id: `medreview init --admin your-name`",
                )
            })?
        }
    };
    if let Some(why) = medreview_core::roster::edit::checked_email(Some(email.clone())).err() {
        return Err(why);
    }
    let name = match name {
        Some(name) => edit::required_text("git's user.name", name)?,
        None => id.as_str().to_owned(),
    };
    Ok((id, name, email))
}

/// Runs `init`.
pub fn cmd_init(ctx: &mut Ctx<'_>, args: InitArgs) -> Result<std::process::ExitCode> {
    if let Some(url) = &args.base_url
        && let Some(why) = medreview_core::workspace::base_url_problem(url)
    {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!("--base-url {url:?} {why}"),
            "give the site's address, e.g. --base-url https://health.example.org",
        ));
    }
    let root = match &args.dir {
        Some(dir) => ctx.start.join(dir),
        None => ctx.start.clone(),
    };
    // The folder may not exist yet: find the repository from its nearest existing
    // ancestor, and create the folder only once the repository is known.
    let existing = root.ancestors().find(|dir| dir.exists()).unwrap_or(&root);
    let git = GitStore::discover(existing)?;
    // The person who runs init is the first admin: git must say who they are.
    let admin = match args.no_admin {
        true => None,
        false => Some(first_admin(&git, args.admin.as_deref())?),
    };
    if root.join(CONFIG_FILE).exists() {
        return Err(Error::with_hint(
            Code::AlreadyExists,
            format!(
                "{} already holds a workspace ({CONFIG_FILE} exists)",
                root.display()
            ),
            "an admin changes its settings with `medreview config set KEY VALUE`",
        ));
    }
    fs::create_dir_all(&root).map_err(|e| Error::io("create folder", &root, e))?;
    let root = root
        .canonicalize()
        .map_err(|e| Error::io("open folder", &root, e))?;
    let prefix = repo_prefix(git.workdir(), &root)?;
    let publication = match args.publication {
        Some(name) if !name.trim().is_empty() => name,
        _ => root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Health articles".into()),
    };
    // Files a team already has (their own templates or README, say) are kept, not
    // overwritten; an existing .gitignore only gains the line for the built site.
    let admin_file = admin.as_ref().map(|(id, name, email)| {
        (
            format!("writers/{id}.yaml"),
            yaml::to_string(&Writer {
                name: name.clone(),
                email: Some(email.clone()),
                bio: None,
                public_key: None,
            })
            .into_bytes(),
        )
    });
    // Governed files the team already has (its own templates, say) are committed as
    // they are, so the roster's first entry can record them.
    let existing_governed: Vec<(String, Vec<u8>)> =
        medreview_core::roster::log::governed_in_tree(&root)?
            .into_iter()
            .filter(|rel| rel != CONFIG_FILE)
            .filter_map(|rel| fs::read(root.join(&rel)).ok().map(|bytes| (rel, bytes)))
            .collect();
    let files: Vec<(String, Vec<u8>)> = layout(&publication, args.base_url.as_deref())
        .into_iter()
        .chain(admin_file)
        .filter(|(rel, _)| !root.join(rel).exists())
        .chain(existing_governed)
        .chain(gitignore(&root)?)
        .map(|(rel, bytes)| (format!("{prefix}{rel}"), bytes))
        .collect();
    let now = clock::now()?;
    // The signing key (git config's, if any) is found before anything is committed,
    // so a bad key setting refuses init instead of leaving a workspace half made.
    let key = match &admin {
        Some(_) => {
            medreview_core::signing::SigningKey::find(None, &|name| git.config_string(name))?
        }
        None => None,
    };
    let commit = {
        let _lock = git.lock()?;
        let author = default_identity(&git);
        let message = format!(
            "init medreview workspace\n\nPublication: {publication}\nMedreview-Action: init\n"
        );
        git.commit(&CommitRequest {
            files,
            removed: Vec::new(),
            message: &message,
            author: &author,
            time: now,
        })?
    };
    let Some((admin, _, _)) = admin else {
        say(
            ctx.err,
            &format!(
                "Created the workspace for {publication:?} in {} (commit {}), without an admin: anyone may record as anyone until `medreview admin add ID`.\nNext: `medreview writer add ID --name NAME --email EMAIL`, then `medreview admin add ID` as that person.",
                root.display(),
                &commit[..10]
            ),
        )?;
        return Ok(std::process::ExitCode::SUCCESS);
    };
    let admin_rel = format!("writers/{admin}.yaml");
    // The roster's record starts here, with its author as the first admin.
    let ws = Workspace::discover(&root)?;
    let proposal = edit::admin_add(&ws, &admin)?;

    let genesis = edit::record(&ws, proposal, Some(admin.as_str()), || Ok(key), now)?;
    say(
        ctx.err,
        &format!(
            "Created the workspace for {publication:?} in {} (commit {}); you are its first admin ({admin}, {admin_rel}; commit {}).\nNext: `medreview sync` to share it, then `medreview writer add ID --name NAME --email EMAIL` and `medreview reviewer add ID --name NAME --credentials CRED --email EMAIL --public-key \"$(cat KEY.pub)\"`; README.md has the daily commands.",
            root.display(),
            &commit[..10],
            &genesis.commit[..10]
        ),
    )?;
    Ok(std::process::ExitCode::SUCCESS)
}
