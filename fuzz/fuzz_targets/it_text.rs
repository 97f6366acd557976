//! The `it_text` target: see `strait_conformance::fuzz::it_text` and README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| strait_conformance::fuzz::it_text(data));
