//! The conformance scenarios, one test binary: each module is one group of scenarios, and every
//! scenario runs on both engines. One binary instead of one per file keeps the test build small
//! (each binary links both engines).

mod backend;
mod fuzz_regressions;
mod golden;
mod no_std_module;
mod service;
mod threads;
mod wasi_sandbox;
