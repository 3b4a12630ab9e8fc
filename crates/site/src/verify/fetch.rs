//! Reading a published site's files: from a folder, or over HTTP(S) by running
//! `curl` (as git runs programs for its transports; no HTTP library here).
//!
//! Every path asked for is checked first ([`safe_rel`]): plain names joined by
//! `/`, no `..`, nothing absolute, so a hostile manifest can make `verify` read
//! nothing outside the folder and fetch nothing outside the site's address. curl
//! follows no redirect and reads at most [`MAX_FILE`] bytes of a file.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use medreview_core::error::{Code, Error, Result};

/// The largest file `verify` reads (a page, an entry, a revision, the manifest).
pub const MAX_FILE: u64 = 16 * 1024 * 1024;

/// Where a published site is read from.
pub trait Site {
    /// The bytes of `rel` (a path under the site's root), `None` when it is not there.
    fn get(&self, rel: &str) -> Result<Option<Vec<u8>>>;
    /// The site as messages name it.
    fn describe(&self) -> String;
}

/// Opens `location`: an `http://` or `https://` address, else a folder (relative
/// to `start`).
pub fn open(location: &str, start: &Path) -> Result<Box<dyn Site>> {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(Box::new(Http::new(location)?));
    }
    let dir = start.join(location);
    let root = dir.canonicalize().map_err(|e| {
        Error::with_hint(
            Code::SiteUnverifiable,
            format!("cannot read the folder {}: {e}", dir.display()),
            "name the folder `publish --out` wrote, or the site's address (https://...)",
        )
    })?;
    Ok(Box::new(Folder { root }))
}

/// Whether `rel` is a path `verify` may ask for: at most 300 characters of plain
/// names (`[A-Za-z0-9._-]`, not `.` or `..`) joined by `/`.
pub fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && rel.len() <= 300
        && rel.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
}

fn refuse_path(rel: &str) -> Error {
    Error::with_hint(
        Code::SiteUnverifiable,
        format!("the site names a file verify will not read: {rel:?}"),
        "a published site names only its own files; this one was altered",
    )
}

/// A site in a folder.
struct Folder {
    root: PathBuf,
}

impl Site for Folder {
    fn get(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        if !safe_rel(rel) {
            return Err(refuse_path(rel));
        }
        let path = self.root.join(rel);
        let real = match path.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        // A symbolic link out of the folder is not the site's file.
        if !real.starts_with(&self.root) || !real.is_file() {
            return Ok(None);
        }
        let file = std::fs::File::open(&real).map_err(|e| Error::io("read", &path, e))?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("read", &path, e))?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(too_large(&path.display().to_string()));
        }
        Ok(Some(bytes))
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

fn too_large(what: &str) -> Error {
    Error::with_hint(
        Code::SiteUnverifiable,
        format!("{what} is larger than {} MiB", MAX_FILE / 1024 / 1024),
        "a published page, entry or revision is far smaller; this one is not the site's",
    )
}

/// A site served over HTTP(S), read with `curl`.
struct Http {
    base: String,
}

impl Http {
    fn new(location: &str) -> Result<Http> {
        let base = location.trim_end_matches('/').to_owned();
        // The address goes to curl as one argument; no space, quote or control
        // character that could make it something else, no query or fragment.
        let clean = base
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\' | b'?' | b'#'));
        let after_scheme = base.split_once("://").map_or("", |(_, rest)| rest);
        if !clean || after_scheme.is_empty() || after_scheme.contains('@') {
            return Err(Error::with_hint(
                Code::InvalidArgument,
                format!("{location:?} is not an address verify can read"),
                "give the site's address as https://host/path, without credentials, query or spaces",
            ));
        }
        Ok(Http { base })
    }
}

impl Site for Http {
    fn get(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        if !safe_rel(rel) {
            return Err(refuse_path(rel));
        }
        let url = format!("{}/{rel}", self.base);
        let out = tempfile::NamedTempFile::new()
            .map_err(|e| Error::io("create", Path::new("a temporary file"), e))?;
        let result = Command::new("curl")
            .args(["--silent", "--show-error", "--proto", "=http,https"])
            .args(["--max-redirs", "0", "--max-time", "60"])
            .arg("--max-filesize")
            .arg(MAX_FILE.to_string())
            .arg("--output")
            .arg(out.path())
            .args(["--write-out", "%{http_code}", "--"])
            .arg(&url)
            .stdin(Stdio::null())
            .output();
        let output = match result {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::with_hint(
                    Code::MissingProgram,
                    "verify reads a site over HTTP with curl, and curl is not installed",
                    "install curl (Debian/Ubuntu: apt-get install curl), or verify the published folder instead",
                ));
            }
            Err(e) => return Err(Error::io("run", Path::new("curl"), e)),
        };
        let status = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if output.status.code() == Some(63) {
            return Err(too_large(&url));
        }
        if !output.status.success() {
            return Err(Error::with_hint(
                Code::SiteUnverifiable,
                format!(
                    "cannot read {url}: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
                "check the address and the network, then run verify again",
            ));
        }
        match status.as_str() {
            "200" => {}
            "404" | "410" => return Ok(None),
            code if code.starts_with('3') => {
                return Err(Error::with_hint(
                    Code::SiteUnverifiable,
                    format!("{url} redirects elsewhere (HTTP {code})"),
                    "verify reads only the address it is given; give the address the site is served at",
                ));
            }
            code => {
                return Err(Error::with_hint(
                    Code::SiteUnverifiable,
                    format!("{url} answered HTTP {code}"),
                    "check the address, then run verify again",
                ));
            }
        }
        let mut bytes = Vec::new();
        std::fs::File::open(out.path())
            .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
            .map_err(|e| Error::io("read", out.path(), e))?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(too_large(&url));
        }
        Ok(Some(bytes))
    }

    fn describe(&self) -> String {
        self.base.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_site_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/./b",
            "a b",
            "a\\b",
            "%2e%2e/x",
        ] {
            assert!(!safe_rel(bad), "{bad:?}");
        }
        assert!(safe_rel(".well-known/medreview/manifest.json"));
        assert!(safe_rel("her2-treatment.html"));
    }

    #[test]
    fn addresses_with_credentials_or_spaces_are_refused() {
        for bad in [
            "http://",
            "https://user:pw@host/",
            "http://host/a b",
            "http://host/?q",
        ] {
            assert!(Http::new(bad).is_err(), "{bad:?}");
        }
        assert!(Http::new("http://127.0.0.1:8080/site/").is_ok());
    }
}
