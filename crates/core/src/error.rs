//! The error type every command returns, its code (see [`code`]) and the hint printed
//! under it.

mod code;

use std::io;
use std::path::{Path, PathBuf};

pub use self::code::{Code, Kind};
use crate::ids::IdError;
use crate::yaml::YamlError;
use medreview_store::gitstore::GitError;

/// Why a command refused or failed. Every variant says what and where; [`Error::code`]
/// says what kind of problem it is and [`Error::hint`] how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// medreview stopped with a message of its own; nothing was changed. Most are
    /// refusals; the code's [`Kind`] says which are usage, environment or internal.
    #[error("{message}")]
    Refused {
        /// What kind of refusal or failure.
        code: Code,
        /// What was refused and why.
        message: String,
        /// How to fix it, when the place that refused knows better than the code's
        /// default hint (a did-you-mean list, the file to fix).
        hint: Option<String>,
    },
    /// A name that is not a valid slug or id.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A YAML file that does not parse.
    #[error(transparent)]
    Yaml(#[from] YamlError),
    /// The git repository could not be read or written.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A file could not be read or written.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done ("read", "write", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
}

/// The result type of every command and domain function.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with its code and a message; the hint is the code's.
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error::Refused {
            code,
            message: message.into(),
            hint: None,
        }
    }

    /// An error with its code, a message and a hint more specific than the code's.
    pub fn with_hint(code: Code, message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Refused {
            code,
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A bug in medreview: what failed that never should. Exits 4 and asks for a report.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(Code::InternalError, message)
    }

    /// Wraps an I/O error with the file it concerns.
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> Error {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The error's code, as `--json` reports it and `docs/errors.md` explains it.
    pub fn code(&self) -> Code {
        match self {
            Error::Refused { code, .. } => *code,
            Error::Id(_) => Code::InvalidId,
            Error::Yaml(err) if err.merge_conflict => Code::MergeConflict,
            Error::Yaml(_) => Code::InvalidYaml,
            Error::Git(err) => git_code(err),
            Error::Io { .. } => Code::IoError,
        }
    }

    /// Refused, usage, environment or internal: what sets the exit code.
    pub fn kind(&self) -> Kind {
        self.code().kind()
    }

    /// How to fix the problem: the place's own hint when it gave one, else the code's.
    pub fn hint(&self) -> Option<String> {
        let own = match self {
            Error::Refused { hint, .. } => hint.clone(),
            Error::Yaml(err) => err.hint.clone(),
            Error::Git(err) => err.hint(),
            Error::Id(_) | Error::Io { .. } => None,
        };
        own.or_else(|| self.code().hint().map(str::to_owned))
    }
}

/// The code of each git failure: the repository's state is a refusal, git itself
/// failing is the machine's.
fn git_code(err: &GitError) -> Code {
    match err {
        GitError::NotARepository { .. } => Code::NotAGitRepository,
        GitError::Bare { .. } => Code::BareRepository,
        GitError::NotBare { .. } => Code::NotABareRepository,
        GitError::MissingBlob { .. } => Code::MissingRevisionObject,
        GitError::NoCommit { .. } => Code::NoCommitYet,
        GitError::DetachedHead => Code::DetachedHead,
        GitError::Locked { .. } => Code::RepositoryLocked,
        GitError::Conflicts => Code::MergeConflict,
        GitError::Raced { .. } => Code::BranchMoved,
        GitError::Io { .. } => Code::IoError,
        GitError::Git { .. } => Code::GitError,
    }
}
