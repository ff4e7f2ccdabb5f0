//! `poolc import`: turning existing base job templates (JSON) into pool files.
//!
//! One template becomes a root profile. Several templates, one per environment, become an
//! abstract `base` profile with what they share and one small profile per environment with
//! what differs. Every result is built back in memory and compared with its input, key order
//! included, so an import that would lose anything fails instead of writing files.

mod kdl_writer;
mod multi;
mod nodes;
mod pattern;
mod single;
mod template;

use std::path::{Path, PathBuf};

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Section;
use crate::source::{FileId, SourceMap, Span};
use crate::worker_fields::{self, WORKER_TYPES};
use crate::{compile, workspace};

pub use pattern::Pattern;
use single::RootHeader;
use template::Template;

/// The profile name of the shared parent in a multi-environment import.
pub const BASE_PROFILE: &str = "base";

/// One template to import: where it came from, its text and its environment's name.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub text: String,
    pub environment: String,
}

/// A pool file to write: its name inside the output folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolFile {
    pub file_name: String,
    pub text: String,
}

/// The outcome of an import: the problems found, and the files when there were none.
#[derive(Debug, Default)]
pub struct Import {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    /// The worker type written in the files, given or inferred.
    pub worker: Option<String>,
    pub files: Vec<PoolFile>,
}

/// Returns the environment name a template's file name implies: its stem without a
/// `<prefix>_` such as `aci_job_template_` (any known worker type's file prefix, or the one
/// `worker` would get), so `aci_job_template_dev.json` gives `dev`.
pub fn environment_from_path(path: &Path, worker: Option<&str>) -> String {
    let stem = workspace::profile_name(path);
    let derived = worker.map(|w| format!("{}_job_template", w.replace('-', "_")));
    let prefixes = WORKER_TYPES
        .iter()
        .map(|w| w.file_prefix.to_owned())
        .chain(derived);
    for prefix in prefixes {
        if let Some(rest) = stem.strip_prefix(&format!("{prefix}_"))
            && !rest.is_empty()
        {
            return rest.to_owned();
        }
    }
    stem
}

/// Imports templates: one gives a root profile, several give `base` plus one profile each.
/// `worker` is the `--type`; without it the type is inferred from the job configuration keys.
pub fn import(inputs: Vec<Input>, worker: Option<&str>) -> Import {
    let mut result = Import::default();
    let mut templates = Vec::new();
    for input in &inputs {
        let name = input.path.to_string_lossy().into_owned();
        let file = result.sources.add(&input.path, name, input.text.clone());
        if let Some(template) = template::read(file, result.sources.get(file), &mut result.diagnostics) {
            templates.push((input.environment.clone(), template));
        }
    }
    if result.diagnostics.has_errors() || templates.is_empty() {
        return result;
    }

    let worker = match worker {
        Some(worker) => {
            warn_unknown_worker(worker, &mut result.diagnostics);
            worker.to_owned()
        }
        None => match infer_worker(&templates, &mut result.diagnostics) {
            Some(worker) => worker,
            None => return result,
        },
    };
    log::info!("worker type `{worker}`");

    let files = if templates.len() == 1 {
        import_single(&result.sources, &templates, &worker)
    } else {
        import_multi(&result.sources, &templates, &worker)
    };
    let mut files = files;
    let verified_in_halves = templates.len() == 1
        && templates
            .first()
            .is_some_and(|(_, template)| verify_in_halves(template, &worker));
    let mut failing = if verified_in_halves {
        Vec::new()
    } else {
        verify(&files, &templates)
    };
    if templates.len() > 1 && !failing.is_empty() {
        // An environment whose changes do not build back is written whole instead.
        for (environment, template) in templates.iter().filter(|(e, _)| failing.contains(e)) {
            log::info!("environment `{environment}` is written whole");
            let whole = whole_profile(&result.sources, environment, template, &worker);
            if let Some(file) = files.iter_mut().find(|f| f.file_name == whole.file_name) {
                *file = whole;
            }
        }
        failing = verify(&files, &templates);
    }
    for (environment, template) in templates.iter().filter(|(e, _)| failing.contains(e)) {
        result.diagnostics.push(
            Diagnostic::new(
                Code::InvalidTemplate,
                format!("the pool files for `{environment}` do not build back to this template"),
            )
            .at(Span::new(template.file, 0, 0), "imported from here")
            .with_help("this is a bug in `poolc import`; nothing was written"),
        );
    }
    if !result.diagnostics.has_errors() {
        result.files = files;
    }
    result.worker = Some(worker);
    result
}

fn warn_unknown_worker(worker: &str, diagnostics: &mut Diagnostics) {
    if worker_fields::find_worker_type(worker).is_some() {
        return;
    }
    diagnostics.push(
        Diagnostic::new(Code::UnknownWorkerType, format!("unknown worker type `{worker}`"))
            .with_help("the files are written with this type, but poolc checks job configuration fields only for the worker types it knows")
            .with_suggestion(worker, WORKER_TYPES.iter().map(|w| w.slug)),
    );
}

/// Picks the known worker type whose job configuration fields cover the most keys; a tie is
/// reported, because guessing would write the wrong file names.
fn infer_worker(templates: &[(String, Template)], diagnostics: &mut Diagnostics) -> Option<String> {
    let mut keys: Vec<&str> = Vec::new();
    for (_, template) in templates {
        let members = template
            .section(Section::JobConfiguration)
            .and_then(Pattern::as_map)
            .unwrap_or(&[]);
        for (key, _) in members {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
    }
    let score = |worker: &worker_fields::WorkerType| {
        keys.iter()
            .filter(|key| worker.job_fields.iter().any(|field| field.name == **key))
            .count()
    };
    let best = WORKER_TYPES.iter().map(score).max().unwrap_or(0);
    let winners: Vec<&str> = WORKER_TYPES
        .iter()
        .filter(|worker| score(worker) == best)
        .map(|worker| worker.slug)
        .collect();
    if let [only] = winners.as_slice()
        && best > 0
    {
        log::info!(
            "worker type `{only}` covers {best} of {} job configuration keys",
            keys.len()
        );
        return Some((*only).to_owned());
    }
    let file = templates.first().map_or(FileId(0), |(_, t)| t.file);
    let candidates: Vec<String> = winners.iter().map(|w| format!("`{w}`")).collect();
    diagnostics.push(
        Diagnostic::new(
            Code::AmbiguousWorkerType,
            "cannot tell the worker type from the job configuration keys",
        )
        .at(
            Span::new(file, 0, 0),
            format!("{best} keys match each of several worker types"),
        )
        .with_help(format!(
            "pass `--type`, for example one of {}",
            candidates.join(", ")
        )),
    );
    None
}

fn file_name(sources: &SourceMap, file: FileId) -> String {
    let path = &sources.get(file).path;
    path.file_name()
        .map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy())
        .into_owned()
}

fn import_single(sources: &SourceMap, templates: &[(String, Template)], worker: &str) -> Vec<PoolFile> {
    templates
        .iter()
        .map(|(environment, template)| whole_profile(sources, environment, template, worker))
        .collect()
}

/// Writes an environment as a root profile that defines its whole template.
fn whole_profile(sources: &SourceMap, environment: &str, template: &Template, worker: &str) -> PoolFile {
    let comment = [format!(
        "Imported from `{}` by `poolc import`.",
        file_name(sources, template.file)
    )];
    let header = RootHeader {
        comment: &comment,
        worker,
        is_abstract: false,
    };
    let sections: Vec<(Section, &Pattern)> = template.sections.iter().map(|(s, p)| (*s, p)).collect();
    PoolFile {
        file_name: format!("{environment}.kdl"),
        text: single::root_profile(&header, &sections),
    }
}

fn import_multi(sources: &SourceMap, templates: &[(String, Template)], worker: &str) -> Vec<PoolFile> {
    let order = templates.first().map(|(_, t)| t.order()).unwrap_or_default();
    let base: Vec<(Section, Pattern)> = order
        .iter()
        .map(|section| {
            let samples: Vec<(&str, &Pattern)> = templates
                .iter()
                .filter_map(|(environment, template)| {
                    Some((environment.as_str(), template.section(*section)?))
                })
                .collect();
            (*section, multi::common(&samples))
        })
        .collect();

    let names: Vec<&str> = templates.iter().map(|(e, _)| e.as_str()).collect();
    let comment = [format!(
        "What the environments {} share, imported by `poolc import`.",
        names.join(", ")
    )];
    let header = RootHeader {
        comment: &comment,
        worker,
        is_abstract: true,
    };
    let base_sections: Vec<(Section, &Pattern)> = base.iter().map(|(s, p)| (*s, p)).collect();
    let mut files = vec![PoolFile {
        file_name: format!("{BASE_PROFILE}.kdl"),
        text: single::root_profile(&header, &base_sections),
    }];
    for (environment, template) in templates {
        let file = environment_profile(sources, environment, template, &base)
            .unwrap_or_else(|| whole_profile(sources, environment, template, worker));
        files.push(file);
    }
    files
}

/// Writes an environment as changes to the base, or `None` when its sections come in another
/// order or a section's key order cannot be reached with edits.
fn environment_profile(
    sources: &SourceMap,
    environment: &str,
    template: &Template,
    base: &[(Section, Pattern)],
) -> Option<PoolFile> {
    let base_order: Vec<Section> = base.iter().map(|(s, _)| *s).collect();
    if template.order() != base_order {
        return None;
    }
    let mut nodes = Vec::new();
    for (section, base_value) in base {
        let actual = template.section(*section)?;
        if let Some(change) = multi::diff(base_value, actual, environment) {
            nodes.push(multi::section_patch(*section, &change)?);
        }
    }
    let comment = format!(
        "Environment `{environment}`: what differs from {BASE_PROFILE}.kdl, imported from `{}`.",
        file_name(sources, template.file)
    );
    Some(PoolFile {
        file_name: format!("{environment}.kdl"),
        text: multi::child_profile(&comment, BASE_PROFILE, &nodes),
    })
}

/// Builds the files back in memory and returns the environments whose template differs from
/// their input. Problems that `poolc build` reports (such as an undeclared placeholder) are not
/// checked here: a template Prefect rejects is still imported as it is.
fn verify(files: &[PoolFile], templates: &[(String, Template)]) -> Vec<String> {
    let built = build_back(files);
    let mut failing = Vec::new();
    for (environment, template) in templates {
        let expected = Pattern::Map(
            template
                .sections
                .iter()
                .map(|(section, value)| (section.key().to_owned(), value.clone()))
                .collect(),
        );
        let found = built.iter().find(|(name, _)| name == environment);
        if !found.is_some_and(|(_, json)| *json == expected) {
            failing.push(environment.clone());
        }
    }
    failing
}

/// Checks a single template's round trip as two files that are parsed on two cores: the first
/// half of its variables, and the second half with the job configuration. Each node is written
/// by the same code as in the whole file, and parsing dominates an import's time. Returns
/// `false` when the template cannot be split or a half does not build back, and the caller then
/// checks the whole file, so this never reports a failure of its own.
fn verify_in_halves(template: &Template, worker: &str) -> bool {
    let Some(Pattern::Map(variables)) = template.section(Section::Variables) else {
        return false;
    };
    let Some(job_configuration) = template.section(Section::JobConfiguration) else {
        return false;
    };
    let Some(properties) = properties_of(variables).filter(|p| p.len() >= 2) else {
        return false;
    };

    let (first, second) = properties.split_at(properties.len() / 2);
    let second_variables = Pattern::Map(vec![("properties".to_owned(), Pattern::Map(second.to_vec()))]);
    let files = [
        half_file(
            "first",
            worker,
            vec![(Section::Variables, with_properties(variables, first.to_vec()))],
        ),
        half_file(
            "second",
            worker,
            vec![
                (Section::Variables, second_variables),
                (Section::JobConfiguration, job_configuration.clone()),
            ],
        ),
    ];

    // A single import writes only literal text (`$` doubled), so the environment's name changes
    // nothing, and the two halves can be built as two environments, parsed in parallel.
    let built = build_back(&files);
    let section_of = |name: &str, key: &str| {
        built
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, json)| json.as_map())
            .and_then(|sections| sections.iter().find(|(k, _)| k == key))
            .and_then(|(_, value)| value.as_map())
    };
    let (Some(first_built), Some(second_built), Some(built_job)) = (
        section_of("first", "variables"),
        section_of("second", "variables"),
        section_of("second", "job_configuration"),
    ) else {
        return false;
    };
    let (Some(first_properties), Some(second_properties)) =
        (properties_of(first_built), properties_of(second_built))
    else {
        return false;
    };

    let joined = [first_properties, second_properties].concat();
    let matches = with_properties(first_built, joined) == Pattern::Map(variables.clone())
        && Pattern::Map(built_job.to_vec()) == *job_configuration;
    let outcome = if matches {
        "equal"
    } else {
        "different, checking the whole file"
    };
    log::debug!("round trip checked in halves: {outcome}");
    matches
}

/// Returns the members of a schema's `properties`.
fn properties_of(schema: &[(String, Pattern)]) -> Option<&[(String, Pattern)]> {
    schema
        .iter()
        .find(|(key, _)| key == "properties")
        .and_then(|(_, value)| value.as_map())
}

/// Returns a copy of a schema whose `properties` contains `members` instead.
fn with_properties(schema: &[(String, Pattern)], members: Vec<(String, Pattern)>) -> Pattern {
    let mut copy = schema.to_vec();
    if let Some((_, value)) = copy.iter_mut().find(|(key, _)| key == "properties") {
        *value = Pattern::Map(members);
    }
    Pattern::Map(copy)
}

/// Writes one half of a split template as a root profile named `name`.
fn half_file(name: &str, worker: &str, sections: Vec<(Section, Pattern)>) -> PoolFile {
    let sections: Vec<(Section, &Pattern)> = sections.iter().map(|(s, p)| (*s, p)).collect();
    let header = RootHeader {
        comment: &[],
        worker,
        is_abstract: false,
    };
    PoolFile {
        file_name: format!("{name}.kdl"),
        text: single::root_profile(&header, &sections),
    }
}

/// Builds the files in memory as `poolc build` does, without its checks.
fn build_back(files: &[PoolFile]) -> Vec<(String, Pattern)> {
    let inputs = files
        .iter()
        .map(|f| (PathBuf::from(&f.file_name), f.text.clone()))
        .collect();
    let (built, _) = compile::build_unchecked(inputs);
    built
        .into_iter()
        .filter_map(|(environment, json)| Some((environment, Pattern::from_json(&json).ok()?)))
        .collect()
}
