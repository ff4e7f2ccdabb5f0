//! Reading a base job template from JSON text, with a diagnostic for each way it can fail.
//! The failures are invalid JSON, not an object, missing or unknown top-level keys, a section
//! that is not an object, and a number a pool file cannot hold.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Section;
use crate::source::{FileId, SourceFile, Span};

use super::pattern::Pattern;

/// A base job template: its two sections in file order.
#[derive(Debug, Clone)]
pub struct Template {
    pub file: FileId,
    pub sections: Vec<(Section, Pattern)>,
}

impl Template {
    pub fn section(&self, section: Section) -> Option<&Pattern> {
        self.sections
            .iter()
            .find(|(s, _)| *s == section)
            .map(|(_, value)| value)
    }

    pub fn order(&self) -> Vec<Section> {
        self.sections.iter().map(|(section, _)| *section).collect()
    }
}

/// Parses and checks one template, reporting every problem found.
pub fn read(file: FileId, source: &SourceFile, diagnostics: &mut Diagnostics) -> Option<Template> {
    let text = source.text.as_str();
    let json: serde_json::Value = match serde_json::from_str(text) {
        Ok(json) => json,
        Err(error) => {
            let offset = offset_of(text, error.line(), error.column());
            let message = error.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            diagnostics.push(
                Diagnostic::new(Code::InvalidTemplate, format!("invalid JSON: {message}"))
                    .at(Span::new(file, offset, 0), "here")
                    .with_help("fix the JSON syntax; a base job template is one JSON object"),
            );
            return None;
        }
    };
    let start = text.len() - text.trim_start().len();
    let whole = Span::new(file, start, 1.min(text.len() - start));
    let Some(object) = json.as_object() else {
        diagnostics.push(
            Diagnostic::new(Code::InvalidTemplate, "a base job template must be a JSON object")
                .at(whole, "not an object")
                .with_help("a template is `{\"variables\": {...}, \"job_configuration\": {...}}`"),
        );
        return None;
    };

    let key_spans = top_level_keys(text);
    let key_span = |key: &str| {
        key_spans
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(whole, |(_, offset, len)| Span::new(file, *offset, *len))
    };
    let mut sections = Vec::new();
    let mut complete = true;
    for (key, value) in object {
        let section = match key.as_str() {
            "variables" => Section::Variables,
            "job_configuration" => Section::JobConfiguration,
            other => {
                diagnostics.push(
                    Diagnostic::new(Code::InvalidTemplate, format!("unknown top-level key `{other}`"))
                        .at(key_span(other), "not a section of a base job template")
                        .with_help("a base job template holds only `variables` and `job_configuration`; remove the key")
                        .with_suggestion(other, ["variables", "job_configuration"]),
                );
                complete = false;
                continue;
            }
        };
        // `"variables": true` is a valid schema, and a pool file can write it as `variables #true`.
        let is_boolean_schema = section == Section::Variables && value.is_boolean();
        if !value.is_object() && !is_boolean_schema {
            diagnostics.push(
                Diagnostic::new(Code::InvalidTemplate, format!("`{key}` must be a JSON object"))
                    .at(key_span(key), "not an object")
                    .with_help(format!("write `\"{key}\": {{}}` at least")),
            );
            complete = false;
            continue;
        }
        match Pattern::from_section_json(key, value) {
            Ok(pattern) => sections.push((section, pattern)),
            Err(too_large) => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::NumberOutOfRange,
                        format!("integer `{}` at `{}` does not fit in 64 bits", too_large.text, too_large.path),
                    )
                    .at(key_span(key), "in this section")
                    .with_help("pool files hold integers from -9223372036854775808 to 9223372036854775807; write a smaller number, or a string"),
                );
                complete = false;
            }
        }
    }
    for section in [Section::Variables, Section::JobConfiguration] {
        if !object.contains_key(section.key()) {
            diagnostics.push(
                Diagnostic::new(Code::InvalidTemplate, format!("`{}` is missing", section.key()))
                    .at(whole, "this template has no such key")
                    .with_help(format!(
                        "a base job template holds `variables` and `job_configuration`; add `\"{}\": {{}}`",
                        section.key()
                    )),
            );
            complete = false;
        }
    }
    complete.then_some(Template { file, sections })
}

/// Returns the byte offset of a 1-based line and column, as serde_json reports them.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text.get(line_start..).unwrap_or("");
    let within: usize = line_text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    (line_start + within).min(text.len())
}

/// Finds the keys of the outermost object with their byte spans (quotes included).
fn top_level_keys(text: &str) -> Vec<(String, usize, usize)> {
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut expecting_key = false;
    let mut chars = text.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '{' | '[' => {
                depth += 1;
                expecting_key = c == '{' && depth == 1;
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            ',' => expecting_key = depth == 1,
            '"' => {
                let end = string_end(&mut chars).unwrap_or(text.len());
                if expecting_key && depth == 1 {
                    let raw = text.get(index..end).unwrap_or("");
                    if let Ok(key) = serde_json::from_str::<String>(raw) {
                        keys.push((key, index, end - index));
                    }
                }
                expecting_key = false;
            }
            _ => {}
        }
    }
    keys
}

/// Advances past a JSON string's closing quote and returns the byte offset after it.
fn string_end(chars: &mut std::str::CharIndices<'_>) -> Option<usize> {
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return Some(index + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_skip_nested_ones() {
        let keys = top_level_keys(r#"{"a": {"b": 1}, "c\"d": [ {"e": 2} ]}"#);
        let names: Vec<&str> = keys.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(names, ["a", "c\"d"]);
    }

    #[test]
    fn offset_of_counts_lines_and_columns() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
        assert_eq!(offset_of("ab", 1, 1), 0);
    }
}
