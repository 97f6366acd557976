//! Marine's error types: [`MarineError`] (what the API returns) and [`MError`] (the engine
//! errors it wraps), with Marine's variants and Display texts.
//!
//! Where Marine wraps an error of its own internals, the variant holds the [`strait::Error`]
//! that strait reports for the same cause, displayed as is: strait's messages already carry
//! Marine's essential wording (`spec/service.md` §13) and name the module and function.

use crate::backend::MemoryAllocationStats;
use std::path::PathBuf;

/// The errors of [`Marine`](crate::generic::Marine)'s API.
///
/// ```
/// let error = marine::MarineError::NoSuchModule("nomod".into());
/// assert_eq!(error.to_string(), r#"module with name "nomod" is missing"#);
/// ```
#[derive(Debug, thiserror::Error)]
pub enum MarineError {
    /// The config content is invalid.
    #[error("InvalidConfig: {0}")]
    InvalidConfig(String),

    /// A module named in the config has no bytes among the provided modules.
    #[error(
        "module with name {module_import_name} is specified in config (dir: {modules_dir:?}), \
         but not found in provided modules: {provided_modules:?}"
    )]
    InstantiationError {
        /// The module's name in the config.
        module_import_name: String,
        /// The config's `modules_dir`.
        modules_dir: Option<PathBuf>,
        /// The names of the modules that were provided.
        provided_modules: Vec<String>,
    },

    /// A file could not be read.
    #[error("IOError: {0}")]
    IOError(String),

    /// The module has no exported function of that name.
    #[error("function with name `{0}` is missing")]
    MissingFunctionError(String),

    /// An argument is missing.
    #[error(r#"argument with name "{0}" is missing"#)]
    MissingArgumentError(String),

    /// No loaded module has that name.
    #[error(r#"module with name "{0}" is missing"#)]
    NoSuchModule(String),

    /// JSON arguments do not fit the function's signature.
    #[error(
        r#"arguments from json deserialization error in module "{module_name}", function "{function_name}": {error}"#
    )]
    JsonArgumentsDeserializationError {
        /// The called module.
        module_name: String,
        /// The called function.
        function_name: String,
        /// What does not fit.
        error: ITJsonSeDeError,
    },

    /// The result cannot be converted to JSON.
    #[error(
        r#"output to json serialization error in module "{module_name}", function "{function_name}": {error}"#
    )]
    JsonOutputSerializationError {
        /// The called module.
        module_name: String,
        /// The called function.
        function_name: String,
        /// What does not convert.
        error: ITJsonSeDeError,
    },

    /// The TOML config is invalid or misses a required key.
    #[error("parsing config error: {0}")]
    ParseConfigError(#[from] toml::de::Error),

    /// An engine error.
    #[error("engine error: {0}")]
    EngineError(#[from] MError),

    /// An engine error while the memory budget refused growth: most probably out of memory.
    #[error(
        "Engine error when OOM suspected ({0} failed allocations), original error: {original_error}",
        .allocation_stats.allocation_rejects
    )]
    HighProbabilityOOM {
        /// The error itself.
        original_error: MError,
        /// The refused growths.
        allocation_stats: MemoryAllocationStats,
    },
}

/// A JSON conversion error (it-json-serde's `ITJsonSeDeError`): the message of strait's
/// [`JsonArgError`](strait::json::JsonArgError) or [`JsonResultError`](strait::json::JsonResultError).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ITJsonSeDeError {
    /// Serializing a result to JSON.
    #[error("{0}")]
    Se(String),
    /// Deserializing arguments from JSON.
    #[error("{0}")]
    De(String),
}

/// An error of a host import (Marine's `HostImportError`): strait's error for it.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct HostImportError(pub strait::Error);

/// The engine errors (marine-core's `MError`).
///
/// ```
/// let error = marine::MError::NoSuchModule("m".into());
/// assert_eq!(error.to_string(), "module with name 'm' isn't loaded into Marine");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MError {
    /// A record type could not be resolved.
    #[error("{0}")]
    RecordResolveError(String),

    /// WASI could not be set up (e.g. a mapped directory is missing).
    #[error(transparent)]
    WASIPrepareError(strait::Error),

    /// An adapter failed, including traps of the wasm functions it calls.
    #[error(transparent)]
    ITInstructionError(strait::Error),

    /// The module's SDK or IT version is missing or too old.
    #[error(transparent)]
    PrepareError(strait::Error),

    /// A module of that name is already loaded.
    #[error("module with name '{0}' already loaded into Marine, please specify another name")]
    NonUniqueModuleName(String),

    /// The module has no function of that name.
    #[error("module with name '{0}' doesn't have function with name {1}")]
    NoSuchFunction(String, String),

    /// No module of that name is loaded.
    #[error("module with name '{0}' isn't loaded into Marine")]
    NoSuchModule(String),

    /// A host import failed.
    #[error(transparent)]
    HostImportError(#[from] HostImportError),

    /// The IT section is missing, corrupt or inconsistent.
    #[error(transparent)]
    WITParseError(strait::Error),

    /// The IT section is inconsistent.
    #[error("{0}")]
    IncorrectWIT(String),

    /// Compiling, linking or instantiating failed, a resource limit was hit, or wasm trapped
    /// outside of an adapter.
    #[error(transparent)]
    WasmBackendError(strait::Error),
}

impl MError {
    /// The variant for an error strait reported, with the out-of-memory suspicion left to
    /// [`MarineError::HighProbabilityOOM`].
    pub(crate) fn from_strait(error: strait::Error) -> Self {
        use strait::ErrorKind;
        let error = error.without_oom_suspicion();
        match error.kind() {
            ErrorKind::Instruction | ErrorKind::JsonArguments | ErrorKind::JsonResult => {
                Self::ITInstructionError(error)
            }
            ErrorKind::Version => Self::PrepareError(error),
            ErrorKind::HostImport => Self::HostImportError(HostImportError(error)),
            _ => Self::WasmBackendError(error),
        }
    }
}

impl MarineError {
    /// `error` as Marine reports it: a probable out-of-memory when the memory budget refused
    /// growth during the failing operation and the error is one memory shortage can cause.
    pub(crate) fn from_strait(error: strait::Error) -> Self {
        let rejects = error.oom_rejects();
        let error = MError::from_strait(error);
        let oom_kind = matches!(
            error,
            MError::ITInstructionError(_)
                | MError::HostImportError(_)
                | MError::WasmBackendError(_)
        );
        if rejects > 0 && oom_kind {
            Self::HighProbabilityOOM {
                original_error: error,
                allocation_stats: MemoryAllocationStats {
                    allocation_rejects: u32::try_from(rejects).unwrap_or(u32::MAX),
                },
            }
        } else {
            Self::EngineError(error)
        }
    }
}

/// The result type of Marine's API.
pub type MarineResult<T> = Result<T, MarineError>;
