//! Interface values: [`IValue`], one variant per [`IType`](crate::IType).

use alloc::string::String;
use alloc::vec::Vec;

/// A value of an interface type (`spec/it-section.md` §1.3).
///
/// Records carry only their field values, positionally: they are structural at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum IValue {
    /// `boolean`
    Boolean(bool),
    /// `s8`
    S8(i8),
    /// `s16`
    S16(i16),
    /// `s32`
    S32(i32),
    /// `s64`
    S64(i64),
    /// `u8`
    U8(u8),
    /// `u16`
    U16(u16),
    /// `u32`
    U32(u32),
    /// `u64`
    U64(u64),
    /// `f32`
    F32(f32),
    /// `f64`
    F64(f64),
    /// `string`
    String(String),
    /// `byte_array`
    ByteArray(Vec<u8>),
    /// `array (T)`
    Array(Vec<IValue>),
    /// `i32` (core wasm)
    I32(i32),
    /// `i64` (core wasm)
    I64(i64),
    /// `record N`: the field values in declaration order (never empty).
    Record(Vec<IValue>),
}

impl IValue {
    /// The variant's name as the IT types spell it, for error messages
    /// (`I32`, `String`, `Record`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            IValue::Boolean(_) => "Boolean",
            IValue::S8(_) => "S8",
            IValue::S16(_) => "S16",
            IValue::S32(_) => "S32",
            IValue::S64(_) => "S64",
            IValue::U8(_) => "U8",
            IValue::U16(_) => "U16",
            IValue::U32(_) => "U32",
            IValue::U64(_) => "U64",
            IValue::F32(_) => "F32",
            IValue::F64(_) => "F64",
            IValue::String(_) => "String",
            IValue::ByteArray(_) => "ByteArray",
            IValue::Array(_) => "Array",
            IValue::I32(_) => "I32",
            IValue::I64(_) => "I64",
            IValue::Record(_) => "Record",
        }
    }

    /// The bytes of a byte array: a `ByteArray`, or an `Array` whose elements are all `U8`
    /// (the two are interchangeable, `spec/it-section.md` §1.4). `None` for anything else.
    pub fn as_bytes(&self) -> Option<alloc::borrow::Cow<'_, [u8]>> {
        match self {
            IValue::ByteArray(bytes) => Some(alloc::borrow::Cow::Borrowed(bytes)),
            IValue::Array(items) => items
                .iter()
                .map(|item| match item {
                    IValue::U8(byte) => Some(*byte),
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
                .map(alloc::borrow::Cow::Owned),
            _ => None,
        }
    }
}

/// Pushes the value `make` makes onto `values`, made where it is stored.
///
/// `values.push(value)` takes a value made before the push, which may have to grow the
/// vector first (a call the value must outlive): so the value is built on the stack in
/// parts and then copied whole into the vector. That whole-value load of parts just stored
/// cannot be forwarded from the store buffer, a stall on every value, which cost more than
/// all the rest of lifting a record's scalar fields. Extending by an iterator of one makes
/// the value only once there is room, straight into its slot.
#[inline(always)]
pub(crate) fn push_value(values: &mut Vec<IValue>, make: impl FnOnce() -> IValue) {
    values.extend(core::iter::once_with(make));
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn byte_views() {
        assert_eq!(
            IValue::ByteArray(vec![1, 2]).as_bytes().as_deref(),
            Some(&[1u8, 2][..])
        );
        let array = IValue::Array(vec![IValue::U8(3), IValue::U8(4)]);
        assert_eq!(array.as_bytes().as_deref(), Some(&[3u8, 4][..]));
        assert_eq!(
            IValue::Array(vec![IValue::U8(3), IValue::S8(4)]).as_bytes(),
            None
        );
        assert_eq!(IValue::Array(vec![]).as_bytes().as_deref(), Some(&[][..]));
        assert_eq!(IValue::I32(1).as_bytes(), None);
    }
}
