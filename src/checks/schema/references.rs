//! Names inside `variables` that must point at something: a `$ref` at a definition, and each
//! `required` entry at a property of the same schema.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::edit::KeyKind;
use crate::resolve::Removal;
use crate::value::Value;

use super::{each_schema, resolve_reference};

pub fn check(variables: &Value, removals: &[Removal], diagnostics: &mut Diagnostics) {
    each_schema(variables, &mut |schema| {
        check_reference(variables, schema, diagnostics);
        // A child profile's `(remove)` takes a variable out of the root schema only.
        let removals = if std::ptr::eq(schema, variables) {
            removals
        } else {
            &[]
        };
        check_required(schema, removals, diagnostics);
    });
}

/// A local `$ref` must resolve: the UI form fails on a missing definition, and the server fails
/// as soon as a default is validated through it.
fn check_reference(variables: &Value, schema: &Value, diagnostics: &mut Diagnostics) {
    let Some(target) = schema.get("$ref") else {
        return;
    };
    let Some(reference) = target.as_str() else {
        return;
    };
    if !reference.starts_with('#') || resolve_reference(variables, reference).is_some() {
        return;
    }
    let name = reference.rsplit('/').next().unwrap_or(reference);
    let names = definition_names(variables);
    let diagnostic = Diagnostic::new(
        Code::MissingDefinition,
        format!("`$ref` points at `{reference}`, which does not exist"),
    )
    .at(target.span, "no definition here")
    .with_help(
        "declare it under `definitions` or `$defs`, or fix the reference; Prefect's UI cannot show the form otherwise",
    )
    .with_suggestion(name, names.iter().copied());
    diagnostics.push(diagnostic);
}

fn definition_names(variables: &Value) -> Vec<&str> {
    ["definitions", "$defs"]
        .iter()
        .filter_map(|container| variables.get(container)?.as_object())
        .flat_map(|definitions| definitions.keys().map(String::as_str))
        .collect()
}

/// Every `required` entry must name a property of the same schema.
fn check_required(schema: &Value, removals: &[Removal], diagnostics: &mut Diagnostics) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let Some(required) = schema.get("required").and_then(Value::as_array) else {
        return;
    };
    for entry in required {
        let Some(name) = entry.as_str() else {
            continue;
        };
        if properties.contains_key(name) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            Code::RequiredNotDeclared,
            format!("`required` names `{name}`, which is not a property here"),
        )
        .at(entry.span, "no property has this name")
        .with_help(format!(
            "declare `{name}` under `properties`, or take it out of `required`"
        ))
        .with_suggestion(name, properties.keys().map(String::as_str));
        let removal = removals
            .iter()
            .find(|r| r.kind == KeyKind::Variable && r.key == name);
        if let Some(removal) = removal {
            diagnostic = diagnostic.with_secondary(removal.removed_at, "removed here");
        }
        diagnostics.push(diagnostic);
    }
}
