//! Errors: an owned `strait_error` with a kind and a message, and the guard every entry point
//! runs its body in.

use alloc::boxed::Box;
use alloc::ffi::CString;
use alloc::string::{String, ToString};
use core::ffi::c_char;
use strait_backend::{BackendError, TrapKind};

/// What kind of error a `strait_error` is. The values are stable.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum strait_error_kind {
    /// A pointer was null, a name or string was not UTF-8, a length was out of range, a value
    /// had the wrong kind or an enum value was unknown: the caller's mistake.
    InvalidArgument = 1,
    /// The caller's buffer is too small for the result; the length written says how much
    /// is needed.
    BufferTooSmall = 2,
    /// This build does not have what was asked for (Wasmtime, files, WASI and mounted
    /// binaries need the `std` build).
    Unsupported = 3,
    /// A bug in strait, caught at the boundary (`std` builds). Free the service it happened
    /// in; other services are unaffected.
    Panic = 4,
    /// The service configuration is invalid (`Config.toml`, options).
    Config = 10,
    /// A file could not be read.
    Io = 11,
    /// A module could not be loaded: not wasm, an invalid interface-types section, a failed
    /// instantiation.
    Load = 12,
    /// A module's import could not be linked: an unknown module or function, a signature
    /// mismatch.
    Link = 13,
    /// A module's SDK or interface-types version is missing or too old.
    Version = 14,
    /// No loaded module has that name.
    NoSuchModule = 15,
    /// The module exports no function of that name.
    NoSuchFunction = 16,
    /// A module of that name is already loaded.
    DuplicateModule = 17,
    /// The JSON arguments are not JSON or do not fit the function's parameters.
    JsonArguments = 18,
    /// The result cannot be written as JSON.
    JsonResult = 19,
    /// A host function failed (a registered C callback, a mounted binary, a host import).
    HostFunction = 20,
    /// The engine failed.
    Engine = 21,
    /// An adapter instruction failed (a value out of range, a bad pointer from the module).
    Instruction = 22,
    /// The module trapped (`unreachable`, out-of-bounds access, a panic in the module).
    Trap = 23,
    /// The call used up its fuel (`fuel_per_call`).
    OutOfFuel = 24,
    /// The call ran past its deadline (`deadline_ms`, Wasmtime).
    Deadline = 25,
    /// The service's memory budget (`memory_limit`) refused memory the module asked for.
    MemoryLimit = 26,
    /// Any other error.
    Other = 99,
}

/// An error: its kind and message. Owned by the caller, who frees it with
/// `strait_error_free`.
pub struct strait_error {
    kind: strait_error_kind,
    message: CString,
}

impl strait_error {
    /// An error of `kind`; NUL bytes in `message` are shown as `\0`.
    pub(crate) fn new(kind: strait_error_kind, message: impl Into<String>) -> Self {
        let message = message.into();
        let message = CString::new(message).unwrap_or_else(|e| {
            let text = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\\0");
            CString::new(text).unwrap_or_default()
        });
        Self { kind, message }
    }

    /// The kind.
    pub fn kind(&self) -> strait_error_kind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        self.message.to_str().unwrap_or("")
    }

    /// An argument that is wrong (`what` says which and how).
    pub(crate) fn invalid(what: impl Into<String>) -> Self {
        Self::new(strait_error_kind::InvalidArgument, what)
    }
}

impl core::fmt::Debug for strait_error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message())
    }
}

impl From<strait::Error> for strait_error {
    fn from(error: strait::Error) -> Self {
        Self::new(kind_of(&error), error.to_string())
    }
}

/// The C kind of a service error: the cause (a trap, fuel, deadline, memory budget) when one
/// is found down its chain of sources, else its own kind.
fn kind_of(error: &strait::Error) -> strait_error_kind {
    use strait::ErrorKind as K;
    use strait_error_kind as C;
    if error.oom_rejects() > 0 {
        return C::MemoryLimit;
    }
    let mut source: Option<&(dyn core::error::Error + 'static)> = core::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(backend) = cause.downcast_ref::<BackendError>() {
            match (backend, backend.trap_kind()) {
                (BackendError::Limits(_), _) => return C::MemoryLimit,
                (_, Some(TrapKind::OutOfFuel)) => return C::OutOfFuel,
                (_, Some(TrapKind::Interrupted)) => return C::Deadline,
                (_, Some(_)) => return C::Trap,
                _ => {}
            }
        }
        if let Some(inner) = cause.downcast_ref::<strait::Error>() {
            if inner.oom_rejects() > 0 {
                return C::MemoryLimit;
            }
            // A host function that failed: the embedder's callback, a mounted binary.
            if inner.kind() == K::HostImport {
                return C::HostFunction;
            }
        }
        source = cause.source();
    }
    match error.kind() {
        K::Config => C::Config,
        K::Io => C::Io,
        K::Load => C::Load,
        K::Link => C::Link,
        K::Version => C::Version,
        K::NoSuchModule => C::NoSuchModule,
        K::NoSuchFunction => C::NoSuchFunction,
        K::Instruction => C::Instruction,
        K::Trap => C::Trap,
        K::Limits => C::MemoryLimit,
        K::JsonArguments => C::JsonArguments,
        K::JsonResult => C::JsonResult,
        K::HostImport => C::HostFunction,
        K::DuplicateModule => C::DuplicateModule,
        K::Engine => C::Engine,
        _ => C::Other,
    }
}

/// The result of an entry point's body.
pub(crate) type Outcome = Result<(), strait_error>;

/// Runs an entry point's body: `NULL` on success, the error (now the caller's) otherwise. With
/// `std`, a panic is caught and becomes an error of kind `Panic`: it never unwinds into C.
/// Without `std` the build aborts on panic (`panic = "abort"`), and no input reaches one.
pub(crate) fn guard(body: impl FnOnce() -> Outcome) -> *mut strait_error {
    #[cfg(feature = "std")]
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(panic_error(payload.as_ref())));
    #[cfg(not(feature = "std"))]
    let outcome = body();
    match outcome {
        Ok(()) => core::ptr::null_mut(),
        Err(error) => Box::into_raw(Box::new(error)),
    }
}

/// Runs a body that returns a value rather than an error: `fallback` if it panics (`std`).
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    #[cfg(feature = "std")]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(fallback)
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = fallback;
        body()
    }
}

#[cfg(feature = "std")]
fn panic_error(payload: &(dyn core::any::Any + Send)) -> strait_error {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    strait_error::new(
        strait_error_kind::Panic,
        alloc::format!(
            "strait panicked (a bug; please report it): {what}; free this service and create \
             another"
        ),
    )
}

/// A new error of kind `STRAIT_ERROR_KIND_HOST_FUNCTION` with `message` (NUL-terminated
/// UTF-8; invalid UTF-8 is replaced), for a host function callback to return. `NULL` message:
/// an error saying the callback gave none. The caller owns it (returning it from a callback
/// hands it to strait).
///
/// # Safety
///
/// `message` is null or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_error_new(message: *const c_char) -> *mut strait_error {
    let text = if message.is_null() {
        String::from("the host function failed (no message)")
    } else {
        // SAFETY: the caller passes a NUL-terminated string (this function's contract).
        let text = unsafe { core::ffi::CStr::from_ptr(message) };
        String::from_utf8_lossy(text.to_bytes()).into_owned()
    };
    guard_value(core::ptr::null_mut(), || {
        Box::into_raw(Box::new(strait_error::new(
            strait_error_kind::HostFunction,
            text,
        )))
    })
}

/// The kind of `error`; `STRAIT_ERROR_KIND_INVALID_ARGUMENT` for `NULL`.
///
/// # Safety
///
/// `error` is null or an error from this library that has not been freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_error_get_kind(error: *const strait_error) -> strait_error_kind {
    // SAFETY: null or a live error (this function's contract).
    match unsafe { error.as_ref() } {
        Some(error) => error.kind,
        None => strait_error_kind::InvalidArgument,
    }
}

/// The message of `error`: NUL-terminated UTF-8, owned by the error (valid until it is freed);
/// `""` for `NULL`.
///
/// # Safety
///
/// `error` is null or an error from this library that has not been freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_error_get_message(error: *const strait_error) -> *const c_char {
    // SAFETY: null or a live error (this function's contract).
    match unsafe { error.as_ref() } {
        Some(error) => error.message.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// Frees `error`; `NULL` is ignored.
///
/// # Safety
///
/// `error` is null or an error from this library that has not been freed; it is not used
/// afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_error_free(error: *mut strait_error) {
    if !error.is_null() {
        // SAFETY: a live error made by `Box::into_raw` here, freed once (the contract).
        drop(unsafe { Box::from_raw(error) });
    }
}
