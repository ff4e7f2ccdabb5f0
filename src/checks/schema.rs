//! Checks on `variables` as a JSON Schema: the schema itself, its references, and the defaults
//! it declares, judged the way Prefect's server judges them when a work pool is created.

mod defaults;
mod references;
mod secrets;

use jsonschema::paths::{Location, LocationSegment};

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::schema::{KeywordShape, keyword_shape};
use crate::value::{Kind, Value};

use super::CheckContext;

pub fn check(context: &CheckContext<'_>, diagnostics: &mut Diagnostics) {
    let variables = &context.environment.variables;
    if variables.as_object().is_none_or(|object| object.is_empty()) {
        return;
    }
    references::check(variables, &context.environment.removals, diagnostics);
    secrets::check(variables, diagnostics);

    // The server checks the schema before the defaults and stops at the first failure, so an
    // invalid schema leaves the defaults unchecked.
    let json = variables.to_json();
    if check_metaschema(variables, &json, diagnostics) {
        defaults::check(variables, &json, diagnostics);
    }
}

/// Reports where `variables` breaks the Draft 2020-12 metaschema, and returns whether it is valid.
fn check_metaschema(variables: &Value, json: &serde_json::Value, diagnostics: &mut Diagnostics) -> bool {
    let validator = jsonschema::draft202012::meta::validator();
    let mut valid = true;
    for error in validator.iter_errors(json) {
        valid = false;
        let path = error.instance_path();
        let span = value_at(variables, path.segments()).unwrap_or(variables).span;
        let place = json_path(path);
        let diagnostic = match (error.instance().as_str(), path.last_property()) {
            (Some(name), Some("type")) => Diagnostic::new(
                Code::InvalidSchema,
                format!("`{name}` is not a JSON Schema type"),
            )
            .at(span, "unknown type")
            .with_help(
                "the types are `string`, `number`, `integer`, `boolean`, `object`, `array` and `null`",
            )
            .with_suggestion(name, TYPES.iter().copied()),
            _ => Diagnostic::new(
                Code::InvalidSchema,
                format!("`variables` is not a valid JSON Schema at `{place}`"),
            )
            .at(span, error.to_string())
            .with_help("Prefect's server checks `variables` against the JSON Schema Draft 2020-12 metaschema when a work pool is created"),
        };
        diagnostics.push(diagnostic);
    }
    valid
}

const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// The last path step, when it names an object member.
trait LastProperty {
    fn last_property(&self) -> Option<&str>;
}

impl LastProperty for Location {
    fn last_property(&self) -> Option<&str> {
        match self.segments().last()? {
            LocationSegment::Property(_) => self.as_str().rsplit('/').next(),
            LocationSegment::Index(_) => None,
        }
    }
}

/// Formats a location as `properties.cpu.type`, for messages.
fn json_path(location: &Location) -> String {
    let mut text = String::new();
    for segment in location.segments() {
        match segment {
            LocationSegment::Property(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(&key);
            }
            LocationSegment::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    if text.is_empty() {
        text.push_str("variables");
    }
    text
}

/// Follows a validator's location into a value, to find the span of the part it names.
pub(crate) fn value_at<'a, 'b>(
    root: &'a Value,
    segments: impl Iterator<Item = LocationSegment<'b>>,
) -> Option<&'a Value> {
    let mut current = root;
    for segment in segments {
        current = match (&current.kind, segment) {
            (Kind::Object(object), LocationSegment::Property(key)) => &object.get(key.as_ref())?.value,
            (Kind::Array(items), LocationSegment::Index(index)) => items.get(index)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Calls `visit` on `schema` and every schema nested in it, through every schema-valued keyword.
pub(crate) fn each_schema<'a>(schema: &'a Value, visit: &mut impl FnMut(&'a Value)) {
    let Some(object) = schema.as_object() else {
        return;
    };
    visit(schema);
    for (keyword, member) in object {
        let value = &member.value;
        match keyword_shape(keyword) {
            Some(KeywordShape::Schema) => each_schema(value, visit),
            Some(KeywordShape::SchemaMap) => {
                for nested in value.as_object().into_iter().flat_map(|o| o.values()) {
                    each_schema(&nested.value, visit);
                }
            }
            Some(KeywordShape::SchemaList) => {
                for nested in value.as_array().unwrap_or(&[]) {
                    each_schema(nested, visit);
                }
            }
            _ => {}
        }
    }
}

/// Resolves a local reference such as `#/definitions/Name` against the root schema.
pub(crate) fn resolve_reference<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    let mut current = root;
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        current = match &current.kind {
            Kind::Object(object) => &object.get(&token)?.value,
            Kind::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}
