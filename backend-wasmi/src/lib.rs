//! strait's [`Backend`] on wasmi 2 (an interpreter).
//!
//! `no_std` + `alloc` by default, so strait runs where there is no JIT and no operating
//! system; the `std` feature adds WASI preview1. This crate only converts: the stores,
//! calls, host functions, limits and checks are strait-backend's engine-generic core, the
//! same code on every engine.
//!
//! - **One engine, one store per module.** [`Wasmi`] is the engine (cheap to clone); each
//!   [`Store`](strait_backend::Store) holds one instance, its memory-budget account and
//!   its WASI context. Stores are `Send`.
//! - **The same wasm as Wasmtime.** Exactly the proposals of
//!   [`ENABLED_PROPOSALS`](strait_backend::ENABLED_PROPOSALS) are accepted (SIMD included,
//!   relaxed SIMD not); modules are validated.
//! - **Limits.** Memory and table growth is charged to a shared
//!   [`MemoryBudget`](strait_backend::MemoryBudget) exactly as on Wasmtime. Fuel (when
//!   [`EngineConfig::fuel`] is set; a store then starts with unlimited fuel until
//!   `set_fuel`) bounds calls; wasmi charges fuel per instruction with its own costs, so
//!   the same amount does not stop a call at the same point as on Wasmtime. There are no
//!   wall-clock deadlines: `set_deadline(Some(_))` is
//!   [`Unsupported`](strait_backend::BackendError::Unsupported). The wasm call stack lives
//!   on the heap and is bounded by `max_recursion_depth`, so recursion never reaches the
//!   host's stack.
//! - **Fast paths.** As on Wasmtime, calls and host functions of up to eight `i32`
//!   parameters and at most one scalar result go through wasmi's typed API.
//! - **Traps** carry the same kinds and messages as on Wasmtime but no wasm backtrace.
//!
//! ```
//! use strait_backend::{AsContextMut, Backend, EngineConfig, StoreConfig, TypedFunc};
//! use strait_wasmi::Wasmi;
//!
//! let engine = Wasmi::new(&EngineConfig::default())?;
//! let wasm = wat::parse_str(r#"(module (func (export "inc") (param i32) (result i32)
//!     (i32.add (local.get 0) (i32.const 1))))"#)?;
//! let module = engine.compile(&wasm)?;
//! let mut store = engine.new_store(StoreConfig::default())?;
//! store.instantiate(&module, &[])?;
//! let inc = TypedFunc::<Wasmi, i32, i32>::from_export(&mut store, "inc")?;
//! assert_eq!(inc.call(&mut store, 41)?, 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # WASI
//!
//! With `std`, WASI preview1 comes from wasmi_wasi (wasi-common, as Marine used through
//! Wasmtime 13); errno values match Wasmtime's for the cases the shared test suite checks
//! (`..` escape `EPERM` 63, missing directory `ENOENT` 44, the directory itself for writing
//! `EISDIR` 31). Preopen names are normalised by
//! [`preopen_name`](strait_backend::preopen_name): `sites` and `/sites` both become
//! `/sites`. Without stdin, reading fd 0 reads nothing, as on Wasmtime.
//!
//! # Crate features
//!
//! | Feature | Description |
//! |:-:|:--|
//! | `std` | Rust's standard library and WASI preview1 (wasmi_wasi). <br><br> Disabled by default. |
#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod convert;
mod engine;
#[cfg(feature = "std")]
mod wasi;

pub use engine::Wasmi;

use core::time::Duration;

use strait_backend::{
    Backend, BackendError, BudgetLimiter, Caller, EngineConfig, FuncSig, ModuleInfo, StoreData,
    WValue,
};
use wasmi::AsContextMut;
use wasmi_core::LimiterError;

use crate::convert::{carry, engine_error, from_error, link_error};

/// wasmi's own default caps on instances, tables and memories per store.
const DEFAULT_COUNT_LIMIT: usize = 10_000;

/// What a store of this backend holds.
type Data = StoreData<Wasmi>;

/// The budget limiter, as wasmi's resource limiter.
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

impl wasmi::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(self.0.memory_growing(now, to, max))
    }

    fn table_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(self.0.table_growing(now, to, max))
    }

    fn instances(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    fn tables(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    fn memories(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }
}

impl Backend for Wasmi {
    const NAME: &'static str = "wasmi";
    const WASI: bool = cfg!(feature = "std");

    type Module = wasmi::Module;
    type Store = wasmi::Store<Data>;
    type Context<'a> = wasmi::StoreContextMut<'a, Data>;
    type Caller<'a> = wasmi::Caller<'a, Data>;
    type Instance = wasmi::Instance;
    type Func = wasmi::Func;
    type Memory = wasmi::Memory;
    type Linker = wasmi::Linker<Data>;
    type Val = wasmi::Val;
    type Limiter = Limiter;
    #[cfg(feature = "std")]
    type Wasi = wasmi_wasi::WasiCtx;
    #[cfg(not(feature = "std"))]
    type Wasi = core::convert::Infallible;

    strait_backend::fast_paths!(
        backend: Wasmi,
        engine: wasmi,
        error: wasmi::Error,
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

    fn compile_raw(&self, wasm: &[u8]) -> Result<(wasmi::Module, ModuleInfo), BackendError> {
        self.compile_module(wasm)
    }

    fn create_store(&self, data: Data) -> wasmi::Store<Data> {
        let mut store = wasmi::Store::new(self.engine(), data);
        store.limiter(|d| d.limiter());
        store
    }

    fn same_engine(store: &wasmi::Store<Data>, module: &wasmi::Module) -> bool {
        wasmi::Engine::same(module.engine(), store.engine())
    }

    fn context(store: &mut wasmi::Store<Data>) -> Self::Context<'_> {
        store.as_context_mut()
    }

    fn caller_context<'a>(caller: &'a mut Self::Caller<'_>) -> Self::Context<'a> {
        caller.as_context_mut()
    }

    fn reborrow<'a>(ctx: &'a mut Self::Context<'_>) -> Self::Context<'a> {
        ctx.as_context_mut()
    }

    fn store_data(store: &wasmi::Store<Data>) -> &Data {
        store.data()
    }

    fn store_data_mut(store: &mut wasmi::Store<Data>) -> &mut Data {
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
        instance: wasmi::Instance,
        name: &str,
    ) -> Option<wasmi::Func> {
        instance.get_func(&*ctx, name)
    }

    fn get_memory(
        ctx: &mut Self::Context<'_>,
        instance: wasmi::Instance,
        name: &str,
    ) -> Option<wasmi::Memory> {
        instance.get_memory(&*ctx, name)
    }

    fn memory_bytes(store: &wasmi::Store<Data>, memory: wasmi::Memory) -> &[u8] {
        memory.data(store)
    }

    fn memory_bytes_mut<'a>(ctx: Self::Context<'a>, memory: wasmi::Memory) -> &'a mut [u8] {
        memory.data_mut(ctx)
    }

    fn memory_grow(ctx: &mut Self::Context<'_>, memory: wasmi::Memory, pages: u64) -> Option<u64> {
        memory.grow(ctx, pages).ok()
    }

    fn to_val(value: WValue) -> wasmi::Val {
        convert::to_val(value)
    }

    fn from_val(value: &wasmi::Val) -> Result<WValue, BackendError> {
        convert::from_val(value)
    }

    fn call_raw(
        ctx: &mut Self::Context<'_>,
        func: &wasmi::Func,
        args: &[wasmi::Val],
        results: &mut [wasmi::Val],
    ) -> Result<(), BackendError> {
        func.call(ctx, args, results).map_err(from_error)
    }

    fn new_linker(store: &wasmi::Store<Data>) -> Self::Linker {
        let mut linker = wasmi::Linker::new(store.engine());
        // A host function given for a WASI name replaces WASI's.
        linker.allow_shadowing(true);
        linker
    }

    #[cfg(feature = "std")]
    fn link_wasi(
        linker: &mut Self::Linker,
        store: &mut wasmi::Store<Data>,
        config: &strait_backend::WasiConfig,
    ) -> Result<(), BackendError> {
        *store.data_mut().wasi() = Some(wasi::context(config)?);
        wasmi_wasi::add_to_linker(linker, |d: &mut Data| {
            // Always set before the linker can call in (just above); the fallback only
            // keeps this closure total.
            d.wasi().get_or_insert_with(wasi::empty_context)
        })
        .map_err(|e| BackendError::Wasi(alloc::format!("{e}")))
    }

    fn define_raw<F>(
        linker: &mut Self::Linker,
        namespace: &str,
        name: &str,
        sig: &FuncSig,
        func: F,
    ) -> Result<(), BackendError>
    where
        F: Fn(&mut Caller<'_, Self>, &[wasmi::Val], &mut [wasmi::Val]) -> Result<(), BackendError>
            + Send
            + Sync
            + 'static,
    {
        linker
            .func_new(
                namespace,
                name,
                convert::func_type(sig),
                move |caller, params, results| {
                    func(&mut Caller::new(caller), params, results).map_err(carry)
                },
            )
            .map(drop)
            .map_err(link_error)
    }

    /// wasmi's linker does not list host functions, so WASI is known by its namespace;
    /// names WASI does not define surface as `UnknownImport` when instantiating.
    fn linker_provides(
        _: &Self::Linker,
        store: &mut wasmi::Store<Data>,
        namespace: &str,
        _: &str,
    ) -> bool {
        store.data_mut().wasi().is_some() && namespace == "wasi_snapshot_preview1"
    }

    fn instantiate(
        linker: &Self::Linker,
        store: &mut wasmi::Store<Data>,
        module: &wasmi::Module,
    ) -> Result<wasmi::Instance, BackendError> {
        linker
            .instantiate_and_start(store, module)
            .map_err(from_error)
    }

    fn set_fuel(store: &mut wasmi::Store<Data>, fuel: u64) -> Result<(), BackendError> {
        store.set_fuel(fuel).map_err(engine_error)
    }

    fn fuel(store: &wasmi::Store<Data>) -> Result<u64, BackendError> {
        store.get_fuel().map_err(engine_error)
    }

    fn set_deadline(
        _: &mut wasmi::Store<Data>,
        _: Option<Duration>,
        deadline: Option<Duration>,
    ) -> Result<(), BackendError> {
        match deadline {
            None => Ok(()),
            Some(_) => Err(BackendError::Unsupported(
                "wall-clock deadlines need Wasmtime; bound wasmi calls with fuel".into(),
            )),
        }
    }
}
