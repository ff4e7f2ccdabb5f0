//! Secrets written as plain defaults: a default on a password field, or on a block's secret
//! field, lands in the work pool as readable text for anyone who can read the pool.

use std::collections::BTreeSet;

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::placeholder::{self, PlaceholderKind};
use crate::value::{Kind, Value};

use super::{each_schema, resolve_reference};

/// The maximum depth of references followed, so that a schema that refers to itself ends.
const MAX_DEPTH: usize = 16;

pub fn check(variables: &Value, diagnostics: &mut Diagnostics) {
    let Some(properties) = variables.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, member) in properties {
        let Some(default) = member.value.get("default") else {
            continue;
        };
        let mut finder = Finder {
            variables,
            variable: name,
            diagnostics,
        };
        finder.visit(&member.value, default, None, 0);
    }
}

struct Finder<'a, 'b> {
    variables: &'a Value,
    variable: &'a str,
    diagnostics: &'b mut Diagnostics,
}

impl<'a> Finder<'a, '_> {
    /// Looks for secrets in `default` as `schema` describes it. `field` is the key it sits under.
    fn visit(&mut self, schema: &'a Value, default: &'a Value, field: Option<&str>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if is_secret_schema(schema) {
            self.report(default, field);
        }
        let Some(object) = default.as_object() else {
            return;
        };
        for branch in self.branches(schema, depth) {
            let secret_fields = list_of_names(branch.get("secret_fields"));
            let properties = branch.get("properties").and_then(Value::as_object);
            for (key, member) in object {
                if secret_fields.contains(key.as_str()) {
                    self.report(&member.value, Some(key));
                }
                if let Some(property) = properties.and_then(|p| p.get(key)) {
                    self.visit(&property.value, &member.value, Some(key), depth + 1);
                }
            }
        }
    }

    /// Returns the schema and the schemas it refers to through `$ref`, `anyOf`, `allOf` and `oneOf`.
    fn branches(&self, schema: &'a Value, depth: usize) -> Vec<&'a Value> {
        let mut found = vec![schema];
        if depth > MAX_DEPTH {
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
            for option in schema.get(keyword).and_then(Value::as_array).unwrap_or(&[]) {
                found.extend(self.branches(option, depth + 1));
            }
        }
        found
    }

    fn report(&mut self, default: &Value, field: Option<&str>) {
        if !is_plaintext(default) {
            return;
        }
        let message = match field {
            Some(field) => format!(
                "the default of variable `{}` holds secret field `{field}` as plain text",
                self.variable
            ),
            None => format!(
                "variable `{}` has a secret as its plain-text default",
                self.variable
            ),
        };
        self.diagnostics.push(
            Diagnostic::new(Code::PlaintextSecret, message)
                .at(default.span, "secret written here")
                .with_help(
                    "anyone who can read the work pool can read this: keep the secret in a Secret block and make the default `{{ prefect.blocks.secret.NAME }}`, or leave the default out",
                ),
        );
    }
}

/// Returns whether a schema marks a secret field: `format password` or `writeOnly`.
pub(crate) fn is_secret_schema(schema: &Value) -> bool {
    let password = schema.get("format").and_then(Value::as_str) == Some("password");
    let write_only = schema
        .get("writeOnly")
        .is_some_and(|v| v.kind == Kind::Bool(true));
    password || write_only
}

/// Returns every property name that some schema in `variables` marks secret, for hiding values.
pub(crate) fn secret_names(variables: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    each_schema(variables, &mut |schema| {
        for name in list_of_names(schema.get("secret_fields")) {
            names.extend(name.split('.').map(str::to_owned));
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, member) in properties.into_iter().flatten() {
            if is_secret_schema(&member.value) {
                names.insert(name.clone());
            }
        }
    });
    names
}

fn list_of_names(value: Option<&Value>) -> BTreeSet<&str> {
    value
        .and_then(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// `{"$ref": {"block_document_id": ...}}`: the server puts the block's data in its place.
pub(crate) fn is_block_document_reference(value: &Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    object.len() == 1
        && value
            .get("$ref")
            .is_some_and(|r| r.get("block_document_id").is_some())
}

/// Returns whether a value gives the secret away: not empty, not null, and not a reference that
/// Prefect resolves at run time.
fn is_plaintext(value: &Value) -> bool {
    match &value.kind {
        Kind::Null => false,
        Kind::String(text) => {
            !text.is_empty()
                && !placeholder::find(text).iter().any(|found| {
                    matches!(
                        found.kind(),
                        PlaceholderKind::Block | PlaceholderKind::PrefectVariable
                    )
                })
        }
        Kind::Object(_) => {
            !is_block_document_reference(value) && value.as_object().is_some_and(|o| !o.is_empty())
        }
        Kind::Array(items) => !items.is_empty(),
        _ => true,
    }
}
