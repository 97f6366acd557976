//! strait's [`Backend`] on Wasmtime 48 (JIT: Cranelift, or the Winch baseline compiler).
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
//! - **Compilers.** [`EngineConfig::compiler`] chooses Cranelift (optimising, the default)
//!   or Winch (a baseline compiler: several times faster to compile, slower code; no
//!   `externref`, no debug info). Either compiles the functions of a module on all cores.
//! - **Compiled-module cache.** With a [`CacheDir::Dir`](strait_backend::CacheDir) in
//!   [`EngineConfig::cache_dir`], compiled code is stored in that directory, keyed by the
//!   module's hash and the engine settings (the compiler among them), and a second load of
//!   the same module skips compiling ([`Wasmtime::cache_stats`] counts hits and misses).
//!   [`CacheDir::Default`](strait_backend::CacheDir) means no cache here: the runtime
//!   turns it into its default directory when it loads a service from files.
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
//! | `winch` | The Winch baseline compiler ([`Compiler::Winch`](strait_backend::Compiler)). <br><br> Enabled by default. |
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod convert;
mod engine;
#[cfg(feature = "wasi")]
mod wasi;

pub use engine::Wasmtime;
