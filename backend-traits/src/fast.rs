//! Typed fast paths behind the untyped API, for the usual shapes: up to eight `i32`
//! parameters and no result or one scalar result.
//!
//! Engines' untyped calls look the function type up (Wasmtime under a lock) and go through
//! value arrays on every call; for these shapes the same calls go through the engine's
//! typed functions and typed host functions instead, several times faster. The shape is
//! chosen once, when an export is resolved or a host function defined.
//!
//! The arity list is [`for_each_arity!`](crate::for_each_arity); [`fast_paths!`](crate::fast_paths)
//! expands it into an engine's typed primitives, so no engine writes an arity by hand.

use alloc::vec::Vec;

use crate::backend::Backend;
use crate::context::Caller;
use crate::error::BackendError;
use crate::value::{FuncSig, WType, WValue};

/// The most parameters a fast path takes.
pub const MAX_ARITY: usize = 8;

/// The result of a fast-path shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// No result.
    None,
    /// One `i32`.
    I32,
    /// One `i64`.
    I64,
    /// One `f32`.
    F32,
    /// One `f64`.
    F64,
}

/// A signature the engines call through their typed functions: `arity` `i32` parameters
/// (at most [`MAX_ARITY`]) and at most one scalar result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastShape {
    /// The number of `i32` parameters.
    pub arity: usize,
    /// The result.
    pub result: ResultKind,
}

impl FastShape {
    /// The fast-path shape of `sig`, if it has one.
    ///
    /// ```
    /// use strait_backend::{FastShape, FuncSig, ResultKind, WType};
    ///
    /// let shape = FastShape::of(&FuncSig::new([WType::I32; 2], [WType::I64]));
    /// assert_eq!(shape, Some(FastShape { arity: 2, result: ResultKind::I64 }));
    /// assert_eq!(FastShape::of(&FuncSig::new([WType::I64], [])), None);
    /// ```
    pub fn of(sig: &FuncSig) -> Option<Self> {
        Self::of_types(sig.params(), sig.results())
    }

    /// The fast-path shape of `params -> results`, if it has one; usable in constants.
    pub const fn of_types(params: &[WType], results: &[WType]) -> Option<Self> {
        if params.len() > MAX_ARITY {
            return None;
        }
        let mut i = 0;
        while i < params.len() {
            if !matches!(params[i], WType::I32) {
                return None;
            }
            i += 1;
        }
        let result = match results {
            [] => ResultKind::None,
            [WType::I32] => ResultKind::I32,
            [WType::I64] => ResultKind::I64,
            [WType::F32] => ResultKind::F32,
            [WType::F64] => ResultKind::F64,
            _ => return None,
        };
        Some(Self {
            arity: params.len(),
            result,
        })
    }

    /// The signature of the shape.
    pub fn sig(&self) -> FuncSig {
        let result = match self.result {
            ResultKind::None => None,
            ResultKind::I32 => Some(WType::I32),
            ResultKind::I64 => Some(WType::I64),
            ResultKind::F32 => Some(WType::F32),
            ResultKind::F64 => Some(WType::F64),
        };
        FuncSig::new(
            core::iter::repeat_n(WType::I32, self.arity).collect::<Vec<_>>(),
            result.into_iter().collect::<Vec<_>>(),
        )
    }
}

/// A result type of a fast path: `()`, `i32`, `i64`, `f32` or `f64`.
pub trait FastResult: Copy + Send + Sync + 'static {
    /// Its kind.
    const KIND: ResultKind;
    /// Writes the result into a results buffer already checked to fit.
    fn write_to(self, results: &mut [WValue]);
    /// From the results a host function left, if they have this type.
    fn from_results(results: &[WValue]) -> Option<Self>;
    /// The zeroed results buffer a host function starts from, and its length.
    fn zeroed() -> ([WValue; 1], usize);
}

impl FastResult for () {
    const KIND: ResultKind = ResultKind::None;
    #[inline]
    fn write_to(self, _: &mut [WValue]) {}
    #[inline]
    fn from_results(_: &[WValue]) -> Option<Self> {
        Some(())
    }
    #[inline]
    fn zeroed() -> ([WValue; 1], usize) {
        ([WValue::I32(0)], 0)
    }
}

macro_rules! scalar_results {
    ($($t:ty => $v:ident),*) => {$(
        impl FastResult for $t {
            const KIND: ResultKind = ResultKind::$v;
            #[inline]
            fn write_to(self, results: &mut [WValue]) {
                if let Some(slot) = results.first_mut() {
                    *slot = WValue::$v(self);
                }
            }
            #[inline]
            fn from_results(results: &[WValue]) -> Option<Self> {
                match results {
                    [WValue::$v(x)] => Some(*x),
                    _ => None,
                }
            }
            #[inline]
            fn zeroed() -> ([WValue; 1], usize) {
                ([WValue::$v(Default::default())], 1)
            }
        }
    )*};
}
scalar_results!(i32 => I32, i64 => I64, f32 => F32, f64 => F64);

/// An engine's typed handles of one result type, one variant per arity.
#[derive(Clone)]
#[allow(missing_docs)]
pub enum ByArity<A0, A1, A2, A3, A4, A5, A6, A7, A8> {
    A0(A0),
    A1(A1),
    A2(A2),
    A3(A3),
    A4(A4),
    A5(A5),
    A6(A6),
    A7(A7),
    A8(A8),
}

/// An engine's typed handle of a fast-path function, one variant per result kind.
#[derive(Clone)]
#[allow(missing_docs)]
pub enum FastFunc<N, I, J, F, D> {
    None(N),
    I32(I),
    I64(J),
    F32(F),
    F64(D),
}

/// Runs a typed host function's body from an engine's typed trampoline: the arguments as
/// values, the results buffer zeroed, and the result's type checked against `shape`.
#[inline(always)]
pub fn host_call<B: Backend, R: FastResult, F: FastHost<B>>(
    func: &F,
    shape: FastShape,
    caller: B::Caller<'_>,
    args: &[WValue],
) -> Result<R, BackendError> {
    let (mut buf, len) = R::zeroed();
    let results = buf.get_mut(..len).unwrap_or_default();
    let mut caller = Caller::new(caller);
    func(&mut caller, args, results)?;
    R::from_results(results).ok_or_else(|| result_mismatch(&shape.sig(), results))
}

/// The body of a typed host function an engine defines with
/// [`Backend::define_fast`]: gets the caller, the `i32` arguments as values and a zeroed
/// results buffer of the shape's result.
pub trait FastHost<B: Backend>:
    for<'c> Fn(&mut Caller<'c, B>, &[WValue], &mut [WValue]) -> Result<(), BackendError>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<B: Backend, F> FastHost<B> for F where
    F: for<'c> Fn(&mut Caller<'c, B>, &[WValue], &mut [WValue]) -> Result<(), BackendError>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The error of a host function that left results of other types than its signature's.
pub(crate) fn result_mismatch(sig: &FuncSig, results: &[WValue]) -> BackendError {
    BackendError::TypeMismatch(alloc::format!(
        "a host function of type {sig} returned {:?}",
        results.iter().map(WValue::ty).collect::<Vec<_>>()
    ))
}

/// Calls `$mac!` with the fast-path arities, each as its number, a variant name and its
/// parameter names, after `[$args]` (passed through unchanged):
///
/// ```text
/// $mac! { [$args] 0 A0 (); 1 A1 (a0); 2 A2 (a0 a1); … 8 A8 (a0 a1 a2 a3 a4 a5 a6 a7); }
/// ```
///
/// The one list of arities, as wasmtime's `for_each_function_signature!`; the typed
/// parameter lists ([`WasmTypeList`](crate::WasmTypeList)) and every engine's typed
/// primitives ([`fast_paths!`](crate::fast_paths)) expand from it.
#[macro_export]
macro_rules! for_each_arity {
    ($mac:path $(, $($args:tt)*)?) => {
        $mac! {
            [$($($args)*)?]
            0 A0 ();
            1 A1 (a0);
            2 A2 (a0 a1);
            3 A3 (a0 a1 a2);
            4 A4 (a0 a1 a2 a3);
            5 A5 (a0 a1 a2 a3 a4);
            6 A6 (a0 a1 a2 a3 a4 a5);
            7 A7 (a0 a1 a2 a3 a4 a5 a6);
            8 A8 (a0 a1 a2 a3 a4 a5 a6 a7);
        }
    };
}

/// The fast-path items of an engine's [`Backend`] impl: `type FastFunc`, `fast_func`,
/// `call_fast` and `define_fast`, on the engine's own typed functions
/// (`Func::typed`, `TypedFunc::call`) and typed host functions (`Linker::func_wrap`),
/// one per arity of [`for_each_arity!`](crate::for_each_arity).
///
/// Written once here; the engine crate names itself and its error conversions, inside
/// its `impl Backend`:
///
/// ```text
/// strait_backend::fast_paths!(
///     backend: Wasmtime,
///     engine: wasmtime,
///     error: wasmtime::Error,
///     from_error: crate::convert::from_error,
///     carry: crate::convert::carry,
///     link_error: crate::convert::link_error,
/// );
/// ```
///
/// The engine crate must export (as wasmtime and wasmi do) `Func::typed`, `TypedFunc`,
/// `WasmResults`, `WasmRet`, `Caller`, `Linker::func_wrap`, `AsContext` and `AsContextMut`.
#[macro_export]
macro_rules! fast_paths {
    (
        backend: $backend:ty,
        engine: $engine:ident,
        error: $error:ty,
        from_error: $from_error:path,
        carry: $carry:path,
        link_error: $link_error:path $(,)?
    ) => {
        $crate::for_each_arity!(
            $crate::__fast_paths,
            $backend,
            $engine,
            $error,
            $from_error,
            $carry,
            $link_error
        );
    };
}

/// The implementation of [`fast_paths!`](crate::fast_paths), given the arities.
#[doc(hidden)]
#[macro_export]
macro_rules! __fast_paths {
    (
        [$backend:ty, $engine:ident, $error:ty, $from_error:path, $carry:path, $link_error:path]
        $($n:literal $arity:ident ($($a:ident)*);)*
    ) => {
        type FastFunc = $crate::fast::FastFunc<
            $crate::__typed_by_arity!($engine, (); $(($($a)*))*),
            $crate::__typed_by_arity!($engine, i32; $(($($a)*))*),
            $crate::__typed_by_arity!($engine, i64; $(($($a)*))*),
            $crate::__typed_by_arity!($engine, f32; $(($($a)*))*),
            $crate::__typed_by_arity!($engine, f64; $(($($a)*))*),
        >;

        fn fast_func(
            ctx: &Self::Context<'_>,
            func: &Self::Func,
            shape: $crate::FastShape,
        ) -> Option<Self::FastFunc> {
            fn by_arity<R: $engine::WasmResults>(
                ctx: impl $engine::AsContext,
                func: &$engine::Func,
                arity: usize,
            ) -> Option<$crate::__typed_by_arity!($engine, R; $(($($a)*))*)> {
                Some(match arity {
                    $($n => $crate::fast::ByArity::$arity(
                        func.typed::<($($crate::__i32!($a),)*), R>(&ctx).ok()?,
                    ),)*
                    _ => return None,
                })
            }
            use $crate::fast::{FastFunc as F, ResultKind as K};
            Some(match shape.result {
                K::None => F::None(by_arity(ctx, func, shape.arity)?),
                K::I32 => F::I32(by_arity(ctx, func, shape.arity)?),
                K::I64 => F::I64(by_arity(ctx, func, shape.arity)?),
                K::F32 => F::F32(by_arity(ctx, func, shape.arity)?),
                K::F64 => F::F64(by_arity(ctx, func, shape.arity)?),
            })
        }

        #[inline]
        fn call_fast(
            ctx: &mut Self::Context<'_>,
            func: &Self::FastFunc,
            args: &[i32; $crate::fast::MAX_ARITY],
            results: &mut [$crate::WValue],
        ) -> Result<(), $crate::BackendError> {
            #[inline]
            fn by_arity<R: $engine::WasmResults + $crate::fast::FastResult>(
                ctx: impl $engine::AsContextMut,
                func: &$crate::__typed_by_arity!($engine, R; $(($($a)*))*),
                args: &[i32; $crate::fast::MAX_ARITY],
                results: &mut [$crate::WValue],
            ) -> Result<(), $crate::BackendError> {
                match func {
                    $($crate::fast::ByArity::$arity(f) => {
                        let [$($a,)* ..] = *args;
                        f.call(ctx, ($($a,)*))
                    })*
                }
                .map(|r| $crate::fast::FastResult::write_to(r, results))
                .map_err($from_error)
            }
            use $crate::fast::FastFunc as F;
            match func {
                F::None(f) => by_arity(&mut *ctx, f, args, results),
                F::I32(f) => by_arity(&mut *ctx, f, args, results),
                F::I64(f) => by_arity(&mut *ctx, f, args, results),
                F::F32(f) => by_arity(&mut *ctx, f, args, results),
                F::F64(f) => by_arity(&mut *ctx, f, args, results),
            }
        }

        #[inline(always)]
        fn call_fast_as(
            ctx: &mut Self::Context<'_>,
            func: &Self::FastFunc,
            shape: $crate::FastShape,
            args: &[i32; $crate::fast::MAX_ARITY],
            results: &mut [$crate::WValue],
        ) -> Option<Result<(), $crate::BackendError>> {
            // Inlined with a constant `shape`, both matches fold to the one call.
            #[inline(always)]
            fn by_arity<R: $engine::WasmResults + $crate::fast::FastResult>(
                ctx: impl $engine::AsContextMut,
                func: &$crate::__typed_by_arity!($engine, R; $(($($a)*))*),
                arity: usize,
                args: &[i32; $crate::fast::MAX_ARITY],
                results: &mut [$crate::WValue],
            ) -> Option<Result<(), $crate::BackendError>> {
                let result = match (arity, func) {
                    $(($n, $crate::fast::ByArity::$arity(f)) => {
                        let [$($a,)* ..] = *args;
                        f.call(ctx, ($($a,)*))
                    })*
                    _ => return None,
                };
                Some(
                    result
                        .map(|r| $crate::fast::FastResult::write_to(r, results))
                        .map_err($from_error),
                )
            }
            use $crate::fast::{FastFunc as F, ResultKind as K};
            match (shape.result, func) {
                (K::None, F::None(f)) => by_arity(&mut *ctx, f, shape.arity, args, results),
                (K::I32, F::I32(f)) => by_arity(&mut *ctx, f, shape.arity, args, results),
                (K::I64, F::I64(f)) => by_arity(&mut *ctx, f, shape.arity, args, results),
                (K::F32, F::F32(f)) => by_arity(&mut *ctx, f, shape.arity, args, results),
                (K::F64, F::F64(f)) => by_arity(&mut *ctx, f, shape.arity, args, results),
                _ => None,
            }
        }

        fn define_fast<H: $crate::fast::FastHost<Self>>(
            linker: &mut Self::Linker,
            namespace: &str,
            name: &str,
            shape: $crate::FastShape,
            func: H,
        ) -> Result<(), $crate::BackendError> {
            fn wrap<R, H: $crate::fast::FastHost<$backend>>(
                linker: &mut $engine::Linker<$crate::StoreData<$backend>>,
                namespace: &str,
                name: &str,
                shape: $crate::FastShape,
                func: H,
            ) -> Result<(), $crate::BackendError>
            where
                R: $crate::fast::FastResult,
                Result<R, $error>: $engine::WasmRet,
            {
                match shape.arity {
                    $($n => {
                        let func = func.clone();
                        linker
                            .func_wrap(
                                namespace,
                                name,
                                move |caller: $engine::Caller<'_, $crate::StoreData<$backend>>,
                                      $($a: i32),*|
                                      -> Result<R, $error> {
                                    $crate::fast::host_call::<$backend, R, H>(
                                        &func,
                                        shape,
                                        caller,
                                        &[$($crate::WValue::I32($a)),*],
                                    )
                                    .map_err($carry)
                                },
                            )
                            .map_err($link_error)?;
                    })*
                    _ => {
                        return Err($crate::BackendError::Instantiation(
                            "a typed host function takes at most eight parameters".into(),
                        ));
                    }
                }
                Ok(())
            }
            use $crate::fast::ResultKind as K;
            match shape.result {
                K::None => wrap::<(), H>(linker, namespace, name, shape, func),
                K::I32 => wrap::<i32, H>(linker, namespace, name, shape, func),
                K::I64 => wrap::<i64, H>(linker, namespace, name, shape, func),
                K::F32 => wrap::<f32, H>(linker, namespace, name, shape, func),
                K::F64 => wrap::<f64, H>(linker, namespace, name, shape, func),
            }
        }
    };
}

/// The engine's typed handles of result `$r`, by arity.
#[doc(hidden)]
#[macro_export]
macro_rules! __typed_by_arity {
    ($engine:ident, $r:ty; $(($($a:ident)*))*) => {
        $crate::fast::ByArity<$($engine::TypedFunc<($($crate::__i32!($a),)*), $r>),*>
    };
}

/// `i32`, for each parameter name.
#[doc(hidden)]
#[macro_export]
macro_rules! __i32 {
    ($a:ident) => {
        i32
    };
}
