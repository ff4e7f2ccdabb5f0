//! Turning a checked environment into the bytes of its template file.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Section;
use crate::resolve::Environment;
use crate::worker_fields::{self, WORKER_TYPES};

/// One template, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub environment: String,
    /// The file name inside the output folder.
    pub file_name: String,
    pub worker: String,
    /// Pretty JSON with a trailing newline.
    pub text: String,
}

/// Builds the template JSON: the sections in the order the root profile writes them.
pub fn to_json(environment: &Environment) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for section in section_order(environment) {
        let value = match section {
            Section::Variables => &environment.variables,
            Section::JobConfiguration => &environment.job_configuration,
        };
        object.insert(section.key().to_owned(), value.to_json());
    }
    serde_json::Value::Object(object)
}

/// Renders an environment's template file straight from its values.
pub fn render_environment(environment: &Environment) -> String {
    let sections: Vec<(&str, &crate::value::Value)> = section_order(environment)
        .into_iter()
        .map(|section| match section {
            Section::Variables => (section.key(), &environment.variables),
            Section::JobConfiguration => (section.key(), &environment.job_configuration),
        })
        .collect();
    let document: indexmap::IndexMap<&str, &crate::value::Value> = sections.into_iter().collect();
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn section_order(environment: &Environment) -> Vec<Section> {
    let mut order = environment.section_order.clone();
    for section in [Section::Variables, Section::JobConfiguration] {
        if !order.contains(&section) {
            order.push(section);
        }
    }
    order
}

/// Renders JSON the way every template file is written: two-space indent, trailing newline.
pub fn render(json: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(json).unwrap_or_default();
    text.push('\n');
    text
}

/// Returns the worker type and output file name of an environment, reporting what is missing.
pub fn file_name(environment: &Environment, diagnostics: &mut Diagnostics) -> Option<(String, String)> {
    let Some(worker) = &environment.worker else {
        diagnostics.push(
            Diagnostic::new(Code::InvalidValue, format!("environment `{}` has no worker type", environment.name))
                .at(environment.name_span, "no `worker` in this profile or its parents")
                .with_help("declare the worker type in the root profile, for example `worker \"azure-container-instance\"`"),
        );
        return None;
    };
    let known = worker_fields::find_worker_type(&worker.text);
    if known.is_none() {
        diagnostics.push(
            Diagnostic::new(Code::UnknownWorkerType, format!("unknown worker type `{}`", worker.text))
                .at(worker.span, "not a worker type poolc knows")
                .with_help("poolc checks job configuration fields only for the worker types it knows; check the `--type` your work pool uses")
                .with_suggestion(&worker.text, WORKER_TYPES.iter().map(|w| w.slug)),
        );
    }
    let name = match &environment.output {
        Some(output) => {
            if !is_plain_file_name(&output.text) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("output name `{}` is not a plain file name", output.text),
                    )
                    .at(output.span, "names a path")
                    .with_help("write a file name without `/`, `\\` or `..`; `-o` sets the folder"),
                );
                return None;
            }
            if !output.text.ends_with(".json") {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("output name `{}` does not end in `.json`", output.text),
                    )
                    .at(output.span, "not a JSON file name")
                    .with_help("templates are JSON files: end the name with `.json`, so that it can never replace a pool file"),
                );
                return None;
            }
            output.text.clone()
        }
        None => {
            let prefix = known.map_or_else(
                || format!("{}_job_template", worker.text.replace('-', "_")),
                |w| w.file_prefix.to_owned(),
            );
            format!("{prefix}_{}.json", environment.name)
        }
    };
    Some((worker.text.clone(), name))
}

/// Returns whether `name` is one file name, not a path: no separators, `.` or `..`.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}
