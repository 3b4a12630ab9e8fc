//! The redline of the rendered text: blocks (headings, paragraphs, list items,
//! table rows, notes) compared first, then words inside each edited block, where a
//! word is equal only with the same marks (so a changed link address shows).

use similar::{Algorithm, DiffTag, DiffableStr, capture_diff_slices};

use crate::render::blocks::{Block, Kind, Mark, Run};

/// What happened to one run of words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// On both sides.
    Same,
    /// Only in the old text.
    Deleted,
    /// Only in the new text.
    Inserted,
}

/// What happened to one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Unchanged (shown as context).
    Same,
    /// Edited: its runs say what changed.
    Edited,
    /// Only in the old text.
    Deleted,
    /// Only in the new text.
    Inserted,
}

/// A block of the redline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownBlock {
    /// What it is (of the new side, for an edited block).
    pub kind: Kind,
    /// How many block quotes it sits in.
    pub quote: usize,
    /// What happened to it.
    pub change: Change,
    /// Deleted in one place and inserted unchanged in another.
    pub moved: bool,
    /// What an edited block was before, when that differs (a heading's level, say).
    pub was: Option<Kind>,
    /// Its cells, each a list of runs of words with what happened to them.
    pub cells: Vec<Vec<(Tag, Vec<Run>)>>,
}

/// A part of the rendered redline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// A block.
    Block(ShownBlock),
    /// Unchanged blocks left out: how many.
    Elided(usize),
}

/// How alike two blocks must be (shared words over the longer one) to be shown as
/// one edited block rather than one deleted and one inserted.
const ALIKE: f64 = 0.3;

/// Compares two bodies as rendered.
pub fn rendered(old: &[Block], new: &[Block]) -> Vec<Shown> {
    let mut shown = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let olds = &old[old_range];
        let news = &new[new_range];
        match tag {
            DiffTag::Equal => shown.extend(olds.iter().map(|b| whole(b, Change::Same))),
            DiffTag::Delete => shown.extend(olds.iter().map(|b| whole(b, Change::Deleted))),
            DiffTag::Insert => shown.extend(news.iter().map(|b| whole(b, Change::Inserted))),
            DiffTag::Replace => replace(olds, news, &mut shown),
        }
    }
    mark_moves(&mut shown);
    elide(shown)
}

/// Which blocks may be paired as one edited block: the same sort of block.
fn family(kind: &Kind) -> u8 {
    match kind {
        Kind::Paragraph => 0,
        Kind::Heading(_) => 1,
        Kind::Item { .. } => 2,
        Kind::Code => 3,
        Kind::Rule => 4,
        Kind::Html => 5,
        Kind::Row { .. } => 6,
        Kind::Note(_) => 7,
    }
}

/// A run of replaced blocks: paired by sort (in order), each pair shown as one
/// edited block when alike enough, the rest as deleted and inserted.
fn replace(olds: &[Block], news: &[Block], shown: &mut Vec<Shown>) {
    let old_families: Vec<u8> = olds.iter().map(|b| family(&b.kind)).collect();
    let new_families: Vec<u8> = news.iter().map(|b| family(&b.kind)).collect();
    for op in capture_diff_slices(Algorithm::Myers, &old_families, &new_families) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let olds = &olds[old_range];
        let news = &news[new_range];
        if tag != DiffTag::Equal {
            shown.extend(olds.iter().map(|b| whole(b, Change::Deleted)));
            shown.extend(news.iter().map(|b| whole(b, Change::Inserted)));
            continue;
        }
        for (a, b) in olds.iter().zip(news) {
            match edited(a, b) {
                Some(block) => shown.push(Shown::Block(block)),
                None => {
                    shown.push(whole(a, Change::Deleted));
                    shown.push(whole(b, Change::Inserted));
                }
            }
        }
    }
}

fn whole(block: &Block, change: Change) -> Shown {
    let tag = match change {
        Change::Deleted => Tag::Deleted,
        Change::Inserted => Tag::Inserted,
        Change::Same | Change::Edited => Tag::Same,
    };
    Shown::Block(ShownBlock {
        kind: block.kind.clone(),
        quote: block.quote,
        change,
        moved: false,
        was: None,
        cells: block
            .cells
            .iter()
            .map(|cell| {
                if cell.is_empty() {
                    Vec::new()
                } else {
                    vec![(tag, cell.clone())]
                }
            })
            .collect(),
    })
}

/// A word (or the space between words) with the marks of its run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Word {
    text: String,
    marks: Vec<Mark>,
}

fn words(cell: &[Run]) -> Vec<Word> {
    cell.iter()
        .flat_map(|run| {
            let pieces: Vec<&str> = if run.marks.contains(&Mark::Html) {
                // Raw HTML changes as a whole.
                vec![run.text.as_str()]
            } else {
                run.text.as_str().tokenize_unicode_words()
            };
            pieces.into_iter().map(|text| Word {
                text: text.to_owned(),
                marks: run.marks.clone(),
            })
        })
        .collect()
}

/// The word-level redline of two blocks of one sort, or none when they share too
/// little to read as one edited block (or have different numbers of cells).
fn edited(old: &Block, new: &Block) -> Option<ShownBlock> {
    if old.cells.len() != new.cells.len() {
        return None;
    }
    let mut cells = Vec::new();
    let (mut same, mut longest) = (0usize, 0usize);
    for (a, b) in old.cells.iter().zip(&new.cells) {
        let (a, b) = (words(a), words(b));
        let count = |w: &[Word]| w.iter().filter(|w| !w.text.trim().is_empty()).count();
        longest += count(&a).max(count(&b));
        let mut runs: Vec<(Tag, Vec<Word>)> = Vec::new();
        for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                same += count(&a[old_range.clone()]);
                push(&mut runs, Tag::Same, &a[old_range]);
            } else {
                push(&mut runs, Tag::Deleted, &a[old_range]);
                push(&mut runs, Tag::Inserted, &b[new_range]);
            }
        }
        cells.push(coalesce(runs));
    }
    if longest > 0 && (same as f64) < ALIKE * longest as f64 {
        return None;
    }
    Some(ShownBlock {
        kind: new.kind.clone(),
        quote: new.quote,
        change: Change::Edited,
        moved: false,
        was: (old.kind != new.kind).then(|| old.kind.clone()),
        cells: cells
            .into_iter()
            .map(|runs| {
                runs.into_iter()
                    .map(|(tag, words)| (tag, to_runs(words)))
                    .collect()
            })
            .collect(),
    })
}

fn push(runs: &mut Vec<(Tag, Vec<Word>)>, tag: Tag, words: &[Word]) {
    if words.is_empty() {
        return;
    }
    match runs.last_mut() {
        Some((last, list)) if *last == tag => list.extend_from_slice(words),
        _ => runs.push((tag, words.to_vec())),
    }
}

/// Joins changes separated only by spaces into one deletion and one insertion, so
/// a rewritten phrase reads as one struck phrase and one new phrase.
fn coalesce(runs: Vec<(Tag, Vec<Word>)>) -> Vec<(Tag, Vec<Word>)> {
    let spaces = |w: &[Word]| w.iter().all(|w| w.text.trim().is_empty() && w.text != "\n");
    let mut out: Vec<(Tag, Vec<Word>)> = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        if runs[i].0 == Tag::Same {
            push(&mut out, Tag::Same, &runs[i].1);
            i += 1;
            continue;
        }
        let (mut deleted, mut inserted) = (Vec::new(), Vec::new());
        while i < runs.len() {
            let (tag, words) = &runs[i];
            match tag {
                Tag::Deleted => deleted.extend_from_slice(words),
                Tag::Inserted => inserted.extend_from_slice(words),
                Tag::Same if spaces(words) && runs.get(i + 1).is_some_and(|r| r.0 != Tag::Same) => {
                    deleted.extend_from_slice(words);
                    inserted.extend_from_slice(words);
                }
                Tag::Same => break,
            }
            i += 1;
        }
        // A pure insertion or deletion leaves its outer spaces unmarked.
        let (mut before, mut after) = (Vec::new(), Vec::new());
        if deleted.is_empty() != inserted.is_empty() {
            let side = if deleted.is_empty() {
                &mut inserted
            } else {
                &mut deleted
            };
            let blank = |w: &Word| w.text.trim().is_empty() && w.text != "\n";
            let lead = side.iter().take_while(|w| blank(w)).count();
            before = side.drain(..lead).collect();
            let trail = side.iter().rev().take_while(|w| blank(w)).count();
            after = side.split_off(side.len() - trail);
        }
        push(&mut out, Tag::Same, &before);
        if !deleted.is_empty() {
            out.push((Tag::Deleted, deleted));
        }
        if !inserted.is_empty() {
            out.push((Tag::Inserted, inserted));
        }
        push(&mut out, Tag::Same, &after);
    }
    out
}

/// Words back into runs of equal marks.
fn to_runs(words: Vec<Word>) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for word in words {
        match runs.last_mut() {
            Some(run) if run.marks == word.marks && word.text != "\n" && run.text != "\n" => {
                run.text.push_str(&word.text)
            }
            _ => runs.push(Run {
                text: word.text,
                marks: word.marks,
            }),
        }
    }
    runs
}

/// Marks whole blocks deleted in one place and inserted unchanged in another.
fn mark_moves(shown: &mut [Shown]) {
    let key = |s: &Shown| match s {
        Shown::Block(b) if matches!(b.change, Change::Deleted | Change::Inserted) => {
            Some((b.change, b.kind.clone(), strip(&b.cells)))
        }
        _ => None,
    };
    let keys: Vec<_> = shown.iter().map(key).collect();
    for (i, s) in shown.iter_mut().enumerate() {
        if let (Some((change, kind, cells)), Shown::Block(b)) = (&keys[i], s) {
            b.moved = keys
                .iter()
                .flatten()
                .any(|(c, k, t)| c != change && k == kind && t == cells);
        }
    }
}

fn strip(cells: &[Vec<(Tag, Vec<Run>)>]) -> Vec<Vec<Run>> {
    cells
        .iter()
        .map(|c| c.iter().flat_map(|(_, runs)| runs.clone()).collect())
        .collect()
}

/// Keeps [`super::text::CONTEXT`] unchanged blocks around each change and folds the rest.
fn elide(shown: Vec<Shown>) -> Vec<Shown> {
    let changed = |s: &Shown| matches!(s, Shown::Block(b) if b.change != Change::Same);
    let keep: Vec<bool> = (0..shown.len())
        .map(|i| {
            let lo = i.saturating_sub(super::text::CONTEXT);
            let hi = (i + super::text::CONTEXT).min(shown.len().saturating_sub(1));
            (lo..=hi).any(|j| changed(&shown[j]))
        })
        .collect();
    let mut out = Vec::new();
    let mut skipped = 0;
    for (s, keep) in shown.into_iter().zip(keep) {
        if keep {
            if skipped > 0 {
                out.push(Shown::Elided(skipped));
                skipped = 0;
            }
            out.push(s);
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 {
        out.push(Shown::Elided(skipped));
    }
    out
}

/// For each shown part, the index of its block among the newer side's blocks (none
/// for elided runs and deleted blocks).
pub(crate) fn new_side_index(shown: &[Shown]) -> Vec<Option<usize>> {
    let mut new_index = vec![None; shown.len()];
    let mut k = 0;
    for (i, part) in shown.iter().enumerate() {
        match part {
            Shown::Elided(n) => k += n,
            Shown::Block(b) if b.change == Change::Deleted => {}
            Shown::Block(_) => {
                new_index[i] = Some(k);
                k += 1;
            }
        }
    }
    new_index
}

/// Whether any block changed.
pub(crate) fn any_change(shown: &[Shown]) -> bool {
    shown
        .iter()
        .any(|s| matches!(s, Shown::Block(b) if b.change != Change::Same))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::blocks::blocks;

    fn diff(old: &str, new: &str) -> Vec<Shown> {
        rendered(&blocks(old), &blocks(new))
    }

    fn changes(shown: &[Shown]) -> Vec<(Change, Kind)> {
        shown
            .iter()
            .filter_map(|s| match s {
                Shown::Block(b) => Some((b.change, b.kind.clone())),
                Shown::Elided(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_changed_link_address_is_a_change_of_the_link() {
        let shown = diff("See [NCI](https://a.org).\n", "See [NCI](https://b.org).\n");
        let Shown::Block(b) = &shown[0] else {
            panic!("{shown:?}")
        };
        assert_eq!(b.change, Change::Edited);
        let tags: Vec<(Tag, Vec<Mark>)> = b.cells[0]
            .iter()
            .map(|(t, runs)| (*t, runs[0].marks.clone()))
            .collect();
        assert_eq!(
            tags,
            vec![
                (Tag::Same, vec![]),
                (Tag::Deleted, vec![Mark::Link("https://a.org".into())]),
                (Tag::Inserted, vec![Mark::Link("https://b.org".into())]),
                (Tag::Same, vec![]),
            ]
        );
    }

    #[test]
    fn an_added_item_is_inserted_and_an_unlike_paragraph_is_replaced() {
        let item = |depth| Kind::Item {
            ordered: false,
            depth,
            more: false,
            start: None,
        };
        let shown = diff("- one\n- two\n", "- one\n- one and a half\n- two\n");
        assert_eq!(
            changes(&shown),
            vec![
                (Change::Same, item(1)),
                (Change::Inserted, item(1)),
                (Change::Same, item(1))
            ]
        );
        let shown = diff(
            "Surgery removes the tumour.\n",
            "Radiation uses beams of energy instead.\n",
        );
        assert_eq!(
            changes(&shown),
            vec![
                (Change::Deleted, Kind::Paragraph),
                (Change::Inserted, Kind::Paragraph)
            ]
        );
    }
}
