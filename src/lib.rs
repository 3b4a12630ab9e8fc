//! medreview: medical review sign-offs for health publishers, recorded in git.
//!
//! The library never prints or exits; [`cli`] is the glue that does.

pub mod article;
pub mod check;
pub mod cli;
pub mod clock;
pub mod comparison;
pub mod error;
pub mod gate;
pub mod gitstore;
pub mod hook;
pub mod ids;
pub mod inbox;
pub mod lint;
pub mod marks;
pub mod memo;
pub mod pager;
pub mod plural;
pub mod progress;
pub mod publish;
pub mod record;
pub mod redline;
pub mod render;
pub mod report;
pub mod revdiff;
pub mod revision;
pub mod roster;
pub mod signing;
pub mod source;
pub mod sync;
pub mod templates;
pub mod transport;
pub mod viewed;
pub mod workflow;
pub mod workspace;
pub mod yaml;

pub use error::{Error, Result};
