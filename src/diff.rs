//! Differences between two compiled templates, as a list of changes by JSON path.
//!
//! Objects are compared key by key. Array items that all carry a distinct string `name` are
//! matched by that name, so a reordered or inserted item is not reported as a change to each
//! item after it. Other arrays are aligned with a sequence diff of their items.

use std::fmt;

use serde_json::Value;

use crate::substitute::{HOLE_END, HOLE_START};

/// Maximum characters of a value shown; longer values are cut and end with `…`.
pub const MAX_VALUE_CHARS: usize = 60;

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
    /// An array item found by its `name` key.
    Named(String),
}

/// A place in a JSON document, such as `variables.properties.cpu.default`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPath(pub Vec<PathStep>);

impl JsonPath {
    fn child(&self, step: PathStep) -> JsonPath {
        let mut steps = self.0.clone();
        steps.push(step);
        JsonPath(steps)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Key(key) if is_plain_key(key) => {
                    if position > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                PathStep::Key(key) => write!(f, "[{}]", quote(key))?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
                PathStep::Named(name) if is_plain_key(name) => write!(f, "[name={name}]")?,
                PathStep::Named(name) => write!(f, "[name={}]", quote(name))?,
            }
        }
        Ok(())
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$')
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// One difference between the old and the new template.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added { path: JsonPath, value: Value },
    Removed { path: JsonPath, value: Value },
    Changed { path: JsonPath, old: Value, new: Value },
}

impl Change {
    pub fn path(&self) -> &JsonPath {
        match self {
            Change::Added { path, .. } | Change::Removed { path, .. } | Change::Changed { path, .. } => path,
        }
    }

    /// Returns the change as JSON: its path, its kind, and the values before and after.
    pub fn to_json(&self) -> Value {
        let (kind, old, new) = match self {
            Change::Added { value, .. } => ("added", None, Some(value)),
            Change::Removed { value, .. } => ("removed", Some(value), None),
            Change::Changed { old, new, .. } => ("changed", Some(old), Some(new)),
        };
        let mut object = serde_json::Map::new();
        object.insert("path".to_owned(), Value::String(self.path().to_string()));
        object.insert("kind".to_owned(), Value::String(kind.to_owned()));
        if let Some(old) = old {
            object.insert("old".to_owned(), show_holes(old));
        }
        if let Some(new) = new {
            object.insert("new".to_owned(), show_holes(new));
        }
        Value::Object(object)
    }
}

/// Returns every difference from `old` to `new`, in document order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_at(&JsonPath::default(), old, new, &mut changes);
    changes
}

fn diff_at(path: &JsonPath, old: &Value, new: &Value, changes: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => diff_objects(path, old, new, changes),
        (Value::Array(old), Value::Array(new)) => match (named_items(old), named_items(new)) {
            (Some(old_names), Some(new_names)) => diff_named(path, &old_names, &new_names, changes),
            _ => diff_sequences(path, old, new, changes),
        },
        _ if old == new => {}
        _ => changes.push(Change::Changed {
            path: path.clone(),
            old: old.clone(),
            new: new.clone(),
        }),
    }
}

fn diff_objects(
    path: &JsonPath,
    old: &serde_json::Map<String, Value>,
    new: &serde_json::Map<String, Value>,
    changes: &mut Vec<Change>,
) {
    for (key, old_value) in old {
        let child = path.child(PathStep::Key(key.clone()));
        match new.get(key) {
            Some(new_value) => diff_at(&child, old_value, new_value, changes),
            None => changes.push(Change::Removed {
                path: child,
                value: old_value.clone(),
            }),
        }
    }
    for (key, new_value) in new {
        if !old.contains_key(key) {
            changes.push(Change::Added {
                path: path.child(PathStep::Key(key.clone())),
                value: new_value.clone(),
            });
        }
    }
}

/// Returns the items by their `name` when every item is an object with a distinct string `name`.
fn named_items(items: &[Value]) -> Option<Vec<(&str, &Value)>> {
    let mut named = Vec::with_capacity(items.len());
    for item in items {
        let name = item.get("name")?.as_str()?;
        if named.iter().any(|(seen, _)| *seen == name) {
            return None;
        }
        named.push((name, item));
    }
    Some(named)
}

fn find_named<'a>(items: &[(&str, &'a Value)], name: &str) -> Option<&'a Value> {
    items.iter().find(|(n, _)| *n == name).map(|(_, value)| *value)
}

fn diff_named(path: &JsonPath, old: &[(&str, &Value)], new: &[(&str, &Value)], changes: &mut Vec<Change>) {
    for (name, old_value) in old {
        let child = path.child(PathStep::Named((*name).to_owned()));
        match find_named(new, name) {
            Some(new_value) => diff_at(&child, old_value, new_value, changes),
            None => changes.push(Change::Removed {
                path: child,
                value: (*old_value).clone(),
            }),
        }
    }
    for (name, new_value) in new {
        if find_named(old, name).is_none() {
            changes.push(Change::Added {
                path: path.child(PathStep::Named((*name).to_owned())),
                value: (*new_value).clone(),
            });
        }
    }
}

/// Aligns two arrays by their items' compact JSON; items replaced in place are compared deeply.
fn diff_sequences(path: &JsonPath, old: &[Value], new: &[Value], changes: &mut Vec<Change>) {
    let old_keys: Vec<String> = old.iter().map(Value::to_string).collect();
    let new_keys: Vec<String> = new.iter().map(Value::to_string).collect();
    let operations = similar::capture_diff_slices(similar::Algorithm::Myers, &old_keys, &new_keys);
    for operation in operations {
        let (tag, old_range, new_range) = operation.as_tag_tuple();
        let paired = match tag {
            similar::DiffTag::Equal => continue,
            similar::DiffTag::Replace => old_range.len().min(new_range.len()),
            similar::DiffTag::Delete | similar::DiffTag::Insert => 0,
        };
        for offset in 0..paired {
            let (i, j) = (old_range.start + offset, new_range.start + offset);
            diff_at(&path.child(PathStep::Index(j)), &old[i], &new[j], changes);
        }
        for i in old_range.clone().skip(paired) {
            changes.push(Change::Removed {
                path: path.child(PathStep::Index(i)),
                value: old[i].clone(),
            });
        }
        for j in new_range.clone().skip(paired) {
            changes.push(Change::Added {
                path: path.child(PathStep::Index(j)),
                value: new[j].clone(),
            });
        }
    }
}

/// Renders a value as compact JSON with holes as `${NAME}`, cut to [`MAX_VALUE_CHARS`].
pub fn short_value(value: &Value) -> String {
    let text = show_holes(value).to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let mut short: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
    short.push('…');
    short
}

/// Renders an old and a new value like [`short_value`], but when they share a long beginning,
/// starts both just before the first character that differs, so the difference stays visible.
pub fn short_pair(old: &Value, new: &Value) -> (String, String) {
    let old_text: Vec<char> = show_holes(old).to_string().chars().collect();
    let new_text: Vec<char> = show_holes(new).to_string().chars().collect();
    if old_text.len().max(new_text.len()) <= MAX_VALUE_CHARS {
        return (old_text.iter().collect(), new_text.iter().collect());
    }
    let common = old_text.iter().zip(&new_text).take_while(|(a, b)| a == b).count();
    let skip = common.saturating_sub(CONTEXT_CHARS);
    (cut(&old_text, skip), cut(&new_text, skip))
}

/// Characters kept before the first difference when [`short_pair`] skips a shared beginning.
const CONTEXT_CHARS: usize = 16;

fn cut(text: &[char], skip: usize) -> String {
    let mut output = String::new();
    if skip > 0 {
        output.push('…');
    }
    let room = MAX_VALUE_CHARS - output.chars().count();
    let rest = &text[skip..];
    if rest.len() <= room {
        output.extend(rest);
    } else {
        output.extend(&rest[..room - 1]);
        output.push('…');
    }
    output
}

/// Replaces each hole in the strings of `value` by `${NAME}`.
pub fn show_holes(value: &Value) -> Value {
    match value {
        Value::String(text) if text.contains(HOLE_START) => {
            Value::String(text.replace(HOLE_START, "${").replace(HOLE_END, "}"))
        }
        Value::Array(items) => Value::Array(items.iter().map(show_holes).collect()),
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| (key.clone(), show_holes(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(changes: &[Change]) -> Vec<String> {
        changes.iter().map(|c| c.path().to_string()).collect()
    }

    #[test]
    fn changed_scalar_has_dotted_path() {
        let old = json!({"variables": {"properties": {"cpu": {"default": 1}}}});
        let new = json!({"variables": {"properties": {"cpu": {"default": 4}}}});
        let changes = diff(&old, &new);
        assert_eq!(paths(&changes), ["variables.properties.cpu.default"]);
        assert_eq!(
            changes[0],
            Change::Changed {
                path: changes[0].path().clone(),
                old: json!(1),
                new: json!(4)
            }
        );
    }

    #[test]
    fn added_and_removed_keys() {
        let changes = diff(&json!({"a": 1, "b": 2}), &json!({"b": 2, "c": 3}));
        assert!(matches!(&changes[0], Change::Removed { value, .. } if *value == json!(1)));
        assert!(matches!(&changes[1], Change::Added { value, .. } if *value == json!(3)));
        assert_eq!(paths(&changes), ["a", "c"]);
    }

    #[test]
    fn named_items_match_by_name() {
        let old = json!({"c": [{"name": "a", "x": 1}, {"name": "b", "x": 2}]});
        let new = json!({"c": [{"name": "z", "x": 0}, {"name": "a", "x": 1}, {"name": "b", "x": 3}]});
        let changes = diff(&old, &new);
        assert_eq!(paths(&changes), ["c[name=b].x", "c[name=z]"]);
    }

    #[test]
    fn odd_names_are_quoted() {
        let old = json!([{"name": "[parameters('x')]", "v": 1}]);
        let new = json!([{"name": "[parameters('x')]", "v": 2}]);
        assert_eq!(paths(&diff(&old, &new)), ["[name=\"[parameters('x')]\"].v"]);
    }

    #[test]
    fn plain_array_insert_is_one_change() {
        let changes = diff(&json!({"r": ["a", "b"]}), &json!({"r": ["x", "a", "b"]}));
        assert_eq!(paths(&changes), ["r[0]"]);
        assert!(matches!(&changes[0], Change::Added { .. }));
    }

    #[test]
    fn odd_keys_are_quoted() {
        let changes = diff(&json!({"a.b": 1}), &json!({"a.b": 2}));
        assert_eq!(paths(&changes), ["[\"a.b\"]"]);
    }

    #[test]
    fn long_values_are_cut() {
        let text = short_value(&json!("x".repeat(100)));
        assert_eq!(text.chars().count(), MAX_VALUE_CHARS);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn long_pair_starts_near_difference() {
        let prefix = "/subscriptions/x/resourcegroups/";
        let old = json!(format!(
            "{prefix}contoso-dev-we-rg-aks/providers/Microsoft.ManagedIdentity"
        ));
        let new = json!(format!(
            "{prefix}contoso-test-we-rg-aks/providers/Microsoft.ManagedIdentity"
        ));
        let (old, new) = short_pair(&old, &new);
        assert!(old.starts_with('…'), "{old}");
        assert!(old.contains("contoso-dev"), "{old}");
        assert!(new.starts_with('…'), "{new}");
        assert!(new.contains("contoso-test"), "{new}");
        assert!(old.chars().count() <= MAX_VALUE_CHARS);
    }

    #[test]
    fn holes_show_as_dollar_names() {
        let value = json!(format!("/s/{HOLE_START}SUB{HOLE_END}/rg"));
        assert_eq!(short_value(&value), "\"/s/${SUB}/rg\"");
    }
}
