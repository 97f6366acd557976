//! Typed calls: a front end on the one call path, as wasmtime component's `TypedFunc`
//! is on `Func::call_raw`. The signature is checked once, when the handle is made; a call
//! of a fast-path shape goes straight to the engine's typed function.

use core::marker::PhantomData;

use crate::backend::Backend;
use crate::context::AsContextMut;
use crate::error::BackendError;
use crate::fast::{FastShape, MAX_ARITY};
use crate::func::{Func, same_store};
use crate::value::{FuncSig, WType, WValue};

mod sealed {
    // Sealed: typed calls exist for exactly these lists, all of which fit the buffers below.
    #[allow(unreachable_pub)]
    pub trait Sealed {}
}

/// A scalar that a typed call can pass or return: `i32`, `i64`, `f32`, `f64`.
pub trait WasmScalar: sealed::Sealed + Copy + Send + Sync + 'static {
    /// Its wasm type.
    const TYPE: WType;
    /// As a value.
    fn into_value(self) -> WValue;
    /// From a value of its type.
    fn from_value(value: &WValue) -> Option<Self>;
}

/// A parameter or result list of a typed call: `()`, a [`WasmScalar`], or a tuple of up to
/// eight of them.
///
/// Sealed: typed calls are implemented for exactly these lists.
pub trait WasmTypeList: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The wasm types of the list, in order.
    const TYPES: &'static [WType];
    /// Writes the list into `out`, which holds at least [`TYPES`](Self::TYPES)`.len()`.
    fn store(self, out: &mut [WValue]);
    /// The list as the `i32` arguments of a fast call.
    fn to_i32s(self) -> [i32; MAX_ARITY];
    /// Reads the list from values of its types.
    fn load(values: &[WValue]) -> Option<Self>;
    /// Reads the list from the `i32` arguments of a fast call, if all its types are `i32`.
    fn from_i32s(args: &[i32]) -> Option<Self>;
    /// The list's one value, if it has exactly one.
    fn single(self) -> Option<WValue>;
}

macro_rules! scalars {
    ($($t:ty => $w:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl WasmScalar for $t {
            const TYPE: WType = WType::$w;
            #[inline]
            fn into_value(self) -> WValue {
                WValue::$w(self)
            }
            #[inline]
            fn from_value(value: &WValue) -> Option<Self> {
                match value {
                    WValue::$w(x) => Some(*x),
                    _ => None,
                }
            }
        }
        impl WasmTypeList for $t {
            const TYPES: &'static [WType] = &[WType::$w];
            #[inline]
            fn store(self, out: &mut [WValue]) {
                if let Some(slot) = out.first_mut() {
                    *slot = self.into_value();
                }
            }
            #[inline]
            fn to_i32s(self) -> [i32; MAX_ARITY] {
                let mut out = [0; MAX_ARITY];
                out[0] = as_i32(self);
                out
            }
            #[inline]
            fn load(values: &[WValue]) -> Option<Self> {
                match values {
                    [v] => Self::from_value(v),
                    _ => None,
                }
            }
            #[inline(always)]
            fn from_i32s(args: &[i32]) -> Option<Self> {
                match args {
                    [x] => Self::from_value(&WValue::I32(*x)),
                    _ => None,
                }
            }
            #[inline(always)]
            fn single(self) -> Option<WValue> {
                Some(self.into_value())
            }
        }
    )*};
}
scalars!(i32 => I32, i64 => I64, f32 => F32, f64 => F64);

/// A scalar as an `i32` argument of a fast call, which takes only `i32` parameters.
#[inline]
fn as_i32<T: WasmScalar>(x: T) -> i32 {
    match x.into_value() {
        WValue::I32(x) => x,
        _ => 0,
    }
}

macro_rules! tuples {
    ([] $($n:literal $arity:ident ($($a:ident)*);)*) => {$(
        #[allow(non_camel_case_types)]
        impl<$($a: WasmScalar),*> sealed::Sealed for ($($a,)*) {}
        #[allow(non_camel_case_types)]
        impl<$($a: WasmScalar),*> WasmTypeList for ($($a,)*) {
            const TYPES: &'static [WType] = &[$($a::TYPE),*];
            #[inline]
            #[allow(unused_variables)]
            fn store(self, out: &mut [WValue]) {
                let ($($a,)*) = self;
                let values: [WValue; $n] = [$($a.into_value()),*];
                for (slot, value) in out.iter_mut().zip(values) {
                    *slot = value;
                }
            }
            #[inline]
            #[allow(unused_variables)]
            fn to_i32s(self) -> [i32; MAX_ARITY] {
                let ($($a,)*) = self;
                let values: [i32; $n] = [$(as_i32($a)),*];
                let mut out = [0; MAX_ARITY];
                for (slot, value) in out.iter_mut().zip(values) {
                    *slot = value;
                }
                out
            }
            #[inline]
            fn load(values: &[WValue]) -> Option<Self> {
                match values {
                    [$($a),*] => Some(($($a::from_value($a)?,)*)),
                    _ => None,
                }
            }
            #[inline(always)]
            fn from_i32s(args: &[i32]) -> Option<Self> {
                match args {
                    [$($a),*] => Some(($($a::from_value(&WValue::I32(*$a))?,)*)),
                    _ => None,
                }
            }
            #[inline(always)]
            #[allow(unused_variables)]
            fn single(self) -> Option<WValue> {
                let ($($a,)*) = self;
                let values: [WValue; $n] = [$($a.into_value()),*];
                match values.as_slice() {
                    [value] => Some(*value),
                    _ => None,
                }
            }
        }
    )*};
}
crate::for_each_arity!(tuples);

/// Checks that a typed handle `P -> R` fits `sig`.
pub fn check_typed<P: WasmTypeList, R: WasmTypeList>(sig: &FuncSig) -> Result<(), BackendError> {
    if sig.params() == P::TYPES && sig.results() == R::TYPES {
        Ok(())
    } else {
        Err(BackendError::TypeMismatch(alloc::format!(
            "the function is {sig}, the typed handle expects {}",
            FuncSig::new(P::TYPES, R::TYPES)
        )))
    }
}

/// A typed function handle `P -> R`: its signature checked once, then called without
/// type checks or value conversion on the fast-path shapes.
///
/// ```
/// use strait_backend::{Backend, BackendError, Store, TypedFunc};
///
/// /// Calls the module's `allocate(size, tag) -> ptr`.
/// fn allocate<B: Backend>(store: &mut Store<B>, size: i32) -> Result<i32, BackendError> {
///     let allocate = TypedFunc::<B, (i32, i32), i32>::from_export(&mut *store, "allocate")?;
///     allocate.call(store, (size, 0))
/// }
/// ```
pub struct TypedFunc<B: Backend, P: WasmTypeList, R: WasmTypeList> {
    func: Func<B>,
    _shape: PhantomData<fn(P) -> R>,
}

impl<B: Backend, P: WasmTypeList, R: WasmTypeList> Clone for TypedFunc<B, P, R> {
    fn clone(&self) -> Self {
        Self {
            func: self.func.clone(),
            _shape: PhantomData,
        }
    }
}

impl<B: Backend, P: WasmTypeList, R: WasmTypeList> core::fmt::Debug for TypedFunc<B, P, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TypedFunc")
            .field("params", &P::TYPES)
            .field("results", &R::TYPES)
            .finish()
    }
}

impl<B: Backend, P: WasmTypeList, R: WasmTypeList> TypedFunc<B, P, R> {
    /// A typed handle on `func`, a function of the store of `ctx`; fails if its signature
    /// is not `P -> R`.
    pub fn new(mut ctx: impl AsContextMut<B>, func: &Func<B>) -> Result<Self, BackendError> {
        same_store(ctx.as_context_mut().data().id(), func.store)?;
        check_typed::<P, R>(func.sig())?;
        Ok(Self {
            func: func.clone(),
            _shape: PhantomData,
        })
    }

    /// Resolves the export `name` as a typed function.
    pub fn from_export(mut ctx: impl AsContextMut<B>, name: &str) -> Result<Self, BackendError> {
        let func = ctx.func(name)?;
        Self::new(ctx, &func)
    }

    /// The fast-path shape of `P -> R`, if it has one.
    const SHAPE: Option<FastShape> = FastShape::of_types(P::TYPES, R::TYPES);

    /// Calls it in `ctx`: its store, or a caller on it inside a host function.
    #[inline]
    pub fn call(&self, mut ctx: impl AsContextMut<B>, params: P) -> Result<R, BackendError> {
        if let Some(shape) = Self::SHAPE {
            let mut one = [WValue::I32(0)];
            let done = self
                .func
                .call_fast_as(&mut ctx, shape, &params.to_i32s(), &mut one);
            if let Some(result) = done {
                result?;
                let values = one.get(..R::TYPES.len()).unwrap_or_default();
                return R::load(values).ok_or_else(|| mismatch::<R>());
            }
        }
        let mut args = [WValue::I32(0); MAX_ARITY];
        params.store(&mut args);
        let mut results = [WValue::I32(0); MAX_ARITY];
        let results = results.get_mut(..R::TYPES.len()).unwrap_or_default();
        for (slot, ty) in results.iter_mut().zip(R::TYPES) {
            *slot = ty.zero();
        }
        let args = args.get(..P::TYPES.len()).unwrap_or_default();
        self.func.call_checked(&mut ctx, args, results)?;
        R::load(results).ok_or_else(|| mismatch::<R>())
    }

    /// The untyped handle.
    pub fn func(&self) -> &Func<B> {
        &self.func
    }
}

#[cold]
fn mismatch<R: WasmTypeList>() -> BackendError {
    BackendError::TypeMismatch(alloc::format!(
        "the call did not return {}",
        FuncSig::new([], R::TYPES)
    ))
}
