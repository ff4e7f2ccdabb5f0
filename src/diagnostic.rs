//! The one diagnostic model: every problem poolc finds is a [`Diagnostic`], whatever the output format.

use crate::code::Code;
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with the text shown under it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem: a code, a message, the spans it concerns and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// A short lowercase sentence without a trailing period, names in backticks.
    pub message: String,
    /// The place the problem is. Diagnostics about the command line or a missing path have none.
    pub primary: Option<Label>,
    /// Other places that matter, such as where a removed variable was declared.
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Appends "did you mean `x`?" to the help when a close candidate exists.
    pub fn with_suggestion<'a>(self, unknown: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match crate::suggest::closest(unknown, candidates) {
            Some(close) => {
                let hint = format!("did you mean `{close}`?");
                let help = match self.help.as_deref() {
                    Some(help) => format!("{hint} {help}"),
                    None => hint,
                };
                self.with_help(help)
            }
            None => self,
        }
    }

    fn sort_key(&self) -> (Option<(usize, usize)>, Severity, &str) {
        let position = self.primary.as_ref().map(|l| (l.span.file.0, l.span.offset));
        (position, self.severity, self.message.as_str())
    }
}

/// The problems found in one run, reported together at its end.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Indices into `items` by hash, so that a repeated diagnostic (the same problem met
    /// through several environments) is found without comparing against every item.
    seen: std::collections::HashMap<u64, Vec<usize>>,
}

impl Diagnostics {
    /// Adds a diagnostic unless an identical one is already there.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        diagnostic.hash(&mut hasher);
        let indices = self.seen.entry(hasher.finish()).or_default();
        if indices.iter().any(|index| self.items[*index] == diagnostic) {
            return;
        }
        indices.push(self.items.len());
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for diagnostic in other.items {
            self.push(diagnostic);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn has_warnings(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Warning)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Returns the diagnostics ordered by file, then position; files are ordered by name
    /// by the loader, so this is the order users read them in.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}
