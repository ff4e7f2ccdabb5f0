//! Reading pool files as they were at a git revision, through the `git` command.
//!
//! Only `git rev-parse`, `git ls-tree` and `git cat-file` run, so the work tree and the index stay
//! untouched. Paths are relative to the current directory, which may be any folder of the
//! repository: they are turned into paths from the repository root before `git` sees them.

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
    #[error("`{0}` is outside the git repository")]
    OutsideRepository(PathBuf),
    #[error("revision `{0}` is not valid: a revision cannot start with `-`")]
    OptionLikeRevision(String),
    #[error(
        "revision `{0}` not found; name a commit, branch or tag of this repository, and fetch it first in a shallow clone"
    )]
    RevisionNotFound(String),
    #[error("the current folder is not inside a git repository, so `--base` cannot read old pool files")]
    NotARepository,
}

/// Returns the `.kdl` files named by `paths` at `revision`, each named `REVISION:PATH` with the
/// path from the repository root, so that diagnostics show which side they come from. Folders give
/// their direct `.kdl` children, like [`crate::workspace::discover`]. A path that did not exist at
/// the revision gives nothing.
pub fn read_pool_files(revision: &str, paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, GitError> {
    check_revision(revision)?;
    let prefix = current_prefix()?;
    let mut files = Vec::new();
    for path in paths {
        let full_path = repository_path(&prefix, path)?;
        for file in list_kdl_files(revision, &full_path)? {
            let text = show_blob(revision, &file)?;
            files.push((display_name(revision, &file), text));
        }
    }
    Ok(files)
}

/// Rejects a revision that `git` would read as an option, then checks that it names a tree.
fn check_revision(revision: &str) -> Result<(), GitError> {
    if revision.starts_with('-') {
        return Err(GitError::OptionLikeRevision(revision.to_owned()));
    }
    let tree = format!("{revision}^{{tree}}");
    let args = ["rev-parse", "--verify", "--quiet", tree.as_str()];
    log::debug!("running git {}", args.join(" "));
    let output = Command::new("git").args(args).output().map_err(GitError::Spawn)?;
    if output.status.success() {
        return Ok(());
    }
    let message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    if message.contains("not a git repository") {
        return Err(GitError::NotARepository);
    }
    // `--quiet` leaves stderr empty when the revision does not exist.
    if message.is_empty() {
        return Err(GitError::RevisionNotFound(revision.to_owned()));
    }
    Err(GitError::Failed {
        command: args.join(" "),
        message,
    })
}

/// Returns the current folder's path from the repository root, such as `pools/`, or `` at the root.
fn current_prefix() -> Result<PathBuf, GitError> {
    let prefix = run(&["rev-parse", "--show-prefix"])?;
    Ok(PathBuf::from(prefix.trim_end_matches('\n')))
}

/// Joins `prefix` and a path relative to the current folder into a path from the repository root,
/// removing `.` and resolving `..` steps.
fn repository_path(prefix: &Path, path: &Path) -> Result<PathBuf, GitError> {
    if path.is_absolute() {
        return Err(GitError::AbsolutePath(path.to_path_buf()));
    }
    let mut steps: Vec<&std::ffi::OsStr> = Vec::new();
    for component in prefix.components().chain(path.components()) {
        match component {
            Component::Normal(name) => steps.push(name),
            Component::CurDir => {}
            Component::ParentDir => {
                if steps.pop().is_none() {
                    return Err(GitError::OutsideRepository(path.to_path_buf()));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(GitError::AbsolutePath(path.to_path_buf()));
            }
        }
    }
    Ok(steps.iter().collect())
}

/// Names a file `REVISION:PATH`. A file at the repository root is named `REVISION:./NAME`, so that
/// the profile name, the file stem of the last path component, is `NAME` without the revision.
fn display_name(revision: &str, file: &Path) -> PathBuf {
    let separator = if file.parent().is_some_and(|p| !p.as_os_str().is_empty()) {
        ""
    } else {
        "./"
    };
    PathBuf::from(format!("{revision}:{separator}{}", file.display()))
}

/// Lists the `.kdl` files at `path`, a path from the repository root, in `revision`, sorted.
fn list_kdl_files(revision: &str, path: &Path) -> Result<Vec<PathBuf>, GitError> {
    let spec = path.to_string_lossy().into_owned();
    let is_tree = spec.is_empty() || {
        let entry = run(&["ls-tree", "-z", "--full-tree", revision, "--", &spec])?;
        if entry.is_empty() {
            return Ok(Vec::new());
        }
        entry
            .split('\0')
            .any(|line| line.split_whitespace().nth(1) == Some("tree"))
    };
    if !is_tree {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut args = vec!["ls-tree", "-z", "--full-tree", "--name-only", revision];
    let folder_spec = format!("{spec}/");
    if !spec.is_empty() {
        args.extend(["--", folder_spec.as_str()]);
    }
    let listing = run(&args)?;
    let mut files: Vec<PathBuf> = listing
        .split('\0')
        .filter(|name| name.ends_with(".kdl"))
        .map(PathBuf::from)
        .collect();
    files.sort();
    Ok(files)
}

fn show_blob(revision: &str, file: &Path) -> Result<String, GitError> {
    let object = format!("{revision}:{}", file.display());
    let output = command(&["cat-file", "blob", &object])?;
    String::from_utf8(output).map_err(|_| GitError::NotText(file.to_path_buf()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_path_joins_prefix() {
        let full = repository_path(Path::new("pools/"), Path::new(".")).expect("inside");
        assert_eq!(full, PathBuf::from("pools"));
    }

    #[test]
    fn repository_path_resolves_parent_steps() {
        let full = repository_path(Path::new("infra/worker/"), Path::new("../../pools/")).expect("inside");
        assert_eq!(full, PathBuf::from("pools"));
    }

    #[test]
    fn repository_path_rejects_escape() {
        let result = repository_path(Path::new("pools/"), Path::new("../.."));
        assert!(
            matches!(result, Err(GitError::OutsideRepository(_))),
            "{result:?}"
        );
    }

    #[test]
    fn root_file_name_keeps_profile_stem() {
        let name = display_name("HEAD", Path::new("base.kdl"));
        assert_eq!(name, PathBuf::from("HEAD:./base.kdl"));
        assert_eq!(crate::workspace::profile_name(&name), "base");
    }

    #[test]
    fn nested_file_name_is_full_path() {
        let name = display_name("origin/main", Path::new("pools/prod.kdl"));
        assert_eq!(name, PathBuf::from("origin/main:pools/prod.kdl"));
        assert_eq!(crate::workspace::profile_name(&name), "prod");
    }

    #[test]
    fn option_like_revision_is_rejected() {
        let result = check_revision("--full-tree");
        assert!(
            matches!(result, Err(GitError::OptionLikeRevision(_))),
            "{result:?}"
        );
    }
}
