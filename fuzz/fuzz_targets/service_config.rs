//! The `service_config` target: see `strait_conformance::fuzz::service_config` and README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| strait_conformance::fuzz::service_config(data));
