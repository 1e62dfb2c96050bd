//! Why a glossary, or one of its entries, cannot be used: every error names the file, and
//! the line and entry where there is one.

use thiserror::Error;

/// Why a glossary, or one of its entries, cannot be used.
#[derive(Debug, Error)]
pub enum GlossaryError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid glossary: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}: entry {number} ({source_term:?}): {message}")]
    Entry {
        path: String,
        line: usize,
        number: usize,
        source_term: String,
        message: String,
    },
    #[error("{path}: unknown glossary format (use .json, .tsv, .csv or .tbx)")]
    UnknownFormat { path: String },
    #[error("{path}: cannot write: {message}")]
    Unwritable { path: String, message: String },
}

impl GlossaryError {
    pub fn path(&self) -> &str {
        match self {
            GlossaryError::Io { path, .. }
            | GlossaryError::Syntax { path, .. }
            | GlossaryError::Entry { path, .. }
            | GlossaryError::UnknownFormat { path }
            | GlossaryError::Unwritable { path, .. } => path,
        }
    }

    pub fn line(&self) -> Option<usize> {
        match self {
            GlossaryError::Syntax { line, .. } | GlossaryError::Entry { line, .. } => Some(*line),
            _ => None,
        }
    }
}
