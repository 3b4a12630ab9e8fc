//! `--color auto|always|never`: the one place that decides whether output is coloured.

use clap::ValueEnum;

/// When to colour output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set or TERM is dumb
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file
    Always,
    /// Never colour
    Never,
}

/// Whether to colour output going to a stream that is (`terminal`) or is not a
/// terminal: `always` and `never` win; `auto` colours a terminal unless `NO_COLOR`
/// is set to anything but the empty string or `TERM` is `dumb`.
pub fn enabled(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_and_never_win_over_the_terminal() {
        assert!(enabled(ColorChoice::Always, false));
        assert!(!enabled(ColorChoice::Never, true));
        assert!(!enabled(ColorChoice::Auto, false));
    }
}
