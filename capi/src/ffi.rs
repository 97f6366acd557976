//! Checked conversions of what C passes in: null pointers, text that is not UTF-8 and
//! impossible lengths become errors before anything is read.

use crate::error::strait_error;
use alloc::ffi::CString;
use alloc::string::String;
use core::ffi::{CStr, c_char};

/// The NUL-terminated UTF-8 string at `ptr`, named `what` in errors.
///
/// # Safety
///
/// `ptr` is null or points to a NUL-terminated string that outlives `'a` and is not written
/// meanwhile.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, strait_error> {
    if ptr.is_null() {
        return Err(strait_error::invalid(alloc::format!(
            "{what} is NULL; pass a NUL-terminated UTF-8 string"
        )));
    }
    // SAFETY: not null, and NUL-terminated and live for 'a (this function's contract).
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str().map_err(|e| {
        strait_error::invalid(alloc::format!(
            "{what} is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// The `len` bytes at `ptr`, named `what` in errors; `NULL` with length 0 is empty.
///
/// # Safety
///
/// `ptr` is null or points to `len` readable bytes that outlive `'a` and are not written
/// meanwhile.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], strait_error> {
    if ptr.is_null() {
        return match len {
            0 => Ok(&[]),
            _ => Err(strait_error::invalid(alloc::format!(
                "{what} is NULL with a length of {len}"
            ))),
        };
    }
    if isize::try_from(len).is_err() {
        return Err(strait_error::invalid(alloc::format!(
            "{what} has a length of {len} bytes, more than PTRDIFF_MAX"
        )));
    }
    // SAFETY: not null, `len` readable bytes live for 'a (the contract), and `len` fits in
    // isize (checked above).
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// The `len` bytes at `ptr` as UTF-8 text.
///
/// # Safety
///
/// As [`bytes`].
pub(crate) unsafe fn utf8<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, strait_error> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { bytes(ptr.cast::<u8>(), len, what) }?;
    core::str::from_utf8(bytes).map_err(|e| {
        strait_error::invalid(alloc::format!(
            "{what} is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// The place behind an output pointer, named `what` in errors.
///
/// # Safety
///
/// `ptr` is null or valid for writes of a `T` for `'a`, and not otherwise accessed meanwhile.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, strait_error> {
    // SAFETY: null or valid and unaliased for 'a (the contract); `as_mut` checks null.
    unsafe { ptr.as_mut() }.ok_or_else(|| {
        strait_error::invalid(alloc::format!("{what} is NULL; pass where to write it"))
    })
}

/// A NUL-terminated copy of JSON text for C (JSON text has no raw NUL: serde_json escapes it).
pub(crate) fn c_string(text: String) -> Result<CString, strait_error> {
    CString::new(text).map_err(|_| {
        strait_error::new(
            crate::error::strait_error_kind::JsonResult,
            "the JSON text contains a NUL byte",
        )
    })
}

/// Writes `text` and a NUL terminator into the caller's buffer, or says how much is needed.
///
/// # Safety
///
/// `out` is null or valid for writes of `capacity` bytes.
pub(crate) unsafe fn copy_out(
    text: &[u8],
    out: *mut c_char,
    capacity: usize,
    length: &mut usize,
) -> Result<(), strait_error> {
    *length = text.len();
    if out.is_null() || capacity <= text.len() {
        return Err(strait_error::new(
            crate::error::strait_error_kind::BufferTooSmall,
            alloc::format!(
                "the result is {} bytes and needs a buffer of {} (with its NUL terminator); \
                 the buffer has {capacity}: get it with strait_service_result_json, or call \
                 strait_service_call_json_owned",
                text.len(),
                text.len() + 1
            ),
        ));
    }
    // SAFETY: `out` is valid for `capacity` > `text.len()` bytes (the contract and the check
    // above), and `text` is Rust memory, so the two do not overlap.
    unsafe {
        core::ptr::copy_nonoverlapping(text.as_ptr(), out.cast::<u8>(), text.len());
    }
    // SAFETY: `text.len() < capacity`, inside the caller's buffer.
    let end = unsafe { out.add(text.len()) };
    // SAFETY: as above: the byte after the text is in the caller's buffer.
    unsafe { end.write(0) };
    Ok(())
}
