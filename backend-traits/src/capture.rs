//! A shared buffer that captures what a guest writes to stdout or stderr.

use alloc::sync::Arc;
use alloc::vec::Vec;

/// Default cap of a capture: a guest cannot make the host allocate without bound.
pub const DEFAULT_CAPTURE_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Debug, Default)]
struct Inner {
    bytes: Vec<u8>,
    dropped: usize,
}

/// A shared, bounded byte buffer: the runtime keeps one handle, the engine writes through
/// another. Bytes past the limit are dropped and counted.
#[derive(Debug, Clone)]
pub struct OutputCapture {
    inner: Arc<spin::Mutex<Inner>>,
    limit: usize,
}

impl Default for OutputCapture {
    fn default() -> Self {
        Self::new()
    }
}

impl OutputCapture {
    /// A capture bounded by [`DEFAULT_CAPTURE_LIMIT`].
    pub fn new() -> Self {
        Self::with_limit(DEFAULT_CAPTURE_LIMIT)
    }

    /// A capture that keeps at most `limit` bytes.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            inner: Arc::default(),
            limit,
        }
    }

    /// Appends `bytes`, as much as the limit allows; returns how many were kept.
    pub fn write(&self, bytes: &[u8]) -> usize {
        let mut inner = self.inner.lock();
        let room = self.limit.saturating_sub(inner.bytes.len());
        let kept = bytes.len().min(room);
        inner.bytes.extend_from_slice(&bytes[..kept]);
        inner.dropped = inner.dropped.saturating_add(bytes.len() - kept);
        kept
    }

    /// A copy of everything captured so far.
    pub fn contents(&self) -> Vec<u8> {
        self.inner.lock().bytes.clone()
    }

    /// Takes everything captured so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        core::mem::take(&mut self.inner.lock().bytes)
    }

    /// Bytes held.
    pub fn len(&self) -> usize {
        self.inner.lock().bytes.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes dropped because the limit was reached.
    pub fn dropped(&self) -> usize {
        self.inner.lock().dropped
    }
}

#[cfg(feature = "std")]
impl std::io::Write for OutputCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Report everything as written: a full capture drops output, it does not fail the guest.
        OutputCapture::write(self, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_the_limit() {
        let c = OutputCapture::with_limit(4);
        let other = c.clone();
        assert_eq!(other.write(b"abc"), 3);
        assert_eq!(other.write(b"def"), 1);
        assert_eq!(c.contents(), b"abcd");
        assert_eq!(c.dropped(), 2);
        assert_eq!(c.take(), b"abcd");
        assert!(c.is_empty());
    }
}
