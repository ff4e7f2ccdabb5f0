//! `$NAME` substitution in string values: `$ENV`, `let` values and the process environment.
//!
//! `$NAME` and `${NAME}` expand, `${NAME:-fallback}` falls back when NAME is unset or empty,
//! and `$$` is a literal `$`. A `$` that no name follows stays as it is. Keys are never expanded.

use std::collections::BTreeMap;

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Let;
use crate::resolve::Environment;
use crate::source::{SourceMap, Span};

/// Marks the start and end of an unset name in check mode, where the value on disk decides it.
pub const HOLE_START: char = '\u{E000}';
pub const HOLE_END: char = '\u{E001}';

/// The treatment of a name that is neither set nor declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsetPolicy {
    /// An error at the reference: the normal build.
    Error,
    /// A hole that matches whatever the file on disk has there: the check on a laptop.
    Hole,
}

/// Reads a name from the process environment.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Expands every string value of an environment's template and its output file name.
pub fn substitute_environment(
    environment: &mut Environment,
    sources: &SourceMap,
    lookup: Lookup<'_>,
    policy: UnsetPolicy,
    known_names: &[String],
    diagnostics: &mut Diagnostics,
) {
    let mut expander = Expander {
        environment_name: environment.name.clone(),
        lets: environment.lets.clone(),
        lookup,
        policy,
        sources,
        known_names,
        diagnostics,
        resolving: Vec::new(),
    };
    // A `$ref` in the schema is a JSON pointer such as `#/$defs/Registry`, never a place for
    // a substituted value, so it is left as written.
    environment.variables.map_strings(&mut |text, span, key| {
        if key != Some("$ref") {
            expander.expand_in_place(text, span);
        }
    });
    environment
        .job_configuration
        .map_strings(&mut |text, span, _| expander.expand_in_place(text, span));
    if let Some(output) = &mut environment.output {
        let span = output.span;
        expander.expand_in_place(&mut output.text, span);
    }
}

struct Expander<'a> {
    environment_name: String,
    lets: BTreeMap<String, Let>,
    lookup: Lookup<'a>,
    policy: UnsetPolicy,
    sources: &'a SourceMap,
    known_names: &'a [String],
    diagnostics: &'a mut Diagnostics,
    /// The `let` names being expanded, to catch a `let` that refers to itself.
    resolving: Vec<String>,
}

impl Expander<'_> {
    fn expand_in_place(&mut self, text: &mut String, span: Span) {
        if !text.contains('$') {
            return;
        }
        let original = text.clone();
        if let Some(expanded) = self.expand(&original, &original, 0, span) {
            *text = expanded;
        }
    }

    /// Expands `part`, which starts at byte `base` of the whole string `whole` written at `span`.
    fn expand(&mut self, whole: &str, part: &str, base: usize, span: Span) -> Option<String> {
        let mut output = String::with_capacity(part.len());
        let mut complete = true;
        let mut rest = part;
        while let Some(dollar) = rest.find('$') {
            output.push_str(&rest[..dollar]);
            let at = base + (part.len() - rest.len()) + dollar;
            let after = &rest[dollar + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                output.push('$');
                rest = tail;
            } else if let Some(braced) = after.strip_prefix('{') {
                let Some(close) = matching_brace(braced) else {
                    self.report_malformed(whole, at, whole.len() - at, span, "`${` has no closing `}`");
                    return None;
                };
                let inner = &braced[..close];
                let reference_len = close + 3;
                match self.braced(whole, inner, at, reference_len, span) {
                    Some(value) => output.push_str(&value),
                    None => complete = false,
                }
                rest = &braced[close + 1..];
            } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                let name_len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                let name = &after[..name_len];
                match self.resolve(name, whole, at, name_len + 1, span, true) {
                    Some(Some(value)) => output.push_str(&value),
                    Some(None) => {
                        self.report_unset(name, whole, at, name_len + 1, span);
                        complete = false;
                    }
                    None => complete = false,
                }
                rest = &after[name_len..];
            } else {
                output.push('$');
                rest = after;
            }
        }
        output.push_str(rest);
        complete.then_some(output)
    }

    /// Expands the inside of `${...}`.
    fn braced(&mut self, whole: &str, inner: &str, at: usize, len: usize, span: Span) -> Option<String> {
        let (name, fallback) = match inner.split_once(":-") {
            Some((name, fallback)) => (name, Some(fallback)),
            None => (inner, None),
        };
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            let message = if name.is_empty() {
                "`${}` names nothing".to_owned()
            } else {
                format!("`${{{inner}}}` is not a valid reference")
            };
            self.report_malformed(whole, at, len, span, &message);
            return None;
        }
        // With a fallback, an unset name takes the fallback in check mode too, as `build` does.
        match (
            self.resolve(name, whole, at, len, span, fallback.is_none())?,
            fallback,
        ) {
            (Some(value), None) => Some(value),
            (Some(value), Some(_)) if !value.is_empty() => Some(value),
            (_, Some(fallback)) => {
                let fallback_base = at + 2 + name.len() + 2;
                self.expand(whole, fallback, fallback_base, span)
            }
            (None, None) => {
                self.report_unset(name, whole, at, len, span);
                None
            }
        }
    }

    /// Looks a name up: `ENV`, then `let` values, then the process environment.
    /// Returns `None` after reporting an error, `Some(None)` when the name is unset and no
    /// hole may stand for it.
    fn resolve(
        &mut self,
        name: &str,
        whole: &str,
        at: usize,
        len: usize,
        span: Span,
        allow_hole: bool,
    ) -> Option<Option<String>> {
        if name == "ENV" {
            return Some(Some(self.environment_name.clone()));
        }
        if let Some(binding) = self.lets.get(name).cloned() {
            if self.resolving.iter().any(|n| n == name) {
                let chain = format!("{} → {name}", self.resolving.join(" → "));
                let location = self.locate(whole, at, len, span);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnresolvedSubstitution,
                        format!("`let` values refer to each other in a cycle: {chain}"),
                    )
                    .at(location, "refers back to itself")
                    .with_help("give one of the `let` values a plain string"),
                );
                return None;
            }
            self.resolving.push(name.to_owned());
            let value = self.expand(&binding.value.text, &binding.value.text, 0, binding.value.span);
            self.resolving.pop();
            return value.map(Some);
        }
        if let Some(value) = (self.lookup)(name) {
            return Some(Some(value));
        }
        if self.policy == UnsetPolicy::Hole && allow_hole {
            return Some(Some(format!("{HOLE_START}{name}{HOLE_END}")));
        }
        Some(None)
    }

    fn report_unset(&mut self, name: &str, whole: &str, at: usize, len: usize, span: Span) {
        let location = self.locate(whole, at, len, span);
        let in_placeholder = whole[..at]
            .rfind("{{")
            .is_some_and(|open| !whole[open..at].contains("}}"));
        let help = if in_placeholder {
            format!(
                "Prefect's `{{{{ ${name} }}}}` reads the worker's environment at run time: write `$${name}` so poolc keeps the `$`"
            )
        } else {
            format!(
                "set `{name}` in the environment, declare `let {name} \"...\"` in a pool file, give a fallback with `${{{name}:-value}}`, or write `$$` for a literal `$`"
            )
        };
        let mut candidates: Vec<&str> = self.lets.keys().map(String::as_str).collect();
        candidates.push("ENV");
        candidates.extend(self.known_names.iter().map(String::as_str));
        let diagnostic = Diagnostic::new(Code::UnresolvedSubstitution, format!("`${name}` is not set"))
            .at(location, "not in the environment and not declared with `let`")
            .with_help(help)
            .with_suggestion(name, candidates);
        self.diagnostics.push(diagnostic);
    }

    fn report_malformed(&mut self, whole: &str, at: usize, len: usize, span: Span, message: &str) {
        let location = self.locate(whole, at, len, span);
        self.diagnostics.push(
            Diagnostic::new(Code::MalformedSubstitution, message.to_owned())
                .at(location, "malformed reference")
                .with_help("write `$NAME`, `${NAME}` or `${NAME:-fallback}`, and `$$` for a literal `$`"),
        );
    }

    fn locate(&self, whole: &str, at: usize, len: usize, span: Span) -> Span {
        locate(self.sources, span, whole, at, len)
    }
}

/// Finds the `}` that closes a `${`, allowing `${...}` nested in a fallback.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(index),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Returns the span of bytes `at..at + len` of a string value, inside the source text that wrote
/// it, or the whole value's span when escapes make the two differ.
pub fn locate(sources: &SourceMap, span: Span, text: &str, at: usize, len: usize) -> Span {
    let source = sources.get(span.file);
    let written = source.text_at(span);
    let Some(wanted) = text.get(at..at + len) else {
        return span;
    };
    if written.len() >= 2
        && written.starts_with('"')
        && !written.starts_with("\"\"\"")
        && written.get(1..written.len() - 1) == Some(text)
    {
        return span.slice(1 + at, len);
    }
    if written == text {
        return span.slice(at, len);
    }
    let prefix = text.get(..at).unwrap_or("");
    let occurrence = prefix.matches(wanted).count();
    if let Some((index, _)) = written.match_indices(wanted).nth(occurrence) {
        return span.slice(index, len);
    }
    // `$$` in the file is one `$` in the text, as in `{{ $$HOME }}`.
    let escaped = wanted.replace('$', "$$");
    match written.match_indices(&escaped).nth(occurrence) {
        Some((index, _)) => span.slice(index, escaped.len()),
        None => span,
    }
}

#[cfg(test)]
mod tests {
    use super::matching_brace;

    #[test]
    fn matching_brace_skips_nested_reference() {
        assert_eq!(matching_brace("A:-${B}}rest"), Some(7));
    }

    #[test]
    fn matching_brace_missing() {
        assert_eq!(matching_brace("A:-x"), None);
    }
}
