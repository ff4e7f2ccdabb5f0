//! `poolc build`: compile, then write every template, or nothing when a problem is found.

use poolc::compile::{self, Options};
use poolc::output::{self, WriteOutcome};
use poolc::substitute::UnsetPolicy;

use crate::cli::BuildArgs;
use crate::report::print_diagnostics;
use crate::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

pub fn run(args: &BuildArgs) -> u8 {
    let lookup = |name: &str| std::env::var(name).ok();
    let options = Options {
        lookup: &lookup,
        known_names: std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect(),
        unset: UnsetPolicy::Error,
    };
    let compilation = match compile::compile_paths(&args.paths, &options) {
        Ok(compilation) => compilation,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_ERROR;
        }
    };
    if print_diagnostics(&compilation, &args.report) {
        eprintln!(
            "error: {}; no template was written",
            crate::report::summary(&compilation.diagnostics)
        );
        return EXIT_PROBLEMS;
    }
    for template in &compilation.templates {
        match output::write_template(&args.output, template) {
            Ok(outcome) => {
                let word = match outcome {
                    WriteOutcome::Written => "written",
                    WriteOutcome::Unchanged => "unchanged",
                };
                let path = args.output.join(&template.file_name);
                eprintln!("{:<12} {} ({})", word, path.display(), template.environment);
            }
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_ERROR;
            }
        }
    }
    EXIT_OK
}
