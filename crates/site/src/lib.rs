//! Pages: Markdown rendering, previews, review diffs and redlines, status
//! reports and publishing. It never prints or exits.

pub mod comparison;
pub mod inbox;
pub mod marks;
pub mod publish;
pub mod redline;
pub mod render;
pub mod report;
pub mod revdiff;
pub mod templates;
