//! Support for strait's conformance scenarios: Marine's golden outputs and the macro that
//! runs every scenario on both engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

pub mod golden;
