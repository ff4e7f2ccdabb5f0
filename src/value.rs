//! JSON values that remember where in which pool file they were written.

use indexmap::IndexMap;

use crate::source::Span;

/// A JSON value with the span of the KDL that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: Kind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    Array(Vec<Value>),
    Object(Object),
}

/// An object member: its key, where the key was written, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key_span: Span,
    pub value: Value,
}

/// A JSON object in source order.
pub type Object = IndexMap<String, Member>;

impl Value {
    pub fn new(kind: Kind, span: Span) -> Self {
        Value { kind, span }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match &self.kind {
            Kind::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match &mut self.kind {
            Kind::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Returns the member value at `key` when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key).map(|member| &member.value)
    }

    /// Converts to a `serde_json` value, keeping member order.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.kind {
            Kind::Null => serde_json::Value::Null,
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Integer(i) => serde_json::Value::from(*i),
            Kind::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Kind::String(s) => serde_json::Value::String(s.clone()),
            Kind::Array(items) => items.iter().map(Value::to_json).collect(),
            Kind::Object(object) => serde_json::Value::Object(
                object
                    .iter()
                    .map(|(key, member)| (key.clone(), member.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a value from `serde_json`, giving every part the same span.
    pub fn from_json(json: &serde_json::Value, span: Span) -> Self {
        let kind = match json {
            serde_json::Value::Null => Kind::Null,
            serde_json::Value::Bool(b) => Kind::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Kind::Integer(i),
                None => Kind::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Kind::String(s.clone()),
            serde_json::Value::Array(items) => {
                Kind::Array(items.iter().map(|item| Value::from_json(item, span)).collect())
            }
            serde_json::Value::Object(map) => Kind::Object(
                map.iter()
                    .map(|(key, value)| {
                        let member = Member {
                            key_span: span,
                            value: Value::from_json(value, span),
                        };
                        (key.clone(), member)
                    })
                    .collect(),
            ),
        };
        Value::new(kind, span)
    }

    /// Calls `visit` on every string value, depth first, with the JSON path that leads to it.
    pub fn walk_strings<'a>(
        &'a self,
        path: &mut Vec<PathSegment<'a>>,
        visit: &mut impl FnMut(&[PathSegment<'a>], &'a Value, &'a str),
    ) {
        match &self.kind {
            Kind::String(text) => visit(path, self, text),
            Kind::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(PathSegment::Index(index));
                    item.walk_strings(path, visit);
                    path.pop();
                }
            }
            Kind::Object(object) => {
                for (key, member) in object {
                    path.push(PathSegment::Key(key));
                    member.value.walk_strings(path, visit);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// Applies `change` to every string value in place, with the key of the member it is the
    /// value of (`None` for list items and the root).
    pub fn map_strings(&mut self, change: &mut impl FnMut(&mut String, Span, Option<&str>)) {
        self.map_strings_under(None, change);
    }

    fn map_strings_under(
        &mut self,
        key: Option<&str>,
        change: &mut impl FnMut(&mut String, Span, Option<&str>),
    ) {
        let span = self.span;
        match &mut self.kind {
            Kind::String(text) => change(text, span, key),
            Kind::Array(items) => items
                .iter_mut()
                .for_each(|item| item.map_strings_under(None, change)),
            Kind::Object(object) => object
                .iter_mut()
                .for_each(|(key, member)| member.value.map_strings_under(Some(key), change)),
            _ => {}
        }
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment<'a> {
    Key(&'a str),
    Index(usize),
}

/// Formats a JSON path as `a.b[0].c`, quoting keys that are not plain names.
pub fn format_path(path: &[PathSegment<'_>]) -> String {
    let mut text = String::new();
    for segment in path {
        match segment {
            PathSegment::Index(index) => text.push_str(&format!("[{index}]")),
            PathSegment::Key(key) => {
                let plain = !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$');
                if !text.is_empty() && plain {
                    text.push('.');
                }
                if plain {
                    text.push_str(key);
                } else {
                    text.push_str(&format!("[{}]", serde_json::Value::from(*key)));
                }
            }
        }
    }
    text
}

/// Writes the value as JSON directly, without building a `serde_json::Value` first.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.kind {
            Kind::Null => serializer.serialize_unit(),
            Kind::Bool(b) => serializer.serialize_bool(*b),
            Kind::Integer(i) => serializer.serialize_i64(*i),
            Kind::Float(f) => serializer.serialize_f64(*f),
            Kind::String(text) => serializer.serialize_str(text),
            Kind::Array(items) => {
                let mut sequence = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    sequence.serialize_element(item)?;
                }
                sequence.end()
            }
            Kind::Object(object) => {
                let mut map = serializer.serialize_map(Some(object.len()))?;
                for (key, member) in object {
                    map.serialize_entry(key, &member.value)?;
                }
                map.end()
            }
        }
    }
}
