//! # strait-it
//!
//! Interface types (IT) as Fluence's Marine runtime uses them: the types and values, the
//! `interface-types` custom section (binary codec and text format), the adapter compiler and
//! interpreter, and lifting/lowering of values to and from a module's linear memory.
//!
//! This crate knows nothing about wasm engines: the interpreter runs against a small host
//! trait. It is `#![no_std]` and needs only `alloc`.
//!
//! The instruction set is defined once, in [`for_each_instruction!`]; every other part of the
//! crate is generated from that table.
//!
//! The modules build on each other without circles: [`types`] and [`values`], then
//! [`records`] (record layouts), [`compat`] (value/type compatibility), [`memory`] (lifting and
//! lowering) and [`adapter`] (compiler and interpreter); beside them, [`instructions`],
//! [`section`], [`binary`], [`text`] and [`module`] for the section and its formats.
#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;

pub mod adapter;
pub mod binary;
pub mod compat;
mod convert;
pub mod instructions;
pub mod memory;
pub mod module;
pub mod records;
pub mod section;
pub mod text;
pub mod types;
pub mod values;

pub use binary::{DecodeError, EncodeError};
pub use instructions::Instruction;
pub use section::{Adapter, Export, Implementation, Import, Section};
pub use types::{FunctionArg, FunctionType, IType, RecordField, RecordType, TypeEntry};
pub use values::IValue;
