//! Sharing the record: transport through the `git` program, `sync`, and the
//! server gate. It never prints or exits.

pub mod gate;
pub mod hook;
pub mod sync;
pub mod transport;
