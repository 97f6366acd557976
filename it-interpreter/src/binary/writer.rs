//! An output buffer that writes the format's primitives (§2.2), refusing what Marine's decoder
//! would misread (D1–D3).

use super::error::{EncodeError, EncodeProblem};
use super::{
    ARRAY_CODE, MAX_ENCODED_LIST_LEN, MAX_TYPE_NESTING, RECORD_CODE, leaf_code, peel_arrays,
};
use crate::types::IType;
use alloc::string::String;
use alloc::vec::Vec;

/// Appends primitives to a byte vector. `item` closures name the item for error messages;
/// they run only when an error is reported.
#[derive(Default)]
pub(super) struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub(super) fn finish(self) -> Vec<u8> {
        self.bytes
    }

    pub(super) fn byte(&mut self, byte: u8) {
        self.bytes.push(byte);
    }

    /// Minimal unsigned LEB128.
    pub(super) fn uleb(&mut self, mut value: u64) {
        loop {
            let low = u8::try_from(value & 0x7f).unwrap_or_default();
            value >>= 7;
            if value == 0 {
                self.bytes.push(low);
                return;
            }
            self.bytes.push(low | 0x80);
        }
    }

    /// A section count: uleb without limit (Marine reads these as uleb too).
    pub(super) fn section_count(&mut self, len: usize) {
        self.uleb(u64::try_from(len).unwrap_or(u64::MAX));
    }

    /// A list count: at most 127 items, because Marine reads it as one byte (D1).
    pub(super) fn list_count(
        &mut self,
        len: usize,
        items: &'static str,
        item: impl FnOnce() -> String,
    ) -> Result<(), EncodeError> {
        if len > MAX_ENCODED_LIST_LEN {
            return Err(EncodeError {
                item: item(),
                problem: EncodeProblem::ListTooLong { len, items },
            });
        }
        self.section_count(len);
        Ok(())
    }

    /// A string with its one-byte length: at most
    /// [`MAX_ENCODED_STRING_LEN`](super::MAX_ENCODED_STRING_LEN) bytes (D2).
    pub(super) fn string(
        &mut self,
        text: &str,
        item: impl FnOnce() -> String,
    ) -> Result<(), EncodeError> {
        let len = u8::try_from(text.len()).map_err(|_| EncodeError {
            item: item(),
            problem: EncodeProblem::StringTooLong { len: text.len() },
        })?;
        self.bytes.push(len);
        self.bytes.extend_from_slice(text.as_bytes());
        Ok(())
    }

    /// An encoded type, written without recursion so that any hand-built type is safe; types
    /// the decoder would refuse as too deep are refused here too (D67).
    pub(super) fn itype(
        &mut self,
        ty: &IType,
        item: impl FnOnce() -> String,
    ) -> Result<(), EncodeError> {
        let (depth, leaf) = peel_arrays(ty);
        if depth > MAX_TYPE_NESTING {
            return Err(EncodeError {
                item: item(),
                problem: EncodeProblem::TypeTooDeep,
            });
        }
        self.bytes.extend(core::iter::repeat_n(ARRAY_CODE, depth));
        match (leaf, leaf_code(leaf)) {
            (_, Some(code)) => self.byte(code),
            (IType::Record(id), None) => {
                self.byte(RECORD_CODE);
                self.uleb(*id);
            }
            // `peel_arrays` leaves no array and every other type has a code.
            (_, None) => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uleb_is_minimal() {
        let mut writer = Writer::default();
        writer.uleb(0);
        writer.uleb(127);
        writer.uleb(128);
        writer.uleb(u64::MAX);
        assert_eq!(
            writer.finish(),
            [
                0, 0x7f, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
            ]
        );
    }
}
