//! Top-level job configuration keys that the pool's worker type does not read.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::worker_fields;

use super::CheckContext;

pub fn check(context: &CheckContext<'_>, diagnostics: &mut Diagnostics) {
    let environment = context.environment;
    let Some(worker) = &environment.worker else {
        return;
    };
    // An unknown worker type has its own warning; its fields cannot be checked.
    let Some(worker_type) = worker_fields::find_worker_type(&worker.text) else {
        return;
    };
    let Some(job_configuration) = environment.job_configuration.as_object() else {
        return;
    };
    let known = || worker_type.job_fields.iter().map(|field| field.name);

    for (key, member) in job_configuration {
        if known().any(|name| name == key) {
            continue;
        }
        let diagnostic = Diagnostic::new(
            Code::UnknownJobField,
            format!("`{key}` is not a job configuration field of worker type `{}`", worker_type.slug),
        )
        .at(member.key_span, "the worker ignores this key")
        .with_help(format!(
            "the `{}` worker reads only the keys of its own job configuration model and drops the rest without a word",
            worker_type.slug
        ))
        .with_suggestion(key, known());
        diagnostics.push(diagnostic);
    }
}
