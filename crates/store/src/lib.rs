//! Git storage for medreview: blobs, trees, commits, the history walk and the
//! commit journal. It knows bytes, paths and ids, never what a sign-off means.
//! git2's types stay inside.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod gitstore;
pub mod revision;
