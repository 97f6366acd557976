//! The `lift` target: see `strait_conformance::fuzz::lift` and README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| strait_conformance::fuzz::lift(data));
