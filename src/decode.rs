//! Decoding KDL nodes into JSON values and edits ("JSON in KDL").
//!
//! A node's name is an object key. One argument is a scalar, several are an array; properties or
//! a children block make an object, and children all named `-` make an array. `(array)` and
//! `(object)` settle empty and one-item cases, and an argument annotated `(json)` is JSON text.

use kdl::{KdlEntry, KdlNode, KdlValue};

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::edit::{Edit, KeyKind, MemberEdit, Patch, Verb};
use crate::source::{FileId, Span};
use crate::value::{Kind, Member, Object, Value};

/// Annotations that set the shape of a node's value.
const SHAPE_ANNOTATIONS: [&str; 2] = ["array", "object"];
/// Annotations that choose what a child profile does with a key.
const VERB_ANNOTATIONS: [&str; 3] = ["add", "replace", "remove"];

/// Decodes the nodes of one file, collecting problems as it goes.
pub struct Decoder<'a> {
    pub file: FileId,
    pub text: &'a str,
    /// Whether the file extends a parent, so that its nodes are edits rather than definitions.
    pub is_child: bool,
    pub diagnostics: &'a mut Diagnostics,
}

impl Decoder<'_> {
    pub fn span(&self, span: miette::SourceSpan) -> Span {
        Span::from_miette(self.file, span)
    }

    pub fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Returns the span of an entry's value alone, without `key=` or a type annotation.
    pub fn value_span(&self, entry: &KdlEntry) -> Span {
        let span = self.span(entry.span());
        let repr_len = entry.format().map_or(span.len, |f| f.value_repr.len());
        let repr_len = repr_len.min(span.len);
        span.slice(span.len - repr_len, repr_len)
    }

    pub fn node_name_span(&self, node: &KdlNode) -> Span {
        self.span(node.name().span())
    }

    /// Returns a node's properties, each name once. KDL allows `a x=1 x=2`, and readers differ
    /// on which one wins, so a repeated property is reported and left out.
    pub fn properties<'n>(&mut self, node: &'n KdlNode) -> Vec<&'n KdlEntry> {
        let mut unique: Vec<&KdlEntry> = Vec::new();
        for entry in node.entries() {
            let Some(name) = entry.name() else { continue };
            let first = unique
                .iter()
                .find_map(|seen| seen.name().filter(|n| n.value() == name.value()));
            let Some(first) = first else {
                unique.push(entry);
                continue;
            };
            let diagnostic = Diagnostic::new(
                Code::DuplicateProperty,
                format!(
                    "property `{}` is written twice on `{}`",
                    name.value(),
                    node.name().value()
                ),
            )
            .at(self.span(name.span()), "written again here")
            .with_secondary(self.span(first.span()), "first written here")
            .with_help("KDL keeps both and readers differ on which one wins: keep one of them");
            self.error(diagnostic);
        }
        unique
    }

    /// Splits a node's annotation into a verb (child profiles) and a shape (`array` or `object`).
    pub fn annotations(&mut self, node: &KdlNode) -> (Verb, Option<&'static str>) {
        let Some(annotation) = node.ty() else {
            return (Verb::Change, None);
        };
        let name = annotation.value();
        let span = self.span(annotation.span());
        if let Some(shape) = SHAPE_ANNOTATIONS.iter().find(|shape| **shape == name) {
            return (Verb::Change, Some(*shape));
        }
        if let Some(verb) = Verb::from_annotation(name) {
            if !self.is_child {
                self.error(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`({name})` needs a parent profile to change"),
                    )
                    .at(span, "this profile has no `extends`")
                    .with_help(format!(
                        "`({name})` changes what a parent defines; in a profile without `extends`, write the node without it"
                    )),
                );
                return (Verb::Change, None);
            }
            return (verb, None);
        }
        let known = SHAPE_ANNOTATIONS.iter().chain(VERB_ANNOTATIONS.iter()).copied();
        let diagnostic = Diagnostic::new(Code::InvalidValue, format!("unknown annotation `({name})`"))
            .at(span, "not an annotation poolc knows")
            .with_help("annotations are `(add)`, `(replace)` and `(remove)` in child profiles, and `(array)` or `(object)` on values")
            .with_suggestion(name, known);
        self.error(diagnostic);
        (Verb::Change, None)
    }

    /// Returns whether a node carries `(add)`, `(replace)` or `(remove)` outside a child
    /// profile, which [`Decoder::annotations`] has reported.
    fn has_misplaced_verb(&self, node: &KdlNode) -> bool {
        !self.is_child
            && node
                .ty()
                .is_some_and(|t| Verb::from_annotation(t.value()).is_some())
    }

    /// Converts one KDL scalar to JSON, rejecting what JSON cannot hold.
    pub fn scalar(&mut self, entry: &KdlEntry) -> Option<Value> {
        let span = self.value_span(entry);
        if entry.ty().is_some_and(|annotation| annotation.value() == "json") {
            return self.json_text(entry, span);
        }
        let kind = match entry.value() {
            KdlValue::String(text) => {
                self.check_cut_url(entry, span, text);
                Kind::String(text.clone())
            }
            KdlValue::Integer(integer) => match i64::try_from(*integer) {
                Ok(integer) => Kind::Integer(integer),
                Err(_) => {
                    self.error(
                        Diagnostic::new(Code::NumberOutOfRange, format!("integer `{integer}` does not fit in 64 bits"))
                            .at(span, "outside -9223372036854775808..=9223372036854775807")
                            .with_help("Prefect reads integers as 64-bit; write a smaller number, or a string if this is an identifier"),
                    );
                    return None;
                }
            },
            KdlValue::Float(float) if !float.is_finite() => {
                let shown = entry
                    .format()
                    .map_or_else(|| float.to_string(), |f| f.value_repr.clone());
                self.error(
                    Diagnostic::new(Code::NumberOutOfRange, format!("`{shown}` has no JSON form"))
                        .at(span, "JSON has no infinity or NaN")
                        .with_help("write a finite number, or `#null` for no value"),
                );
                return None;
            }
            KdlValue::Float(float) => Kind::Float(*float),
            KdlValue::Bool(b) => Kind::Bool(*b),
            KdlValue::Null => Kind::Null,
        };
        Some(Value::new(kind, span))
    }

    /// Reports an unquoted value that a `//` comment cut short, such as `https://example.com`.
    fn check_cut_url(&mut self, entry: &KdlEntry, span: Span, text: &str) {
        let quoted = entry
            .format()
            .is_some_and(|f| f.value_repr.starts_with('"') || f.value_repr.starts_with('#'));
        let after = self.text.get(span.end()..).unwrap_or("");
        if !quoted && after.starts_with("//") {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("unquoted value `{text}` is cut short by `//`"),
                )
                .at(span.slice(0, span.len + 2), "the rest of the line is a comment")
                .with_help("quote the value: `//` starts a comment even inside an unquoted word"),
            );
        }
    }

    fn json_text(&mut self, entry: &KdlEntry, span: Span) -> Option<Value> {
        let Some(text) = entry.value().as_string() else {
            self.error(
                Diagnostic::new(Code::InvalidValue, "`(json)` needs a string of JSON text")
                    .at(span, "not a string"),
            );
            return None;
        };
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => Some(Value::from_json(&json, span)),
            Err(error) => {
                self.error(
                    Diagnostic::new(Code::InvalidValue, format!("invalid JSON text: {error}"))
                        .at(span, "this is not JSON")
                        .with_help("write JSON text, for example `(json)\"[]\"` for an empty list"),
                );
                None
            }
        }
    }

    /// Decodes a node's value as plain JSON: no verbs inside.
    pub fn json_value(&mut self, node: &KdlNode, shape: Option<&str>) -> Option<Value> {
        let span = self.span(node.span());
        let arguments: Vec<&KdlEntry> = node.entries().iter().filter(|e| e.name().is_none()).collect();
        let properties = self.properties(node);
        let children = node.children().map(|c| c.nodes()).unwrap_or(&[]);
        let has_children_block = node.children().is_some();
        let items_only = !children.is_empty() && children.iter().all(|c| c.name().value() == "-");

        if !arguments.is_empty() && (!properties.is_empty() || has_children_block) {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "`{}` mixes arguments with properties or children",
                        node.name().value()
                    ),
                )
                .at(span, "a value is either arguments, or properties and children")
                .with_help(
                    "write a list as arguments or `-` children, and an object as properties or children",
                ),
            );
            return None;
        }

        if shape == Some("array")
            || (shape.is_none() && items_only)
            || (shape.is_none() && arguments.len() > 1)
        {
            return self.json_array(node, &arguments, &properties, children, span);
        }
        if shape == Some("object") && !arguments.is_empty() {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`(object){}` takes no arguments", node.name().value()),
                )
                .at(
                    self.value_span(arguments[0]),
                    "an argument is not an object member",
                )
                .with_help(
                    "write members as properties or children, or drop `(object)` for a scalar or list",
                ),
            );
            return None;
        }
        if shape == Some("object") || has_children_block || !properties.is_empty() {
            return self.json_object(&properties, children, span);
        }
        match arguments.first() {
            Some(entry) => self.scalar(entry),
            None => {
                self.error(
                    Diagnostic::new(Code::InvalidValue, format!("`{}` has no value", node.name().value()))
                        .at(span, "no argument, property or children")
                        .with_help("give a value, such as `#null`, or write `(array)` or `(object)` before the name for an empty list or object"),
                );
                None
            }
        }
    }

    fn json_array(
        &mut self,
        node: &KdlNode,
        arguments: &[&KdlEntry],
        properties: &[&KdlEntry],
        children: &[KdlNode],
        span: Span,
    ) -> Option<Value> {
        if let Some(property) = properties.first() {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("list `{}` cannot have properties", node.name().value()),
                )
                .at(self.span(property.span()), "a property makes an object")
                .with_help("write object items as `- key=value` children"),
            );
            return None;
        }
        let mut items = Vec::new();
        let mut complete = true;
        for entry in arguments {
            match self.scalar(entry) {
                Some(value) => items.push(value),
                None => complete = false,
            }
        }
        for child in children {
            if child.name().value() != "-" {
                self.error(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("list item `{}` must be named `-`", child.name().value()),
                    )
                    .at(self.node_name_span(child), "a list's children are `-` items")
                    .with_help("write each list item as a `-` node, or drop `(array)` to make an object"),
                );
                complete = false;
                continue;
            }
            let (_, shape) = self.annotations(child);
            if self.has_misplaced_verb(child) {
                complete = false;
                continue;
            }
            match self.json_value(child, shape) {
                Some(value) => items.push(value),
                None => complete = false,
            }
        }
        complete.then(|| Value::new(Kind::Array(items), span))
    }

    fn json_object(&mut self, properties: &[&KdlEntry], children: &[KdlNode], span: Span) -> Option<Value> {
        let items: Vec<&KdlNode> = children.iter().filter(|c| c.name().value() == "-").collect();
        if items.len() > 1 && items.len() < children.len() {
            let diagnostic = Diagnostic::new(Code::InvalidValue, "list items `-` and object keys are mixed in one block")
                .at(self.node_name_span(items[1]), "a second list item among keys")
                .with_help("write a list with only `-` children, or an object with only named keys; a key literally named `-` appears once");
            self.error(diagnostic);
            return None;
        }
        let mut object = Object::new();
        let mut complete = true;
        for entry in properties {
            let Some(name) = entry.name() else { continue };
            let key_span = self.span(name.span());
            let Some(value) = self.scalar(entry) else {
                complete = false;
                continue;
            };
            self.insert_member(&mut object, name.value(), key_span, value);
        }
        for child in children {
            let key_span = self.node_name_span(child);
            let (_, shape) = self.annotations(child);
            if self.has_misplaced_verb(child) {
                complete = false;
                continue;
            }
            let Some(value) = self.json_value(child, shape) else {
                complete = false;
                continue;
            };
            self.insert_member(&mut object, child.name().value(), key_span, value);
        }
        complete.then(|| Value::new(Kind::Object(object), span))
    }

    fn insert_member(&mut self, object: &mut Object, key: &str, key_span: Span, value: Value) {
        if let Some(first) = object.get(key) {
            let first_span = first.key_span;
            self.error(
                Diagnostic::new(Code::DuplicateKey, format!("key `{key}` is written twice"))
                    .at(key_span, "written again here")
                    .with_secondary(first_span, "first written here")
                    .with_help("JSON objects hold each key once: remove one of them"),
            );
            return;
        }
        object.insert(key.to_owned(), Member { key_span, value });
    }

    /// Decodes a node of plain JSON data as an edit: in a child profile, an object written as a
    /// children block or properties changes the inherited object key by key.
    pub fn json_edit(&mut self, node: &KdlNode, shape: Option<&str>) -> Option<Edit> {
        let children = node.children().map(|c| c.nodes()).unwrap_or(&[]);
        let items_only = !children.is_empty() && children.iter().all(|c| c.name().value() == "-");
        let has_arguments = node.entries().iter().any(|e| e.name().is_none());
        let is_object_form = !has_arguments
            && !items_only
            && shape.is_none()
            && (node.children().is_some() || node.entries().iter().any(|e| e.name().is_some()));
        if !self.is_child || !is_object_form {
            return self.json_value(node, shape).map(Edit::Set);
        }

        let span = self.span(node.span());
        let mut members = Vec::new();
        let mut complete = true;
        for entry in self.properties(node) {
            let Some(name) = entry.name() else { continue };
            let Some(value) = self.scalar(entry) else {
                complete = false;
                continue;
            };
            members.push(MemberEdit {
                key: name.value().to_owned(),
                key_span: self.span(name.span()),
                span: self.span(entry.span()),
                kind: KeyKind::Key,
                verb: Verb::Change,
                edit: Edit::Set(value),
            });
        }
        for child in children {
            match self.json_member_edit(child) {
                Some(member) => members.push(member),
                None => complete = false,
            }
        }
        complete.then_some(Edit::Patch(Patch { span, members }))
    }

    fn json_member_edit(&mut self, node: &KdlNode) -> Option<MemberEdit> {
        let (verb, shape) = self.annotations(node);
        let edit = match verb {
            Verb::Remove => self.removal(node)?,
            Verb::Change => self.json_edit(node, shape)?,
            Verb::Add | Verb::Replace => Edit::Set(self.json_value(node, shape)?),
        };
        Some(MemberEdit {
            key: node.name().value().to_owned(),
            key_span: self.node_name_span(node),
            span: self.span(node.span()),
            kind: KeyKind::Key,
            verb,
            edit,
        })
    }

    /// Checks that a `(remove)` node carries nothing else.
    pub fn removal(&mut self, node: &KdlNode) -> Option<Edit> {
        if node.entries().is_empty() && node.children().is_none() {
            return Some(Edit::Remove);
        }
        self.error(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`(remove){}` takes no value", node.name().value()),
            )
            .at(
                self.span(node.span()),
                "a removal has no arguments, properties or children",
            )
            .with_help("write `(remove)NAME` alone, or `(replace)NAME VALUE` to give it a new value"),
        );
        None
    }
}
