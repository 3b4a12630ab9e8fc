//! The review conversation's commands: comment on words of a revision (a new
//! thread, with suggested wording where wanted), reply, resolve and reopen, and
//! apply a suggestion to the working tree. Each records one commit holding only
//! the article's new comment files; the same judgement that lists threads
//! decides what is recorded.

use medreview_core::comments::anchor::{self, Anchor, Candidate, Miss, Place};
use medreview_core::comments::entry::{CommentAction, CommentEntry, MAX_NOTE_CHARS, text_problem};
use medreview_core::comments::{Conversation, Locator, Thread, revision_reader};
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::ledger::entry::EntryId;
use medreview_core::record::ArticleRecord;
use medreview_core::record::graph::Revision;
use medreview_core::roster::people::People;
use medreview_core::signing::SigningKey;
use medreview_core::workspace::Workspace;
use std::rc::Rc;

use crate::{Recorded, Request};

/// What a new comment says and where it points.
#[derive(Debug, Default, Clone)]
pub struct NewComment {
    /// The exact words it points at (a new thread).
    pub quote: Option<String>,
    /// Words right before the quote, to tell repeated words apart.
    pub prefix: Option<String>,
    /// Words right after it.
    pub suffix: Option<String>,
    /// The note.
    pub note: Option<String>,
    /// Wording to put in place of the quote.
    pub suggest: Option<String>,
    /// The thread it replies to (an id or its digest).
    pub reply: Option<String>,
}

/// `comment`: a new thread on words of revision `revision` (default the latest
/// submitted), or a reply to a thread.
pub fn comment(
    ws: &Workspace,
    req: &Request<'_>,
    revision: Option<&str>,
    new: &NewComment,
) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let record = ArticleRecord::load(ws, req.slug)?;
    require_on_roster(&*people, req.by)?;
    let target = match revision {
        Some(name) => record.ledger.resolve(name)?,
        None => crate::latest_revision(&record)?,
    };
    let conversation = Conversation::of_record(ws, &record, &*people)?;
    let entry = match &new.reply {
        Some(handle) => {
            if new.quote.is_some() || new.suggest.is_some() {
                return Err(Error::with_hint(
                    Code::InvalidArgument,
                    "a reply answers a thread; it has no --quote or --suggest of its own",
                    "leave out --quote and --suggest, or leave out --reply to start a new thread",
                ));
            }
            let threads = conversation.threads();
            let thread = find_thread(&threads, handle, req.slug)?;
            let mut entry = blank(req, CommentAction::Comment, latest_or(&record, &target));
            entry.thread = Some(thread.id.clone());
            entry.note = Some(note_of(new.note.as_deref())?);
            entry
        }
        None => thread_entry(ws, req, &record, &target, new)?,
    };
    let subject = match &entry.thread {
        Some(_) => format!("reply on {}", req.slug),
        None => format!("comment on {} {}", req.slug, target.label()),
    };
    record_comments(
        ws,
        &*people,
        &record,
        &conversation,
        vec![entry],
        req.key,
        &subject,
        target,
    )
}

/// The entry of a new thread on `target`, its anchor found in that revision's text.
pub(crate) fn thread_entry(
    ws: &Workspace,
    req: &Request<'_>,
    record: &ArticleRecord,
    target: &Revision,
    new: &NewComment,
) -> Result<CommentEntry> {
    let Some(quote) = new.quote.as_deref() else {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "a new comment needs --quote with the words it is about",
            "copy a few words from the article into --quote, or reply to a thread with --reply ID",
        ));
    };
    if quote.trim().is_empty() {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "--quote is empty",
            "copy a few words from the article into --quote",
        ));
    }
    check_text("quote", quote, anchor::MAX_QUOTE_CHARS)?;
    let bytes = medreview_core::article::read_revision(&ws.git, &target.id, &record.signoffs_path)?;
    let text = String::from_utf8_lossy(&bytes);
    let anchor = find_anchor(&text, quote, new, req.slug, target)?;
    let note = match (&new.note, &new.suggest) {
        (Some(note), _) => Some(note_of(Some(note))?),
        (None, Some(_)) => None,
        (None, None) => {
            return Err(Error::with_hint(
                Code::InvalidArgument,
                "a comment needs -m NOTE (or --suggest with the wording you propose)",
                "say what should change in -m",
            ));
        }
    };
    if let Some(suggest) = &new.suggest {
        check_text("suggestion", suggest, MAX_NOTE_CHARS)?;
        if *suggest == anchor.exact {
            return Err(Error::with_hint(
                Code::InvalidArgument,
                "--suggest is the very words quoted, so it changes nothing",
                "suggest the wording you want instead, or leave --suggest out",
            ));
        }
    }
    let mut entry = blank(req, CommentAction::Comment, target.clone());
    entry.quote = Some(anchor);
    entry.note = note;
    entry.suggest = new.suggest.clone();
    Ok(entry)
}

/// `resolve` (`CommentAction::Resolved`) and `reopen`: settle a thread or open it again.
pub fn settle(
    ws: &Workspace,
    req: &Request<'_>,
    handle: &str,
    action: CommentAction,
) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let record = ArticleRecord::load(ws, req.slug)?;
    require_on_roster(&*people, req.by)?;
    let conversation = Conversation::of_record(ws, &record, &*people)?;
    let threads = conversation.threads();
    let thread = find_thread(&threads, handle, req.slug)?;
    let short = &thread.short;
    match action {
        CommentAction::Resolved if !thread.open => {
            return Err(Error::new(
                Code::NothingToDo,
                format!("thread {short} on {} is resolved already", req.slug),
            ));
        }
        CommentAction::Resolved if &thread.by != req.by => {
            return Err(Error::with_hint(
                Code::WouldNotCount,
                format!(
                    "thread {short} on {} was opened by {}; only its author resolves it",
                    req.slug, thread.by
                ),
                format!(
                    "reply to say it is done (`medreview comment {} --reply {short} -m NOTE`), and {} resolves it",
                    req.slug, thread.by
                ),
            ));
        }
        CommentAction::Reopened if thread.open => {
            return Err(Error::new(
                Code::NothingToDo,
                format!("thread {short} on {} is open already", req.slug),
            ));
        }
        _ => {}
    }
    let target = crate::latest_revision(&record)?;
    let mut entry = blank(req, action, target.clone());
    entry.thread = Some(thread.id.clone());
    entry.note = match req.note.as_deref() {
        Some(note) => Some(note_of(Some(note))?),
        None => None,
    };
    let subject = format!("{} thread {short} on {}", action.as_str(), req.slug);
    record_comments(
        ws,
        &*people,
        &record,
        &conversation,
        vec![entry],
        req.key,
        &subject,
        target,
    )
}

/// The threads `by` opened on the article that are still open.
pub fn open_threads_of(conversation: &Conversation, by: &Id) -> Vec<Thread> {
    conversation
        .threads()
        .into_iter()
        .filter(|t| t.open && &t.by == by)
        .collect()
}

/// Refuses an approval while the approver's own threads are open, when the policy
/// blocks on them.
pub(crate) fn approval_gate(
    ws: &Workspace,
    people: &dyn People,
    record: &ArticleRecord,
    by: &Id,
) -> Result<()> {
    if !ws.policy(people).block_on_unresolved {
        return Ok(());
    }
    let conversation = Conversation::of_record(ws, record, people)?;
    let open = open_threads_of(&conversation, by);
    let Some(first) = open.first() else {
        return Ok(());
    };
    let list = open
        .iter()
        .take(5)
        .map(|t| format!("{} (\"{}\")", t.short, one_line(&t.anchor.exact, 40)))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if open.len() > 5 {
        format!(" and {} more", open.len() - 5)
    } else {
        String::new()
    };
    Err(Error::with_hint(
        Code::OpenThreads,
        format!(
            "{by} has {} open on {}: {list}{more}",
            medreview_core::plural::plural(open.len(), "thread", "threads"),
            record.slug
        ),
        format!(
            "read `medreview comments {} --open`; once the text answers a thread, resolve it (`medreview resolve {} {}`), then approve (an admin may turn this off: `medreview config set review.block_on_unresolved false`)",
            record.slug, record.slug, first.short
        ),
    ))
}

/// Applies the suggestion of thread `handle` to the working tree's `article.md`
/// (no commit: the writer reads it and submits). Refused when the quoted words
/// changed, stand in more than one place, or the thread suggests nothing.
pub fn apply(ws: &Workspace, slug: &Id, handle: &str) -> Result<Applied> {
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let record = ArticleRecord::load(ws, slug)?;
    let conversation = Conversation::of_record(ws, &record, &*people)?;
    let threads = conversation.threads();
    let thread = find_thread(&threads, handle, slug)?;
    let short = thread.short.clone();
    let Some(suggest) = thread.suggest.clone() else {
        return Err(Error::with_hint(
            Code::NothingToDo,
            format!("thread {short} on {slug} suggests no wording"),
            "edit the article by hand to answer it",
        ));
    };
    let latest = crate::latest_revision(&record)?;
    let revisions = record.ledger.revisions();
    let read = revision_reader(ws, &record);
    let mut locator = Locator::new(&revisions, &read);
    let located = locator.locate(thread, &latest.id);
    let anchor: Anchor = match located.as_ref().map(|l| &l.place) {
        Some(Place::Anchored { start, end } | Place::Moved { start, end }) => {
            let text = locator.text(&latest.id).unwrap_or_else(|| Rc::from(""));
            match text.get(*start..*end) {
                Some(_) => anchor::at(&text, *start, *end),
                None => thread.anchor.clone(),
            }
        }
        _ => thread.anchor.clone(),
    };
    let working = record.working.clone().ok_or_else(|| {
        Error::new(
            Code::MissingArticleFile,
            format!("{} is missing", record.article_path.display()),
        )
    })?;
    let text = String::from_utf8(working).map_err(|_| {
        Error::new(
            Code::NotUtf8,
            format!("{} is not UTF-8 text", record.article_path.display()),
        )
    })?;
    let hits: Vec<usize> = text.match_indices(&anchor.exact).map(|(i, _)| i).collect();
    let in_context: Vec<usize> = hits
        .iter()
        .copied()
        .filter(|&i| {
            text[..i].ends_with(&anchor.prefix)
                && text[i + anchor.exact.len()..].starts_with(&anchor.suffix)
        })
        .collect();
    let start = match (in_context.as_slice(), hits.as_slice()) {
        ([one], _) | ([], [one]) => *one,
        (_, []) => {
            let already = text.contains(&suggest);
            return Err(Error::with_hint(
                Code::QuoteNotFound,
                if already {
                    format!(
                        "thread {short}'s suggestion is in {} already (the quoted words \"{}\" are gone)",
                        record.article_path.display(),
                        one_line(&anchor.exact, 60)
                    )
                } else {
                    format!(
                        "the words thread {short} points at (\"{}\") are no longer in {}",
                        one_line(&anchor.exact, 60),
                        record.article_path.display()
                    )
                },
                format!(
                    "edit the text by hand; `medreview comments {slug}` shows the thread and its suggestion"
                ),
            ));
        }
        _ => {
            let lines: Vec<String> = hits
                .iter()
                .map(|&i| format!("line {}", text[..i].matches('\n').count() + 1))
                .collect();
            return Err(Error::with_hint(
                Code::QuoteAmbiguous,
                format!(
                    "the words thread {short} points at (\"{}\") stand in {} places in {} ({}), so it is not clear which to change",
                    one_line(&anchor.exact, 60),
                    hits.len(),
                    record.article_path.display(),
                    lines.join(", ")
                ),
                "make the change by hand at the place the thread means",
            ));
        }
    };
    let end = start + anchor.exact.len();
    let new_text = format!("{}{}{}", &text[..start], suggest, &text[end..]);
    medreview_store::gitstore::write_atomically(&record.article_path, new_text.as_bytes())
        .map_err(|e| Error::io("write", &record.article_path, e))?;
    Ok(Applied {
        thread: short,
        line: text[..start].matches('\n').count() + 1,
        before: anchor.exact,
        after: suggest,
    })
}

/// What `apply` changed.
#[derive(Debug)]
pub struct Applied {
    /// The thread's short id.
    pub thread: String,
    /// The line the change starts on.
    pub line: usize,
    /// The words replaced.
    pub before: String,
    /// The words put in.
    pub after: String,
}

/// Records `entries` (comment entries by one person) in one commit, refusing any
/// the conversation's rules would not count.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_comments(
    ws: &Workspace,
    people: &dyn People,
    record: &ArticleRecord,
    conversation: &Conversation,
    entries: Vec<CommentEntry>,
    key: Option<&SigningKey>,
    subject: &str,
    revision: Revision,
) -> Result<Recorded> {
    let at = entries
        .first()
        .map(|e| e.at)
        .ok_or_else(|| Error::internal("no comment to record"))?;
    // The thread it belongs to: the one it answers, else the new thread it starts.
    let answers = entries.first().and_then(|e| e.thread.clone());
    let (files, ids, warnings) = comment_files(ws, people, record, conversation, entries, key)?;
    let mut message = format!("{subject}\n\n");
    for id in &ids {
        message.push_str(&format!("Medreview-Comment: {id}\n"));
    }
    let by = ids
        .first()
        .map(|id| id.parts().by)
        .ok_or_else(|| Error::internal("no comment to record"))?;
    let author = people.current().roster.identity(&by);
    let commit = ws.commit(files, &message, Some(&author), at)?;
    let status = record.status(ws, people, at);
    Ok(Recorded {
        action: ids.first().map(|id| id.parts().kind).unwrap_or("comment"),
        entry: ids.first().map(ToString::to_string).unwrap_or_default(),
        thread: answers
            .or_else(|| ids.first().cloned())
            .map(|id| id.parts().digest),
        commit,
        revision,
        state: status.state,
        warnings,
    })
}

/// New comment files (path, bytes), their ids, and warnings for the person.
pub(crate) type CommentFiles = (Vec<(String, Vec<u8>)>, Vec<EntryId>, Vec<String>);

/// The files of new comment entries: each after the conversation's heads, naming
/// the roster's heads, signed with `key` where given, and judged with the rest.
pub(crate) fn comment_files(
    ws: &Workspace,
    people: &dyn People,
    record: &ArticleRecord,
    conversation: &Conversation,
    entries: Vec<CommentEntry>,
    key: Option<&SigningKey>,
) -> Result<CommentFiles> {
    medreview_core::record::ensure_folder_committed(ws, &Workspace::comments_rel(&record.slug))?;
    if let Some((why, hint)) = people.damage() {
        return Err(medreview_core::roster::damage::refusal(why, hint));
    }
    let held = conversation.dag.entries.len() + conversation.damage().len();
    let max = medreview_core::ledger::MAX_ENTRIES;
    if held + entries.len() > max {
        return Err(Error::with_hint(
            Code::WouldNotCount,
            format!(
                "the conversation on {} holds {held} entries, the most one article's record may hold is {max}",
                record.slug
            ),
            "reply in the threads that exist, or settle the article's review before adding more",
        ));
    }
    let roster = people.current().roster.clone();
    let heads = heads_to_name(conversation, &entries);
    let mut warnings = Vec::new();
    let mut new = Vec::new();
    for mut entry in entries {
        entry.after = heads.clone();
        entry.roster = people.heads();
        entry.clock = medreview_core::clock::fixed_by().map(str::to_owned);
        if let Some(key) = key {
            let signer = medreview_core::signing::Signer {
                id: &entry.by,
                public_key: roster.public_key_of(&entry.by),
                roster_file: roster.file_of(&entry.by),
                recorded_by: entry.recorded_by.as_ref(),
            };
            match key.skip_reason(&signer) {
                Some(why) => warnings.push(why),
                None => {
                    let text = entry.canonical_text(&record.slug);
                    entry.signature = Some(key.sign_as(
                        medreview_core::comments::entry::NAMESPACE,
                        &text,
                        &signer,
                    )?);
                }
            }
        }
        let (id, bytes) = entry.to_file();
        crate::fits_in_an_entry(entry.action.as_str(), &bytes)?;
        new.push((id, entry));
    }
    let after = conversation.with_entries(
        new.clone(),
        &record.slug,
        people,
        &ws.policy(people),
        &record.ledger.revisions(),
    );
    let mut files = Vec::new();
    let mut ids = Vec::new();
    for (id, entry) in new {
        if let Some(why) = after.refusal_of(&id) {
            return Err(Error::with_hint(
                Code::WouldNotCount,
                format!(
                    "this {} on {} would not count: {why}",
                    entry.action.as_str(),
                    record.slug
                ),
                if why.contains("unsigned") {
                    "sign it: pass --key ~/.ssh/id_ed25519 (or set `git config medreview.signingKey PATH`); medreview.yaml requires signatures".to_owned()
                } else {
                    format!(
                        "`medreview comments {}` shows the conversation as it stands",
                        record.slug
                    )
                },
            ));
        }
        let (_, bytes) = entry.to_file();
        files.push((
            format!(
                "{}/{}",
                Workspace::comments_rel(&record.slug),
                id.file_name()
            ),
            bytes,
        ));
        ids.push(id);
    }
    Ok((files, ids, warnings))
}

/// The most heads a new comment entry names in `after:`; thousands of concurrent
/// entries must not make a file too large to read back.
const MAX_AFTER: usize = 100;

/// The conversation heads a new entry names: all of them, or where there are more
/// than [`MAX_AFTER`], first every head that belongs to the threads the new entries
/// answer (so a resolution sees every reopening it must), then the newest others.
fn heads_to_name(conversation: &Conversation, entries: &[CommentEntry]) -> Vec<EntryId> {
    let heads = conversation.dag.heads();
    if heads.len() <= MAX_AFTER {
        return heads;
    }
    let threads: Vec<usize> = entries
        .iter()
        .filter_map(|e| e.thread.as_ref())
        .filter_map(|t| conversation.dag.ids.iter().position(|x| x == t))
        .collect();
    let index: std::collections::HashMap<&EntryId, usize> = conversation
        .dag
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let related = |id: &EntryId| {
        index.get(id).is_some_and(|&i| {
            threads
                .iter()
                .any(|&t| t == i || conversation.dag.saw(i, t))
        })
    };
    let (mut named, others): (Vec<EntryId>, Vec<EntryId>) =
        heads.into_iter().partition(|id| related(id));
    let room = MAX_AFTER.saturating_sub(named.len());
    named.extend(others.into_iter().rev().take(room));
    named.sort();
    named
}

fn blank(req: &Request<'_>, action: CommentAction, revision: Revision) -> CommentEntry {
    CommentEntry {
        action,
        by: req.by.clone(),
        at: req.now,
        revision: revision.id,
        after: Vec::new(),
        roster: Vec::new(),
        thread: None,
        quote: None,
        note: None,
        suggest: None,
        recorded_by: req.recorded_by.cloned(),
        clock: None,
        signature: None,
    }
}

/// The latest submitted revision (a reply or resolution is made on it), else `target`.
fn latest_or(record: &ArticleRecord, target: &Revision) -> Revision {
    record
        .ledger
        .latest_revision()
        .unwrap_or_else(|| target.clone())
}

fn require_on_roster(people: &dyn People, by: &Id) -> Result<()> {
    let roster = people.current().roster.clone();
    if roster.contains(by) {
        return Ok(());
    }
    Err(Error::with_hint(
        Code::UnknownPerson,
        format!("{by} is not in writers/ or reviewers/"),
        roster.hint_for(None, by.as_str(), "only people on the roster comment; an admin adds them with `medreview writer add` or `medreview reviewer add`".to_owned()),
    ))
}

/// The thread `handle` names, or a refusal listing the threads.
pub fn find_thread<'t>(threads: &'t [Thread], handle: &str, slug: &Id) -> Result<&'t Thread> {
    match Conversation::find(threads, handle) {
        Ok(thread) => Ok(thread),
        Err(many) if many.len() > 1 => Err(Error::with_hint(
            Code::UnknownThread,
            format!(
                "{handle:?} starts the ids of {} threads on {slug}",
                many.len()
            ),
            "give more of the id; `medreview comments SLUG` lists them"
                .replace("SLUG", slug.as_str()),
        )),
        Err(_) => Err(Error::with_hint(
            Code::UnknownThread,
            format!("{slug} has no comment thread {handle:?}"),
            format!("`medreview comments {slug}` lists the threads and their ids"),
        )),
    }
}

/// The anchor of `quote` in `text`, or a refusal listing the candidates.
fn find_anchor(
    text: &str,
    quote: &str,
    new: &NewComment,
    slug: &Id,
    target: &Revision,
) -> Result<Anchor> {
    let list = |places: &[Candidate]| {
        places
            .iter()
            .take(8)
            .map(|c| format!("\n  line {}: {}", c.line, one_line(&c.context, 120)))
            .collect::<String>()
    };
    match anchor::find(text, quote, new.prefix.as_deref(), new.suffix.as_deref()) {
        Ok(anchor) => Ok(anchor),
        Err(Miss::NotFound(near)) => Err(Error::with_hint(
            Code::QuoteNotFound,
            format!(
                "\"{}\" is not in {} of {slug}{}{}",
                one_line(quote, 80),
                target.label(),
                if near.is_empty() {
                    ""
                } else {
                    "; the closest lines:"
                },
                list(&near)
            ),
            format!(
                "copy the words exactly from `medreview preview {slug} {}`",
                target.label()
            ),
        )),
        Err(Miss::Ambiguous(places)) => {
            let first = places.first().map(|c| c.prefix.clone()).unwrap_or_default();
            Err(Error::with_hint(
                Code::QuoteAmbiguous,
                format!(
                    "\"{}\" stands in {} places in {} of {slug}:{}",
                    one_line(quote, 80),
                    places.len(),
                    target.label(),
                    list(&places)
                ),
                format!(
                    "quote more words, or add the words just before the place you mean, e.g. --prefix {first:?}"
                ),
            ))
        }
    }
}

fn note_of(note: Option<&str>) -> Result<String> {
    let Some(note) = note.filter(|n| !n.trim().is_empty()) else {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "-m NOTE is empty",
            "say what you mean in -m",
        ));
    };
    check_text("note", note, MAX_NOTE_CHARS)?;
    Ok(note.to_owned())
}

fn check_text(what: &str, text: &str, max: usize) -> Result<()> {
    text_problem(what, text, max).map_err(|why| {
        Error::with_hint(
            Code::InvalidArgument,
            why,
            format!("type the {what} as plain text"),
        )
    })
}

/// `text` on one line, cut to `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}
