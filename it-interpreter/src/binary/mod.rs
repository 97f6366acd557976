//! The binary codec of the `interface-types` section (`spec/it-section.md` §2).
//!
//! [`Section::decode`](crate::Section::decode) and [`Section::encode`](crate::Section::encode)
//! follow Marine's format with strait's fixes (`spec/marine-defects.md` D1–D5, D67): the decoder
//! accepts everything Marine writes and a little more (uleb list counts, 10-byte uleb), the
//! encoder refuses what Marine's decoder would misread, and neither can be made to panic,
//! recurse without bound or allocate beyond its input.

mod decode;
mod encode;
mod error;
mod reader;
mod writer;

pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeProblem};

use crate::types::IType;

/// The deepest nesting of `array (…)` a type may have in a section, decoded or parsed (D67; the
/// same bound as lifting, D21). Deeper types are rejected instead of risking the host's stack.
pub const MAX_TYPE_NESTING: usize = 1024;

/// The longest list (parameters, results, record fields, adapter instructions) that Marine's
/// decoder reads correctly: it takes the count as one byte although it is written as uleb (D1).
pub const MAX_ENCODED_LIST_LEN: usize = 127;

/// The longest string (name, namespace, version) the format can carry: its length is one byte
/// (D2).
pub const MAX_ENCODED_STRING_LEN: usize = 255;

/// Section kind bytes (§2.3).
mod kind {
    pub(super) const TYPES: u8 = 0x00;
    pub(super) const IMPORTS: u8 = 0x01;
    pub(super) const ADAPTERS: u8 = 0x02;
    pub(super) const EXPORTS: u8 = 0x03;
    pub(super) const IMPLEMENTATIONS: u8 = 0x04;
    pub(super) const VERSION: u8 = 0x05;
}

/// Type-entry kind bytes (§2.3).
mod entry {
    pub(super) const FUNCTION: u8 = 0x00;
    pub(super) const RECORD: u8 = 0x01;
}

/// The type code prefixing the element type of an `array (T)`.
const ARRAY_CODE: u8 = 0x36;
/// The type code prefixing the type index of a `record N`.
const RECORD_CODE: u8 = 0x0e;

/// The code of a type that is neither an array nor a record (§1.1).
fn leaf_code(ty: &IType) -> Option<u8> {
    Some(match ty {
        IType::S8 => 0x00,
        IType::S16 => 0x01,
        IType::S32 => 0x02,
        IType::S64 => 0x03,
        IType::U8 => 0x04,
        IType::U16 => 0x05,
        IType::U32 => 0x06,
        IType::U64 => 0x07,
        IType::F32 => 0x08,
        IType::F64 => 0x09,
        IType::String => 0x0a,
        IType::Boolean => 0x0b,
        IType::I32 => 0x0c,
        IType::I64 => 0x0d,
        IType::ByteArray => 0x3c,
        IType::Array(_) | IType::Record(_) => return None,
    })
}

/// The inverse of [`leaf_code`].
fn leaf_type(code: u8) -> Option<IType> {
    Some(match code {
        0x00 => IType::S8,
        0x01 => IType::S16,
        0x02 => IType::S32,
        0x03 => IType::S64,
        0x04 => IType::U8,
        0x05 => IType::U16,
        0x06 => IType::U32,
        0x07 => IType::U64,
        0x08 => IType::F32,
        0x09 => IType::F64,
        0x0a => IType::String,
        0x0b => IType::Boolean,
        0x0c => IType::I32,
        0x0d => IType::I64,
        0x3c => IType::ByteArray,
        _ => return None,
    })
}

/// Splits `array (array (… T))` into the number of `array` levels and the innermost `T`,
/// without recursion, so that a hand-built type of any depth cannot overflow the stack.
pub(crate) fn peel_arrays(mut ty: &IType) -> (usize, &IType) {
    let mut depth = 0;
    while let IType::Array(inner) = ty {
        depth += 1;
        ty = inner;
    }
    (depth, ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_codes_are_inverse() {
        for code in 0..=u8::MAX {
            if let Some(ty) = leaf_type(code) {
                assert_eq!(leaf_code(&ty), Some(code));
            }
        }
        assert_eq!(leaf_type(ARRAY_CODE), None);
        assert_eq!(leaf_type(RECORD_CODE), None);
        assert_eq!(leaf_type(0x46), None, "U128 never shipped");
    }
}
