//! The `differential` target: see `strait_conformance::fuzz::differential` and README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| strait_conformance::fuzz::differential(data));
