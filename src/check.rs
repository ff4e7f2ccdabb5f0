//! Check mode: whether the templates on disk are what the pool files compile to.
//!
//! A template compiled with [`UnsetPolicy::Hole`](crate::substitute::UnsetPolicy::Hole) may hold
//! holes where a name such as `$AZURE_SUBSCRIPTION_ID` was unset. A hole matches any run of
//! characters without `"` or `\` (JSON string content), and every hole of one name matches the
//! same text within one file. Everything else must match byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::emit::{Template, render};
use crate::substitute::{HOLE_END, HOLE_START};

/// Values bound to hole names, taken from the file on disk.
pub type Bindings = BTreeMap<String, String>;

/// Matching steps allowed for one file before it is called stale. Holes rarely allow more than
/// one way to match, so a real template needs a few steps per hole.
/// NOTE: a file that would match only after more steps is reported stale; no real template is
/// known to need that many, because it takes many holes of one string with repeated text.
const STEP_BUDGET: usize = 200_000;

/// One piece of compiled text: literal text or a hole.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Hole(String),
}

/// Compiled text split at its holes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
}

impl Pattern {
    pub fn parse(text: &str) -> Pattern {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(HOLE_START) {
            let after = &rest[start + HOLE_START.len_utf8()..];
            let Some(end) = after.find(HOLE_END) else {
                break;
            };
            if start > 0 {
                segments.push(Segment::Literal(rest[..start].to_owned()));
            }
            segments.push(Segment::Hole(after[..end].to_owned()));
            rest = &after[end + HOLE_END.len_utf8()..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_owned()));
        }
        Pattern { segments }
    }

    pub fn has_holes(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Hole(_)))
    }

    /// Matches `text` as a whole, starting from `bindings`, and returns the extended bindings on a match.
    pub fn match_text(&self, text: &str, bindings: &Bindings) -> Option<Bindings> {
        let mut bindings = bindings.clone();
        let mut steps = 0;
        self.match_from(0, text, &mut bindings, &mut steps)
            .then_some(bindings)
    }

    /// Binds the holes before the first difference when `text` does not match as a whole: each
    /// unbound hole takes the text up to the first character of the literal after it. Used only
    /// to show real values in a diff, never to decide freshness.
    pub fn bind_leading(&self, text: &str, bindings: &mut Bindings) {
        let mut rest = text;
        for (index, segment) in self.segments.iter().enumerate() {
            let expected = match segment {
                Segment::Literal(literal) => literal.clone(),
                Segment::Hole(name) => match bindings.get(name) {
                    Some(bound) => bound.clone(),
                    None => {
                        let stop = match self.segments.get(index + 1) {
                            Some(Segment::Literal(next)) => next.chars().next(),
                            _ => None,
                        };
                        let end = rest
                            .find(|c: char| c == '"' || c == '\\' || Some(c) == stop)
                            .unwrap_or(rest.len());
                        bindings.insert(name.clone(), rest[..end].to_owned());
                        rest[..end].to_owned()
                    }
                },
            };
            match rest.strip_prefix(expected.as_str()) {
                Some(after) => rest = after,
                None => return,
            }
        }
    }

    fn match_from(&self, index: usize, text: &str, bindings: &mut Bindings, steps: &mut usize) -> bool {
        *steps += 1;
        if *steps > STEP_BUDGET {
            return false;
        }
        let Some(segment) = self.segments.get(index) else {
            return text.is_empty();
        };
        match segment {
            Segment::Literal(literal) => text
                .strip_prefix(literal.as_str())
                .is_some_and(|rest| self.match_from(index + 1, rest, bindings, steps)),
            Segment::Hole(name) => {
                if let Some(bound) = bindings.get(name) {
                    let Some(rest) = text.strip_prefix(bound.as_str()) else {
                        return false;
                    };
                    return self.match_from(index + 1, rest, bindings, steps);
                }
                self.match_hole(index, name, text, bindings, steps)
            }
        }
    }

    /// Tries every length of string content for an unbound hole, shortest first.
    fn match_hole(
        &self,
        index: usize,
        name: &str,
        text: &str,
        bindings: &mut Bindings,
        steps: &mut usize,
    ) -> bool {
        let limit = text.find(['"', '\\']).unwrap_or(text.len());
        let ends = text[..limit]
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(limit));
        for end in ends {
            bindings.insert(name.to_owned(), text[..end].to_owned());
            if self.match_from(index + 1, &text[end..], bindings, steps) {
                return true;
            }
        }
        bindings.remove(name);
        false
    }
}

/// Replaces each hole in `text` by its bound value, or by `${NAME}` when it has none.
pub fn fill_holes(text: &str, bindings: &Bindings) -> String {
    let mut output = String::with_capacity(text.len());
    for segment in Pattern::parse(text).segments {
        match segment {
            Segment::Literal(literal) => output.push_str(&literal),
            Segment::Hole(name) => match bindings.get(&name) {
                Some(value) => output.push_str(value),
                None => output.push_str(&format!("${{{name}}}")),
            },
        }
    }
    output
}

/// Binds what it can by walking both JSON documents side by side and matching each string that
/// contains holes against the string at the same place on disk. A stale file still binds the names
/// of its unchanged strings, so its diff shows real values instead of `${NAME}`.
pub fn bind_structurally(compiled: &serde_json::Value, disk: &serde_json::Value, bindings: &mut Bindings) {
    use serde_json::Value;
    match (compiled, disk) {
        (Value::String(pattern), Value::String(text)) => {
            let pattern = Pattern::parse(pattern);
            if !pattern.has_holes() {
                return;
            }
            match pattern.match_text(text, bindings) {
                Some(found) => *bindings = found,
                None => pattern.bind_leading(text, bindings),
            }
        }
        (Value::Object(compiled), Value::Object(disk)) => {
            for (key, value) in compiled {
                if let Some(other) = disk.get(key) {
                    bind_structurally(value, other, bindings);
                }
            }
        }
        (Value::Array(compiled), Value::Array(disk)) => {
            for (value, other) in compiled.iter().zip(disk) {
                bind_structurally(value, other, bindings);
            }
        }
        _ => {}
    }
}

/// The state of one template's file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// The file differs: `expected` is the compiled text with holes filled where possible.
    Stale {
        on_disk: String,
        expected: String,
    },
    /// No file, or a file poolc cannot read as text.
    Missing {
        expected: String,
    },
}

/// The result of checking one template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateCheck {
    pub environment: String,
    pub path: PathBuf,
    pub freshness: Freshness,
}

/// Compares a compiled template with the file on disk in `folder`.
pub fn check_template(folder: &Path, template: &Template) -> TemplateCheck {
    let file_name = resolve_file_name(folder, &template.file_name);
    let path = folder.join(&file_name);
    let freshness = match std::fs::read_to_string(&path) {
        Ok(on_disk) => compare(&template.text, on_disk),
        Err(_) => Freshness::Missing {
            expected: fill_holes(&template.text, &Bindings::new()),
        },
    };
    TemplateCheck {
        environment: template.environment.clone(),
        path,
        freshness,
    }
}

/// Returns whether `on_disk` matches the compiled text, and what it should be when it does not.
pub fn compare(compiled: &str, on_disk: String) -> Freshness {
    if Pattern::parse(compiled)
        .match_text(&on_disk, &Bindings::new())
        .is_some()
    {
        return Freshness::Fresh;
    }
    let mut bindings = Bindings::new();
    if let (Ok(compiled_json), Ok(disk_json)) = (
        serde_json::from_str::<serde_json::Value>(compiled),
        serde_json::from_str::<serde_json::Value>(&on_disk),
    ) {
        bind_structurally(&compiled_json, &disk_json, &mut bindings);
    }
    Freshness::Stale {
        expected: fill_holes(compiled, &bindings),
        on_disk,
    }
}

/// Picks the file on disk for a file name that contains holes, such as an `output` name with an
/// unset `$NAME`: the one entry of `folder` that matches, or the name itself.
fn resolve_file_name(folder: &Path, file_name: &str) -> String {
    let pattern = Pattern::parse(file_name);
    if !pattern.has_holes() {
        return file_name.to_owned();
    }
    let Ok(entries) = std::fs::read_dir(folder) else {
        return fill_holes(file_name, &Bindings::new());
    };
    let matching: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| pattern.match_text(name, &Bindings::new()).is_some())
        .collect();
    match matching.as_slice() {
        [only] => only.clone(),
        _ => fill_holes(file_name, &Bindings::new()),
    }
}

/// The diff shown for a stale file, once secret values are hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownDiff {
    /// A unified diff of both sides, parsed, with secrets hidden and rendered again.
    Diff(String),
    /// Both sides render alike once parsed, so the bytes differ only in layout, such as spacing.
    LayoutOnly,
    /// A side is not valid JSON, so its secrets cannot be found and nothing is shown.
    NotJson(String),
}

/// Renders the diff of a stale file for display, with the secret values of both sides hidden
/// (see [`crate::redact`]). Freshness is decided on the real bytes by [`compare`], never here.
pub fn shown_diff(path: &Path, on_disk: &str, expected: &str) -> ShownDiff {
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text);
    let disk_json = match parse(on_disk) {
        Ok(json) => json,
        Err(error) => return ShownDiff::NotJson(format!("the file on disk is not valid JSON: {error}")),
    };
    let expected_json = match parse(expected) {
        Ok(json) => json,
        Err(error) => {
            return ShownDiff::NotJson(format!("the compiled template cannot be read back: {error}"));
        }
    };
    let (disk_shown, expected_shown) = crate::redact::redact_pair(&disk_json, &expected_json);
    let (disk_text, expected_text) = (render(&disk_shown), render(&expected_shown));
    if disk_text == expected_text {
        return ShownDiff::LayoutOnly;
    }
    ShownDiff::Diff(unified_diff(path, &disk_text, &expected_text))
}

/// Renders a unified diff from the file on disk to what the pool files compile to.
pub fn unified_diff(path: &Path, on_disk: &str, expected: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(on_disk, expected)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (on disk)"), &format!("{name} (compiled)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(name: &str) -> String {
        format!("{HOLE_START}{name}{HOLE_END}")
    }

    #[test]
    fn literal_text_must_match_exactly() {
        let pattern = Pattern::parse("{\"a\": 1}\n");
        assert!(pattern.match_text("{\"a\": 1}\n", &Bindings::new()).is_some());
        assert!(pattern.match_text("{\"a\": 2}\n", &Bindings::new()).is_none());
    }

    #[test]
    fn hole_binds_string_content() {
        let compiled = format!("\"/subscriptions/{}/rg\"", hole("SUB"));
        let bindings = Pattern::parse(&compiled)
            .match_text("\"/subscriptions/1234-abcd/rg\"", &Bindings::new())
            .expect("matches");
        assert_eq!(bindings.get("SUB").map(String::as_str), Some("1234-abcd"));
    }

    #[test]
    fn hole_binds_same_value_everywhere() {
        let compiled = format!("[\"{0}\", \"{0}\"]", hole("SUB"));
        let pattern = Pattern::parse(&compiled);
        assert!(pattern.match_text("[\"x\", \"x\"]", &Bindings::new()).is_some());
        assert!(pattern.match_text("[\"x\", \"y\"]", &Bindings::new()).is_none());
    }

    #[test]
    fn hole_stops_at_quote_and_backslash() {
        let pattern = Pattern::parse(&format!("\"{}\"", hole("A")));
        assert!(pattern.match_text("\"a\", \"b\"", &Bindings::new()).is_none());
        assert!(pattern.match_text("\"a\\nb\"", &Bindings::new()).is_none());
    }

    #[test]
    fn hole_may_be_empty() {
        let pattern = Pattern::parse(&format!("\"x{}y\"", hole("A")));
        let bindings = pattern.match_text("\"xy\"", &Bindings::new()).expect("matches");
        assert_eq!(bindings.get("A").map(String::as_str), Some(""));
    }

    #[test]
    fn two_holes_in_one_string_backtrack() {
        let compiled = format!("\"{}-{}-{}\"", hole("A"), hole("B"), hole("A"));
        let bindings = Pattern::parse(&compiled)
            .match_text("\"x-y-z-x-y\"", &Bindings::new())
            .expect("matches");
        assert_eq!(bindings.get("A").map(String::as_str), Some("x-y"));
        assert_eq!(bindings.get("B").map(String::as_str), Some("z"));
    }

    #[test]
    fn changed_string_binds_leading_hole() {
        let compiled = format!("/s/{}/rg/new", hole("SUB"));
        let mut bindings = Bindings::new();
        Pattern::parse(&compiled).bind_leading("/s/1234/rg/old", &mut bindings);
        assert_eq!(bindings.get("SUB").map(String::as_str), Some("1234"));
    }

    #[test]
    fn leading_binding_stops_at_first_difference() {
        let compiled = format!("/a/{}/b/{}", hole("X"), hole("Y"));
        let mut bindings = Bindings::new();
        Pattern::parse(&compiled).bind_leading("/z/1/b/2", &mut bindings);
        assert!(bindings.is_empty(), "{bindings:?}");
    }

    #[test]
    fn fill_uses_bindings_then_dollar_names() {
        let text = format!("{}/{}", hole("A"), hole("B"));
        let bindings = Bindings::from([("A".to_owned(), "1".to_owned())]);
        assert_eq!(fill_holes(&text, &bindings), "1/${B}");
    }

    fn shown_text(shown: ShownDiff) -> String {
        match shown {
            ShownDiff::Diff(text) => text,
            other => panic!("expected a diff, got {other:?}"),
        }
    }

    #[test]
    fn shown_diff_hides_secret_defaults() {
        let template = |secret: &str, cpu: u32| {
            let json = serde_json::json!({
                "variables": {"properties": {
                    "token": {"type": "string", "format": "password", "default": secret},
                    "cpu": {"type": "integer", "default": cpu}
                }},
                "job_configuration": {}
            });
            render(&json)
        };
        let path = Path::new("t.json");
        let changed = shown_text(shown_diff(
            path,
            &template("hunter2", 1),
            &template("hunter2-prod", 1),
        ));
        assert!(!changed.contains("hunter2"), "{changed}");
        assert!(
            changed.contains("-        \"default\": \"<hidden>\""),
            "{changed}"
        );
        assert!(
            changed.contains("+        \"default\": \"<hidden, changed>\""),
            "{changed}"
        );

        let same = shown_text(shown_diff(path, &template("hunter2", 1), &template("hunter2", 2)));
        assert!(!same.contains("hunter2"), "{same}");
        assert!(!same.contains("<hidden, changed>"), "{same}");
        assert!(same.contains("+        \"default\": 2"), "{same}");
    }

    #[test]
    fn shown_diff_of_layout_change() {
        let shown = shown_diff(Path::new("t.json"), "{\"a\": 1}", "{\n  \"a\": 1\n}\n");
        assert_eq!(shown, ShownDiff::LayoutOnly);
    }

    #[test]
    fn shown_diff_of_invalid_json() {
        let shown = shown_diff(Path::new("t.json"), "{\"token\": \"hunter2\"", "{}\n");
        assert!(
            matches!(&shown, ShownDiff::NotJson(reason) if !reason.contains("hunter2")),
            "{shown:?}"
        );
    }

    #[test]
    fn stale_file_fills_holes_from_unchanged_strings() {
        let compiled = format!("{{\n  \"id\": \"/s/{}\",\n  \"cpu\": 4\n}}\n", hole("SUB"));
        let on_disk = "{\n  \"id\": \"/s/1234\",\n  \"cpu\": 1\n}\n".to_owned();
        match compare(&compiled, on_disk) {
            Freshness::Stale { expected, .. } => {
                assert_eq!(expected, "{\n  \"id\": \"/s/1234\",\n  \"cpu\": 4\n}\n");
            }
            other => panic!("expected stale, got {other:?}"),
        }
    }
}
