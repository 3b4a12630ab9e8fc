//! `medreview init`: lay out a workspace and commit it.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Ctx, say};
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
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
}

/// What `init` writes into a workspace: `.gitattributes` first so the others are checked in under it.
fn layout(publication: &str) -> Vec<(String, Vec<u8>)> {
    let config = Config {
        publication: publication.to_owned(),
        base_url: None,
        review: ReviewPolicy::default(),
        publishers: Vec::new(),
        admins: Vec::new(),
        sync: Default::default(),
        editorial: Default::default(),
    };
    let config_text = format!(
        "# medreview settings. README.md beside this file says what each folder holds and\n\
         # the daily commands for writers, reviewers and publishers.\n\
         # review.interval_months: an approval older than this is \"re-review due\".\n\
         # review.required_approvals: distinct reviewers who must approve a revision.\n\
         # publishers: roster ids who may record a publication.\n\
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

/// Runs `init`.
pub fn cmd_init(ctx: &mut Ctx<'_>, args: InitArgs) -> Result<std::process::ExitCode> {
    let root = match &args.dir {
        Some(dir) => ctx.start.join(dir),
        None => ctx.start.clone(),
    };
    // The folder may not exist yet: find the repository from its nearest existing
    // ancestor, and create the folder only once the repository is known.
    let existing = root.ancestors().find(|dir| dir.exists()).unwrap_or(&root);
    let git = GitStore::discover(existing)?;
    if root.join(CONFIG_FILE).exists() {
        return Err(Error::with_hint(
            Code::AlreadyExists,
            format!(
                "{} already holds a workspace ({CONFIG_FILE} exists)",
                root.display()
            ),
            "edit medreview.yaml to change its settings",
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
    let files: Vec<(String, Vec<u8>)> = layout(&publication)
        .into_iter()
        .filter(|(rel, _)| !root.join(rel).exists())
        .chain(gitignore(&root)?)
        .map(|(rel, bytes)| (format!("{prefix}{rel}"), bytes))
        .collect();
    let now = clock::now()?;
    let _lock = git.lock()?;
    let author = default_identity(&git);
    let message =
        format!("init medreview workspace\n\nPublication: {publication}\nMedreview-Action: init\n");
    let commit = git.commit(&CommitRequest {
        files,
        removed: Vec::new(),
        message: &message,
        author: &author,
        time: now,
    })?;
    say(
        ctx.err,
        &format!(
            "Created the workspace for {publication:?} in {} (commit {}).\nNext: `medreview writer add ID --name NAME` and `medreview reviewer add ID --name NAME --credentials CRED`.",
            root.display(),
            &commit[..10]
        ),
    )?;
    Ok(std::process::ExitCode::SUCCESS)
}
