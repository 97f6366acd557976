//! Errors of the adapter compiler (load time) and of the interpreter (run time).

use crate::adapter::CoreSignature;
use crate::instructions::{Instruction, ScalarKind};
use crate::memory::{HostError, LiftError, LowerError};
use crate::records::RecordTableError;
use crate::types::IType;
use crate::values::IValue;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::Utf8Error;

/// A section item an error refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// Entry N of the type list.
    Type(u32),
    /// Import entry N.
    Import(usize),
    /// Export entry N.
    Export(usize),
    /// Adapter N (in section order).
    Adapter(usize),
    /// Implementation N.
    Implementation(usize),
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Type(index) => write!(f, "type {index}"),
            Item::Import(index) => write!(f, "import #{index}"),
            Item::Export(index) => write!(f, "export #{index}"),
            Item::Adapter(index) => write!(f, "adapter #{index}"),
            Item::Implementation(index) => write!(f, "implementation #{index}"),
        }
    }
}

/// The kind of type an index must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    /// A function type.
    Function,
    /// A record type.
    Record,
}

impl fmt::Display for TypeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TypeKind::Function => "function",
            TypeKind::Record => "record",
        })
    }
}

/// Why record types cannot be used: they nest too deeply or contain themselves (D21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NestingError {
    /// A record type contains itself (directly or through other records and arrays).
    #[error("record type {record_type_id} contains itself")]
    Cyclic {
        /// A record type on the cycle.
        record_type_id: u64,
    },
    /// Records and arrays nest deeper than the limit.
    #[error("records and arrays nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: u32,
    },
}

/// The section cannot be compiled: a load-time error (`spec/it-section.md` §7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// A type index is past the end of the type list.
    #[error("{item} refers to type {index}, but the section has {count} types")]
    TypeOutOfRange {
        /// The item holding the index.
        item: Item,
        /// The index.
        index: u64,
        /// The number of types.
        count: usize,
    },
    /// A type index names a type of the wrong kind.
    #[error("{item} refers to type {index}, which is not a {expected} type")]
    WrongTypeKind {
        /// The item holding the index.
        item: Item,
        /// The index.
        index: u64,
        /// The kind it must have.
        expected: TypeKind,
    },
    /// The record types are malformed.
    #[error(transparent)]
    Records(#[from] RecordTableError),
    /// Record types reachable from an adapter nest too deeply or are cyclic.
    #[error("{item}: {reason}")]
    Nesting {
        /// Where the type is used.
        item: Item,
        /// What is wrong.
        reason: NestingError,
    },
    /// An implementation names an adapter type that has no adapter.
    #[error(
        "implementation #{implementation} (core type {core_type}) names adapter type {adapter_type}, but no adapter has that type"
    )]
    NoSuchAdapter {
        /// The implementation's position.
        implementation: usize,
        /// Its core type.
        core_type: u32,
        /// Its adapter type.
        adapter_type: u32,
    },
    /// Two adapters for one type.
    #[error("type {adapter_type} has more than one adapter")]
    DuplicateAdapter {
        /// The adapter type.
        adapter_type: u32,
    },
    /// Two implementations for one core type.
    #[error("core type {core_type} has more than one implementation")]
    DuplicateImplementation {
        /// The core type.
        core_type: u32,
    },
    /// An IT export names no wasm function export.
    #[error("export `{name}` is not an exported wasm function")]
    MissingCoreExport {
        /// The export name.
        name: String,
    },
    /// An ABI export has the wrong wasm signature (`spec/abi.md` §2).
    #[error("wasm export `{name}` has the signature {found}; the ABI requires {expected}")]
    AbiSignature {
        /// The export name.
        name: String,
        /// The ABI's signature.
        expected: CoreSignature,
        /// The module's.
        found: CoreSignature,
    },
    /// An adapted import's IT-level type (`core type − 2`, §5.1) is missing or not a function.
    #[error(
        "import `{namespace}`.`{name}`: its IT-level type (core type {core_type} − 2) is not a function type"
    )]
    ImportItType {
        /// The import namespace.
        namespace: String,
        /// The import name.
        name: String,
        /// The core type of the import entry.
        core_type: u32,
    },
    /// An import adapter's raw type uses a type that has no core wasm form (D28).
    #[error(
        "import `{namespace}`.`{name}`: its raw signature uses `{ty}`, which is not a core wasm type"
    )]
    RawImportType {
        /// The import namespace.
        namespace: String,
        /// The import name.
        name: String,
        /// The offending type.
        ty: IType,
    },
    /// An adapter's instructions do not check.
    #[error(transparent)]
    Adapter(#[from] AdapterError),
}

/// An adapter that does not check, at one instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterError {
    /// The adapter's function type index.
    pub adapter_type: u32,
    /// Position of the instruction in the adapter; the instruction count for a problem with
    /// the final stack.
    pub instruction_index: usize,
    /// The instruction, or `None` for the final stack.
    pub instruction: Option<Instruction>,
    /// What is wrong.
    pub kind: AdapterErrorKind,
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.instruction {
            Some(instruction) => write!(
                f,
                "adapter for type {}, instruction {} `{}`: {}",
                self.adapter_type, self.instruction_index, instruction, self.kind
            ),
            None => write!(
                f,
                "adapter for type {}, end of the adapter (after {} instructions): {}",
                self.adapter_type, self.instruction_index, self.kind
            ),
        }
    }
}

impl core::error::Error for AdapterError {}

/// What is wrong with an adapter instruction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdapterErrorKind {
    /// `arg.get` past the adapter's parameters.
    #[error("argument {index} does not exist (the adapter has {arity} parameters)")]
    ArgumentOutOfRange {
        /// The index.
        index: u32,
        /// The parameter count.
        arity: usize,
    },
    /// `call-core` past the function space (§5.2).
    #[error("function {index} does not exist (the function space has {count} functions)")]
    FunctionOutOfRange {
        /// The index.
        index: u32,
        /// The size of the function space.
        count: usize,
    },
    /// Too few values on the stack.
    #[error("needs {needed} value(s) on the stack, but only {available} are there")]
    StackTooSmall {
        /// Values needed.
        needed: usize,
        /// Values present.
        available: usize,
    },
    /// A value of the wrong type on the stack.
    #[error("expects a value of type `{expected}`, but the stack has `{found}`")]
    TypeMismatch {
        /// The type the instruction needs.
        expected: IType,
        /// The type on the stack.
        found: IType,
    },
    /// A type immediate or an adapter type names a missing type.
    #[error("type {index} does not exist")]
    TypeOutOfRange {
        /// The index.
        index: u64,
    },
    /// A record immediate names a type that is not a record.
    #[error("type {index} is not a record type")]
    NotARecord {
        /// The index.
        index: u64,
    },
    /// A type used by the instruction nests too deeply or is cyclic.
    #[error(transparent)]
    Nesting(#[from] NestingError),
    /// The stack left at the end does not match the adapter type's results.
    #[error("the final stack {found:?} does not match the results {expected:?}")]
    FinalStack {
        /// The adapter's result types (core types for import adapters).
        expected: Vec<IType>,
        /// The types left on the stack.
        found: Vec<IType>,
    },
    /// The instruction allocates, but function 0 is not `allocate: (i32, i32) -> i32` (§6.3).
    #[error("lowering needs function 0 to be `allocate` with signature (i32, i32) -> (i32)")]
    AllocateSignature,
}

/// An error while running an adapter: the instruction and what went wrong
/// (`spec/it-section.md` §3.5). Displayed as Marine does: `` `instruction` message ``.
#[derive(Debug)]
pub struct InstructionError {
    /// Position of the instruction in the adapter.
    pub instruction_index: usize,
    /// The instruction.
    pub instruction: Instruction,
    /// What went wrong.
    pub kind: InstructionErrorKind,
}

impl fmt::Display for InstructionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.instruction, self.kind)
    }
}

impl core::error::Error for InstructionError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        core::error::Error::source(&self.kind)
    }
}

/// The kinds of run-time adapter errors.
#[derive(Debug, thiserror::Error)]
pub enum InstructionErrorKind {
    /// `arg.get` past the invocation inputs.
    #[error("cannot access invocation inputs #{index} because it doesn't exist")]
    InvocationInputIsMissing {
        /// The input index.
        index: u32,
    },
    /// A pointer, length or string popped has the wrong variant.
    #[error("failed to cast the WIT value `{from:?}` to its native type `{to}`")]
    ToNative {
        /// The value found.
        from: IValue,
        /// The native type needed.
        to: &'static str,
    },
    /// A numeric value out of the target's range.
    #[error("failed to cast `{from:?}` to `{to:?}`")]
    LoweringLifting {
        /// The source kind.
        from: ScalarKind,
        /// The target kind.
        to: ScalarKind,
    },
    /// A value of the wrong type (D11: expected type and received value the right way round).
    #[error(
        "read a value `{received_value:?}` from the stack, that can't be converted to `{expected_type}`"
    )]
    InvalidValueOnTheStack {
        /// The type the instruction needs.
        expected_type: IType,
        /// The value found.
        received_value: IValue,
    },
    /// Too few values on the stack (D10: the true count).
    #[error(
        "needed to read `{needed}` value(s) from the stack, but it doesn't contain enough data"
    )]
    StackIsTooSmall {
        /// The number of values needed.
        needed: usize,
    },
    /// A `call-core` index outside the compiled module (a program run with another module).
    #[error("the local or import function `{function_index}` doesn't exist")]
    LocalOrImportIsMissing {
        /// The index.
        function_index: u32,
    },
    /// The called core function or imported function failed.
    #[error("failed while calling the local or import function `{function_name}`: {reason}")]
    LocalOrImportCall {
        /// The function's name.
        function_name: String,
        /// The host's error, passed through.
        #[source]
        reason: HostError,
    },
    /// The called function returned values that do not match its signature (D15).
    #[error(
        "the local or import function `{function_name}` returned {received} value(s) that do not match its {expected} result(s)"
    )]
    UnexpectedResults {
        /// The function's name.
        function_name: String,
        /// The declared result count.
        expected: usize,
        /// The number of values returned.
        received: usize,
    },
    /// The module's memory is not accessible.
    #[error("memory is not accessible: {reason}")]
    MemoryUnavailable {
        /// The host's error.
        #[source]
        reason: HostError,
    },
    /// A region outside memory; `index` = offset + size.
    #[error("read out of the memory bounds (index {index} > memory length {length})")]
    MemoryOutOfBoundsAccess {
        /// The end of the region.
        index: u64,
        /// The memory size.
        length: u64,
    },
    /// Invalid UTF-8 in a lifted string.
    #[error("{0}")]
    String(Utf8Error),
    /// An unknown record type.
    #[error("type with `{record_type_id}` is missing in a Wasm binary")]
    RecordTypeByNameIsMissing {
        /// The type index.
        record_type_id: u64,
    },
    /// Lifting failed.
    #[error("{0}")]
    LiError(LiftError),
    /// Lowering failed.
    #[error("{0}")]
    LoError(LowerError),
}

impl InstructionErrorKind {
    /// The host error this error carries (a failed call or an inaccessible memory), for the
    /// runtime to downcast.
    pub fn host_error(&self) -> Option<&HostError> {
        match self {
            InstructionErrorKind::LocalOrImportCall { reason, .. }
            | InstructionErrorKind::MemoryUnavailable { reason }
            | InstructionErrorKind::LoError(
                LowerError::AllocateCallFailed { reason } | LowerError::Memory { reason },
            ) => Some(reason),
            _ => None,
        }
    }
}
