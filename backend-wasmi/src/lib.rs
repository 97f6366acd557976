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
//! - **`RUST_BACKTRACE` slows WASI down.** WASI (`wasmi_wasi`, on wasi-common) returns each
//!   errno as an `anyhow` error, which captures a native backtrace whenever `RUST_BACKTRACE`
//!   or `RUST_LIB_BACKTRACE` is set. SQLite probes for files that do not exist on every
//!   query, so with `RUST_BACKTRACE=1` a registry `get_key_metadata` call takes 690 k
//!   instructions in WASI instead of 36 k (a fifth of the call). Set `RUST_LIB_BACKTRACE=0`
//!   beside it: panics keep their backtraces and library errors stop capturing them.
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
//! | `portable-dispatch` | wasmi's portable (loop) dispatch of instructions. By default an optimised build uses its tail-call dispatch, which needs LLVM to turn every handler's call into a sibling call; instrumented builds (coverage, sanitizers, cargo-fuzz) do not, and a long-running guest then overflows the native stack. <br><br> Disabled by default. |
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
