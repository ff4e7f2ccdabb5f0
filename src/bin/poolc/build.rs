//! `poolc build`: compile, then write every template, or nothing when a problem is found.

use poolc::compile;
use poolc::output::{self, WriteOutcome};
use poolc::substitute::UnsetPolicy;

use crate::cli::BuildArgs;
use crate::report::print_diagnostics;
use crate::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

pub fn run(args: &BuildArgs) -> u8 {
    if args.prune && !crate::check::all_folders(&args.paths) {
        eprintln!("error: `--prune` needs every path to be a folder, so that it sees every environment");
        return EXIT_ERROR;
    }
    if let Some(message) = crate::check::output_folder_error(&args.output) {
        eprintln!("error: {message}");
        return EXIT_ERROR;
    }

    let unset = if args.check {
        UnsetPolicy::Hole
    } else {
        UnsetPolicy::Error
    };
    let compilation = match compile::compile_paths(&args.paths, &crate::process_options(unset)) {
        Ok(compilation) => compilation,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_ERROR;
        }
    };
    if print_diagnostics(&compilation, &args.report) {
        let outcome = if args.check {
            "no template was checked"
        } else {
            "no template was written"
        };
        eprintln!(
            "error: {}; {outcome}",
            crate::report::summary(&compilation.diagnostics)
        );
        return EXIT_PROBLEMS;
    }

    if args.check {
        return crate::check::run(args, &compilation);
    }
    if compilation.templates.is_empty() {
        eprintln!(
            "warning: no environment to build: every profile is `abstract`; remove `abstract` from the profiles that should be written"
        );
    }

    let outcomes = match output::write_templates(&args.output, &compilation.templates) {
        Ok(outcomes) => outcomes,
        Err(error) => {
            eprintln!("error: {error}; no template was written");
            return EXIT_ERROR;
        }
    };
    for (template, outcome) in compilation.templates.iter().zip(outcomes) {
        let word = match outcome {
            WriteOutcome::Written => "written",
            WriteOutcome::Unchanged => "unchanged",
        };
        let path = args.output.join(&template.file_name);
        eprintln!("{:<12} {} ({})", word, path.display(), template.environment);
    }

    if args.prune {
        return crate::check::prune(args, &compilation);
    }
    EXIT_OK
}
