//! Mutation test: damaged copies of the example pool files must never crash poolc. Each run
//! must exit 0 (the damage was harmless) or 1 (problems reported), never 2 or a panic.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs per pool file; with four files that is a few hundred runs.
const MUTANTS_PER_FILE: usize = 60;

/// A xorshift generator: deterministic, so a failing mutant is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            return 0;
        }
        (self.next() % bound as u64) as usize
    }
}

/// Moves `index` back to the nearest character boundary of `text`.
fn boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Returns `text` with one random change of a kind that editing mistakes make.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let at = boundary(text, rng.below(text.len() + 1));
    let lines: Vec<&str> = text.lines().collect();
    let line = rng.below(lines.len());
    match rng.below(10) {
        // Delete a token: the run of non-space characters at `at`.
        0 => {
            let end = text[at..]
                .find(char::is_whitespace)
                .map_or(text.len(), |i| at + i);
            format!("{}{}", &text[..at], &text[end..])
        }
        // Duplicate a line.
        1 => {
            let mut copy: Vec<&str> = lines.clone();
            if let Some(duplicate) = lines.get(line) {
                copy.insert(line, duplicate);
            }
            copy.join("\n")
        }
        // Delete a line.
        2 => {
            let mut copy = lines.clone();
            if line < copy.len() {
                copy.remove(line);
            }
            copy.join("\n")
        }
        // Truncate the file.
        3 => text[..at].to_owned(),
        // Drop the first one to three quotes, which unbalances every string after them.
        4 => text.replacen('"', "", 1 + rng.below(3)),
        // Insert an opening or a closing brace.
        5 => format!("{}{{{}", &text[..at], &text[at..]),
        6 => format!("{}}}{}", &text[..at], &text[at..]),
        // Insert text that has meaning to poolc or Prefect.
        7 => {
            let pieces = [
                "$",
                "${",
                "$$",
                "{{ x }}",
                "{{",
                "(remove)",
                "(add)",
                "#null",
                "=",
                "-",
                ";",
                "\"",
                "99999999999999999999999999999999999999999",
                "#inf",
                "/-",
                "//",
                "\\",
                "extends base\n",
            ];
            let piece = pieces[rng.below(pieces.len())];
            format!("{}{piece}{}", &text[..at], &text[at..])
        }
        // Swap two lines.
        8 => {
            let mut copy = lines.clone();
            let other = rng.below(copy.len());
            if line < copy.len() {
                copy.swap(line, other);
            }
            copy.join("\n")
        }
        // Replace a character with another that KDL treats specially.
        _ => {
            let specials = ['#', '(', ')', '[', ']', '/', '\n', ' ', '0', 'é'];
            let special = specials[rng.below(specials.len())];
            let next = text[at..].chars().next().map_or(0, char::len_utf8);
            format!("{}{special}{}", &text[..at], &text[at + next..])
        }
    }
}

fn example_pools() -> Vec<(String, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("pools");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("pools/ is readable")
        .map(|entry| entry.expect("folder entry is readable").path())
        .filter(|path| path.extension().is_some_and(|e| e == "kdl"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .expect("file has a name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("pool file is readable");
            (name, text)
        })
        .collect()
}

#[test]
fn mutated_pools_never_crash() {
    let pools = example_pools();
    assert!(!pools.is_empty(), "no example pool files");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0;

    for (target, text) in &pools {
        for _ in 0..MUTANTS_PER_FILE {
            let folder = tempfile::tempdir().expect("temporary folder");
            let pools_dir = folder.path().join("pools");
            std::fs::create_dir(&pools_dir).expect("pools folder");
            let mut mutant = text.clone();
            for _ in 0..1 + rng.below(3) {
                mutant = mutate(&mutant, &mut rng);
            }
            for (name, original) in &pools {
                let content = if name == target { &mutant } else { original };
                std::fs::write(pools_dir.join(name), content).expect("pool file written");
            }

            let output = Command::new(env!("CARGO_BIN_EXE_poolc"))
                .args(["build", "pools", "-o", "out"])
                .current_dir(folder.path())
                .env("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-000000000000")
                .env("NO_COLOR", "1")
                .output()
                .expect("poolc runs");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let code = output.status.code();
            assert!(
                matches!(code, Some(0 | 1)) && !stderr.contains("panicked"),
                "poolc exited with {code:?} on this `{target}`:\n{mutant}\n--- stderr:\n{stderr}"
            );
            runs += 1;
        }
    }
    assert_eq!(runs, pools.len() * MUTANTS_PER_FILE);
}
