//! Decoding one pool file into a [`Profile`]: its top-level nodes, each checked.

use kdl::{KdlDocument, KdlNode};

use crate::code::Code;
use crate::decode::Decoder;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::edit::Edit;
use crate::schema::SchemaPlace;
use crate::source::{FileId, SourceFile, Span};

/// The top-level nodes a pool file may contain.
pub const TOP_LEVEL_NODES: &[&str] = &[
    "extends",
    "worker",
    "abstract",
    "environment",
    "output",
    "let",
    "variables",
    "job_configuration",
];

/// A string written in a pool file, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    pub text: String,
    pub span: Span,
}

/// A value that `$NAME` expands to, declared with `let NAME "value"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Let {
    pub name: Spanned,
    pub value: Spanned,
}

/// The two sections of a base job template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Variables,
    JobConfiguration,
}

impl Section {
    pub fn key(self) -> &'static str {
        match self {
            Section::Variables => "variables",
            Section::JobConfiguration => "job_configuration",
        }
    }
}

/// One pool file, decoded.
#[derive(Debug, Clone)]
pub struct Profile {
    pub file: FileId,
    /// The file name without `.kdl`: what `extends` refers to.
    pub name: String,
    pub extends: Option<Spanned>,
    pub worker: Option<Spanned>,
    /// Set by `abstract`: the profile is only a parent and no template is written for it.
    pub is_abstract: Option<Span>,
    pub environment: Option<Spanned>,
    pub output: Option<Spanned>,
    pub lets: Vec<Let>,
    pub variables: Option<(Edit, Span)>,
    pub job_configuration: Option<(Edit, Span)>,
    /// The sections in the order the file writes them, which is the order of the output.
    pub section_order: Vec<Section>,
}

impl Profile {
    /// Returns the name of the environment this profile emits, unless it is abstract.
    pub fn environment_name(&self) -> &str {
        self.environment.as_ref().map_or(&self.name, |e| &e.text)
    }

    pub fn section(&self, section: Section) -> Option<&(Edit, Span)> {
        match section {
            Section::Variables => self.variables.as_ref(),
            Section::JobConfiguration => self.job_configuration.as_ref(),
        }
    }
}

/// Decodes a parsed file. Problems are reported and the offending nodes left out.
pub fn decode(
    file: FileId,
    name: &str,
    source: &SourceFile,
    document: &KdlDocument,
    diagnostics: &mut Diagnostics,
) -> Profile {
    let is_child = document.nodes().iter().any(|n| n.name().value() == "extends");
    let mut decoder = Decoder {
        file,
        text: &source.text,
        is_child,
        diagnostics,
    };
    let mut profile = Profile {
        file,
        name: name.to_owned(),
        extends: None,
        worker: None,
        is_abstract: None,
        environment: None,
        output: None,
        lets: Vec::new(),
        variables: None,
        job_configuration: None,
        section_order: Vec::new(),
    };
    let mut seen: Vec<(&str, Span)> = Vec::new();
    for node in document.nodes() {
        let node_name = node.name().value();
        let name_span = decoder.node_name_span(node);
        if node_name != "let" {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == node_name) {
                decoder.error(
                    Diagnostic::new(Code::DuplicateKey, format!("`{node_name}` is written twice"))
                        .at(name_span, "written again here")
                        .with_secondary(*first, "first written here")
                        .with_help("a pool file holds each top-level node once: merge them"),
                );
                continue;
            }
            seen.push((node_name, name_span));
        }
        decode_top_level(&mut decoder, &mut profile, node);
    }
    profile
}

fn decode_top_level(decoder: &mut Decoder<'_>, profile: &mut Profile, node: &KdlNode) {
    let span = decoder.span(node.span());
    match node.name().value() {
        "extends" => profile.extends = single_string(decoder, node),
        "worker" => profile.worker = single_string(decoder, node),
        "environment" => profile.environment = environment_name(decoder, node),
        "output" => profile.output = single_string(decoder, node),
        "abstract" => {
            if no_entries(decoder, node) {
                profile.is_abstract = Some(decoder.node_name_span(node));
            }
        }
        "let" => profile.lets.extend(decode_let(decoder, node)),
        "variables" => {
            reject_annotation(decoder, node);
            profile.section_order.push(Section::Variables);
            if let Some(edit) = decoder.schema(node, SchemaPlace::Variables) {
                profile.variables = Some((finish(decoder, edit, span), span));
            }
        }
        "job_configuration" => {
            reject_annotation(decoder, node);
            profile.section_order.push(Section::JobConfiguration);
            if let Some(edit) = job_configuration(decoder, node) {
                profile.job_configuration = Some((finish(decoder, edit, span), span));
            }
        }
        other => {
            let diagnostic = Diagnostic::new(Code::UnknownNode, format!("unknown node `{other}`"))
                .at(
                    decoder.node_name_span(node),
                    "not a top-level node of a pool file",
                )
                .with_help(format!("a pool file contains {}", list_names(TOP_LEVEL_NODES)))
                .with_suggestion(other, TOP_LEVEL_NODES.iter().copied());
            decoder.error(diagnostic);
        }
    }
}

/// In a root profile, edits are definitions: turn them into values now.
fn finish(decoder: &Decoder<'_>, edit: Edit, span: Span) -> Edit {
    if decoder.is_child {
        edit
    } else {
        Edit::Set(edit.into_value(span))
    }
}

fn job_configuration(decoder: &mut Decoder<'_>, node: &KdlNode) -> Option<Edit> {
    if let Some(entry) = node.entries().first() {
        decoder.error(
            Diagnostic::new(
                Code::InvalidValue,
                "`job_configuration` takes children, not values",
            )
            .at(decoder.span(entry.span()), "the job configuration is an object")
            .with_help("write each key as a child node: `job_configuration { cpu \"{{ cpu }}\" }`"),
        );
        return None;
    }
    let edit = decoder.json_edit(node, Some("object").filter(|_| !decoder.is_child))?;
    Some(edit)
}

fn reject_annotation(decoder: &mut Decoder<'_>, node: &KdlNode) {
    if let Some(annotation) = node.ty() {
        decoder.error(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{}` takes no annotation", node.name().value()),
            )
            .at(decoder.span(annotation.span()), "not allowed here")
            .with_help("remove the annotation; `(add)`, `(replace)` and `(remove)` go on the nodes inside"),
        );
    }
}

fn no_entries(decoder: &mut Decoder<'_>, node: &KdlNode) -> bool {
    if node.entries().is_empty() && node.children().is_none() {
        return true;
    }
    decoder.error(
        Diagnostic::new(
            Code::InvalidValue,
            format!("`{}` takes no value", node.name().value()),
        )
        .at(decoder.span(node.span()), "written with a value")
        .with_help(format!("write `{}` alone on its line", node.name().value())),
    );
    false
}

/// Reads `environment "NAME"`: the name goes into the output file name, so it must be a plain
/// word that cannot lead out of the output folder.
fn environment_name(decoder: &mut Decoder<'_>, node: &KdlNode) -> Option<Spanned> {
    let name = single_string(decoder, node)?;
    let valid = !name.text.is_empty()
        && !name.text.starts_with('.')
        && name
            .text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        return Some(name);
    }
    decoder.error(
        Diagnostic::new(Code::InvalidValue, format!("environment name `{}` is not a plain name", name.text))
            .at(name.span, "not allowed in an environment name")
            .with_help("use letters, digits, `-`, `_` and `.`, not starting with `.`; the name becomes part of the output file name"),
    );
    None
}

/// Reads a node that has exactly one string argument, such as `worker "docker"`.
fn single_string(decoder: &mut Decoder<'_>, node: &KdlNode) -> Option<Spanned> {
    let name = node.name().value();
    let span = decoder.span(node.span());
    match node.entries() {
        [entry] if entry.name().is_none() && node.children().is_none() => {
            let value_span = decoder.value_span(entry);
            match entry.value().as_string() {
                Some(text) => Some(Spanned {
                    text: text.to_owned(),
                    span: value_span,
                }),
                None => {
                    decoder.error(
                        Diagnostic::new(Code::InvalidValue, format!("`{name}` takes a string"))
                            .at(value_span, "not a string")
                            .with_help(format!("quote the value: `{name} \"...\"`")),
                    );
                    None
                }
            }
        }
        _ => {
            decoder.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{name}` takes exactly one string argument"),
                )
                .at(span, "expected one argument")
                .with_help(format!("write `{name} \"...\"`")),
            );
            None
        }
    }
}

/// Reads `let NAME "value"`.
fn decode_let(decoder: &mut Decoder<'_>, node: &KdlNode) -> Option<Let> {
    let span = decoder.span(node.span());
    let [name_entry, value_entry] = node.entries() else {
        decoder.error(
            Diagnostic::new(Code::InvalidValue, "`let` takes a name and a string value")
                .at(span, "expected two arguments")
                .with_help("write `let NAME \"value\"`; `$NAME` then expands to the value"),
        );
        return None;
    };
    let name_span = decoder.value_span(name_entry);
    let value_span = decoder.value_span(value_entry);
    let (Some(name), Some(value)) = (name_entry.value().as_string(), value_entry.value().as_string()) else {
        decoder.error(
            Diagnostic::new(Code::InvalidValue, "`let` takes a name and a string value")
                .at(span, "both must be strings")
                .with_help("write `let NAME \"value\"`; quote numbers"),
        );
        return None;
    };
    if name_entry.name().is_some() || value_entry.name().is_some() {
        decoder.error(
            Diagnostic::new(Code::InvalidValue, "`let` takes arguments, not properties")
                .at(span, "written as a property")
                .with_help("write `let NAME \"value\"`"),
        );
        return None;
    }
    let valid_name = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        decoder.error(
            Diagnostic::new(Code::InvalidValue, format!("`{name}` cannot be used as `$NAME`"))
                .at(name_span, "not a substitution name")
                .with_help("names are letters, digits and `_`, not starting with a digit"),
        );
        return None;
    }
    if name == "ENV" {
        decoder.error(
            Diagnostic::new(
                Code::InvalidValue,
                "`$ENV` is the environment's name and cannot be set",
            )
            .at(name_span, "reserved")
            .with_help("set the environment's name with `environment \"NAME\"`, or pick another name"),
        );
        return None;
    }
    Some(Let {
        name: Spanned {
            text: name.to_owned(),
            span: name_span,
        },
        value: Spanned {
            text: value.to_owned(),
            span: value_span,
        },
    })
}

fn list_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}
