//! Writing the output folder whole and atomically, and recovering an interrupted publish.

use medreview_core::error::{Code, Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

use super::*;

/// Writes `files` into `out` as a whole: they are written to a new folder beside
/// `out`, which then takes its place in one step (`renameat2(RENAME_EXCHANGE)` on
/// Linux; elsewhere two renames, recovered by the next run if interrupted). `out`
/// always holds a complete output. Files in `out` that the previous manifest does
/// not list are the user's: carried into the new folder (HTML; Hugo, whose folder
/// is the user's Hugo site), or a refusal that names them (Markdown, a content
/// folder another tool owns).
pub fn write_output(
    out: &Path,
    workspace_root: &Path,
    files: &[(String, Vec<u8>)],
    reused: &std::collections::BTreeSet<String>,
    format: Format,
) -> Result<()> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io("create folder", parent, e))?;
    let parent = parent
        .canonicalize()
        .map_err(|e| Error::io("open folder", parent, e))?;
    let name = out.file_name().ok_or_else(|| {
        Error::new(
            Code::InvalidArgument,
            format!("--out {} has no folder name", out.display()),
        )
    })?;
    let out = parent.join(name);
    let prefix = format!(".medreview-publish-{}-", name.to_string_lossy());
    recover_leftovers(&parent, &out, &prefix)?;
    refuse_unsafe_target(&out, workspace_root, format)?;
    let theirs = unknown_files(&out, format)?;
    let written: std::collections::BTreeSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let in_the_way: Vec<&PathBuf> = theirs
        .iter()
        .filter(|p| p.to_str().is_some_and(|p| written.contains(p)))
        .collect();
    if !in_the_way.is_empty() {
        return Err(Error::with_hint(
            Code::ForeignFilesInOutput,
            format!(
                "--out {}: publishing would overwrite files medreview did not write: {}",
                out.display(),
                names(&in_the_way)
            ),
            "rename or move them; medreview writes a page per published article under its slug",
        ));
    }
    if !theirs.is_empty() && format == Format::Markdown {
        return Err(Error::with_hint(
            Code::ForeignFilesInOutput,
            format!(
                "--out {} holds files medreview did not write: {}",
                out.display(),
                names(&theirs.iter().collect::<Vec<_>>())
            ),
            "move them out of the folder (Hugo's _index.md belongs one level up), or publish into a folder of its own",
        ));
    }
    let staging = tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(STAGING_RAND)
        .tempdir_in(&parent)
        .map_err(|e| Error::io("create a folder in", &parent, e))?;
    let write = |rel: &Path, bytes: &[u8]| -> Result<()> {
        let path = staging.path().join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))
    };
    for (rel, bytes) in files {
        // A page kept from the last publish is linked, not written again (copied
        // where the file system has no links).
        if reused.contains(rel) {
            let (from, to) = (out.join(rel), staging.path().join(rel));
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
            }
            if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).map_err(|e| Error::io("copy", &from, e))?;
            }
            continue;
        }
        write(Path::new(rel), bytes)?;
    }
    for rel in &theirs {
        let from = out.join(rel);
        let rel = rel.as_path();
        let meta = fs::symlink_metadata(&from).map_err(|e| Error::io("read", &from, e))?;
        if meta.file_type().is_symlink() {
            // Carried as the link it is, never followed.
            let target = fs::read_link(&from).map_err(|e| Error::io("read", &from, e))?;
            let to = staging.path().join(rel);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
            }
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &to).map_err(|e| Error::io("write", &to, e))?;
            continue;
        }
        // Linked where it can be (a Hugo site's themes and `public/` are large), else copied.
        let to = staging.path().join(rel);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
        }
        if fs::hard_link(&from, &to).is_err() {
            let bytes = fs::read(&from).map_err(|e| Error::io("read", &from, e))?;
            write(rel, &bytes)?;
        }
    }
    let staged = staging.keep();
    if fs::symlink_metadata(&out).is_err() {
        return fs::rename(&staged, &out).map_err(|e| {
            let _ = fs::remove_dir_all(&staged);
            Error::io("move into place", &out, e)
        });
    }
    match rustix::fs::renameat_with(
        rustix::fs::CWD,
        &staged,
        rustix::fs::CWD,
        &out,
        rustix::fs::RenameFlags::EXCHANGE,
    ) {
        Ok(()) => {
            // `staged` now holds the previous output.
            let _ = fs::remove_dir_all(&staged);
            Ok(())
        }
        Err(_) => {
            // No atomic exchange here: move the old output aside, then the new one in.
            let old = staged.with_extension("old");
            if let Err(e) = fs::rename(&out, &old) {
                let _ = fs::remove_dir_all(&staged);
                return Err(Error::io("move aside", &out, e));
            }
            if let Err(e) = fs::rename(&staged, &out) {
                let _ = fs::rename(&old, &out);
                let _ = fs::remove_dir_all(&staged);
                return Err(Error::io("move into place", &out, e));
            }
            let _ = fs::remove_dir_all(&old);
            Ok(())
        }
    }
}

/// Cleans up after a publish into `out` that was interrupted: a previous output
/// left aside while `out` is missing is put back; any other leftover is removed.
pub(super) fn recover_leftovers(parent: &Path, out: &Path, prefix: &str) -> Result<()> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    // Only this folder's own: the prefix, then exactly the random part (and `.old`),
    // so `site`'s leftovers are never mistaken for `site-2`'s.
    let own = |name: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            let rand = rest.strip_suffix(".old").unwrap_or(rest);
            rand.len() == STAGING_RAND && rand.chars().all(|c| c.is_ascii_alphanumeric())
        })
    };
    let mut leftovers: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(own))
        .map(|e| e.path())
        .collect();
    leftovers.sort();
    for path in leftovers {
        let complete = manifest_of(&path).is_some();
        if fs::symlink_metadata(out).is_err() && complete {
            fs::rename(&path, out).map_err(|e| Error::io("restore", out, e))?;
            medreview_output::notice(format!(
                "medreview: restored {} from an interrupted publish",
                out.display()
            ));
            continue;
        }
        fs::remove_dir_all(&path)
            .map_err(|e| Error::io("remove an interrupted publish's folder", &path, e))?;
    }
    Ok(())
}

/// The random part of a staging folder's name.
pub(super) const STAGING_RAND: usize = 6;

/// `a, b, c` for a message: every name, up to 50, then how many more.
pub(super) fn names(paths: &[&PathBuf]) -> String {
    let mut shown: Vec<String> = paths
        .iter()
        .take(50)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if paths.len() > 50 {
        shown.push(format!("and {} more", paths.len() - 50));
    }
    shown.join(", ")
}

/// The files in `out` (relative, sorted) that its manifest does not list as
/// medreview's: the user's. A folder without a medreview manifest is all the user's.
pub(super) fn unknown_files(out: &Path, format: Format) -> Result<Vec<PathBuf>> {
    if !out.is_dir() {
        return Ok(Vec::new());
    }
    let manifest = manifest_of(out);
    let mut ours: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    if let Some((rel, m)) = &manifest {
        ours.insert((*rel).into());
        match m["files"].as_array() {
            Some(files) => ours.extend(files.iter().filter_map(|v| v.as_str()).map(str::to_owned)),
            // A manifest from before `files`: its pages, and the index of an HTML one.
            None => {
                ours.extend(
                    m["articles"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|a| a["path"].as_str())
                        .map(str::to_owned),
                );
                if m["format"] == "html" || (m["format"].is_null() && format == Format::Html) {
                    ours.insert("index.html".into());
                }
            }
        }
    }
    let mut found = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(dir) = stack.pop() {
        let full = out.join(&dir);
        let entries = fs::read_dir(&full).map_err(|e| Error::io("read folder", &full, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read folder", &full, e))?;
            let rel = dir.join(entry.file_name());
            let kind = entry
                .file_type()
                .map_err(|e| Error::io("read", &entry.path(), e))?;
            if kind.is_dir() {
                stack.push(rel);
            } else if !rel
                .to_str()
                .is_some_and(|r| ours.contains(&r.replace('\\', "/")))
            {
                found.push(rel);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Refuses an output folder that would replace the workspace or a folder medreview did not write.
pub(super) fn refuse_unsafe_target(
    out: &Path,
    workspace_root: &Path,
    format: Format,
) -> Result<()> {
    if workspace_root.starts_with(out) {
        return Err(Error::with_hint(
            Code::UnsafeOutputFolder,
            format!("--out {} would replace the workspace itself", out.display()),
            "publish into a folder of its own, e.g. --out public",
        ));
    }
    for managed in ["articles", "writers", "reviewers", "templates", ".git"] {
        if out.starts_with(workspace_root.join(managed)) {
            return Err(Error::with_hint(
                Code::UnsafeOutputFolder,
                format!(
                    "--out {} is inside the workspace's {managed}/ folder",
                    out.display()
                ),
                "publish into a folder of its own, e.g. --out public",
            ));
        }
    }
    let meta = match fs::symlink_metadata(out) {
        Ok(meta) => meta,
        Err(_) => return Ok(()),
    };
    if !meta.is_dir() {
        return Err(Error::with_hint(
            Code::UnsafeOutputFolder,
            format!("--out {} exists and is not a folder", out.display()),
            "choose another --out, or remove it",
        ));
    }
    let is_empty = fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    let ours = manifest_of(out).is_some();
    // A Hugo export goes into the user's Hugo site: their files are carried over.
    let hugo_site = format == Format::Hugo && HUGO_CONFIGS.iter().any(|c| out.join(c).is_file());
    if !is_empty && !ours && !hugo_site {
        let theirs = unknown_files(out, Format::Html)?;
        return Err(Error::with_hint(
            Code::ForeignFilesInOutput,
            format!(
                "--out {} holds files medreview did not write (it has no medreview manifest.json): {}",
                out.display(),
                names(&theirs.iter().collect::<Vec<_>>())
            ),
            if format == Format::Hugo {
                "publish into a Hugo site (a folder with hugo.toml, hugo.yaml or config.toml), or an empty or new folder; medreview replaces its output folder whole, carrying over the files it did not write"
            } else {
                "publish into an empty or new folder; medreview replaces its output folder whole"
            },
        ));
    }
    Ok(())
}

/// The configuration files that make a folder a Hugo site.
const HUGO_CONFIGS: [&str; 8] = [
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
];

/// The medreview manifest in folder `dir`, where any format writes it, with its
/// path: a folder with one is medreview's output.
pub(super) fn manifest_of(dir: &Path) -> Option<(&'static str, serde_json::Value)> {
    [Format::Html, Format::Hugo]
        .into_iter()
        .map(Format::manifest_path)
        .find_map(|rel| {
            let text = fs::read_to_string(dir.join(rel)).ok()?;
            let m = serde_json::from_str::<serde_json::Value>(&text).ok()?;
            (m["generator"] == "medreview").then_some((rel, m))
        })
}

/// The folder `--out` names, made absolute against `start`.
pub fn resolve_out(start: &Path, out: &Path) -> PathBuf {
    if out.is_absolute() {
        out.to_path_buf()
    } else {
        start.join(out)
    }
}
