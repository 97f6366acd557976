//! The `it_section` target: see `strait_conformance::fuzz::it_section` and README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| strait_conformance::fuzz::it_section(data));
