//! Every `{{ name }}` in the job configuration must name a variable, as Prefect's server requires.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::edit::KeyKind;
use crate::placeholder::{self, Placeholder, PlaceholderKind};
use crate::source::Span;
use crate::substitute::locate;
use crate::value::{Kind, Value};

use super::CheckContext;

pub fn check(context: &CheckContext<'_>, diagnostics: &mut Diagnostics) {
    let variables: Vec<&str> = context
        .environment
        .variables
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut checker = Checker {
        context,
        variables,
        diagnostics,
    };
    checker.visit(&context.environment.job_configuration);
}

struct Checker<'a, 'b> {
    context: &'a CheckContext<'a>,
    variables: Vec<&'a str>,
    diagnostics: &'b mut Diagnostics,
}

impl Checker<'_, '_> {
    /// Visits strings and object keys: Prefect's server scans the JSON text, keys included.
    fn visit(&mut self, value: &Value) {
        match &value.kind {
            Kind::String(text) => self.check_text(text, value.span),
            Kind::Array(items) => items.iter().for_each(|item| self.visit(item)),
            Kind::Object(object) => {
                for (key, member) in object {
                    self.check_text(key, member.key_span);
                    self.visit(&member.value);
                }
            }
            _ => {}
        }
    }

    fn check_text(&mut self, text: &str, span: Span) {
        for found in placeholder::find(text) {
            let location = locate(self.context.sources, span, text, found.start, found.len);
            match found.kind() {
                PlaceholderKind::Variable => self.check_variable(&found, location),
                kind => self.report_prefect_reference(&found, kind, location),
            }
        }
    }

    fn check_variable(&mut self, found: &Placeholder<'_>, location: Span) {
        if self.variables.contains(&found.name) {
            return;
        }
        let removal = self
            .context
            .environment
            .removals
            .iter()
            .find(|r| r.kind == KeyKind::Variable && r.key == found.name);
        if let Some(removal) = removal {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::RemovedVariableReferenced,
                    format!("the job configuration still uses variable `{}`, which is removed", found.name),
                )
                .at(location, "used here")
                .with_secondary(removal.removed_at, "removed here")
                .with_secondary(removal.declared_at, "declared here")
                .with_help(
                    "remove the job configuration key too, with `(remove)`, or keep the variable; Prefect's server rejects a placeholder without a variable",
                ),
            );
            return;
        }
        let diagnostic = Diagnostic::new(
            Code::UndeclaredPlaceholder,
            format!("placeholder `{{{{ {} }}}}` names no variable", found.name),
        )
        .at(location, "no variable has this name")
        .with_help(format!(
            "declare `{}` under `variables {{ properties {{ ... }} }}`, or fix the name; Prefect's server rejects the template otherwise",
            found.name
        ))
        .with_suggestion(found.name, self.variables.iter().copied());
        self.diagnostics.push(diagnostic);
    }

    fn report_prefect_reference(&mut self, found: &Placeholder<'_>, kind: PlaceholderKind, location: Span) {
        let (what, help) = match kind {
            PlaceholderKind::PrefectVariable => ("a Prefect Variable", DEFAULT_HELP),
            PlaceholderKind::Block => ("a block document", DEFAULT_HELP),
            _ => ("an environment variable of the worker", ENVIRONMENT_HELP),
        };
        self.diagnostics.push(
            Diagnostic::new(
                Code::PrefectReferenceInJobConfiguration,
                format!(
                    "`{{{{ {} }}}}` refers to {what} directly in the job configuration",
                    found.name
                ),
            )
            .at(location, "Prefect's server rejects this here")
            .with_help(help),
        );
    }
}

/// Prefect resolves Variables and blocks after it fills in variables, so they work in defaults.
const DEFAULT_HELP: &str = "the server requires every placeholder in the job configuration to name a variable: declare a variable whose `default` is this reference, and use `{{ variable }}` here";

/// Prefect fills in `{{ $NAME }}` in the same single pass as variables, so a default that holds
/// one reaches the worker as literal text.
const ENVIRONMENT_HELP: &str = "the server requires every placeholder in the job configuration to name a variable, and a variable's default cannot hold `{{ $NAME }}` because Prefect does not expand it there: write `$NAME` without braces to have poolc expand it at build time, or set the value in the flow-run environment";
