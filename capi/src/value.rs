//! Typed values: scalars, strings and byte arrays as C structs, for `strait_service_call` and
//! host functions.

use crate::error::strait_error;
use crate::ffi;
use alloc::borrow::ToOwned;
use alloc::vec::Vec;
use strait::{IType, IValue};

/// The kinds of `strait_value`, as its `kind` field takes them. The values are stable.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum strait_value_kind {
    /// `bool` (field `u`: 0 or 1).
    Bool = 1,
    /// `i8` in Rust, `s8` in IT (field `i`).
    S8 = 2,
    /// `i16` / `s16` (field `i`).
    S16 = 3,
    /// `i32` / `s32` (field `i`).
    S32 = 4,
    /// `i64` / `s64` (field `i`).
    S64 = 5,
    /// `u8` (field `u`).
    U8 = 6,
    /// `u16` (field `u`).
    U16 = 7,
    /// `u32` (field `u`).
    U32 = 8,
    /// `u64` (field `u`).
    U64 = 9,
    /// `f32` (field `f`).
    F32 = 10,
    /// `f64` (field `f`).
    F64 = 11,
    /// `String` / `string`: UTF-8 (fields `data`, `len`; not NUL-terminated).
    String = 12,
    /// `Vec<u8>` / `byte_array` (fields `data`, `len`).
    ByteArray = 13,
    /// The core wasm `i32` (field `i`), for functions whose IT type names it.
    I32 = 14,
    /// The core wasm `i64` (field `i`).
    I64 = 15,
}

/// A typed value. `kind` (one of `strait_value_kind`) says which field holds it: `i` for
/// signed integers, `u` for `bool` and unsigned integers, `f` for floats, `data` and `len` for
/// strings and byte arrays. The other fields are ignored.
///
/// Arguments: the caller owns the data; it is copied during the call. Results of
/// `strait_service_call`: owned by the service, valid until its next call or until it is
/// freed. Arguments of a host function callback: valid until the callback returns.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct strait_value {
    /// One of `strait_value_kind`.
    pub kind: u32,
    /// `s8`, `s16`, `s32`, `s64`, `i32`, `i64`.
    pub i: i64,
    /// `bool` (0 or 1), `u8`, `u16`, `u32`, `u64`.
    pub u: u64,
    /// `f32`, `f64`.
    pub f: f64,
    /// `string` (UTF-8, not NUL-terminated), `byte_array`: the first byte; may be NULL when
    /// `len` is 0.
    pub data: *const u8,
    /// `string`, `byte_array`: how many bytes.
    pub len: usize,
}

impl strait_value_kind {
    /// The kind a C `kind` field names.
    pub(crate) fn from_raw(raw: u32) -> Option<Self> {
        use strait_value_kind as K;
        Some(match raw {
            1 => K::Bool,
            2 => K::S8,
            3 => K::S16,
            4 => K::S32,
            5 => K::S64,
            6 => K::U8,
            7 => K::U16,
            8 => K::U32,
            9 => K::U64,
            10 => K::F32,
            11 => K::F64,
            12 => K::String,
            13 => K::ByteArray,
            14 => K::I32,
            15 => K::I64,
            _ => return None,
        })
    }

    /// The IT type of values of this kind.
    pub(crate) fn itype(self) -> IType {
        use strait_value_kind as K;
        match self {
            K::Bool => IType::Boolean,
            K::S8 => IType::S8,
            K::S16 => IType::S16,
            K::S32 => IType::S32,
            K::S64 => IType::S64,
            K::U8 => IType::U8,
            K::U16 => IType::U16,
            K::U32 => IType::U32,
            K::U64 => IType::U64,
            K::F32 => IType::F32,
            K::F64 => IType::F64,
            K::String => IType::String,
            K::ByteArray => IType::ByteArray,
            K::I32 => IType::I32,
            K::I64 => IType::I64,
        }
    }
}

impl strait_value {
    /// A value of `kind` with every field zero.
    fn zero(kind: strait_value_kind) -> Self {
        Self {
            kind: kind as u32,
            i: 0,
            u: 0,
            f: 0.0,
            data: core::ptr::null(),
            len: 0,
        }
    }

    /// A view of `value` for C: strings and byte arrays point into it. `None` for arrays and
    /// records, which this API does not represent (use JSON).
    pub(crate) fn view(value: &IValue) -> Option<Self> {
        use strait_value_kind as K;
        let signed = |kind, i: i64| Self {
            i,
            ..Self::zero(kind)
        };
        let unsigned = |kind, u: u64| Self {
            u,
            ..Self::zero(kind)
        };
        let bytes = |kind, bytes: &[u8]| Self {
            data: bytes.as_ptr(),
            len: bytes.len(),
            ..Self::zero(kind)
        };
        Some(match value {
            IValue::Boolean(b) => unsigned(K::Bool, u64::from(*b)),
            IValue::S8(v) => signed(K::S8, i64::from(*v)),
            IValue::S16(v) => signed(K::S16, i64::from(*v)),
            IValue::S32(v) => signed(K::S32, i64::from(*v)),
            IValue::S64(v) => signed(K::S64, *v),
            IValue::I32(v) => signed(K::I32, i64::from(*v)),
            IValue::I64(v) => signed(K::I64, *v),
            IValue::U8(v) => unsigned(K::U8, u64::from(*v)),
            IValue::U16(v) => unsigned(K::U16, u64::from(*v)),
            IValue::U32(v) => unsigned(K::U32, u64::from(*v)),
            IValue::U64(v) => unsigned(K::U64, *v),
            IValue::F32(v) => Self {
                f: f64::from(*v),
                ..Self::zero(K::F32)
            },
            IValue::F64(v) => Self {
                f: *v,
                ..Self::zero(K::F64)
            },
            IValue::String(s) => bytes(K::String, s.as_bytes()),
            IValue::ByteArray(b) => bytes(K::ByteArray, b),
            IValue::Array(_) | IValue::Record(_) => return None,
        })
    }

    /// The IT value this C value holds (strings and bytes copied); `what` names it in errors.
    ///
    /// # Safety
    ///
    /// For strings and byte arrays, `data` is null or points to `len` readable bytes.
    pub(crate) unsafe fn to_ivalue(
        self,
        what: &dyn core::fmt::Display,
    ) -> Result<IValue, strait_error> {
        use strait_value_kind as K;
        let kind = K::from_raw(self.kind).ok_or_else(|| {
            strait_error::invalid(alloc::format!(
                "{what} has kind {}, which is not a strait_value_kind",
                self.kind
            ))
        })?;
        let range = |name: &str| {
            strait_error::invalid(alloc::format!(
                "{what} is out of the range of {name} (i = {}, u = {})",
                self.i,
                self.u
            ))
        };
        macro_rules! signed {
            ($name:literal) => {
                self.i.try_into().map_err(|_| range($name))?
            };
        }
        macro_rules! unsigned {
            ($name:literal) => {
                self.u.try_into().map_err(|_| range($name))?
            };
        }
        Ok(match kind {
            K::Bool => match self.u {
                0 => IValue::Boolean(false),
                1 => IValue::Boolean(true),
                _ => return Err(range("bool (0 or 1)")),
            },
            K::S8 => IValue::S8(signed!("s8")),
            K::S16 => IValue::S16(signed!("s16")),
            K::S32 => IValue::S32(signed!("s32")),
            K::S64 => IValue::S64(self.i),
            K::I32 => IValue::I32(signed!("i32")),
            K::I64 => IValue::I64(self.i),
            K::U8 => IValue::U8(unsigned!("u8")),
            K::U16 => IValue::U16(unsigned!("u16")),
            K::U32 => IValue::U32(unsigned!("u32")),
            K::U64 => IValue::U64(self.u),
            // f64 → f32 rounds to nearest, as C's conversion does.
            #[allow(clippy::cast_possible_truncation, reason = "f32 values arrive widened")]
            K::F32 => IValue::F32(self.f as f32),
            K::F64 => IValue::F64(self.f),
            K::String => {
                let name = alloc::format!("{what}'s string");
                // SAFETY: null or `len` readable bytes (this function's contract).
                let text = unsafe { ffi::utf8(self.data.cast(), self.len, &name) }?;
                IValue::String(text.to_owned())
            }
            K::ByteArray => {
                let name = alloc::format!("{what}'s bytes");
                // SAFETY: null or `len` readable bytes (this function's contract).
                let bytes = unsafe { ffi::bytes(self.data, self.len, &name) }?;
                IValue::ByteArray(bytes.to_vec())
            }
        })
    }
}

/// The IT values of `count` C values at `values`.
///
/// # Safety
///
/// `values` is null or points to `count` values, each valid as [`strait_value::to_ivalue`]
/// requires.
pub(crate) unsafe fn ivalues(
    values: *const strait_value,
    count: usize,
) -> Result<Vec<IValue>, strait_error> {
    if values.is_null() && count > 0 {
        return Err(strait_error::invalid(alloc::format!(
            "args is NULL with a count of {count}"
        )));
    }
    if count
        .checked_mul(size_of::<strait_value>())
        .is_none_or(|bytes| isize::try_from(bytes).is_err())
    {
        return Err(strait_error::invalid(alloc::format!(
            "{count} arguments do not fit in memory"
        )));
    }
    let values = match count {
        0 => &[][..],
        // SAFETY: not null, `count` values (the contract), size checked above.
        _ => unsafe { core::slice::from_raw_parts(values, count) },
    };
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            // SAFETY: each value's data is valid (the contract).
            unsafe { value.to_ivalue(&format_args!("argument {index}")) }
        })
        .collect()
}
