//! The IT text format (`spec/it-section.md` §4): [`print`], [`parse`] and
//! [`parse_annotations`] for whole sections, and, for the pieces of one, [`parse_instructions`]
//! (an adapter body) and [`IType`]'s `FromStr` (a type), with the same lexer and parser.
//!
//! strait prints Marine's layout but writes `boolean` and `byte_array` (D6, D7), so that what
//! it prints always parses back to the same section and re-encodes to the same bytes. The
//! parser also reads Marine's own printouts (`bool`, `array (u8)`, which is `Array(U8)`), and
//! names that are not WAT ids in string form (`"my field":`), which the printer uses for them.

mod lexer;
mod parser;
mod printer;

pub use printer::print;

use crate::instructions::Instruction;
use crate::section::Section;
use crate::types::IType;
use alloc::string::String;
use alloc::vec::Vec;
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

/// Parses a list of instructions written as in an adapter body, e.g. `arg.get 0 string.size
/// call-core 6` (whitespace and comments between them, immediates as in §4.2): what
/// `(@interface func (type N) …)` holds after its type. Error positions refer to `text`.
pub fn parse_instructions(text: &str) -> Result<Vec<Instruction>, ParseError> {
    Parser::new(text).instructions()
}

/// Parses one type in the IT text format (§4.2): a scalar's name, `string`, `byte_array`,
/// `array (T)`, `record N`, or Marine's `bool` for `boolean` (D6); nothing may follow it.
impl core::str::FromStr for IType {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, ParseError> {
        Parser::new(text).only_itype()
    }
}
