//! What changed between two texts of an article: front-matter fields one by one,
//! and the body as a word-level redline inside changed paragraphs, with unchanged
//! paragraphs far from any change left out. `similar` stays inside this module.

use similar::{Algorithm, ChangeTag, DiffTag, capture_diff_slices, utils::diff_unicode_words};

use medreview_core::article::{normalize_eol, split_front_matter};
use medreview_core::yaml::{self, FieldValue};

/// How many unchanged paragraphs to show around a change.
pub(crate) const CONTEXT: usize = 1;

/// One run of text in a redline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "kebab-case")]
pub enum Piece {
    /// In both texts.
    Same(String),
    /// Only in the old text.
    Deleted(String),
    /// Only in the new text.
    Inserted(String),
}

/// A paragraph-level piece of the body redline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Block {
    /// An unchanged paragraph shown as context.
    Context(String),
    /// Unchanged paragraphs left out: how many.
    Elided(usize),
    /// Changed text, word by word. `moved` marks a paragraph deleted in one place and
    /// inserted unchanged in another.
    Changed {
        /// The runs of text.
        pieces: Vec<Piece>,
        /// Set on both halves of a moved paragraph.
        moved: bool,
    },
}

/// A changed front-matter field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FieldChange {
    /// A single value changed (`None`: absent on that side).
    Value {
        /// The field name.
        name: String,
        /// Before.
        old: Option<String>,
        /// After.
        new: Option<String>,
    },
    /// Items added to or removed from a list field (sources).
    List {
        /// The field name.
        name: String,
        /// Items only in the new text.
        added: Vec<String>,
        /// Items only in the old text.
        removed: Vec<String>,
    },
}

/// The difference between two article texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redline {
    /// Changed front-matter fields, in the order of the new text.
    pub fields: Vec<FieldChange>,
    /// The body, paragraph by paragraph.
    pub blocks: Vec<Block>,
    /// Words only in the new text (front matter and body).
    pub words_added: usize,
    /// Words only in the old text (front matter and body).
    pub words_removed: usize,
}

impl Redline {
    /// Whether the two texts are the same.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && !self
                .blocks
                .iter()
                .any(|b| matches!(b, Block::Changed { .. }))
    }
}

/// Compares two article texts (any line endings).
pub fn redline(old: &[u8], new: &[u8]) -> Redline {
    let old = String::from_utf8_lossy(&normalize_eol(old)).into_owned();
    let new = String::from_utf8_lossy(&normalize_eol(new)).into_owned();
    let (old_front, old_body) = split(&old);
    let (new_front, new_body) = split(&new);
    let mut words_added = 0;
    let mut words_removed = 0;
    let fields = match (
        yaml::top_level_fields(old_front),
        yaml::top_level_fields(new_front),
    ) {
        (Some(a), Some(b)) => field_changes(&a, &b),
        // Front matter that does not parse is compared as text.
        _ if old_front != new_front => vec![FieldChange::Value {
            name: "front matter".into(),
            old: Some(old_front.trim_end().to_owned()),
            new: Some(new_front.trim_end().to_owned()),
        }],
        _ => Vec::new(),
    };
    for change in &fields {
        match change {
            FieldChange::Value { old, new, .. } => {
                words_removed += old.as_deref().map_or(0, word_count);
                words_added += new.as_deref().map_or(0, word_count);
            }
            FieldChange::List { added, removed, .. } => {
                words_added += added.iter().map(|s| word_count(s)).sum::<usize>();
                words_removed += removed.iter().map(|s| word_count(s)).sum::<usize>();
            }
        }
    }
    let blocks = body_blocks(old_body, new_body);
    for block in &blocks {
        if let Block::Changed { pieces, .. } = block {
            for piece in pieces {
                match piece {
                    Piece::Deleted(text) => words_removed += word_count(text),
                    Piece::Inserted(text) => words_added += word_count(text),
                    Piece::Same(_) => {}
                }
            }
        }
    }
    Redline {
        fields,
        blocks,
        words_added,
        words_removed,
    }
}

/// Compares the bodies of two article texts as rendered (see [`rendered`]).
pub(crate) fn rendered_redline(old: &[u8], new: &[u8]) -> Vec<super::blocks::Shown> {
    let old = String::from_utf8_lossy(&normalize_eol(old)).into_owned();
    let new = String::from_utf8_lossy(&normalize_eol(new)).into_owned();
    let old = crate::render::blocks::blocks(split(&old).1);
    let new = crate::render::blocks::blocks(split(&new).1);
    super::blocks::rendered(&old, &new)
}

/// Front matter and body; text without front matter is all body.
fn split(text: &str) -> (&str, &str) {
    split_front_matter(text).unwrap_or(("", text))
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

fn field_changes(old: &[(String, FieldValue)], new: &[(String, FieldValue)]) -> Vec<FieldChange> {
    let find = |fields: &[(String, FieldValue)], name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut names: Vec<&str> = new.iter().map(|(n, _)| n.as_str()).collect();
    names.extend(
        old.iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !new.iter().any(|(m, _)| m == n)),
    );
    let mut changes = Vec::new();
    for name in names {
        let (a, b) = (find(old, name), find(new, name));
        if a == b {
            continue;
        }
        let as_list = |v: &Option<FieldValue>| match v {
            Some(FieldValue::List(items)) => Some(items.clone()),
            None => Some(Vec::new()),
            Some(FieldValue::Scalar(_)) => None,
        };
        match (as_list(&a), as_list(&b)) {
            (Some(old_items), Some(new_items))
                if matches!(a, Some(FieldValue::List(_)))
                    || matches!(b, Some(FieldValue::List(_))) =>
            {
                changes.push(FieldChange::List {
                    name: name.to_owned(),
                    added: new_items
                        .iter()
                        .filter(|i| !old_items.contains(i))
                        .cloned()
                        .collect(),
                    removed: old_items
                        .iter()
                        .filter(|i| !new_items.contains(i))
                        .cloned()
                        .collect(),
                });
            }
            _ => {
                let text = |v: Option<FieldValue>| {
                    v.map(|v| match v {
                        FieldValue::Scalar(s) => s,
                        FieldValue::List(items) => items.join(", "),
                    })
                };
                changes.push(FieldChange::Value {
                    name: name.to_owned(),
                    old: text(a),
                    new: text(b),
                });
            }
        }
    }
    changes
}

/// The index among the body's paragraphs (as the redline counts them) of the one
/// holding byte `offset` of the article text `text`; none in the front matter, or
/// when the text's line endings make its offsets differ from the redline's.
pub(crate) fn paragraph_of(text: &str, offset: usize) -> Option<usize> {
    if text.contains('\r') {
        return None;
    }
    let body = split(text).1;
    let body_start = text.len() - body.len();
    let at = offset.checked_sub(body_start)?;
    paragraphs(body).iter().position(|p| {
        let start = p.as_ptr() as usize - body.as_ptr() as usize;
        start <= at && at < start + p.len()
    })
}

/// Paragraphs: runs of non-blank lines, trimmed of the blank lines between them.
fn paragraphs(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
            (false, None) => start = Some(offset),
            (true, Some(s)) => {
                out.push(body[s..offset].trim_end_matches('\n'));
                start = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(body[s..].trim_end_matches('\n'));
    }
    out
}

/// The body redline: paragraphs compared first, then words inside changed runs.
fn body_blocks(old: &str, new: &str) -> Vec<Block> {
    let old_paras = paragraphs(old);
    let new_paras = paragraphs(new);
    let ops = capture_diff_slices(Algorithm::Myers, &old_paras, &new_paras);
    // First pass: every paragraph as context or a change.
    let mut raw: Vec<Block> = Vec::new();
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => raw.extend(
                old_paras[old_range]
                    .iter()
                    .map(|p| Block::Context((*p).to_owned())),
            ),
            DiffTag::Delete => raw.extend(
                old_paras[old_range]
                    .iter()
                    .map(|p| changed(vec![Piece::Deleted((*p).to_owned())])),
            ),
            DiffTag::Insert => raw.extend(
                new_paras[new_range]
                    .iter()
                    .map(|p| changed(vec![Piece::Inserted((*p).to_owned())])),
            ),
            DiffTag::Replace => {
                // Pair paragraphs one to one where both sides have one, so each
                // edited paragraph gets its own word-level redline.
                let olds = &old_paras[old_range];
                let news = &new_paras[new_range];
                let paired = olds.len().min(news.len());
                for i in 0..paired {
                    raw.push(changed(paragraph_pieces(olds[i], news[i])));
                }
                raw.extend(
                    olds[paired..]
                        .iter()
                        .map(|p| changed(vec![Piece::Deleted((*p).to_owned())])),
                );
                raw.extend(
                    news[paired..]
                        .iter()
                        .map(|p| changed(vec![Piece::Inserted((*p).to_owned())])),
                );
            }
        }
    }
    mark_moves(&mut raw);
    elide(raw)
}

fn changed(pieces: Vec<Piece>) -> Block {
    Block::Changed {
        pieces,
        moved: false,
    }
}

/// The redline of one edited paragraph: line by line first when it has several
/// lines (a list), so each item keeps its own line; then word by word.
fn paragraph_pieces(old: &str, new: &str) -> Vec<Piece> {
    if !old.contains('\n') && !new.contains('\n') {
        return word_pieces(old, new);
    }
    let old_lines: Vec<&str> = old.split('\n').collect();
    let new_lines: Vec<&str> = new.split('\n').collect();
    let mut lines: Vec<Vec<Piece>> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let olds = &old_lines[old_range];
        let news = &new_lines[new_range];
        match tag {
            DiffTag::Equal => lines.extend(olds.iter().map(|l| vec![Piece::Same((*l).to_owned())])),
            _ => {
                let paired = olds.len().min(news.len());
                lines.extend((0..paired).map(|i| word_pieces(olds[i], news[i])));
                lines.extend(
                    olds[paired..]
                        .iter()
                        .map(|l| vec![Piece::Deleted((*l).to_owned())]),
                );
                lines.extend(
                    news[paired..]
                        .iter()
                        .map(|l| vec![Piece::Inserted((*l).to_owned())]),
                );
            }
        }
    }
    let mut pieces = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            pieces.push(Piece::Same("\n".into()));
        }
        pieces.extend(line);
    }
    pieces
}

/// The word-level redline of one paragraph (Unicode word boundaries, so CJK text
/// changes by the word, not by the sentence).
fn word_pieces(old: &str, new: &str) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    for (tag, text) in diff_unicode_words(Algorithm::Myers, old, new) {
        let text = text.to_owned();
        // Merge neighbours of the same kind so markers wrap whole phrases.
        match (pieces.last_mut(), tag) {
            (Some(Piece::Same(s)), ChangeTag::Equal)
            | (Some(Piece::Deleted(s)), ChangeTag::Delete)
            | (Some(Piece::Inserted(s)), ChangeTag::Insert) => s.push_str(&text),
            (_, ChangeTag::Equal) => pieces.push(Piece::Same(text)),
            (_, ChangeTag::Delete) => pieces.push(Piece::Deleted(text)),
            (_, ChangeTag::Insert) => pieces.push(Piece::Inserted(text)),
        }
    }
    coalesce(pieces)
}

/// Joins changes separated only by spaces into one deletion and one insertion, so a
/// rewritten phrase reads as `[-old phrase-]{+new phrase+}`, not word against word.
fn coalesce(pieces: Vec<Piece>) -> Vec<Piece> {
    let is_change = |p: &Piece| !matches!(p, Piece::Same(_));
    let mut out = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        if !is_change(&pieces[i]) {
            out.push(pieces[i].clone());
            i += 1;
            continue;
        }
        let (mut deleted, mut inserted) = (String::new(), String::new());
        while i < pieces.len() {
            match &pieces[i] {
                Piece::Deleted(t) => deleted.push_str(t),
                Piece::Inserted(t) => inserted.push_str(t),
                Piece::Same(t)
                    if t.trim().is_empty()
                        && !t.contains('\n')
                        && pieces.get(i + 1).is_some_and(is_change) =>
                {
                    deleted.push_str(t);
                    inserted.push_str(t);
                }
                Piece::Same(_) => break,
            }
            i += 1;
        }
        if !deleted.trim().is_empty() {
            out.push(Piece::Deleted(deleted));
        }
        if !inserted.trim().is_empty() {
            out.push(Piece::Inserted(inserted));
        }
    }
    out
}

/// Marks whole paragraphs deleted in one place and inserted unchanged in another.
fn mark_moves(blocks: &mut [Block]) {
    let whole = |b: &Block| match b {
        Block::Changed { pieces, .. } if pieces.len() == 1 => match &pieces[0] {
            Piece::Deleted(t) => Some((false, t.clone())),
            Piece::Inserted(t) => Some((true, t.clone())),
            Piece::Same(_) => None,
        },
        _ => None,
    };
    let texts: Vec<Option<(bool, String)>> = blocks.iter().map(whole).collect();
    for (i, block) in blocks.iter_mut().enumerate() {
        if let (Some((inserted, text)), Block::Changed { moved, .. }) = (&texts[i], block) {
            *moved = texts
                .iter()
                .flatten()
                .any(|(other, t)| other != inserted && t == text);
        }
    }
}

/// Keeps `CONTEXT` unchanged paragraphs around each change and folds the rest.
fn elide(blocks: Vec<Block>) -> Vec<Block> {
    let near_change = |i: usize| {
        let lo = i.saturating_sub(CONTEXT);
        let hi = (i + CONTEXT).min(blocks.len().saturating_sub(1));
        (lo..=hi).any(|j| matches!(blocks[j], Block::Changed { .. }))
    };
    let keep: Vec<bool> = (0..blocks.len())
        .map(|i| !matches!(blocks[i], Block::Context(_)) || near_change(i))
        .collect();
    let mut out = Vec::new();
    let mut skipped = 0;
    for (block, keep) in blocks.into_iter().zip(keep) {
        if keep {
            if skipped > 0 {
                out.push(Block::Elided(skipped));
                skipped = 0;
            }
            out.push(block);
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 {
        out.push(Block::Elided(skipped));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(front: &str, body: &str) -> Vec<u8> {
        format!("---\n{front}---\n{body}").into_bytes()
    }

    #[test]
    fn one_word_change_is_one_deleted_and_one_inserted_word() {
        let long = "word ".repeat(200);
        let old = article("title: T\n", &format!("{long}alpha {long}\n"));
        let new = article("title: T\n", &format!("{long}beta {long}\n"));
        let r = redline(&old, &new);
        assert_eq!((r.words_added, r.words_removed), (1, 1));
        let Block::Changed { pieces, .. } = &r.blocks[0] else {
            panic!("{r:?}")
        };
        assert!(pieces.contains(&Piece::Deleted("alpha".into())));
        assert!(pieces.contains(&Piece::Inserted("beta".into())));
    }

    #[test]
    fn a_rewritten_phrase_is_one_deletion_and_one_insertion() {
        let r = redline(
            &article("", "All adults should keep it below 7.\n"),
            &article("", "A common goal is below 7.\n"),
        );
        let Block::Changed { pieces, .. } = &r.blocks[0] else {
            panic!("{r:?}")
        };
        assert_eq!(
            pieces,
            &vec![
                Piece::Deleted("All adults should keep it".into()),
                Piece::Inserted("A common goal is".into()),
                Piece::Same(" below 7.".into())
            ]
        );
    }

    #[test]
    fn an_added_list_item_is_its_own_line() {
        let r = redline(
            &article("", "Call if you have:\n\n- fever\n- pain\n"),
            &article("", "Call if you have:\n\n- fever\n- chills\n- pain\n"),
        );
        let Block::Changed { pieces, .. } = &r.blocks[1] else {
            panic!("{r:?}")
        };
        assert!(
            pieces.contains(&Piece::Inserted("- chills".into())),
            "{pieces:?}"
        );
        assert_eq!((r.words_added, r.words_removed), (2, 0));
    }

    #[test]
    fn far_paragraphs_are_elided() {
        let paras: Vec<String> = (0..10).map(|i| format!("Paragraph {i}.")).collect();
        let mut changed_paras = paras.clone();
        changed_paras[5] = "Paragraph five.".into();
        let r = redline(
            &article("title: T\n", &paras.join("\n\n")),
            &article("title: T\n", &changed_paras.join("\n\n")),
        );
        assert_eq!(r.blocks.first(), Some(&Block::Elided(4)));
        assert_eq!(r.blocks.last(), Some(&Block::Elided(3)));
        assert!(r.blocks.contains(&Block::Context("Paragraph 4.".into())));
    }

    #[test]
    fn front_matter_changes_field_by_field() {
        let old = article(
            "title: Old\nsources:\n  - title: A\n    url: https://a.org\n",
            "Body\n",
        );
        let new = article(
            "title: New\nsources:\n  - title: B\n    url: https://b.org\n",
            "Body\n",
        );
        let r = redline(&old, &new);
        assert!(r.blocks.iter().all(|b| !matches!(b, Block::Changed { .. })));
        assert_eq!(
            r.fields[0],
            FieldChange::Value {
                name: "title".into(),
                old: Some("Old".into()),
                new: Some("New".into())
            }
        );
        assert_eq!(
            r.fields[1],
            FieldChange::List {
                name: "sources".into(),
                added: vec!["B — https://b.org".into()],
                removed: vec!["A — https://a.org".into()]
            }
        );
    }

    #[test]
    fn moved_paragraph_is_marked_on_both_sides() {
        let old = article("", "First.\n\nSecond.\n\nThird.\n");
        let new = article("", "Second.\n\nThird.\n\nFirst.\n");
        let r = redline(&old, &new);
        let moved = r
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::Changed { moved: true, .. }))
            .count();
        assert_eq!(moved, 2, "{r:?}");
    }

    #[test]
    fn crlf_and_lf_are_the_same_text() {
        let r = redline(
            b"---\r\ntitle: T\r\n---\r\nBody\r\n",
            b"---\ntitle: T\n---\nBody\n",
        );
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn cjk_changes_by_the_word() {
        let r = redline(
            &article("", "我喜欢吃苹果。\n"),
            &article("", "我喜欢吃香蕉。\n"),
        );
        let Block::Changed { pieces, .. } = &r.blocks[0] else {
            panic!("{r:?}")
        };
        assert!(
            pieces
                .iter()
                .any(|p| matches!(p, Piece::Same(s) if s.contains("喜欢"))),
            "{pieces:?}"
        );
    }
}
