//! The language reference in `grammar/` against the decoder: every example decodes cleanly, and
//! the documented nodes, keywords and annotations are exactly the ones the decoder accepts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use poolc::diagnostic::Diagnostics;
use poolc::profile::TOP_LEVEL_NODES;
use poolc::schema::{KEYWORDS, PASSTHROUGH_NODE};
use poolc::workspace::load_texts;

fn grammar_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn grammar_files() -> Vec<String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar");
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("grammar folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

/// Returns the text of every ```kdl block in a Markdown file.
fn kdl_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```kdl") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// Decodes one pool file's text and returns the rendered problems, if any.
fn decode_problems(name: &str, text: &str) -> Vec<String> {
    let mut diagnostics = Diagnostics::default();
    let inputs = vec![(PathBuf::from(format!("{name}.kdl")), text.to_owned())];
    load_texts(inputs, &mut diagnostics);
    diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code.name(), d.message))
        .collect()
}

/// Returns the backticked name at the start of each table row whose first cell is code.
fn table_names(markdown: &str, heading: &str) -> BTreeSet<String> {
    let section = markdown.split(heading).nth(1).unwrap_or("");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(1))
        .filter_map(|cell| {
            cell.trim()
                .strip_prefix('`')?
                .split('`')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

#[test]
fn grammar_examples_decode_cleanly() {
    let mut count = 0;
    for file in grammar_files() {
        for (index, block) in kdl_blocks(&grammar_file(&file)).iter().enumerate() {
            let problems = decode_problems("example", block);
            assert!(
                problems.is_empty(),
                "{file} example {index}: {problems:?}\n{block}"
            );
            count += 1;
        }
    }
    assert!(count >= 10, "only {count} examples found");
}

#[test]
fn grammar_documents_every_top_level_node() {
    let readme = grammar_file("README.md");
    let documented: BTreeSet<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("### `")?.strip_suffix('`').map(str::to_owned))
        .collect();
    let accepted: BTreeSet<String> = TOP_LEVEL_NODES.iter().map(|n| (*n).to_owned()).collect();
    assert_eq!(documented, accepted);
}

#[test]
fn grammar_documents_every_keyword() {
    let documented = table_names(&grammar_file("variables.md"), "## Keywords");
    let mut accepted: BTreeSet<String> = KEYWORDS.iter().map(|(k, _)| (*k).to_owned()).collect();
    accepted.insert(PASSTHROUGH_NODE.to_owned());
    assert_eq!(documented, accepted);
}

#[test]
fn grammar_keyword_examples_decode() {
    let markdown = grammar_file("variables.md");
    let section = markdown.split("## Keywords").nth(1).unwrap_or("");
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), KEYWORDS.len() + 1);
    for row in rows {
        let example = row.rsplit('|').nth(1).unwrap_or("").trim();
        let example = example.trim_matches('`');
        let text = format!(
            "worker \"docker\"\nvariables {{\n    properties {{\n        x {{\n            {example}\n        }}\n    }}\n}}\n"
        );
        let problems = decode_problems("keyword", &text);
        assert!(problems.is_empty(), "{row}: {problems:?}");
    }
}

#[test]
fn grammar_documents_every_annotation() {
    let json = table_names(&grammar_file("json.md"), "Annotations settle");
    let inheritance = table_names(&grammar_file("inheritance.md"), "## Annotations");
    let documented: BTreeSet<String> = json.union(&inheritance).cloned().collect();
    let accepted: BTreeSet<String> = ["(array)", "(object)", "(json)", "(add)", "(remove)", "(replace)"]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    assert_eq!(documented, accepted);
    for annotation in &accepted {
        let name = annotation.trim_matches(['(', ')']);
        let text = format!("extends \"base\"\njob_configuration {{\n    ({name})x \"1\"\n}}\n");
        let problems = decode_problems("annotation", &text);
        let unknown = problems.iter().any(|p| p.contains("unknown annotation"));
        assert!(!unknown || name == "json", "{annotation}: {problems:?}");
    }
}
