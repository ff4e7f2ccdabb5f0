//! The whole pipeline for one run: load, resolve, substitute, check, emit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::checks;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::emit::{self, Template};
use crate::profile::Profile;
use crate::resolve::{self, Environment};
use crate::source::{FileId, SourceMap, Span};
use crate::substitute::{self, UnsetPolicy};
use crate::workspace::{self, LoadError, Workspace};

/// Settings for reading a run's inputs.
pub struct Options<'a> {
    /// Reads a name from the process environment.
    pub lookup: substitute::Lookup<'a>,
    /// Names that exist in the process environment, for "did you mean".
    pub known_names: Vec<String>,
    pub unset: UnsetPolicy,
}

/// Everything a run produced: the sources (for rendering diagnostics), the problems, and the
/// templates of the environments that compiled.
#[derive(Debug, Default)]
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    pub templates: Vec<Template>,
    /// Every environment that resolved, whether or not its template compiled.
    pub environments: Vec<EnvironmentSummary>,
}

/// The facts about an environment that later steps need once its template is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentSummary {
    pub name: String,
    /// The file name set with `output`, after substitution.
    pub output: Option<String>,
}

/// Returns the files that already have errors, from reading and decoding them.
fn files_with_errors(diagnostics: &Diagnostics) -> BTreeSet<FileId> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter_map(|d| d.primary.as_ref().map(|label| label.span.file))
        .collect()
}

/// Returns the files of the profiles an environment is built from.
fn chain_files<'a>(
    workspace: &'a Workspace,
    environment: &'a Environment,
) -> impl Iterator<Item = FileId> + 'a {
    environment
        .chain
        .iter()
        .filter_map(|name| workspace.profiles.get(name))
        .map(|profile| profile.file)
}

/// Resolves one environment from its chain and expands its `$NAME` references. Returns the
/// environment with the problems substitution found in it; problems of the chain itself go to
/// `diagnostics`.
fn substitute_chain(
    chain: &[&Profile],
    sources: &SourceMap,
    options: &Options<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<(Environment, Diagnostics)> {
    let mut environment = resolve::apply_chain(chain, diagnostics)?;
    let mut own = Diagnostics::default();
    substitute::substitute_environment(
        &mut environment,
        sources,
        options.lookup,
        options.unset,
        &options.known_names,
        &mut own,
    );
    Some((environment, own))
}

/// Builds files in memory as `build` does but without its checks, with an empty process
/// environment, and returns each environment's template JSON with every problem found. An
/// environment with problems is left out.
pub fn build_unchecked(inputs: Vec<(PathBuf, String)>) -> (Vec<(String, serde_json::Value)>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let workspace = workspace::load_texts(inputs, &mut diagnostics);
    let chains = resolve::environment_chains(&workspace, &mut diagnostics);
    let lookup = |_: &str| None;
    let options = Options {
        lookup: &lookup,
        known_names: Vec::new(),
        unset: UnsetPolicy::Error,
    };
    let mut built = Vec::new();
    for chain in &chains {
        let Some((environment, own)) =
            substitute_chain(chain, &workspace.sources, &options, &mut diagnostics)
        else {
            continue;
        };
        let failed = diagnostics.has_errors() || own.has_errors();
        diagnostics.extend(own);
        if failed {
            log::debug!("environment `{}` does not build", environment.name);
            continue;
        }
        built.push((environment.name.clone(), emit::to_json(&environment)));
    }
    (built, diagnostics)
}

/// Compiles the pool files at `paths`.
pub fn compile_paths(paths: &[PathBuf], options: &Options<'_>) -> Result<Compilation, LoadError> {
    let mut diagnostics = Diagnostics::default();
    let workspace = workspace::load_paths(paths, &mut diagnostics)?;
    Ok(compile_workspace(workspace, diagnostics, options))
}

/// Compiles files already in memory.
pub fn compile_texts(inputs: Vec<(PathBuf, String)>, options: &Options<'_>) -> Compilation {
    let mut diagnostics = Diagnostics::default();
    let workspace = workspace::load_texts(inputs, &mut diagnostics);
    compile_workspace(workspace, diagnostics, options)
}

fn compile_workspace(
    workspace: Workspace,
    mut diagnostics: Diagnostics,
    options: &Options<'_>,
) -> Compilation {
    let unreadable = files_with_errors(&diagnostics);
    let chains = resolve::environment_chains(&workspace, &mut diagnostics);
    let mut templates = Vec::new();
    let mut summaries = Vec::new();
    let mut writers: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for chain in &chains {
        let Some((mut environment, mut own)) =
            substitute_chain(chain, &workspace.sources, options, &mut diagnostics)
        else {
            continue;
        };
        let environment = &mut environment;
        summaries.push(EnvironmentSummary {
            name: environment.name.clone(),
            output: environment.output.as_ref().map(|o| o.text.clone()),
        });
        // A file with syntax or decoding errors lost the nodes that failed, so checks of the
        // whole template would report what is missing because of them: skip its environments.
        if let Some(file) = chain_files(&workspace, environment).find(|f| unreadable.contains(f)) {
            log::debug!(
                "environment `{}` is not checked: `{}` has errors",
                environment.name,
                workspace.sources.get(file).name
            );
            diagnostics.extend(own);
            continue;
        }
        checks::check_environment(&workspace.sources, environment, &mut own);
        let names = emit::file_name(environment, &mut own);
        if let Some((_, file_name)) = &names {
            let span = environment
                .output
                .as_ref()
                .map_or(environment.name_span, |o| o.span);
            if let Some((other, other_span)) = writers.get(file_name) {
                own.push(
                    Diagnostic::new(
                        Code::DuplicateEnvironment,
                        format!(
                            "environments `{other}` and `{}` both write `{file_name}`",
                            environment.name
                        ),
                    )
                    .at(span, "this environment's template")
                    .with_secondary(*other_span, format!("`{other}` writes the same file"))
                    .with_help("give one of them another `output` name, or another `environment` name"),
                );
            } else {
                writers.insert(file_name.clone(), (environment.name.clone(), span));
            }
        }
        let failed = own.has_errors();
        diagnostics.extend(own);
        let Some((worker, file_name)) = names else {
            continue;
        };
        if failed {
            continue;
        }
        log::debug!(
            "environment `{}` compiled from {}",
            environment.name,
            environment.chain.join(" → ")
        );
        templates.push(Template {
            environment: environment.name.clone(),
            file_name,
            worker,
            text: emit::render_environment(environment),
        });
    }
    Compilation {
        sources: workspace.sources,
        diagnostics,
        templates,
        environments: summaries,
    }
}
