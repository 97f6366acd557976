//! strait's [`Backend`] on Wasmtime 48 (Cranelift JIT).
//!
//! This crate only converts: the stores, calls, host functions, limits and checks are
//! strait-backend's engine-generic core, the same code on every engine.
//!
//! - **Synchronous.** No async support, no fibers: a call runs on the caller's thread.
//! - **One engine, one store per module.** [`Wasmtime`] is the engine (cheap to clone);
//!   each [`Store`](strait_backend::Store) holds one instance, its memory-budget account
//!   and its WASI context. Stores are `Send`.
//! - **Limits.** Memory and table growth is charged to a shared
//!   [`MemoryBudget`](strait_backend::MemoryBudget); fuel metering is compiled in only when
//!   [`EngineConfig::fuel`] is set (it costs about 10 %), and then a store starts with
//!   unlimited fuel until `set_fuel`; a wall-clock deadline uses epochs, advanced by one
//!   background thread per engine every [`EngineConfig::deadline_tick`]. The wasm stack is
//!   capped by `max_wasm_stack` (512 KiB by default): each store entered on a thread may
//!   use that much, so a chain of N modules needs N × 512 KiB of the thread's stack.
//! - **Traps** keep Wasmtime's wasm backtrace (`error while executing at wasm backtrace:`
//!   and the frames, with name-section symbols); DWARF is not generated unless
//!   `debug_info` is set.
//! - **Fast paths.** Calls and host functions whose parameters are up to eight `i32` and
//!   whose result is none or one scalar go through `TypedFunc` and `Linker::func_wrap`
//!   (Wasmtime's untyped `Func::call` takes a lock per call); other shapes use
//!   `Func::call` and `Linker::func_new`.
//! - **Compiled-module cache.** With `cache_dir`, compiled code is stored in that
//!   directory, keyed by the module's hash and the engine settings, and a second load of
//!   the same module skips Cranelift ([`Wasmtime::cache_stats`] counts hits and misses).
//!
//! ```
//! use strait_backend::{AsContextMut, Backend, EngineConfig, StoreConfig, TypedFunc};
//! use strait_wasmtime::Wasmtime;
//!
//! let engine = Wasmtime::new(&EngineConfig::default())?;
//! let wasm = wat::parse_str(r#"(module (func (export "inc") (param i32) (result i32)
//!     (i32.add (local.get 0) (i32.const 1))))"#)?;
//! let module = engine.compile(&wasm)?;
//! let mut store = engine.new_store(StoreConfig::default())?;
//! store.instantiate(&module, &[])?;
//! let inc = TypedFunc::<Wasmtime, i32, i32>::from_export(&mut store, "inc")?;
//! assert_eq!(inc.call(&mut store, 41)?, 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # WASI
//!
//! WASI preview1 comes from wasmtime-wasi's synchronous p1 API. The guest sees the errno
//! values Marine's guests saw (for example `..` out of a preopen is `EPERM`, 63); the
//! shared test suite checks them on both engines. Preopen names are normalised by
//! [`preopen_name`](strait_backend::preopen_name): `sites` and `/sites` both become
//! `/sites`. Without stdin, reading fd 0 reads nothing.
//!
//! # Crate features
//!
//! | Feature | Description |
//! |:-:|:--|
//! | `wasi` | WASI preview1 (wasmtime-wasi). <br><br> Enabled by default. |
//! | `cache` | The on-disk compiled-module cache. <br><br> Enabled by default. |
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod convert;
mod engine;
#[cfg(feature = "wasi")]
mod wasi;

pub use engine::Wasmtime;

use std::time::Duration;

use strait_backend::{
    Backend, BackendError, BudgetLimiter, Caller, EngineConfig, FuncSig, ModuleInfo, StoreData,
    WValue,
};
use wasmtime::AsContextMut;

use crate::convert::{carry, engine_error, from_error, link_error};

/// An epoch deadline far enough away to mean "none", without overflowing the engine's
/// `current + delta`.
const NO_DEADLINE: u64 = u64::MAX / 2;

/// What a store of this backend holds.
type Data = StoreData<Wasmtime>;

/// The budget limiter, as Wasmtime's resource limiter.
#[derive(Debug)]
pub struct Limiter(BudgetLimiter);

impl From<BudgetLimiter> for Limiter {
    fn from(limiter: BudgetLimiter) -> Self {
        Self(limiter)
    }
}

impl AsMut<BudgetLimiter> for Limiter {
    fn as_mut(&mut self) -> &mut BudgetLimiter {
        &mut self.0
    }
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.0.memory_growing(now, to, max))
    }

    fn table_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.0.table_growing(now, to, max))
    }
}

impl Backend for Wasmtime {
    const NAME: &'static str = "wasmtime";
    const WASI: bool = cfg!(feature = "wasi");

    type Module = wasmtime::Module;
    type Store = wasmtime::Store<Data>;
    type Context<'a> = wasmtime::StoreContextMut<'a, Data>;
    type Caller<'a> = wasmtime::Caller<'a, Data>;
    type Instance = wasmtime::Instance;
    type Func = wasmtime::Func;
    type Memory = wasmtime::Memory;
    type Linker = wasmtime::Linker<Data>;
    type Val = wasmtime::Val;
    type Limiter = Limiter;
    #[cfg(feature = "wasi")]
    type Wasi = wasmtime_wasi::p1::WasiP1Ctx;
    #[cfg(not(feature = "wasi"))]
    type Wasi = core::convert::Infallible;

    strait_backend::fast_paths!(
        backend: Wasmtime,
        engine: wasmtime,
        error: wasmtime::Error,
        from_error: from_error,
        carry: carry,
        link_error: link_error,
    );

    fn new(config: &EngineConfig) -> Result<Self, BackendError> {
        Self::with_config(config)
    }

    fn config(&self) -> &EngineConfig {
        self.engine_config()
    }

    fn compile_raw(&self, wasm: &[u8]) -> Result<(wasmtime::Module, ModuleInfo), BackendError> {
        self.compile_module(wasm)
    }

    fn create_store(&self, data: Data) -> wasmtime::Store<Data> {
        let mut store = wasmtime::Store::new(self.engine(), data);
        store.limiter(|d| d.limiter());
        if self.engine_config().deadline_tick.is_some() {
            store.epoch_deadline_trap();
            store.set_epoch_deadline(NO_DEADLINE);
        }
        store
    }

    fn same_engine(store: &wasmtime::Store<Data>, module: &wasmtime::Module) -> bool {
        wasmtime::Engine::same(module.engine(), store.engine())
    }

    fn context(store: &mut wasmtime::Store<Data>) -> Self::Context<'_> {
        store.as_context_mut()
    }

    fn caller_context<'a>(caller: &'a mut Self::Caller<'_>) -> Self::Context<'a> {
        caller.as_context_mut()
    }

    fn reborrow<'a>(ctx: &'a mut Self::Context<'_>) -> Self::Context<'a> {
        ctx.as_context_mut()
    }

    fn store_data(store: &wasmtime::Store<Data>) -> &Data {
        store.data()
    }

    fn store_data_mut(store: &mut wasmtime::Store<Data>) -> &mut Data {
        store.data_mut()
    }

    fn data<'a>(ctx: &'a Self::Context<'_>) -> &'a Data {
        ctx.data()
    }

    fn data_mut<'a>(ctx: &'a mut Self::Context<'_>) -> &'a mut Data {
        ctx.data_mut()
    }

    fn get_func(
        ctx: &mut Self::Context<'_>,
        instance: wasmtime::Instance,
        name: &str,
    ) -> Option<wasmtime::Func> {
        instance.get_func(ctx, name)
    }

    fn get_memory(
        ctx: &mut Self::Context<'_>,
        instance: wasmtime::Instance,
        name: &str,
    ) -> Option<wasmtime::Memory> {
        instance.get_memory(ctx, name)
    }

    fn memory_bytes(store: &wasmtime::Store<Data>, memory: wasmtime::Memory) -> &[u8] {
        memory.data(store)
    }

    fn memory_bytes_mut<'a>(ctx: Self::Context<'a>, memory: wasmtime::Memory) -> &'a mut [u8] {
        memory.data_mut(ctx)
    }

    fn memory_grow(
        ctx: &mut Self::Context<'_>,
        memory: wasmtime::Memory,
        pages: u64,
    ) -> Option<u64> {
        memory.grow(ctx, pages).ok()
    }

    fn to_val(value: WValue) -> wasmtime::Val {
        convert::to_val(value)
    }

    fn from_val(value: &wasmtime::Val) -> Result<WValue, BackendError> {
        convert::from_val(value)
    }

    fn call_raw(
        ctx: &mut Self::Context<'_>,
        func: &wasmtime::Func,
        args: &[wasmtime::Val],
        results: &mut [wasmtime::Val],
    ) -> Result<(), BackendError> {
        func.call(ctx, args, results).map_err(from_error)
    }

    fn new_linker(store: &wasmtime::Store<Data>) -> Self::Linker {
        let mut linker = wasmtime::Linker::new(store.engine());
        // A host function given for a WASI name replaces WASI's.
        linker.allow_shadowing(true);
        linker
    }

    #[cfg(feature = "wasi")]
    fn link_wasi(
        linker: &mut Self::Linker,
        store: &mut wasmtime::Store<Data>,
        config: &strait_backend::WasiConfig,
    ) -> Result<(), BackendError> {
        *store.data_mut().wasi() = Some(wasi::context(config)?);
        wasmtime_wasi::p1::add_to_linker_sync(linker, |d: &mut Data| {
            // Always set before the linker can call in (just above); the fallback only
            // keeps this closure total.
            d.wasi().get_or_insert_with(wasi::empty_context)
        })
        .map_err(|e| BackendError::Wasi(format!("{e:#}")))
    }

    fn define_raw<F>(
        linker: &mut Self::Linker,
        namespace: &str,
        name: &str,
        sig: &FuncSig,
        func: F,
    ) -> Result<(), BackendError>
    where
        F: Fn(
                &mut Caller<'_, Self>,
                &[wasmtime::Val],
                &mut [wasmtime::Val],
            ) -> Result<(), BackendError>
            + Send
            + Sync
            + 'static,
    {
        let ty = convert::func_type(linker.engine(), sig);
        linker
            .func_new(namespace, name, ty, move |caller, params, results| {
                func(&mut Caller::new(caller), params, results).map_err(carry)
            })
            .map(drop)
            .map_err(link_error)
    }

    fn linker_provides(
        linker: &Self::Linker,
        store: &mut wasmtime::Store<Data>,
        namespace: &str,
        name: &str,
    ) -> bool {
        linker.get(store, namespace, name).is_ok()
    }

    fn instantiate(
        linker: &Self::Linker,
        store: &mut wasmtime::Store<Data>,
        module: &wasmtime::Module,
    ) -> Result<wasmtime::Instance, BackendError> {
        linker.instantiate(store, module).map_err(from_error)
    }

    fn set_fuel(store: &mut wasmtime::Store<Data>, fuel: u64) -> Result<(), BackendError> {
        store.set_fuel(fuel).map_err(engine_error)
    }

    fn fuel(store: &wasmtime::Store<Data>) -> Result<u64, BackendError> {
        store.get_fuel().map_err(engine_error)
    }

    fn set_deadline(
        store: &mut wasmtime::Store<Data>,
        tick: Option<Duration>,
        deadline: Option<Duration>,
    ) -> Result<(), BackendError> {
        let Some(tick) = tick else {
            return match deadline {
                None => Ok(()),
                Some(_) => Err(BackendError::Unsupported(
                    "deadlines need EngineConfig::deadline_tick".into(),
                )),
            };
        };
        let ticks = match deadline {
            // Rounded up, and at least one tick, so a deadline is never shorter than asked.
            Some(d) => u64::try_from(d.as_nanos().div_ceil(tick.as_nanos().max(1)))
                .unwrap_or(NO_DEADLINE)
                .clamp(1, NO_DEADLINE),
            None => NO_DEADLINE,
        };
        store.set_epoch_deadline(ticks);
        Ok(())
    }
}
