//! Writing template files: all or none, atomically each, and only when their bytes change.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::emit::Template;

/// The result of writing one template file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    Written,
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write `{path}`: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Prefix of the temporary files a write leaves only if the process is killed mid-write.
const TEMPORARY_PREFIX: &str = ".poolc-";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// Writes every template into `folder` in two phases: each changed template goes to a temporary
/// file first, and only when all of them were written are they renamed into place. A failure in
/// the first phase leaves every template as it was. Files whose bytes already match are untouched.
pub fn write_templates(folder: &Path, templates: &[Template]) -> Result<Vec<WriteOutcome>, WriteError> {
    std::fs::create_dir_all(folder).map_err(|source| WriteError {
        path: folder.to_path_buf(),
        source,
    })?;
    remove_stale_temporaries(folder);

    let mut outcomes = Vec::with_capacity(templates.len());
    let mut staged = Vec::new();
    for template in templates {
        let path = folder.join(&template.file_name);
        if std::fs::read(&path).is_ok_and(|existing| existing == template.text.as_bytes()) {
            outcomes.push(WriteOutcome::Unchanged);
            continue;
        }
        staged.push((stage(folder, &path, template)?, path));
        outcomes.push(WriteOutcome::Written);
    }
    for (file, path) in staged {
        file.persist(&path).map_err(|e| WriteError {
            path,
            source: e.error,
        })?;
    }
    Ok(outcomes)
}

/// Writes a template to a temporary file beside its destination, with (on Unix) the
/// destination's permissions when it exists and `rw-r--r--` otherwise.
fn stage(folder: &Path, path: &Path, template: &Template) -> Result<tempfile::NamedTempFile, WriteError> {
    let error = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(error(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "a folder has the template's name",
        )));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMPORARY_PREFIX).suffix(TEMPORARY_SUFFIX);
    #[cfg(unix)]
    builder.permissions(permissions_for(path));
    let mut file = builder.tempfile_in(folder).map_err(error)?;
    file.write_all(template.text.as_bytes()).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    Ok(file)
}

#[cfg(unix)]
fn permissions_for(path: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map_or_else(|_| std::fs::Permissions::from_mode(0o644), |m| m.permissions())
}

/// Deletes temporary files that an earlier run left behind when it was killed mid-write.
fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_temporary = name.starts_with(TEMPORARY_PREFIX) && name.ends_with(TEMPORARY_SUFFIX);
        if is_temporary && entry.file_type().is_ok_and(|t| t.is_file()) {
            log::info!(
                "removing `{}`, left by an interrupted run",
                entry.path().display()
            );
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
