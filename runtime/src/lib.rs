//! # strait
//!
//! Run services made of several WebAssembly modules that call each other through
//! interface-type adapters, compatible with Fluence's Marine runtime, on Wasmtime or wasmi.
//!
//! (The crate documentation with its feature table is completed with the service API.)
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;

pub mod call_parameters;
#[cfg(feature = "std")]
pub mod config;
mod error;
mod host_imports;
mod instance;
pub mod interface;
pub mod json;
mod service;

pub use call_parameters::CallParameters;
pub use error::{Error, ErrorKind, Result};
pub use host_imports::{HostClosure, HostFunction};
pub use service::{MemoryStats, ModuleSettings, Service, ServiceOptions};
pub use strait_backend::{Backend, EngineConfig};
pub use strait_it::{FunctionArg, FunctionType, IType, IValue, RecordField, RecordType};

cfg_if::cfg_if! {
    if #[cfg(feature = "wasmtime")] {
        /// The engine used when none is named: Wasmtime (feature `wasmtime`).
        pub type DefaultBackend = strait_wasmtime::Wasmtime;
    } else if #[cfg(feature = "wasmi")] {
        /// The engine used when none is named: wasmi (feature `wasmi`, no Wasmtime).
        pub type DefaultBackend = strait_wasmi::Wasmi;
    }
}
