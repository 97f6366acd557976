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

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::marker::PhantomData;

use crate::backend::Backend;
use crate::context::Caller;
use crate::error::{BackendError, HostError};
use crate::host::HostFn;
use crate::typed::WasmTypeList;
use crate::value::{FuncSig, WType, WValue};

/// The most parameters a fast path takes.
pub const MAX_ARITY: usize = 8;

/// The result of a fast-path shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ResultKind {
    /// No result.
    None = 0,
    /// One `i32`.
    I32 = 1,
    /// One `i64`.
    I64 = 2,
    /// One `f32`.
    F32 = 3,
    /// One `f64`.
    F64 = 4,
}

impl ResultKind {
    /// Its number, as [`Backend::define_fast`] takes it in a const parameter.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The kind of a result list, if it has one.
    pub const fn of(results: &[WType]) -> Option<Self> {
        Some(match results {
            [] => Self::None,
            [WType::I32] => Self::I32,
            [WType::I64] => Self::I64,
            [WType::F32] => Self::F32,
            [WType::F64] => Self::F64,
            _ => return None,
        })
    }
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
        let Some(result) = ResultKind::of(results) else {
            return None;
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
    /// From a typed host function's result list, if it is this type.
    fn from_list<L: WasmTypeList>(list: L) -> Option<Self>;
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
    #[inline(always)]
    fn from_list<L: WasmTypeList>(_: L) -> Option<Self> {
        L::TYPES.is_empty().then_some(())
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
            #[inline(always)]
            fn from_list<L: WasmTypeList>(list: L) -> Option<Self> {
                match list.single() {
                    Some(WValue::$v(x)) => Some(x),
                    _ => None,
                }
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

/// The body of a host function an engine defines with [`Backend::define_fast`], as its
/// own typed host function of a fast-path shape: called from the engine's trampoline with
/// the call's `i32` arguments, it gives the engine's result type `R` (`()`, `i32`, `i64`,
/// `f32` or `f64`).
///
/// Two bodies exist: a typed closure ([`HostFunc::wrap`](crate::HostFunc::wrap)), called
/// with its own parameter and result types and no value conversion in between, and an
/// untyped closure over values ([`HostFunc::new`](crate::HostFunc::new)).
pub trait FastHost<B: Backend>: Clone + Send + Sync + 'static {
    /// Runs the body on the `i32` arguments of one call.
    fn call<R: FastResult>(
        &self,
        caller: &mut Caller<'_, B>,
        args: &[i32],
    ) -> Result<R, BackendError>;
}

/// A typed closure `P -> L` as a [`FastHost`].
pub(crate) struct TypedHost<F, P, L> {
    func: Arc<F>,
    _types: PhantomData<fn(P) -> L>,
}

impl<F, P, L> TypedHost<F, P, L> {
    pub(crate) fn new(func: Arc<F>) -> Self {
        Self {
            func,
            _types: PhantomData,
        }
    }
}

impl<F, P, L> Clone for TypedHost<F, P, L> {
    fn clone(&self) -> Self {
        Self::new(self.func.clone())
    }
}

impl<B, F, P, L> FastHost<B> for TypedHost<F, P, L>
where
    B: Backend,
    P: WasmTypeList,
    L: WasmTypeList,
    F: for<'c> Fn(&mut Caller<'c, B>, P) -> Result<L, HostError> + Send + Sync + 'static,
{
    // Inlined into the engine's trampoline, where `P`, `L` and `R` are known: the argument
    // and result conversions fold away and the closure is called as the engine's own.
    #[inline(always)]
    fn call<R: FastResult>(
        &self,
        caller: &mut Caller<'_, B>,
        args: &[i32],
    ) -> Result<R, BackendError> {
        let sig = || FuncSig::new(P::TYPES, L::TYPES);
        let params = P::from_i32s(args).ok_or_else(|| shape_mismatch(&sig()))?;
        let result = (self.func)(caller, params).map_err(BackendError::Host)?;
        R::from_list(result).ok_or_else(|| shape_mismatch(&sig()))
    }
}

/// An untyped closure over values as a [`FastHost`]: the arguments as values, the results
/// buffer zeroed, and the result's type checked against the signature.
#[derive(Clone)]
pub(crate) struct UntypedHost<B: Backend> {
    func: Arc<HostFn<B>>,
    shape: FastShape,
}

impl<B: Backend> UntypedHost<B> {
    pub(crate) fn new(func: Arc<HostFn<B>>, shape: FastShape) -> Self {
        Self { func, shape }
    }
}

impl<B: Backend> FastHost<B> for UntypedHost<B> {
    #[inline(always)]
    fn call<R: FastResult>(
        &self,
        caller: &mut Caller<'_, B>,
        args: &[i32],
    ) -> Result<R, BackendError> {
        let mut values = [WValue::I32(0); MAX_ARITY];
        for (slot, arg) in values.iter_mut().zip(args) {
            *slot = WValue::I32(*arg);
        }
        let values = values.get(..args.len()).unwrap_or_default();
        let (mut buf, len) = R::zeroed();
        let results = buf.get_mut(..len).unwrap_or_default();
        (self.func)(caller, values, results).map_err(BackendError::Host)?;
        R::from_results(results).ok_or_else(|| result_mismatch(&self.shape.sig(), results))
    }
}

/// [`define_shape`] and [`define_typed`], over the arities of
/// [`for_each_arity!`](crate::for_each_arity).
macro_rules! define_dispatch {
    ([] $($n:literal $arity:ident ($($a:ident)*);)*) => {
        /// Defines `func` as the engine's typed host function of `shape`, known at run time
        /// (an untyped closure's signature): every shape's trampoline is compiled, one is
        /// used.
        pub(crate) fn define_shape<B: Backend, H: FastHost<B>>(
            linker: &mut B::Linker,
            namespace: &str,
            name: &str,
            shape: FastShape,
            func: H,
        ) -> Result<(), BackendError> {
            use ResultKind as K;
            match (shape.arity, shape.result) {
                $(
                    ($n, K::None) => B::define_fast::<H, $n, 0>(linker, namespace, name, func),
                    ($n, K::I32) => B::define_fast::<H, $n, 1>(linker, namespace, name, func),
                    ($n, K::I64) => B::define_fast::<H, $n, 2>(linker, namespace, name, func),
                    ($n, K::F32) => B::define_fast::<H, $n, 3>(linker, namespace, name, func),
                    ($n, K::F64) => B::define_fast::<H, $n, 4>(linker, namespace, name, func),
                )*
                _ => Err(not_fast(&shape.sig())),
            }
        }

        /// Defines `func` as the engine's typed host function of the shape `P -> L`, known
        /// at compile time (a typed closure's). Both matches are on constants, so only the
        /// arm of `P -> L` is compiled: rustc leaves out what a constant switch cannot
        /// reach.
        pub(crate) fn define_typed<B, H, P, L>(
            linker: &mut B::Linker,
            namespace: &str,
            name: &str,
            func: H,
        ) -> Result<(), BackendError>
        where
            B: Backend,
            H: FastHost<B>,
            P: WasmTypeList,
            L: WasmTypeList,
        {
            match const { P::TYPES.len() } {
                $(
                    $n => match const { result_code(L::TYPES) } {
                        0 => B::define_fast::<H, $n, 0>(linker, namespace, name, func),
                        1 => B::define_fast::<H, $n, 1>(linker, namespace, name, func),
                        2 => B::define_fast::<H, $n, 2>(linker, namespace, name, func),
                        3 => B::define_fast::<H, $n, 3>(linker, namespace, name, func),
                        4 => B::define_fast::<H, $n, 4>(linker, namespace, name, func),
                        _ => Err(not_fast(&FuncSig::new(P::TYPES, L::TYPES))),
                    },
                )*
                _ => Err(not_fast(&FuncSig::new(P::TYPES, L::TYPES))),
            }
        }
    };
}
crate::for_each_arity!(define_dispatch);

/// [`ResultKind::code`] of a result list, or `u8::MAX` if it has no fast path.
const fn result_code(results: &[WType]) -> u8 {
    match ResultKind::of(results) {
        Some(kind) => kind.code(),
        None => u8::MAX,
    }
}

/// The error of a host function asked to be defined through a shape it does not have.
#[cold]
fn not_fast(sig: &FuncSig) -> BackendError {
    BackendError::Instantiation(alloc::format!(
        "a host function of type {sig} has no typed fast path (at most {MAX_ARITY} i32 \
         parameters and one scalar result)"
    ))
}

/// The error of a typed host function defined for a shape other than its types' (a bug of
/// the engine crate, reported rather than trusted).
#[cold]
fn shape_mismatch(sig: &FuncSig) -> BackendError {
    BackendError::TypeMismatch(alloc::format!(
        "a typed host function of type {sig} was called through another shape"
    ))
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

        // Always inlined: the typed call is the one every core call of an adapter takes.
        #[inline(always)]
        fn call_fast(
            ctx: &mut Self::Context<'_>,
            func: &Self::FastFunc,
            args: &[i32; $crate::fast::MAX_ARITY],
            results: &mut [$crate::WValue],
        ) -> Result<(), $crate::BackendError> {
            #[inline(always)]
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

        fn define_fast<H: $crate::fast::FastHost<Self>, const ARITY: usize, const RESULT: u8>(
            linker: &mut Self::Linker,
            namespace: &str,
            name: &str,
            func: H,
        ) -> Result<(), $crate::BackendError> {
            // Both matches are on constants: only the one trampoline of the shape is
            // compiled.
            fn wrap<R, H: $crate::fast::FastHost<$backend>, const ARITY: usize>(
                linker: &mut $engine::Linker<$crate::StoreData<$backend>>,
                namespace: &str,
                name: &str,
                func: H,
            ) -> Result<(), $crate::BackendError>
            where
                R: $crate::fast::FastResult,
                Result<R, $error>: $engine::WasmRet,
            {
                match ARITY {
                    $($n => {
                        linker
                            .func_wrap(
                                namespace,
                                name,
                                move |caller: $engine::Caller<'_, $crate::StoreData<$backend>>,
                                      $($a: i32),*|
                                      -> Result<R, $error> {
                                    $crate::fast::FastHost::<$backend>::call::<R>(
                                        &func,
                                        &mut $crate::Caller::new(caller),
                                        &[$($a),*],
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
            match RESULT {
                0 => wrap::<(), H, ARITY>(linker, namespace, name, func),
                1 => wrap::<i32, H, ARITY>(linker, namespace, name, func),
                2 => wrap::<i64, H, ARITY>(linker, namespace, name, func),
                3 => wrap::<f32, H, ARITY>(linker, namespace, name, func),
                4 => wrap::<f64, H, ARITY>(linker, namespace, name, func),
                _ => Err($crate::BackendError::Instantiation(
                    "a typed host function returns at most one scalar".into(),
                )),
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
