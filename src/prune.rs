//! Finding templates that poolc generated for environments that no longer exist.
//!
//! A file counts as generated only when two things are true. Its name has the default form
//! `<file_prefix>_<environment>.json` of a worker type, or is an `output` name a profile declares.
//! Its content is a JSON object with exactly the keys `variables` and `job_configuration`.
//! Nothing else in the folder is ever reported or removed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::emit::Template;
use crate::worker_fields::WORKER_TYPES;

#[derive(Debug, thiserror::Error)]
#[error("cannot remove `{path}`: {source}")]
pub struct PruneError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Returns the generated templates in `folder` that no template of this run writes, sorted.
/// A folder that does not exist has none.
pub fn leftovers(folder: &Path, templates: &[Template], declared_outputs: &[String]) -> Vec<PathBuf> {
    let expected: BTreeSet<&str> = templates.iter().map(|t| t.file_name.as_str()).collect();
    let prefixes = file_prefixes(templates);
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !expected.contains(name.as_str()))
        .filter(|name| has_generated_name(name, &prefixes, declared_outputs))
        .map(|name| folder.join(name))
        .filter(|path| has_template_content(path))
        .collect();
    found.sort();
    found
}

/// Removes each file, stopping at the first failure.
pub fn remove(paths: &[PathBuf]) -> Result<(), PruneError> {
    for path in paths {
        log::debug!("removing leftover template {}", path.display());
        std::fs::remove_file(path).map_err(|source| PruneError {
            path: path.clone(),
            source,
        })?;
    }
    Ok(())
}

/// File-name stems of every known worker type and of the worker types this run uses.
fn file_prefixes(templates: &[Template]) -> BTreeSet<String> {
    let mut prefixes: BTreeSet<String> = WORKER_TYPES
        .iter()
        .map(|worker| worker.file_prefix.to_owned())
        .collect();
    prefixes.extend(
        templates
            .iter()
            .map(|t| format!("{}_job_template", t.worker.replace('-', "_"))),
    );
    prefixes
}

fn has_generated_name(name: &str, prefixes: &BTreeSet<String>, declared_outputs: &[String]) -> bool {
    if declared_outputs.iter().any(|output| output == name) {
        return true;
    }
    prefixes.iter().any(|prefix| {
        name.strip_prefix(prefix.as_str())
            .and_then(|rest| rest.strip_prefix('_'))
            .and_then(|rest| rest.strip_suffix(".json"))
            .is_some_and(|environment| !environment.is_empty())
    })
}

/// Returns whether a file contains a JSON object with exactly `variables` and `job_configuration`.
pub fn has_template_content(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(object)) => {
            object.len() == 2 && object.contains_key("variables") && object.contains_key("job_configuration")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "{\"variables\": {}, \"job_configuration\": {}}\n";

    fn template(file_name: &str) -> Template {
        Template {
            environment: "dev".to_owned(),
            file_name: file_name.to_owned(),
            worker: "azure-container-instance".to_owned(),
            text: TEMPLATE.to_owned(),
        }
    }

    #[test]
    fn leftovers_need_name_and_content() -> std::io::Result<()> {
        let folder = tempfile::tempdir()?;
        let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text);
        write("aci_job_template_dev.json", TEMPLATE)?;
        write("aci_job_template_old.json", TEMPLATE)?;
        write("docker_job_template_x.json", TEMPLATE)?;
        write("aci_job_template_notes.json", "{\"variables\": {}}")?;
        write("aci_job_template_.json", TEMPLATE)?;
        write("settings.json", TEMPLATE)?;
        write("aci_job_template_broken.json", "not json")?;

        let found = leftovers(folder.path(), &[template("aci_job_template_dev.json")], &[]);

        let names: Vec<String> = found
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect();
        assert_eq!(names, ["aci_job_template_old.json", "docker_job_template_x.json"]);
        Ok(())
    }

    #[test]
    fn declared_output_counts_as_generated() -> std::io::Result<()> {
        let folder = tempfile::tempdir()?;
        std::fs::write(folder.path().join("custom.json"), TEMPLATE)?;

        let found = leftovers(folder.path(), &[], &["custom.json".to_owned()]);

        assert_eq!(found, [folder.path().join("custom.json")]);
        Ok(())
    }

    #[test]
    fn missing_folder_has_no_leftovers() {
        let found = leftovers(Path::new("/nonexistent/poolc/folder"), &[], &[]);
        assert!(found.is_empty());
    }
}
