//! Core wasm value types, values and function signatures, shared by every engine.

use alloc::sync::Arc;
use core::fmt;

/// A core WebAssembly value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 128-bit SIMD vector.
    V128,
    /// Nullable function reference.
    FuncRef,
    /// Nullable external reference.
    ExternRef,
}

impl WType {
    /// The zero value of this type (null for references): what a results buffer starts with.
    pub const fn zero(self) -> WValue {
        match self {
            Self::I32 => WValue::I32(0),
            Self::I64 => WValue::I64(0),
            Self::F32 => WValue::F32(0.0),
            Self::F64 => WValue::F64(0.0),
            Self::V128 => WValue::V128(0),
            Self::FuncRef => WValue::NullFuncRef,
            Self::ExternRef => WValue::NullExternRef,
        }
    }
}

impl fmt::Display for WType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::F32 => "f32",
            Self::F64 => "f64",
            Self::V128 => "v128",
            Self::FuncRef => "funcref",
            Self::ExternRef => "externref",
        })
    }
}

/// A core WebAssembly value as it crosses the host boundary.
///
/// References cross only as null: a guest that passes or returns a non-null reference
/// through the host boundary gets [`BackendError::Unsupported`](crate::BackendError).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WValue {
    /// 32-bit integer.
    I32(i32),
    /// 64-bit integer.
    I64(i64),
    /// 32-bit float (bits preserved, NaN payloads included).
    F32(f32),
    /// 64-bit float (bits preserved, NaN payloads included).
    F64(f64),
    /// 128-bit SIMD vector, little-endian lanes.
    V128(u128),
    /// The null `funcref`.
    NullFuncRef,
    /// The null `externref`.
    NullExternRef,
}

impl WValue {
    /// The type of this value.
    pub const fn ty(&self) -> WType {
        match self {
            Self::I32(_) => WType::I32,
            Self::I64(_) => WType::I64,
            Self::F32(_) => WType::F32,
            Self::F64(_) => WType::F64,
            Self::V128(_) => WType::V128,
            Self::NullFuncRef => WType::FuncRef,
            Self::NullExternRef => WType::ExternRef,
        }
    }

    /// The value if it is an `i32`.
    pub const fn as_i32(&self) -> Option<i32> {
        if let Self::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value if it is an `i64`.
    pub const fn as_i64(&self) -> Option<i64> {
        if let Self::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value if it is an `f32`.
    pub const fn as_f32(&self) -> Option<f32> {
        if let Self::F32(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value if it is an `f64`.
    pub const fn as_f64(&self) -> Option<f64> {
        if let Self::F64(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value if it is a `v128`.
    pub const fn as_v128(&self) -> Option<u128> {
        if let Self::V128(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// Bitwise equality: unlike `==`, equal NaNs compare equal and `0.0 != -0.0`.
    pub fn bits_eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::F32(a), Self::F32(b)) => a.to_bits() == b.to_bits(),
            (Self::F64(a), Self::F64(b)) => a.to_bits() == b.to_bits(),
            _ => self == other,
        }
    }
}

impl fmt::Display for WValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::I32(v) => write!(f, "{v}: i32"),
            Self::I64(v) => write!(f, "{v}: i64"),
            Self::F32(v) => write!(f, "{v}: f32"),
            Self::F64(v) => write!(f, "{v}: f64"),
            Self::V128(v) => write!(f, "{v:#034x}: v128"),
            Self::NullFuncRef => f.write_str("null: funcref"),
            Self::NullExternRef => f.write_str("null: externref"),
        }
    }
}

macro_rules! wvalue_from {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<$t> for WValue {
            fn from(v: $t) -> Self {
                Self::$variant(v)
            }
        }
    )*};
}
wvalue_from!(i32 => I32, i64 => I64, f32 => F32, f64 => F64, u128 => V128);

/// A function signature: parameter and result types.
///
/// Cheap to clone (two reference-counted slices), so function handles can carry it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FuncSig {
    params: Arc<[WType]>,
    results: Arc<[WType]>,
}

impl FuncSig {
    /// A signature from parameter and result types.
    pub fn new(params: impl Into<Arc<[WType]>>, results: impl Into<Arc<[WType]>>) -> Self {
        Self {
            params: params.into(),
            results: results.into(),
        }
    }

    /// Parameter types.
    pub fn params(&self) -> &[WType] {
        &self.params
    }

    /// Result types.
    pub fn results(&self) -> &[WType] {
        &self.results
    }

    /// Whether `values` have exactly the parameter types.
    pub fn params_match(&self, values: &[WValue]) -> bool {
        types_match(&self.params, values)
    }
}

fn types_match(types: &[WType], values: &[WValue]) -> bool {
    types.len() == values.len() && types.iter().zip(values).all(|(t, v)| v.ty() == *t)
}

impl fmt::Display for FuncSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_types(f, &self.params)?;
        f.write_str(" -> ")?;
        write_types(f, &self.results)
    }
}

fn write_types(f: &mut fmt::Formatter<'_>, types: &[WType]) -> fmt::Result {
    f.write_str("(")?;
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{t}")?;
    }
    f.write_str(")")
}
