//! Integration tests of the `medreview` binary: each test runs the real command line
//! in its own temp git repository with a cleared environment and a fixed clock.

mod common;

mod bad_input;
mod check;
mod committed_roster;
mod diff;
mod faults;
mod hostile;
mod inbox;
mod memo;
mod migrate;
mod properties;
mod publish;
mod refusals;
mod robust;
mod roster;
mod server;
mod setup;
mod signatures;
mod states;
mod status_log;
mod sync;
mod team;
mod workflow;
