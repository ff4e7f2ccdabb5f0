//! Edits: what a profile says about each part of the template, before inheritance is applied.
//!
//! A root profile's edits are definitions and turn into values directly. A child profile's edits
//! change what its parent defined: each member edit names an existing key unless it adds one.

use crate::source::Span;
use crate::value::{Kind, Member, Object, Value};

/// The action a member edit takes on its key, from the node's annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// No annotation: define (in a root profile) or change (in a child profile).
    Change,
    /// `(add)`: a new key that the parent must not have.
    Add,
    /// `(replace)`: a new value for an existing key, replacing it whole.
    Replace,
    /// `(remove)`: the key is deleted.
    Remove,
}

impl Verb {
    pub fn from_annotation(annotation: &str) -> Option<Verb> {
        match annotation {
            "add" => Some(Verb::Add),
            "replace" => Some(Verb::Replace),
            "remove" => Some(Verb::Remove),
            _ => None,
        }
    }
}

/// What a key names, which decides whether a child may set it freely and how messages call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A JSON Schema keyword such as `default`: a child may set one its parent lacks.
    Keyword,
    /// A member of the root `properties`, that is a job variable.
    Variable,
    /// A member of `definitions` or `$defs`.
    Definition,
    /// A member of a nested schema's `properties`.
    Property,
    /// A key of a JSON object, in the job configuration or a value.
    Key,
}

impl KeyKind {
    pub fn noun(self) -> &'static str {
        match self {
            KeyKind::Keyword => "keyword",
            KeyKind::Variable => "variable",
            KeyKind::Definition => "definition",
            KeyKind::Property => "property",
            KeyKind::Key => "key",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A whole value: a definition, or a replacement of what the parent had.
    Set(Value),
    /// Member-by-member changes to an object the parent defined.
    Patch(Patch),
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// The span of the node that contains the members.
    pub span: Span,
    pub members: Vec<MemberEdit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberEdit {
    pub key: String,
    pub key_span: Span,
    /// The span of the whole node or property that makes this edit.
    pub span: Span,
    pub kind: KeyKind,
    pub verb: Verb,
    pub edit: Edit,
}

impl Edit {
    /// Turns a root profile's edit into the value it defines.
    pub fn into_value(self, span: Span) -> Value {
        match self {
            Edit::Set(value) => value,
            Edit::Patch(patch) => patch.into_value(),
            Edit::Remove => Value::new(Kind::Null, span),
        }
    }
}

impl Patch {
    pub fn into_value(self) -> Value {
        let mut object = Object::new();
        for member in self.members {
            if member.verb == Verb::Remove {
                continue;
            }
            let value = member.edit.into_value(member.span);
            object.insert(
                member.key,
                Member {
                    key_span: member.key_span,
                    value,
                },
            );
        }
        Value::new(Kind::Object(object), self.span)
    }
}
