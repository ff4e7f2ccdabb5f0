//! Text between `{{` and `}}` that Prefect does not read as a placeholder, such as a Jinja
//! filter: Prefect leaves it in the output as it is.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::placeholder;
use crate::substitute::locate;
use crate::value::{PathSegment, Value};

use super::CheckContext;

pub fn check(context: &CheckContext<'_>, diagnostics: &mut Diagnostics) {
    let environment = context.environment;
    check_strings(context, &environment.job_configuration, diagnostics);

    let Some(properties) = environment.variables.get("properties").and_then(Value::as_object) else {
        return;
    };
    for member in properties.values() {
        if let Some(default) = member.value.get("default") {
            check_strings(context, default, diagnostics);
        }
    }
}

fn check_strings(context: &CheckContext<'_>, value: &Value, diagnostics: &mut Diagnostics) {
    let mut path: Vec<PathSegment<'_>> = Vec::new();
    value.walk_strings(&mut path, &mut |_, string, text| {
        for (start, len) in placeholder::find_literal_braces(text) {
            let location = locate(context.sources, string.span, text, start, len);
            let braces = text.get(start..start + len).unwrap_or_default();
            diagnostics.push(
                Diagnostic::new(
                    Code::LiteralBraces,
                    format!("`{braces}` is not a placeholder, so Prefect leaves it as it is"),
                )
                .at(location, "Prefect does not fill this in")
                .with_help(
                    "a Prefect placeholder holds one name, such as `{{ image }}`, without filters, calls or spaces inside the name; Prefect does not run Jinja",
                ),
            );
        }
    });
}
