//! The repository as the domain uses it: git storage plus the memo of what was
//! derived from content already read.
//!
//! The storage crate knows bytes and ids; the memo holds domain values (parsed
//! ledgers, summaries, writers of revisions), so it lives here and travels with
//! the store. `Repo` dereferences to [`GitStore`], so storage calls read as before.

use std::ops::Deref;

use medreview_store::gitstore::GitStore;

use crate::memo::Memo;

/// A git repository and the memo kept beside it.
pub struct Repo {
    store: GitStore,
    /// What was derived from content already read, by object id.
    pub memo: Memo,
}

impl Repo {
    /// The repository with its memo in the git folder (unless `MEDREVIEW_NO_MEMO` is set).
    pub fn new(store: GitStore) -> Repo {
        let memo = Memo::at(store.git_dir());
        Repo { store, memo }
    }

    /// The repository with a memo that keeps nothing (the server gate).
    pub fn without_memo(store: GitStore) -> Repo {
        Repo {
            store,
            memo: Memo::off(),
        }
    }
}

impl Deref for Repo {
    type Target = GitStore;

    fn deref(&self) -> &GitStore {
        &self.store
    }
}
