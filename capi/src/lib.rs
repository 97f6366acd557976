//! # strait-capi
//!
//! The C API of [strait](https://docs.rs/strait): load Marine-compatible WebAssembly modules
//! from bytes into a service, call their functions with JSON or typed values, register
//! IT-typed host functions written in C, and read the service's interface and memory use.
//! The header is `include/strait.h`, generated from this crate by cbindgen (every item's
//! documentation below is in it).
//!
//! Two builds:
//!
//! - **`no_std`** (`default-features = false`): wasmi only, `alloc` only. With the `embedded`
//!   feature the library brings its own `#[global_allocator]`, which calls C functions the
//!   embedder defines (`strait_alloc`, `strait_dealloc`, `strait_realloc`), and its own
//!   `#[panic_handler]`, which calls `strait_panic`; build it with `panic = "abort"` (the
//!   workspace's `embedded` profile): `cargo rustc -p strait-capi --lib --crate-type
//!   staticlib --no-default-features --features embedded --profile embedded` gives
//!   `libstrait_capi.a` (naming the one crate type lets LTO run). To use another
//!   allocator, leave `embedded` off and link this crate (as an rlib) into a `no_std`
//!   staticlib of your own that defines both.
//! - **`std`** (the default): wasmi and Wasmtime, WASI and mounted binaries, `Config.toml`
//!   files, and panics caught at the boundary (a bug in strait is then an error of kind
//!   `STRAIT_ERROR_KIND_PANIC`, never an unwind into C).
//!
//! Conventions: functions that can fail return a `strait_error *`, `NULL` on success, which
//! the caller owns and frees with `strait_error_free`; their outputs go through pointer
//! parameters. Names are NUL-terminated UTF-8; data (JSON text, strings, bytes) is a pointer
//! and a length. Null pointers, text that is not UTF-8 and lengths beyond `PTRDIFF_MAX` are
//! errors of kind `STRAIT_ERROR_KIND_INVALID_ARGUMENT`, never crashes; a pointer that is not
//! null must point to what the length says.
//!
//! Threads: a `strait_service` may move between threads but is used by one thread at a time
//! (calls change it); different services run on different threads at once. Host function
//! callbacks run on the thread that made the call.
#![cfg_attr(not(feature = "std"), no_std)]
#![allow(
    non_camel_case_types,
    reason = "C names: strait_service, strait_error, …"
)]

extern crate alloc;

#[cfg(all(feature = "std", feature = "embedded"))]
compile_error!(
    "the `embedded` feature (allocator and panic handler for no_std) cannot be combined with `std`"
);

pub mod call;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod error;
mod ffi;
pub mod host;
pub mod service;
pub mod settings;
pub mod value;

pub use call::*;
pub use error::*;
pub use host::*;
pub use service::*;
pub use settings::*;
pub use value::*;

/// strait's version, NUL-terminated (`"0.1.0"`); a static string, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn strait_version() -> *const core::ffi::c_char {
    const VERSION: &core::ffi::CStr = match core::ffi::CStr::from_bytes_with_nul(
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
    ) {
        Ok(version) => version,
        Err(_) => c"",
    };
    VERSION.as_ptr()
}
