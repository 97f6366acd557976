//! The engine layer of strait: the traits every WebAssembly engine implements, and the
//! engine-independent pieces around them.
//!
//! strait runs services of several modules with one store per module, all stores sharing
//! one engine. This crate knows nothing about interface types; the runtime above it does.
//!
//! - [`BackendCore`] compiles modules ([`BackendCore::compile`], validation errors are
//!   values) and creates stores ([`BackendCore::new_store`]); [`Backend`] adds the typed
//!   call shapes of the Marine ABI.
//! - [`BackendStore`] instantiates a module with [`HostFunc`]s, resolves exports once
//!   ([`BackendCore::Func`], which carries its [`FuncSig`]), calls them with [`WValue`]s
//!   into a caller-provided results buffer, reads, writes and grows memories, and bounds
//!   calls with fuel and (Wasmtime) a wall-clock deadline.
//! - A host function's closure gets a [`CallerContext`]: the caller's memory as bytes, its
//!   exports, calls into it. A cross-module call is a host function that locks another
//!   store and calls into it; stores are `Send` so they can live in `Arc<spin::Mutex<_>>`.
//! - [`TypedFunc`] is the fast path: no per-call type checks or value conversion.
//! - [`MemoryBudget`] is one byte budget shared by several stores: memory and table growth
//!   beyond it is refused and counted; a dropped store returns its share.
//! - [`BackendError`] is the one error type; traps carry a [`TrapKind`], a message that is
//!   the same on every engine, and the wasm backtrace where the engine gives one. Errors
//!   of host functions come back unchanged as [`BackendError::Host`].
//!
//! # Crate features
//!
//! | Feature | Description |
//! |:-:|:--|
//! | `std` | WASI configuration ([`WasiConfig`], host paths), `std::io::Write` for [`OutputCapture`], the compiled-module cache directory in [`EngineConfig`]. <br><br> Disabled by default: the crate is `no_std` + `alloc`. |
//! | `test-suite` | The generic test bodies in `test_suite`, written once and instantiated for every backend with `backend_test_suite!`. Implies `std`. <br><br> Disabled by default. |
#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod backend;
mod budget;
mod capture;
mod config;
mod error;
mod module_info;
mod small_buf;
mod typed;
mod value;
#[cfg(feature = "std")]
mod wasi;

#[cfg(feature = "test-suite")]
pub mod test_suite;

pub use backend::{
    Backend, BackendCore, BackendStore, CallerContext, FuncHandle, HostFn, HostFunc, StoreId,
    Typed, TypedFunc, check_call, check_imports, check_typed,
};
pub use budget::{BudgetLimiter, MemoryBudget, Refusal, TABLE_ELEMENT_BYTES, WASM_PAGE_BYTES};
pub use capture::{DEFAULT_CAPTURE_LIMIT, OutputCapture};
pub use config::{ENABLED_PROPOSALS, EngineConfig, StoreConfig};
pub use error::{BackendError, HostError, Trap, TrapKind};
pub use module_info::{ExportDesc, ExternDesc, ImportDesc, ModuleInfo};
pub use small_buf::SmallBuf;
pub use typed::{WasmScalar, WasmTypeList};
pub use value::{FuncSig, WType, WValue};
#[cfg(feature = "std")]
pub use wasi::{Stdio, WasiConfig, check_mapped_dirs, preopen_name};
