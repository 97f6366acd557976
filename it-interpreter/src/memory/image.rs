//! Record images: a flat record crossing from one module to another as bytes.
//!
//! A record argument or result of a cross-module call is lifted out of one module's memory
//! and lowered into the other's. For a flat record (scalars, strings and byte arrays, no
//! record or array inside) whose layout is the same on both sides, the [`IValue`] in between
//! (a vector of fields, a `String`, a `Vec<u8>`, all dropped right after) carries nothing the
//! bytes do not: the image keeps the bytes instead, in a buffer reused from call to call.
//!
//! Lifting an image makes the same checks, in the same order, as lifting the record
//! ([`lift_record`](crate::memory::lift_record)): bounds, the lift budget, UTF-8. Lowering one
//! makes the same `allocate` calls, in the same order, as lowering the record, and writes the
//! same bytes (booleans as 0 or 1). So a call through images is indistinguishable from one
//! through values, errors included.
//!
//! [`IValue`]: crate::IValue

use crate::records::RecordLayout;
use alloc::vec::Vec;

/// Flat records up to this size are gathered on the stack when lowered (Marine's SDK
/// records are well under it); images are only made of records that fit.
pub(crate) const INLINE_RECORD: usize = 256;

/// A flat record as read from a module's memory: its packed bytes, then the bytes of its
/// strings and byte arrays in field order (their lengths are in the packed bytes).
///
/// Made by [`lift_record_image`](crate::memory::lift_record_image) and consumed by
/// [`lower_record_image`](crate::memory::lower_record_image); keep one and reuse it, so that
/// a call allocates nothing for it once the buffer has grown.
///
/// ```
/// use strait_it::memory::RecordImage;
///
/// let image = RecordImage::new();
/// assert!(!image.is_filled());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordImage {
    pub(crate) bytes: Vec<u8>,
    pub(crate) filled: bool,
}

impl RecordImage {
    /// An empty image.
    pub const fn new() -> Self {
        Self {
            bytes: Vec::new(),
            filled: false,
        }
    }

    /// Whether a record was lifted into the image since it was last [`clear`](Self::clear)ed.
    pub fn is_filled(&self) -> bool {
        self.filled
    }

    /// Empties the image, keeping its buffer.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.filled = false;
    }
}

/// Whether records of `layout` can cross as images: flat and small enough to be gathered on
/// the stack.
pub fn crosses_as_image(layout: &RecordLayout) -> bool {
    layout.is_flat() && usize::try_from(layout.size).is_ok_and(|size| size <= INLINE_RECORD)
}

/// Whether an image of a record of layout `from` is one of a record of layout `to`: both
/// cross as images and their fields have the same types, so the packed bytes mean the same.
///
/// ```
/// use strait_it::memory::{RecordTable, image_fits};
/// use strait_it::{IType, RecordField, RecordType, TypeEntry};
///
/// let record = |ty: IType| {
///     TypeEntry::Record(RecordType {
///         name: "R".into(),
///         fields: vec![RecordField { name: "f".into(), ty }],
///     })
/// };
/// let table = RecordTable::new(&[record(IType::String), record(IType::ByteArray)]).unwrap();
/// let (string, bytes) = (table.get(0).unwrap(), table.get(1).unwrap());
/// assert!(image_fits(string, string));
/// assert!(!image_fits(string, bytes));
/// ```
pub fn image_fits(from: &RecordLayout, to: &RecordLayout) -> bool {
    crosses_as_image(from)
        && crosses_as_image(to)
        && from.size == to.size
        && from.fields.len() == to.fields.len()
        && from
            .fields
            .iter()
            .zip(&to.fields)
            .all(|(a, b)| a.ty == b.ty && a.offset == b.offset)
}
