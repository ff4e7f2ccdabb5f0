//! Finding the pool files, reading and decoding them, and linking each profile to its parent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::{self, Profile};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax;

/// A failure to read the input at all, as opposed to a problem inside a pool file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no `.kdl` files in `{0}`")]
    Empty(PathBuf),
}

/// Every profile of a run, by name, with the sources they came from.
#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: SourceMap,
    pub profiles: BTreeMap<String, Profile>,
    /// Profiles whose file is not valid KDL: their syntax errors are reported, and a child
    /// that extends one is left unchecked rather than told its parent is missing.
    pub unparsed: BTreeSet<String>,
}

/// Returns the `.kdl` files named by `paths`: files as given, folders by their direct children.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| LoadError::Read {
            path: path.clone(),
            source,
        })?;
        if !metadata.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|source| LoadError::Read {
            path: path.clone(),
            source,
        })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            // A `.kdl` entry that cannot be read, such as a dangling link, is kept so that reading
            // it fails loudly instead of an environment silently disappearing.
            .filter(|p| p.extension().is_some_and(|e| e == "kdl") && !p.is_dir())
            .collect();
        if found.is_empty() {
            return Err(LoadError::Empty(path.clone()));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Reads files from disk and loads them.
pub fn load_paths(paths: &[PathBuf], diagnostics: &mut Diagnostics) -> Result<Workspace, LoadError> {
    let files = discover(paths)?;
    let mut inputs = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Read {
            path: path.clone(),
            source,
        })?;
        inputs.push((path, text));
    }
    Ok(load_texts(inputs, diagnostics))
}

/// Parses and decodes files already in memory, such as old revisions read through git.
pub fn load_texts(inputs: Vec<(PathBuf, String)>, diagnostics: &mut Diagnostics) -> Workspace {
    let mut workspace = Workspace::default();
    let files: Vec<FileId> = inputs
        .into_iter()
        .map(|(path, text)| {
            let name = display_name(&path);
            workspace.sources.add(&path, name, text)
        })
        .collect();
    let decoded = decode_all(&workspace.sources, &files);

    for (file, (profile, own)) in files.into_iter().zip(decoded) {
        diagnostics.extend(own);
        let stem = profile_name(&workspace.sources.get(file).path);
        let Some(profile) = profile else {
            log::debug!("profile `{stem}` is not valid KDL; its children are not checked");
            workspace.unparsed.insert(stem);
            continue;
        };
        if let Some(existing) = workspace.profiles.get(&stem) {
            let other = workspace.sources.get(existing.file).name.clone();
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateEnvironment,
                    format!("two files define profile `{stem}`"),
                )
                .at(Span::new(file, 0, 0), format!("`{other}` has the same name"))
                .with_help("profiles are named after their file; rename one of the files"),
            );
            continue;
        }
        workspace.profiles.insert(stem, profile);
    }
    workspace
}

/// Parses and decodes files on every available core, returning the results in input order.
fn decode_all(sources: &SourceMap, files: &[FileId]) -> Vec<(Option<Profile>, Diagnostics)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk_size = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk_size)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|file| decode_one(sources, *file))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn decode_one(sources: &SourceMap, file: FileId) -> (Option<Profile>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let source = sources.get(file);
    let stem = profile_name(&source.path);
    let profile = syntax::parse(file, source, &mut diagnostics)
        .map(|document| profile::decode(file, &stem, source, &document, &mut diagnostics));
    (profile, diagnostics)
}

fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Returns a profile's name: its file name without `.kdl`.
pub fn profile_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
