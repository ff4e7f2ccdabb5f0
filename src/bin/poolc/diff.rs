//! `poolc diff`: what differs between two environments, or between a git revision and now.

use std::path::PathBuf;

use poolc::compile::{self, Compilation, Options};
use poolc::diff::{self, Change};
use poolc::emit::Template;
use poolc::substitute::UnsetPolicy;
use serde_json::{Value, json};

use crate::cli::{DiffArgs, DiffFormat};
use crate::report::print_diagnostics;
use crate::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

/// Pool folder read when no path is given.
const DEFAULT_PATH: &str = "pools";

/// The kind of change to one environment's template.
#[derive(Debug)]
enum Status {
    Added,
    Removed,
    Changed(Vec<Change>),
    Unchanged,
    /// One side has errors, so the environment was not compared.
    NotCompared,
}

/// One environment of the result, or the pair of environments compared.
#[derive(Debug)]
struct Entry {
    name: String,
    status: Status,
}

/// The two sides compared, for titles and JSON.
enum Comparison<'a> {
    Environments { old: &'a str, new: &'a str },
    Revision(&'a str),
}

pub fn run(args: &DiffArgs) -> u8 {
    let (comparison, paths) = match parse_arguments(args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let result = match comparison {
        Comparison::Environments { old, new } => compare_environments(args, old, new, &paths),
        Comparison::Revision(revision) => compare_revision(args, revision, &paths),
    };
    let (entries, failed) = match result {
        Ok(found) => found,
        Err(code) => return code,
    };

    let text = match args.format {
        DiffFormat::Text => render_text(&entries, crate::check::use_color()),
        DiffFormat::Markdown => render_markdown(&comparison, &entries),
        DiffFormat::Json => render_json(&comparison, &entries),
    };
    print!("{text}");
    let differs = entries.iter().any(|e| !matches!(e.status, Status::Unchanged));
    if failed || differs { EXIT_PROBLEMS } else { EXIT_OK }
}

/// Splits the positional arguments into environments and paths.
fn parse_arguments(args: &DiffArgs) -> Result<(Comparison<'_>, Vec<PathBuf>), String> {
    let (comparison, rest) = match &args.base {
        Some(revision) => (Comparison::Revision(revision), args.args.as_slice()),
        None => match args.args.as_slice() {
            [old, new, rest @ ..] => (Comparison::Environments { old, new }, rest),
            _ => {
                return Err(
                    "name two environments, as in `poolc diff dev prod`, or a revision with `--base REV`"
                        .to_owned(),
                );
            }
        },
    };
    let mut paths: Vec<PathBuf> = rest.iter().map(PathBuf::from).collect();
    if paths.is_empty() {
        paths.push(PathBuf::from(DEFAULT_PATH));
    }
    Ok((comparison, paths))
}

fn options(lookup: &dyn Fn(&str) -> Option<String>) -> Options<'_> {
    Options {
        lookup,
        known_names: std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect(),
        unset: UnsetPolicy::Hole,
    }
}

fn environment_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Compares the templates of two environments of the same pool files.
fn compare_environments(
    args: &DiffArgs,
    old: &str,
    new: &str,
    paths: &[PathBuf],
) -> Result<(Vec<Entry>, bool), u8> {
    let compilation = compile_working_tree(paths)?;
    let failed = print_diagnostics(&compilation, &args.report);
    report_failure(failed, &compilation);
    let find = |name: &str| compilation.templates.iter().find(|t| t.environment == name);
    let mut missing = Vec::new();
    for name in [old, new] {
        let known = compilation.environments.iter().any(|e| e.name == name);
        if !known && !failed {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        report_unknown_environments(&missing, &compilation);
        return Err(EXIT_ERROR);
    }
    let status = match (find(old), find(new)) {
        (Some(old), Some(new)) => compare_templates(old, new),
        _ => Status::NotCompared,
    };
    let entry = Entry {
        name: format!("{old} → {new}"),
        status,
    };
    Ok((vec![entry], failed))
}

/// Compares every environment at `revision` with the working tree.
fn compare_revision(args: &DiffArgs, revision: &str, paths: &[PathBuf]) -> Result<(Vec<Entry>, bool), u8> {
    let old_files = poolc::git::read_pool_files(revision, paths).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_ERROR
    })?;
    let lookup = environment_lookup;
    let old = compile::compile_texts(old_files, &options(&lookup));
    let new = compile_working_tree(paths)?;
    let old_failed = old.diagnostics.has_errors() && print_diagnostics(&old, &args.report);
    report_failure(old_failed, &old);
    let new_failed = print_diagnostics(&new, &args.report);
    report_failure(new_failed, &new);

    let mut names: Vec<&str> = new.environments.iter().map(|e| e.name.as_str()).collect();
    for environment in &old.environments {
        if !names.contains(&environment.name.as_str()) {
            names.push(&environment.name);
        }
    }
    let entries = names
        .into_iter()
        .map(|name| Entry {
            name: name.to_owned(),
            status: revision_status(name, &old, &new),
        })
        .collect();
    Ok((entries, old_failed || new_failed))
}

fn revision_status(name: &str, old: &Compilation, new: &Compilation) -> Status {
    let template = |c: &Compilation| c.templates.iter().find(|t| t.environment == name).cloned();
    let resolved = |c: &Compilation| c.environments.iter().any(|e| e.name == name);
    match (template(old), template(new)) {
        (Some(old), Some(new)) => compare_templates(&old, &new),
        // A side with errors may have lost an environment to them, so absence proves nothing.
        (None, Some(_)) if !resolved(old) && !old.diagnostics.has_errors() => Status::Added,
        (Some(_), None) if !resolved(new) && !new.diagnostics.has_errors() => Status::Removed,
        _ => Status::NotCompared,
    }
}

fn report_failure(failed: bool, compilation: &Compilation) {
    if failed {
        let summary = crate::report::summary(&compilation.diagnostics);
        eprintln!("error: {summary}; the comparison may be incomplete");
    }
}

fn compile_working_tree(paths: &[PathBuf]) -> Result<Compilation, u8> {
    let lookup = environment_lookup;
    compile::compile_paths(paths, &options(&lookup)).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_ERROR
    })
}

fn compare_templates(old: &Template, new: &Template) -> Status {
    let parse = |t: &Template| serde_json::from_str::<Value>(&t.text).unwrap_or(Value::Null);
    let changes = diff::diff(&parse(old), &parse(new));
    if changes.is_empty() {
        Status::Unchanged
    } else {
        Status::Changed(changes)
    }
}

fn report_unknown_environments(missing: &[&str], compilation: &Compilation) {
    let known: Vec<&str> = compilation.environments.iter().map(|e| e.name.as_str()).collect();
    for name in missing {
        let hint = poolc::suggest::closest(name, known.iter().copied())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        eprintln!(
            "error: no environment `{name}` in the pool files{hint}; they define: {}",
            known.join(", ")
        );
    }
}

fn summary(status: &Status) -> String {
    match status {
        Status::Added => "added".to_owned(),
        Status::Removed => "removed".to_owned(),
        Status::Changed(changes) => count_changes(changes),
        Status::Unchanged => "unchanged".to_owned(),
        Status::NotCompared => "not compared: pool files have errors".to_owned(),
    }
}

fn count_changes(changes: &[Change]) -> String {
    match changes.len() {
        1 => "1 change".to_owned(),
        count => format!("{count} changes"),
    }
}

/// Renders one line per environment that differs, then one indented line per change.
fn render_text(entries: &[Entry], color: bool) -> String {
    let paint = |code: &str, text: String| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let mut output = String::new();
    for entry in entries {
        if matches!(entry.status, Status::Unchanged) {
            continue;
        }
        output.push_str(&format!("{}: {}\n", entry.name, summary(&entry.status)));
        let Status::Changed(changes) = &entry.status else {
            continue;
        };
        for change in changes {
            let line = match change {
                Change::Added { path, value } => {
                    paint("32", format!("+ {path}: {}", diff::short_value(value)))
                }
                Change::Removed { path, value } => {
                    paint("31", format!("- {path}: {}", diff::short_value(value)))
                }
                Change::Changed { path, old, new } => {
                    let (old, new) = diff::short_pair(old, new);
                    paint("33", format!("~ {path}: {old} → {new}"))
                }
            };
            output.push_str(&format!("  {line}\n"));
        }
    }
    output
}

/// Renders a title, one summary line per environment that differs, then a table of changes for each.
fn render_markdown(comparison: &Comparison<'_>, entries: &[Entry]) -> String {
    let title = match comparison {
        Comparison::Environments { old, new } => format!("### poolc: `{new}` compared with `{old}`"),
        Comparison::Revision(revision) => format!("### poolc: template changes since `{revision}`"),
    };
    let differing: Vec<&Entry> = entries
        .iter()
        .filter(|e| !matches!(e.status, Status::Unchanged))
        .collect();
    let mut output = format!("{title}\n\n");
    if differing.is_empty() {
        output.push_str("No template changes.\n");
        return output;
    }
    for entry in &differing {
        output.push_str(&format!("- **{}**: {}\n", entry.name, summary(&entry.status)));
    }
    for entry in &differing {
        if let Status::Changed(changes) = &entry.status {
            output.push_str(&markdown_details(&entry.name, changes));
        }
    }
    output
}

fn markdown_details(name: &str, changes: &[Change]) -> String {
    let mut output = format!(
        "\n<details open>\n<summary>{name}: {}</summary>\n\n| | Path | Old | New |\n| --- | --- | --- | --- |\n",
        count_changes(changes)
    );
    for change in changes {
        let (mark, old, new) = match change {
            Change::Added { value, .. } => ("+", String::new(), code_span(&diff::short_value(value))),
            Change::Removed { value, .. } => ("−", code_span(&diff::short_value(value)), String::new()),
            Change::Changed { old, new, .. } => {
                let (old, new) = diff::short_pair(old, new);
                ("~", code_span(&old), code_span(&new))
            }
        };
        let path = code_span(&change.path().to_string());
        output.push_str(&format!("| {mark} | {path} | {old} | {new} |\n"));
    }
    output.push_str("\n</details>\n");
    output
}

/// Wraps text in a Markdown code span that survives backticks and table pipes.
fn code_span(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn render_json(comparison: &Comparison<'_>, entries: &[Entry]) -> String {
    let entry_json = |entry: &Entry| {
        let status = match &entry.status {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed(_) => "changed",
            Status::Unchanged => "unchanged",
            Status::NotCompared => "not-compared",
        };
        let changes: Vec<Value> = match &entry.status {
            Status::Changed(changes) => changes.iter().map(Change::to_json).collect(),
            _ => Vec::new(),
        };
        (status, changes)
    };
    let document = match comparison {
        Comparison::Environments { old, new } => {
            let (status, changes) = entries
                .first()
                .map(entry_json)
                .unwrap_or(("not-compared", Vec::new()));
            json!({ "old": old, "new": new, "status": status, "changes": changes })
        }
        Comparison::Revision(revision) => {
            let environments: Vec<Value> = entries
                .iter()
                .map(|entry| {
                    let (status, changes) = entry_json(entry);
                    json!({ "environment": entry.name, "status": status, "changes": changes })
                })
                .collect();
            json!({ "base": revision, "environments": environments })
        }
    };
    poolc::emit::render(&document)
}
