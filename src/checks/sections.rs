//! Both sections must be non-empty objects, or Prefect's server rejects the template.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::value::Value;

use super::CheckContext;

pub fn check(context: &CheckContext<'_>, diagnostics: &mut Diagnostics) {
    let environment = context.environment;
    check_section("variables", &environment.variables, diagnostics);
    check_section("job_configuration", &environment.job_configuration, diagnostics);
}

fn check_section(key: &str, value: &Value, diagnostics: &mut Diagnostics) {
    let is_empty = value.as_object().is_none_or(|object| object.is_empty());
    if is_empty {
        diagnostics.push(
            Diagnostic::new(Code::EmptyTemplateSection, format!("`{key}` is empty"))
                .at(value.span, format!("`{key}` has no members"))
                .with_help(format!(
                    "Prefect's server rejects a template whose `{key}` is empty or missing: declare at least one member in the root profile"
                )),
        );
    }
}
