//! The model of an `interface-types` section (`spec/it-section.md` §2.3).
//!
//! This is plain data: the binary codec and the text format read and write it, and the
//! adapter compiler checks it. Nothing here is validated; see the compiler for that.

use crate::instructions::Instruction;
use crate::types::TypeEntry;
use alloc::string::String;
use alloc::vec::Vec;

/// A decoded `interface-types` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The IT version string exactly as found (a semver such as `0.27.0`); kept verbatim so
    /// that re-encoding gives the same bytes.
    pub version: String,
    /// Function and record types; one index space (`record N` and `(type N)` index it).
    pub types: Vec<TypeEntry>,
    /// Imported functions.
    pub imports: Vec<Import>,
    /// Adapters: instruction lists attached to a function type.
    pub adapters: Vec<Adapter>,
    /// Exported functions (the `call-core` index space starts with them).
    pub exports: Vec<Export>,
    /// Which adapter implements which core function type.
    pub implementations: Vec<Implementation>,
}

/// An imported function: `(namespace, name)` with a function type index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The exporting module's service name (or a host namespace).
    pub namespace: String,
    /// The function name.
    pub name: String,
    /// Index into [`Section::types`]; must be a function type.
    pub function_type: u32,
}

/// An adapter: the instructions run for a function type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapter {
    /// Index into [`Section::types`]; must be a function type.
    pub function_type: u32,
    /// The straight-line instruction list.
    pub instructions: Vec<Instruction>,
}

/// An exported function: a name and a function type index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The wasm export name.
    pub name: String,
    /// Index into [`Section::types`]; must be a function type.
    pub function_type: u32,
}

/// An implementation: the adapter of type `adapter_function_type` implements the core
/// function type `core_function_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Implementation {
    /// The core function type (an export's or an import's type).
    pub core_function_type: u32,
    /// The adapter's function type.
    pub adapter_function_type: u32,
}
