//! One context for a store and for a host function's caller, as wasmtime's and wasmi's
//! `AsContextMut`: code that calls into a module, reads its memory or looks up its
//! exports takes `impl AsContextMut<B>` and runs the same at top level and inside a host
//! function.

use crate::backend::Backend;
use crate::error::BackendError;
use crate::func::{Func, Memory, same_store};
use crate::store::StoreData;
use crate::value::WValue;

/// A mutable view of one store: its instance's exports and memories, and calls into it.
///
/// Implemented by [`Store`](crate::Store), [`Caller`], [`Context`] and `&mut` of each, so
/// every function here is written once for both.
///
/// ```
/// use strait_backend::{AsContextMut, Backend, BackendError};
///
/// /// The first byte of the module's memory, from a store or inside a host function.
/// fn first_byte<B: Backend>(mut ctx: impl AsContextMut<B>) -> Result<u8, BackendError> {
///     Ok(ctx.main_memory()?.first().copied().unwrap_or(0))
/// }
/// ```
pub trait AsContextMut<B: Backend> {
    /// The context.
    fn as_context_mut(&mut self) -> Context<'_, B>;

    /// The exported function `name` (a lookup: resolve it once and keep the handle).
    fn func(&mut self, name: &str) -> Result<Func<B>, BackendError> {
        self.as_context_mut().func(name)
    }

    /// Calls `func` with `args`; its results are written into `results`, whose length must
    /// be the number of results.
    fn call(
        &mut self,
        func: &Func<B>,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        func.call(self.as_context_mut(), args, results)
    }

    /// The bytes of the export `memory` (what the Marine ABI calls the module's memory).
    #[inline]
    fn main_memory(&mut self) -> Result<&mut [u8], BackendError> {
        self.as_context_mut().into_main_memory()
    }

    /// The exported memory `name`.
    fn memory(&mut self, name: &str) -> Result<Memory<B>, BackendError> {
        self.as_context_mut().memory(name)
    }

    /// The bytes of `memory`, writable.
    fn memory_data_mut(&mut self, memory: &Memory<B>) -> Result<&mut [u8], BackendError> {
        self.as_context_mut().into_memory_data(memory)
    }

    /// Grows `memory` by `pages`; returns the previous size in pages. A growth the budget
    /// or the memory's maximum refuses is [`BackendError::Limits`].
    fn memory_grow(&mut self, memory: &Memory<B>, pages: u64) -> Result<u64, BackendError> {
        self.as_context_mut().memory_grow(memory, pages)
    }
}

impl<B: Backend, T: AsContextMut<B> + ?Sized> AsContextMut<B> for &mut T {
    #[inline]
    fn as_context_mut(&mut self) -> Context<'_, B> {
        (**self).as_context_mut()
    }
}

/// The engine's view of one store, from a store or a host function's caller.
pub struct Context<'a, B: Backend> {
    pub(crate) inner: B::Context<'a>,
}

impl<B: Backend> core::fmt::Debug for Context<'_, B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("store", &self.data().id())
            .finish()
    }
}

impl<'a, B: Backend> Context<'a, B> {
    /// Wraps the engine's context (for engine crates).
    pub fn new(inner: B::Context<'a>) -> Self {
        Self { inner }
    }

    /// The engine's context.
    pub fn inner(&mut self) -> &mut B::Context<'a> {
        &mut self.inner
    }

    /// The store's data.
    pub fn data(&self) -> &StoreData<B> {
        B::data(&self.inner)
    }

    fn data_mut(&mut self) -> &mut StoreData<B> {
        B::data_mut(&mut self.inner)
    }

    /// The exported function `name`, with its signature and, when its shape has one, its
    /// typed fast path.
    pub fn func(&mut self, name: &str) -> Result<Func<B>, BackendError> {
        let data = self.data();
        let id = data.id();
        let (Some(instance), Some(info)) = (data.instance, data.info.as_ref()) else {
            return Err(not_instantiated());
        };
        let sig = info.export_func(name)?.clone();
        let raw = B::get_func(&mut self.inner, instance, name)
            .ok_or_else(|| missing(name, "function"))?;
        Ok(Func::resolve(&self.inner, raw, id, sig))
    }

    /// The exported memory `name`.
    pub fn memory(&mut self, name: &str) -> Result<Memory<B>, BackendError> {
        let data = self.data();
        let id = data.id();
        let instance = data.instance.ok_or_else(not_instantiated)?;
        let raw = B::get_memory(&mut self.inner, instance, name)
            .ok_or_else(|| missing(name, "memory"))?;
        Ok(Memory { raw, store: id })
    }

    /// The bytes of the export `memory`, for as long as the context lives.
    #[inline]
    pub fn into_main_memory(self) -> Result<&'a mut [u8], BackendError> {
        let data = self.data();
        if data.instance.is_none() {
            return Err(not_instantiated());
        }
        let memory = data.memory.ok_or_else(|| missing("memory", "memory"))?;
        Ok(B::memory_bytes_mut(self.inner, memory))
    }

    /// The bytes of `memory`, for as long as the context lives.
    pub fn into_memory_data(self, memory: &Memory<B>) -> Result<&'a mut [u8], BackendError> {
        same_store(self.data().id(), memory.store)?;
        Ok(B::memory_bytes_mut(self.inner, memory.raw))
    }

    /// Grows `memory` by `pages`; returns the previous size in pages.
    pub fn memory_grow(&mut self, memory: &Memory<B>, pages: u64) -> Result<u64, BackendError> {
        same_store(self.data().id(), memory.store)?;
        self.data_mut().limiter.as_mut().take_refusal();
        match B::memory_grow(&mut self.inner, memory.raw, pages) {
            Some(previous) => Ok(previous),
            None => Err(BackendError::Limits(
                match self.data_mut().limiter.as_mut().take_refusal() {
                    Some(_) => alloc::format!(
                        "memory growth by {pages} pages refused: the memory budget is exhausted"
                    ),
                    None => alloc::format!(
                        "memory growth by {pages} pages refused: beyond the memory's maximum"
                    ),
                },
            )),
        }
    }
}

impl<B: Backend> AsContextMut<B> for Context<'_, B> {
    #[inline]
    fn as_context_mut(&mut self) -> Context<'_, B> {
        Context {
            inner: B::reborrow(&mut self.inner),
        }
    }
}

/// What a host function sees of the instance that called it: a context (see
/// [`AsContextMut`]) on the caller's store.
pub struct Caller<'a, B: Backend> {
    inner: B::Caller<'a>,
}

impl<B: Backend> core::fmt::Debug for Caller<'_, B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Caller").finish_non_exhaustive()
    }
}

impl<'a, B: Backend> Caller<'a, B> {
    /// Wraps the engine's caller (for engine crates).
    pub fn new(inner: B::Caller<'a>) -> Self {
        Self { inner }
    }

    /// The engine's caller.
    pub fn inner(&mut self) -> &mut B::Caller<'a> {
        &mut self.inner
    }
}

impl<B: Backend> AsContextMut<B> for Caller<'_, B> {
    #[inline]
    fn as_context_mut(&mut self) -> Context<'_, B> {
        Context {
            inner: B::caller_context(&mut self.inner),
        }
    }
}

/// The error of a store used before its instance exists.
pub(crate) fn not_instantiated() -> BackendError {
    BackendError::Instance("the store has no instance")
}

/// The error of a missing export.
pub(crate) fn missing(name: &str, kind: &'static str) -> BackendError {
    BackendError::MissingExport {
        name: name.into(),
        kind,
    }
}
