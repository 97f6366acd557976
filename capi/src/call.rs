//! Calls: with JSON arguments and a JSON result (into the caller's buffer or an owned
//! string), or with typed values.

use crate::error::{guard, strait_error, strait_error_kind};
use crate::ffi;
use crate::service::{on_service, service_mut, service_ref, strait_service};
use crate::value::{ivalues, strait_value};
use core::ffi::c_char;
use strait::CallParameters;

/// The C arguments of a JSON call, checked.
struct JsonCall<'a> {
    service: &'a mut strait_service,
    module: &'a str,
    function: &'a str,
    args: &'a str,
}

impl<'a> JsonCall<'a> {
    /// Checks the arguments of a JSON call.
    ///
    /// # Safety
    ///
    /// `service` is null or a live service not otherwise accessed for `'a`; `module` and
    /// `function` are null or NUL-terminated; `args` is null or points to `args_len` bytes.
    unsafe fn new(
        service: *mut strait_service,
        module: *const c_char,
        function: *const c_char,
        args: *const c_char,
        args_len: usize,
    ) -> Result<Self, strait_error> {
        Ok(Self {
            // SAFETY: forwarded contract.
            service: unsafe { service_mut(service) }?,
            // SAFETY: forwarded contract.
            module: unsafe { ffi::text(module, "module") }?,
            // SAFETY: forwarded contract.
            function: unsafe { ffi::text(function, "function") }?,
            // SAFETY: forwarded contract.
            args: unsafe { ffi::utf8(args, args_len, "args") }?,
        })
    }

    /// Makes the call; its JSON result is left in the service's `json`.
    fn run(self) -> Result<&'a mut strait_service, strait_error> {
        let Self {
            service,
            module,
            function,
            args,
        } = self;
        let args = strait::json::parse(args).map_err(|e| {
            strait_error::new(
                strait_error_kind::JsonArguments,
                alloc::format!(
                    "the arguments of module \"{module}\", function \"{function}\" are not JSON: {e}"
                ),
            )
        })?;
        let result = on_service!(&mut service.inner, |s| s.call_json(
            module,
            function,
            &args,
            CallParameters::default()
        ))?;
        service.json = serde_json::to_string(&result).map_err(|e| {
            strait_error::new(
                strait_error_kind::JsonResult,
                alloc::format!("cannot write the result as JSON: {e}"),
            )
        })?;
        Ok(service)
    }
}

/// Calls `module.function` with JSON arguments (`args`, `args_len` bytes of UTF-8: an array in
/// parameter order, an object by parameter name, or for one parameter the value itself, as
/// Marine takes them) and writes the JSON result with a NUL terminator into `out` (`capacity`
/// bytes). `*out_len` gets the result's length without the terminator, also when the buffer is
/// too small: the call then fails with `STRAIT_ERROR_KIND_BUFFER_TOO_SMALL` and the result
/// stays in the service, for `strait_service_result_json` to copy (the function is not run
/// twice).
///
/// # Safety
///
/// `service` is null or a live service; `module` and `function` are null or NUL-terminated;
/// `args` is null or points to `args_len` bytes; `out` is null or writable for `capacity`
/// bytes; `out_len` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_call_json(
    service: *mut strait_service,
    module: *const c_char,
    function: *const c_char,
    args: *const c_char,
    args_len: usize,
    out: *mut c_char,
    capacity: usize,
    out_len: *mut usize,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or writable (the contract).
        let out_len = unsafe { ffi::out(out_len, "out_len") }?;
        *out_len = 0;
        // SAFETY: forwarded contract.
        let service = unsafe { JsonCall::new(service, module, function, args, args_len) }?.run()?;
        // SAFETY: null or `capacity` writable bytes (the contract).
        unsafe { ffi::copy_out(service.json.as_bytes(), out, capacity, out_len) }
    })
}

/// Copies the JSON result of the service's last successful `strait_service_call_json` (or
/// `_owned`) into `out` with a NUL terminator, as `strait_service_call_json` does; `"null"`
/// before any call.
///
/// # Safety
///
/// `service` is null or a live service; `out` is null or writable for `capacity` bytes;
/// `out_len` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_result_json(
    service: *const strait_service,
    out: *mut c_char,
    capacity: usize,
    out_len: *mut usize,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or writable (the contract).
        let out_len = unsafe { ffi::out(out_len, "out_len") }?;
        *out_len = 0;
        // SAFETY: null or live (the contract).
        let service = unsafe { service_ref(service) }?;
        let json = match service.json.as_str() {
            "" => "null",
            json => json,
        };
        // SAFETY: null or `capacity` writable bytes (the contract).
        unsafe { ffi::copy_out(json.as_bytes(), out, capacity, out_len) }
    })
}

/// Calls `module.function` with JSON arguments, as `strait_service_call_json`, and writes the
/// JSON result to `*out`: NUL-terminated, the caller's, freed with `strait_string_free`.
/// `out_len` (may be NULL) gets its length without the terminator.
///
/// # Safety
///
/// `service` is null or a live service; `module` and `function` are null or NUL-terminated;
/// `args` is null or points to `args_len` bytes; `out` is null or writable; `out_len` is null
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_call_json_owned(
    service: *mut strait_service,
    module: *const c_char,
    function: *const c_char,
    args: *const c_char,
    args_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or writable (the contract).
        let out = unsafe { ffi::out(out, "out") }?;
        *out = core::ptr::null_mut();
        // SAFETY: null or writable (the contract).
        let mut out_len = unsafe { out_len.as_mut() };
        if let Some(len) = out_len.as_deref_mut() {
            *len = 0;
        }
        // SAFETY: forwarded contract.
        let service = unsafe { JsonCall::new(service, module, function, args, args_len) }?.run()?;
        let text = ffi::c_string(service.json.clone())?;
        if let Some(len) = out_len {
            *len = service.json.len();
        }
        *out = text.into_raw();
        Ok(())
    })
}

/// Calls `module.function` with typed arguments (`args`, `nargs` values; NULL with 0) and
/// writes its results to `*results` and their count to `*nresults` (0 or 1 for modules built
/// with marine-rs-sdk). The results belong to the service: valid until its next call, unload
/// or free. A function whose result is an array or a record fails with
/// `STRAIT_ERROR_KIND_UNSUPPORTED` after running: call it with `strait_service_call_json`.
///
/// # Safety
///
/// `service` is null or a live service; `module` and `function` are null or NUL-terminated;
/// `args` is null or points to `nargs` values whose strings and byte arrays point to their
/// `len` bytes; `results` and `nresults` are null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_call(
    service: *mut strait_service,
    module: *const c_char,
    function: *const c_char,
    args: *const strait_value,
    nargs: usize,
    results: *mut *const strait_value,
    nresults: *mut usize,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or writable (the contract).
        let results = unsafe { ffi::out(results, "results") }?;
        // SAFETY: null or writable (the contract).
        let nresults = unsafe { ffi::out(nresults, "nresults") }?;
        *results = core::ptr::null();
        *nresults = 0;
        // SAFETY: null or live (the contract).
        let service = unsafe { service_mut(service) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let module = unsafe { ffi::text(module, "module") }?;
        // SAFETY: null or NUL-terminated (the contract).
        let function = unsafe { ffi::text(function, "function") }?;
        // SAFETY: null or `nargs` valid values (the contract).
        let args = unsafe { ivalues(args, nargs) }?;
        service.views.clear();
        service.results = on_service!(&mut service.inner, |s| s.call(module, function, &args))?;
        for value in &service.results {
            let view = strait_value::view(value).ok_or_else(|| {
                strait_error::new(
                    strait_error_kind::Unsupported,
                    alloc::format!(
                        "module \"{module}\", function \"{function}\" returned {} (the call \
                         ran): typed calls carry scalars, strings and byte arrays; call it \
                         with strait_service_call_json",
                        value.kind_name()
                    ),
                )
            })?;
            service.views.push(view);
        }
        *results = service.views.as_ptr();
        *nresults = service.views.len();
        Ok(())
    })
}
