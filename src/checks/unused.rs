//! A variable that no placeholder in the job configuration uses never reaches the worker.

use std::collections::BTreeSet;

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::placeholder::{self, PlaceholderKind};
use crate::suggest;
use crate::value::{Kind, Value};

use super::CheckContext;

pub fn check(context: &CheckContext<'_>, diagnostics: &mut Diagnostics) {
    let environment = context.environment;
    let Some(properties) = environment.variables.get("properties").and_then(Value::as_object) else {
        return;
    };
    let mut used = BTreeSet::new();
    collect_uses(&environment.job_configuration, &mut used);

    // A misspelled placeholder is already an error that suggests the variable it meant.
    let names = || properties.keys().map(String::as_str);
    let meant: BTreeSet<&str> = used
        .iter()
        .filter(|name| !properties.contains_key(**name))
        .filter_map(|name| suggest::closest(name, names()))
        .collect();

    for (name, member) in properties {
        if used.contains(name.as_str()) || meant.contains(name.as_str()) {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::UnusedVariable,
                format!("variable `{name}` is not used in the job configuration"),
            )
            .at(member.key_span, "no placeholder uses this variable")
            .with_help(format!(
                "a variable reaches the worker only through a placeholder: write `\"{{{{ {name} }}}}\"` in the job configuration, or remove the variable"
            )),
        );
    }
}

/// Collects the variable names that placeholders in strings and object keys refer to, because
/// Prefect's server reads keys as well.
fn collect_uses<'a>(value: &'a Value, used: &mut BTreeSet<&'a str>) {
    match &value.kind {
        Kind::String(text) => add_names(text, used),
        Kind::Array(items) => items.iter().for_each(|item| collect_uses(item, used)),
        Kind::Object(object) => {
            for (key, member) in object {
                add_names(key, used);
                collect_uses(&member.value, used);
            }
        }
        _ => {}
    }
}

fn add_names<'a>(text: &'a str, used: &mut BTreeSet<&'a str>) {
    for found in placeholder::find(text) {
        if found.kind() == PlaceholderKind::Variable {
            used.insert(found.name);
        }
    }
}
