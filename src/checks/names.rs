//! Variable names that Prefect cannot look up as they are written.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::value::Value;

use super::CheckContext;

pub fn check(context: &CheckContext<'_>, diagnostics: &mut Diagnostics) {
    let variables = &context.environment.variables;
    let Some(properties) = variables.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, member) in properties {
        if !name.contains('.') {
            continue;
        }
        let nested = name.replace('.', "` → `");
        diagnostics.push(
            Diagnostic::new(Code::DottedVariableName, format!("variable name `{name}` contains a dot"))
                .at(member.key_span, "Prefect reads this name as a nested path")
                .with_help(format!(
                    "at run time Prefect looks `{{{{ {name} }}}}` up as `{nested}` and drops the key when it finds nothing: use `_` in place of `.`"
                )),
        );
    }
}
