//! The engine layer of strait: one engine-generic core, and the narrow [`Backend`] trait
//! each WebAssembly engine implements.
//!
//! strait runs services of several modules with one store per module, all stores sharing
//! one engine. This crate knows nothing about interface types; the runtime above it does.
//! Everything here is written once, generic over `B: Backend`, as wasm_runtime_layer's
//! core is; an engine crate only converts.
//!
//! - [`Backend`] is the engine: [`Backend::compile`] (validation errors are values) and
//!   [`Backend::new_store`].
//! - [`Store`] instantiates a [`Module`] with [`HostFunc`]s, bounds calls with fuel and (on
//!   Wasmtime) a wall-clock deadline, and charges memory to a [`MemoryBudget`].
//! - [`AsContextMut`] is the one view of a store, implemented by [`Store`] and by the
//!   [`Caller`] a host function gets: exports ([`Func`], [`Memory`]), memory bytes, calls.
//!   A cross-module call is a host function that locks another store and calls into it;
//!   stores are `Send` so they can live in `Arc<spin::Mutex<_>>`.
//! - [`Func::call`] is the one call path: values checked against the signature, then the
//!   engine's typed function for the usual shapes (up to eight `i32` parameters, at most
//!   one scalar result) or its untyped call. [`TypedFunc`] is a front end on the same path
//!   with the signature checked once.
//! - [`BackendError`] is the one error type; traps carry a [`TrapKind`], a message that is
//!   the same on every engine, and the wasm backtrace where the engine gives one. Errors
//!   of host functions come back unchanged as [`BackendError::Host`].
//!
//! ```
//! use strait_backend::{AsContextMut, Backend, BackendError, EngineConfig, StoreConfig, WValue};
//!
//! /// `add(2, 3)` on any engine.
//! fn add<B: Backend>(wasm: &[u8]) -> Result<WValue, BackendError> {
//!     let engine = B::new(&EngineConfig::default())?;
//!     let module = engine.compile(wasm)?;
//!     let mut store = engine.new_store(StoreConfig::default())?;
//!     store.instantiate(&module, &[])?;
//!     let add = store.func("add")?;
//!     let mut out = [WValue::I32(0)];
//!     store.call(&add, &[WValue::I32(2), WValue::I32(3)], &mut out)?;
//!     Ok(out[0])
//! }
//! ```
//!
//! # A new engine
//!
//! An engine crate implements [`Backend`] and nothing else; the engine list of the
//! runtime (`strait::for_each_backend!`) then gets one line. What it provides, and only
//! it:
//!
//! 1. **Types**: its module, store (holding a [`StoreData`] of the backend), context
//!    (`StoreContextMut`), caller, instance, function, memory, linker and untyped value;
//!    a resource limiter wrapping [`BudgetLimiter`]; its WASI context type.
//! 2. **Engine**: `new` from an [`EngineConfig`] (the proposals of [`ENABLED_PROPOSALS`],
//!    fuel, stack limits), `compile_raw` giving the module and its [`ModuleInfo`], and
//!    `create_store` installing the limiter.
//! 3. **Conversions**: `to_val`/`from_val` between [`WValue`] and its values, errors into
//!    [`BackendError`] (traps as [`TrapKind`]s, a host function's error back unchanged).
//! 4. **Store access**: context and caller context, store data, exports of an instance,
//!    memory bytes and growth, fuel.
//! 5. **Calls and linking**: `call_raw` (untyped), `define_raw` (an untyped host
//!    function), `instantiate`, `linker_provides`, and with `std` `link_wasi` (WASI
//!    preview1, the errno values the shared suite checks).
//! 6. **Typed primitives**: one line, [`fast_paths!`] with the engine's paths, inside the
//!    `impl Backend`; it expands [`for_each_arity!`] into the typed handles and typed host
//!    functions of every arity.
//! 7. **Deadline**: `set_deadline`, or [`BackendError::Unsupported`] for `Some`.
//!
//! Then the shared test suite (`test_suite`, feature `test-suite`, stamped for every
//! engine of the runtime's list by the conformance crate) tells what is missing.
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
mod context;
mod error;
pub mod fast;
mod func;
mod host;
mod module_info;
mod small_buf;
mod store;
mod typed;
mod value;
#[cfg(feature = "std")]
mod wasi;

#[cfg(feature = "test-suite")]
pub mod test_suite;

pub use backend::Backend;
pub use budget::{BudgetLimiter, MemoryBudget, Refusal, TABLE_ELEMENT_BYTES, WASM_PAGE_BYTES};
pub use capture::{DEFAULT_CAPTURE_LIMIT, OutputCapture};
pub use config::{ENABLED_PROPOSALS, EngineConfig, StoreConfig};
pub use context::{AsContextMut, Caller, Context};
pub use error::{BackendError, HostError, Trap, TrapKind};
pub use fast::{FastShape, ResultKind};
pub use func::{Func, Memory, Module, check_call};
pub use host::{HostFn, HostFunc};
pub use module_info::{ExportDesc, ExternDesc, ImportDesc, ModuleInfo};
pub use small_buf::SmallBuf;
pub use store::{Store, StoreData, StoreId};
pub use typed::{TypedFunc, WasmScalar, WasmTypeList, check_typed};
pub use value::{FuncSig, WType, WValue};
#[cfg(feature = "std")]
pub use wasi::{Stdio, WasiConfig, check_mapped_dirs, preopen_name};
