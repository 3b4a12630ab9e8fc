//! Articles: YAML front matter plus a Markdown body.

use std::path::Path;

use serde::{Deserialize, Serialize};

use medreview_store::gitstore::{GitError, GitStore};
use medreview_store::revision::RevId;

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::yaml;

/// The largest `article.md` accepted, in bytes. Patient-education pages are a few
/// thousand words; anything near this is a mistake (a pasted PDF, a binary file).
pub const MAX_ARTICLE_BYTES: usize = 1024 * 1024;

/// The front matter fields an article may have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The headline.
    pub title: String,
    /// The writer's roster id.
    pub writer: Id,
    /// The reviewer the writer asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<Id>,
    /// A topic for grouping, usually a specialty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// One or two sentences for listings and search results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The sources the article cites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// A cited source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The source's title.
    pub title: String,
    /// An `http` or `https` address.
    pub url: String,
}

/// A parsed article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The front matter.
    pub front: FrontMatter,
    /// The Markdown body, LF line endings.
    pub body: String,
}

/// Refuses an article larger than [`MAX_ARTICLE_BYTES`].
pub(crate) fn check_size(len: u64, file: &Path) -> Result<()> {
    if len > MAX_ARTICLE_BYTES as u64 {
        return Err(Error::new(
            Code::ArticleTooLarge,
            format!(
                "{}: the article is {len} bytes; the limit is {MAX_ARTICLE_BYTES}",
                file.display()
            ),
        ));
    }
    Ok(())
}

/// Converts CRLF line endings to LF, as the workspace's `.gitattributes` (`eol=lf`)
/// has git do on check-in, so a revision id matches `git hash-object`.
pub fn normalize_eol(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    for &b in bytes {
        // Drop every carriage return right before a line feed, so the result is a
        // fixed point: git's check-in conversion leaves it unchanged (`\r\r\n` too).
        if b == b'\n' {
            while out.last() == Some(&b'\r') {
                out.pop();
            }
        }
        out.push(b);
    }
    out
}

/// Splits LF text into its front matter (between the `---` lines) and body;
/// `None` when the text does not start with a complete front matter block.
pub fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---\n")?;
    if let Some(body) = rest.strip_prefix("---\n") {
        return Some(("", body));
    }
    if let Some(i) = rest.find("\n---\n") {
        return Some((&rest[..i + 1], &rest[i + 5..]));
    }
    rest.strip_suffix("\n---").map(|yaml| (yaml, ""))
}

impl Article {
    /// Parses the bytes of `article.md`; `file` names it in errors.
    pub fn parse(bytes: &[u8], file: &Path) -> Result<Article> {
        let shown = file.display();
        check_size(bytes.len() as u64, file)?;
        let text = crate::source::decode_utf8(bytes.to_vec(), file, "the article")?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let text = text.replace("\r\n", "\n");
        let missing = || {
            Error::with_hint(
                Code::InvalidFrontMatter,
                format!("{shown}:1: the article does not start with YAML front matter"),
                "start the file with a line `---`, the fields (title, writer, ...), and another line `---`",
            )
        };
        if !text.starts_with("---\n") {
            return Err(missing());
        }
        let (yaml_text, body) = split_front_matter(&text).ok_or_else(|| {
            Error::with_hint(
                Code::InvalidFrontMatter,
                format!("{shown}:1: the front matter has no closing `---` line"),
                "end the front matter with a line holding only `---`",
            )
        })?;
        let front: FrontMatter = yaml::parse(yaml_text, file, 2)?;
        let body_start = text.len() - body.len();
        let body_first_line = text[..body_start].matches('\n').count() + 1;
        if let Some(n) = body
            .lines()
            .position(|l| l.starts_with("<<<<<<< ") || l.starts_with(">>>>>>> "))
        {
            return Err(Error::with_hint(
                Code::MergeConflict,
                format!(
                    "{shown}:{}: the article holds unresolved merge conflict markers",
                    body_first_line + n
                ),
                "resolve the conflict in the text, then submit it",
            ));
        }
        if front.title.trim().is_empty() {
            return Err(Error::with_hint(
                Code::InvalidFrontMatter,
                format!("{shown}: the title is empty"),
                "write the headline in the `title:` field",
            ));
        }
        for source in &front.sources {
            if !(source.url.starts_with("https://") || source.url.starts_with("http://")) {
                return Err(Error::with_hint(
                    Code::InvalidFrontMatter,
                    format!(
                        "{shown}: source {:?} has the address {:?}",
                        source.title, source.url
                    ),
                    "give each source a full http:// or https:// address",
                ));
            }
        }
        Ok(Article {
            front,
            body: body.to_owned(),
        })
    }

    /// The text of a new article: front matter and an empty body for the writer to fill.
    pub fn skeleton(front: &FrontMatter) -> String {
        let mut yaml_text = yaml::to_string(front);
        if front.summary.is_none() {
            yaml_text
                .push_str("# summary: One or two sentences for listings and search results.\n");
        }
        if front.sources.is_empty() {
            yaml_text
                .push_str("# sources:\n#   - title: The source's title\n#     url: https://...\n");
        }
        format!("---\n{yaml_text}---\n\n")
    }

    /// Counts the words of the body.
    pub fn word_count(&self) -> usize {
        self.body.split_whitespace().count()
    }
}

/// Reads the blob of a revision named in `ledger`, saying which ledger names it if it is missing.
pub fn read_revision(git: &GitStore, id: &RevId, ledger: &Path) -> Result<Vec<u8>> {
    // A revision over the article limit could only have been committed by hand:
    // refuse it from its header, before a byte of it is read.
    if let Some(size) = git.blob_size(id) {
        check_size(
            size as u64,
            Path::new(&format!("{}, revision {}", ledger.display(), id.short())),
        )?;
    }
    git.read_blob(id).map_err(|err| match err {
        GitError::MissingBlob { .. } => Error::new(
            Code::MissingRevisionObject,
            format!(
                "{}: revision {id} is not in the repository's object database",
                ledger.display()
            ),
        ),
        other => other.into(),
    })
}

/// The writer named in the front matter of revision `id`, read from git's objects;
/// `None` when the revision is missing or does not parse (it then cannot be approved
/// by anyone's hand either, since nothing can be published from it).
pub(crate) fn front_writer(git: &GitStore, id: &RevId) -> Option<Id> {
    if git.blob_size(id)? > crate::article::MAX_ARTICLE_BYTES {
        return None;
    }
    let bytes = git.read_blob(id).ok()?;
    Article::parse(&bytes, std::path::Path::new("article.md"))
        .ok()
        .map(|a| a.front.writer)
}

/// The topic the front matter of revision `id` names, if it parses and names one.
pub(crate) fn front_topic(git: &GitStore, id: &RevId) -> Option<String> {
    if git.blob_size(id)? > crate::article::MAX_ARTICLE_BYTES {
        return None;
    }
    let bytes = git.read_blob(id).ok()?;
    Article::parse(&bytes, std::path::Path::new("article.md"))
        .ok()
        .and_then(|a| a.front.topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Article> {
        Article::parse(text.as_bytes(), Path::new("articles/x/article.md"))
    }

    #[test]
    fn parses_front_matter_and_body() {
        let a = parse("---\ntitle: T\nwriter: sam\nsources:\n  - title: S\n    url: https://e.org\n---\nHello\n")
            .expect("valid");
        assert_eq!(a.front.title, "T");
        assert_eq!(a.front.writer.as_str(), "sam");
        assert_eq!(a.front.sources.len(), 1);
        assert_eq!(a.body, "Hello\n");
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let a = parse("\u{feff}---\r\ntitle: T\r\nwriter: sam\r\n---\r\nHello\r\n").expect("valid");
        assert_eq!(a.body, "Hello\n");
        assert_eq!(normalize_eol(b"a\r\nb\rc\n"), b"a\nb\rc\n");
        assert_eq!(
            normalize_eol(b"a\r\r\nb"),
            b"a\nb",
            "regression: doubled CRs left the tree dirty"
        );
    }

    #[test]
    fn refusals_name_the_problem() {
        let cases = [
            ("no front matter\n", "does not start with YAML front matter"),
            ("---\ntitle: T\nwriter: sam\n", "no closing"),
            ("---\nwriter: sam\n---\n", "missing field `title`"),
            ("---\ntitle: T\n---\n", "missing field `writer`"),
            ("---\ntitle: T\nwriter: Sam\n---\n", "capital letter"),
            ("---\ntitle: [\nwriter: sam\n---\n", "x/article.md:"),
            (
                "---\ntitle: T\nwriter: sam\ntitel: x\n---\n",
                "unknown field `titel`",
            ),
            (
                "---\ntitle: T\nwriter: sam\nsources:\n  - title: S\n    url: javascript:alert(1)\n---\n",
                "address",
            ),
        ];
        for (text, want) in cases {
            let err = parse(text).expect_err(text).to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn yaml_error_points_at_the_file_line() {
        let err = parse("---\ntitle: T\nwriter: sam\nsummary: [unclosed\n---\nbody\n")
            .expect_err("bad yaml");
        let Error::Yaml(err) = err else {
            panic!("not a YAML error: {err}")
        };
        assert!(err.line.is_some_and(|l| (4..=6).contains(&l)), "{err}");
    }

    #[test]
    fn refuses_non_utf8_and_oversized() {
        let err =
            Article::parse(b"---\ntitle: \xff\n---\n", Path::new("a.md")).expect_err("bad utf8");
        assert!(
            err.to_string()
                .contains("a.md:2: the article is not valid UTF-8"),
            "{err}"
        );
        let big = vec![b'a'; MAX_ARTICLE_BYTES + 1];
        assert!(
            Article::parse(&big, Path::new("a.md"))
                .expect_err("big")
                .to_string()
                .contains("limit")
        );
    }

    #[test]
    fn skeleton_round_trips() {
        let front = FrontMatter {
            title: "A: title with a colon".into(),
            writer: Id::parse("id", "sam").expect("valid"),
            reviewer: None,
            topic: Some("oncology".into()),
            summary: None,
            sources: vec![],
        };
        let a = parse(&Article::skeleton(&front)).expect("skeleton parses");
        assert_eq!(a.front, front);
        assert_eq!(a.body.trim(), "");
    }
}
