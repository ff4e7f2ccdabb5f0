//! Pool files as loaded from disk, and byte spans into them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn new(file: FileId, offset: usize, len: usize) -> Self {
        Span { file, offset, len }
    }

    pub fn from_miette(file: FileId, span: miette::SourceSpan) -> Self {
        Span::new(file, span.offset(), span.len())
    }

    pub fn end(&self) -> usize {
        self.offset + self.len
    }

    /// Narrows this span to `len` bytes starting `start` bytes in.
    pub fn slice(&self, start: usize, len: usize) -> Span {
        Span::new(self.file, self.offset + start, len)
    }
}

/// One pool file: its path as the user named it and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown in diagnostics.
    pub name: String,
    pub text: Arc<String>,
    /// Byte offsets where each line starts, computed on first use.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// Returns the file's text as a miette source that carries the file name.
    pub fn named_source(&self) -> NamedSource<Arc<String>> {
        NamedSource::new(self.name.clone(), Arc::clone(&self.text)).with_language("kdl")
    }

    /// Returns the 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|start| *start <= offset);
        let line_start = starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        let column = self.text.get(line_start..offset).unwrap_or("").chars().count() + 1;
        (line, column)
    }

    /// Returns the text under a span, or "" when the span is out of range.
    pub fn text_at(&self, span: Span) -> &str {
        self.text.get(span.offset..span.end()).unwrap_or("")
    }
}

/// Every file read in one run, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: &Path, name: String, text: String) -> FileId {
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            name,
            text: Arc::new(text),
            line_starts: std::sync::OnceLock::new(),
        });
        FileId(self.files.len() - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }
}
