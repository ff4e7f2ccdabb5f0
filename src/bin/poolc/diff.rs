//! `poolc diff`: what differs between two environments, or between a git revision and now.

use std::path::PathBuf;

use poolc::compile::{self, Compilation};
use poolc::diff::{self, Change};
use poolc::emit::Template;
use poolc::substitute::UnsetPolicy;
use serde_json::{Value, json};

use crate::cli::{DiffArgs, DiffFormat};
use crate::report::print_diagnostics_to_stderr as print_diagnostics;
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
        (Some(old), Some(new)) => compare_templates(old, new)?,
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
    let old = compile::compile_texts(old_files, &crate::process_options(UnsetPolicy::Hole));
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
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        entries.push(Entry {
            name: name.to_owned(),
            status: revision_status(name, &old, &new)?,
        });
    }
    Ok((entries, old_failed || new_failed))
}

fn revision_status(name: &str, old: &Compilation, new: &Compilation) -> Result<Status, u8> {
    let template = |c: &Compilation| c.templates.iter().find(|t| t.environment == name).cloned();
    let resolved = |c: &Compilation| c.environments.iter().any(|e| e.name == name);
    let status = match (template(old), template(new)) {
        (Some(old), Some(new)) => return compare_templates(&old, &new),
        // A side with errors may have lost an environment to them, so absence proves nothing.
        (None, Some(_)) if !resolved(old) && !old.diagnostics.has_errors() => Status::Added,
        (Some(_), None) if !resolved(new) && !new.diagnostics.has_errors() => Status::Removed,
        _ => Status::NotCompared,
    };
    Ok(status)
}

fn report_failure(failed: bool, compilation: &Compilation) {
    if failed {
        let summary = crate::report::summary(&compilation.diagnostics);
        eprintln!("error: {summary}; the comparison may be incomplete");
    }
}

fn compile_working_tree(paths: &[PathBuf]) -> Result<Compilation, u8> {
    compile::compile_paths(paths, &crate::process_options(UnsetPolicy::Hole)).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_ERROR
    })
}

/// Compares two templates with their secret values hidden. A template that cannot be parsed
/// back, such as one nested deeper than `serde_json` reads, is an error and never "unchanged".
fn compare_templates(old: &Template, new: &Template) -> Result<Status, u8> {
    let (old, new) = (parse_template(old)?, parse_template(new)?);
    let (old, new) = poolc::redact::redact_pair(&old, &new);
    let changes = diff::diff(&old, &new);
    if changes.is_empty() {
        Ok(Status::Unchanged)
    } else {
        Ok(Status::Changed(changes))
    }
}

fn parse_template(template: &Template) -> Result<Value, u8> {
    serde_json::from_str::<Value>(&template.text).map_err(|error| {
        // serde_json stops at 128 nested arrays and objects.
        let reason = if error.to_string().contains("recursion limit") {
            "its values are nested too deeply to compare"
        } else {
            "its compiled JSON cannot be read back"
        };
        eprintln!(
            "error: cannot compare the template of environment `{}`: {reason} ({error})",
            template.environment
        );
        EXIT_ERROR
    })
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
        Comparison::Environments { old, new } => {
            format!("### poolc: {} compared with {}", code_span(new), code_span(old))
        }
        Comparison::Revision(revision) => {
            format!("### poolc: template changes since {}", code_span(revision))
        }
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
        let name = markdown_name(comparison, entry, code_span);
        output.push_str(&format!("- **{name}**: {}\n", summary(&entry.status)));
    }
    for entry in &differing {
        if let Status::Changed(changes) = &entry.status {
            let name = markdown_name(comparison, entry, html_code);
            output.push_str(&markdown_details(&name, changes));
        }
    }
    output
}

/// Renders an entry's name as code, so that no character of it acts as Markdown, HTML or an
/// `@mention`: each environment alone, joined by `→` for two environments.
fn markdown_name(comparison: &Comparison<'_>, entry: &Entry, code: fn(&str) -> String) -> String {
    match comparison {
        Comparison::Environments { old, new } => format!("{} → {}", code(old), code(new)),
        Comparison::Revision(_) => code(&entry.name),
    }
}

/// `name` is already rendered as HTML.
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

/// Wraps text in a Markdown code span for a table cell. The fence is one backtick longer than
/// the longest run of backticks inside, so no run can close the span early. A space pads each
/// side when the text starts or ends with a backtick, or with a space on both sides, because
/// CommonMark removes one space from each side of such a span. Pipes are escaped, because a GFM
/// table splits cells at them even inside code.
fn code_span(text: &str) -> String {
    if text.is_empty() {
        return "` `".to_owned();
    }
    let text = text.replace('|', "\\|");
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let padded = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let pad = if padded { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Wraps text in an HTML `<code>` element, escaping the characters HTML gives a meaning to.
fn html_code(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            other => escaped.push(other),
        }
    }
    format!("<code>{escaped}</code>")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_span_plain_text() {
        assert_eq!(code_span("a.b"), "`a.b`");
    }

    #[test]
    fn code_span_fence_outgrows_backtick_runs() {
        assert_eq!(code_span("\"a``b\""), "```\"a``b\"```");
        assert_eq!(code_span("x```@team <b>"), "````x```@team <b>````");
    }

    #[test]
    fn code_span_pads_edge_backticks() {
        assert_eq!(code_span("`a`"), "`` `a` ``");
        assert_eq!(code_span(" a "), "`  a  `");
    }

    #[test]
    fn code_span_escapes_pipes() {
        assert_eq!(code_span("a|b"), "`a\\|b`");
    }

    #[test]
    fn code_span_of_empty_text_is_a_space() {
        assert_eq!(code_span(""), "` `");
    }

    fn template(environment: &str, text: String) -> Template {
        Template {
            environment: environment.to_owned(),
            file_name: format!("{environment}.json"),
            worker: "azure-container-instance".to_owned(),
            text,
        }
    }

    /// Returns compact JSON with `leaf` inside `depth` nested objects.
    fn nested(depth: usize, leaf: u32) -> String {
        format!("{}{leaf}{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    }

    #[test]
    fn deep_templates_are_not_unchanged() {
        let old = template("dev", nested(130, 1));
        let new = template("prod", nested(130, 2));
        assert!(matches!(compare_templates(&old, &new), Err(EXIT_ERROR)));
    }

    #[test]
    fn templates_below_depth_limit_compare() {
        let old = template("dev", nested(100, 1));
        let new = template("prod", nested(100, 2));
        let status = compare_templates(&old, &new);
        assert!(
            matches!(&status, Ok(Status::Changed(changes)) if changes.len() == 1),
            "{status:?}"
        );
    }

    #[test]
    fn html_code_escapes_tags() {
        assert_eq!(
            html_code("<img src=x>@a&b"),
            "<code>&lt;img src=x&gt;@a&amp;b</code>"
        );
    }
}
