//! Hiding secret values before two templates are shown side by side, as `poolc diff` and
//! `poolc build --check` do.
//!
//! A value is secret when it is the `default` of a schema marked `format: password` or
//! `writeOnly: true`, at any depth of `variables`, or the `default` of a property named in its
//! block's `secret_fields`. Inside an object default, such as a registry block's, the fields that
//! the default's own schema marks secret are hidden too, following `$ref`, `anyOf`, `allOf` and
//! `oneOf`.

use serde_json::Value;

use crate::schema::{KeywordShape, keyword_shape};

/// The text shown for a secret value on the old side, and on the new side when it is unchanged.
pub const HIDDEN: &str = "<hidden>";

/// The text shown for a secret value on the new side when it differs from the old side.
pub const HIDDEN_CHANGED: &str = "<hidden, changed>";

/// The maximum number of `$ref`, `anyOf`, `allOf` and `oneOf` steps followed from one schema, so
/// that a schema that refers to itself ends.
const MAX_REFERENCE_DEPTH: usize = 16;

/// One step into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

type Location = Vec<Step>;

/// Returns copies of two templates with every secret value replaced by [`HIDDEN`], or on the new
/// side by [`HIDDEN_CHANGED`] when the value differs from the old side. A place that is secret in
/// either template is hidden in both, so that a schema that stops being secret does not reveal
/// the old value.
pub fn redact_pair(old: &Value, new: &Value) -> (Value, Value) {
    let mut locations = secret_locations(old);
    locations.extend(secret_locations(new));
    // Outer places come first: once one is hidden, the places inside it no longer exist.
    locations.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    locations.dedup();

    let (mut old_shown, mut new_shown) = (old.clone(), new.clone());
    for location in &locations {
        let before = find(old, location);
        let after = find(new, location);
        let changed = matches!((before, after), (Some(before), Some(after)) if before != after);
        if let Some(slot) = find_mut(&mut old_shown, location) {
            *slot = Value::String(HIDDEN.to_owned());
        }
        if let Some(slot) = find_mut(&mut new_shown, location) {
            let marker = if changed { HIDDEN_CHANGED } else { HIDDEN };
            *slot = Value::String(marker.to_owned());
        }
    }
    (old_shown, new_shown)
}

/// Returns a copy of one template with every secret value replaced by [`HIDDEN`].
pub fn redact(template: &Value) -> Value {
    redact_pair(template, template).0
}

fn find<'a>(value: &'a Value, location: &[Step]) -> Option<&'a Value> {
    location.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.as_object()?.get(key),
        Step::Index(index) => current.as_array()?.get(*index),
    })
}

fn find_mut<'a>(value: &'a mut Value, location: &[Step]) -> Option<&'a mut Value> {
    location.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.as_object_mut()?.get_mut(key),
        Step::Index(index) => current.as_array_mut()?.get_mut(*index),
    })
}

/// Lists the places of a template's secret values.
fn secret_locations(template: &Value) -> Vec<Location> {
    let Some(variables) = template.get("variables") else {
        return Vec::new();
    };
    let mut finder = Finder {
        variables,
        found: Vec::new(),
    };
    let location = vec![Step::Key("variables".to_owned())];
    finder.walk_schema(variables, &location, &SecretFields::default());
    finder.found
}

/// Names from `secret_fields` that apply to one schema: `all` when the schema itself is a secret
/// field, and dotted names such as `b` left over from `a.b` after the step into `a`.
#[derive(Debug, Default)]
struct SecretFields {
    all: bool,
    nested: Vec<String>,
}

impl SecretFields {
    /// Splits the names that apply under `field`: a name equal to `field` or `*` makes the whole
    /// field secret, and `field.rest` leaves `rest` for the field's own members.
    fn under(names: &[String], field: &str) -> SecretFields {
        let mut fields = SecretFields::default();
        for name in names {
            let (first, rest) = match name.split_once('.') {
                Some((first, rest)) => (first, Some(rest)),
                None => (name.as_str(), None),
            };
            if first != field && first != "*" {
                continue;
            }
            match rest {
                Some(rest) => fields.nested.push(rest.to_owned()),
                None => fields.all = true,
            }
        }
        fields
    }
}

struct Finder<'a> {
    variables: &'a Value,
    found: Vec<Location>,
}

impl<'a> Finder<'a> {
    /// Walks a schema and the schemas nested in it, recording secret defaults.
    fn walk_schema(&mut self, schema: &'a Value, location: &Location, inherited: &SecretFields) {
        let Some(object) = schema.as_object() else {
            return;
        };
        if let Some(default) = object.get("default") {
            let default_location = child(location, Step::Key("default".to_owned()));
            if inherited.all || is_secret_schema(schema) {
                self.found.push(default_location);
            } else {
                self.walk_default(schema, default, &default_location, 0);
                self.hide_named(default, &default_location, &inherited.nested);
            }
        }

        let mut names = secret_field_names(schema);
        names.extend(inherited.nested.iter().cloned());
        for (keyword, member) in object {
            let member_location = child(location, Step::Key(keyword.clone()));
            match keyword_shape(keyword) {
                Some(KeywordShape::Schema) if member.is_array() => {
                    self.walk_list(member, &member_location);
                }
                Some(KeywordShape::Schema) => {
                    self.walk_schema(member, &member_location, &SecretFields::default());
                }
                Some(KeywordShape::SchemaList) => self.walk_list(member, &member_location),
                Some(KeywordShape::SchemaMap) => {
                    let is_properties = keyword == "properties";
                    for (name, nested) in member.as_object().into_iter().flatten() {
                        let fields = if is_properties {
                            SecretFields::under(&names, name)
                        } else {
                            SecretFields::default()
                        };
                        let nested_location = child(&member_location, Step::Key(name.clone()));
                        self.walk_schema(nested, &nested_location, &fields);
                    }
                }
                _ => {}
            }
        }
    }

    fn walk_list(&mut self, list: &'a Value, location: &Location) {
        for (index, nested) in list.as_array().into_iter().flatten().enumerate() {
            let nested_location = child(location, Step::Index(index));
            self.walk_schema(nested, &nested_location, &SecretFields::default());
        }
    }

    /// Records the members of a default that its schema marks secret.
    fn walk_default(&mut self, schema: &'a Value, default: &Value, location: &Location, depth: usize) {
        let branches = self.branches(schema, depth);
        if branches.iter().any(|branch| is_secret_schema(branch)) {
            self.found.push(location.clone());
            return;
        }
        for branch in branches {
            match default {
                Value::Object(members) => {
                    self.hide_named(default, location, &secret_field_names(branch));
                    let properties = branch.get("properties").and_then(Value::as_object);
                    for (key, member) in members {
                        if let Some(property) = properties.and_then(|p| p.get(key)) {
                            let member_location = child(location, Step::Key(key.clone()));
                            self.walk_default(property, member, &member_location, depth + 1);
                        }
                    }
                }
                Value::Array(items) => {
                    let Some(item_schema) = branch.get("items").filter(|s| s.is_object()) else {
                        continue;
                    };
                    for (index, item) in items.iter().enumerate() {
                        let item_location = child(location, Step::Index(index));
                        self.walk_default(item_schema, item, &item_location, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// Records the members of `value` that dotted `secret_fields` names, such as `password` or
    /// `credentials.password`; `*` stands for every member.
    fn hide_named(&mut self, value: &Value, location: &Location, names: &[String]) {
        for name in names {
            let steps: Vec<&str> = name.split('.').collect();
            self.hide_path(value, location, &steps);
        }
    }

    fn hide_path(&mut self, value: &Value, location: &Location, steps: &[&str]) {
        let Some((first, rest)) = steps.split_first() else {
            self.found.push(location.clone());
            return;
        };
        let Some(members) = value.as_object() else {
            return;
        };
        for (key, member) in members {
            if *first == "*" || first == key {
                self.hide_path(member, &child(location, Step::Key(key.clone())), rest);
            }
        }
    }

    /// Returns the schema and the schemas it refers to through `$ref`, `anyOf`, `allOf` and `oneOf`.
    fn branches(&self, schema: &'a Value, depth: usize) -> Vec<&'a Value> {
        let mut found = vec![schema];
        if depth > MAX_REFERENCE_DEPTH {
            return found;
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| resolve_reference(self.variables, reference))
        {
            found.extend(self.branches(target, depth + 1));
        }
        for keyword in ["anyOf", "allOf", "oneOf"] {
            for option in schema
                .get(keyword)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                found.extend(self.branches(option, depth + 1));
            }
        }
        found
    }
}

fn child(location: &Location, step: Step) -> Location {
    let mut steps = location.clone();
    steps.push(step);
    steps
}

/// Returns whether the UI masks the schema's value: `format: password` or `writeOnly: true`.
fn is_secret_schema(schema: &Value) -> bool {
    let password = schema.get("format").and_then(Value::as_str) == Some("password");
    let write_only = schema.get("writeOnly").and_then(Value::as_bool) == Some(true);
    password || write_only
}

fn secret_field_names(schema: &Value) -> Vec<String> {
    schema
        .get("secret_fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Resolves a local reference such as `#/definitions/Name` against `variables`.
fn resolve_reference<'a>(variables: &'a Value, reference: &str) -> Option<&'a Value> {
    variables.pointer(reference.strip_prefix('#')?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(variables: Value) -> Value {
        json!({ "job_configuration": {}, "variables": variables })
    }

    #[test]
    fn password_default_is_hidden() {
        let old = template(
            json!({"properties": {"token": {"type": "string", "format": "password", "default": "hunter2"}}}),
        );
        let new = template(
            json!({"properties": {"token": {"type": "string", "format": "password", "default": "hunter2-prod"}}}),
        );
        let (old, new) = redact_pair(&old, &new);
        assert_eq!(old["variables"]["properties"]["token"]["default"], json!(HIDDEN));
        assert_eq!(
            new["variables"]["properties"]["token"]["default"],
            json!(HIDDEN_CHANGED)
        );
    }

    #[test]
    fn equal_secrets_stay_equal() {
        let side = template(json!({"properties": {"token": {"writeOnly": true, "default": "hunter2"}}}));
        let (old, new) = redact_pair(&side, &side);
        assert_eq!(old, new);
        assert_eq!(new["variables"]["properties"]["token"]["default"], json!(HIDDEN));
    }

    #[test]
    fn nested_property_default_is_hidden() {
        let side = template(json!({"properties": {"outer": {"type": "object", "properties": {
            "inner": {"type": "string", "format": "password", "default": "hunter2"}
        }}}}));
        let shown = redact(&side);
        let inner = &shown["variables"]["properties"]["outer"]["properties"]["inner"];
        assert_eq!(inner["default"], json!(HIDDEN));
    }

    #[test]
    fn definition_secret_field_default_is_hidden() {
        let side = template(json!({"definitions": {"Registry": {
            "properties": {"username": {"type": "string", "default": "robot"}, "password": {"type": "string", "default": "hunter2"}},
            "secret_fields": ["password"]
        }}}));
        let shown = redact(&side);
        let properties = &shown["variables"]["definitions"]["Registry"]["properties"];
        assert_eq!(properties["password"]["default"], json!(HIDDEN));
        assert_eq!(properties["username"]["default"], json!("robot"));
    }

    #[test]
    fn block_default_hides_secret_fields() {
        let side = template(json!({
            "properties": {"registry": {
                "anyOf": [{"$ref": "#/definitions/Registry"}, {"type": "null"}],
                "default": {"username": "robot", "password": "hunter2", "token": "abc"}
            }},
            "definitions": {"Registry": {
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}, "token": {"writeOnly": true}},
                "secret_fields": ["password"]
            }}
        }));
        let shown = redact(&side);
        let default = &shown["variables"]["properties"]["registry"]["default"];
        assert_eq!(default["password"], json!(HIDDEN));
        assert_eq!(default["token"], json!(HIDDEN));
        assert_eq!(default["username"], json!("robot"));
    }

    #[test]
    fn dotted_secret_field_is_hidden() {
        let side = template(json!({"properties": {"block": {
            "secret_fields": ["credentials.key"],
            "default": {"credentials": {"key": "hunter2", "id": "app"}}
        }}}));
        let shown = redact(&side);
        let credentials = &shown["variables"]["properties"]["block"]["default"]["credentials"];
        assert_eq!(credentials["key"], json!(HIDDEN));
        assert_eq!(credentials["id"], json!("app"));
    }

    #[test]
    fn secret_on_one_side_hides_both() {
        let old = template(json!({"properties": {"token": {"type": "string", "default": "hunter2"}}}));
        let new = template(
            json!({"properties": {"token": {"type": "string", "format": "password", "default": "hunter2"}}}),
        );
        let (old, new) = redact_pair(&old, &new);
        assert_eq!(old["variables"]["properties"]["token"]["default"], json!(HIDDEN));
        assert_eq!(new["variables"]["properties"]["token"]["default"], json!(HIDDEN));
    }

    #[test]
    fn plain_values_are_kept() {
        let side = template(json!({"properties": {"cpu": {"type": "integer", "default": 4}}}));
        assert_eq!(redact(&side), side);
    }
}
