//! Checks on a resolved, substituted environment: what Prefect's server, worker or UI would
//! reject or mishandle, reported at the span that causes it.

mod placeholders;
mod schema;
mod sections;

use crate::diagnostic::Diagnostics;
use crate::resolve::Environment;
use crate::source::SourceMap;

/// What every check may read.
pub struct CheckContext<'a> {
    pub sources: &'a SourceMap,
    pub environment: &'a Environment,
}

/// Runs every check on one environment.
pub fn check_environment(sources: &SourceMap, environment: &Environment, diagnostics: &mut Diagnostics) {
    let context = CheckContext { sources, environment };
    sections::check(&context, diagnostics);
    placeholders::check(&context, diagnostics);
    schema::check(&context, diagnostics);
}
