//! The `real_services` target: see `strait_conformance::fuzz::real_services` and README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| strait_conformance::fuzz::real_services(data));
