//! Adapters: the compiler that checks a section's adapters and turns them into flat
//! programs, and the interpreter that runs those programs against an [`AdapterHost`].
//!
//! ```text
//! Section + wasm export signatures ──compile──▶ CompiledModule ──Interpreter::run──▶ results
//! ```
//!
//! Everything that can be decided from the section is decided once by [`compile`]:
//! `call-core` indices become core export slots or adapted import slots, record ids become
//! resolved layouts, the stack effects are type-checked, and the toolchain's argument
//! patterns are fused so that running an export adapter clones no string or array
//! argument. Running a program looks nothing up by name and allocates nothing beyond the
//! values it produces (the [`Interpreter`] keeps its stack between runs).

mod compiler;
mod core_type;
mod error;
mod host;
mod interpreter;
mod nesting;
mod program;
mod semantics;
mod typecheck;

pub use compiler::compile;
pub use core_type::{CoreExports, CoreSignature, CoreType};
pub use error::{
    AdapterError, AdapterErrorKind, CompileError, InstructionError, InstructionErrorKind, Item,
    NestingError, TypeKind,
};
pub use host::AdapterHost;
pub use interpreter::{HostAllocator, Interpreter, Limits};
pub use program::{CompiledExport, CompiledImport, CompiledModule, CoreExport, Program};
