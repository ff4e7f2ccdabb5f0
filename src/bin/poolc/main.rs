//! The `poolc` command: parses arguments, runs one command, and maps the result to an exit code.

mod build;
mod check;
mod cli;
mod diff;
mod import;
mod report;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// Exit codes: success, problems found, usage or I/O error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            let code = if error.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            return ExitCode::from(code);
        }
    };
    init_logging(cli.verbose);
    let code = match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Explain(args) => report::explain(&args),
        Command::Completions(args) => cli::completions(&args),
    };
    ExitCode::from(code)
}

/// Returns compile options that read `$NAME` values from this process's environment.
pub fn process_options(unset: poolc::substitute::UnsetPolicy) -> poolc::compile::Options<'static> {
    poolc::compile::Options {
        lookup: &environment_variable,
        known_names: std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect(),
        unset,
    }
}

fn environment_variable(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    env_logger::Builder::new()
        .filter_level(level)
        .parse_env("POOLC_LOG")
        .format_timestamp(None)
        .init();
}
