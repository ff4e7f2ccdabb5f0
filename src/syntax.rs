//! Parsing a pool file as KDL v2, with help for the KDL v1 habits that trip people up.

use std::sync::LazyLock;

use kdl::{KdlDiagnostic, KdlDocument};
use regex::Regex;

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile, Span};

/// The deepest nesting of children blocks a pool file may have. The KDL parser recurses once a
/// level, and templates are read back with serde_json, whose default limit is 128 levels.
pub const MAX_NESTING: usize = 100;

/// Parses one file, reporting every syntax error the parser found.
pub fn parse(file: FileId, source: &SourceFile, diagnostics: &mut Diagnostics) -> Option<KdlDocument> {
    if let Some(offset) = too_deep(&source.text) {
        diagnostics.push(
            Diagnostic::new(
                Code::KdlSyntax,
                format!("children blocks are nested more than {MAX_NESTING} levels deep"),
            )
            .at(Span::new(file, offset, 1), format!("level {}", MAX_NESTING + 1))
            .with_help("flatten the structure; Prefect templates never need this depth"),
        );
        return None;
    }
    match source.text.parse::<KdlDocument>() {
        Ok(document) => Some(document),
        Err(error) => {
            for found in &error.diagnostics {
                diagnostics.push(convert(file, source, found));
            }
            if error.diagnostics.is_empty() {
                let span = Span::new(file, 0, 0);
                diagnostics.push(Diagnostic::new(Code::KdlSyntax, "invalid KDL").at(span, "here"));
            }
            None
        }
    }
}

/// Returns the offset of the first `{` that opens a block deeper than [`MAX_NESTING`], skipping
/// strings and comments, so that the parser is never handed a file that could exhaust its stack.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(index);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            b'/' if bytes.get(index + 1) == Some(&b'/') => {
                index = text[index..].find('\n').map_or(bytes.len(), |end| index + end);
            }
            b'/' if bytes.get(index + 1) == Some(&b'*') => index = skip_block_comment(bytes, index),
            b'#' | b'"' => index = skip_string(text, index),
            _ => {}
        }
        index += 1;
    }
    None
}

/// Returns the index of the last byte of a `/* */` comment, which may nest.
fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut index = start;
    while index + 1 < bytes.len() {
        match (bytes[index], bytes[index + 1]) {
            (b'/', b'*') => {
                depth += 1;
                index += 1;
            }
            (b'*', b'/') => {
                depth -= 1;
                index += 1;
                if depth == 0 {
                    return index;
                }
            }
            _ => {}
        }
        index += 1;
    }
    bytes.len()
}

/// Returns the index of the last byte of a quoted, multi-line or raw string starting at `start`
/// (`"..."`, `"""..."""`, `#"..."#`), or `start` when no string starts there.
fn skip_string(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    let after_hashes = &rest[hashes..];
    if !after_hashes.starts_with('"') {
        return start + hashes.saturating_sub(1);
    }
    let quotes = if after_hashes.starts_with("\"\"\"") { 3 } else { 1 };
    let closing = format!("{}{}", "\"".repeat(quotes), "#".repeat(hashes));
    let body_start = start + hashes + quotes;
    let mut search = body_start;
    while let Some(found) = text[search..].find(&closing) {
        let at = search + found;
        let escaped = hashes == 0
            && text[body_start..at]
                .bytes()
                .rev()
                .take_while(|b| *b == b'\\')
                .count()
                % 2
                == 1;
        if !escaped {
            return at + closing.len() - 1;
        }
        search = at + 1;
    }
    text.len()
}

fn convert(file: FileId, source: &SourceFile, found: &KdlDiagnostic) -> Diagnostic {
    let span = Span::from_miette(file, found.span);
    if let Some(diagnostic) = integer_too_large(source, span) {
        return diagnostic;
    }
    let message = found.message.clone().unwrap_or_else(|| "invalid KDL".to_owned());
    let message = lowercase_first(message.trim_end_matches('.'));
    let label = found.label.clone().unwrap_or_else(|| "here".to_owned());
    let mut diagnostic = Diagnostic::new(Code::KdlSyntax, message).at(span, label);
    let hint = v1_habit_hint(source, span).or_else(|| found.help.clone());
    if let Some(help) = hint {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// Reports an integer with more digits than the KDL parser stores (128 bits). The parser itself
/// only says that it expected a value somewhere in the node, so the number is found in the text
/// that the error covers.
fn integer_too_large(source: &SourceFile, span: Span) -> Option<Diagnostic> {
    static INTEGER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s=(])([+-]?[0-9][0-9_]*)(?:[\s;}]|$)").expect("integer pattern is valid")
    });
    // The error's span may stop where the number starts, so read on to the end of that line.
    let rest = source.text.get(span.end()..).unwrap_or("");
    let line_end = span.end() + rest.find('\n').unwrap_or(rest.len());
    let span = Span::new(span.file, span.offset, line_end - span.offset);
    let covered = source.text_at(span);
    let found = INTEGER.captures_iter(covered).find_map(|captures| {
        let number = captures.get(1)?;
        let digits = number.as_str().replace('_', "");
        digits.parse::<i128>().is_err().then_some(number)
    })?;
    let location = span.slice(found.start(), found.len());
    let diagnostic = Diagnostic::new(Code::KdlSyntax, format!("integer `{}` is too large", found.as_str()))
        .at(location, "more digits than KDL can store")
        .with_help(
            "KDL integers hold at most 128 bits, and Prefect's 64: write a smaller number, or a quoted string if it is an identifier",
        );
    Some(diagnostic)
}

/// Recognises KDL v1 spellings at the error's position and says how KDL v2 writes them.
fn v1_habit_hint(source: &SourceFile, span: Span) -> Option<String> {
    let rest = source.text.get(span.offset..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    match word.as_str() {
        "true" | "false" | "null" | "inf" | "nan" => {
            return Some(format!(
                "KDL v2 writes keywords with a `#`: write `#{word}`, or `\"{word}\"` for the string"
            ));
        }
        _ => {}
    }
    if rest.starts_with("r\"") || rest.starts_with("r#") {
        return Some("KDL v2 writes raw strings as `#\"...\"#`, without the `r`".to_owned());
    }
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let line_rest = &rest[..line_end];
    if line_rest.contains("//") && !line_rest.trim_start().starts_with('"') {
        return Some(
            "`//` starts a comment even inside an unquoted word: quote URLs, image names and paths"
                .to_owned(),
        );
    }
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '{' | '}' | '"'))
        .collect();
    if word.contains(['/', '\\', '(', ')', '[', ']', '#', '=']) {
        return Some(format!(
            "an unquoted value cannot contain `/`, `\\`, `(`, `)`, `[`, `]`, `#` or `=`: quote it, as in `\"{word}\"`"
        ));
    }
    if rest.starts_with('{') && rest.get(1..2) == Some("{") {
        return Some("quote text that contains `{{ placeholder }}`: `\"{{ name }}\"`".to_owned());
    }
    None
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let second_is_upper = text.chars().nth(1).is_some_and(char::is_uppercase);
            if second_is_upper {
                text.to_owned()
            } else {
                first.to_lowercase().chain(chars).collect()
            }
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, too_deep};

    fn nested(levels: usize) -> String {
        format!("a {}1{}", "{ b ".repeat(levels), " }".repeat(levels))
    }

    #[test]
    fn too_deep_accepts_limit() {
        assert_eq!(too_deep(&nested(MAX_NESTING)), None);
    }

    #[test]
    fn too_deep_rejects_one_more() {
        assert!(too_deep(&nested(MAX_NESTING + 1)).is_some());
    }

    #[test]
    fn too_deep_skips_strings_and_comments() {
        let braces = "{".repeat(MAX_NESTING + 5);
        let text = format!(
            "a \"{braces}\" #\"{braces}\"# \"\"\"\n{braces}\n\"\"\" // {braces}\n/* {braces} /* */ */ b \"\\\"{braces}\"\n"
        );
        assert_eq!(too_deep(&text), None);
    }
}
