//! Writing a root profile that defines a whole template: `worker`, optionally `abstract`, and
//! both sections in the template's order.

use crate::profile::Section;

use super::kdl_writer::{Node, quote, render_nodes};
use super::nodes::{json_node, member_schema, schema_node};
use super::pattern::Pattern;

/// The top-level nodes at the head of a root profile.
pub struct RootHeader<'a> {
    /// Comment lines, written with `// ` before each.
    pub comment: &'a [String],
    pub worker: &'a str,
    pub is_abstract: bool,
}

/// Writes a root profile holding `sections` in the order given.
pub fn root_profile(header: &RootHeader<'_>, sections: &[(Section, &Pattern)]) -> String {
    let mut text = comment_lines(header.comment);
    text.push_str(&format!("worker {}\n", quote(header.worker)));
    if header.is_abstract {
        text.push_str("abstract\n");
    }
    for (section, value) in sections {
        text.push('\n');
        render_nodes(&[section_node(*section, value)], 0, &mut text);
    }
    text
}

/// Writes one section as a root profile defines it.
pub fn section_node(section: Section, value: &Pattern) -> Node {
    let members = value.as_map().unwrap_or(&[]);
    match section {
        Section::Variables if value.as_map().is_none() => {
            member_schema(section.key().to_owned(), value, None)
        }
        Section::Variables => schema_node(section.key().to_owned(), members, None, false),
        Section::JobConfiguration => {
            let node = Node::new(section.key().to_owned());
            let children: Vec<Node> = members
                .iter()
                .map(|(key, member)| json_node(super::kdl_writer::name(key), Vec::new(), member, None))
                .collect();
            if children.is_empty() {
                node
            } else {
                node.with_children(children)
            }
        }
    }
}

/// Writes comment lines, leaving out any line that a newline or control character would break.
pub fn comment_lines(lines: &[String]) -> String {
    let mut text = String::new();
    for line in lines {
        if line.chars().any(super::kdl_writer::must_escape) {
            continue;
        }
        text.push_str("// ");
        text.push_str(line);
        text.push('\n');
    }
    text
}
