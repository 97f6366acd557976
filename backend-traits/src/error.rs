//! The one error type of the engine layer, and traps.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// An error raised by a host function; it travels through the engine's trap machinery and
/// comes back to the caller of `call` intact, as [`BackendError::Host`], so it can be
/// downcast to the host's own type.
pub type HostError = Box<dyn core::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the engine layer.
///
/// After any of these the store that reported it stays usable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The module's bytes are not a valid module for this engine configuration.
    #[error("invalid module: {0}")]
    Compile(String),
    /// An import of the module is provided neither by a host function nor by WASI.
    #[error("unknown import: `{namespace}::{name}` has not been defined")]
    UnknownImport {
        /// Import namespace (the module name of the import).
        namespace: String,
        /// Import name.
        name: String,
    },
    /// A host function was given for an import, but with another type.
    #[error("incompatible import type for `{namespace}::{name}`: {message}")]
    ImportType {
        /// Import namespace.
        namespace: String,
        /// Import name.
        name: String,
        /// What differs.
        message: String,
    },
    /// Instantiation failed for another reason (start function, segments, WASI setup).
    #[error("instantiation failed: {0}")]
    Instantiation(String),
    /// No export of that name and kind.
    #[error("no exported {kind} named `{name}`")]
    MissingExport {
        /// Export name.
        name: String,
        /// `function` or `memory`.
        kind: &'static str,
    },
    /// Arguments, result buffer or typed signature do not match the function's type.
    #[error("type mismatch: {0}")]
    TypeMismatch(String),
    /// A resource limit was hit outside of wasm execution: the memory budget refused the
    /// initial memory or table of an instance, or a host-requested growth.
    #[error("{0}")]
    Limits(String),
    /// Wasm execution trapped (fuel exhaustion and deadlines included).
    #[error("{0}")]
    Trap(Trap),
    /// A host function failed; the host's own error, unchanged.
    #[error("{0}")]
    Host(HostError),
    /// The guest called WASI `proc_exit`.
    #[error("guest exited with status {0}")]
    Exit(i32),
    /// WASI could not be set up (for example a mapped host directory is missing).
    #[error("WASI: {0}")]
    Wasi(String),
    /// A function or memory handle was used with a store it does not belong to.
    #[error("a function or memory handle was used with a store it does not belong to")]
    ForeignHandle,
    /// The store has no instance yet, or already has one.
    #[error("{0}")]
    Instance(&'static str),
    /// The engine or this configuration does not support the operation.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The engine failed for another reason (configuration, cache directory, internal).
    #[error("engine error: {0}")]
    Engine(String),
}

impl BackendError {
    /// The trap, if this is one.
    pub fn trap(&self) -> Option<&Trap> {
        if let Self::Trap(trap) = self {
            Some(trap)
        } else {
            None
        }
    }

    /// The trap kind, if this is a trap.
    pub fn trap_kind(&self) -> Option<TrapKind> {
        self.trap().map(|t| t.kind)
    }

    /// The host error, if a host function failed.
    pub fn host_error(&self) -> Option<&(dyn core::error::Error + Send + Sync + 'static)> {
        if let Self::Host(e) = self {
            Some(e.as_ref())
        } else {
            None
        }
    }

    /// The host error downcast to `E`, if a host function failed with an `E`.
    pub fn downcast_host_ref<E: core::error::Error + 'static>(&self) -> Option<&E> {
        self.host_error().and_then(|e| e.downcast_ref::<E>())
    }

    /// Takes the host error out as an `E`; gives `self` back otherwise.
    pub fn downcast_host<E: core::error::Error + 'static>(self) -> Result<Box<E>, Self> {
        match self {
            Self::Host(e) => e.downcast::<E>().map_err(Self::Host),
            other => Err(other),
        }
    }

    /// Whether a resource limit caused this error: memory budget at instantiation, fuel
    /// exhaustion or the wall-clock deadline.
    pub fn is_limit(&self) -> bool {
        matches!(self, Self::Limits(_))
            || matches!(
                self.trap_kind(),
                Some(TrapKind::OutOfFuel | TrapKind::Interrupted)
            )
    }
}

/// A wasm trap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    /// What kind of trap.
    pub kind: TrapKind,
    /// The message: the same on every engine for a given kind (`wasm trap: …`), the
    /// engine's own for [`TrapKind::Other`].
    pub message: String,
    /// The wasm backtrace as the engine prints it (`error while executing at wasm
    /// backtrace:` and one line per frame), when the engine captures one (Wasmtime).
    pub backtrace: Option<String>,
}

impl Trap {
    /// A trap of a known kind with the canonical message.
    pub fn new(kind: TrapKind) -> Self {
        Self {
            kind,
            message: alloc::format!("wasm trap: {}", kind.description()),
            backtrace: None,
        }
    }

    /// Attaches a backtrace.
    #[must_use]
    pub fn with_backtrace(mut self, backtrace: Option<String>) -> Self {
        self.backtrace = backtrace;
        self
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(bt) = &self.backtrace {
            write!(f, "\n{}", bt.trim_end())?;
        }
        Ok(())
    }
}

/// The kind of a wasm trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// `unreachable` executed.
    Unreachable,
    /// Out-of-bounds linear memory access.
    MemoryOutOfBounds,
    /// The wasm stack limit was reached (deep or infinite recursion).
    StackOverflow,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// Integer overflow (`i32.div_s` of `MIN` by `-1`).
    IntegerOverflow,
    /// Float to integer conversion of NaN or an out-of-range value.
    BadConversionToInteger,
    /// `call_indirect` to a null table entry.
    IndirectCallToNull,
    /// `call_indirect` with a signature mismatch.
    BadSignature,
    /// Out-of-bounds table access.
    TableOutOfBounds,
    /// The call's fuel ran out.
    OutOfFuel,
    /// The call's wall-clock deadline passed (Wasmtime epochs).
    Interrupted,
    /// Any other trap.
    Other,
}

impl TrapKind {
    /// The canonical description, Wasmtime's wording.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Unreachable => "wasm `unreachable` instruction executed",
            Self::MemoryOutOfBounds => "out of bounds memory access",
            Self::StackOverflow => "call stack exhausted",
            Self::IntegerDivisionByZero => "integer divide by zero",
            Self::IntegerOverflow => "integer overflow",
            Self::BadConversionToInteger => "invalid conversion to integer",
            Self::IndirectCallToNull => "uninitialized element",
            Self::BadSignature => "indirect call type mismatch",
            Self::TableOutOfBounds => "undefined element: out of bounds table access",
            Self::OutOfFuel => "all fuel consumed by WebAssembly",
            Self::Interrupted => "interrupt",
            Self::Other => "trap",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}
