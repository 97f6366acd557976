//! Generic test bodies, written once and run on every backend.
//!
//! Each `pub fn` is one capability, generic over `B: Backend`; [`backend_test_suite!`]
//! (crate root) turns them all into `#[test]`s for one backend:
//!
//! ```text
//! strait_backend::backend_test_suite!(strait_wasmtime::Wasmtime);
//! ```
// Test code: a failed expectation is a panic by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod calls;
mod host;
mod limits;
mod traps;
mod wasi;

pub use calls::*;
pub use host::*;
pub use limits::*;
pub use traps::*;
pub use wasi::*;

use alloc::vec::Vec;

use crate::{Backend, EngineConfig, HostFunc, Store, StoreConfig};

/// A backend with `config`.
pub fn engine<B: Backend>(config: EngineConfig) -> B {
    B::new(&config).unwrap_or_else(|e| panic!("{} engine: {e}", B::NAME))
}

/// The binary of a WAT module.
pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap_or_else(|e| panic!("bad test WAT: {e}"))
}

/// A store of `backend` with `config`, in which `wat` is instantiated with `host`.
pub fn instance_with<B: Backend>(
    backend: &B,
    config: StoreConfig,
    wat: &str,
    host: &[HostFunc<B>],
) -> Store<B> {
    let module = backend.compile(&wasm(wat)).unwrap();
    let mut store = backend.new_store(config).unwrap();
    store
        .instantiate(&module, host)
        .unwrap_or_else(|e| panic!("{}: instantiate: {e}", B::NAME));
    store
}

/// A store of `backend` in which `wat` is instantiated with `host`.
pub fn instance<B: Backend>(backend: &B, wat: &str, host: &[HostFunc<B>]) -> Store<B> {
    instance_with(backend, StoreConfig::default(), wat, host)
}

/// Generates one `#[test]` per generic body of [`test_suite`](crate::test_suite) for the
/// backend type given.
#[macro_export]
macro_rules! backend_test_suite {
    ($backend:ty) => {
        $crate::backend_test_suite!(@each $backend;
            compile_errors,
            proposals_accepted_alike,
            module_info_lists_imports_and_exports,
            calls_with_every_core_type,
            calls_with_wrong_arguments_fail_cleanly,
            typed_calls,
            handles_are_send_and_checked,
            instance_lifecycle_errors,
            host_reads_and_writes_caller_memory,
            host_calls_back_into_caller,
            host_calls_into_other_stores,
            host_errors_come_back_intact,
            host_result_type_is_checked,
            typed_host_functions,
            fast_and_general_paths_agree,
            unknown_and_mismatched_imports,
            traps_have_kinds,
            deep_recursion_traps,
            deep_recursion_across_stores_traps,
            memory_budget_across_stores,
            table_growth_is_charged,
            memory_read_write_grow,
            fuel_bounds_calls,
            fuel_requires_config,
            deadline_interrupts_or_is_unsupported,
            wasi_stdout_stderr_capture,
            wasi_args_and_environ,
            wasi_mapped_dir_round_trip,
            wasi_errno_values,
            wasi_missing_host_dir_fails,
            wasi_imports_need_wasi,
        );
    };
    (@each $backend:ty; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::test_suite::$name::<$backend>();
            }
        )*
    };
}
