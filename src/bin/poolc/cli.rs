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
    /// Show what differs between two environments' templates, or between a git revision and now.
    #[command(
        override_usage = "poolc diff [OPTIONS] <OLD> <NEW> [PATH]...\n       poolc diff [OPTIONS] --base <REV> [PATH]...",
        long_about = DIFF_ABOUT
    )]
    Diff(DiffArgs),
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

    /// Write nothing: exit 1 with a diff when a template in DIR is stale, missing or left over.
    #[arg(long, long_help = CHECK_HELP)]
    pub check: bool,

    /// After writing, remove templates that poolc generated for environments that no longer exist.
    #[arg(long, long_help = PRUNE_HELP)]
    pub prune: bool,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Base job templates (JSON). One template becomes one root profile. Several, one per
    /// environment, become `base.kdl` with what they share and a profile per environment.
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

const CHECK_HELP: &str = "\
Compile in memory and compare each template with the file in DIR; write nothing.
Exits 0 with a `fresh` line per environment when every file matches. Exits 1 when a template is
stale (with a unified diff on stdout, or on stderr when --message-format json or github puts
diagnostics on stdout) or missing, when DIR contains a template that poolc generated for an
environment that no longer exists (see --prune), or when a pool file has an error. Exits 2 when DIR
exists but is not a folder.

Works where a name such as `$AZURE_SUBSCRIPTION_ID` is unset: each unset name matches any JSON
string content in the file on disk (no `\"` or `\\`), and the same text at every place it is used
in one file. The diff of a stale file shows the values found in the file, or `${NAME}` where none
was found. The default of a secret variable (`format: password`, `writeOnly: true`, or a block's
`secret_fields`) shows as `<hidden>`, or `<hidden, changed>` on the compiled side when it differs.
Leftover templates are only looked for when every PATH is a folder.";

const PRUNE_HELP: &str = "\
After writing, remove templates of environments that no longer exist. A file is removed only if
its name is `<worker prefix>_<environment>.json` for a known worker type (such as
`aci_job_template_old.json`) or an `output` name of this run, and it contains a JSON object with
exactly the keys `variables` and `job_configuration`. Needs every PATH to be a folder, so that
poolc sees every environment. Nothing is removed when a pool file has an error. With --check,
leftovers are reported either way and nothing is removed.";

const DIFF_ABOUT: &str = "\
Show what differs, by JSON path, between compiled templates.

`poolc diff OLD NEW [PATH]...` compares the templates of two environments.
`poolc diff --base REV [PATH]...` compares, for every environment, the template compiled from
the pool files at git revision REV with the one compiled from the working tree, and lists
environments added or removed. Old files are read with `git ls-tree` and `git cat-file`; the
work tree and the index are not touched.

PATH defaults to `pools`, relative to the current folder, which may be any folder of the
repository. REV cannot start with `-`. Unset names such as `$AZURE_SUBSCRIPTION_ID` show as
`${NAME}`. The default of a secret variable (`format: password`, `writeOnly: true`, or a block's
`secret_fields`) shows as `<hidden>`, or `<hidden, changed>` on the new side when it differs.
Diagnostics go to stderr in every --message-format, so that stdout holds only the diff.
Array items with a `name` key are matched by name; other arrays are aligned by a sequence diff
of their items.
Exits 0 when nothing differs, 1 when something differs or a pool file has an error (its
diagnostics are printed), 2 on a usage, git or I/O error.";

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Without --base: the two environments, then pool files or folders. With --base: pool files
    /// or folders.
    #[arg(value_name = "ARGS")]
    pub args: Vec<String>,

    /// Compare every environment with its template at this git revision, such as `HEAD` or
    /// `origin/main`.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// `text` (coloured on a terminal), `markdown` (for a pull-request comment) or `json`.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// Output format of `poolc diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}
