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
pub mod interface;
pub mod json;
