//! Editorial rules: what a reader would see is wrong, found before a doctor signs.
//!
//! Each rule has a stable code and a severity that `medreview.yaml`'s `editorial:`
//! section can change (`error`, `warning`, `info`, `off`). The one function
//! [`Linter::lint`] decides for `lint`, `submit` (refuses on errors), `approve`
//! (refuses while the revision has errors), `check --lint` and `status --json`.
//! Results are memoized by article text and settings, so a run costs only the
//! articles that changed.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use medreview_core::article::Article;
use medreview_core::check::Problem;
use medreview_core::error::{Error, Result};

mod batch;
#[cfg(feature = "language")]
mod language;
#[cfg(not(feature = "language"))]
mod language {
    //! Built without the `language` feature: `spelling` and `grammar` find
    //! nothing, and [`super::LANGUAGE_RULES`] says so to whoever shows results.

    use std::collections::BTreeSet;

    /// What to check and which words are known (the same fields as with harper).
    #[expect(dead_code, reason = "read only by the harper build of this module")]
    pub struct Options<'a> {
        pub spelling: Option<&'a ()>,
        pub grammar: bool,
        pub allowed: &'a BTreeSet<String>,
        pub rules_off: &'a [String],
    }

    /// No findings: harper is not built in.
    pub fn check(_blocks: &[super::prose::Block], _options: &Options<'_>) -> Vec<super::Found> {
        Vec::new()
    }
}

mod spelling;
/// The words `spelling` knows beside the workspace's, loaded once per process.
#[cfg(feature = "language")]
type SpellWords = std::sync::Arc<spelling::Words>;
#[cfg(not(feature = "language"))]
type SpellWords = std::sync::Arc<()>;

/// Whether `spelling` and `grammar` are built in (the default `language` feature).
pub const LANGUAGE_RULES: bool = cfg!(feature = "language");
pub mod prose;
pub mod readability;
pub mod rules;
use medreview_core::editorial as settings;

pub use batch::{Input, LISTED, Output, refuse_errors, working_inputs};
pub use readability::Reading;
pub use settings::{Editorial, RULES, Rule, Severity, rule};

/// The workspace word list for `spelling`: one word a line, `#` starts a comment.
pub(crate) const DICTIONARY_FILE: &str = "dictionary.txt";

/// The kind of the lint memo's entries: changed whenever findings or their shape change.
pub(crate) const MEMO_KIND: &str = "lint-4";

/// The default reading-grade target (NIH and AMA guidance for patient material).
pub(crate) const DEFAULT_READING_GRADE: f64 = 8.0;

/// Where a rule found something, before it is placed in the file.
#[derive(Debug, Clone)]
pub struct Found {
    code: &'static str,
    /// A byte offset in the body, or `None` for the front matter's first line.
    at: Option<usize>,
    /// A line of the file, when the finding is in the front matter.
    line: Option<usize>,
    message: String,
}

impl Found {
    fn new(code: &'static str, at: usize, message: String) -> Found {
        Found {
            code,
            at: Some(at),
            line: None,
            message,
        }
    }

    fn on_line(code: &'static str, line: usize, message: String) -> Found {
        Found {
            code,
            at: None,
            line: Some(line),
            message,
        }
    }
}

/// What linting an article gives: its findings and its reading grade (as the memo
/// keeps them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linted {
    /// The findings, in place order.
    pub findings: Vec<Finding>,
    /// The reading grade and what it was counted over, unless `reading-grade` is
    /// off or nothing graded has a word.
    pub reading: Option<Reading>,
}

/// One finding in an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's code.
    pub code: String,
    /// Its severity under the workspace's settings.
    pub severity: Severity,
    /// The 1-based line in `article.md`.
    pub line: usize,
    /// The 1-based column, in characters.
    pub column: usize,
    /// Where in the body it is (a byte offset), for marking it on a page; `None` in
    /// the front matter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Finding {
    /// The finding in the one problem shape, in `file` (workspace-relative).
    pub fn problem(&self, file: &str) -> Problem {
        let code = rule(&self.code).map_or("lint", |r| r.code);
        let mut p = Problem::at(code, file, Some(self.line), self.message.clone());
        p.column = Some(self.column);
        p.severity = Some(self.severity.as_str());
        p
    }
}

/// How many findings of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Counts {
    /// The counts of `findings`.
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
                Severity::Off => {}
            }
        }
        c
    }

    /// Adds `other`.
    pub fn add(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
    }

    /// "2 errors, 1 warning" (only what is there; "no findings" when nothing is).
    pub fn describe(&self) -> String {
        use medreview_core::plural::plural;
        let mut parts = Vec::new();
        if self.errors > 0 {
            parts.push(plural(self.errors, "error", "errors"));
        }
        if self.warnings > 0 {
            parts.push(plural(self.warnings, "warning", "warnings"));
        }
        if self.infos > 0 {
            parts.push(plural(self.infos, "info", "infos"));
        }
        if parts.is_empty() {
            "no findings".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// The rules with a workspace's settings and words.
pub struct Linter {
    settings: Editorial,
    allowed: BTreeSet<String>,
    /// The Hunspell dictionaries `spelling` reads.
    dictionaries: spelling::Resolved,
    /// Where harper's word list is kept between runs (`<git dir>/medreview`).
    cache: Option<std::path::PathBuf>,
    /// A digest of everything above and of this build, for the memo.
    key: String,
}

impl Linter {
    /// The linter of `settings`, with the words of `dictionary` (the text of
    /// `dictionary.txt`, if any).
    pub fn new(settings: &Editorial, dictionary: Option<&str>) -> Linter {
        let dictionaries = spelling::resolve(settings.dictionaries.as_deref(), None);
        Linter::build(settings, dictionary, dictionaries, None)
    }

    fn build(
        settings: &Editorial,
        dictionary: Option<&str>,
        dictionaries: spelling::Resolved,
        cache: Option<std::path::PathBuf>,
    ) -> Linter {
        let mut allowed: BTreeSet<String> = settings
            .allowed_words
            .iter()
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        for line in dictionary.unwrap_or("").lines() {
            let word = line.split('#').next().unwrap_or("").trim();
            if !word.is_empty() {
                allowed.insert(word.to_lowercase());
            }
        }
        let mut parts = vec![serde_json::to_string(settings).unwrap_or_default()];
        parts.extend(allowed.iter().cloned());
        if settings.severity("spelling") != Severity::Off {
            parts.push(dictionaries.identity.clone());
        }
        let key = medreview_core::memo::key(&[MEMO_KIND, &parts.join("\n")]);
        Linter {
            settings: settings.clone(),
            allowed,
            dictionaries,
            cache,
            key,
        }
    }

    /// The linter of the workspace: the `editorial:` section of `medreview.yaml` as
    /// the roster's record holds it once the roster is audited (as an admin recorded
    /// it, so a writer's commit that turns a rule off does not turn it off for the
    /// reviewer), else as the working tree has it; and the working tree's
    /// `dictionary.txt`.
    pub fn for_workspace(ws: &medreview_core::workspace::Workspace) -> Result<Linter> {
        let people = ws.people()?;
        let editorial = people
            .current()
            .config
            .as_ref()
            .map_or_else(|| ws.config.editorial.clone(), |c| c.editorial.clone());
        let path = ws.path(DICTIONARY_FILE);
        let dictionary = match std::fs::read(&path) {
            Ok(bytes) => Some(medreview_core::source::decode_utf8(
                bytes,
                &path,
                "the word list",
            )?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        let dictionaries = spelling::resolve(editorial.dictionaries.as_deref(), Some(ws.root()));
        Ok(Linter::build(
            &editorial,
            dictionary.as_deref(),
            dictionaries,
            Some(ws.git.git_dir().join("medreview")),
        ))
    }

    /// The same rules without those at `info`: what the sign-off commands, `status`
    /// and `check --lint` judge by. Errors and warnings are the same as `lint`'s.
    pub fn without_info(&self) -> Linter {
        let mut settings = self.settings.clone();
        for rule in RULES {
            if settings.severity(rule.code) == Severity::Info {
                settings
                    .severity
                    .insert(rule.code.to_owned(), Severity::Off);
            }
        }
        let dictionary: Vec<String> = self.allowed.iter().cloned().collect();
        Linter::build(
            &settings,
            Some(&dictionary.join("\n")),
            self.dictionaries.clone(),
            self.cache.clone(),
        )
    }

    /// What `lint` says once before its findings: a refusal when `spelling` is on and
    /// `editorial.dictionaries` names a dictionary that is not on this machine, else a
    /// line when a default Hunspell dictionary (Debian's) is not installed.
    pub fn spelling_notice(&self) -> Result<Option<String>> {
        if !LANGUAGE_RULES || !self.on("spelling") {
            return Ok(None);
        }
        if !self.dictionaries.missing.is_empty() {
            return Err(spelling::missing_error(&self.dictionaries.missing));
        }
        Ok(self.dictionaries.notice.clone())
    }

    /// The words `spelling` knows beside the workspace's, when it is on: loaded on
    /// first use (only an article not in the memo needs them).
    #[cfg(feature = "language")]
    fn spelling_words(&self) -> Result<Option<SpellWords>> {
        if !self.on("spelling") {
            return Ok(None);
        }
        if !self.dictionaries.missing.is_empty() {
            return Err(spelling::missing_error(&self.dictionaries.missing));
        }
        spelling::words(&self.dictionaries, self.cache.as_deref()).map(Some)
    }

    #[cfg(not(feature = "language"))]
    fn spelling_words(&self) -> Result<Option<SpellWords>> {
        Ok(None)
    }

    /// The settings.
    pub fn settings(&self) -> &Editorial {
        &self.settings
    }

    fn on(&self, code: &str) -> bool {
        self.settings.severity(code) != Severity::Off
    }

    /// The findings of the article `bytes` (`file` names it in errors), memoized by
    /// its text in `memo` when given. An article that does not parse is an error, as
    /// for every other command.
    pub fn lint(
        &self,
        bytes: &[u8],
        file: &Path,
        memo: Option<&medreview_core::memo::Memo>,
    ) -> Result<Vec<Finding>> {
        self.lint_graded(bytes, file, memo).map(|l| l.findings)
    }

    /// [`Linter::lint`] with the article's reading grade.
    pub fn lint_graded(
        &self,
        bytes: &[u8],
        file: &Path,
        memo: Option<&medreview_core::memo::Memo>,
    ) -> Result<Linted> {
        let memo_key = memo.map(|_| self.memo_key(bytes));
        if let (Some(memo), Some(key)) = (memo, &memo_key)
            && let Some(found) = memo.summary::<Linted>(key)
        {
            return Ok(found);
        }
        let article = Article::parse(bytes, file)?;
        let words = self.spelling_words()?;
        let linted = self.lint_article(&article, bytes, words.as_deref());
        if let (Some(memo), Some(key)) = (memo, &memo_key) {
            memo.keep_summary(key, &linted);
        }
        Ok(linted)
    }

    fn lint_article(
        &self,
        article: &Article,
        bytes: &[u8],
        words: Option<&<SpellWords as std::ops::Deref>::Target>,
    ) -> Linted {
        let text = String::from_utf8_lossy(bytes);
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or(&text)
            .replace("\r\n", "\n");
        let body_start = text.len() - article.body.len();
        let body_first_line = text[..body_start].matches('\n').count() + 1;
        let body = &article.body;
        let prose = prose::read(body);
        let mut found = prose.found;
        if article.front.sources.is_empty() {
            found.push(Found::on_line(
                "sources",
                1,
                "the article has no sources: add `sources:` to the front matter, each with a title and an https:// url"
                    .to_owned(),
            ));
        }
        // Each source's `url:` line, in order: the first after the previous source's
        // whose value is exactly its address (one address can start another).
        let front_lines: Vec<&str> = text[..body_start].lines().collect();
        let mut after = 0;
        for source in &article.front.sources {
            let url_line = front_lines.iter().enumerate().skip(after).find(|(_, l)| {
                let value = l.trim_start().trim_start_matches("- ").trim_start();
                value.strip_prefix("url:").is_some_and(|v| {
                    let v = v.trim();
                    v.trim_matches(|c| c == '"' || c == '\'') == source.url
                })
            });
            let line = match url_line {
                Some((i, _)) => {
                    after = i + 1;
                    i + 1
                }
                None => 1,
            };
            if let Some(why) = prose::address_problem(&source.url) {
                found.push(Found::on_line(
                    "link",
                    line,
                    format!("source {:?}: {why}", source.title),
                ));
            }
        }
        if self.on("unsourced-claim") {
            rules::unsourced_claims(
                &prose.blocks,
                &rules::source_names(&article.front.sources),
                &mut found,
            );
        }
        let place = |at: usize| {
            let (line, column) = line_column(body, at);
            format!("line {}:{column}", line + body_first_line - 1)
        };
        if self.on("near-duplicate") {
            rules::near_duplicates(&prose.blocks, &mut found, place);
        }
        let reading = if self.on("reading-grade") {
            let target = self.settings.reading_grade.unwrap_or(DEFAULT_READING_GRADE);
            let reading = Reading::of(
                article.front.summary.as_deref(),
                &prose.blocks,
                prose.images,
                target,
            );
            if let Some(reading) = &reading {
                let summary_line = front_lines
                    .iter()
                    .position(|l| l.starts_with("summary:"))
                    .map_or(1, |i| i + 1);
                rules::reading_grade(reading, &prose.blocks, summary_line, &mut found);
            }
            reading
        } else {
            None
        };
        found.extend(language::check(
            &prose.blocks,
            &language::Options {
                spelling: words,
                grammar: self.on("grammar"),
                allowed: &self.allowed,
                rules_off: &self.settings.grammar_off,
            },
        ));
        let mut findings: Vec<Finding> = found
            .into_iter()
            .filter_map(|f| {
                let severity = self.settings.severity(f.code);
                if severity == Severity::Off {
                    return None;
                }
                let (line, column) = match (f.at, f.line) {
                    (Some(at), _) => {
                        let (l, c) = line_column(body, at);
                        (l + body_first_line - 1, c)
                    }
                    (None, line) => (line.unwrap_or(1), 1),
                };
                Some(Finding {
                    code: f.code.to_owned(),
                    severity,
                    line,
                    column,
                    offset: f.at,
                    message: f.message,
                })
            })
            .collect();
        let order = |code: &str| RULES.iter().position(|r| r.code == code);
        findings.sort_by(|a, b| {
            (a.line, a.column, order(&a.code)).cmp(&(b.line, b.column, order(&b.code)))
        });
        findings.dedup();
        Linted { findings, reading }
    }
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The text the reading grade is counted on (see [`readability`]), for feeding other
/// tools: the article `text`'s summary and graded blocks, one a line.
pub fn graded_text(text: &str) -> Result<String> {
    let article = Article::parse(text.as_bytes(), Path::new("article.md"))?;
    Ok(readability::graded_text(
        article
            .front
            .summary
            .as_deref()
            .filter(|s| !s.trim().is_empty()),
        &prose::read(&article.body).blocks,
    ))
}

/// The reading grade of the article `text` against the default target, as
/// `reading-grade` counts it; `None` when nothing graded has a word.
pub fn reading(text: &str) -> Result<Option<Reading>> {
    let article = Article::parse(text.as_bytes(), Path::new("article.md"))?;
    let prose = prose::read(&article.body);
    Ok(Reading::of(
        article.front.summary.as_deref(),
        &prose.blocks,
        prose.images,
        DEFAULT_READING_GRADE,
    ))
}
