//! Counts in words: "1 article", "2 articles".

/// `n` followed by `one` when `n` is 1, else by `many`: `plural(1, "entry", "entries")`
/// is "1 entry".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(plural(0, "article", "articles"), "0 articles");
        assert_eq!(plural(1, "article", "articles"), "1 article");
        assert_eq!(plural(2, "entry", "entries"), "2 entries");
    }
}
