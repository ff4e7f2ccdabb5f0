//! Printing diagnostics and explanations.

use std::io::IsTerminal;

use poolc::code::Code;
use poolc::compile::Compilation;
use poolc::render::{self, MessageFormat, Style};

use crate::cli::{ExplainArgs, ReportArgs};
use crate::{EXIT_ERROR, EXIT_OK};

/// Width of human reports when stderr is not a terminal, so that output is the same everywhere.
const DEFAULT_WIDTH: usize = 100;

/// Prints a run's diagnostics and returns whether they fail it.
pub fn print_diagnostics(compilation: &Compilation, args: &ReportArgs) -> bool {
    print_diagnostics_on(compilation, args, diagnostics_on_stdout(args.message_format))
}

/// Prints a run's diagnostics to stderr in every format, for a command whose stdout carries its
/// own output, and returns whether they fail the run.
pub fn print_diagnostics_to_stderr(compilation: &Compilation, args: &ReportArgs) -> bool {
    print_diagnostics_on(compilation, args, false)
}

/// Returns whether diagnostics in `format` go to stdout, where machines read them.
pub fn diagnostics_on_stdout(format: MessageFormat) -> bool {
    matches!(format, MessageFormat::Json | MessageFormat::Github)
}

fn print_diagnostics_on(compilation: &Compilation, args: &ReportArgs, stdout: bool) -> bool {
    let diagnostics = compilation.diagnostics.sorted();
    if !diagnostics.is_empty() {
        let stderr = std::io::stderr();
        let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let style = Style {
            color,
            width: terminal_width(),
        };
        let text = render::render_all(&compilation.sources, diagnostics, args.message_format, style);
        if stdout {
            print!("{text}");
        } else {
            eprint!("{text}");
        }
    }
    let diagnostics = &compilation.diagnostics;
    diagnostics.has_errors() || (args.deny_warnings && diagnostics.has_warnings())
}

/// Counts a run's problems for its closing line, such as "2 errors and 1 warning".
pub fn summary(diagnostics: &poolc::diagnostic::Diagnostics) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == poolc::diagnostic::Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let plural = |count: usize, noun: &str| format!("{count} {noun}{}", if count == 1 { "" } else { "s" });
    let counts = format!("{} and {}", plural(errors, "error"), plural(warnings, "warning"));
    if errors == 0 {
        return format!("{counts}, which `--deny-warnings` turns into a failure");
    }
    counts
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(DEFAULT_WIDTH)
}

pub fn explain(args: &ExplainArgs) -> u8 {
    let Some(name) = &args.code else {
        for code in Code::ALL {
            println!(
                "{:<40} {:<8} {}",
                code.name(),
                code.severity().name(),
                poolc::explain::summary(*code)
            );
        }
        return EXIT_OK;
    };
    match Code::from_name(name) {
        Some(code) => match poolc::explain::explanation(code) {
            Some(page) => {
                print!("{page}");
                EXIT_OK
            }
            None => {
                println!("{} ({})", code.name(), code.severity().name());
                EXIT_OK
            }
        },
        None => {
            let names = Code::ALL.iter().map(|c| c.name());
            let hint = poolc::suggest::closest(name, names)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            eprintln!("error: unknown diagnostic code `{name}`{hint}; `poolc explain` lists them all");
            EXIT_ERROR
        }
    }
}
