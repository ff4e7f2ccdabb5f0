//! Prefect's `{{ name }}` placeholders, found the way Prefect 3's templating finds them.

use std::sync::LazyLock;

use regex::Regex;

/// Prefect's placeholder pattern: a name of word characters, `.`, `-`, `[`, `]` and `$`,
/// with optional spaces inside the braces (`prefect.utilities.templating`, Prefect 3.9).
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{\s*([\w\.\-\[\]$]+)\s*\}\}").expect("placeholder pattern is valid"));

/// Any text between double braces, to find what looks like a placeholder but is not one.
static BRACES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{(.*?)\}\}").expect("brace pattern is valid"));

/// The kind of a placeholder, set by its name's prefix, which decides how Prefect fills it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderKind {
    /// A job variable: a property of `variables`.
    Variable,
    /// `prefect.variables.NAME`: a Prefect Variable.
    PrefectVariable,
    /// `prefect.blocks.TYPE.NAME`: a block document.
    Block,
    /// `$NAME`: the worker's environment variable.
    EnvironmentVariable,
}

/// One placeholder inside a string: its name and the byte range of the whole `{{ ... }}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    pub name: &'a str,
    pub start: usize,
    pub len: usize,
}

impl Placeholder<'_> {
    pub fn kind(&self) -> PlaceholderKind {
        if self.name.starts_with("prefect.blocks.") {
            PlaceholderKind::Block
        } else if self.name.starts_with("prefect.variables.") {
            PlaceholderKind::PrefectVariable
        } else if self.name.starts_with('$') {
            PlaceholderKind::EnvironmentVariable
        } else {
            PlaceholderKind::Variable
        }
    }
}

pub fn find(text: &str) -> Vec<Placeholder<'_>> {
    if !text.contains("{{") {
        return Vec::new();
    }
    PLACEHOLDER
        .captures_iter(text)
        .filter_map(|captures| {
            let whole = captures.get(0)?;
            let name = captures.get(1)?;
            Some(Placeholder {
                name: name.as_str(),
                start: whole.start(),
                len: whole.len(),
            })
        })
        .collect()
}

/// Returns the byte ranges of `{{ ... }}` text that Prefect leaves as it is, such as `{{ x | upper }}`.
pub fn find_literal_braces(text: &str) -> Vec<(usize, usize)> {
    if !text.contains("{{") {
        return Vec::new();
    }
    BRACES
        .find_iter(text)
        .filter(|found| !PLACEHOLDER.is_match(found.as_str()))
        .map(|found| (found.start(), found.len()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_reads_names_with_and_without_spaces() {
        let found = find("{{ cpu }}-{{memory}}");
        let names: Vec<&str> = found.iter().map(|p| p.name).collect();
        assert_eq!(names, ["cpu", "memory"]);
    }

    #[test]
    fn find_classifies_prefixes() {
        let found = find("{{ prefect.blocks.secret.x }} {{ prefect.variables.v }} {{ $HOME }} {{ cpu }}");
        let kinds: Vec<PlaceholderKind> = found.iter().map(Placeholder::kind).collect();
        assert_eq!(
            kinds,
            [
                PlaceholderKind::Block,
                PlaceholderKind::PrefectVariable,
                PlaceholderKind::EnvironmentVariable,
                PlaceholderKind::Variable
            ]
        );
    }

    #[test]
    fn filters_are_literal_braces() {
        assert!(find("{{ x | upper }}").is_empty());
        assert_eq!(find_literal_braces("a {{ x | upper }} {{ y }}"), [(2, 15)]);
    }
}
