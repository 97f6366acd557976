//! A `#![no_std]` static library that links strait's no_std crates.
//!
//! If any of them pulled in `std`, this crate would not compile: it defines its own
//! `#[panic_handler]`, which would clash with std's `panic_impl` lang item, and its own
//! `#[global_allocator]`. Each module below exercises one crate through its public API.
#![no_std]

extern crate alloc;

mod allocator;
mod backend_check;
mod it_check;
mod service_check;

/// Runs every check; returns 0 when all of them passed, otherwise the number of the first
/// failing check. Exported so that the optimiser keeps everything it reaches.
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

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
