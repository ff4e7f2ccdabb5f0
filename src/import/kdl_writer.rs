//! Writing KDL v2 text: quoting names and strings, numbers that keep their JSON form, and a
//! small node tree rendered with four-space indentation.

use super::pattern::{Pattern, Piece};

/// One KDL node, ready to render: `(annotation)name entries... { children }`.
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub annotation: Option<&'static str>,
    /// The node's name, already quoted when it must be.
    pub name: String,
    /// Arguments and properties, already rendered, in order.
    pub entries: Vec<String>,
    /// `None` writes no block; `Some(vec![])` writes `{}`.
    pub children: Option<Vec<Node>>,
}

impl Node {
    pub fn new(name: String) -> Node {
        Node {
            name,
            ..Node::default()
        }
    }

    pub fn with_annotation(mut self, annotation: Option<&'static str>) -> Node {
        self.annotation = annotation;
        self
    }

    pub fn with_entry(mut self, entry: String) -> Node {
        self.entries.push(entry);
        self
    }

    pub fn with_children(mut self, children: Vec<Node>) -> Node {
        self.children = Some(children);
        self
    }
}

/// Renders nodes at `depth`, one a line.
pub fn render_nodes(nodes: &[Node], depth: usize, output: &mut String) {
    for node in nodes {
        render_node(node, depth, output);
    }
}

fn render_node(node: &Node, depth: usize, output: &mut String) {
    push_indent(depth, output);
    if let Some(annotation) = node.annotation {
        output.push('(');
        output.push_str(annotation);
        output.push(')');
    }
    output.push_str(&node.name);
    for entry in &node.entries {
        output.push(' ');
        output.push_str(entry);
    }
    match &node.children {
        None => output.push('\n'),
        Some(children) if children.is_empty() => output.push_str(" {}\n"),
        Some(children) => {
            output.push_str(" {\n");
            render_nodes(children, depth + 1, output);
            push_indent(depth, output);
            output.push_str("}\n");
        }
    }
}

fn push_indent(depth: usize, output: &mut String) {
    for _ in 0..depth {
        output.push_str("    ");
    }
}

/// Words that KDL v2 reads as keywords when bare, so they must be quoted as strings.
const RESERVED_WORDS: [&str; 6] = ["true", "false", "null", "inf", "-inf", "nan"];

/// Returns whether `text` can be written bare, as a KDL v2 identifier string.
///
/// This is stricter than KDL v2 allows: a bare word starts with an ASCII letter, `_` or `$`
/// and continues with ASCII letters, digits and `_ $ - . : @`. Everything else is quoted.
pub fn is_bare(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let starts_well = first.is_ascii_alphabetic() || first == '_' || first == '$';
    let continues_well =
        chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-' | '.' | ':' | '@'));
    starts_well && continues_well && !RESERVED_WORDS.contains(&text)
}

/// Writes a node name or property key: bare when it can be, quoted otherwise. Keys are never
/// expanded by poolc, so `$` stays as it is.
pub fn name(text: &str) -> String {
    if is_bare(text) {
        text.to_owned()
    } else {
        quote(text)
    }
}

/// Writes `text` as a KDL v2 quoted string, escaping what a single-line string cannot hold.
pub fn quote(text: &str) -> String {
    let mut output = String::with_capacity(text.len() + 2);
    output.push('"');
    for c in text.chars() {
        push_escaped(c, &mut output);
    }
    output.push('"');
    output
}

fn push_escaped(c: char, output: &mut String) {
    match c {
        '"' => output.push_str("\\\""),
        '\\' => output.push_str("\\\\"),
        '\n' => output.push_str("\\n"),
        '\r' => output.push_str("\\r"),
        '\t' => output.push_str("\\t"),
        '\u{8}' => output.push_str("\\b"),
        '\u{c}' => output.push_str("\\f"),
        c if must_escape(c) => output.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        c => output.push(c),
    }
}

/// Characters KDL v2 does not allow literally in a quoted string: control characters, the
/// newlines other than `\n`, direction controls and the byte order mark.
pub fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{85}'
                | '\u{200E}'..='\u{200F}'
                | '\u{2028}'..='\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Writes a string value: `$` doubled because poolc expands `$NAME` in values, and the
/// environment's name as `$ENV`, or `${ENV}` when a name character follows.
pub fn text_value(pieces: &[Piece]) -> String {
    let source = expansion_source(pieces);
    if is_bare(&source) && !source.contains('$') {
        return source;
    }
    quote(&source)
}

/// Returns the text poolc expands into `pieces`, before KDL quoting.
pub fn expansion_source(pieces: &[Piece]) -> String {
    let mut source = String::new();
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(text) => source.push_str(&text.replace('$', "$$")),
            Piece::Env => {
                let next_is_name_char = match pieces.get(index + 1) {
                    Some(Piece::Literal(next)) => {
                        next.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    }
                    _ => false,
                };
                source.push_str(if next_is_name_char { "${ENV}" } else { "$ENV" });
            }
        }
    }
    source
}

/// Writes a float so that KDL reads it as a float and poolc writes it back the same way.
pub fn float(value: f64) -> String {
    // serde_json writes floats in their shortest form, such as `4.0`, `1e+300` or `1.5e-7`.
    let text = serde_json::Number::from_f64(value).map_or_else(|| "0.0".to_owned(), |n| n.to_string());
    if text.contains('.') {
        return text;
    }
    match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => format!("{mantissa}.0e{exponent}"),
        None => format!("{text}.0"),
    }
}

/// Writes a scalar as a KDL value; `None` for lists and maps.
pub fn scalar(pattern: &Pattern) -> Option<String> {
    let text = match pattern {
        Pattern::Null => "#null".to_owned(),
        Pattern::Bool(true) => "#true".to_owned(),
        Pattern::Bool(false) => "#false".to_owned(),
        Pattern::Integer(integer) => integer.to_string(),
        Pattern::Float(value) => float(*value),
        Pattern::Text(pieces) => text_value(pieces),
        Pattern::Reference(text) if is_bare(text) => text.clone(),
        Pattern::Reference(text) => quote(text),
        Pattern::List(_) | Pattern::Map(_) => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_words_exclude_keywords_and_punctuation() {
        assert!(is_bare("cpu"));
        assert!(is_bare("$ref"));
        assert!(!is_bare("true"));
        assert!(!is_bare("-"));
        assert!(!is_bare(""));
        assert!(!is_bare("a b"));
        assert!(!is_bare("#/definitions/A"));
        assert!(!is_bare("1st"));
    }

    #[test]
    fn quote_escapes_specials() {
        assert_eq!(quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(quote("\u{0}\u{feff}"), r#""\u{0}\u{feff}""#);
    }

    #[test]
    fn text_value_doubles_dollar_and_braces_env() {
        let pieces = vec![
            Piece::Literal("$x-".to_owned()),
            Piece::Env,
            Piece::Literal("we".to_owned()),
            Piece::Env,
        ];
        assert_eq!(text_value(&pieces), r#""$$x-${ENV}we$ENV""#);
    }

    #[test]
    fn floats_keep_a_fraction() {
        assert_eq!(float(4.0), "4.0");
        assert_eq!(float(1e300), "1.0e+300");
        assert_eq!(float(-0.0), "-0.0");
        assert_eq!(float(0.1), "0.1");
    }
}
