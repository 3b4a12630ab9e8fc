//! Editorial rules: what a reader would see is wrong, found before a doctor signs.
//!
//! Each rule has a stable code and a severity that `medreview.yaml`'s `editorial:`
//! section can change (`error`, `warning`, `info`, `off`). The one function
//! [`Linter::lint`] decides for `lint`, `submit` (refuses on errors), `approve`
//! (refuses while the revision has errors), `check --lint` and `status --json`.
//! Results are memoized by article text and settings, so a run costs only the
//! articles that changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::article::Article;
use crate::check::Problem;
use crate::error::{Error, Result};

mod language;
pub mod prose;
pub mod readability;
pub mod rules;

/// The workspace word list for `spelling`: one word a line, `#` starts a comment.
pub const DICTIONARY_FILE: &str = "dictionary.txt";

/// The default reading-grade target (NIH and AMA guidance for patient material).
pub const DEFAULT_READING_GRADE: f64 = 8.0;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `submit` and `approve` refuse; `lint` and `check --lint` exit 1.
    Error,
    /// Shown by `submit` and `approve`, counted by `status --json` and `check --lint`.
    Warning,
    /// Shown by `lint` only: the sign-off commands, `status` and `check` do not run
    /// these rules (harper's spelling and grammar cost about a second to load).
    Info,
    /// The rule does not run.
    Off,
}

impl Severity {
    /// Its name in settings and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Off => "off",
        }
    }
}

/// A rule: its code, default severity and what it finds.
pub struct Rule {
    /// The stable code.
    pub code: &'static str,
    /// Its severity unless `editorial.severity` says otherwise.
    pub default: Severity,
    /// One line on what it finds.
    pub about: &'static str,
}

/// Every rule, in the order findings are listed for one place.
pub const RULES: &[Rule] = &[
    Rule {
        code: "empty-list",
        default: Severity::Error,
        about: "a paragraph that announces a list (ends with a colon) followed by none; an empty list item",
    },
    Rule {
        code: "alt-text",
        default: Severity::Error,
        about: "an image without alt text",
    },
    Rule {
        code: "link",
        default: Severity::Warning,
        about: "a link or source address that is not https, or a link with no text",
    },
    Rule {
        code: "sources",
        default: Severity::Warning,
        about: "an article with no sources in its front matter",
    },
    Rule {
        code: "unsourced-claim",
        default: Severity::Warning,
        about: "a statistic (percentage, \"N times\", \"1 in N\", rate, dose) in a paragraph that cites nothing",
    },
    Rule {
        code: "near-duplicate",
        default: Severity::Warning,
        about: "two sentences of one article that say the same thing nearly word for word",
    },
    Rule {
        code: "reading-grade",
        default: Severity::Warning,
        about: "a Flesch–Kincaid grade of the body above the target (default 8)",
    },
    Rule {
        code: "headings",
        default: Severity::Warning,
        about: "a heading that skips a level, or a level-1 heading in the body",
    },
    Rule {
        code: "spelling",
        default: Severity::Info,
        about: "a word neither harper's dictionary nor dictionary.txt knows",
    },
    Rule {
        code: "grammar",
        default: Severity::Info,
        about: "harper-core's grammar and style rules",
    },
];

/// The rule with `code`.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// The `editorial:` section of `medreview.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Editorial {
    /// Severity by rule code (`error`, `warning`, `info`, `off`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, Severity>,
    /// The Flesch–Kincaid grade the body should not exceed (default 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading_grade: Option<f64>,
    /// Words `spelling` accepts, beside `dictionary.txt`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_words: Vec<String>,
    /// harper-core rules to leave out, by name (`OxfordComma`); `lint` names the rule
    /// of each grammar finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grammar_off: Vec<String>,
}

impl Editorial {
    /// Whether nothing is set.
    pub fn is_default(&self) -> bool {
        *self == Editorial::default()
    }

    /// Refuses an unknown code or an impossible target; `file` names the settings.
    pub fn validate(&self, file: &Path) -> Result<()> {
        for code in self.severity.keys() {
            if rule(code).is_none() {
                let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
                return Err(Error::refused_with_hint(
                    format!(
                        "{}: editorial.severity names the rule `{code}`, which does not exist",
                        file.display()
                    ),
                    format!("the rules are: {}", codes.join(", ")),
                ));
            }
        }
        if let Some(grade) = self.reading_grade
            && !(grade.is_finite() && (1.0..=20.0).contains(&grade))
        {
            return Err(Error::refused_with_hint(
                format!("{}: editorial.reading_grade is {grade}", file.display()),
                "give a school grade between 1 and 20; 8 is the usual target for patient material",
            ));
        }
        Ok(())
    }

    /// The severity of `code`.
    pub fn severity(&self, code: &str) -> Severity {
        self.severity
            .get(code)
            .copied()
            .or_else(|| rule(code).map(|r| r.default))
            .unwrap_or(Severity::Warning)
    }
}

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
        use crate::plural::plural;
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
    /// A digest of everything above and of this build, for the memo.
    key: String,
}

impl Linter {
    /// The linter of `settings`, with the words of `dictionary` (the text of
    /// `dictionary.txt`, if any).
    pub fn new(settings: &Editorial, dictionary: Option<&str>) -> Linter {
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
        let key = crate::memo::key(&["lint-1", &parts.join("\n")]);
        Linter {
            settings: settings.clone(),
            allowed,
            key,
        }
    }

    /// The linter of the workspace: the `editorial:` section of `medreview.yaml` as
    /// the roster's record holds it once the roster is audited (as an admin recorded
    /// it, so a writer's commit that turns a rule off does not turn it off for the
    /// reviewer), else as the working tree has it; and the working tree's
    /// `dictionary.txt`.
    pub fn for_workspace(ws: &crate::workspace::Workspace) -> Result<Linter> {
        let people = ws.people()?;
        let editorial = people
            .current()
            .config
            .as_ref()
            .map_or_else(|| ws.config.editorial.clone(), |c| c.editorial.clone());
        let path = ws.path(DICTIONARY_FILE);
        let dictionary = match std::fs::read(&path) {
            Ok(bytes) => Some(crate::source::decode_utf8(bytes, &path, "the word list")?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        Ok(Linter::new(&editorial, dictionary.as_deref()))
    }

    /// The same rules without those at `info`: what the sign-off commands, `status`
    /// and `check --lint` judge by. Errors and warnings are the same as `lint`'s.
    pub fn gates(&self) -> Linter {
        let mut settings = self.settings.clone();
        for rule in RULES {
            if settings.severity(rule.code) == Severity::Info {
                settings
                    .severity
                    .insert(rule.code.to_owned(), Severity::Off);
            }
        }
        let dictionary: Vec<String> = self.allowed.iter().cloned().collect();
        Linter::new(&settings, Some(&dictionary.join("\n")))
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
        memo: Option<&crate::memo::Memo>,
    ) -> Result<Vec<Finding>> {
        let memo_key = memo.map(|_| self.memo_key(bytes));
        if let (Some(memo), Some(key)) = (memo, &memo_key)
            && let Some(found) = memo.summary::<Vec<Finding>>(key)
        {
            return Ok(found);
        }
        let article = Article::parse(bytes, file)?;
        let findings = self.lint_article(&article, bytes);
        if let (Some(memo), Some(key)) = (memo, &memo_key) {
            memo.keep_summary(key, &findings);
        }
        Ok(findings)
    }

    fn lint_article(&self, article: &Article, bytes: &[u8]) -> Vec<Finding> {
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
        if self.on("reading-grade") {
            let target = self.settings.reading_grade.unwrap_or(DEFAULT_READING_GRADE);
            rules::reading_grade(&prose.blocks, target, &mut found);
        }
        found.extend(language::check(
            &prose.blocks,
            &language::Options {
                spelling: self.on("spelling"),
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
        findings
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

/// The text the reading grade is computed on, for comparing with other tools.
pub fn readable_text(body: &str) -> String {
    rules::readable_text(&prose::read(body).blocks)
}

/// The reading grade of a body, as `reading-grade` computes it.
pub fn reading_grade(body: &str) -> Option<f64> {
    readability::count(&readable_text(body)).grade()
}

/// One article to lint: its slug and the text of its `article.md`.
pub struct Input {
    /// The slug.
    pub slug: crate::ids::Id,
    /// The file, workspace-relative.
    pub file: String,
    /// Its bytes, or why they could not be read.
    pub bytes: Result<Vec<u8>>,
}

/// What linting one article gave.
pub struct Output {
    /// The slug.
    pub slug: crate::ids::Id,
    /// The file, workspace-relative.
    pub file: String,
    /// The findings, or why the article could not be linted.
    pub findings: Result<Vec<Finding>>,
}

impl Linter {
    /// Lints every input: what the memo knows is taken from it, the rest is linted
    /// on every core and kept in the memo. `root` is the workspace folder (errors
    /// name files under it).
    pub fn lint_all(
        &self,
        inputs: Vec<Input>,
        root: &Path,
        memo: &crate::memo::Memo,
    ) -> Vec<Output> {
        use rayon::prelude::*;
        let keyed: Vec<(Input, Option<String>, Option<Vec<Finding>>)> = inputs
            .into_iter()
            .map(|input| {
                let key = input.bytes.as_ref().ok().map(|b| self.memo_key(b));
                let known = key.as_ref().and_then(|k| memo.summary::<Vec<Finding>>(k));
                (input, key, known)
            })
            .collect();
        let done: Vec<(Output, Option<String>, bool)> = keyed
            .into_par_iter()
            .map(|(input, key, known)| {
                let fresh = known.is_none();
                let findings = match (known, input.bytes) {
                    (Some(found), _) => Ok(found),
                    (None, Ok(bytes)) => self.lint(&bytes, &root.join(&input.file), None),
                    (None, Err(e)) => Err(e),
                };
                (
                    Output {
                        slug: input.slug,
                        file: input.file,
                        findings,
                    },
                    key,
                    fresh,
                )
            })
            .collect();
        done.into_iter()
            .map(|(output, key, fresh)| {
                if fresh && let (Some(key), Ok(found)) = (key, &output.findings) {
                    memo.keep_summary(&key, found);
                }
                output
            })
            .collect()
    }

    fn memo_key(&self, bytes: &[u8]) -> String {
        let blob = crate::gitstore::GitStore::blob_id(bytes);
        crate::memo::key(&["lint-1", &self.key, blob.as_str()])
    }
}

/// The working-tree text of each article in `slugs` (every article when `None`),
/// with the slugs that could not be listed as errors.
pub fn working_inputs(
    ws: &crate::workspace::Workspace,
    slugs: Option<Vec<crate::ids::Id>>,
) -> Result<(Vec<Input>, Vec<Error>)> {
    let mut errors = Vec::new();
    let slugs = match slugs {
        Some(s) => s,
        None => ws
            .article_slugs()?
            .into_iter()
            .filter_map(|s| s.map_err(|e| errors.push(e)).ok())
            .collect(),
    };
    let inputs = slugs
        .into_iter()
        .map(|slug| {
            let file = crate::workspace::Workspace::article_rel(&slug);
            let path = ws.path(&file);
            let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e));
            Input { slug, file, bytes }
        })
        .collect();
    Ok((inputs, errors))
}

/// The most findings a sign-off command lists one by one; `lint` lists them all.
pub const LISTED: usize = 10;

/// The gate of a sign-off: refuses when `findings` (of the text in `file`, workspace-
/// relative) has errors, listing each; otherwise the lines to warn with.
/// `refusal` says what was refused ("cannot submit"), `fix` how to go on.
pub fn gate(findings: &[Finding], file: &str, refusal: &str, fix: &str) -> Result<Vec<String>> {
    let errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    let place = |f: &Finding| {
        format!(
            "{file}:{}:{}: {}: {} [{}]",
            f.line,
            f.column,
            f.severity.as_str(),
            f.message,
            f.code
        )
    };
    if !errors.is_empty() {
        let mut text = format!(
            "{refusal}: the editorial check found {}:",
            crate::plural::plural(errors.len(), "error", "errors")
        );
        for f in errors.iter().take(LISTED) {
            text.push_str("\n  ");
            text.push_str(&place(f));
        }
        if errors.len() > LISTED {
            text.push_str(&format!("\n  … and {} more", errors.len() - LISTED));
        }
        return Err(Error::refused_with_hint(text, fix.to_owned()));
    }
    let warnings: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    let mut lines: Vec<String> = warnings.iter().take(LISTED).map(|f| place(f)).collect();
    let counts = Counts::of(findings);
    let unlisted = Counts {
        warnings: warnings.len().saturating_sub(LISTED),
        ..counts
    };
    if unlisted.warnings > 0 || unlisted.infos > 0 {
        lines.push(format!(
            "the editorial check also found {}; `medreview lint` lists every finding",
            Counts {
                errors: 0,
                ..unlisted
            }
            .describe()
        ));
    }
    Ok(lines)
}
