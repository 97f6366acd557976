//! strait's [`Backend`](strait_backend::Backend) on Wasmtime 48 (Cranelift JIT).
//!
//! - **Synchronous.** No async support, no fibers: a call runs on the caller's thread.
//! - **One engine, one store per module.** [`Wasmtime`] is the engine (cheap to clone);
//!   each [`WasmtimeStore`] holds one instance, its memory-budget account and its WASI
//!   context. Stores are `Send`.
//! - **Limits.** Memory and table growth is charged to a shared
//!   [`MemoryBudget`](strait_backend::MemoryBudget); fuel metering is compiled in only when
//!   [`EngineConfig::fuel`](strait_backend::EngineConfig) is set (it costs about 10 %), and
//!   then a store starts with unlimited fuel until `set_fuel`; a wall-clock deadline uses
//!   epochs, advanced by one background thread per engine every
//!   [`EngineConfig::deadline_tick`](strait_backend::EngineConfig). The wasm stack is
//!   capped by `max_wasm_stack` (512 KiB by default): each store entered on a thread may
//!   use that much, so a chain of N modules needs N × 512 KiB of the thread's stack.
//! - **Traps** keep Wasmtime's wasm backtrace (`error while executing at wasm backtrace:`
//!   and the frames, with name-section symbols); DWARF is not generated unless
//!   `debug_info` is set.
//! - **Fast paths.** Untyped calls and host functions whose parameters are up to eight
//!   `i32` and whose result is none or one scalar go through `TypedFunc` and
//!   `Linker::func_wrap` (Wasmtime's untyped `Func::call` takes a lock per call); other
//!   shapes use `Func::call` and `Linker::func_new`.
//! - **Compiled-module cache.** With `cache_dir`, compiled code is stored in that
//!   directory, keyed by the module's hash and the engine settings, and a second load of
//!   the same module skips Cranelift ([`Wasmtime::cache_stats`] counts hits and misses).
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

mod caller;
mod convert;
mod engine;
mod fast;
mod store;
mod typed;
#[cfg(feature = "wasi")]
mod wasi;

pub use caller::WasmtimeCaller;
pub use engine::{Wasmtime, WasmtimeModule};
pub use store::{StoreData, WasmtimeFunc, WasmtimeMemory, WasmtimeStore};
pub use typed::WasmtimeTypedFunc;

use strait_backend::{
    BackendCore, BackendError, EngineConfig, ModuleInfo, StoreConfig, WasmTypeList,
};

impl BackendCore for Wasmtime {
    type Module = WasmtimeModule;
    type Store = WasmtimeStore;
    type Func = WasmtimeFunc;
    type Memory = WasmtimeMemory;
    type TypedFunc<P: WasmTypeList, R: WasmTypeList> = WasmtimeTypedFunc<P, R>;
    type Caller<'c> = WasmtimeCaller<'c>;

    const NAME: &'static str = "wasmtime";

    fn new(config: &EngineConfig) -> Result<Self, BackendError> {
        Self::with_config(config)
    }

    fn config(&self) -> &EngineConfig {
        self.engine_config()
    }

    fn compile(&self, wasm: &[u8]) -> Result<WasmtimeModule, BackendError> {
        self.compile_module(wasm)
    }

    fn module_info(module: &WasmtimeModule) -> &ModuleInfo {
        &module.info
    }

    fn new_store(&self, config: StoreConfig) -> Result<WasmtimeStore, BackendError> {
        self.create_store(config)
    }
}
