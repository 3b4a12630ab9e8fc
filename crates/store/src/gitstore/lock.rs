//! The repository-wide medreview lock (`.git/medreview.lock`) and recovery: a
//! command takes the lock before it reads and extends the record, and a lock or
//! journal left by a killed medreview process on this host is recovered (its
//! interrupted commit finished or undone) before anything reads the repository.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use super::{GitError, GitStore, journal};

/// How long a command waits for another medreview command in the same repository to finish.
const LOCK_WAIT: Duration = Duration::from_secs(15);

impl GitStore {
    /// Recovers what a killed medreview process left half done, if it left anything
    /// (any command does this first, so none reads a half-written state).
    pub fn recover_if_abandoned(&self) {
        let path = self.repo.path().join("medreview.lock");
        let gone = |(pid, host): (u32, String)| host == journal::host() && journal::is_dead(pid);
        let lock_left = fs::read_to_string(&path)
            .ok()
            .and_then(|t| journal::lock_owner(&t))
            .is_some_and(gone);
        // A journal outlives its command when working-tree files could not be written.
        let journal_left = fs::read_to_string(self.repo.path().join(journal::JOURNAL))
            .map(|t| journal::Journal::parse(&t))
            .is_ok_and(|j| gone((j.pid, j.host)));
        if !lock_left && !journal_left {
            return;
        }
        let recovered = self.lock().and_then(|_held| self.recover());
        match recovered {
            Ok(Some(note)) => medreview_output::notice(note),
            Ok(None) => {}
            Err(err) => medreview_output::notice(format!(
                "medreview: could not recover what an interrupted command left: {err}"
            )),
        }
    }

    /// Takes the repository-wide medreview lock, waiting briefly for another command.
    /// A lock left by a medreview process on this host that is no longer running is
    /// recovered (its interrupted commit finished or undone) and taken over.
    pub fn lock(&self) -> Result<RepoLock, GitError> {
        let path = self.repo.path().join("medreview.lock");
        let started = Instant::now();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    // Who holds it, so a lock left by a killed process is recognised.
                    let _ = write!(
                        file,
                        "pid={}\nhost={}\n",
                        std::process::id(),
                        journal::host()
                    );
                    return Ok(RepoLock { path });
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    let owner = fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| journal::lock_owner(&t));
                    if let Some((pid, host)) = owner.clone()
                        && host == journal::host()
                        && journal::is_dead(pid)
                    {
                        match self.recover()? {
                            Some(note) => medreview_output::notice(note),
                            None => medreview_output::notice(format!(
                                "medreview: recovered from an interrupted command (pid {pid}): nothing was half done; its lock was removed"
                            )),
                        }
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    // Killed between creating the lock and writing who holds it.
                    let empty_and_old = owner.is_none()
                        && fs::metadata(&path).is_ok_and(|m| {
                            m.len() == 0
                                && m.modified()
                                    .ok()
                                    .and_then(|t| t.elapsed().ok())
                                    .is_some_and(|age| age > Duration::from_secs(5))
                        });
                    if empty_and_old {
                        medreview_output::notice(
                            "medreview: removed an empty lock left by an interrupted command",
                        );
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed() > LOCK_WAIT {
                        return Err(GitError::Locked { path });
                    }
                    thread::sleep(Duration::from_millis(25));
                }
                Err(source) => {
                    return Err(GitError::Io {
                        path,
                        cause: source,
                    });
                }
            }
        }
    }
}

/// Held while a command reads and extends the record; released on drop.
pub struct RepoLock {
    path: PathBuf,
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}
