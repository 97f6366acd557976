//! Errors of lifting and lowering (`LiError` and `LoError` of `spec/it-section.md` §3.5).

use crate::compat::CompatError;
use crate::memory::HostError;
use core::str::Utf8Error;

/// Lifting a value out of linear memory failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiftError {
    /// A region lies (partly) outside memory. `offset + size` is the first byte past it.
    #[error(
        "out of bounds: {size} bytes at offset {offset} do not fit in memory of {memory_size} bytes"
    )]
    OutOfBounds {
        /// Start of the region.
        offset: u64,
        /// Size of the region in bytes.
        size: u64,
        /// Size of the memory in bytes.
        memory_size: u64,
    },
    /// A string's bytes are not UTF-8.
    #[error("the string at offset {offset} is not valid UTF-8: {error}")]
    InvalidUtf8String {
        /// Start of the string.
        offset: u64,
        /// What the decoder found.
        error: Utf8Error,
    },
    /// `record N` names no record type of the module.
    #[error("record type {record_type_id} is not found")]
    RecordNotFound {
        /// The type index.
        record_type_id: u64,
    },
    /// Records or arrays nest deeper than the limit (D21), for example through a pointer cycle.
    #[error("value nesting exceeds {limit} levels")]
    TooDeep {
        /// The nesting limit.
        limit: u32,
    },
    /// The core values given for a flattened value do not have its shape (`spec/abi.md` §4).
    #[error("{count} core value(s) of the wrong kind for a value of type `{ty}`")]
    CoreValues {
        /// The type being lifted.
        ty: crate::types::IType,
        /// How many core values were given.
        count: usize,
    },
    /// A core value is outside the range of the scalar type it is lifted as.
    #[error("failed to cast `{value}` to `{ty}`")]
    OutOfRange {
        /// The scalar type.
        ty: crate::types::IType,
        /// The core value, as printed for the message.
        value: alloc::string::String,
    },
    /// The adapter run lifted more bytes than its budget allows (D24).
    #[error("lifted values exceed the limit of {limit} bytes per call")]
    BudgetExceeded {
        /// The configured limit.
        limit: u64,
    },
}

/// Lowering a value into linear memory failed.
#[derive(Debug, thiserror::Error)]
pub enum LowerError {
    /// Calling `allocate` failed (for example a trap when the module is out of memory).
    #[error("failed to call `allocate`: {reason}")]
    AllocateCallFailed {
        /// The host's error.
        reason: HostError,
    },
    /// `allocate` did not return exactly one `i32`.
    #[error("allocate must return one i32")]
    AllocateIncompatibleOutput,
    /// `allocate(size, tag)` with `size > 0` returned 0 (D22).
    #[error("`allocate({size}, {tag})` returned a null pointer")]
    AllocateNull {
        /// The requested size.
        size: u32,
        /// The requested type tag.
        tag: u32,
    },
    /// `allocate` returned a region outside memory (D22).
    #[error(
        "`allocate({size}, {tag})` returned offset {ptr}, outside memory of {memory_size} bytes"
    )]
    AllocateOutOfBounds {
        /// The returned offset.
        ptr: u32,
        /// The requested size.
        size: u32,
        /// The requested type tag.
        tag: u32,
        /// Size of the memory in bytes after the call.
        memory_size: u64,
    },
    /// The module's memory is not accessible.
    #[error("memory is not accessible: {reason}")]
    Memory {
        /// The host's error.
        reason: HostError,
    },
    /// A write would fall outside memory.
    #[error(
        "out of bounds: {size} bytes at offset {offset} do not fit in memory of {memory_size} bytes"
    )]
    OutOfBounds {
        /// Start of the region.
        offset: u64,
        /// Size of the region in bytes.
        size: u64,
        /// Size of the memory in bytes.
        memory_size: u64,
    },
    /// The value does not match the type it is lowered as (`spec/it-section.md` §1.4).
    #[error(transparent)]
    Incompatible(#[from] CompatError),
    /// A buffer would be 4 GiB or larger: its size cannot be passed to `allocate`.
    #[error("a buffer of {size} bytes cannot be allocated in a 32-bit memory")]
    TooLarge {
        /// The size that was needed.
        size: u64,
    },
    /// Records or arrays nest deeper than the limit (D21).
    #[error("value nesting exceeds {limit} levels")]
    TooDeep {
        /// The nesting limit.
        limit: u32,
    },
    /// A [`RecordImage`](crate::memory::RecordImage) that was not lifted with the record's
    /// layout (a host bug: images are only passed between layouts that fit).
    #[error("the record image does not hold a record `{record}`")]
    ImageMismatch {
        /// The record type's name.
        record: alloc::string::String,
    },
}
