//! Renderers: the same diagnostics as miette reports, one line each, JSON Lines, or GitHub
//! Actions annotations.

use std::fmt::Write as _;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// The output formats of `--message-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// Reports with the source and labels, as miette draws them.
    Human,
    /// One line each: `file:line:column: severity[code]: message`.
    Short,
    /// One JSON object a line.
    Json,
    /// GitHub Actions workflow commands, which show as annotations on the pull request.
    Github,
}

/// Settings for human output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Renders every diagnostic in `format`, one after the other.
pub fn render_all<'a>(
    sources: &SourceMap,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    format: MessageFormat,
    style: Style,
) -> String {
    let mut output = String::new();
    for diagnostic in diagnostics {
        let text = match format {
            MessageFormat::Human => human(sources, diagnostic, style),
            MessageFormat::Short => short(sources, diagnostic),
            MessageFormat::Json => json(sources, diagnostic),
            MessageFormat::Github => github(sources, diagnostic),
        };
        output.push_str(&text);
        if !text.ends_with('\n') {
            output.push('\n');
        }
    }
    output
}

/// A diagnostic in miette's terms: one source, its labels, and related reports for labels in
/// other files.
#[derive(Debug)]
struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<std::sync::Arc<String>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn std::fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<dyn Iterator<Item = _>>
        })
    }
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    }
}

fn labeled(span: Span, message: &str, primary: bool) -> LabeledSpan {
    let range = miette::SourceSpan::new(span.offset.into(), span.len);
    if primary {
        LabeledSpan::new_primary_with_span(Some(message.to_owned()), range)
    } else {
        LabeledSpan::new_with_span(Some(message.to_owned()), range)
    }
}

fn report(sources: &SourceMap, diagnostic: &Diagnostic) -> Report {
    let file = diagnostic.primary.as_ref().map(|l| l.span.file);
    let mut labels = Vec::new();
    let mut related = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        labels.push(labeled(primary.span, &primary.message, true));
    }
    for secondary in &diagnostic.secondary {
        if Some(secondary.span.file) == file {
            labels.push(labeled(secondary.span, &secondary.message, false));
            continue;
        }
        let source = sources.get(secondary.span.file);
        related.push(Report {
            message: format!("{} in {}", secondary.message, source.name),
            code: String::new(),
            severity: miette::Severity::Advice,
            help: None,
            source: Some(source.named_source()),
            labels: vec![labeled(secondary.span, &secondary.message, true)],
            related: Vec::new(),
        });
    }
    Report {
        message: diagnostic.message.clone(),
        code: diagnostic.code.name().to_owned(),
        severity: miette_severity(diagnostic.severity),
        help: diagnostic.help.clone(),
        source: file.map(|f| sources.get(f).named_source()),
        labels,
        related,
    }
}

fn human(sources: &SourceMap, diagnostic: &Diagnostic, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut text = String::new();
    if handler
        .render_report(&mut text, &report(sources, diagnostic))
        .is_err()
    {
        return short(sources, diagnostic);
    }
    text
}

/// Returns the file name, line and column of a diagnostic's primary label.
fn position(sources: &SourceMap, diagnostic: &Diagnostic) -> Option<(String, usize, usize)> {
    let label = diagnostic.primary.as_ref()?;
    let source = sources.get(label.span.file);
    let (line, column) = source.line_column(label.span.offset);
    Some((source.name.clone(), line, column))
}

fn short(sources: &SourceMap, diagnostic: &Diagnostic) -> String {
    let severity = diagnostic.severity.name();
    let code = diagnostic.code.name();
    match position(sources, diagnostic) {
        Some((file, line, column)) => format!(
            "{file}:{line}:{column}: {severity}[{code}]: {}",
            diagnostic.message
        ),
        None => format!("{severity}[{code}]: {}", diagnostic.message),
    }
}

fn json(sources: &SourceMap, diagnostic: &Diagnostic) -> String {
    let position = position(sources, diagnostic);
    let span = diagnostic
        .primary
        .as_ref()
        .map(|l| serde_json::json!({"offset": l.span.offset, "length": l.span.len}));
    let labels: Vec<serde_json::Value> = diagnostic
        .primary
        .iter()
        .chain(diagnostic.secondary.iter())
        .map(|label| {
            let source = sources.get(label.span.file);
            let (line, column) = source.line_column(label.span.offset);
            serde_json::json!({
                "file": source.name,
                "line": line,
                "column": column,
                "span": {"offset": label.span.offset, "length": label.span.len},
                "message": label.message,
            })
        })
        .collect();
    let object = serde_json::json!({
        "code": diagnostic.code.name(),
        "severity": diagnostic.severity.name(),
        "message": diagnostic.message,
        "file": position.as_ref().map(|p| p.0.clone()),
        "line": position.as_ref().map(|p| p.1),
        "column": position.as_ref().map(|p| p.2),
        "span": span,
        "labels": labels,
        "help": diagnostic.help,
    });
    object.to_string()
}

/// Escapes text for a workflow command's message, where `%`, CR and LF are special.
fn escape_github(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes text for a workflow command's properties, where `:` and `,` are special too.
fn escape_github_property(text: &str) -> String {
    escape_github(text).replace(':', "%3A").replace(',', "%2C")
}

fn github(sources: &SourceMap, diagnostic: &Diagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut message = format!("{} [{}]", diagnostic.message, diagnostic.code.name());
    if let Some(help) = &diagnostic.help {
        let _ = write!(message, "\nhelp: {help}");
    }
    let title = escape_github_property(&format!("poolc {}", diagnostic.code.name()));
    match position(sources, diagnostic) {
        Some((file, line, column)) => format!(
            "::{command} file={},line={line},col={column},title={title}::{}",
            escape_github_property(&file),
            escape_github(&message)
        ),
        None => format!("::{command} title={title}::{}", escape_github(&message)),
    }
}
