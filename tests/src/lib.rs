//! Support for strait's conformance scenarios: Marine's golden outputs and the macro that
//! runs every scenario on both engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

pub mod golden;

/// Instantiates generic scenario functions `fn name<B: Backend>()` as one `#[test]` per
/// engine: `wasmtime::name` and `wasmi::name`. Every scenario is written once.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod wasmtime {
            $(
                #[test]
                fn $name() {
                    super::$name::<strait_wasmtime::Wasmtime>();
                }
            )*
        }

        mod wasmi {
            $(
                #[test]
                fn $name() {
                    super::$name::<strait_wasmi::Wasmi>();
                }
            )*
        }
    };
}
