//! Marine's and fluence-app-service's APIs on both engines, one test binary (each binary links
//! both engines, so one keeps the test build small).

/// Marine's artifacts and golden outputs, beside the repository.
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared");

/// Each scenario `async fn name<WB: WasmBackend>()` of the invoking module as one `#[test]`
/// per engine (Marine's backend type names, imported by that module).
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod wasmtime {
            $( #[test] fn $name() { pollster::block_on(super::$name::<super::WasmtimeWasmBackend>()) } )*
        }
        mod wasmi {
            $( #[test] fn $name() { pollster::block_on(super::$name::<super::WasmiWasmBackend>()) } )*
        }
    };
}

mod app_service;
mod marine;
