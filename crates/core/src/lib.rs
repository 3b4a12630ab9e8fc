//! The record: ids, articles, sign-off entries and their graph, evaluation, the
//! roster, settings, signing of bytes, and `check`. It never prints or exits.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod article;
pub mod check;
pub mod claims;
pub mod clock;
pub mod comments;
pub mod editorial;
pub mod error;
pub mod ids;
pub mod ledger;
pub mod markdown;
pub mod memo;
pub mod plural;
pub mod record;
pub mod repair;
pub mod repo;
pub mod review_rules;
pub mod roster;
pub mod signing;
pub mod source;
pub mod upstream;
pub mod viewed;
pub mod workspace;
pub mod yaml;

pub use error::{Error, Result};
