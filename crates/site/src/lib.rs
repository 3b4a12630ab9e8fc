//! Pages: Markdown rendering, previews, review diffs and redlines, status
//! reports and publishing. It never prints or exits.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod comparison;
pub mod inbox;
pub mod marks;
pub mod publish;
pub mod redline;
pub mod render;
pub mod report;
pub mod revdiff;
pub mod templates;
