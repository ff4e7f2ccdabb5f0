//! Decoding `variables`: JSON Schema written with a closed set of keywords, so that a misspelled
//! keyword is an error rather than a silently new key.

use kdl::{KdlEntry, KdlNode};

use crate::code::Code;
use crate::decode::Decoder;
use crate::diagnostic::Diagnostic;
use crate::edit::{Edit, KeyKind, MemberEdit, Patch, Verb};
use crate::value::{Kind, Value};

/// The written form of a keyword's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordShape {
    /// Any JSON value, written as in the job configuration.
    Json,
    /// Always a list, even with one or no arguments: `required a`, `enum S M L`.
    List,
    /// `type string` is a string, `type string null` a list.
    Type,
    /// A schema (or `#true` / `#false`).
    Schema,
    /// Named schemas: `properties`, `definitions`.
    SchemaMap,
    /// A list of schemas written as `-` children: `anyOf`, `allOf`.
    SchemaList,
}

/// Every keyword poolc accepts, with its shape. Prefect's block fields are among them.
pub const KEYWORDS: &[(&str, KeywordShape)] = &[
    ("type", KeywordShape::Type),
    ("title", KeywordShape::Json),
    ("description", KeywordShape::Json),
    ("default", KeywordShape::Json),
    ("enum", KeywordShape::List),
    ("const", KeywordShape::Json),
    ("examples", KeywordShape::List),
    ("format", KeywordShape::Json),
    ("readOnly", KeywordShape::Json),
    ("writeOnly", KeywordShape::Json),
    ("deprecated", KeywordShape::Json),
    ("$ref", KeywordShape::Json),
    ("$schema", KeywordShape::Json),
    ("$id", KeywordShape::Json),
    ("$comment", KeywordShape::Json),
    ("$anchor", KeywordShape::Json),
    ("items", KeywordShape::Schema),
    ("prefixItems", KeywordShape::SchemaList),
    ("additionalItems", KeywordShape::Schema),
    ("contains", KeywordShape::Schema),
    ("additionalProperties", KeywordShape::Schema),
    ("unevaluatedProperties", KeywordShape::Schema),
    ("unevaluatedItems", KeywordShape::Schema),
    ("propertyNames", KeywordShape::Schema),
    ("not", KeywordShape::Schema),
    ("if", KeywordShape::Schema),
    ("then", KeywordShape::Schema),
    ("else", KeywordShape::Schema),
    ("properties", KeywordShape::SchemaMap),
    ("patternProperties", KeywordShape::SchemaMap),
    ("dependentSchemas", KeywordShape::SchemaMap),
    ("definitions", KeywordShape::SchemaMap),
    ("$defs", KeywordShape::SchemaMap),
    ("required", KeywordShape::List),
    ("dependentRequired", KeywordShape::Json),
    ("anyOf", KeywordShape::SchemaList),
    ("allOf", KeywordShape::SchemaList),
    ("oneOf", KeywordShape::SchemaList),
    ("minimum", KeywordShape::Json),
    ("maximum", KeywordShape::Json),
    ("exclusiveMinimum", KeywordShape::Json),
    ("exclusiveMaximum", KeywordShape::Json),
    ("multipleOf", KeywordShape::Json),
    ("minLength", KeywordShape::Json),
    ("maxLength", KeywordShape::Json),
    ("pattern", KeywordShape::Json),
    ("minItems", KeywordShape::Json),
    ("maxItems", KeywordShape::Json),
    ("uniqueItems", KeywordShape::Json),
    ("minProperties", KeywordShape::Json),
    ("maxProperties", KeywordShape::Json),
    ("contentEncoding", KeywordShape::Json),
    ("contentMediaType", KeywordShape::Json),
    ("position", KeywordShape::Json),
    ("secret_fields", KeywordShape::List),
    ("block_type_slug", KeywordShape::Json),
    ("block_schema_references", KeywordShape::Json),
];

/// The node that passes a keyword poolc does not list through unchanged: `keyword NAME VALUE`.
pub const PASSTHROUGH_NODE: &str = "keyword";

pub fn keyword_shape(name: &str) -> Option<KeywordShape> {
    KEYWORDS
        .iter()
        .find(|(keyword, _)| *keyword == name)
        .map(|(_, shape)| *shape)
}

/// Where a schema sits, which decides what its `properties` members are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaPlace {
    /// The `variables` node: its properties are job variables.
    Variables,
    Nested,
}

impl Decoder<'_> {
    /// Decodes a schema node: its properties and children are keywords.
    pub fn schema(&mut self, node: &KdlNode, place: SchemaPlace) -> Option<Edit> {
        let span = self.span(node.span());
        if let Some(boolean) = self.boolean_schema(node) {
            return boolean;
        }
        let mut members = Vec::new();
        let mut complete = true;
        if let Some(argument) = node.entries().iter().find(|e| e.name().is_none()) {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{}` takes keywords, not arguments", node.name().value()),
                )
                .at(
                    self.value_span(argument),
                    "a schema is keywords, `#true` or `#false`",
                )
                .with_help("write each keyword as `name=value` or as a child node, such as `default=4`"),
            );
            complete = false;
        }
        for entry in self.properties(node) {
            match self.keyword_property(node, entry) {
                Some(member) => members.push(member),
                None => complete = false,
            }
        }
        for child in node.children().map(|c| c.nodes()).unwrap_or(&[]) {
            match self.keyword_node(child, place) {
                Some(member) => members.push(member),
                None => complete = false,
            }
        }
        self.check_duplicate_keywords(&members);
        complete.then_some(Edit::Patch(Patch { span, members }))
    }

    /// Decodes `additionalProperties #false` and the like; `None` when the node is not one.
    fn boolean_schema(&mut self, node: &KdlNode) -> Option<Option<Edit>> {
        let [entry] = node.entries() else { return None };
        if entry.name().is_some() || node.children().is_some() {
            return None;
        }
        if entry.value().as_bool().is_some() {
            return Some(self.scalar(entry).map(Edit::Set));
        }
        let span = self.value_span(entry);
        self.error(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{}` takes a schema, not a value", node.name().value()),
            )
            .at(span, "a schema is keywords, `#true` or `#false`")
            .with_help(format!(
                "write keywords, for example `{} type=string`",
                node.name().value()
            )),
        );
        Some(None)
    }

    fn check_duplicate_keywords(&mut self, members: &[MemberEdit]) {
        let mut first_by_key: std::collections::HashMap<&str, &MemberEdit> = std::collections::HashMap::new();
        for member in members {
            if let Some(first) = first_by_key.get(member.key.as_str()).copied() {
                let code = if member.kind == KeyKind::Keyword {
                    Code::DuplicateProperty
                } else {
                    Code::DuplicateKey
                };
                let diagnostic = Diagnostic::new(code, format!("`{}` is written twice", member.key))
                    .at(member.key_span, "written again here")
                    .with_secondary(first.key_span, "first written here")
                    .with_help("keep one of them");
                self.error(diagnostic);
            } else {
                first_by_key.insert(&member.key, member);
            }
        }
    }

    fn unknown_keyword(&mut self, name: &str, span: crate::source::Span, what: &str) -> Diagnostic {
        let code = if what == "property" {
            Code::UnknownProperty
        } else {
            Code::UnknownNode
        };
        Diagnostic::new(code, format!("unknown schema keyword `{name}`"))
            .at(span, format!("not a JSON Schema keyword poolc knows ({what})"))
            .with_help(format!(
                "to pass another keyword through as it is, write `{PASSTHROUGH_NODE} \"{name}\" VALUE`"
            ))
            .with_suggestion(name, KEYWORDS.iter().map(|(k, _)| *k))
    }

    /// Decodes `type=string` on a schema node.
    fn keyword_property(&mut self, node: &KdlNode, entry: &KdlEntry) -> Option<MemberEdit> {
        let name = entry.name()?;
        let key_span = self.span(name.span());
        let Some(shape) = keyword_shape(name.value()) else {
            let diagnostic = self.unknown_keyword(name.value(), key_span, "property");
            self.error(diagnostic);
            return None;
        };
        let value = self.scalar(entry)?;
        let value = match shape {
            KeywordShape::List => Value::new(Kind::Array(vec![value.clone()]), value.span),
            KeywordShape::Json | KeywordShape::Type => value,
            KeywordShape::Schema if matches!(value.kind, Kind::Bool(_)) => value,
            KeywordShape::Schema | KeywordShape::SchemaMap | KeywordShape::SchemaList => {
                self.error(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{}` takes a schema, not a value", name.value()),
                    )
                    .at(value.span, "written as a property")
                    .with_help(format!(
                        "write it as a child node: `{} {{ {} ... }}`",
                        node.name().value(),
                        name.value()
                    )),
                );
                return None;
            }
        };
        Some(MemberEdit {
            key: name.value().to_owned(),
            key_span,
            span: self.span(entry.span()),
            kind: KeyKind::Keyword,
            verb: Verb::Change,
            edit: Edit::Set(value),
        })
    }

    /// Decodes a keyword written as a child node of a schema.
    fn keyword_node(&mut self, node: &KdlNode, place: SchemaPlace) -> Option<MemberEdit> {
        let name = node.name().value();
        let key_span = self.node_name_span(node);
        if name == PASSTHROUGH_NODE {
            return self.passthrough(node);
        }
        let Some(shape) = keyword_shape(name) else {
            let diagnostic = self.unknown_keyword(name, key_span, "node");
            self.error(diagnostic);
            return None;
        };
        let (verb, annotation) = self.annotations(node);
        let edit = match (verb, shape) {
            (Verb::Remove, _) => self.removal(node)?,
            (_, KeywordShape::Json) if verb == Verb::Change => self.json_edit(node, annotation)?,
            (_, KeywordShape::Json) => Edit::Set(self.json_value(node, annotation)?),
            (_, KeywordShape::List) => Edit::Set(self.list_keyword(node)?),
            (_, KeywordShape::Type) => Edit::Set(self.type_keyword(node, annotation)?),
            (_, KeywordShape::Schema) => self.schema_edit(node, verb, SchemaPlace::Nested)?,
            (_, KeywordShape::SchemaMap) => self.schema_map(node, verb, place)?,
            (_, KeywordShape::SchemaList) => Edit::Set(self.schema_list(node)?),
        };
        Some(MemberEdit {
            key: name.to_owned(),
            key_span,
            span: self.span(node.span()),
            kind: KeyKind::Keyword,
            verb: if verb == Verb::Add { Verb::Change } else { verb },
            edit,
        })
    }

    /// Decodes a schema-valued node, as a whole value when it replaces one.
    fn schema_edit(&mut self, node: &KdlNode, verb: Verb, place: SchemaPlace) -> Option<Edit> {
        let edit = self.schema(node, place)?;
        if matches!(verb, Verb::Add | Verb::Replace) || !self.is_child {
            let span = self.span(node.span());
            return Some(Edit::Set(edit.into_value(span)));
        }
        Some(edit)
    }

    /// Decodes `enum S M L` or `required a b`: a list whatever the number of arguments.
    fn list_keyword(&mut self, node: &KdlNode) -> Option<Value> {
        let has_arguments = node.entries().iter().any(|e| e.name().is_none());
        if !has_arguments && node.children().is_none() && node.entries().is_empty() {
            let span = self.span(node.span());
            return Some(Value::new(Kind::Array(Vec::new()), span));
        }
        let value = self.json_value(node, Some("array"))?;
        Some(value)
    }

    fn type_keyword(&mut self, node: &KdlNode, annotation: Option<&str>) -> Option<Value> {
        self.json_value(node, annotation)
    }

    /// Decodes `properties { cpu type=number }`: members named by the user, each a schema.
    fn schema_map(&mut self, node: &KdlNode, verb: Verb, place: SchemaPlace) -> Option<Edit> {
        let span = self.span(node.span());
        let kind = match (node.name().value(), place) {
            ("properties", SchemaPlace::Variables) => KeyKind::Variable,
            ("definitions" | "$defs", _) => KeyKind::Definition,
            _ => KeyKind::Property,
        };
        if let Some(entry) = node.entries().first() {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{}` takes children, not values", node.name().value()),
                )
                .at(self.span(entry.span()), "not a named schema")
                .with_help(format!(
                    "write each member as a child node: `{} {{ NAME type=string }}`",
                    node.name().value()
                )),
            );
            return None;
        }
        let mut members = Vec::new();
        let mut complete = true;
        for child in node.children().map(|c| c.nodes()).unwrap_or(&[]) {
            let (member_verb, _) = self.annotations(child);
            let edit = match member_verb {
                Verb::Remove => self.removal(child),
                _ => self.schema_edit(child, member_verb, SchemaPlace::Nested),
            };
            let Some(edit) = edit else {
                complete = false;
                continue;
            };
            members.push(MemberEdit {
                key: child.name().value().to_owned(),
                key_span: self.node_name_span(child),
                span: self.span(child.span()),
                kind,
                verb: member_verb,
                edit,
            });
        }
        self.check_duplicate_keywords(&members);
        let patch = Patch { span, members };
        if matches!(verb, Verb::Add | Verb::Replace) || !self.is_child {
            return Some(Edit::Set(patch.into_value()));
        }
        complete.then_some(Edit::Patch(patch))
    }

    /// Decodes `anyOf { - { $ref "#/definitions/A" } }`: a list of schemas, replaced whole.
    fn schema_list(&mut self, node: &KdlNode) -> Option<Value> {
        let span = self.span(node.span());
        if let Some(entry) = node.entries().first() {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{}` takes `-` children, one schema each", node.name().value()),
                )
                .at(self.span(entry.span()), "not a schema")
                .with_help(format!(
                    "write `{} {{ - type=string; - type=null }}`",
                    node.name().value()
                )),
            );
            return None;
        }
        let mut items = Vec::new();
        let mut complete = true;
        for child in node.children().map(|c| c.nodes()).unwrap_or(&[]) {
            if child.name().value() != "-" {
                self.error(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("schema list item `{}` must be named `-`", child.name().value()),
                    )
                    .at(
                        self.node_name_span(child),
                        "each schema in the list is a `-` node",
                    )
                    .with_help(format!("write `- {}`", child.name().value())),
                );
                complete = false;
                continue;
            }
            let child_span = self.span(child.span());
            match self.schema(child, SchemaPlace::Nested) {
                Some(edit) => items.push(edit.into_value(child_span)),
                None => complete = false,
            }
        }
        complete.then(|| Value::new(Kind::Array(items), span))
    }

    /// Decodes `keyword "x-custom" VALUE`: a keyword outside poolc's list, passed through as JSON.
    fn passthrough(&mut self, node: &KdlNode) -> Option<MemberEdit> {
        let span = self.span(node.span());
        let Some(first) = node.entries().first().filter(|e| e.name().is_none()) else {
            self.error(
                Diagnostic::new(
                    Code::InvalidValue,
                    "`keyword` needs the keyword's name as its first argument",
                )
                .at(span, "no name")
                .with_help("write `keyword \"NAME\" VALUE`"),
            );
            return None;
        };
        let Some(name) = first.value().as_string() else {
            self.error(
                Diagnostic::new(Code::InvalidValue, "the keyword's name must be a string")
                    .at(self.value_span(first), "not a string"),
            );
            return None;
        };
        let (verb, shape) = self.annotations(node);
        let mut rest = node.clone();
        rest.entries_mut().remove(0);
        rest.set_ty("");
        *rest.ty_mut() = None;
        let edit = match verb {
            Verb::Remove => self.removal(&rest)?,
            Verb::Change => self.json_edit(&rest, shape)?,
            _ => Edit::Set(self.json_value(&rest, shape)?),
        };
        Some(MemberEdit {
            key: name.to_owned(),
            key_span: self.value_span(first),
            span,
            kind: KeyKind::Keyword,
            verb: if verb == Verb::Add { Verb::Change } else { verb },
            edit,
        })
    }
}
