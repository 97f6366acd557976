//! # strait
//!
//! Run services made of several WebAssembly modules that call each other through
//! interface-type (IT) adapters, compatible with Fluence's Marine runtime: real Marine modules
//! (built with marine-rs-sdk) run unchanged, with the same results, on Wasmtime or wasmi.
//!
//! ```no_run
//! # fn main() -> Result<(), strait::Error> {
//! use strait::{CallParameters, DefaultBackend, IValue, Service, ServiceOptions};
//!
//! let mut service = Service::<DefaultBackend>::from_config_file(
//!     std::path::Path::new("Config.toml"),
//!     ServiceOptions::default(),
//! )?;
//! let hi = service.call("greeting", "greeting", &[IValue::String("World".into())])?;
//! let json = service.call_json(
//!     "greeting",
//!     "greeting",
//!     &serde_json::json!(["World"]),
//!     CallParameters::default(),
//! )?;
//! println!("{}", service.interface());
//! # Ok(()) }
//! ```
//!
//! Each module lives in its own store (all sharing one engine) and is linked, by name, only
//! against modules loaded before it, so the call graph is a DAG. A call from module A into
//! module B runs A's import adapter and B's export adapter, both compiled once at load.
//!
//! ## Crate features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | `Config.toml` ([`config`]), WASI (envs, mapped directories), mounted binaries, `.wat` modules with inline `(@interface …)` annotations |
//! | `wasmtime` | yes | the Wasmtime engine ([`Wasmtime`], re-exported), [`DefaultBackend`] when enabled |
//! | `wasmi` | no | the wasmi engine ([`Wasmi`], re-exported); without `std` the crate is `no_std` (with `alloc`) |
//!
//! ## Non-features
//!
//! - No async API: calls are synchronous, bounded by fuel ([`ServiceOptions::fuel_per_call`]).
//! - No multi-value results (Marine's ABI has at most one).
//! - No IT below 0.20.0 and no marine-rs-sdk below 0.6.0.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;

pub mod call_parameters;
#[cfg(feature = "std")]
pub mod config;
mod engines;
mod error;
mod host_imports;
mod instance;
pub mod interface;
pub mod json;
mod module_cache;
pub mod nearest;
mod service;
mod settings;

pub use call_parameters::CallParameters;
pub use engines::BACKENDS;
#[cfg(any(feature = "wasmtime", feature = "wasmi"))]
pub use engines::DefaultBackend;
#[cfg(feature = "wasmi")]
pub use engines::Wasmi;
#[cfg(feature = "wasmtime")]
pub use engines::Wasmtime;
pub use error::{Error, ErrorKind, Result};
pub use host_imports::{HostClosure, HostFunction};
pub use module_cache::DEFAULT_MODULE_CACHE;
pub use service::{LoadEvent, MemoryStats, ModuleSettings, ModuleSource, Service, ServiceOptions};
pub use strait_backend::{Backend, EngineConfig};
pub use strait_it::{FunctionArg, FunctionType, IType, IValue, RecordField, RecordType};
