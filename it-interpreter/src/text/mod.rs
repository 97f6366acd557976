//! The IT text format (`spec/it-section.md` §4): [`print`], [`parse`] and
//! [`parse_annotations`].
//!
//! strait prints Marine's layout but writes `boolean` and `byte_array` (D6, D7), so that what
//! it prints always parses back to the same section and re-encodes to the same bytes. The
//! parser also reads Marine's own printouts (`bool`, `array (u8)`, which is `Array(U8)`), and
//! names that are not WAT ids in string form (`"my field":`), which the printer uses for them.

mod lexer;
mod parser;
mod printer;

pub use printer::print;

use crate::section::Section;
use alloc::string::String;
use parser::{Mode, Parser};

/// A text-format error with its 1-based position (line, column in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses an IT text: a sequence of `(@interface …)` items (§4.2) and nothing else besides
/// whitespace and comments. Exactly one `it_version` is required.
pub fn parse(text: &str) -> Result<Section, ParseError> {
    Parser::new(text).parse(Mode::ItText)
}

/// Reads every `(@interface …)` item of a whole WAT file and skips everything else, strings
/// and comments included, so that a `.wat` module can carry its IT section inline. Error
/// positions refer to the whole file.
pub fn parse_annotations(wat_source: &str) -> Result<Section, ParseError> {
    Parser::new(wat_source).parse(Mode::Wat)
}
