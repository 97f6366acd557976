//! # strait
//!
//! Run services made of several WebAssembly modules that call each other through
//! interface-type (IT) adapters, compatible with Fluence's Marine runtime: real Marine modules
//! (built with marine-rs-sdk) run unchanged, with the same results, on Wasmtime or wasmi.
//!
//! One dependency is enough: the engines are re-exported ([`Wasmtime`], [`Wasmi`]) under the
//! features of the same names (table below).
//!
//! ## A service from its `Config.toml`, on each engine
//!
//! The code is generic over the engine; choosing one is naming its type.
//!
//! ```
//! use serde_json::json;
//! use strait::{Backend, CallParameters, IValue, Service, ServiceOptions};
//!
//! fn greet<B: Backend>() -> Result<(), strait::Error> {
//!     let config = std::path::Path::new("../examples/greeting/Config.toml");
//!     let mut service = Service::<B>::from_config_file(config, ServiceOptions::default())?;
//!     // IT values in and out …
//!     let hi = service.call("greeting", "greeting", &[IValue::String("World".into())])?;
//!     assert_eq!(hi, [IValue::String("Hi, World".into())]);
//!     // … or JSON, as `strait call` and Marine's REPL take it.
//!     let json = service.call_json("greeting", "greeting", &json!(["World"]), CallParameters::default())?;
//!     assert_eq!(json, json!("Hi, World"));
//!     println!("{}", service.interface());
//!     Ok(())
//! }
//!
//! # fn main() -> Result<(), strait::Error> {
//! #[cfg(feature = "wasmtime")]
//! greet::<strait::Wasmtime>()?;
//! #[cfg(feature = "wasmi")]
//! greet::<strait::Wasmi>()?;
//! # Ok(()) }
//! ```
//!
//! ## A service from bytes, without `std`
//!
//! With `default-features = false, features = ["wasmi"]` the crate is `no_std` (it needs
//! `alloc`): no files, and only a bare WASI (the module's `envs`, output passed to `log`, no
//! file system: what a Marine module needs to start); modules come as bytes (typically
//! `include_bytes!`) with their [`ModuleSettings`], and limits are set through
//! [`ServiceOptions`].
//!
//! ```
//! # #[cfg(feature = "wasmi")]
//! # fn main() -> Result<(), strait::Error> {
//! use strait::{IValue, ModuleSettings, Service, ServiceOptions, Wasmi};
//!
//! # // Here the bytes are WAT with inline `(@interface …)` annotations, which a `std` build
//! # // also accepts; a `no_std` build takes the compiled module's wasm bytes.
//! # let bytes = std::fs::read("../examples/greeting/greeting.wat").unwrap();
//! let options = ServiceOptions {
//!     total_memory_limit: Some(4 << 20), // all modules' memories together, in bytes
//!     ..ServiceOptions::default()
//! };
//! let mut service = Service::<Wasmi>::new(options)?;
//! service.load_module("greeting", &bytes, &ModuleSettings::default())?;
//! let hi = service.call("greeting", "greeting", &[IValue::String("no_std".into())])?;
//! assert_eq!(hi, [IValue::String("Hi, no_std".into())]);
//! # Ok(()) }
//! # #[cfg(not(feature = "wasmi"))]
//! # fn main() {}
//! ```
//!
//! ## An IT-typed host function
//!
//! Modules import host functions with IT types, as they import other modules' functions;
//! the closure sees IT values, never guest memory. Register before loading the modules that
//! import it.
//!
//! ```
//! use strait::{DefaultBackend, FunctionArg, FunctionType, HostFunction, IType, IValue};
//! use strait::{ModuleSettings, Service, ServiceOptions};
//!
//! # fn main() -> Result<(), strait::Error> {
//! // host::count(bytes: byte_array) -> u64
//! let ty = FunctionType {
//!     params: vec![FunctionArg { name: "bytes".into(), ty: IType::ByteArray }],
//!     results: vec![IType::U64],
//! };
//! let count = HostFunction::new(ty, Vec::new(), |args| match args {
//!     [IValue::ByteArray(bytes)] => Ok(vec![IValue::U64(bytes.len() as u64)]),
//!     _ => Err("count takes one byte array".into()),
//! })?;
//! let mut service = Service::<DefaultBackend>::new(ServiceOptions::default())?;
//! service.register_host_function("host", "count", count);
//! # let wat = std::fs::read("../tests/fixtures/host.wat").unwrap();
//! service.load_module("host", &wat, &ModuleSettings::default())?; // imports host::count
//! let n = service.call("host", "count_bytes", &[IValue::ByteArray(vec![1, 2, 3])])?;
//! assert_eq!(n, [IValue::U64(3)]);
//! # Ok(()) }
//! ```
//!
//! ## Fuel and deadlines
//!
//! A call that does not end is stopped: after `fuel_per_call` units of work (both engines;
//! deterministic) or after `deadline_per_call` of wall-clock time (Wasmtime). Either is a trap
//! of the core function the adapter called, so the call ends with an error of kind
//! [`ErrorKind::Instruction`] that names the cause; the service goes on working.
//!
//! ```
//! use std::time::Duration;
//! use strait::{Backend, ErrorKind, IValue, ModuleSettings, Service, ServiceOptions};
//!
//! const SPIN: &str = r#"(module
//!     (memory (export "memory") 1)
//!     (func (export "allocate") (param i32 i32) (result i32) i32.const 0)
//!     (func (export "release_objects"))
//!     (func (export "spin") (loop br 0))
//!     (func (export "one") (result i32) i32.const 1)
//!     (@custom "__fluence_sdk_version" "0.14.0"))
//!   (@interface it_version "0.28.0")
//!   (@interface type (func))
//!   (@interface type (func (result i32)))
//!   (@interface func (type 0) call-core 0)
//!   (@interface func (type 1) call-core 1)
//!   (@interface export "spin" (func 0))
//!   (@interface export "one" (func 1))
//!   (@interface implement (func 0) (func 0))
//!   (@interface implement (func 1) (func 1))"#;
//!
//! fn stopped<B: Backend>(options: ServiceOptions) -> Result<(), strait::Error> {
//!     let mut service = Service::<B>::new(options)?;
//!     service.load_module("spin", SPIN.as_bytes(), &ModuleSettings::default())?;
//!     let error = service.call("spin", "spin", &[]).unwrap_err();
//!     assert_eq!(error.kind(), ErrorKind::Instruction);
//!     println!("{error}");
//!     assert_eq!(service.call("spin", "one", &[])?, [IValue::I32(1)]);
//!     Ok(())
//! }
//!
//! # fn main() -> Result<(), strait::Error> {
//! let fuel = ServiceOptions { fuel_per_call: Some(1_000_000), ..ServiceOptions::default() };
//! #[cfg(feature = "wasmi")]
//! stopped::<strait::Wasmi>(fuel.clone())?;
//! #[cfg(feature = "wasmtime")]
//! {
//!     stopped::<strait::Wasmtime>(fuel)?;
//!     let deadline = Duration::from_millis(50);
//!     let deadline = ServiceOptions { deadline_per_call: Some(deadline), ..ServiceOptions::default() };
//!     stopped::<strait::Wasmtime>(deadline)?;
//! }
//! # Ok(()) }
//! ```
//!
//! ## Start-up: the compiled-module cache and the Winch compiler
//!
//! Wasmtime compiles every function of a module before it runs, seconds for a large module
//! with Cranelift. A service loaded from files ([`Service::from_config_file`]) therefore keeps
//! the compiled modules on disk by default ([`EngineConfig::cache_dir`], in
//! [`CacheDir::default_dir`]: `$STRAIT_CACHE_DIR`, else `$XDG_CACHE_HOME/strait`, else
//! `~/.cache/strait`), and its second start skips compiling. [`Compiler::Winch`], Wasmtime's
//! baseline compiler, makes the first start several times faster, for slower code. wasmi
//! interprets: it ignores both.
//!
//! ```
//! use strait::{Backend, CacheDir, Compiler, DefaultBackend, EngineConfig, Service, ServiceOptions};
//!
//! # fn main() -> Result<(), strait::Error> {
//! let engine = EngineConfig::default()
//!     .with_compiler(Compiler::Winch)
//!     .with_cache_dir(CacheDir::Off); // or a directory of your own
//! let options = ServiceOptions { engine, ..ServiceOptions::default() };
//! let config = std::path::Path::new("../examples/greeting/Config.toml");
//! let service = Service::<DefaultBackend>::from_config_file(config, options)?;
//! assert_eq!(service.engine().config().compiler, Compiler::Winch);
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

mod bare_wasi;
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
mod spares;

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
#[cfg(feature = "std")]
pub use service::ModuleWasi;
pub use service::{LoadEvent, MemoryStats, ModuleSettings, ModuleSource, Service, ServiceOptions};
#[cfg(feature = "std")]
pub use strait_backend::CacheDir;
pub use strait_backend::{Backend, Compiler, EngineConfig};
pub use strait_it::{FunctionArg, FunctionType, IType, IValue, RecordField, RecordType};
