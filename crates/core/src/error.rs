//! The error type every command returns, and the hints printed under it.

use std::io;
use std::path::{Path, PathBuf};

use crate::ids::IdError;
use crate::yaml::YamlError;
use medreview_store::gitstore::GitError;

/// Why a command refused or failed. Every variant says what and where; [`Error::hint`] says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operation was refused; nothing was changed.
    #[error("{message}")]
    Refused {
        /// What was refused and why.
        message: String,
        /// How to fix it, when there is a fix.
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
    /// A refusal with a message and no hint.
    pub fn refused(message: impl Into<String>) -> Error {
        Error::Refused {
            message: message.into(),
            hint: None,
        }
    }

    /// A refusal with a message and a hint that says how to fix it.
    pub fn refused_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Refused {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// Wraps an I/O error with the file it concerns.
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> Error {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A stable code for the kind of error, as `--json` reports it.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Refused { .. } => "refused",
            Error::Id(_) => "invalid-id",
            Error::Yaml(_) => "invalid-yaml",
            Error::Git(_) => "git",
            Error::Io { .. } => "io",
        }
    }

    /// How to fix the problem, when medreview knows.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Refused { hint, .. } => hint.clone(),
            Error::Id(err) => Some(err.hint()),
            Error::Yaml(err) if err.message.contains("merge conflict") => {
                Some("`git status` lists the conflicted files; resolve them and commit".into())
            }
            Error::Yaml(YamlError {
                hint: Some(hint), ..
            }) => Some(hint.clone()),
            Error::Yaml(_) => Some("fix the YAML at that line and run the command again".into()),
            Error::Git(err) => err.hint(),
            Error::Io { .. } => None,
        }
    }
}
