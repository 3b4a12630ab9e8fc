//! Sharing the record: transport through the `git` program, `sync`, and the
//! server gate. It never prints or exits.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod gate;
pub mod hook;
mod publication;
pub mod sync;
pub mod transport;
