//! The one error type of the service layer.
//!
//! Every error names the module and, where there is one, the function; adapter errors also
//! name the instruction. Messages keep Marine's essential wording (`spec/service.md` §13) so
//! that users and tools that match on it keep working.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;
use strait_backend::BackendError;
use strait_it::adapter::{CompileError, InstructionError};

/// What kind of error happened; stable for programs that match on errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service configuration is invalid (TOML, missing keys, paths).
    Config,
    /// A file could not be read.
    Io,
    /// A module could not be loaded: invalid wasm, invalid IT section, instantiation.
    Load,
    /// An import could not be linked: unknown module or function, signature mismatch.
    Link,
    /// The SDK or IT version of a module is missing or too old.
    Version,
    /// No loaded module has that name.
    NoSuchModule,
    /// The module exports no IT function of that name.
    NoSuchFunction,
    /// An adapter instruction failed (including traps of the functions it calls).
    Instruction,
    /// A wasm trap outside of an adapter (for example in `_start`).
    Trap,
    /// A resource limit: memory budget, fuel, deadline.
    Limits,
    /// JSON arguments do not fit the function's signature.
    JsonArguments,
    /// The result cannot be converted to JSON.
    JsonResult,
    /// A host import failed.
    HostImport,
    /// A module name is used twice.
    DuplicateModule,
    /// The engine failed.
    Engine,
}

/// An error of the service layer.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn core::error::Error + Send + Sync>>,
    oom_rejects: usize,
    /// For a link error: the module an import names that is not loaded, so that loading a
    /// list of modules can tell a cycle or a wrong order from a missing module.
    unloaded_import: Option<String>,
}

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
            oom_rejects: 0,
            unloaded_import: None,
        }
    }

    /// A new error of `kind` whose message is followed by `source`'s.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl Into<Box<dyn core::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            source: Some(source.into()),
            oom_rejects: 0,
            unloaded_import: None,
        }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// How many memory growths the budget refused while the failing operation ran; when
    /// non-zero the error is reported as a probable out-of-memory (`spec/service.md` §8).
    pub fn oom_rejects(&self) -> usize {
        self.oom_rejects
    }

    /// Marks the error as probably caused by the memory budget.
    pub(crate) fn suspect_oom(mut self, rejects: usize) -> Self {
        self.oom_rejects = rejects;
        self
    }

    /// The same error without the out-of-memory suspicion, for callers that report
    /// [`oom_rejects`](Self::oom_rejects) themselves (Marine's API wraps it in an error of its
    /// own).
    ///
    /// ```
    /// let error = strait::Error::new(strait::ErrorKind::Trap, "trapped");
    /// assert_eq!(error.without_oom_suspicion().to_string(), "trapped");
    /// ```
    pub fn without_oom_suspicion(mut self) -> Self {
        self.oom_rejects = 0;
        self
    }

    /// The error this one wraps, if any.
    pub fn inner(&self) -> Option<&(dyn core::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }

    /// A module-loading error.
    pub(crate) fn load(module: &str, message: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::Load,
            alloc::format!("cannot load module \"{module}\": {message}"),
        )
    }

    /// An error of an adapter that could not be compiled.
    pub(crate) fn compile(module: &str, error: CompileError) -> Self {
        Self::with_source(
            ErrorKind::Load,
            alloc::format!("cannot load module \"{module}\": invalid interface-types section"),
            error,
        )
    }

    /// An engine error while loading `module`.
    pub(crate) fn backend_load(module: &str, error: BackendError) -> Self {
        let kind = match &error {
            BackendError::Limits(_) => ErrorKind::Limits,
            BackendError::Trap(_) => ErrorKind::Trap,
            _ => ErrorKind::Load,
        };
        let message = match &error {
            BackendError::UnknownImport { namespace, name } if name == "log_utf8_string" => {
                alloc::format!(
                    "cannot load module \"{module}\": Wasm backend error: unknown import: \
                     `{namespace}::{name}` has not been defined (the logger import is \
                     provided only when `logger_enabled = true`)"
                )
            }
            _ => alloc::format!("cannot load module \"{module}\": Wasm backend error"),
        };
        match error {
            BackendError::UnknownImport { name, .. } if name == "log_utf8_string" => {
                Self::new(kind, message)
            }
            error => Self::with_source(kind, message, error),
        }
    }

    /// An adapter failure while calling `module.function`.
    pub(crate) fn execution(module: &str, function: &str, error: InstructionError) -> Self {
        Self::with_source(
            ErrorKind::Instruction,
            alloc::format!("Execution error in module \"{module}\", function \"{function}\""),
            error,
        )
    }

    /// The module is not loaded; `loaded` are the names that are, listed with the nearest.
    pub(crate) fn no_such_module<'a>(
        module: &str,
        loaded: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self::new(
            ErrorKind::NoSuchModule,
            alloc::format!(
                "module with name \"{module}\" is missing{}",
                crate::nearest::available(module, "loaded modules", loaded)
            ),
        )
    }

    /// The module has no such IT function; `functions` are the ones it has.
    pub(crate) fn no_such_function<'a>(
        module: &str,
        function: &str,
        functions: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self::new(
            ErrorKind::NoSuchFunction,
            alloc::format!(
                "function with name `{function}` is missing in module \"{module}\"{}",
                crate::nearest::available(function, "its functions", functions)
            ),
        )
    }

    /// A link error: module `module` imports from `missing`, which is not loaded.
    pub(crate) fn unloaded_import(module: &str, missing: &str) -> Self {
        let message = if module == missing {
            alloc::format!(
                "cannot load module \"{module}\": it imports from itself, a cycle                  ({module} -> {module}); a module can import only from modules loaded before it"
            )
        } else {
            alloc::format!(
                "cannot load module \"{module}\": module with name '{missing}' isn't loaded \
                 (it must be loaded before the modules that import from it)"
            )
        };
        let mut error = Self::new(ErrorKind::Link, message);
        error.unloaded_import = Some(missing.into());
        error
    }

    /// The not-loaded module a link error is about (see [`Error::unloaded_import`]).
    pub(crate) fn missing_import(&self) -> Option<&str> {
        self.unloaded_import.as_deref()
    }

    /// Names the file a module was loaded from in a load error about it:
    /// `cannot load module "m" (file m.wasm): …`.
    pub(crate) fn in_file(mut self, module: &str, origin: &str) -> Self {
        let prefix = alloc::format!("cannot load module \"{module}\"");
        if let Some(rest) = self.message.strip_prefix(prefix.as_str()) {
            self.message = alloc::format!("{prefix} (file {origin}){rest}");
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.oom_rejects > 0 {
            write!(
                f,
                "Engine error when OOM suspected ({} failed allocations), original error: ",
                self.oom_rejects
            )?;
        }
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.source {
            Some(source) => Some(source.as_ref()),
            None => None,
        }
    }
}

/// The result type of the service layer.
pub type Result<T, E = Error> = core::result::Result<T, E>;
