//! Defaults checked against their own schema, the way Prefect's server checks them when a work
//! pool is created: the object `{variable: default}` is validated against the whole `variables`
//! schema after the server's own rewriting of that schema (see [`prepare`]).

use std::collections::BTreeSet;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{JsonType, ValidationError};
use serde_json::{Map, Value as Json};

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::value::{Kind, Object, Value};

use super::secrets::{is_block_document_reference, is_secret_schema, secret_names};
use super::value_at;

pub fn check(variables: &Value, json: &Json, diagnostics: &mut Diagnostics) {
    let Some(properties) = variables.get("properties").and_then(Value::as_object) else {
        return;
    };
    let instance = defaults(properties);
    if instance.is_empty() {
        return;
    }
    let Some(validator) = validator_for(json) else {
        return;
    };
    let instance = Json::Object(instance);
    let reporter = Reporter {
        variables,
        properties,
        secrets: secret_names(variables),
    };
    for error in validator.iter_errors(&instance) {
        diagnostics.push(reporter.diagnostic(&error));
    }
}

thread_local! {
    /// Validators by the text of their schema, because environments usually share one schema
    /// that differs only in defaults, and compiling a validator costs more than checking.
    static VALIDATORS: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<jsonschema::Validator>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Returns a validator for the prepared schema of `json`, compiled once per distinct schema.
/// `default` values are left out first: they are annotations that do not change validation.
fn validator_for(json: &Json) -> Option<std::rc::Rc<jsonschema::Validator>> {
    let mut schema = prepare(json);
    strip_defaults(&mut schema);
    let key = schema.to_string();
    if let Some(validator) = VALIDATORS.with(|cache| cache.borrow().get(&key).cloned()) {
        return Some(validator);
    }
    let validator = match jsonschema::draft202012::options().offline().build(&schema) {
        Ok(validator) => std::rc::Rc::new(validator),
        Err(error) => {
            log::debug!("no default was checked: the prepared schema does not compile: {error}");
            return None;
        }
    };
    VALIDATORS.with(|cache| cache.borrow_mut().insert(key, std::rc::Rc::clone(&validator)));
    Some(validator)
}

/// Removes the `default` keyword from a schema and every schema inside it, leaving members
/// that are merely named `default` (a property called `default`, say) in place.
fn strip_defaults(schema: &mut Json) {
    let Json::Object(map) = schema else { return };
    map.remove("default");
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            (
                "properties" | "definitions" | "$defs" | "patternProperties" | "dependentSchemas",
                Json::Object(members),
            ) => {
                members.values_mut().for_each(strip_defaults);
            }
            ("anyOf" | "allOf" | "oneOf" | "prefixItems", Json::Array(items)) => {
                items.iter_mut().for_each(strip_defaults)
            }
            (
                "items"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "additionalItems"
                | "unevaluatedItems"
                | "unevaluatedProperties",
                value,
            ) => strip_defaults(value),
            _ => {}
        }
    }
}

/// Builds the object the server validates: each variable that has a default, with that default.
/// A block document reference is left out, because the server swaps in the block's data.
fn defaults(properties: &Object) -> Map<String, Json> {
    properties
        .iter()
        .filter_map(|(name, member)| {
            let default = member.value.get("default")?;
            (!is_block_document_reference(default)).then(|| (name.clone(), default.to_json()))
        })
        .collect()
}

/// Rewrites the schema as Prefect's `preprocess_schema` and `validate(ignore_required=True)` do:
/// optional typed properties also accept `null`, list-form `items` become `prefixItems`, a block
/// definition also accepts `{"$ref": ...}`, and every `required` is dropped. `$schema` is dropped
/// too, since the server always applies Draft 2020-12, and so are references that point nowhere,
/// which the `missing-definition` check reports instead.
fn prepare(json: &Json) -> Json {
    let mut schema = json.clone();
    let Some(root) = schema.as_object_mut() else {
        return schema;
    };
    root.remove("$schema");
    let required = required_names(root);
    if let Some(Json::Object(properties)) = root.get_mut("properties") {
        prepare_properties(properties, &required, true);
    }
    if let Some(Json::Object(definitions)) = root.get_mut("definitions") {
        for definition in definitions.values_mut() {
            prepare_definition(definition);
        }
    }
    remove_key(&mut schema, "required");
    let missing = missing_references(&schema);
    drop_references(&mut schema, &missing);
    schema
}

fn required_names(schema: &Map<String, Json>) -> Vec<String> {
    schema
        .get("required")
        .and_then(Json::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Mirrors Prefect's `process_properties`. Nested properties lose `allow_none_with_default`
/// there, so a nested property with a default does not accept `null`.
// NOTE: Prefect reassigns its `required_fields` while looping, so siblings after an object with
// `properties` are judged against that object's `required`. poolc uses each schema's own list:
// that only differs for such siblings, and the server's reading there is an accident.
fn prepare_properties(
    properties: &mut Map<String, Json>,
    required: &[String],
    allow_none_with_default: bool,
) {
    for (name, schema) in properties.iter_mut() {
        let Some(schema) = schema.as_object_mut() else {
            continue;
        };
        if !required.contains(name) && (allow_none_with_default || !schema.contains_key("default")) {
            allow_null(schema);
        }
        move_tuple_items(schema);
        let nested_required = required_names(schema);
        if let Some(Json::Object(nested)) = schema.get_mut("properties") {
            prepare_properties(nested, &nested_required, false);
        }
    }
}

/// Adds `null` to a schema's types. Prefect writes `anyOf: [{type: T}, {type: null}]` in place of
/// `type` and drops any `anyOf` already there. A type list accepts the same values and its errors
/// read better.
fn allow_null(schema: &mut Map<String, Json>) {
    let Some(kind) = schema.get("type") else {
        return;
    };
    if kind == "null" {
        return;
    }
    let mut types = match kind {
        Json::Array(types) => types.clone(),
        other => vec![other.clone()],
    };
    if !types.iter().any(|t| t == "null") {
        types.push(Json::from("null"));
    }
    schema.remove("anyOf");
    schema.insert("type".to_owned(), Json::Array(types));
}

fn move_tuple_items(schema: &mut Map<String, Json>) {
    let is_list = schema
        .get("items")
        .is_some_and(|items| items.as_array().is_some_and(|l| !l.is_empty()));
    let has_prefix = schema.get("prefixItems").is_some_and(is_truthy);
    if is_list
        && !has_prefix
        && let Some(items) = schema.remove("items")
    {
        schema.insert("prefixItems".to_owned(), items);
    }
}

fn is_truthy(value: &Json) -> bool {
    match value {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Array(items) => !items.is_empty(),
        Json::Object(map) => !map.is_empty(),
        Json::String(text) => !text.is_empty(),
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
    }
}

/// Prepares a definition's properties as [`prepare_properties`] does, and lets a block
/// definition also accept a block document reference in its place.
// NOTE: Prefect stores the wrapped block definition under its `title`; poolc keeps it under its
// own name. They differ only when a block definition's title is not its name, where the server
// fails with an internal error rather than a verdict on the defaults.
fn prepare_definition(definition: &mut Json) {
    let Some(schema) = definition.as_object_mut() else {
        return;
    };
    let required = required_names(schema);
    if let Some(Json::Object(properties)) = schema.get_mut("properties") {
        prepare_properties(properties, &required, true);
    }
    if schema.contains_key("block_type_slug") {
        let reference = serde_json::json!({
            "type": "object",
            "properties": {"$ref": {"type": "string", "format": "uuid"}},
        });
        let original = std::mem::take(definition);
        *definition = serde_json::json!({ "oneOf": [original, reference] });
    }
}

fn remove_key(value: &mut Json, key: &str) {
    match value {
        Json::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|nested| remove_key(nested, key));
        }
        Json::Array(items) => items.iter_mut().for_each(|nested| remove_key(nested, key)),
        _ => {}
    }
}

/// Local references that do not resolve in `root`.
fn missing_references(root: &Json) -> BTreeSet<String> {
    let mut missing = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(value) = stack.pop() {
        match value {
            Json::Object(map) => {
                if let Some(Json::String(reference)) = map.get("$ref") {
                    let resolves = reference
                        .strip_prefix('#')
                        .is_some_and(|pointer| root.pointer(pointer).is_some());
                    if reference.starts_with('#') && !resolves {
                        missing.insert(reference.clone());
                    }
                }
                stack.extend(map.values());
            }
            Json::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    missing
}

fn drop_references(value: &mut Json, missing: &BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            if map
                .get("$ref")
                .and_then(Json::as_str)
                .is_some_and(|r| missing.contains(r))
            {
                map.remove("$ref");
            }
            map.values_mut()
                .for_each(|nested| drop_references(nested, missing));
        }
        Json::Array(items) => items
            .iter_mut()
            .for_each(|nested| drop_references(nested, missing)),
        _ => {}
    }
}

struct Reporter<'a> {
    variables: &'a Value,
    properties: &'a Object,
    secrets: BTreeSet<String>,
}

impl Reporter<'_> {
    fn diagnostic(&self, error: &ValidationError<'_>) -> Diagnostic {
        let mut segments = error.instance_path().segments();
        let Some(LocationSegment::Property(name)) = segments.next() else {
            return self.root_diagnostic(error);
        };
        let Some(variable) = self.properties.get(name.as_ref()) else {
            return self.root_diagnostic(error);
        };
        let default = variable.value.get("default").unwrap_or(&variable.value);
        let inner: Vec<LocationSegment<'_>> = segments.collect();
        let place = format_place(&inner);
        let target = value_at(default, inner.iter().cloned()).unwrap_or(default);

        let hidden = is_secret_schema(&variable.value) || self.names_secret(&inner);
        let subject = subject(target, place.as_deref(), hidden);
        let reason = match (place.as_deref(), error.instance().as_ref()) {
            (None, Json::Null) => "the variable is required, so its default cannot be `null`".to_owned(),
            _ => reason(error, &subject, self.variables),
        };
        let diagnostic = Diagnostic::new(
            Code::InvalidDefault,
            format!("invalid default for variable `{name}`: {reason}"),
        )
        .at(target.span, "does not match the schema")
        .with_help(
            "fix the default or the schema; Prefect's server rejects the work pool when it is created, and the worker fails on it after an update",
        );
        match place {
            Some(_) => diagnostic.with_secondary(variable.key_span, "variable declared here"),
            None => diagnostic,
        }
    }

    fn names_secret(&self, path: &[LocationSegment<'_>]) -> bool {
        path.iter().any(|segment| match segment {
            LocationSegment::Property(key) => self.secrets.contains(key.as_ref()),
            LocationSegment::Index(_) => false,
        })
    }

    /// Describes an error about the object of all defaults, such as a root `type` other than `object`.
    fn root_diagnostic(&self, error: &ValidationError<'_>) -> Diagnostic {
        let span = self
            .variables
            .get(error.kind().keyword())
            .unwrap_or(self.variables)
            .span;
        let reason = reason(error, "the object of all defaults", self.variables);
        Diagnostic::new(
            Code::InvalidDefault,
            format!("the defaults together do not match `variables`: {reason}"),
        )
        .at(span, "the server validates the defaults against this")
        .with_help("Prefect's server validates the object `{variable: default}` against the whole schema; the root should accept an object")
    }
}

/// Formats a path inside a default as `a.b[0]`.
fn format_place(path: &[LocationSegment<'_>]) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let mut text = String::new();
    for segment in path {
        match segment {
            LocationSegment::Property(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            LocationSegment::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    Some(text)
}

/// Names the failing value in a message: the value itself when it is short and not secret.
fn subject(value: &Value, place: Option<&str>, hidden: bool) -> String {
    let shown = match &value.kind {
        Kind::Object(_) | Kind::Array(_) => None,
        _ if hidden => None,
        Kind::String(text) if text.chars().count() > 40 => None,
        _ => Some(value.to_json().to_string()),
    };
    match (shown, place) {
        (Some(shown), Some(place)) => format!("`{shown}` at `{place}`"),
        (Some(shown), None) => format!("`{shown}`"),
        (None, Some(place)) => format!("the value at `{place}`"),
        (None, None) => "the default".to_owned(),
    }
}

/// Says in plain words why the value fails.
fn reason(error: &ValidationError<'_>, subject: &str, variables: &Value) -> String {
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let mut expected: Vec<JsonType> = match kind {
                TypeKind::Single(one) => vec![*one],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            // `null` last: it is the one the server adds to optional variables.
            expected.sort_by_key(|t| *t == JsonType::Null);
            let expected: Vec<&str> = expected.into_iter().map(type_name).collect();
            let expected = expected.join(" or ");
            format!("{subject} is {}, not {expected}", article(error.instance()))
        }
        ValidationErrorKind::Enum { options } => format!("{subject} is not one of {}", list(options)),
        ValidationErrorKind::Constant { expected_value } => {
            format!("{subject} is not `{expected_value}`")
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let keys: Vec<String> = unexpected.iter().map(|k| format!("`{k}`")).collect();
            format!(
                "{subject} has keys the schema does not allow: {}",
                keys.join(", ")
            )
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            format!(
                "{subject} matches none of the schemas in `{}`",
                error.kind().keyword()
            )
        }
        ValidationErrorKind::OneOfMultipleValid { .. } if is_block_wrapper(error, variables) => format!(
            "{subject} fits both the block's fields and the block document reference that Prefect's server also accepts for a block definition, so the server's `oneOf` rejects it"
        ),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!("{subject} matches more than one schema in `oneOf`")
        }
        _ => error.masked_with(subject).to_string(),
    }
}

/// Tells whether the failing `oneOf` is the one [`prepare_definition`] wraps a block definition in.
fn is_block_wrapper(error: &ValidationError<'_>, variables: &Value) -> bool {
    let path = error.schema_path().as_str();
    let Some(name) = path
        .strip_suffix("/oneOf")
        .and_then(|rest| rest.strip_prefix("/definitions/"))
    else {
        return false;
    };
    let definition = variables.get("definitions").and_then(|d| d.get(name));
    definition.is_some_and(|d| d.get("block_type_slug").is_some())
}

fn type_name(kind: JsonType) -> &'static str {
    match kind {
        JsonType::Null => "null",
        JsonType::Boolean => "a boolean",
        JsonType::Integer => "an integer",
        JsonType::Number => "a number",
        JsonType::String => "a string",
        JsonType::Array => "an array",
        JsonType::Object => "an object",
    }
}

fn article(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(n) if n.is_f64() => "a number",
        Json::Number(_) => "an integer",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn list(options: &Json) -> String {
    match options.as_array() {
        Some(items) => items
            .iter()
            .map(|item| format!("`{item}`"))
            .collect::<Vec<_>>()
            .join(", "),
        None => format!("`{options}`"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{prepare, strip_defaults};

    fn accepts(schema: serde_json::Value, defaults: serde_json::Value) -> bool {
        let prepared = prepare(&schema);
        let validator = jsonschema::draft202012::options()
            .offline()
            .build(&prepared)
            .expect("prepared schema compiles");
        validator.is_valid(&defaults)
    }

    #[test]
    fn strip_defaults_keeps_property_named_default() {
        let mut schema = json!({
            "default": 1,
            "properties": {"default": {"type": "string", "default": "x"}},
            "anyOf": [{"default": 2}],
        });
        strip_defaults(&mut schema);
        assert_eq!(
            schema,
            json!({"properties": {"default": {"type": "string"}}, "anyOf": [{}]})
        );
    }

    #[test]
    fn numbers_follow_draft_2020_12() {
        let schema = json!({"properties": {"n": {"type": "number"}, "i": {"type": "integer"}}});
        assert!(accepts(schema.clone(), json!({"n": 2})));
        assert!(accepts(schema.clone(), json!({"i": 3.0})));
        assert!(!accepts(schema, json!({"i": 2.5})));
    }

    #[test]
    fn null_fits_optional_variables_only() {
        let schema =
            json!({"required": ["a"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}});
        assert!(accepts(schema.clone(), json!({"b": null})));
        assert!(!accepts(schema, json!({"a": null})));
    }

    #[test]
    fn nested_default_keeps_its_type() {
        let schema = json!({"properties": {"o": {"type": "object", "properties": {"x": {"type": "string", "default": "a"}}}}});
        assert!(!accepts(schema.clone(), json!({"o": {"x": null}})));
        assert!(accepts(schema, json!({"o": {"x": "b"}})));
    }

    #[test]
    fn required_is_dropped_everywhere() {
        let schema = json!({
            "properties": {"r": {"$ref": "#/definitions/R"}},
            "definitions": {"R": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}}},
        });
        assert!(accepts(schema, json!({"r": {}})));
    }

    #[test]
    fn format_is_not_checked() {
        let schema = json!({"properties": {"u": {"type": "string", "format": "uuid"}}});
        assert!(accepts(schema, json!({"u": "not-a-uuid"})));
    }

    #[test]
    fn missing_reference_accepts_anything() {
        let schema = json!({"properties": {"r": {"$ref": "#/definitions/Nope"}}});
        assert!(accepts(schema, json!({"r": 1})));
    }

    #[test]
    fn block_definition_accepts_block_reference() {
        let schema = json!({
            "properties": {"c": {"$ref": "#/definitions/C"}},
            "definitions": {"C": {"title": "C", "type": "object", "block_type_slug": "c",
                "properties": {"k": {"type": "string"}}, "additionalProperties": false}},
        });
        assert!(accepts(
            schema.clone(),
            json!({"c": {"$ref": "0b6f3c2e-1d2a-4c5b-8e9f-0a1b2c3d4e5f"}})
        ));
        // With `required` dropped, any object without `$ref` fits the reference form, so an
        // object that also fits the fields is valid under both and `oneOf` rejects it.
        assert!(!accepts(schema.clone(), json!({"c": {"k": "x"}})));
        assert!(accepts(schema, json!({"c": {"k": 1}})));
    }

    #[test]
    fn enum_and_any_of_are_checked() {
        let schema = json!({"properties": {
            "s": {"type": "string", "enum": ["S", "M"]},
            "a": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
        }});
        assert!(!accepts(schema.clone(), json!({"s": "XL"})));
        assert!(!accepts(schema.clone(), json!({"a": "four"})));
        assert!(accepts(schema, json!({"s": "S", "a": true})));
    }
}
