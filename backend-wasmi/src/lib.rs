//! strait's [`Backend`](strait_backend::Backend) on wasmi 2 (an interpreter).
//!
//! `no_std` + `alloc` by default, so strait runs where there is no JIT and no operating
//! system; the `std` feature adds WASI preview1.
//!
//! - **One engine, one store per module.** [`Wasmi`] is the engine (cheap to clone); each
//!   [`WasmiStore`] holds one instance, its memory-budget account and its WASI context.
//!   Stores are `Send`.
//! - **The same wasm as Wasmtime.** Exactly the proposals of
//!   [`ENABLED_PROPOSALS`](strait_backend::ENABLED_PROPOSALS) are accepted (SIMD included,
//!   relaxed SIMD not); modules are validated.
//! - **Limits.** Memory and table growth is charged to a shared
//!   [`MemoryBudget`](strait_backend::MemoryBudget) exactly as on Wasmtime. Fuel (when
//!   [`EngineConfig::fuel`](strait_backend::EngineConfig) is set; a store then starts with
//!   unlimited fuel until `set_fuel`) bounds calls; wasmi charges fuel per instruction
//!   with its own costs, so the same amount does not stop a call at the same point as on
//!   Wasmtime. There are no wall-clock deadlines: `set_deadline(Some(_))` is
//!   [`Unsupported`](strait_backend::BackendError::Unsupported). The wasm call stack lives
//!   on the heap and is bounded by `max_recursion_depth`, so recursion never reaches the
//!   host's stack.
//! - **Fast paths.** As on Wasmtime, untyped calls and host functions of up to eight `i32`
//!   parameters and at most one scalar result go through wasmi's typed API.
//! - **Traps** carry the same kinds and messages as on Wasmtime but no wasm backtrace.
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

mod caller;
mod convert;
mod engine;
mod fast;
mod store;
mod typed;
#[cfg(feature = "std")]
mod wasi;

pub use caller::WasmiCaller;
pub use engine::{Wasmi, WasmiModule};
pub use store::{StoreData, WasmiFunc, WasmiMemory, WasmiStore};
pub use typed::WasmiTypedFunc;

use strait_backend::{
    BackendCore, BackendError, EngineConfig, ModuleInfo, StoreConfig, WasmTypeList,
};

impl BackendCore for Wasmi {
    type Module = WasmiModule;
    type Store = WasmiStore;
    type Func = WasmiFunc;
    type Memory = WasmiMemory;
    type TypedFunc<P: WasmTypeList, R: WasmTypeList> = WasmiTypedFunc<P, R>;
    type Caller<'c> = WasmiCaller<'c>;

    const NAME: &'static str = "wasmi";

    fn new(config: &EngineConfig) -> Result<Self, BackendError> {
        Self::with_config(config)
    }

    fn config(&self) -> &EngineConfig {
        self.engine_config()
    }

    fn compile(&self, wasm: &[u8]) -> Result<WasmiModule, BackendError> {
        self.compile_module(wasm)
    }

    fn module_info(module: &WasmiModule) -> &ModuleInfo {
        &module.info
    }

    fn new_store(&self, config: StoreConfig) -> Result<WasmiStore, BackendError> {
        self.create_store(config)
    }
}
