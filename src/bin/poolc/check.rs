//! `poolc build --check` and `--prune`: compare the templates on disk, remove leftovers.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use poolc::check::{self, Freshness, ShownDiff};
use poolc::compile::Compilation;
use poolc::prune;

use crate::cli::BuildArgs;
use crate::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

/// Returns whether every path is a folder, which `--prune` and the leftover check need so that
/// no environment of the pool is left out.
pub fn all_folders(paths: &[PathBuf]) -> bool {
    paths.iter().all(|path| path.is_dir())
}

/// Returns an error message when `output` cannot be a folder of templates: when it, or the
/// nearest part of it that exists, is not a folder. A folder that does not exist yet is fine.
pub fn output_folder_error(output: &Path) -> Option<String> {
    let existing = output.ancestors().find(|path| {
        let named = !path.as_os_str().is_empty();
        named && path.symlink_metadata().is_ok()
    })?;
    if existing.is_dir() {
        return None;
    }
    Some(format!(
        "`{}` is not a folder; name a folder to hold the templates with `-o`",
        existing.display()
    ))
}

/// Compares every template with its file on disk and reports leftovers; writes nothing.
pub fn run(args: &BuildArgs, compilation: &Compilation) -> u8 {
    // Machines read diagnostics in JSON Lines or GitHub format from stdout, so the diffs move to
    // stderr to keep that stream parseable.
    let diff_to_stderr = crate::report::diagnostics_on_stdout(args.report.message_format);
    let color = if diff_to_stderr {
        stderr_color()
    } else {
        use_color()
    };
    let mut problems = 0;
    for template in &compilation.templates {
        let result = check::check_template(&args.output, template);
        let (word, shown) = match &result.freshness {
            Freshness::Fresh => ("fresh", None),
            Freshness::Stale { on_disk, expected } => {
                ("stale", Some(check::shown_diff(&result.path, on_disk, expected)))
            }
            // The whole file would be new, so a diff would only repeat it.
            Freshness::Missing { .. } => ("missing", None),
        };
        eprintln!("{word:<12} {} ({})", result.path.display(), result.environment);
        if result.freshness != Freshness::Fresh {
            problems += 1;
        }
        let diff = match shown {
            None => continue,
            Some(ShownDiff::Diff(diff)) => diff,
            Some(ShownDiff::LayoutOnly) => {
                eprintln!("{:<12} the file differs only in layout, such as spacing", "");
                continue;
            }
            Some(ShownDiff::NotJson(reason)) => {
                eprintln!("{:<12} no diff shown: {reason}", "");
                continue;
            }
        };
        let painted = paint_diff(&diff, color);
        if diff_to_stderr {
            eprint!("{painted}");
        } else {
            print!("{painted}");
        }
    }

    let leftovers = find_leftovers(args, compilation);
    for path in &leftovers {
        eprintln!("{:<12} {} (no environment)", "leftover", path.display());
    }
    problems += leftovers.len();

    if problems == 0 {
        return EXIT_OK;
    }
    let (noun, pronoun) = if problems == 1 {
        ("template is", "it")
    } else {
        ("templates are", "them")
    };
    let prune = if leftovers.is_empty() { "" } else { " --prune" };
    eprintln!(
        "error: {problems} {noun} out of date; run `poolc build {} -o {}{prune}` to update {pronoun}",
        shell_words(&args.paths),
        args.output.display()
    );
    EXIT_PROBLEMS
}

/// Removes the leftover templates after a build.
pub fn prune(args: &BuildArgs, compilation: &Compilation) -> u8 {
    let leftovers = find_leftovers(args, compilation);
    if let Err(error) = prune::remove(&leftovers) {
        eprintln!("error: {error}");
        return EXIT_ERROR;
    }
    for path in &leftovers {
        eprintln!("{:<12} {}", "removed", path.display());
    }
    EXIT_OK
}

fn find_leftovers(args: &BuildArgs, compilation: &Compilation) -> Vec<PathBuf> {
    if !all_folders(&args.paths) {
        log::info!(
            "not looking for leftover templates: a path is a file, so some environments may be missing"
        );
        return Vec::new();
    }
    let outputs: Vec<String> = compilation
        .environments
        .iter()
        .filter_map(|environment| environment.output.clone())
        .collect();
    prune::leftovers(&args.output, &compilation.templates, &outputs)
}

fn shell_words(paths: &[PathBuf]) -> String {
    let words: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    words.join(" ")
}

/// Returns whether stdout is a terminal that accepts colour.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Colours a unified diff's added lines green, removed lines red and hunk headers cyan.
fn paint_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_owned();
    }
    diff.lines()
        .map(|line| {
            let code = match line.chars().next() {
                Some('+') if !line.starts_with("+++") => "32",
                Some('-') if !line.starts_with("---") => "31",
                Some('@') => "36",
                _ => return format!("{line}\n"),
            };
            format!("\x1b[{code}m{line}\x1b[0m\n")
        })
        .collect()
}
