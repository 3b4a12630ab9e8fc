//! Pages: Markdown rendering, previews, review diffs and redlines, status
//! reports and publishing. It never prints or exits.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod diff;
pub mod inbox;
pub mod publish;
pub mod render;
pub mod report;
pub mod templates;
pub mod verify;
