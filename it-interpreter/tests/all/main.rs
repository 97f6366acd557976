//! strait-it's integration tests, in one binary (as wasmtime's `tests/all` and wasmi's
//! `tests/mod.rs`): one link step, and one helper module ([`support`]) for every test.
//!
//! `tests/hostile_memory.rs` is the one test kept apart: it counts the process's allocations.

mod support;

mod adapters;
mod codec;
mod fuzz;
mod instruction_semantics;
mod instructions;
mod lift_lower;
mod module;
mod text;
mod validation;
