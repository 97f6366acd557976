//! Errors of the binary codec.

use super::{MAX_ENCODED_LIST_LEN, MAX_ENCODED_STRING_LEN, MAX_TYPE_NESTING};
use alloc::string::String;

/// Why an `interface-types` section could not be decoded, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed interface-types section at offset {offset}: {kind}")]
pub struct DecodeError {
    /// Byte offset in the section payload of the item that is wrong.
    pub offset: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
}

/// The kinds of [`DecodeError`]. `what` names the item being read (`"export name"`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ends in the middle of an item.
    #[error("unexpected end of the section while reading the {what}")]
    UnexpectedEnd {
        /// The item being read.
        what: &'static str,
    },
    /// A uleb has its continuation bit set in its 10th byte.
    #[error("the {what} is a LEB128 integer longer than 10 bytes")]
    UlebTooLong {
        /// The item being read.
        what: &'static str,
    },
    /// A 10-byte uleb carries bits beyond the 64th.
    #[error("the {what} is a LEB128 integer that does not fit in 64 bits")]
    UlebOverflow {
        /// The item being read.
        what: &'static str,
    },
    /// A u32 field holds a larger value (Marine truncates it silently: D4).
    #[error("the {what} is {value}, larger than u32::MAX")]
    U32Overflow {
        /// The item being read.
        what: &'static str,
        /// The value found.
        value: u64,
    },
    /// A string is not UTF-8.
    #[error("the {what} is not valid UTF-8")]
    InvalidUtf8 {
        /// The item being read.
        what: &'static str,
    },
    /// A list or section count cannot fit in the bytes that remain (every item takes at least
    /// one byte), so the count is corrupt.
    #[error("the {what} count {count} exceeds the {remaining} bytes left in the section")]
    CountTooLarge {
        /// The list being read.
        what: &'static str,
        /// The count found.
        count: u64,
        /// Bytes left after the count.
        remaining: usize,
    },
    /// A section kind byte other than 0x00–0x05.
    #[error("unknown section kind {0:#04x}")]
    UnknownSectionKind(u8),
    /// A type entry that is neither a function (0x00) nor a record (0x01).
    #[error("unknown type entry kind {0:#04x} (0x00 is a function, 0x01 a record)")]
    UnknownTypeEntryKind(u8),
    /// A type code not in `spec/it-section.md` §1.1.
    #[error("unknown type code {0:#04x}")]
    UnknownTypeCode(u8),
    /// An opcode not in the instruction table.
    #[error("unknown instruction opcode {0:#04x}")]
    UnknownOpcode(u8),
    /// A record type without fields (Marine panics: D5).
    #[error("record type {type_index} has no fields")]
    EmptyRecord {
        /// Index of the record in the type list.
        type_index: usize,
    },
    /// A type nested deeper than [`MAX_TYPE_NESTING`] (D67).
    #[error("a type nests arrays more than {MAX_TYPE_NESTING} levels deep")]
    TypeTooDeep,
    /// No version section.
    #[error(
        "the section has no IT version: the module was probably built with an old toolchain \
         (before IT 0.18); rebuild it with a current marine"
    )]
    MissingVersion,
    /// More than one version section.
    #[error("the section has more than one IT version; only one is possible")]
    DuplicateVersion,
    /// The version is not a semver.
    #[error("the IT version {version:?} is not a valid semver: {reason}")]
    InvalidVersion {
        /// The version string found.
        version: String,
        /// Why it does not parse.
        reason: String,
    },
}

/// Why a section cannot be encoded in a form Marine reads back: names the item and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode the interface-types section: {item} {problem}")]
pub struct EncodeError {
    /// The item at fault, e.g. `adapter for type 7` or `name of export 3`.
    pub item: String,
    /// What is wrong with it.
    pub problem: EncodeProblem,
}

/// The kinds of [`EncodeError`], phrased as a predicate of the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeProblem {
    /// A list of 128 or more items (D1).
    #[error(
        "has {len} {items}; at most {MAX_ENCODED_LIST_LEN} can be encoded (Marine reads list \
         lengths as one byte)"
    )]
    ListTooLong {
        /// The list's length.
        len: usize,
        /// What the list holds (`instructions`, `parameters`, …).
        items: &'static str,
    },
    /// A string longer than 255 bytes (D2).
    #[error(
        "is {len} bytes long; at most {MAX_ENCODED_STRING_LEN} can be encoded (strings carry a \
         one-byte length)"
    )]
    StringTooLong {
        /// The string's length in bytes.
        len: usize,
    },
    /// A negative `i64.push` immediate (D3).
    #[error("pushes the negative i64 {value}, which has no encoding Marine can read")]
    NegativeI64Push {
        /// The immediate.
        value: i64,
    },
    /// A record type without fields (D5).
    #[error("has no fields")]
    EmptyRecord,
    /// A type nested deeper than [`MAX_TYPE_NESTING`] (D67).
    #[error("nests arrays more than {MAX_TYPE_NESTING} levels deep")]
    TypeTooDeep,
    /// The version is not a semver.
    #[error("{version:?} is not a valid semver: {reason}")]
    InvalidVersion {
        /// The version string.
        version: String,
        /// Why it does not parse.
        reason: String,
    },
}
