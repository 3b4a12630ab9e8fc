//! Integration tests of the `medreview` binary: each test runs the real command line
//! in its own temp git repository with a cleared environment and a fixed clock.

mod common;

mod attacks;
mod bad_input;
mod browser;
mod check;
mod comments;
mod comments_display;
mod committed_roster;
mod confusables;
mod conventions;
mod diff;
mod doctor;
mod faults;
mod governance;
mod hints;
mod hostile;
mod identity;
mod inbox;
mod json;
mod keys;
mod lint;
mod lint_marks;
mod meaning;
mod memo;
mod migrate;
mod pager;
mod pages;
mod preview;
mod properties;
mod publish;
mod readme;
mod refusals;
mod review_block;
mod robust;
mod roster;
mod roster_record;
mod server;
mod setup;
mod signatures;
mod states;
mod status_log;
mod sync;
mod team;
mod workflow;
