//! Long explanations for `poolc explain CODE`, one page per code in `docs/codes/<code>.md`.

use crate::code::Code;

macro_rules! pages {
    ($($name:literal,)*) => {
        /// Every explanation page, by code name, compiled into the binary.
        const PAGES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../docs/codes/", $name, ".md"))),)*
        ];
    };
}

pages! {
    "kdl-syntax",
    "unknown-node",
    "unknown-property",
    "invalid-value",
    "unknown-worker-type",
    "duplicate-key",
    "duplicate-property",
    "number-out-of-range",
    "missing-parent",
    "inheritance-cycle",
    "duplicate-environment",
    "unknown-override",
    "duplicate-variable",
    "unresolved-substitution",
    "malformed-substitution",
    "undeclared-placeholder",
    "prefect-reference-in-job-configuration",
    "literal-braces",
    "unused-variable",
    "removed-variable-referenced",
    "invalid-default",
    "invalid-schema",
    "missing-definition",
    "required-not-declared",
    "empty-template-section",
    "plaintext-secret",
    "dotted-variable-name",
    "unknown-job-field",
    "invalid-template",
    "ambiguous-worker-type",
}

/// Returns what triggers a code, why it matters, an example and the fix.
pub fn explanation(code: Code) -> Option<&'static str> {
    PAGES
        .iter()
        .find(|(name, _)| *name == code.name())
        .map(|(_, page)| *page)
}

/// Returns a code's one-line summary: the title of its page after the code and severity.
pub fn summary(code: Code) -> &'static str {
    let title = explanation(code)
        .and_then(|page| page.lines().next())
        .unwrap_or("");
    title.split_once("): ").map_or("", |(_, summary)| summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_page() {
        for code in Code::ALL {
            let page = explanation(*code);
            assert!(page.is_some(), "no page for `{}`", code.name());
        }
    }

    #[test]
    fn every_page_has_a_code() {
        for (name, _) in PAGES {
            assert!(Code::from_name(name).is_some(), "page `{name}` names no code");
        }
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes");
        let entries = std::fs::read_dir(folder).expect("docs/codes is readable");
        for entry in entries {
            let path = entry.expect("folder entry is readable").path();
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            assert!(
                PAGES.iter().any(|(name, _)| *name == stem),
                "`{}` is not compiled into `poolc explain`",
                path.display()
            );
        }
    }

    #[test]
    fn pages_have_every_part() {
        for (name, page) in PAGES {
            let code = Code::from_name(name).expect("page names a code");
            let title = format!("# {name} ({}): ", code.severity().name());
            let first_line = page.lines().next().unwrap_or_default();
            assert!(first_line.starts_with(&title), "title of `{name}`: {first_line}");
            assert!(!summary(code).is_empty(), "summary of `{name}`");
            for part in ["What triggers it: ", "Why it matters: ", "Example", "Fix: "] {
                assert!(page.contains(part), "`{name}` lacks `{part}`");
            }
        }
    }
}
