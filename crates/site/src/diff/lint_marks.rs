//! Lint findings shown where they are: marks in a preview's text and on the HTML
//! redline's blocks, and a compact panel listing the findings shown. All of it is
//! markup medreview writes around the writer's sanitized text, with every text
//! escaped; published pages never carry it.
//!
//! What the doctor sees first is the article: the panel is one summary line, its
//! list folded (`<details>`); the marks are coloured wavy underlines with the
//! rule's code on hover, nothing like a footnote reference; each finding in the
//! list is located by its quoted words and links to its mark. Which findings show
//! is a [`LintLevel`]: errors and warnings by default, infos (spelling and
//! grammar, unless the workspace raises them) only with `All`.

use std::path::Path;

use crate::diff::blocks::Shown;
use crate::diff::redline_blocks::BlockMark;
use crate::render::escape_html;
use crate::render::marks::{self, Pin, Scope};
use medreview_core::error::Result;
use medreview_lint::{Finding, Linter, Severity};

/// Which lint findings a preview or an HTML redline shows, by their severity in
/// the workspace's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LintLevel {
    /// None: no lint runs, and the page has no panel and no marks.
    None,
    /// Errors only.
    Errors,
    /// Errors and warnings (the default): rules at `info` do not run.
    #[default]
    Warnings,
    /// Every finding, infos too.
    All,
}

impl LintLevel {
    /// Its name as `--lint` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LintLevel::None => "none",
            LintLevel::Errors => "errors",
            LintLevel::Warnings => "warnings",
            LintLevel::All => "all",
        }
    }

    /// Whether findings of `severity` are shown.
    pub fn shows(self, severity: Severity) -> bool {
        match self {
            LintLevel::None => false,
            LintLevel::Errors => severity == Severity::Error,
            LintLevel::Warnings => matches!(severity, Severity::Error | Severity::Warning),
            LintLevel::All => severity != Severity::Off,
        }
    }

    /// The findings shown of the article `bytes` (`file` names it in errors), by
    /// the workspace's rules; `None` when no lint runs. Rules at `info` run only
    /// for `All` (harper's spelling and grammar load in about a second).
    pub fn findings(
        self,
        ws: &medreview_core::workspace::Workspace,
        bytes: &[u8],
        file: &Path,
    ) -> Result<Option<Vec<Finding>>> {
        if self == LintLevel::None {
            return Ok(None);
        }
        let linter = Linter::for_workspace(ws)?;
        let linter = match self {
            LintLevel::All => linter,
            _ => linter.without_info(),
        };
        let mut findings = linter.lint(bytes, file, None)?;
        findings.retain(|f| self.shows(f.severity));
        Ok(Some(findings))
    }

    /// What the panel says of the findings it leaves out.
    fn left_out(self) -> &'static str {
        match self {
            LintLevel::Errors => {
                " Warnings and infos are not shown: <code>--lint warnings</code> adds warnings, <code>--lint all</code> everything."
            }
            LintLevel::Warnings => {
                " Infos (spelling and grammar, unless the workspace raises them) are not shown: <code>--lint all</code> adds them."
            }
            _ => "",
        }
    }
}

/// The style of the marks and the panel, for a page's own style block.
pub const CSS: &str = "\
mark.medreview-lint { color: inherit; background: #fff6d6; text-decoration: underline wavy #b54708; text-decoration-thickness: 1.5px; text-underline-offset: 0.22em; text-decoration-skip-ink: none; padding: 0; border-radius: 2px; }
mark.medreview-lint-error { background: #ffd9cf; text-decoration-color: #c4320a; }
mark.medreview-lint-info { background: #eaf1ff; text-decoration-style: dotted; text-decoration-color: #2f5bd3; }
mark.medreview-lint:empty::before { content: \"(empty)\"; font: italic 0.85em system-ui, sans-serif; }
mark.medreview-lint:target { outline: 2px solid #1d2a33; outline-offset: 1px; }
mark.medreview-lint mark.medreview-lint { background: transparent; }
.medreview-lint-panel { font: 0.9rem/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: #1d2a33; background: #fffaf0; border: 1px solid #e3b98f; border-left: 4px solid #b54708; border-radius: 4px; margin: 0.5rem auto; padding: 0.3rem 0.8rem; max-width: 46rem; text-align: left; }
.medreview-lint-panel.medreview-lint-clean { border-left-color: #116b3a; background: #f3fbf6; border-color: #b9dec8; }
.medreview-lint-panel > summary { cursor: pointer; }
.medreview-lint-panel .medreview-lint-show { color: #55636e; }
.medreview-lint-panel[open] .medreview-lint-show { display: none; }
.medreview-lint-panel p { margin: 0.3rem 0; color: #55636e; }
.medreview-lint-panel ol { margin: 0.3rem 0 0.2rem; padding-left: 1.6rem; max-height: 60vh; overflow-y: auto; }
.medreview-lint-panel li { margin: 0.15rem 0; }
.medreview-lint-panel .medreview-lint-severity { display: inline-block; min-width: 4.2rem; font-weight: 700; text-transform: uppercase; font-size: 0.72rem; letter-spacing: 0.04em; }
.medreview-lint-panel li.medreview-lint-error .medreview-lint-severity { color: #c4320a; }
.medreview-lint-panel li.medreview-lint-warning .medreview-lint-severity { color: #b54708; }
.medreview-lint-panel li.medreview-lint-info .medreview-lint-severity { color: #2f5bd3; }
.medreview-lint-panel .medreview-lint-where { color: #55636e; }
@media print { .medreview-lint-panel { max-width: none; } .medreview-lint-panel ol { max-height: none; overflow: visible; } mark.medreview-lint { background: transparent; } }
";

/// How much of the text a finding of `code` is about.
fn scope(code: &str) -> Scope {
    match code {
        "spelling" | "grammar" => Scope::Word,
        "reading-grade" | "headings" => Scope::Block,
        _ => Scope::Sentence,
    }
}

fn class(severity: Severity) -> String {
    format!("medreview-lint-{}", severity.as_str())
}

/// Where a finding shows on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Marked in the text, with the mark's id.
    Marked(Option<String>),
    /// In the front matter, which the text does not show.
    FrontMatter,
    /// In a part of the text the page does not show, or where no mark fits (raw HTML).
    NotShown,
}

/// The id of finding `n`'s mark on a page.
fn mark_id(n: usize) -> String {
    format!("medreview-lint-at-{n}")
}

/// The ids of the panel's code and message of finding `n`, which describe its mark.
fn described_by(n: usize) -> String {
    format!("medreview-lint-code-{n} medreview-lint-note-{n}")
}

/// The markup that opens finding `i`'s mark (its code in `data-code` and on hover).
fn mark_open(i: usize, f: &Finding) -> String {
    let n = i + 1;
    format!(
        "<mark class=\"medreview-lint {}\" id=\"{}\" data-code=\"{}\" title=\"{}\" aria-describedby=\"{}\">",
        class(f.severity),
        mark_id(n),
        escape_html(&f.code),
        escape_html(&format!("{}: {}", f.code, f.message)),
        described_by(n)
    )
}

/// Where a finding's mark goes: the statistic's own words for `unsourced-claim`
/// when they can be told, else its scope.
fn exact_scope(body: &str, f: &Finding) -> Option<(usize, Scope)> {
    let at = f.offset?;
    if f.code == "unsourced-claim"
        && let Some((start, end)) = statistic_span(body, at)
    {
        return Some((start, Scope::Until(end)));
    }
    Some((at, scope(&f.code)))
}

/// The words of the statistic in the sentence starting at byte `at` of `body`
/// ("20 percent of breast cancers"): the shortest run of words that states it,
/// and what it is of (`of` and up to three more words, to the first verb-like word
/// or punctuation).
pub(crate) fn statistic_span(body: &str, at: usize) -> Option<(usize, usize)> {
    let rest = body.get(at..)?;
    let mut end = rest.len().min(600);
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    let rest = &rest[..end];
    let sentence_end = [". ", ".\n", "? ", "?\n", "! ", "!\n", "\n\n"]
        .iter()
        .filter_map(|p| rest.find(p).map(|i| i + 1))
        .min()
        .unwrap_or(rest.len());
    let sentence = &rest[..sentence_end];
    // The words with their byte ranges in `sentence`.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in sentence.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, sentence.len()));
    }
    let states = |from: usize, to: usize| {
        medreview_lint::rules::statistic(&sentence[words[from].0..words[to].1]).is_some()
    };
    // The first statistic, as the rule reads left to right: the fewest words from
    // the start that state one, then the fewest of those at their end.
    let last = words.len().checked_sub(1)?;
    let mut until = (0..=last).find(|&j| states(0, j))?;
    let first = (0..=until).rev().find(|&i| states(i, until))?;
    let bare = |w: (usize, usize)| {
        sentence[w.0..w.1]
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    // Punctuation ends what a statistic is of, and so does the writer's own markup.
    let ends_clause = |w: (usize, usize)| {
        let word = &sentence[w.0..w.1];
        word[visible_start(word)..].contains('<')
            || word.ends_with(|c: char| ",;:.!?)\"".contains(c))
    };
    let of = if bare(words[until]) == "of" {
        Some(until)
    } else if !ends_clause(words[until]) && words.get(until + 1).is_some_and(|&w| bare(w) == "of") {
        Some(until + 1)
    } else {
        None
    };
    if let Some(of) = of.filter(|&of| !ends_clause(words[of])) {
        let mut j = of;
        while j - of < 3
            && let Some(&w) = words.get(j + 1)
            && !STOP.contains(&bare(w).as_str())
        {
            j += 1;
            if ends_clause(w) {
                break;
            }
        }
        if j > of {
            until = j;
        }
    }
    let from = words[first].0 + visible_start(&sentence[words[first].0..words[first].1]);
    let to = words[until].0 + visible_end(&sentence[words[until].0..words[until].1]);
    (from < to).then_some((at + from, at + to))
}

/// Where the text of `word` starts: after punctuation and inline HTML tags (`<b>50%`).
fn visible_start(word: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &word[at..];
        if rest.starts_with('<')
            && let Some(end) = rest.find('>')
        {
            at += end + 1;
            continue;
        }
        match rest.chars().next() {
            Some(c) if !c.is_alphanumeric() => at += c.len_utf8(),
            _ => return at,
        }
    }
}

/// Where the text of `word` ends: before punctuation and inline HTML tags
/// (`staff</b>.`), a percent sign kept.
fn visible_end(word: &str) -> usize {
    let mut end = word.len();
    loop {
        let rest = &word[..end];
        if rest.ends_with('>')
            && let Some(open) = rest.rfind('<')
        {
            end = open;
            continue;
        }
        match rest.chars().next_back() {
            Some(c) if !c.is_alphanumeric() && c != '%' => end -= c.len_utf8(),
            _ => return end,
        }
    }
}

/// Words that end what a statistic is "of": verbs and the words that start a clause.
const STOP: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "have", "has", "had", "will", "would", "can",
    "could", "may", "might", "should", "do", "does", "did", "get", "gets", "got", "who", "which",
    "that", "with", "in", "on", "at", "for", "by", "from", "to", "and", "or", "but", "if", "when",
    "because", "after", "before", "than", "also", "live", "lives", "need", "needs", "develop",
    "die", "survive",
];

/// A preview's body: `body` rendered as pages render it, each finding marked in
/// place; where each finding is, and its quoted words.
pub(crate) fn preview_body(body: &str, findings: &[Finding]) -> (String, Vec<Place>) {
    let (html, places, _) = preview_body_with(body, findings, Vec::new());
    (html, places)
}

/// [`preview_body`] with `extra` pins (review comments) marked too; and which of
/// those were placed.
pub(crate) fn preview_body_with(
    body: &str,
    findings: &[Finding],
    extra: Vec<Pin>,
) -> (String, Vec<Place>, Vec<bool>) {
    let mut scopes: Vec<Option<(usize, Scope)>> =
        findings.iter().map(|f| exact_scope(body, f)).collect();
    let (html, placed, of_pin) = render_marked(body, findings, &scopes, &extra);
    // Exact words that would cut the page's markup: the sentence instead.
    let mut retry = false;
    for (pin, &i) in of_pin.iter().enumerate() {
        if let Some((_, Scope::Until(_))) = scopes[i]
            && placed.get(pin) != Some(&true)
        {
            scopes[i] = findings[i].offset.map(|at| (at, scope(&findings[i].code)));
            retry = true;
        }
    }
    let (html, placed, of_pin) = if retry {
        render_marked(body, findings, &scopes, &extra)
    } else {
        (html, placed, of_pin)
    };
    let lint = of_pin.len();
    let mut places: Vec<Place> = findings
        .iter()
        .map(|f| match f.offset {
            Some(_) => Place::NotShown,
            None => Place::FrontMatter,
        })
        .collect();
    for (pin, i) in of_pin.into_iter().enumerate() {
        if placed.get(pin) == Some(&true) {
            places[i] = Place::Marked(Some(mark_id(i + 1)));
        }
    }
    let extra_placed = placed.get(lint..).unwrap_or_default().to_vec();
    (html, places, extra_placed)
}

/// The body with the findings' marks at `scopes` and the `extra` pins; which pins
/// were placed; and the finding of each lint pin.
fn render_marked(
    body: &str,
    findings: &[Finding],
    scopes: &[Option<(usize, Scope)>],
    extra: &[Pin],
) -> (String, Vec<bool>, Vec<usize>) {
    let mut pins = Vec::new();
    let mut of_pin = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if let Some((at, scope)) = scopes[i] {
            pins.push(Pin {
                at,
                scope,
                open: mark_open(i, f),
                close: "</mark>".to_owned(),
            });
            of_pin.push(i);
        }
    }
    pins.extend(extra.iter().map(|p| Pin {
        at: p.at,
        scope: p.scope,
        open: p.open.clone(),
        close: p.close.clone(),
    }));
    let (html, placed) = marks::markdown_to_html_marked(body, &pins);
    (html, placed, of_pin)
}

/// The words each finding is about, as the page shows them: the text of its mark
/// in `html` (a preview body rendered by [`preview_body`]), else the words at its
/// place in the Markdown `body`; none for the front matter. Plain text, shortened.
pub(crate) fn quotes(
    html: &str,
    body: &str,
    findings: &[Finding],
    places: &[Place],
) -> Vec<Option<String>> {
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let marked = match places.get(i) {
                Some(Place::Marked(Some(id))) => marked_text(html, id),
                _ => None,
            };
            let text = marked
                .filter(|t| !t.trim().is_empty())
                .or_else(|| source_words(body, f.offset?, scope(&f.code)))?;
            shorten(&text)
        })
        .collect()
}

/// The text inside the mark with `id` in sanitized `html`, entities decoded.
fn marked_text(html: &str, id: &str) -> Option<String> {
    let needle = format!(" id=\"{id}\"");
    let at = html.find(&needle)?;
    let open_end = at + tag_end(&html[at..])?;
    let mut depth = 1usize;
    let mut aside = 0usize;
    let mut text = String::new();
    let mut rest = &html[open_end..];
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = tag_end(rest)?;
                let tag = rest[1..end].to_ascii_lowercase();
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                let closing = tag.starts_with('/');
                match (name.as_str(), closing) {
                    ("mark", false) => depth += 1,
                    ("mark", true) => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ("aside", false) => aside += 1,
                    ("aside", true) => aside = aside.saturating_sub(1),
                    ("br", _) | ("p", _) | ("li", _) => text.push(' '),
                    _ => {}
                }
                rest = &rest[end..];
            }
            Some(n) => {
                if aside == 0 {
                    text.push_str(&rest[..n]);
                }
                rest = &rest[n..];
            }
            None => {
                if aside == 0 {
                    text.push_str(rest);
                }
                rest = "";
            }
        }
    }
    Some(decode_entities(&text))
}

/// The byte just after the `>` that ends the tag `html` starts with, across quoted
/// attribute values.
fn tag_end(html: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in html.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// `text` with the character references a sanitizer writes decoded.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let n = match name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => name.strip_prefix('#')?.parse().ok()?,
                    };
                    char::from_u32(n)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The words at byte `at` of the Markdown `body`, for a finding with no mark: the
/// word, or the rest of its line up to the sentence's end; Markdown's marks dropped.
fn source_words(body: &str, at: usize, scope: Scope) -> Option<String> {
    let rest = body.get(at..)?;
    let line = rest.split('\n').next().unwrap_or("");
    let text = match scope {
        Scope::Word => line.split(|c: char| c.is_whitespace()).next().unwrap_or(""),
        _ => {
            let end = [". ", "? ", "! "]
                .iter()
                .filter_map(|p| line.find(p).map(|i| i + 1))
                .min()
                .unwrap_or(line.len());
            &line[..end]
        }
    };
    let text: String = text
        .trim_start_matches(|c: char| "#>-+* \t".contains(c))
        .chars()
        .filter(|c| !"*_`".contains(*c))
        .collect();
    Some(text)
}

/// How many characters of a finding's words the panel quotes.
const QUOTE_CHARS: usize = 60;

/// `text` on one line, cut at a word to about [`QUOTE_CHARS`] characters.
fn shorten(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (k, w) in words.iter().enumerate() {
        let len = out.chars().count() + w.chars().count() + usize::from(k > 0);
        if len > QUOTE_CHARS && k > 0 {
            out.push('…');
            return Some(out);
        }
        if k > 0 {
            out.push(' ');
        }
        if len > QUOTE_CHARS {
            out.extend(w.chars().take(QUOTE_CHARS));
            out.push('…');
            return Some(out);
        }
        out.push_str(w);
    }
    Some(out)
}

/// The HTML redline's marks: one per shown block holding findings of the new side.
pub struct RedlineMarks {
    /// By index in the shown parts.
    pub blocks: Vec<Option<BlockMark>>,
    /// The findings panel; none with [`LintLevel::None`].
    pub panel: Option<String>,
}

/// Marks the `findings` of the new side (`new`, the bytes of `file`) on the shown
/// parts of a rendered redline; `what` names the side in the panel, `level` says
/// which findings were kept.
pub fn redline(
    new: &[u8],
    file: &Path,
    findings: &[Finding],
    shown: &[Shown],
    what: &str,
    level: LintLevel,
) -> Result<RedlineMarks> {
    if level == LintLevel::None {
        return Ok(RedlineMarks {
            blocks: vec![None; shown.len()],
            panel: None,
        });
    }
    let article = medreview_core::article::Article::parse(new, file)?;
    let text = String::from_utf8_lossy(&medreview_core::article::normalize_eol(new)).into_owned();
    let compared =
        medreview_core::article::split_front_matter(&text).map_or(text.as_str(), |s| s.1);
    let new_index = crate::diff::blocks::new_side_index(shown);
    let places: Vec<(usize, Scope)> = findings
        .iter()
        .filter_map(|f| f.offset.map(|at| (at, Scope::Block)))
        .collect();
    let blocks_of = if compared == article.body && crate::diff::blocks::any_change(shown) {
        marks::block_of_places(&article.body, &places)
    } else {
        vec![None; places.len()]
    };
    let mut part_of: Vec<Option<usize>> = Vec::with_capacity(findings.len());
    let mut next = 0;
    for f in findings {
        if f.offset.is_none() {
            part_of.push(None);
            continue;
        }
        let block = blocks_of.get(next).copied().flatten();
        next += 1;
        part_of.push(block.and_then(|b| new_index.iter().position(|&n| n == Some(b))));
    }
    // Each part's findings, in order; the mark's id is its first finding's.
    let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); shown.len()];
    for (i, part) in part_of.iter().enumerate() {
        if let Some(p) = part {
            by_part[*p].push(i);
        }
    }
    let where_: Vec<Place> = findings
        .iter()
        .zip(&part_of)
        .map(|(f, part)| match (f.offset, part) {
            (None, _) => Place::FrontMatter,
            (Some(_), Some(p)) => Place::Marked(by_part[*p].first().map(|&i| mark_id(i + 1))),
            (Some(_), None) => Place::NotShown,
        })
        .collect();
    let blocks = by_part
        .into_iter()
        .map(|list| {
            let worst = list.iter().map(|&i| findings[i].severity).min()?;
            let title: Vec<String> = list
                .iter()
                .map(|&i| format!("{}: {}", findings[i].code, findings[i].message))
                .collect();
            let mut codes: Vec<&str> = list.iter().map(|&i| findings[i].code.as_str()).collect();
            codes.dedup();
            let described: Vec<String> = list.iter().map(|&i| described_by(i + 1)).collect();
            Some(BlockMark {
                open: format!(
                    "<mark class=\"medreview-lint {}\" id=\"{}\" data-code=\"{}\" title=\"{}\" aria-describedby=\"{}\">",
                    class(worst),
                    mark_id(list[0] + 1),
                    escape_html(&codes.join(" ")),
                    escape_html(&title.join("\n")),
                    described.join(" ")
                ),
                close: "</mark>".to_owned(),
            })
        })
        .collect();
    // The quoted words, as the new side's page shows them.
    let (body_html, body_places) = preview_body(&article.body, findings);
    let quoted = quotes(&body_html, &article.body, findings, &body_places);
    Ok(RedlineMarks {
        blocks,
        panel: Some(panel(findings, &where_, &quoted, level, what)),
    })
}

/// The panel: one summary line (the counts), and folded under it the findings,
/// each with its severity, code, quoted words (linked to its mark when it has an
/// id) and message. `quotes` are from [`quotes`]; `what` names the text (`r2`).
pub fn panel(
    findings: &[Finding],
    places: &[Place],
    quotes: &[Option<String>],
    level: LintLevel,
    what: &str,
) -> String {
    let counts = medreview_lint::Counts::of(findings);
    let summary = if !findings.is_empty() {
        counts.describe()
    } else {
        match level {
            LintLevel::Errors => "no errors".to_owned(),
            LintLevel::Warnings => "no errors or warnings".to_owned(),
            _ => "no findings".to_owned(),
        }
    };
    let mut html = format!(
        "<details class=\"medreview-lint-panel{}\" aria-label=\"Editorial lint findings\">\n<summary><strong>Editorial lint</strong>: {}{}</summary>\n<p class=\"medreview-lint-about\">What <code>medreview lint</code> finds in {}{}; this panel and the marks are not part of the published page.{}</p>\n",
        if findings.is_empty() {
            " medreview-lint-clean"
        } else {
            ""
        },
        escape_html(&summary),
        if findings.is_empty() {
            ""
        } else {
            " <span class=\"medreview-lint-show\">\u{2014} show the list</span>"
        },
        escape_html(what),
        if findings.is_empty() {
            ""
        } else {
            ", underlined in the text where it shows (hover for the rule)"
        },
        level.left_out()
    );
    if !findings.is_empty() {
        html.push_str("<ol class=\"medreview-lint-list\">\n");
        for (i, f) in findings.iter().enumerate() {
            let n = i + 1;
            let quote = quotes
                .get(i)
                .cloned()
                .flatten()
                .map(|q| format!("\u{201c}{}\u{201d}", escape_html(&q)));
            let place = match (places.get(i), quote) {
                (Some(Place::FrontMatter), _) => {
                    "<span class=\"medreview-lint-where\">in the front matter</span>".to_owned()
                }
                (Some(Place::Marked(Some(id))), Some(q)) => {
                    format!("<a class=\"medreview-lint-where\" href=\"#{id}\">{q}</a>")
                }
                (Some(Place::Marked(Some(id))), None) => {
                    format!("<a class=\"medreview-lint-where\" href=\"#{id}\">marked here</a>")
                }
                (Some(Place::Marked(None)), Some(q)) => {
                    format!("<span class=\"medreview-lint-where\">{q}</span>")
                }
                (_, Some(q)) => {
                    format!(
                        "<span class=\"medreview-lint-where\">{q} (not marked on this page)</span>"
                    )
                }
                (_, None) => {
                    "<span class=\"medreview-lint-where\">(not marked on this page)</span>"
                        .to_owned()
                }
            };
            html.push_str(&format!(
                "<li class=\"medreview-lint-item {}\" id=\"medreview-lint-finding-{n}\"><span class=\"medreview-lint-severity\">{}</span> <code id=\"medreview-lint-code-{n}\">{}</code> {place}: <span id=\"medreview-lint-note-{n}\">{}</span></li>\n",
                class(f.severity),
                f.severity.as_str(),
                escape_html(&f.code),
                escape_html(&f.message)
            ));
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</details>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str) -> Option<&str> {
        statistic_span(text, 0).map(|(s, e)| &text[s..e])
    }

    #[test]
    fn a_statistic_is_its_own_words_and_what_it_is_of() {
        assert_eq!(
            span("About 20 percent of breast cancers are HER2-positive."),
            Some("20 percent of breast cancers")
        );
        assert_eq!(
            span("About 20 percent of people have it."),
            Some("20 percent of people")
        );
        assert_eq!(
            span("It works in 40% of cases, often."),
            Some("40% of cases")
        );
        assert_eq!(
            span("Roughly a third of women, then more."),
            Some("a third of women")
        );
        assert_eq!(span("The risk is 3 times higher."), Some("3 times"));
        assert_eq!(span("One **20 percent** figure."), Some("20 percent"));
        assert_eq!(
            span("Ask <b>50% of R&D staff</b> now."),
            Some("50% of R&D staff")
        );
        // The first statistic, as the rule reads it; the sentence ends at its period.
        assert_eq!(
            span("Half of all people. 10 percent of others."),
            Some("Half of all people")
        );
        assert_eq!(span("No numbers here."), None);
    }

    #[test]
    fn quotes_are_the_marked_text_decoded_and_shortened() {
        let html = "<p>A <mark class=\"m\" id=\"x\" title=\"a>b\">one <mark>two</mark> &amp; <b title=\">\">three</b></mark> four</p>";
        assert_eq!(marked_text(html, "x").as_deref(), Some("one two & three"));
        assert_eq!(
            decode_entities("&lt;a&gt; &#39;b&#x27; &bogus; &"),
            "<a> 'b' &bogus; &"
        );
        let long = "word ".repeat(30);
        let short = shorten(&long).expect("words");
        assert!(
            short.ends_with("word…") && short.chars().count() <= QUOTE_CHARS + 1,
            "{short}"
        );
        assert_eq!(shorten("  a\n b  ").as_deref(), Some("a b"));
        assert_eq!(shorten(" \n"), None);
    }

    #[test]
    fn levels_show_by_severity() {
        use Severity::*;
        let shown = |l: LintLevel| -> Vec<bool> {
            [Error, Warning, Info].iter().map(|&s| l.shows(s)).collect()
        };
        assert_eq!(shown(LintLevel::None), [false, false, false]);
        assert_eq!(shown(LintLevel::Errors), [true, false, false]);
        assert_eq!(shown(LintLevel::default()), [true, true, false]);
        assert_eq!(shown(LintLevel::All), [true, true, true]);
    }
}
