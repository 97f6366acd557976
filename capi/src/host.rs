//! Host functions written in C: an IT-typed function a module imports, served by a callback.

use crate::error::{guard, strait_error};
use crate::ffi;
use crate::service::{on_service, service_mut, strait_service};
use crate::value::{strait_value, strait_value_kind};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void};
use strait::{FunctionArg, FunctionType, HostFunction, IType, IValue};

/// A host function's callback: gets the `user_data` given at registration and the arguments
/// (`args`, `nargs` values of the registered kinds; strings and byte arrays valid until it
/// returns). When the function has a result, the callback sets `*result` to a value of the
/// registered kind (`result` points to a zeroed value); strings and byte arrays it returns
/// must stay valid until the callback is called again or the service is freed (they are
/// copied right after it returns). It returns NULL on success, or an error from
/// `strait_error_new`, which strait then owns: the module's call fails with it.
///
/// It runs on the thread that called the service, inside that call; it must not call into
/// the same service.
pub type strait_host_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        args: *const strait_value,
        nargs: usize,
        result: *mut strait_value,
    ) -> *mut strait_error,
>;

/// Releases a host function's `user_data` once no module can call it any more.
pub type strait_free_callback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// The C side of a host function: its callback, its data and how to release it.
struct Callback {
    call: unsafe extern "C" fn(
        *mut c_void,
        *const strait_value,
        usize,
        *mut strait_value,
    ) -> *mut strait_error,
    user_data: *mut c_void,
    free: strait_free_callback,
}

// SAFETY: the header makes the embedder responsible for `user_data`: the callback runs on
// whichever thread calls the service (one at a time per service) and `free_user_data` on the
// thread that frees it; strait itself never touches `user_data`.
unsafe impl Send for Callback {}
// SAFETY: as for `Send`; a service is used by one thread at a time, so the callback is never
// run from two threads at once through one service.
unsafe impl Sync for Callback {}

impl Drop for Callback {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            // SAFETY: the embedder's release function, called once, when the last module
            // holding this host function is dropped (the registration's contract).
            unsafe { free(self.user_data) };
        }
    }
}

impl Callback {
    /// Calls the callback with `args` and converts its result to `result` (or none).
    fn call(
        &self,
        args: &[IValue],
        result: Option<strait_value_kind>,
    ) -> Result<Vec<IValue>, strait::Error> {
        let views = args
            .iter()
            .map(|value| {
                strait_value::view(value).ok_or_else(|| {
                    host_error(format!(
                        "argument of type {} is not a typed value",
                        value.kind_name()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = strait_value {
            kind: 0,
            i: 0,
            u: 0,
            f: 0.0,
            data: core::ptr::null(),
            len: 0,
        };
        // SAFETY: `views` are valid for the call (their data points into `args`), `out` is a
        // live value; the callback follows the registration's contract.
        let error = unsafe { (self.call)(self.user_data, views.as_ptr(), views.len(), &mut out) };
        if !error.is_null() {
            // SAFETY: an error from `strait_error_new`, now owned by strait (the contract).
            let error = unsafe { Box::from_raw(error) };
            return Err(host_error(error.message().to_string()));
        }
        let Some(kind) = result else {
            return Ok(Vec::new());
        };
        if out.kind != kind as u32 {
            return Err(host_error(format!(
                "the callback's result has kind {}, its registered kind is {} ({kind:?})",
                out.kind, kind as u32
            )));
        }
        // SAFETY: the callback's string or bytes are valid until it is called again (the
        // contract); they are copied here.
        let value = unsafe { out.to_ivalue(&"the callback's result") }
            .map_err(|e| host_error(e.message().to_string()))?;
        Ok(alloc::vec![value])
    }
}

fn host_error(message: String) -> strait::Error {
    strait::Error::new(strait::ErrorKind::HostImport, message)
}

/// The kinds of `count` raw kinds at `kinds`.
///
/// # Safety
///
/// `kinds` is null or points to `count` values.
unsafe fn kinds(
    kinds: *const u32,
    count: usize,
    what: &str,
) -> Result<Vec<strait_value_kind>, strait_error> {
    let raw = if count == 0 {
        &[][..]
    } else {
        if kinds.is_null() {
            return Err(strait_error::invalid(format!(
                "{what} is NULL with a count of {count}"
            )));
        }
        if count
            .checked_mul(4)
            .is_none_or(|bytes| isize::try_from(bytes).is_err())
        {
            return Err(strait_error::invalid(format!(
                "{what} has {count} entries, too many"
            )));
        }
        // SAFETY: not null, `count` values (the contract), size checked above.
        unsafe { core::slice::from_raw_parts(kinds, count) }
    };
    raw.iter()
        .enumerate()
        .map(|(index, raw)| {
            strait_value_kind::from_raw(*raw).ok_or_else(|| {
                strait_error::invalid(format!("{what}[{index}] is {raw}, not a strait_value_kind"))
            })
        })
        .collect()
}

/// Registers the host function `namespace::name` for modules loaded from now on: its
/// parameters have the kinds `params` (`nparams` of them; NULL with 0) and its result the kind
/// `*result_kind` (NULL: no result). A module importing it with another IT type fails to
/// load. Registering a name again replaces the function for later loads (modules already
/// loaded keep the old one). In the host-API namespaces (`host`, `__marine_host_api_v1`…) it
/// replaces a built-in of the same name.
///
/// `user_data` is passed to every call of `callback`; `free_user_data` (may be NULL) is called
/// with it once no loaded module and no later load can use the function any more (at the
/// latest when the service is freed). If registration fails, neither is called and
/// `user_data` stays the caller's.
///
/// # Safety
///
/// `service` is null or a live service; `namespace` and `name` are null or NUL-terminated;
/// `params` is null or points to `nparams` values; `result_kind` is null or readable;
/// `callback` and `free_user_data` follow their types' contracts with `user_data`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments, reason = "a C signature")]
pub unsafe extern "C" fn strait_service_register_host_function(
    service: *mut strait_service,
    namespace: *const c_char,
    name: *const c_char,
    params: *const u32,
    nparams: usize,
    result_kind: *const u32,
    callback: strait_host_callback,
    user_data: *mut c_void,
    free_user_data: strait_free_callback,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or live (the contract).
        let service = unsafe { service_mut(service) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let namespace = unsafe { ffi::text(namespace, "namespace") }?;
        // SAFETY: null or NUL-terminated (the contract).
        let name = unsafe { ffi::text(name, "name") }?;
        // SAFETY: null or `nparams` values (the contract).
        let params = unsafe { kinds(params, nparams, "params") }?;
        // SAFETY: null or one readable value (the contract).
        let result = unsafe {
            kinds(
                result_kind,
                usize::from(!result_kind.is_null()),
                "result_kind",
            )
        }?;
        let call = callback.ok_or_else(|| strait_error::invalid("callback is NULL"))?;
        let ty = FunctionType {
            params: params
                .iter()
                .enumerate()
                .map(|(index, kind)| FunctionArg {
                    name: format!("arg{index}"),
                    ty: kind.itype(),
                })
                .collect(),
            results: result
                .iter()
                .map(|kind| kind.itype())
                .collect::<Vec<IType>>(),
        };
        let result = result.first().copied();
        let callback = Arc::new(Callback {
            call,
            user_data,
            free: free_user_data,
        });
        let shared = Arc::clone(&callback);
        let function = HostFunction::new(ty, Vec::new(), move |args| {
            shared
                .call(args, result)
                .map_err(|e| Box::new(e) as strait_backend::HostError)
        });
        let function = match function {
            Ok(function) => function,
            Err(error) => {
                // The closure is gone with its clone: `user_data` goes back to the caller
                // without `free_user_data` being called.
                if let Ok(mut callback) = Arc::try_unwrap(callback) {
                    callback.free = None;
                }
                return Err(error.into());
            }
        };
        drop(callback);
        on_service!(&mut service.inner, |s| s
            .register_host_function(namespace, name, function));
        Ok(())
    })
}
