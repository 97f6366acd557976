//! Lifting values out of a module's linear memory and lowering them into it
//! (`spec/it-section.md` §6, `spec/abi.md` §5).
//!
//! Layout: packed little-endian, no padding; strings, byte arrays and arrays are (u32 pointer,
//! u32 length) pairs, records are u32 pointers to their packed fields.
//!
//! Everything a module controls is distrusted: every pointer and length read from memory or
//! passed by the guest is bounds-checked in u64 (`offset + size <= memory size`, D17, D18)
//! before any host buffer is sized from it (D19, D20); zero-length values are never
//! bounds-checked, since nothing is read (D53); nesting is bounded at [`MAX_DEPTH`] (D21); the
//! bytes lifted per adapter run are bounded by a [`LiftBudget`] (D24); every `allocate` result
//! is checked (D22). Lifting decodes from one slice per region and lowering writes each buffer
//! once (D48).
//!
//! These functions serve the adapter interpreter and, directly, the runtime (host imports such
//! as call parameters and mounted binaries).

mod bounds;
mod error;
mod image;
mod lift;
mod lower;

pub use crate::records::{FieldLayout, MAX_DEPTH, RecordLayout, RecordTable, RecordTableError};
pub use error::{LiftError, LowerError};
pub use image::{RecordImage, crosses_as_image, image_fits};
pub use lift::{
    lift_array, lift_byte_array, lift_flat, lift_record, lift_record_image, lift_string,
};
pub use lower::{
    Lowered, lower_array, lower_byte_array, lower_record, lower_record_image, lower_string,
    lower_value,
};
pub(crate) use lower::{lower_array_typed, lower_record_typed};

use alloc::boxed::Box;

/// An error raised by the embedder (a trap, a failed call, an inaccessible memory), carried
/// through unchanged so that the runtime can downcast it later.
pub type HostError = Box<dyn core::error::Error + Send + Sync>;

/// The default bound on the bytes lifted by one adapter run: enough for a 32 MiB string to
/// make a round trip through several modules, far below what would exhaust a host.
pub const DEFAULT_MAX_LIFTED_BYTES: u64 = 256 * 1024 * 1024;

/// What lowering needs from the module it writes into: its `allocate` export and its memory.
///
/// The adapter interpreter implements it over [`AdapterHost`](crate::adapter::AdapterHost);
/// the runtime implements it for host imports that return values into a module.
pub trait LowerTarget {
    /// Calls the module's `allocate(size, tag)` and returns the offset it gives, unchecked
    /// (lowering checks it, D22). Errors: [`LowerError::AllocateCallFailed`] or
    /// [`LowerError::AllocateIncompatibleOutput`].
    fn allocate(&mut self, size: u32, tag: u32) -> Result<u32, LowerError>;

    /// The module's linear memory, as it is now (`allocate` may have grown it).
    fn memory(&mut self) -> Result<&mut [u8], HostError>;
}

/// The bound on the bytes one adapter run may lift (D24).
///
/// The cost of a lifted value is the host memory it occupies: the bytes of every string and
/// byte array plus `size_of::<IValue>()` for every array element and record field. Without a
/// bound, many elements pointing at one large region would lift to far more than the memory
/// holds. Each adapter run starts with a fresh budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiftBudget {
    limit: u64,
    used: u64,
}

impl LiftBudget {
    /// A budget of `limit` bytes.
    pub const fn new(limit: u64) -> Self {
        Self { limit, used: 0 }
    }

    /// The bytes charged so far.
    pub const fn used(&self) -> u64 {
        self.used
    }

    /// The limit this budget was created with.
    pub const fn limit(&self) -> u64 {
        self.limit
    }

    /// Charges `bytes`, failing once the total would exceed the limit.
    #[inline]
    pub(crate) fn charge(&mut self, bytes: u64) -> Result<(), LiftError> {
        match self.used.checked_add(bytes) {
            Some(used) if used <= self.limit => {
                self.used = used;
                Ok(())
            }
            _ => Err(LiftError::BudgetExceeded { limit: self.limit }),
        }
    }
}

impl Default for LiftBudget {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LIFTED_BYTES)
    }
}
