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
//! An engine crate implements [`Backend`] and nothing else; the runtime's engine list
//! (`strait::for_each_backend!`, `runtime/src/engines.rs`) then gets one link, and the
//! conformance suite, the CLI's `--backend` and the benches pick the engine up. What the
//! engine provides, and only it:
//!
//! 1. **Types**: its module, store (holding a [`StoreData`] of the backend), context
//!    (`StoreContextMut`), caller, instance, function, memory, linker and untyped value;
//!    a resource limiter ([`limiter_newtype!`] plus the engine's `ResourceLimiter`
//!    impl delegating to [`BudgetLimiter`]); its WASI context type.
//! 2. **Engine**: `new` from an [`EngineConfig`] (exactly the proposals of
//!    [`ENABLED_PROPOSALS`], fuel, stack limits) and `config`.
//! 3. **Conversions**: [`WValue`] to and from its values, [`FuncSig`] to its function
//!    type, its module's imports and exports as [`ModuleInfo`], its errors as
//!    [`BackendError`] (traps as [`TrapKind`]s with the shared messages; a host
//!    function's error carried through the engine and back unchanged).
//! 4. **Store access, calls, linking**: store creation, context and caller context,
//!    store data, exports, memory bytes and growth, untyped calls and host functions,
//!    instantiation, fuel, WASI preview1 (`wasi_context`, `add_wasi`, with the errno
//!    values the shared suite checks), and `linker_provides` (what the linker itself
//!    defines).
//! 5. **Typed primitives**: [`fast_paths!`], one line inside the `impl Backend`, expands
//!    [`for_each_arity!`] into the engine's typed handles and typed host functions.
//! 6. **Deadline**: `set_deadline`, or [`BackendError::Unsupported`] for `Some`.
//!
//! An engine whose API mirrors Wasmtime's, as wasmi's does, gets 1, 4 and 5 from one
//! [`mirrored_engine!`] line and writes only the rest (about 150 lines with its
//! conversions); another engine writes 1 and 4 by hand. Then the shared test suite
//! (`test_suite`, feature `test-suite`, run for every engine of the list by
//! `strait-conformance`) says what is missing or different.
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
mod mirror;
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
#[cfg(feature = "std")]
pub use config::CacheDir;
pub use config::{Compiler, ENABLED_PROPOSALS, EngineConfig, StoreConfig};
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
