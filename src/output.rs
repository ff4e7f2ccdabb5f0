//! Writing template files: atomically, and only when their bytes change.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::emit::Template;

/// What happened to one template file.
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

/// Writes a template into `folder` through a temporary file and a rename, so that a reader
/// never sees half a file. A file whose bytes already match is left untouched.
pub fn write_template(folder: &Path, template: &Template) -> Result<WriteOutcome, WriteError> {
    let path = folder.join(&template.file_name);
    let error = |source| WriteError {
        path: path.clone(),
        source,
    };
    if std::fs::read(&path).is_ok_and(|existing| existing == template.text.as_bytes()) {
        return Ok(WriteOutcome::Unchanged);
    }
    std::fs::create_dir_all(folder).map_err(error)?;
    let mut file = tempfile::Builder::new()
        .prefix(".poolc-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(error)?;
    file.write_all(template.text.as_bytes()).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    file.persist(&path).map_err(|e| error(e.error))?;
    Ok(WriteOutcome::Written)
}
