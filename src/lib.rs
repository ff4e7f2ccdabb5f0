//! poolc compiles KDL pool files into Prefect work-pool base job templates.
//!
//! The pipeline, one module a stage: [`workspace`] finds and reads files, [`syntax`] parses KDL,
//! [`profile`] with [`decode`] and [`schema`] decodes each file into edits, [`resolve`] applies
//! inheritance, [`substitute`] expands `$NAME`, [`checks`] finds problems, [`emit`] writes JSON.

pub mod check;
pub mod checks;
pub mod code;
pub mod compile;
pub mod decode;
pub mod diagnostic;
pub mod diff;
pub mod edit;
pub mod emit;
pub mod explain;
pub mod git;
pub mod import;
pub mod output;
pub mod placeholder;
pub mod profile;
pub mod prune;
pub mod redact;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod source;
pub mod substitute;
pub mod suggest;
pub mod syntax;
pub mod value;
pub mod worker_fields;
pub mod workspace;
