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
//!
//! A flat record passed from one module to another (an import adapter's `record.lift_memory`
//! feeding the call, the callee's export adapter lowering it) need not become an
//! [`IValue`](crate::IValue) on the way: where the host says the linked callee takes or
//! gives it so ([`AdapterHost::import_images`]), it crosses as a
//! [`RecordImage`](crate::memory::RecordImage), its bytes copied from one memory to the other
//! with the same checks and `allocate` calls ([`Interpreter::run_with_images`]).
//!
//! ```
//! use strait_it::IValue;
//! use strait_it::adapter::{AdapterHost, CoreSignature, CoreType, Interpreter, compile};
//! use strait_it::memory::HostError;
//!
//! // An export `inc(x: s32) -> s32` whose wasm function is `inc: (i32) -> i32`.
//! let section = strait_it::text::parse(
//!     r#"(@interface it_version "0.28.0")
//!        (@interface type (func (param $x: s32) (result s32)))
//!        (@interface type (func (param $x: s32) (result s32)))
//!        (@interface func (type 0) arg.get 0 i32.from_s32 call-core 0 s32.from_i32)
//!        (@interface export "inc" (func 1))
//!        (@interface implement (func 1) (func 0))"#,
//! )?;
//! let signatures = |name: &str| {
//!     (name == "inc").then(|| CoreSignature::new([CoreType::I32], [CoreType::I32]))
//! };
//! let module = compile(&section, &signatures)?;
//!
//! /// The module as the runtime would present it: here `inc` is computed in Rust.
//! struct Module;
//! impl AdapterHost for Module {
//!     fn call_export(
//!         &mut self,
//!         slot: u32,
//!         args: &[IValue],
//!         results: &mut Vec<IValue>,
//!     ) -> Result<(), HostError> {
//!         match (slot, args) {
//!             (0, [IValue::I32(x)]) => results.push(IValue::I32(x + 1)),
//!             _ => return Err("unexpected call".into()),
//!         }
//!         Ok(())
//!     }
//!     fn call_import(&mut self, _: u32, _: &[IValue], _: &mut Vec<IValue>) -> Result<(), HostError> {
//!         Err("no imports".into())
//!     }
//!     fn memory(&mut self) -> Result<&mut [u8], HostError> {
//!         Err("no memory".into())
//!     }
//! }
//!
//! let inc = module.export("inc").expect("exported");
//! assert_eq!(inc.core_slot, 0);
//! let mut results = Vec::new();
//! Interpreter::new().run(&module, &inc.program, &[IValue::S32(41)], &mut Module, &mut results)?;
//! assert_eq!(results, [IValue::S32(42)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
pub use core_type::{CoreExports, CoreSignature, CoreType, CoreValue};
pub use error::{
    AdapterError, AdapterErrorKind, CompileError, InstructionError, InstructionErrorKind, Item,
    NestingError, TypeKind,
};
pub use host::{ALLOCATE_SLOT, AdapterHost, HostAllocator, ImageCall, ImportImages, MAX_I32_ARGS};
pub use interpreter::{Interpreter, Limits};
pub use program::{CompiledExport, CompiledImport, CompiledModule, CoreExport, Program};
