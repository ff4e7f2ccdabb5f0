//! Splitting several per-environment templates into an abstract base and one small profile per
//! environment that holds only what differs.
//!
//! The base takes, at each object, the keys that more than half of the environments have, in
//! the first environment's order, and at each other value the one most environments share once
//! their own name is read as `$ENV`. Each environment then changes the base with `(add)`,
//! `(remove)`, `(replace)` and plain changes. Where those cannot give an object's key order,
//! the whole object is replaced.

use crate::profile::Section;
use crate::schema::{KeywordShape, PASSTHROUGH_NODE, keyword_shape};

use super::kdl_writer::{Node, name, quote, render_nodes};
use super::nodes::{is_schema, json_node, keyword_node, member_schema, property_entry};
use super::pattern::{Pattern, Piece};

/// One environment's value at some place, with the environment's name.
type Sample<'a> = (&'a str, &'a Pattern);

/// Returns what the environments share at one place: the base's value there.
pub fn common(samples: &[Sample<'_>]) -> Pattern {
    let all_maps = !samples.is_empty() && samples.iter().all(|(_, value)| value.as_map().is_some());
    if all_maps {
        return common_map(samples);
    }

    // Candidates are each environment's value, literal and with its own name read as `$ENV`.
    // A candidate counts the environments it expands to exactly, so `latest` in `test` does
    // not stop `$ENV` from being found elsewhere in the same string.
    let mut best: Option<(usize, Pattern)> = None;
    for (environment, value) in samples {
        for candidate in [(*value).clone(), value.generalise(environment)] {
            let count = samples
                .iter()
                .filter(|(other_environment, other)| matches(&candidate, other, other_environment))
                .count();
            // A value seen in one environment only stays literal: `$ENV` needs two to agree.
            let eligible = count >= 2 || !candidate.has_env();
            if eligible && best.as_ref().is_none_or(|(most, _)| count > *most) {
                best = Some((count, candidate));
            }
        }
    }
    best.map_or(Pattern::Null, |(_, value)| value)
}

fn common_map(samples: &[Sample<'_>]) -> Pattern {
    let maps: Vec<(&str, &[(String, Pattern)])> = samples
        .iter()
        .filter_map(|(environment, value)| Some((*environment, value.as_map()?)))
        .collect();
    let count = |key: &str| {
        maps.iter()
            .filter(|(_, members)| members.iter().any(|(k, _)| k == key))
            .count()
    };

    // Keys in the first environment's order; a key the first lacks goes after the key that
    // precedes it in the first environment that has it.
    let mut order: Vec<&str> = Vec::new();
    for (_, members) in &maps {
        for (position, (key, _)) in members.iter().enumerate() {
            if order.contains(&key.as_str()) || count(key) * 2 <= maps.len() {
                continue;
            }
            let after = members[..position]
                .iter()
                .rev()
                .find_map(|(previous, _)| order.iter().position(|o| *o == previous));
            order.insert(after.map_or(0, |p| p + 1), key);
        }
    }

    let members = order
        .into_iter()
        .map(|key| {
            let having: Vec<Sample<'_>> = maps
                .iter()
                .filter_map(|(environment, members)| {
                    let (_, value) = members.iter().find(|(k, _)| k == key)?;
                    Some((*environment, value))
                })
                .collect();
            (key.to_owned(), common(&having))
        })
        .collect();
    Pattern::Map(members)
}

/// The change an environment makes to one value of the base.
#[derive(Debug, Clone)]
pub enum Change {
    /// A new value in place of the base's.
    Set(Pattern),
    /// Member-by-member changes; `actual` is the whole new value, for when a patch cannot be
    /// written and the object is replaced instead.
    Patch {
        members: Vec<(String, MemberChange)>,
        actual: Pattern,
    },
}

#[derive(Debug, Clone)]
pub enum MemberChange {
    Remove,
    Add(Pattern),
    Change(Change),
}

/// Returns how `environment` turns the base's `base` into `actual`, or `None` when it need not.
pub fn diff(base: &Pattern, actual: &Pattern, environment: &str) -> Option<Change> {
    if matches(base, actual, environment) {
        return None;
    }
    if let (Pattern::Map(base_members), Pattern::Map(actual_members)) = (base, actual)
        && let Some(members) = diff_members(base_members, actual_members, environment)
    {
        return Some(Change::Patch {
            members,
            actual: actual.clone(),
        });
    }
    Some(Change::Set(actual.clone()))
}

/// Diffs two objects member by member, or returns `None` when edits cannot give `actual`'s
/// key order: kept keys stay where the base has them and added keys go last.
fn diff_members(
    base: &[(String, Pattern)],
    actual: &[(String, Pattern)],
    environment: &str,
) -> Option<Vec<(String, MemberChange)>> {
    let find = |members: &'_ [(String, Pattern)], key: &str| members.iter().position(|(k, _)| k == key);
    let kept = base.iter().filter(|(key, _)| find(actual, key).is_some());
    let added = actual.iter().filter(|(key, _)| find(base, key).is_none());
    let reachable = kept.chain(added).map(|(key, _)| key);
    if !reachable.eq(actual.iter().map(|(key, _)| key)) {
        return None;
    }

    let mut members = Vec::new();
    for (key, base_value) in base {
        match actual.iter().find(|(k, _)| k == key) {
            None => members.push((key.clone(), MemberChange::Remove)),
            Some((_, actual_value)) => {
                if let Some(change) = diff(base_value, actual_value, environment) {
                    members.push((key.clone(), MemberChange::Change(change)));
                }
            }
        }
    }
    for (key, value) in actual.iter().filter(|(key, _)| find(base, key).is_none()) {
        members.push((key.clone(), MemberChange::Add(value.clone())));
    }
    Some(members)
}

/// Returns whether `base`, with `environment` for `$ENV`, is `actual`, key order included.
fn matches(base: &Pattern, actual: &Pattern, environment: &str) -> bool {
    match (base, actual) {
        (Pattern::Text(pieces), Pattern::Text(actual_pieces)) => {
            let mut expected = String::new();
            for piece in pieces {
                match piece {
                    Piece::Literal(text) => expected.push_str(text),
                    Piece::Env => expected.push_str(environment),
                }
            }
            let mut got = String::new();
            for piece in actual_pieces {
                if let Piece::Literal(text) = piece {
                    got.push_str(text);
                }
            }
            expected == got
        }
        (Pattern::List(items), Pattern::List(actual_items)) => {
            items.len() == actual_items.len()
                && items
                    .iter()
                    .zip(actual_items)
                    .all(|(item, actual_item)| matches(item, actual_item, environment))
        }
        (Pattern::Map(members), Pattern::Map(actual_members)) => {
            members.len() == actual_members.len()
                && members
                    .iter()
                    .zip(actual_members)
                    .all(|((key, value), (actual_key, actual_value))| {
                        key == actual_key && matches(value, actual_value, environment)
                    })
        }
        (other, actual) => other == actual,
    }
}

/// Writes an environment's changes to one section as the children of its section node, or
/// `None` when the section cannot be patched and the environment must be written whole.
pub fn section_patch(section: Section, change: &Change) -> Option<Node> {
    let Change::Patch { members, .. } = change else {
        return None;
    };
    let node_name = section.key().to_owned();
    match section {
        Section::Variables => Some(schema_patch(node_name, members, false)),
        // `job_configuration` takes no properties, so the `"-"=value` form does not apply.
        Section::JobConfiguration => {
            json_patch(Node::new(node_name), members).filter(|n| n.entries.is_empty())
        }
    }
}

/// Writes an environment profile: `extends base` and the patched sections.
pub fn child_profile(comment: &str, base: &str, sections: &[Node]) -> String {
    let mut text = super::single::comment_lines(&[comment.to_owned()]);
    text.push_str(&format!("extends {}\n", name(base)));
    for node in sections {
        text.push('\n');
        render_nodes(std::slice::from_ref(node), 0, &mut text);
    }
    text
}

/// Writes changes to a schema: each member is a keyword.
fn schema_patch(node_name: String, members: &[(String, MemberChange)], allow_properties: bool) -> Node {
    let mut node = Node::new(node_name);
    let mut rest = members;
    while let Some(((key, change), tail)) = rest.split_first() {
        let entry = match change {
            MemberChange::Add(value) | MemberChange::Change(Change::Set(value)) => property_entry(key, value),
            _ => None,
        };
        match entry.filter(|_| allow_properties) {
            Some(entry) => node.entries.push(entry),
            None => break,
        }
        rest = tail;
    }
    let children: Vec<Node> = rest
        .iter()
        .map(|(key, change)| keyword_change(key, change))
        .collect();
    if !children.is_empty() {
        node.children = Some(children);
    }
    node
}

/// Writes one keyword's change. A new keyword is written as a root profile would, because a
/// keyword the parent lacks may be set freely and goes last.
fn keyword_change(key: &str, change: &MemberChange) -> Node {
    match change {
        MemberChange::Remove if keyword_shape(key).is_some() => {
            Node::new(name(key)).with_annotation(Some("remove"))
        }
        MemberChange::Remove => Node::new(PASSTHROUGH_NODE.to_owned())
            .with_annotation(Some("remove"))
            .with_entry(quote(key)),
        MemberChange::Add(value) => keyword_node(key, value, None),
        MemberChange::Change(Change::Set(value)) => set_keyword(key, value),
        MemberChange::Change(Change::Patch { members, actual }) => patch_keyword(key, members, actual),
    }
}

/// Writes a keyword's new value: objects with `(replace)`, since a plain object node patches.
fn set_keyword(key: &str, value: &Pattern) -> Node {
    let verb = matches!(value, Pattern::Map(_)).then_some("replace");
    keyword_node(key, value, verb)
}

fn patch_keyword(key: &str, members: &[(String, MemberChange)], actual: &Pattern) -> Node {
    let patched = match keyword_shape(key) {
        Some(KeywordShape::Schema) => Some(schema_patch(name(key), members, true)),
        Some(KeywordShape::SchemaMap) if members_are_schemas(members) => {
            Some(schema_map_patch(name(key), members))
        }
        Some(KeywordShape::Json) => json_patch(Node::new(name(key)), members),
        _ => {
            let head = Node::new(PASSTHROUGH_NODE.to_owned()).with_entry(quote(key));
            json_patch(head, members)
        }
    };
    patched.unwrap_or_else(|| set_keyword(key, actual))
}

fn members_are_schemas(members: &[(String, MemberChange)]) -> bool {
    members.iter().all(|(_, change)| match change {
        MemberChange::Add(value) | MemberChange::Change(Change::Set(value)) => is_schema(value),
        MemberChange::Remove | MemberChange::Change(Change::Patch { .. }) => true,
    })
}

/// Writes changes to `properties` or `definitions`: each member is a named schema.
fn schema_map_patch(node_name: String, members: &[(String, MemberChange)]) -> Node {
    let children = members
        .iter()
        .map(|(key, change)| match change {
            MemberChange::Remove => Node::new(name(key)).with_annotation(Some("remove")),
            MemberChange::Add(value) => member_schema(name(key), value, Some("add")),
            MemberChange::Change(Change::Set(value)) => member_schema(name(key), value, Some("replace")),
            MemberChange::Change(Change::Patch { members, .. }) => schema_patch(name(key), members, true),
        })
        .collect();
    Node::new(node_name).with_children(children)
}

/// Writes changes to a JSON object under `head`, or `None` when they cannot be written as a
/// patch: children that are all named `-` would read as a list.
fn json_patch(head: Node, members: &[(String, MemberChange)]) -> Option<Node> {
    if let [(key, change)] = members
        && key == "-"
    {
        let MemberChange::Change(Change::Set(value)) = change else {
            return None;
        };
        let text = super::kdl_writer::scalar(value)?;
        return Some(head.with_entry(format!("{}={text}", quote("-"))));
    }
    let children = members
        .iter()
        .map(|(key, change)| match change {
            MemberChange::Remove => Node::new(name(key)).with_annotation(Some("remove")),
            MemberChange::Add(value) => json_node(name(key), Vec::new(), value, Some("add")),
            MemberChange::Change(Change::Set(value)) => set_json(key, value),
            MemberChange::Change(Change::Patch { members, actual }) => {
                json_patch(Node::new(name(key)), members).unwrap_or_else(|| set_json(key, actual))
            }
        })
        .collect();
    Some(head.with_children(children))
}

fn set_json(key: &str, value: &Pattern) -> Node {
    let verb = matches!(value, Pattern::Map(_)).then_some("replace");
    json_node(name(key), Vec::new(), value, verb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(members: &[(&str, Pattern)]) -> Pattern {
        Pattern::Map(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn common_generalises_shared_names() {
        let dev = Pattern::literal("contoso-dev-rg");
        let prod = Pattern::literal("contoso-prod-rg");
        let shared = common(&[("dev", &dev), ("prod", &prod)]);
        assert_eq!(shared.expand("test"), Pattern::literal("contoso-test-rg"));
    }

    #[test]
    fn common_generalises_despite_name_inside_a_word() {
        let dev = Pattern::literal("acr-dev:latest");
        let test = Pattern::literal("acr-test:latest");
        let shared = common(&[("dev", &dev), ("test", &test)]);
        assert!(shared.has_env());
        assert!(matches(&shared, &test, "test"));
    }

    #[test]
    fn common_keeps_a_lone_value_literal() {
        let dev = Pattern::literal("dev");
        let prod = Pattern::literal("other");
        let shared = common(&[("dev", &dev), ("prod", &prod)]);
        assert_eq!(shared, dev);
        assert!(!shared.has_env());
    }

    #[test]
    fn common_map_keeps_majority_keys_in_merged_order() {
        let first = map(&[("a", Pattern::Integer(1)), ("d", Pattern::Integer(1))]);
        let second = map(&[
            ("a", Pattern::Integer(1)),
            ("c", Pattern::Integer(1)),
            ("d", Pattern::Integer(1)),
        ]);
        let third = second.clone();
        let shared = common(&[("x", &first), ("y", &second), ("z", &third)]);
        let keys: Vec<&str> = shared
            .as_map()
            .unwrap_or(&[])
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["a", "c", "d"]);
    }

    #[test]
    fn diff_gives_up_on_reordered_keys() {
        let base = map(&[("a", Pattern::Integer(1)), ("b", Pattern::Integer(2))]);
        let actual = map(&[("b", Pattern::Integer(2)), ("a", Pattern::Integer(1))]);
        assert!(matches!(diff(&base, &actual, "dev"), Some(Change::Set(_))));
    }

    #[test]
    fn diff_adds_keys_at_the_end() {
        let base = map(&[("a", Pattern::Integer(1))]);
        let actual = map(&[("a", Pattern::Integer(1)), ("b", Pattern::Integer(2))]);
        let Some(Change::Patch { members, .. }) = diff(&base, &actual, "dev") else {
            panic!("expected a patch");
        };
        assert!(matches!(members.as_slice(), [(key, MemberChange::Add(_))] if key == "b"));
    }
}
