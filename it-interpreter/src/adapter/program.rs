//! The compiler's output: flat programs with every index resolved, and the module tables
//! they refer to.

use crate::adapter::host::MAX_I32_ARGS;
use crate::adapter::{CoreSignature, CoreType};
use crate::instructions::{Conversion, Instruction};
use crate::records::RecordTable;
use crate::types::{FunctionType, IType};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// One compiled operation. Indices are resolved: core export slots, import slots, record
/// type ids that are known to exist. Some pairs of instructions are fused so that the
/// toolchain's patterns need no clone of a string or an array argument (D47).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    ArgGet(u32),
    /// `arg.get i; string.size`
    ArgStringSize(u32),
    /// `arg.get i; string.lower_memory`
    ArgStringLower(u32),
    /// `arg.get i; string.size; i32.push 1; call-core 0; arg.get i; string.lower_memory`
    /// (`call-core 0` being `allocate`): the toolchain's sequence for a string argument.
    ArgStringToMemory(u32),
    /// [`ArgStringToMemory`](Op::ArgStringToMemory) and then `call-core` of an export of
    /// two `i32` parameters and at most one result, which takes the string's pointer and
    /// length: the toolchain's call of a function of one string argument.
    ArgStringCall {
        index: u32,
        slot: u32,
        result: Option<CoreType>,
    },
    /// `call-core p; call-core l; string.lift_memory` (or `byte_array.lift_memory` when
    /// `bytes`), `p` and `l` integer exports of no parameter and an `i32` result: the
    /// toolchain's sequence for a string or byte array result (`get_result_ptr`,
    /// `get_result_size`); with `release`, also the `call-core` of an export of no parameter
    /// and no result that follows (`release_objects`).
    LiftResult {
        ptr: u32,
        len: u32,
        bytes: bool,
        release: Option<u32>,
    },
    /// `call-core p; record.lift_memory R`, `p` an integer export of no parameter and an
    /// `i32` result: the toolchain's sequence for a record result (`get_result_ptr`); with
    /// `release`, as for [`LiftResult`](Op::LiftResult).
    LiftRecordResult {
        ptr: u32,
        id: u64,
        release: Option<u32>,
        /// The step makes the export adapter's only result: when the caller asks for it as
        /// a [`RecordImage`](crate::memory::RecordImage), it is lifted into that.
        image: bool,
    },
    /// `arg.get i; array.lower_memory T`
    ArgArrayLower(u32, IType),
    /// `arg.get i; record.lower_memory R`; with `image`, the step is the only reader of
    /// the export adapter's only input, which may come as a
    /// [`RecordImage`](crate::memory::RecordImage).
    ArgRecordLower {
        index: u32,
        id: u64,
        image: bool,
    },
    /// `call-core` of adapted import `slot` with a record on either side: `arg` when the
    /// import's only argument is the record the step lifts first (`arg.get i;
    /// record.lift_memory R`, then perhaps a `call-core` of an export of no parameter and
    /// no result, `release_objects`); `result` when the import's only result is lowered
    /// right after (`record.lower_memory R`). Where the linked callee allows it, the records
    /// cross as [`RecordImage`](crate::memory::RecordImage)s instead of values.
    CallImportRecords {
        slot: u32,
        arg: Option<RecordArg>,
        result: Option<u64>,
    },
    CallExport(u32),
    /// `call-core i` for an export of `i32` parameters and at most one result (the shape
    /// of the ABI functions and of most core functions), resolved when compiled.
    CallI32 {
        slot: u32,
        arity: u8,
        result: Option<CoreType>,
    },
    /// `call-core 0` when function 0 is `allocate`: its result is checked (D22).
    CallAllocate,
    CallImport(u32),
    Convert(Conversion),
    StringLiftMemory,
    StringLowerMemory,
    StringSize,
    /// `dup; string.size`: the size of the string on top, without copying it.
    PeekStringSize,
    Dup,
    Swap2,
    ArrayLiftMemory(IType),
    /// `array.lower_memory T`; `true` when it follows a `call-core` of an adapted import,
    /// whose result it lowers.
    ArrayLowerMemory(IType, bool),
    RecordLiftMemory(u64),
    /// `record.lower_memory R`; `true` as for [`ArrayLowerMemory`](Op::ArrayLowerMemory).
    RecordLowerMemory(u64, bool),
    I32Push(i32),
    I64Push(i64),
    ByteArrayLiftMemory,
    ByteArrayLowerMemory,
    ByteArraySize,
}

/// The record argument of [`Op::CallImportRecords`]: the input holding its pointer, its
/// type, and the `release_objects` call between the lift and the call, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordArg {
    pub(crate) input: u32,
    pub(crate) id: u64,
    pub(crate) release: Option<u32>,
}

impl Op {
    /// The adapter input the operation reads, if it reads one.
    pub(crate) fn input(&self) -> Option<u32> {
        match self {
            Op::ArgGet(index)
            | Op::ArgStringSize(index)
            | Op::ArgStringLower(index)
            | Op::ArgStringToMemory(index)
            | Op::ArgStringCall { index, .. }
            | Op::ArgArrayLower(index, _)
            | Op::ArgRecordLower { index, .. } => Some(*index),
            Op::CallImportRecords { arg, .. } => arg.map(|arg| arg.input),
            _ => None,
        }
    }

    /// The source instructions the operation stands for: the compiler advances by it, so a
    /// fused operation's span is written here once.
    pub(crate) fn width(&self) -> u8 {
        let with = |call: &Option<u32>| u8::from(call.is_some());
        match self {
            Op::ArgStringSize(_)
            | Op::ArgStringLower(_)
            | Op::ArgArrayLower(..)
            | Op::ArgRecordLower { .. }
            | Op::PeekStringSize => 2,
            Op::ArgStringToMemory(_) => 6,
            Op::ArgStringCall { .. } => 7,
            Op::LiftResult { release, .. } => 3 + with(release),
            Op::LiftRecordResult { release, .. } => 2 + with(release),
            Op::CallImportRecords { arg, result, .. } => {
                let arg = arg.map_or(0, |arg| 2 + with(&arg.release));
                1 + arg + u8::from(result.is_some())
            }
            _ => 1,
        }
    }
}

/// An operation and the position of the (last) source instruction it implements.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub(crate) op: Op,
    /// Index of the instruction errors are reported at; a fused operation reports problems
    /// with its `arg.get` at `at − 1`.
    pub(crate) at: u32,
}

/// A compiled adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub(crate) steps: Vec<Step>,
    /// The source instructions, for error messages.
    pub(crate) source: Vec<Instruction>,
    pub(crate) adapter_type: u32,
}

impl Program {
    /// The adapter's function type index in its section.
    pub fn adapter_type(&self) -> u32 {
        self.adapter_type
    }

    /// The adapter's instructions as written in the section.
    pub fn instructions(&self) -> &[Instruction] {
        &self.source
    }

    /// Whether the adapter (an export adapter of one record parameter) can take that
    /// record as a [`RecordImage`](crate::memory::RecordImage): it only lowers it, once, and
    /// the record [crosses as an image](crate::memory::crosses_as_image).
    pub fn takes_record_image(&self) -> bool {
        self.steps
            .iter()
            .any(|step| matches!(step.op, Op::ArgRecordLower { image: true, .. }))
    }

    /// Whether the adapter (an export adapter of one record result) can give that record
    /// as a [`RecordImage`](crate::memory::RecordImage): its last step lifts it, and the
    /// record [crosses as an image](crate::memory::crosses_as_image).
    pub fn gives_record_image(&self) -> bool {
        self.steps
            .last()
            .is_some_and(|step| matches!(step.op, Op::LiftRecordResult { image: true, .. }))
    }
}

/// A raw wasm export of the module: the first part of the `call-core` function space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreExport {
    /// The export name.
    pub name: String,
    /// Its wasm signature.
    pub signature: CoreSignature,
    /// Whether its parameters are all `i32` (at most [`MAX_I32_ARGS`]) and it has at most
    /// one result: the shape of the ABI's functions and of most core functions, which
    /// [`AdapterHost::call_export_i32`] calls without building values.
    ///
    /// [`AdapterHost::call_export_i32`]: crate::adapter::AdapterHost::call_export_i32
    pub(crate) i32_args: bool,
}

impl CoreExport {
    /// The operation calling this export as core export slot `slot`.
    pub(crate) fn call_op(&self, slot: u32) -> Op {
        match u8::try_from(self.signature.params.len()) {
            Ok(arity) if self.i32_args => Op::CallI32 {
                slot,
                arity,
                result: self.signature.results.first().copied(),
            },
            _ => Op::CallExport(slot),
        }
    }

    /// The export `name` of wasm signature `signature`.
    pub fn new(name: impl Into<String>, signature: CoreSignature) -> Self {
        let i32_args = signature.params.len() <= MAX_I32_ARGS
            && signature.params.iter().all(|ty| *ty == CoreType::I32)
            && signature.results.len() <= 1;
        Self {
            name: name.into(),
            signature,
            i32_args,
        }
    }
}

/// A user-visible IT function of the module: an export with an export adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledExport {
    /// The function name (the wasm export it wraps has the same name).
    pub name: String,
    /// The public signature: the adapter type.
    pub ty: FunctionType,
    /// The core export slot of the wasm function.
    pub core_slot: u32,
    /// The export adapter; its inputs are IT values of `ty`'s parameters.
    pub program: Program,
}

/// A function the module imports from another module, with its import adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledImport {
    /// The exporting module's name.
    pub namespace: String,
    /// The function name.
    pub name: String,
    /// The IT-level signature, as the importer sees it (`core type − 2`, §5.1).
    pub ty: FunctionType,
    /// The raw wasm signature of the import: what the module's wasm import has, and what
    /// the import adapter takes and returns.
    pub raw: CoreSignature,
    /// The import adapter; its inputs are the raw wasm arguments as `I32/I64/F32/F64`.
    pub program: Program,
}

/// A compiled `interface-types` section.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledModule {
    pub(crate) core_exports: Vec<CoreExport>,
    pub(crate) exports: Vec<CompiledExport>,
    pub(crate) imports: Vec<CompiledImport>,
    pub(crate) records: RecordTable,
    pub(crate) export_index: BTreeMap<String, usize>,
}

impl CompiledModule {
    /// The raw wasm exports adapters call, by slot (IT export entry order; slot 0 is
    /// `allocate`). The runtime resolves each to a function handle once, at load.
    pub fn core_exports(&self) -> &[CoreExport] {
        &self.core_exports
    }

    /// The user-visible functions, in export order.
    pub fn exports(&self) -> &[CompiledExport] {
        &self.exports
    }

    /// The exported function named `name`.
    pub fn export(&self, name: &str) -> Option<&CompiledExport> {
        self.export_index
            .get(name)
            .and_then(|index| self.exports.get(*index))
    }

    /// The adapted imports, by slot (the second part of the `call-core` function space).
    pub fn imports(&self) -> &[CompiledImport] {
        &self.imports
    }

    /// The module's record types, resolved.
    pub fn records(&self) -> &RecordTable {
        &self.records
    }
}
