//! `poolc import`: read base job templates (JSON) and write pool files that build back to them.

use std::path::{Path, PathBuf};

use poolc::compile::Compilation;
use poolc::import::{self, BASE_PROFILE, Input, PoolFile};

use crate::cli::ImportArgs;
use crate::report::print_diagnostics;
use crate::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

pub fn run(args: &ImportArgs) -> u8 {
    let inputs = match read_inputs(args) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };

    let imported = import::import(inputs, args.worker_type.as_deref());
    let compilation = Compilation {
        sources: imported.sources,
        diagnostics: imported.diagnostics,
        ..Compilation::default()
    };
    if print_diagnostics(&compilation, &args.report) {
        eprintln!(
            "error: {}; no pool file was written",
            crate::report::summary(&compilation.diagnostics)
        );
        return EXIT_PROBLEMS;
    }

    if let Err(message) = check_overwrite(&args.output, &imported.files, args.force) {
        eprintln!("error: {message}");
        return EXIT_ERROR;
    }
    for file in &imported.files {
        let path = args.output.join(&file.file_name);
        if let Err(error) = write(&args.output, &path, &file.text) {
            eprintln!("error: cannot write `{}`: {error}", path.display());
            return EXIT_ERROR;
        }
        eprintln!("{:<12} {}", "written", path.display());
    }
    EXIT_OK
}

/// Reads every template and names its environment, from `--env` or from the file name.
fn read_inputs(args: &ImportArgs) -> Result<Vec<Input>, String> {
    if !args.environments.is_empty() && args.environments.len() != args.templates.len() {
        return Err(format!(
            "{} templates but {} `--env` names: give one `--env` per template, in the same order, or none",
            args.templates.len(),
            args.environments.len()
        ));
    }
    let mut inputs: Vec<Input> = Vec::new();
    for (index, path) in args.templates.iter().enumerate() {
        let environment = match args.environments.get(index) {
            Some(name) => name.clone(),
            None => import::environment_from_path(path, args.worker_type.as_deref()),
        };
        check_environment_name(&environment, path, args.templates.len() > 1)?;
        if inputs.iter().any(|i| i.environment == environment) {
            return Err(format!(
                "two templates are for environment `{environment}`: name them apart with `--env`"
            ));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        inputs.push(Input {
            path: path.clone(),
            text,
            environment,
        });
    }
    Ok(inputs)
}

/// Rejects names that cannot be a pool file's name, and `base` when it names the shared parent.
fn check_environment_name(name: &str, path: &Path, is_multi: bool) -> Result<(), String> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control);
    if !plain {
        return Err(format!(
            "environment name `{name}` (for `{}`) is not a plain file name: pass `--env NAME`",
            path.display()
        ));
    }
    if is_multi && name == BASE_PROFILE {
        return Err(format!(
            "environment name `{BASE_PROFILE}` is taken by the shared parent profile: pass another with `--env`"
        ));
    }
    Ok(())
}

fn check_overwrite(folder: &Path, files: &[PoolFile], force: bool) -> Result<(), String> {
    if force {
        return Ok(());
    }
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|f| folder.join(&f.file_name))
        .filter(|p| p.exists())
        .collect();
    match existing.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "`{}` already exists{}; pass `--force` to overwrite",
            first.display(),
            if existing.len() > 1 {
                format!(" (and {} more)", existing.len() - 1)
            } else {
                String::new()
            }
        )),
    }
}

fn write(folder: &Path, path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    std::fs::write(path, text)
}
