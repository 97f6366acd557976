//! Bounds checks and little-endian decoding from slices that were checked once.

use crate::memory::LiftError;
use core::ops::Range;

/// The byte range `[offset, offset + size)` if it lies inside a memory of `memory_len` bytes.
///
/// Computed in u64: `offset` comes from a u32 and `size` is at most 8 × u32::MAX, so the sum
/// cannot overflow, and a region ending exactly at the end of memory is valid (D17).
#[inline]
pub(crate) fn region(memory_len: usize, offset: u32, size: u64) -> Result<Range<usize>, LiftError> {
    let start = u64::from(offset);
    let memory_size = memory_len as u64;
    let end = start.saturating_add(size);
    if end <= memory_size {
        // Both ends are at most `memory_len`, so they fit in usize.
        if let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) {
            return Ok(start..end);
        }
    }
    Err(LiftError::OutOfBounds {
        offset: start,
        size,
        memory_size,
    })
}

/// Reads packed little-endian values from a slice in order.
///
/// The slice was bounds-checked as a whole; running past its end can only mean a layout bug,
/// and it is reported as an out-of-bounds error rather than a panic.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    /// Offset of `bytes[0]` in memory, for error messages.
    base: u64,
    position: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], base: u32) -> Self {
        Self {
            bytes,
            base: u64::from(base),
            position: 0,
        }
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], LiftError> {
        let chunk = self
            .bytes
            .get(self.position..)
            .and_then(<[u8]>::first_chunk::<N>)
            .ok_or(LiftError::OutOfBounds {
                offset: self.base + self.position as u64,
                size: N as u64,
                memory_size: self.base + self.bytes.len() as u64,
            })?;
        self.position += N;
        Ok(*chunk)
    }

    /// Moves `count` bytes on, to a field at that offset.
    #[inline]
    pub(crate) fn skip(&mut self, count: u32) -> Result<(), LiftError> {
        match usize::try_from(count)
            .ok()
            .and_then(|count| self.position.checked_add(count))
        {
            Some(position) if position <= self.bytes.len() => {
                self.position = position;
                Ok(())
            }
            _ => Err(LiftError::OutOfBounds {
                offset: self.base + self.position as u64,
                size: u64::from(count),
                memory_size: self.base + self.bytes.len() as u64,
            }),
        }
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, LiftError> {
        self.array::<4>().map(u32::from_le_bytes)
    }
}
