//! Core wasm value types and signatures, as far as adapters need them. strait-it knows no
//! engine: the runtime describes its modules' exports with these.

use crate::types::{FunctionType, IType};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A core wasm value type that crosses adapters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoreType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl CoreType {
    /// The interface type core values of this type have on the adapter stack.
    pub fn itype(self) -> IType {
        match self {
            CoreType::I32 => IType::I32,
            CoreType::I64 => IType::I64,
            CoreType::F32 => IType::F32,
            CoreType::F64 => IType::F64,
        }
    }

    /// The core type a scalar interface type is passed as in a raw (flattened) signature:
    /// `bool`, 8/16/32-bit integers → `i32`, 64-bit integers → `i64`, floats as they are.
    /// `None` for strings, byte arrays, arrays and records (D28).
    pub fn of_scalar(ty: &IType) -> Option<CoreType> {
        Some(match ty {
            IType::Boolean
            | IType::S8
            | IType::S16
            | IType::S32
            | IType::U8
            | IType::U16
            | IType::U32
            | IType::I32 => CoreType::I32,
            IType::S64 | IType::U64 | IType::I64 => CoreType::I64,
            IType::F32 => CoreType::F32,
            IType::F64 => CoreType::F64,
            IType::String | IType::ByteArray | IType::Array(_) | IType::Record(_) => return None,
        })
    }

    /// Appends the wasm parameters a parameter of type `ty` is flattened to (`spec/abi.md`
    /// §4): one core value for a scalar, (`ptr`, `len`) for strings, byte arrays and arrays,
    /// a pointer for records.
    pub fn flatten_param(ty: &IType, out: &mut Vec<CoreType>) {
        match CoreType::of_scalar(ty) {
            Some(core) => out.push(core),
            None if matches!(ty, IType::Record(_)) => out.push(CoreType::I32),
            None => out.extend([CoreType::I32, CoreType::I32]),
        }
    }

    /// The wasm result a result of type `ty` is flattened to: the core value of a scalar;
    /// nothing for the others, which travel through the result slots.
    pub fn flatten_result(ty: &IType) -> Option<CoreType> {
        CoreType::of_scalar(ty)
    }

    /// True when `value` is a core value of this type.
    #[inline]
    pub fn matches(self, value: &crate::IValue) -> bool {
        CoreValue::of(value).is_some_and(|value| value.ty() == self)
    }
}

/// A core wasm value that crosses adapters: what a core call returns. Unlike an
/// [`IValue`](crate::IValue), it owns nothing, so it is `Copy` and needs no drop.
///
/// ```
/// use strait_it::IValue;
/// use strait_it::adapter::{CoreType, CoreValue};
///
/// let value = CoreValue::I32(7);
/// assert_eq!(value.ty(), CoreType::I32);
/// assert_eq!(IValue::from(value), IValue::I32(7));
/// assert_eq!(CoreValue::of(&IValue::I32(7)), Some(value));
/// assert_eq!(CoreValue::of(&IValue::S32(7)), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CoreValue {
    /// `i32`
    I32(i32),
    /// `i64`
    I64(i64),
    /// `f32`
    F32(f32),
    /// `f64`
    F64(f64),
}

impl CoreValue {
    /// Its type.
    pub fn ty(self) -> CoreType {
        match self {
            CoreValue::I32(_) => CoreType::I32,
            CoreValue::I64(_) => CoreType::I64,
            CoreValue::F32(_) => CoreType::F32,
            CoreValue::F64(_) => CoreType::F64,
        }
    }

    /// `value` as a core value, if it is one (`I32`, `I64`, `F32` or `F64`).
    pub fn of(value: &crate::IValue) -> Option<Self> {
        use crate::IValue;
        Some(match value {
            IValue::I32(v) => CoreValue::I32(*v),
            IValue::I64(v) => CoreValue::I64(*v),
            IValue::F32(v) => CoreValue::F32(*v),
            IValue::F64(v) => CoreValue::F64(*v),
            _ => return None,
        })
    }
}

impl From<CoreValue> for crate::IValue {
    fn from(value: CoreValue) -> Self {
        match value {
            CoreValue::I32(v) => crate::IValue::I32(v),
            CoreValue::I64(v) => crate::IValue::I64(v),
            CoreValue::F32(v) => crate::IValue::F32(v),
            CoreValue::F64(v) => crate::IValue::F64(v),
        }
    }
}

impl fmt::Display for CoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CoreType::I32 => "i32",
            CoreType::I64 => "i64",
            CoreType::F32 => "f32",
            CoreType::F64 => "f64",
        })
    }
}

/// A core wasm function signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CoreSignature {
    /// Parameter types.
    pub params: Vec<CoreType>,
    /// Result types.
    pub results: Vec<CoreType>,
}

impl CoreSignature {
    /// A signature from its parameter and result types.
    pub fn new(
        params: impl IntoIterator<Item = CoreType>,
        results: impl IntoIterator<Item = CoreType>,
    ) -> Self {
        Self {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }

    /// The wasm signature of a function with the interface type `ty` (`spec/abi.md` §4):
    /// what a module exports for a `#[marine]` function, imports for a function of another
    /// module, and what an IT-typed host import is registered with.
    pub fn flatten(ty: &FunctionType) -> Self {
        let mut params = Vec::with_capacity(ty.params.len());
        for param in &ty.params {
            CoreType::flatten_param(&param.ty, &mut params);
        }
        Self {
            params,
            results: ty
                .results
                .iter()
                .filter_map(CoreType::flatten_result)
                .collect(),
        }
    }
}

impl fmt::Display for CoreSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, types: &[CoreType]| {
            f.write_str("(")?;
            for (i, ty) in types.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{ty}")?;
            }
            f.write_str(")")
        };
        list(f, &self.params)?;
        f.write_str(" -> ")?;
        list(f, &self.results)
    }
}

/// The wasm function exports of the module whose section is compiled: the adapter compiler
/// asks for the signature of every name the section exports.
pub trait CoreExports {
    /// The signature of the wasm function export `name`; `None` when the module has no
    /// function export of that name.
    fn signature(&self, name: &str) -> Option<CoreSignature>;
}

impl<F: Fn(&str) -> Option<CoreSignature>> CoreExports for F {
    fn signature(&self, name: &str) -> Option<CoreSignature> {
        self(name)
    }
}

impl CoreExports for BTreeMap<String, CoreSignature> {
    fn signature(&self, name: &str) -> Option<CoreSignature> {
        self.get(name).cloned()
    }
}

impl<S: AsRef<str>> CoreExports for [(S, CoreSignature)] {
    fn signature(&self, name: &str) -> Option<CoreSignature> {
        self.iter()
            .find(|(export, _)| export.as_ref() == name)
            .map(|(_, signature)| signature.clone())
    }
}
