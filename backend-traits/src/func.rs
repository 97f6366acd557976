//! Handles of compiled modules, exported functions and memories, and the one call path
//! every call takes (untyped with values, or typed through [`TypedFunc`](crate::TypedFunc)).

use alloc::sync::Arc;

use crate::backend::Backend;
use crate::context::AsContextMut;
use crate::error::BackendError;
use crate::fast::{FastShape, MAX_ARITY};
use crate::module_info::ModuleInfo;
use crate::small_buf::SmallBuf;
use crate::store::StoreId;
use crate::value::{FuncSig, WValue};

/// Values of ordinary calls stay on the stack.
pub(crate) const INLINE_VALUES: usize = 16;

/// A compiled, validated module and what it imports and exports; cheap to clone.
pub struct Module<B: Backend> {
    raw: B::Module,
    info: Arc<ModuleInfo>,
}

impl<B: Backend> Clone for Module<B> {
    fn clone(&self) -> Self {
        Self {
            raw: self.raw.clone(),
            info: self.info.clone(),
        }
    }
}

impl<B: Backend> core::fmt::Debug for Module<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Module")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Module<B> {
    pub(crate) fn new(raw: B::Module, info: ModuleInfo) -> Self {
        Self {
            raw,
            info: Arc::new(info),
        }
    }

    /// Its imports and exports.
    pub fn info(&self) -> &ModuleInfo {
        &self.info
    }

    pub(crate) fn info_arc(&self) -> Arc<ModuleInfo> {
        self.info.clone()
    }

    /// The engine's module.
    pub fn raw(&self) -> &B::Module {
        &self.raw
    }
}

/// An exported function of one store's instance: resolved once, with its signature and
/// its typed fast path chosen, then called any number of times.
pub struct Func<B: Backend> {
    raw: B::Func,
    pub(crate) store: StoreId,
    sig: FuncSig,
    fast: Option<B::FastFunc>,
}

impl<B: Backend> Clone for Func<B> {
    fn clone(&self) -> Self {
        Self {
            raw: self.raw.clone(),
            store: self.store,
            sig: self.sig.clone(),
            fast: self.fast.clone(),
        }
    }
}

impl<B: Backend> core::fmt::Debug for Func<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Func")
            .field("store", &self.store)
            .field("sig", &self.sig)
            .field("fast", &self.fast.is_some())
            .finish()
    }
}

impl<B: Backend> Func<B> {
    /// The handle of `raw`, an export of type `sig` of the store `store`.
    pub(crate) fn resolve(
        ctx: &B::Context<'_>,
        raw: B::Func,
        store: StoreId,
        sig: FuncSig,
    ) -> Self {
        let fast = FastShape::of(&sig).and_then(|shape| B::fast_func(ctx, &raw, shape));
        Self {
            raw,
            store,
            sig,
            fast,
        }
    }

    /// The function's signature.
    pub fn sig(&self) -> &FuncSig {
        &self.sig
    }

    /// The engine's function.
    pub fn raw(&self) -> &B::Func {
        &self.raw
    }

    /// Whether calls take the engine's typed fast path.
    pub fn is_fast(&self) -> bool {
        self.fast.is_some()
    }

    /// Calls the function in `ctx` (its store, or a caller on it) with `args`; its results
    /// are written into `results`, whose length must be the number of results.
    ///
    /// Arguments and results are checked against the signature, the same way on every
    /// engine; a handle of another store is [`BackendError::ForeignHandle`].
    #[inline]
    pub fn call(
        &self,
        mut ctx: impl AsContextMut<B>,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        check_call(&self.sig, args, results)?;
        self.call_checked(&mut ctx, args, results)
    }

    /// Calls a function whose parameters are all `i32` and which has at most one result,
    /// with `args`; returns its result, if it has one. Functions of a fast-path shape go
    /// straight to the engine's typed call, with no value built for the arguments; others
    /// are called as by [`call`](Self::call), with the same checks. A function of several
    /// results is an error.
    #[inline(always)]
    pub fn call_i32(
        &self,
        mut ctx: impl AsContextMut<B>,
        args: &[i32],
    ) -> Result<Option<WValue>, BackendError> {
        let mut out = [WValue::I32(0)];
        let Some(results) = out.get_mut(..self.sig.results().len()) else {
            return Err(several_results(&self.sig));
        };
        if let Some(first) = results.first_mut() {
            *first = self
                .sig
                .results()
                .first()
                .map_or(WValue::I32(0), |ty| ty.zero());
        }
        // A fast handle exists only for `i32` parameters; the count makes the shape exact.
        if args.len() == self.sig.params().len() {
            let mut i32s = [0_i32; MAX_ARITY];
            for (slot, arg) in i32s.iter_mut().zip(args) {
                *slot = *arg;
            }
            if let Some(result) = self.call_fast(&mut ctx, &i32s, results) {
                result?;
                return Ok(results.first().copied());
            }
        }
        self.call_i32_values(ctx, args, results)?;
        Ok(results.first().copied())
    }

    /// [`call_i32`](Self::call_i32) without a fast path: the arguments as values, out of
    /// line so the inlined fast path stays small.
    #[cold]
    #[inline(never)]
    fn call_i32_values(
        &self,
        ctx: impl AsContextMut<B>,
        args: &[i32],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        let values = SmallBuf::<WValue, INLINE_VALUES>::collect_from(
            args.iter().map(|arg| WValue::I32(*arg)),
        );
        self.call(ctx, &values, results)
    }

    /// [`call`](Self::call) with arguments and results already known to fit the signature.
    #[inline]
    pub(crate) fn call_checked(
        &self,
        ctx: &mut impl AsContextMut<B>,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        if self.fast.is_some() {
            let mut i32s = [0_i32; MAX_ARITY];
            for (slot, arg) in i32s.iter_mut().zip(args) {
                if let WValue::I32(x) = arg {
                    *slot = *x;
                }
            }
            if let Some(result) = self.call_fast(ctx, &i32s, results) {
                return result;
            }
        }
        let mut cx = ctx.as_context_mut();
        same_store(cx.data().id(), self.store)?;
        let params =
            SmallBuf::<B::Val, INLINE_VALUES>::collect_from(args.iter().copied().map(B::to_val));
        let mut outs = SmallBuf::<B::Val, INLINE_VALUES>::collect_from(
            self.sig.results().iter().map(|t| B::to_val(t.zero())),
        );
        B::call_raw(&mut cx.inner, &self.raw, &params, &mut outs)?;
        for (slot, value) in results.iter_mut().zip(outs.iter()) {
            *slot = B::from_val(value)?;
        }
        Ok(())
    }

    /// [`call_fast`](Self::call_fast) for a shape known at the call site.
    #[inline(always)]
    pub(crate) fn call_fast_as(
        &self,
        ctx: &mut impl AsContextMut<B>,
        shape: FastShape,
        args: &[i32; MAX_ARITY],
        results: &mut [WValue],
    ) -> Option<Result<(), BackendError>> {
        let fast = self.fast.as_ref()?;
        let mut cx = ctx.as_context_mut();
        if let Err(e) = same_store(cx.data().id(), self.store) {
            return Some(Err(e));
        }
        B::call_fast_as(&mut cx.inner, fast, shape, args, results)
    }

    /// Calls a fast-path function with its `i32` arguments, writing its result into
    /// `results`; `None` if it has no fast path.
    #[inline(always)]
    pub(crate) fn call_fast(
        &self,
        ctx: &mut impl AsContextMut<B>,
        args: &[i32; MAX_ARITY],
        results: &mut [WValue],
    ) -> Option<Result<(), BackendError>> {
        let fast = self.fast.as_ref()?;
        let mut cx = ctx.as_context_mut();
        Some(
            same_store(cx.data().id(), self.store)
                .and_then(|()| B::call_fast(&mut cx.inner, fast, args, results)),
        )
    }
}

/// An exported memory of one store's instance.
pub struct Memory<B: Backend> {
    pub(crate) raw: B::Memory,
    pub(crate) store: StoreId,
}

impl<B: Backend> Clone for Memory<B> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B: Backend> Copy for Memory<B> {}

impl<B: Backend> core::fmt::Debug for Memory<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Memory")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Memory<B> {
    /// The engine's memory.
    pub fn raw(&self) -> B::Memory {
        self.raw
    }
}

/// A handle of `got`'s store used with the store `expected` is an error, not an engine
/// panic.
pub(crate) fn same_store(expected: StoreId, got: StoreId) -> Result<(), BackendError> {
    if expected == got {
        Ok(())
    } else {
        Err(BackendError::ForeignHandle)
    }
}

/// The error of [`Func::call_i32`] on a function of several results.
#[cold]
fn several_results(sig: &FuncSig) -> BackendError {
    BackendError::TypeMismatch(alloc::format!(
        "the function returns {} values ({sig}); an integer call takes at most one",
        sig.results().len()
    ))
}

/// Checks arguments and the results buffer against `sig`, with the same message on every
/// engine.
pub fn check_call(sig: &FuncSig, args: &[WValue], results: &[WValue]) -> Result<(), BackendError> {
    if !sig.params_match(args) {
        let got: alloc::vec::Vec<_> = args.iter().map(WValue::ty).collect();
        return Err(BackendError::TypeMismatch(alloc::format!(
            "the function takes {sig}, the arguments are {}",
            FuncSig::new(got, [])
        )));
    }
    if results.len() != sig.results().len() {
        return Err(BackendError::TypeMismatch(alloc::format!(
            "the function returns {} values ({sig}), the results buffer holds {}",
            sig.results().len(),
            results.len()
        )));
    }
    Ok(())
}
