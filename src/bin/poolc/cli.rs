//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};
use poolc::render::MessageFormat;

#[derive(Debug, Parser)]
#[command(
    name = "poolc",
    version,
    about = "Compile KDL pool files into Prefect work-pool base job templates"
)]
pub struct Cli {
    /// Log decisions to stderr: `-v` for info, `-vv` for debug.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile pool files and write one template per environment.
    Build(BuildArgs),
    /// Convert base job templates (JSON) into pool files that build back to them.
    Import(ImportArgs),
    /// Explain a diagnostic code: what triggers it, why it matters and how to fix it.
    Explain(ExplainArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// Options shared by every command that reports diagnostics.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How to print problems: `human` (to stderr), `short` (to stderr), `json` (JSON Lines to stdout)
    /// or `github` (workflow annotations to stdout).
    #[arg(long, value_enum, default_value = "human")]
    pub message_format: MessageFormat,

    /// Treat warnings as errors: exit 1 and write nothing when there are any.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Pool files, or folders whose `.kdl` files are read.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The folder to write templates into.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Base job templates: one gives a root profile; several (one per environment) give
    /// `base.kdl` with what they share and one profile per environment with what differs.
    #[arg(required = true, value_name = "TEMPLATE")]
    pub templates: Vec<PathBuf>,

    /// The folder to write pool files into, as `<environment>.kdl`.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    /// The worker type, such as `azure-container-instance`; inferred from the job
    /// configuration keys when omitted.
    #[arg(long = "type", value_name = "TYPE")]
    pub worker_type: Option<String>,

    /// The environment of each template, in order; by default the file name without `.json`
    /// and without a prefix such as `aci_job_template_`.
    #[arg(long = "env", value_name = "NAME")]
    pub environments: Vec<String>,

    /// Overwrite pool files that already exist.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A diagnostic code, such as `undeclared-placeholder`; omit it to list every code.
    pub code: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    pub shell: clap_complete::Shell,
}

pub fn completions(args: &CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "poolc", &mut std::io::stdout());
    crate::EXIT_OK
}
