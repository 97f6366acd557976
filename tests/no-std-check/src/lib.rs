//! A `#![no_std]` static library that links strait's no_std crates, and is run.
//!
//! If any of them pulled in `std`, this crate would not link: its `#[panic_handler]` and
//! `#[global_allocator]` come from strait-capi's `embedded` feature (which calls the C
//! functions `strait_alloc`, `strait_dealloc`, `strait_realloc` and `strait_panic`), and a
//! second `panic_impl` from std would clash. Each module below exercises one crate through its
//! public API; `main.c` calls the checks on the WAT modules here and on real Marine modules,
//! and `capi/tests/run.sh no_std` runs the C API's test suite on this same library.
#![no_std]

extern crate alloc;

// The C API, its allocator hooks and its panic handler, linked into this library.
use strait_capi as _;

mod backend_check;
mod it_check;
mod marine_check;
mod service_check;

/// Runs every check on the built-in modules; returns 0 when all of them passed, otherwise
/// the number of the first failing check. Exported so that the optimiser keeps everything it
/// reaches.
#[unsafe(no_mangle)]
pub extern "C" fn strait_no_std_check() -> u32 {
    if !it_check::run() {
        return 1;
    }
    if !backend_check::run() {
        return 2;
    }
    if !service_check::run() {
        return 3;
    }
    0
}

/// Runs Marine's greeting and the records pair, given as their wasm bytes; returns 0 when
/// both answered right, 10 + a step number for greeting, 20 + a step number for records.
///
/// # Safety
///
/// Each pointer points to as many readable bytes as its length says.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_no_std_check_marine(
    greeting: *const u8,
    greeting_len: usize,
    effector: *const u8,
    effector_len: usize,
    pure: *const u8,
    pure_len: usize,
) -> u32 {
    if greeting.is_null() || effector.is_null() || pure.is_null() {
        return 1;
    }
    // SAFETY: not null, and `greeting_len` readable bytes (this function's contract).
    let greeting = unsafe { core::slice::from_raw_parts(greeting, greeting_len) };
    // SAFETY: as above.
    let effector = unsafe { core::slice::from_raw_parts(effector, effector_len) };
    // SAFETY: as above.
    let pure = unsafe { core::slice::from_raw_parts(pure, pure_len) };
    match (
        marine_check::greeting(greeting),
        marine_check::records(effector, pure),
    ) {
        (0, 0) => 0,
        (0, step) => 20 + step,
        (step, _) => 10 + step,
    }
}
