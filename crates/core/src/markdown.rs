//! The one Markdown dialect: what pages render and what the editorial rules read.
//!
//! Pages (`medreview-site`) and lint (`medreview-lint`) must parse an article the
//! same way, or a finding would point at text the page does not show; both take
//! their options from here. pulldown-cmark's types stay in those two callers.

use pulldown_cmark::{HeadingLevel, Options};

/// The Markdown extensions a page supports.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// A heading's level as a number, 1 to 6.
pub fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}
