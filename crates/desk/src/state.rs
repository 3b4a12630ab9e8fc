//! The desk's shared state: the clone it serves, its sessions, the sign-in limiter,
//! and the lock that lets pages read while one writer records or syncs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use medreview_core::error::{Code, Error, Result};
use medreview_core::workspace::Workspace;

use crate::Origin;
use crate::session::Sessions;
use crate::view::Views;

/// Failed sign-ins (or enrolments) a client address may make per
/// [`LIMIT_WINDOW`]; after them it may not begin another until the window passes.
pub(crate) const LIMIT_FAILURES: usize = 10;
/// Sign-ins a client address may begin per [`LIMIT_WINDOW`]: generous, since
/// behind a reverse proxy a whole newsroom signs in from one address.
pub(crate) const LIMIT_BEGINS: usize = 120;
/// The window of the sign-in limiter.
pub(crate) const LIMIT_WINDOW: Duration = Duration::from_secs(60);
/// How long a sign-in or enrolment challenge may be answered.
pub(crate) const CHALLENGE_LIFETIME: Duration = Duration::from_secs(300);
/// How many unanswered challenges the desk keeps at once.
const MAX_CHALLENGES: usize = 10_000;

/// A challenge given to a browser that is not signed in yet.
pub(crate) struct Challenge {
    pub bytes: Vec<u8>,
    pub made: Instant,
    /// The invitation an enrolment challenge belongs to.
    pub invitation: Option<String>,
}

/// A client address's recent sign-in beginnings and failures.
#[derive(Default)]
struct Attempts {
    begun: Vec<Instant>,
    failed: Vec<Instant>,
}

impl Attempts {
    fn forget_before(&mut self, now: Instant) {
        self.begun.retain(|t| now.duration_since(*t) < LIMIT_WINDOW);
        self.failed
            .retain(|t| now.duration_since(*t) < LIMIT_WINDOW);
    }
}

/// The desk.
pub(crate) struct Desk {
    pub root: PathBuf,
    /// The clone's git folder, where the desk keeps its invitations.
    pub git_dir: PathBuf,
    pub origin: Origin,
    sync_every: Duration,
    pub sessions: Sessions,
    challenges: Mutex<HashMap<String, Challenge>>,
    /// Per client address: when it began sign-ins, and when they failed.
    limiter: Mutex<HashMap<IpAddr, Attempts>>,
    /// Pages read under the shared lock; syncing and recording take it alone.
    record: RwLock<()>,
    last_sync: Mutex<Option<Instant>>,
    /// What the last sync said, when it could not sync.
    pub sync_problem: Mutex<Option<String>>,
    pub views: Views,
    /// The frames drawn at the last commit (see [`Desk::frame`]).
    frames: Mutex<Frames>,
}

/// Frames drawn from one commit, by what they show.
#[derive(Default)]
struct Frames {
    head: String,
    pages: HashMap<String, String>,
    /// The frames being drawn now, each by one request.
    drawing: HashMap<String, Arc<Mutex<()>>>,
}

/// How many frames the desk keeps drawn; a commit forgets them all.
const MAX_FRAMES: usize = 256;

impl Desk {
    /// A desk serving the clone at `root`.
    pub fn new(root: PathBuf, origin: Origin, sync_every: Duration) -> Result<Desk> {
        let git_dir = Workspace::open(root.clone())?.git.git_dir().to_path_buf();
        Ok(Desk {
            root,
            git_dir,
            origin,
            sync_every,
            sessions: Sessions::default(),
            challenges: Mutex::new(HashMap::new()),
            limiter: Mutex::new(HashMap::new()),
            record: RwLock::new(()),
            last_sync: Mutex::new(None),
            sync_problem: Mutex::new(None),
            views: Views::new()?,
            frames: Mutex::new(Frames::default()),
        })
    }

    /// Reads the record: syncs first when the last sync is older than the
    /// desk's interval, then runs `f` on the workspace while no one writes.
    pub fn read<T>(&self, f: impl FnOnce(&Workspace) -> Result<T>) -> Result<T> {
        let due = lock(&self.last_sync).is_none_or(|t| t.elapsed() >= self.sync_every);
        if due {
            let _alone = self
                .record
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let still_due = lock(&self.last_sync).is_none_or(|t| t.elapsed() >= self.sync_every);
            if still_due {
                let ws = self.workspace()?;
                self.sync(&ws);
            }
        }
        let _shared = self
            .record
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let ws = self.workspace()?;
        f(&ws)
    }

    /// Records: runs `f` alone, then syncs so the team sees it at once. Also
    /// returns the decisions that sync set aside (the team's record refused them).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Workspace) -> Result<T>,
    ) -> Result<(T, Vec<medreview_remote::sync::Dropped>)> {
        let _alone = self
            .record
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let ws = self.workspace()?;
        let value = f(&ws)?;
        let dropped = self.sync(&ws);
        Ok((value, dropped))
    }

    fn workspace(&self) -> Result<Workspace> {
        let ws = Workspace::open(self.root.clone())?;
        // Each entry is committed as the person who signed it (`check` holds a
        // sign-off's committer to its signer), never as the desk's host.
        ws.git.commit_as_author();
        Ok(ws)
    }

    /// Syncs with the team's remote; a clone without one (a desk on one
    /// laptop) has nothing to sync. A failure is said on every page until a sync
    /// succeeds, never hidden.
    fn sync(&self, ws: &Workspace) -> Vec<medreview_remote::sync::Dropped> {
        *lock(&self.last_sync) = Some(Instant::now());
        let mut dropped = Vec::new();
        let problem = match medreview_remote::sync::sync(ws, &mut std::io::sink()) {
            Ok(report) if report.dropped.is_empty() => None,
            Ok(report) => Some(format!(
                "the last sync set aside {} decision(s) the team's record refused: `medreview sync` in the desk's clone says why",
                {
                    dropped.clone_from(&report.dropped);
                    report.dropped.len()
                }
            )),
            Err(e) if e.code() == Code::NoRemote => None,
            Err(e) => Some(format!(
                "the desk could not sync with the team's remote, so this page may be out of date: {e}"
            )),
        };
        *lock(&self.sync_problem) = problem;
        dropped
    }

    /// Whether client `ip` may begin a sign-in (or enrolment) now: fewer than
    /// [`LIMIT_FAILURES`] failures and [`LIMIT_BEGINS`] beginnings in the last
    /// minute. Counts the beginning.
    pub fn allow_attempt(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut all = lock(&self.limiter);
        if all.len() > MAX_CHALLENGES {
            all.values_mut().for_each(|a| a.forget_before(now));
            all.retain(|_, a| !a.begun.is_empty() || !a.failed.is_empty());
        }
        let attempts = all.entry(ip).or_default();
        attempts.forget_before(now);
        if attempts.failed.len() >= LIMIT_FAILURES || attempts.begun.len() >= LIMIT_BEGINS {
            return false;
        }
        attempts.begun.push(now);
        true
    }

    /// Counts a failed sign-in (or enrolment) from client `ip`.
    pub fn count_failure(&self, ip: IpAddr) {
        let now = Instant::now();
        let mut all = lock(&self.limiter);
        let attempts = all.entry(ip).or_default();
        attempts.forget_before(now);
        attempts.failed.push(now);
    }

    /// The frame `key` drawn at commit `head`, drawing it with `draw` when it is not
    /// kept. A frame is a function of the committed record alone (the key names
    /// the article, both revisions and the minute of the clock, never the reader),
    /// so it is drawn once per commit instead of at every page; who may read it
    /// is still asked at every request, before this.
    pub fn frame(
        &self,
        head: Option<String>,
        key: String,
        draw: impl FnOnce() -> Result<String>,
    ) -> Result<String> {
        let Some(head) = head else {
            return draw();
        };
        let kept = |frames: &Frames| {
            (frames.head == head)
                .then(|| frames.pages.get(&key).cloned())
                .flatten()
        };
        let gate = {
            let mut frames = lock(&self.frames);
            if let Some(page) = kept(&frames) {
                return Ok(page);
            }
            frames.drawing.entry(key.clone()).or_default().clone()
        };
        // One request draws a frame; the others that want it meanwhile wait for it
        // instead of drawing it too.
        let _drawing = lock(&gate);
        if let Some(page) = kept(&lock(&self.frames)) {
            return Ok(page);
        }
        let page = draw();
        let mut frames = lock(&self.frames);
        frames.drawing.remove(&key);
        let page = page?;
        if frames.head != head || frames.pages.len() >= MAX_FRAMES {
            frames.head = head;
            frames.pages.clear();
        }
        frames.pages.insert(key, page.clone());
        Ok(page)
    }

    /// Keeps a challenge under a fresh id; returns the id.
    pub fn keep_challenge(&self, challenge: Challenge) -> Result<String> {
        let id = crate::session::random_token();
        let mut all = lock(&self.challenges);
        all.retain(|_, c| c.made.elapsed() < CHALLENGE_LIFETIME);
        if all.len() >= MAX_CHALLENGES {
            return Err(Error::new(
                Code::RepositoryLocked,
                "the desk is answering too many sign-ins at once; try again in a minute",
            ));
        }
        all.insert(id.clone(), challenge);
        Ok(id)
    }

    /// Takes the challenge `id` (each is answered once), if it is still fresh.
    pub fn take_challenge(&self, id: &str) -> Option<Challenge> {
        lock(&self.challenges)
            .remove(id)
            .filter(|c| c.made.elapsed() < CHALLENGE_LIFETIME)
    }
}

/// Locks `m`; a panic elsewhere while holding it leaves plain data behind.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
