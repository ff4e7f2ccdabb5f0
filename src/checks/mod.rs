//! Checks on a resolved, substituted environment: what Prefect's server, worker or UI would
//! reject or mishandle, reported at the span that causes it.

mod job_fields;
mod literal_braces;
mod names;
mod placeholders;
mod schema;
mod sections;
mod unused;

use crate::diagnostic::Diagnostics;
use crate::resolve::Environment;
use crate::source::SourceMap;

/// The inputs every check may read.
pub struct CheckContext<'a> {
    pub sources: &'a SourceMap,
    pub environment: &'a Environment,
}

/// Runs every check on one environment.
pub fn check_environment(sources: &SourceMap, environment: &Environment, diagnostics: &mut Diagnostics) {
    let context = CheckContext { sources, environment };
    sections::check(&context, diagnostics);
    placeholders::check(&context, diagnostics);
    unused::check(&context, diagnostics);
    literal_braces::check(&context, diagnostics);
    names::check(&context, diagnostics);
    job_fields::check(&context, diagnostics);
    schema::check(&context, diagnostics);
}
