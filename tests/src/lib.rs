//! Support for strait's conformance scenarios: Marine's golden outputs and the macros that
//! run every scenario on every engine of strait's engine list (`strait::for_each_backend!`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

pub mod deep;
pub mod fuzz;
pub mod golden;

/// Instantiates generic scenario functions `fn name<B: Backend>()` as one `#[test]` per
/// engine: `wasmtime::name`, `wasmi::name`, … Every scenario is written once.
#[macro_export]
macro_rules! on_every_engine {
    ($($name:ident),* $(,)?) => {
        strait::for_each_backend! { $crate::__on_every_engine, $($name),* }
    };
}

/// One module of tests per engine, recursively over the engine list.
#[doc(hidden)]
#[macro_export]
macro_rules! __on_every_engine {
    ([$($name:ident),*] $engine:ident $ty:path; $($rest:tt)*) => {
        mod $engine {
            $(
                #[test]
                fn $name() {
                    super::$name::<$ty>();
                }
            )*
        }
        $crate::__on_every_engine!([$($name),*] $($rest)*);
    };
    ([$($name:ident),*]) => {};
}

/// The shared backend suite (`strait_backend::test_suite`), one module per engine.
#[macro_export]
macro_rules! backend_suite_on_every_engine {
    () => {
        strait::for_each_backend! { $crate::__backend_suite }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __backend_suite {
    ([] $($engine:ident $ty:path;)*) => {
        $(
            mod $engine {
                strait_backend::backend_test_suite!($ty);
            }
        )*
    };
}
