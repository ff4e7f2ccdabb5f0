//! Reading pool files as they were at a git revision, through the `git` command.
//!
//! Only `git ls-tree` and `git cat-file` run, so the work tree and the index stay untouched.
//! Paths are relative to the current directory, as `git` takes them with a `./` prefix.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run `git`: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("`git {command}` failed: {message}")]
    Failed { command: String, message: String },
    #[error("`{0}` is not valid UTF-8 at the revision")]
    NotText(PathBuf),
    #[error("`{0}` is an absolute path; name pool files relative to the current folder with `--base`")]
    AbsolutePath(PathBuf),
}

/// Returns the `.kdl` files named by `paths` at `revision`, each named `REVISION:PATH` so that
/// diagnostics show which side they come from. Folders give their direct `.kdl` children, like
/// [`crate::workspace::discover`]. A path that did not exist at the revision gives nothing.
pub fn read_pool_files(revision: &str, paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, GitError> {
    let mut files = Vec::new();
    for path in paths {
        for file in list_kdl_files(revision, path)? {
            let text = show_blob(revision, &file)?;
            files.push((PathBuf::from(format!("{revision}:{}", file.display())), text));
        }
    }
    Ok(files)
}

/// Lists the `.kdl` files at `path` in `revision`, sorted.
fn list_kdl_files(revision: &str, path: &Path) -> Result<Vec<PathBuf>, GitError> {
    let relative = relative_path(path)?;
    let spec = format!("./{}", relative.display());
    let is_tree = relative.as_os_str().is_empty() || {
        let entry = run(&["ls-tree", "-z", revision, "--", &spec])?;
        if entry.is_empty() {
            return Ok(Vec::new());
        }
        entry
            .split('\0')
            .any(|line| line.split_whitespace().nth(1) == Some("tree"))
    };
    if !is_tree {
        return Ok(vec![relative]);
    }
    let folder_spec = format!("{}/", spec.trim_end_matches('/'));
    let listing = run(&["ls-tree", "-z", "--name-only", revision, "--", &folder_spec])?;
    let mut files: Vec<PathBuf> = listing
        .split('\0')
        .filter(|name| name.ends_with(".kdl"))
        .map(PathBuf::from)
        .collect();
    files.sort();
    Ok(files)
}

fn show_blob(revision: &str, file: &Path) -> Result<String, GitError> {
    let object = format!("{revision}:./{}", file.display());
    let output = command(&["cat-file", "blob", &object])?;
    String::from_utf8(output).map_err(|_| GitError::NotText(file.to_path_buf()))
}

/// Removes `.` steps and trailing slashes, and rejects absolute paths.
fn relative_path(path: &Path) -> Result<PathBuf, GitError> {
    if path.is_absolute() {
        return Err(GitError::AbsolutePath(path.to_path_buf()));
    }
    let cleaned: PathBuf = path
        .components()
        .filter(|component| !matches!(component, Component::CurDir))
        .collect();
    Ok(cleaned)
}

fn run(args: &[&str]) -> Result<String, GitError> {
    let output = command(args)?;
    Ok(String::from_utf8_lossy(&output).into_owned())
}

fn command(args: &[&str]) -> Result<Vec<u8>, GitError> {
    log::debug!("running git {}", args.join(" "));
    let output = Command::new("git").args(args).output().map_err(GitError::Spawn)?;
    if !output.status.success() {
        return Err(GitError::Failed {
            command: args.join(" "),
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output.stdout)
}
