//! Module settings: how one module is loaded (logger, environment, and with `std` WASI
//! directories and mounted binaries), the non-file part of a `Config.toml` module entry.

#[cfg(not(feature = "std"))]
use crate::error::strait_error_kind;
use crate::error::{guard, guard_value, strait_error};
use crate::ffi;
use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use core::ffi::c_char;
use strait::ModuleSettings;

/// How one module is loaded. Created by `strait_module_settings_new` with Marine's defaults
/// (logger on, every log target, no environment, no directories, no mounted binaries), freed
/// by `strait_module_settings_free`; `strait_service_load_module` copies what it needs, so one
/// settings object may serve many loads.
pub struct strait_module_settings(pub(crate) ModuleSettings);

/// New settings with the defaults; the caller frees them with `strait_module_settings_free`.
/// `NULL` only if allocation failed (`std` build).
#[unsafe(no_mangle)]
pub extern "C" fn strait_module_settings_new() -> *mut strait_module_settings {
    guard_value(core::ptr::null_mut(), || {
        Box::into_raw(Box::new(strait_module_settings(ModuleSettings::default())))
    })
}

/// Frees `settings`; `NULL` is ignored.
///
/// # Safety
///
/// `settings` is null or settings from `strait_module_settings_new` that have not been freed;
/// they are not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_module_settings_free(settings: *mut strait_module_settings) {
    if !settings.is_null() {
        // SAFETY: made by `Box::into_raw` here, freed once (the contract).
        drop(unsafe { Box::from_raw(settings) });
    }
}

/// The settings behind a C pointer.
///
/// # Safety
///
/// `settings` is null or live settings not otherwise accessed for `'a`.
unsafe fn settings_mut<'a>(
    settings: *mut strait_module_settings,
) -> Result<&'a mut ModuleSettings, strait_error> {
    // SAFETY: forwarded contract.
    unsafe { settings.as_mut() }
        .map(|s| &mut s.0)
        .ok_or_else(|| strait_error::invalid("settings is NULL"))
}

/// Whether the module gets Marine's logger import (`log_utf8_string`; a module that imports
/// it fails to load without it), and which log targets pass (`logging_mask`, a bit mask;
/// `INT32_MAX` passes all).
///
/// # Safety
///
/// `settings` is null or live settings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_module_settings_set_logger(
    settings: *mut strait_module_settings,
    enabled: bool,
    logging_mask: i32,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or live (the contract).
        let settings = unsafe { settings_mut(settings) }?;
        settings.logger_enabled = enabled;
        settings.logging_mask = logging_mask;
        Ok(())
    })
}

/// Adds the environment variable `key=value` the module sees (replacing an earlier value of
/// `key`). In the `no_std` build the module sees it through strait's minimal WASI.
///
/// # Safety
///
/// `settings` is null or live settings; `key` and `value` are null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_module_settings_add_env(
    settings: *mut strait_module_settings,
    key: *const c_char,
    value: *const c_char,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or live (the contract).
        let settings = unsafe { settings_mut(settings) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let key = unsafe { ffi::text(key, "key") }?;
        // SAFETY: null or NUL-terminated (the contract).
        let value = unsafe { ffi::text(value, "value") }?;
        if key.is_empty() || key.contains('=') {
            return Err(strait_error::invalid(alloc::format!(
                "environment variable name `{key}` is empty or contains `=`"
            )));
        }
        settings.envs.retain(|(k, _)| k != key);
        settings.envs.push((key.to_owned(), value.to_owned()));
        Ok(())
    })
}

/// Maps the host directory `host_path` into the module's WASI file system as `alias` (a
/// relative host path resolves against the process's working directory). `std` build only
/// (`STRAIT_ERROR_KIND_UNSUPPORTED` otherwise).
///
/// # Safety
///
/// `settings` is null or live settings; `alias` and `host_path` are null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_module_settings_add_mapped_dir(
    settings: *mut strait_module_settings,
    alias: *const c_char,
    host_path: *const c_char,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or live (the contract).
        let settings = unsafe { settings_mut(settings) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let alias = unsafe { ffi::text(alias, "alias") }?;
        // SAFETY: null or NUL-terminated (the contract).
        let host_path = unsafe { ffi::text(host_path, "host_path") }?;
        #[cfg(feature = "std")]
        {
            settings.mapped_dirs.retain(|(a, _)| a != alias);
            settings
                .mapped_dirs
                .push((alias.to_owned(), host_path.into()));
            Ok(())
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = settings;
            Err(strait_error::new(
                strait_error_kind::Unsupported,
                alloc::format!(
                    "cannot map {host_path} as {alias}: WASI directories need the std build of strait"
                ),
            ))
        }
    })
}

/// Provides the host program `host_path` to the module as the mounted binary `name` (the
/// module imports it as `name` from a host-API namespace and runs it with arguments). `std`
/// build only (`STRAIT_ERROR_KIND_UNSUPPORTED` otherwise).
///
/// # Safety
///
/// `settings` is null or live settings; `name` and `host_path` are null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_module_settings_add_mounted_binary(
    settings: *mut strait_module_settings,
    name: *const c_char,
    host_path: *const c_char,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or live (the contract).
        let settings = unsafe { settings_mut(settings) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let name = unsafe { ffi::text(name, "name") }?;
        // SAFETY: null or NUL-terminated (the contract).
        let host_path = unsafe { ffi::text(host_path, "host_path") }?;
        #[cfg(feature = "std")]
        {
            settings.mounted_binaries.retain(|(n, _)| n != name);
            settings
                .mounted_binaries
                .push((name.to_owned(), host_path.into()));
            settings.mounted_binaries.sort();
            Ok(())
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = settings;
            Err(strait_error::new(
                strait_error_kind::Unsupported,
                alloc::format!(
                    "cannot mount {host_path} as `{name}`: mounted binaries need the std build of strait"
                ),
            ))
        }
    })
}
