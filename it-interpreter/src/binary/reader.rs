//! A cursor over the section bytes that reads the format's primitives (§2.2).

use super::error::{DecodeError, DecodeErrorKind};
use alloc::string::String;
use alloc::vec::Vec;

/// A uleb may take at most this many bytes: enough for a full u64 (D3).
const MAX_ULEB_BYTES: usize = 10;

/// Reads primitives from a byte slice; every error carries the offset of the item's start.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub(super) fn offset(&self) -> usize {
        self.pos
    }

    pub(super) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(super) fn error(offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError { offset, kind }
    }

    pub(super) fn byte(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        let byte = self
            .bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| Self::error(self.pos, DecodeErrorKind::UnexpectedEnd { what }))?;
        self.pos += 1;
        Ok(byte)
    }

    /// An unsigned LEB128 of at most 10 bytes; padded encodings (`85 80 00` = 5) are accepted,
    /// as Marine accepts them.
    pub(super) fn uleb(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let start = self.pos;
        let mut value = 0u64;
        for index in 0..MAX_ULEB_BYTES {
            let byte = self.byte(what).map_err(|mut error| {
                error.offset = start;
                error
            })?;
            let bits = u64::from(byte & 0x7f);
            let shift = 7 * index;
            if index == MAX_ULEB_BYTES - 1 && bits > 1 {
                return Err(Self::error(start, DecodeErrorKind::UlebOverflow { what }));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Self::error(start, DecodeErrorKind::UlebTooLong { what }))
    }

    /// A uleb that must fit in a u32 (Marine truncates silently: D4).
    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let start = self.pos;
        let value = self.uleb(what)?;
        u32::try_from(value)
            .map_err(|_| Self::error(start, DecodeErrorKind::U32Overflow { what, value }))
    }

    /// A count of items that follow. Every item takes at least one byte, so a count above the
    /// remaining length is corrupt; checking it here bounds every allocation by the input.
    pub(super) fn count(&mut self, what: &'static str) -> Result<usize, DecodeError> {
        let start = self.pos;
        let count = self.uleb(what)?;
        let remaining = self.remaining();
        match usize::try_from(count) {
            Ok(count) if count <= remaining => Ok(count),
            _ => Err(Self::error(
                start,
                DecodeErrorKind::CountTooLarge {
                    what,
                    count,
                    remaining,
                },
            )),
        }
    }

    /// A string: a one-byte length (never LEB: lengths 128–255 are one byte, D2), then UTF-8.
    pub(super) fn string(&mut self, what: &'static str) -> Result<String, DecodeError> {
        let start = self.pos;
        let len = usize::from(self.byte(what)?);
        let end = self.pos + len;
        let bytes = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| Self::error(start, DecodeErrorKind::UnexpectedEnd { what }))?;
        self.pos = end;
        String::from_utf8(Vec::from(bytes))
            .map_err(|_| Self::error(start, DecodeErrorKind::InvalidUtf8 { what }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uleb(bytes: &[u8]) -> Result<u64, DecodeErrorKind> {
        Reader::new(bytes).uleb("test").map_err(|error| error.kind)
    }

    #[test]
    fn uleb_limits() {
        assert_eq!(uleb(&[0x05]), Ok(5));
        assert_eq!(uleb(&[0x85, 0x80, 0x00]), Ok(5), "padding is accepted");
        assert_eq!(uleb(&[0xe5, 0x8e, 0x26]), Ok(624_485));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(uleb(&max), Ok(u64::MAX));
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(
            uleb(&over),
            Err(DecodeErrorKind::UlebOverflow { what: "test" })
        );
        let long = [0x80; 11];
        assert_eq!(
            uleb(&long),
            Err(DecodeErrorKind::UlebTooLong { what: "test" })
        );
        assert_eq!(
            uleb(&[0x80]),
            Err(DecodeErrorKind::UnexpectedEnd { what: "test" })
        );
    }

    #[test]
    fn strings_have_a_one_byte_length() {
        let mut bytes = alloc::vec![200u8];
        bytes.extend(core::iter::repeat_n(b'a', 200));
        assert_eq!(Reader::new(&bytes).string("name").map(|s| s.len()), Ok(200));
        assert!(Reader::new(&[2, 0xff, 0xfe]).string("name").is_err());
    }
}
