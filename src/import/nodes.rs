//! Turning JSON values into pool-file nodes, as a root profile writes them: JSON in KDL for
//! plain data, and keyword nodes for the JSON Schema in `variables`.
//!
//! A `verb` such as `replace` takes the node's annotation slot, so a value written with a verb
//! avoids the `(array)` and `(object)` shape annotations: it uses `{}`, `-` children, a
//! `"-"=value` property or `(json)` text instead.

use crate::schema::{KeywordShape, PASSTHROUGH_NODE, keyword_shape};

use super::kdl_writer::{self, Node, expansion_source, name, quote, scalar};
use super::pattern::Pattern;

/// Strings longer than this go in a child node rather than a property, to keep lines short.
const PROPERTY_TEXT_LIMIT: usize = 40;

/// Writes `value` as JSON in KDL under the node `node_name`, after the arguments in `leading`.
pub fn json_node(
    node_name: String,
    leading: Vec<String>,
    value: &Pattern,
    verb: Option<&'static str>,
) -> Node {
    let node = Node {
        annotation: verb,
        name: node_name,
        entries: leading,
        children: None,
    };
    match value {
        Pattern::List(items) => list_node(node, items, verb.is_some()),
        Pattern::Map(members) => map_node(node, value, members, verb.is_some()),
        scalar_value => match scalar(scalar_value) {
            Some(text) => node.with_entry(text),
            None => node,
        },
    }
}

fn list_node(node: Node, items: &[Pattern], has_verb: bool) -> Node {
    let scalars: Option<Vec<String>> = items.iter().map(scalar).collect();
    match (items.len(), scalars) {
        (0, _) if has_verb => node.with_entry(json_text_entry(&Pattern::List(Vec::new()))),
        (0, _) => node.with_annotation(Some("array")),
        (1, Some(only)) if !has_verb => {
            let node = node.with_annotation(Some("array"));
            only.into_iter().fold(node, Node::with_entry)
        }
        (count, Some(all)) if count >= 2 => all.into_iter().fold(node, Node::with_entry),
        _ => node.with_children(items.iter().map(item_node).collect()),
    }
}

fn item_node(item: &Pattern) -> Node {
    json_node("-".to_owned(), Vec::new(), item, None)
}

fn map_node(node: Node, value: &Pattern, members: &[(String, Pattern)], has_verb: bool) -> Node {
    if members.is_empty() {
        return if has_verb {
            node.with_children(Vec::new())
        } else {
            node.with_annotation(Some("object"))
        };
    }
    // Children that are all named `-` read as list items, so an object whose only key is `-`
    // needs `(object)`, or another form when a verb holds the annotation slot.
    let only_dash = members.iter().all(|(key, _)| key == "-");
    if only_dash && has_verb {
        return match members.first().and_then(|(_, v)| scalar(v)) {
            Some(text) => node.with_entry(format!("{}={text}", quote("-"))),
            None => node.with_entry(json_text_entry(value)),
        };
    }
    let children = members
        .iter()
        .map(|(key, member)| json_node(name(key), Vec::new(), member, None))
        .collect();
    let node = node.with_children(children);
    if only_dash {
        node.with_annotation(Some("object"))
    } else {
        node
    }
}

/// Writes a value as `(json)"..."`, with `$` doubled in its strings as in any other value.
fn json_text_entry(value: &Pattern) -> String {
    format!("(json){}", quote(&source_json(value).to_string()))
}

fn source_json(value: &Pattern) -> serde_json::Value {
    match value {
        Pattern::Null => serde_json::Value::Null,
        Pattern::Bool(b) => serde_json::Value::Bool(*b),
        Pattern::Integer(i) => serde_json::Value::from(*i),
        Pattern::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
        Pattern::Text(pieces) => serde_json::Value::String(expansion_source(pieces)),
        Pattern::Reference(text) => serde_json::Value::String(text.clone()),
        Pattern::List(items) => items.iter().map(source_json).collect(),
        Pattern::Map(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|(key, member)| (key.clone(), source_json(member)))
                .collect(),
        ),
    }
}

/// Writes a schema as a node whose properties and children are keywords. Leading short scalar
/// keywords become properties when `allow_properties` is set; the rest are child nodes, so
/// any key order survives.
pub fn schema_node(
    node_name: String,
    members: &[(String, Pattern)],
    verb: Option<&'static str>,
    allow_properties: bool,
) -> Node {
    let mut node = Node::new(node_name).with_annotation(verb);
    let mut rest = members;
    while let Some(((key, value), tail)) = rest.split_first() {
        match property_entry(key, value).filter(|_| allow_properties) {
            Some(entry) => node.entries.push(entry),
            None => break,
        }
        rest = tail;
    }
    let children: Vec<Node> = rest
        .iter()
        .map(|(key, value)| keyword_node(key, value, None))
        .collect();
    if !children.is_empty() {
        node.children = Some(children);
    }
    node
}

/// Returns `keyword=value` when a keyword can be written as a property of its schema node.
pub fn property_entry(key: &str, value: &Pattern) -> Option<String> {
    let shape = keyword_shape(key)?;
    let fits = match (shape, value) {
        (KeywordShape::Json | KeywordShape::Type, Pattern::Text(pieces)) => {
            let text = expansion_source(pieces);
            text.chars().count() <= PROPERTY_TEXT_LIMIT && !text.contains(['\n', '\r'])
        }
        (KeywordShape::Json | KeywordShape::Type, other) => other.is_scalar(),
        (KeywordShape::Schema, Pattern::Bool(_)) => true,
        _ => false,
    };
    if !fits {
        return None;
    }
    Some(format!("{}={}", name(key), scalar(value)?))
}

/// Writes one keyword of a schema: in the form its shape takes when the value fits it, and
/// as `keyword "NAME" VALUE` otherwise (unknown keywords, or a value of another shape).
pub fn keyword_node(key: &str, value: &Pattern, verb: Option<&'static str>) -> Node {
    let shape = keyword_shape(key);
    match (shape, value) {
        (Some(KeywordShape::Json | KeywordShape::Type), _) => json_node(name(key), Vec::new(), value, verb),
        (Some(KeywordShape::List), Pattern::List(items)) => list_keyword(key, items, verb),
        (Some(KeywordShape::Schema), Pattern::Map(members)) => schema_node(name(key), members, verb, true),
        (Some(KeywordShape::Schema), Pattern::Bool(_)) => member_schema(name(key), value, verb),
        (Some(KeywordShape::SchemaMap), Pattern::Map(members))
            if members.iter().all(|(_, v)| is_schema(v)) =>
        {
            let children = members
                .iter()
                .map(|(member, schema)| member_schema(name(member), schema, None))
                .collect();
            with_children_unless_empty(Node::new(name(key)).with_annotation(verb), children)
        }
        (Some(KeywordShape::SchemaList), Pattern::List(items)) if items.iter().all(is_schema) => {
            let children = items
                .iter()
                .map(|item| member_schema("-".to_owned(), item, None))
                .collect();
            with_children_unless_empty(Node::new(name(key)).with_annotation(verb), children)
        }
        _ => passthrough_node(key, value, verb),
    }
}

/// Writes `keyword "NAME" VALUE`, which poolc passes through as plain JSON.
pub fn passthrough_node(key: &str, value: &Pattern, verb: Option<&'static str>) -> Node {
    json_node(PASSTHROUGH_NODE.to_owned(), vec![quote(key)], value, verb)
}

/// Writes `required a b` or `enum S M L`: a list whatever the number of items.
fn list_keyword(key: &str, items: &[Pattern], verb: Option<&'static str>) -> Node {
    let node = Node::new(name(key)).with_annotation(verb);
    let scalars: Option<Vec<String>> = items.iter().map(scalar).collect();
    match scalars {
        Some(all) => all.into_iter().fold(node, Node::with_entry),
        None => node.with_children(items.iter().map(item_node).collect()),
    }
}

/// Writes a named schema (a member of `properties`) or a schema list item.
pub fn member_schema(node_name: String, schema: &Pattern, verb: Option<&'static str>) -> Node {
    match schema {
        Pattern::Map(members) => schema_node(node_name, members, verb, true),
        other => {
            let node = Node::new(node_name).with_annotation(verb);
            match kdl_writer::scalar(other) {
                Some(text) => node.with_entry(text),
                None => node,
            }
        }
    }
}

/// Returns whether a value can be written as a schema node: an object or `#true`/`#false`.
pub fn is_schema(value: &Pattern) -> bool {
    matches!(value, Pattern::Map(_) | Pattern::Bool(_))
}

fn with_children_unless_empty(node: Node, children: Vec<Node>) -> Node {
    if children.is_empty() {
        node
    } else {
        node.with_children(children)
    }
}
