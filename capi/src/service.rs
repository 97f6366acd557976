//! The service: options, create and free, load and unload modules, its interface and memory.

use crate::error::{Outcome, guard, guard_value, strait_error, strait_error_kind};
use crate::ffi;
use crate::settings::strait_module_settings;
use crate::value::strait_value;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_char;
use strait::{IValue, ModuleSettings, Service, ServiceOptions, Wasmi};

/// The engines, as `strait_options.engine` takes them. The values are stable.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum strait_engine {
    /// The build's default: Wasmtime in the `std` build, wasmi otherwise.
    Default = 0,
    /// wasmi, the interpreter (every build).
    Wasmi = 1,
    /// Wasmtime, the JIT compiler (`std` build only).
    Wasmtime = 2,
}

/// How a service is created. Start from `strait_options_default()` and change fields, so that
/// fields added later keep their defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct strait_options {
    /// One of `strait_engine`.
    pub engine: u32,
    /// The memory budget of the whole service in bytes: every module's linear memory and
    /// tables together. 0: unlimited. A growth past it fails the call with
    /// `STRAIT_ERROR_KIND_MEMORY_LIMIT`.
    pub memory_limit: u64,
    /// Fuel (units of work) each call gets: a call that uses it up fails with
    /// `STRAIT_ERROR_KIND_OUT_OF_FUEL`, deterministically. 0: unmetered (faster).
    pub fuel_per_call: u64,
    /// Wall-clock time each call gets, in milliseconds (Wasmtime only; wasmi refuses it,
    /// bound calls with fuel there). 0: unbounded.
    pub deadline_ms: u64,
    /// The most bytes one call may move between modules or out of a module (strings, arrays,
    /// records); bounds what a module can make the host allocate. 0: the default (256 MiB).
    pub max_lifted_bytes: u64,
    /// How many compiled modules the service keeps after they are unloaded, to load them
    /// again without compiling; 0 keeps none (the least memory).
    pub module_cache: usize,
}

/// The default options: the build's default engine, no memory limit, no fuel, no deadline,
/// the default lifted-bytes bound and module cache.
#[unsafe(no_mangle)]
pub extern "C" fn strait_options_default() -> strait_options {
    strait_options {
        engine: strait_engine::Default as u32,
        memory_limit: 0,
        fuel_per_call: 0,
        deadline_ms: 0,
        max_lifted_bytes: 0,
        module_cache: strait::DEFAULT_MODULE_CACHE,
    }
}

/// A service on one of the engines of the build.
pub(crate) enum AnyService {
    Wasmi(Service<Wasmi>),
    #[cfg(feature = "std")]
    Wasmtime(Service<strait::Wasmtime>),
}

/// `$body` with `$s` bound to the service, whatever its engine.
macro_rules! on_service {
    ($service:expr, |$s:ident| $body:expr) => {
        match $service {
            $crate::service::AnyService::Wasmi($s) => $body,
            #[cfg(feature = "std")]
            $crate::service::AnyService::Wasmtime($s) => $body,
        }
    };
}
pub(crate) use on_service;

/// A service: the modules loaded into it, on one engine. Created by `strait_service_new` (or
/// `strait_service_from_config`), freed by `strait_service_free`. Used by one thread at a
/// time; it may move between threads.
pub struct strait_service {
    pub(crate) inner: AnyService,
    /// The last JSON result, for `strait_service_result_json` (and reused by every call).
    pub(crate) json: String,
    /// The last typed results, which the views of `results` point into.
    pub(crate) results: Vec<IValue>,
    pub(crate) views: Vec<strait_value>,
}

impl strait_service {
    fn new(inner: AnyService) -> Self {
        Self {
            inner,
            json: String::new(),
            results: Vec::new(),
            views: Vec::new(),
        }
    }
}

/// The engine `options.engine` names, and the options for strait.
fn service_options(
    options: &strait_options,
) -> Result<(strait_engine, ServiceOptions), strait_error> {
    let engine = match options.engine {
        0 => strait_engine::Default,
        1 => strait_engine::Wasmi,
        2 => strait_engine::Wasmtime,
        other => {
            return Err(strait_error::invalid(alloc::format!(
                "options.engine is {other}: use STRAIT_ENGINE_DEFAULT, STRAIT_ENGINE_WASMI or \
                 STRAIT_ENGINE_WASMTIME"
            )));
        }
    };
    let nonzero = |value: u64| (value != 0).then_some(value);
    let mut service = ServiceOptions {
        total_memory_limit: nonzero(options.memory_limit),
        fuel_per_call: nonzero(options.fuel_per_call),
        deadline_per_call: nonzero(options.deadline_ms).map(core::time::Duration::from_millis),
        module_cache: options.module_cache,
        ..ServiceOptions::default()
    };
    if let Some(bytes) = nonzero(options.max_lifted_bytes) {
        service.max_lifted_bytes = bytes;
    }
    Ok((engine, service))
}

/// Creates an empty service of `engine`, with `make` given the engine's type.
fn create(
    engine: strait_engine,
    options: ServiceOptions,
    #[cfg(feature = "std")] config: Option<&strait::config::ServiceConfig>,
) -> Result<strait_service, strait_error> {
    #[cfg(feature = "std")]
    fn make<B: strait::Backend>(
        options: ServiceOptions,
        config: Option<&strait::config::ServiceConfig>,
    ) -> Result<Service<B>, strait::Error> {
        match config {
            Some(config) => Service::from_config(config, options),
            None => Service::new(options),
        }
    }
    let inner = match engine {
        #[cfg(feature = "std")]
        strait_engine::Default | strait_engine::Wasmtime => {
            AnyService::Wasmtime(make(options, config)?)
        }
        #[cfg(feature = "std")]
        strait_engine::Wasmi => AnyService::Wasmi(make(options, config)?),
        #[cfg(not(feature = "std"))]
        strait_engine::Default | strait_engine::Wasmi => AnyService::Wasmi(Service::new(options)?),
        #[cfg(not(feature = "std"))]
        strait_engine::Wasmtime => {
            return Err(strait_error::new(
                strait_error_kind::Unsupported,
                "Wasmtime is not in this build of strait (no_std, wasmi only): use \
                 STRAIT_ENGINE_WASMI, or the std build",
            ));
        }
    };
    Ok(strait_service::new(inner))
}

/// Creates an empty service and writes it to `*service` (the caller's, to free with
/// `strait_service_free`). `options` NULL: the defaults.
///
/// # Safety
///
/// `options` is null or a valid `strait_options`; `service` is null or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_new(
    options: *const strait_options,
    service: *mut *mut strait_service,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or valid for writes (the contract).
        let out = unsafe { ffi::out(service, "service") }?;
        *out = core::ptr::null_mut();
        // SAFETY: null or a valid options struct (the contract).
        let options = unsafe { options.as_ref() }
            .copied()
            .unwrap_or_else(|| strait_options_default());
        let (engine, options) = service_options(&options)?;
        #[cfg(feature = "std")]
        let created = create(engine, options, None)?;
        #[cfg(not(feature = "std"))]
        let created = create(engine, options)?;
        *out = Box::into_raw(Box::new(created));
        Ok(())
    })
}

/// Creates a service from a `Config.toml` (Marine's format) and loads its modules in order,
/// writing it to `*service`. The config's `total_memory_limit` replaces
/// `options.memory_limit`; relative module paths are relative to the config file, relative
/// WASI directories to the process's working directory (as in Marine). `std` build only
/// (`STRAIT_ERROR_KIND_UNSUPPORTED` otherwise).
///
/// # Safety
///
/// `path` is null or a NUL-terminated string; `options` is null or a valid `strait_options`;
/// `service` is null or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_from_config(
    path: *const c_char,
    options: *const strait_options,
    service: *mut *mut strait_service,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or valid for writes (the contract).
        let out = unsafe { ffi::out(service, "service") }?;
        *out = core::ptr::null_mut();
        // SAFETY: null or NUL-terminated (the contract).
        let path = unsafe { ffi::text(path, "path") }?;
        // SAFETY: null or a valid options struct (the contract).
        let options = unsafe { options.as_ref() }
            .copied()
            .unwrap_or_else(|| strait_options_default());
        let (engine, options) = service_options(&options)?;
        #[cfg(feature = "std")]
        {
            let config = strait::config::ServiceConfig::from_file(std::path::Path::new(path))
                .map_err(|e| {
                    strait_error::new(
                        strait_error_kind::Config,
                        alloc::format!("invalid config {path}: {e}"),
                    )
                })?;
            *out = Box::into_raw(Box::new(create(engine, options, Some(&config))?));
            Ok(())
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = (engine, options);
            Err(strait_error::new(
                strait_error_kind::Unsupported,
                alloc::format!(
                    "cannot read {path}: config files need the std build of strait; load \
                     modules from bytes with strait_service_load_module"
                ),
            ))
        }
    })
}

/// Frees `service` and every module in it; `NULL` is ignored. Host functions' `user_data`
/// is released (their `free_user_data` called) once no module uses them.
///
/// # Safety
///
/// `service` is null or a service from this library that has not been freed; it is not used
/// afterwards (nor results that point into it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_free(service: *mut strait_service) {
    if !service.is_null() {
        guard_value((), || {
            // SAFETY: a live service made by `Box::into_raw` here, freed once (the contract).
            drop(unsafe { Box::from_raw(service) });
        });
    }
}

/// The service behind a C pointer.
///
/// # Safety
///
/// `service` is null or a live service not otherwise accessed for `'a`.
pub(crate) unsafe fn service_mut<'a>(
    service: *mut strait_service,
) -> Result<&'a mut strait_service, strait_error> {
    // SAFETY: forwarded contract.
    unsafe { service.as_mut() }.ok_or_else(|| strait_error::invalid("service is NULL"))
}

/// The service behind a C pointer, read only.
///
/// # Safety
///
/// `service` is null or a live service not written for `'a`.
pub(crate) unsafe fn service_ref<'a>(
    service: *const strait_service,
) -> Result<&'a strait_service, strait_error> {
    // SAFETY: forwarded contract.
    unsafe { service.as_ref() }.ok_or_else(|| strait_error::invalid("service is NULL"))
}

/// The name of the service's engine, `"wasmi"` or `"wasmtime"`: a static NUL-terminated
/// string, never freed; `""` for `NULL`.
///
/// # Safety
///
/// `service` is null or a live service.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_engine(service: *const strait_service) -> *const c_char {
    // SAFETY: null or a live service (the contract).
    match unsafe { service.as_ref() }.map(|s| &s.inner) {
        Some(AnyService::Wasmi(_)) => c"wasmi".as_ptr(),
        #[cfg(feature = "std")]
        Some(AnyService::Wasmtime(_)) => c"wasmtime".as_ptr(),
        None => c"".as_ptr(),
    }
}

/// Loads a module from its wasm bytes under `name`, linking its imports against the modules
/// loaded before it and the registered host functions. `settings` NULL: the defaults. The
/// bytes are copied: the caller may free them afterwards. A failed load leaves the service as
/// it was.
///
/// # Safety
///
/// `service` is null or a live service; `name` is null or NUL-terminated; `bytes` is null or
/// points to `len` bytes; `settings` is null or live settings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_load_module(
    service: *mut strait_service,
    name: *const c_char,
    bytes: *const u8,
    len: usize,
    settings: *const strait_module_settings,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or live (the contract).
        let service = unsafe { service_mut(service) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let name = unsafe { ffi::text(name, "name") }?;
        // SAFETY: null or `len` readable bytes (the contract).
        let bytes = unsafe { ffi::bytes(bytes, len, "bytes") }?;
        let defaults;
        // SAFETY: null or live settings (the contract).
        let settings = match unsafe { settings.as_ref() } {
            Some(settings) => &settings.0,
            None => {
                defaults = ModuleSettings::default();
                &defaults
            }
        };
        on_service!(&mut service.inner, |s| s.load_module(name, bytes, settings))?;
        Ok(())
    })
}

/// Unloads module `name`. Modules that import from it keep working (it is dropped when the
/// last of them is).
///
/// # Safety
///
/// `service` is null or a live service; `name` is null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_unload_module(
    service: *mut strait_service,
    name: *const c_char,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or live (the contract).
        let service = unsafe { service_mut(service) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let name = unsafe { ffi::text(name, "name") }?;
        on_service!(&mut service.inner, |s| s.unload_module(name))?;
        Ok(())
    })
}

/// The interface of the service as JSON (Marine's `MarineInterface`: per module, its functions
/// with their argument and result types and the record types they use), written to `*json`:
/// NUL-terminated, the caller's, freed with `strait_string_free`.
///
/// # Safety
///
/// `service` is null or a live service; `json` is null or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_interface_json(
    service: *const strait_service,
    json: *mut *mut c_char,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or valid for writes (the contract).
        let out = unsafe { ffi::out(json, "json") }?;
        *out = core::ptr::null_mut();
        // SAFETY: null or live (the contract).
        let service = unsafe { service_ref(service) }?;
        let interface = on_service!(&service.inner, |s| s.interface());
        let text = serde_json::to_string(&interface).map_err(|e| {
            strait_error::new(
                strait_error_kind::JsonResult,
                alloc::format!("cannot write the interface as JSON: {e}"),
            )
        })?;
        *out = ffi::c_string(text)?.into_raw();
        Ok(())
    })
}

/// Frees a string this library returned (`strait_service_interface_json`,
/// `strait_service_call_json_owned`); `NULL` is ignored.
///
/// # Safety
///
/// `string` is null or a string from those functions that has not been freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_string_free(string: *mut c_char) {
    if !string.is_null() {
        // SAFETY: made by `CString::into_raw` in this library, freed once (the contract).
        drop(unsafe { alloc::ffi::CString::from_raw(string) });
    }
}

/// A service's memory, from `strait_service_memory_stats`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct strait_memory_stats {
    /// The linear memory of every loaded module together, in bytes.
    pub total_bytes: u64,
    /// How many modules are loaded.
    pub modules: usize,
    /// How many memory growths the memory budget refused during the last call.
    pub allocation_rejects: usize,
}

/// Writes the service's memory statistics to `*stats`.
///
/// # Safety
///
/// `service` is null or a live service; `stats` is null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_memory_stats(
    service: *const strait_service,
    stats: *mut strait_memory_stats,
) -> *mut strait_error {
    guard(|| {
        // SAFETY: null or valid for writes (the contract).
        let out = unsafe { ffi::out(stats, "stats") }?;
        // SAFETY: null or live (the contract).
        let service = unsafe { service_ref(service) }?;
        let memory = on_service!(&service.inner, |s| s.memory_stats());
        *out = strait_memory_stats {
            total_bytes: memory.modules.iter().map(|(_, bytes)| *bytes as u64).sum(),
            modules: memory.modules.len(),
            allocation_rejects: memory.allocation_rejects,
        };
        Ok(())
    })
}

/// Writes the size of module `module`'s linear memory, in bytes, to `*bytes`.
///
/// # Safety
///
/// `service` is null or a live service; `module` is null or NUL-terminated; `bytes` is null
/// or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strait_service_module_memory(
    service: *const strait_service,
    module: *const c_char,
    bytes: *mut u64,
) -> *mut strait_error {
    guard(|| -> Outcome {
        // SAFETY: null or valid for writes (the contract).
        let out = unsafe { ffi::out(bytes, "bytes") }?;
        // SAFETY: null or live (the contract).
        let service = unsafe { service_ref(service) }?;
        // SAFETY: null or NUL-terminated (the contract).
        let module = unsafe { ffi::text(module, "module") }?;
        let memory = on_service!(&service.inner, |s| s.memory_stats());
        let size = memory
            .modules
            .iter()
            .find(|(name, _)| name == module)
            .map(|(_, size)| *size as u64)
            .ok_or_else(|| {
                strait_error::new(
                    strait_error_kind::NoSuchModule,
                    alloc::format!("module with name \"{module}\" is missing"),
                )
            })?;
        *out = size;
        Ok(())
    })
}
