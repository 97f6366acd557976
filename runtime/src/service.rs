//! [`Service`]: load, link and call the modules of a Marine-compatible service.

use crate::call_parameters::{CallParameters, HostApiVersion};
use crate::error::{Error, ErrorKind};
use crate::host_imports::{self, HostFunction};
use crate::instance::{
    CallLimits, INLINE_VALUES, ImportRunner, ImportTarget, Instance, Linked, ModuleHost, Slot,
    backend_to_host, to_ivalue, to_wvalue,
};
use crate::module_cache::ModuleCache;
use crate::spares::Spares;
use alloc::borrow::{Cow, ToOwned};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use arrayvec::ArrayVec;
use core::sync::atomic::{AtomicBool, Ordering};
use strait_backend::{
    AsContextMut, Backend, EngineConfig, ExternDesc, HostFunc, MemoryBudget, StoreConfig,
    TypedFunc, WType,
};
use strait_it::adapter::{
    ALLOCATE_SLOT, CompiledExport, CompiledImport, CoreExports, CoreSignature, CoreType,
    ImportImages, Interpreter, Limits,
};
use strait_it::memory::HostError;
use strait_it::memory::RecordTable;
use strait_it::module::ModuleSections;
use strait_it::{IType, IValue, Section};

/// The oldest marine-rs-sdk and IT versions strait runs (`spec/abi.md` §14).
const MIN_SDK_VERSION: (u64, u64, u64) = (0, 6, 0);
const MIN_IT_VERSION: (u64, u64, u64) = (0, 20, 0);

/// The epoch tick of wall-clock deadlines (what Marine's REPL uses).
const DEADLINE_TICK: core::time::Duration = core::time::Duration::from_millis(10);

/// Service-wide settings.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// The memory budget of the whole service, in bytes (memories and tables); `None` is
    /// unlimited (`spec/service.md` §8).
    pub total_memory_limit: Option<u64>,
    /// Fuel given to each module's store whenever one of its exported functions is entered;
    /// `None` disables metering (faster).
    pub fuel_per_call: Option<u64>,
    /// Wall-clock time each module's store gets whenever one of its exported functions is
    /// entered (Wasmtime epochs, ticking every 10 ms); `None` is unbounded. wasmi has no
    /// deadlines: [`Service::new`] refuses this option there (bound calls with fuel).
    pub deadline_per_call: Option<core::time::Duration>,
    /// Bound on the bytes one adapter run may lift (D24).
    pub max_lifted_bytes: u64,
    /// The engine configuration (fuel metering is switched on when `fuel_per_call` is set):
    /// among others Wasmtime's compiler and its compiled-module cache, by default on for
    /// services loaded from files ([`Service::from_config`]).
    pub engine: EngineConfig,
    /// The directory relative WASI mapped directories resolve against; `None` is the
    /// process's working directory, as in Marine (D61).
    #[cfg(feature = "std")]
    pub working_dir: Option<std::path::PathBuf>,
    /// How many compiled modules the service keeps after they are unloaded, by their bytes:
    /// loading one again skips compiling it (on wasmi it also keeps the engine's code map,
    /// which never shrinks, from growing). 0 keeps none.
    pub module_cache: usize,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        Self {
            total_memory_limit: None,
            fuel_per_call: None,
            deadline_per_call: None,
            max_lifted_bytes: strait_it::memory::DEFAULT_MAX_LIFTED_BYTES,
            engine: EngineConfig::default(),
            #[cfg(feature = "std")]
            working_dir: None,
            module_cache: crate::module_cache::DEFAULT_MODULE_CACHE,
        }
    }
}

pub use crate::settings::ModuleSettings;

/// One module for [`Service::load_modules`].
#[derive(Debug, Clone, Copy)]
pub struct ModuleSource<'a> {
    /// The name other modules import it under.
    pub name: &'a str,
    /// Its wasm bytes (or, with `std`, WAT text).
    pub bytes: &'a [u8],
    /// How it is loaded.
    pub settings: &'a ModuleSettings,
    /// Where it comes from (a file name), for messages.
    pub origin: Option<&'a str>,
}

/// What [`Service::load_modules`] reports as it goes: a progress display or per-module load
/// times hook in here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadEvent<'a> {
    /// The module is about to be compiled, linked and instantiated.
    Loading(&'a str),
    /// The module is loaded.
    Loaded(&'a str),
}

/// A service: modules loaded in order into one engine, each in its own store, sharing one
/// memory budget. Calls are synchronous.
///
/// # Threads
///
/// `Service<B>` is `Send` and `Sync` on every engine (checked at compile time): move a
/// service to the thread that uses it, or run many services on many threads at once.
/// Calls take `&mut self` — a call runs the service's modules, which are not re-entrant —
/// so threads that share one service put it behind a mutex. Services can share one engine
/// (its compiled code, Wasmtime's compilation threads) through [`Service::with_engine`].
pub struct Service<B: Backend> {
    engine: B,
    budget: Arc<MemoryBudget>,
    modules: BTreeMap<String, Arc<Instance<B>>>,
    call_parameters: Arc<spin::Mutex<CallParameters>>,
    /// Whether `call_parameters` hold the defaults: a call without parameters after another
    /// one then takes no lock at all. Only calls (`&mut self`) change it.
    default_parameters: AtomicBool,
    host_functions: Vec<(String, String, HostFunction)>,
    module_cache: ModuleCache<B>,
    spares: Arc<spin::Mutex<Spares>>,
    options: ServiceOptions,
    #[cfg(feature = "std")]
    wasi: BTreeMap<String, ModuleWasi>,
    /// The function the last call by name resolved: calls tend to repeat one function, and
    /// comparing two names costs less than the module map and the export scan.
    last_call: Option<Resolved<B>>,
}

/// A function resolved from its module's and its own name.
struct Resolved<B: Backend> {
    module: String,
    function: String,
    instance: Arc<Instance<B>>,
    export: usize,
}

/// The WASI environment a loaded module got (see [`Service::module_wasi`]).
#[cfg(feature = "std")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleWasi {
    /// Its environment variables, sorted by name: the configured `envs`, one per mapped
    /// directory (D58), and `WASM_LOG` when the host's `WASM_LOG` sets it (`spec/abi.md` §12).
    pub envs: Vec<(String, String)>,
    /// Its mapped directories: guest alias and host directory, resolved against the
    /// working directory.
    pub mapped_dirs: Vec<(String, std::path::PathBuf)>,
}

// A service moves between threads on every engine (it owns its stores; the engine is a
// shared handle); calls take `&mut self`, so threads share one service behind a mutex.
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    #[allow(dead_code)]
    fn every_engine<B: Backend>() {
        send_and_sync::<Service<B>>();
    }
};

impl<B: Backend> core::fmt::Debug for Service<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Service")
            .field("engine", &B::NAME)
            .field("modules", &self.modules.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Wasm exports of the module being loaded, for the adapter compiler.
struct WasmExports<'a>(&'a strait_backend::ModuleInfo);

impl CoreExports for WasmExports<'_> {
    fn signature(&self, name: &str) -> Option<CoreSignature> {
        let ExternDesc::Func(sig) = &self.0.export(name)?.ty else {
            return None;
        };
        let core = |ty: &WType| match ty {
            WType::I32 => Some(CoreType::I32),
            WType::I64 => Some(CoreType::I64),
            WType::F32 => Some(CoreType::F32),
            WType::F64 => Some(CoreType::F64),
            _ => None,
        };
        Some(CoreSignature::new(
            sig.params().iter().map(core).collect::<Option<Vec<_>>>()?,
            sig.results().iter().map(core).collect::<Option<Vec<_>>>()?,
        ))
    }
}

/// Which records of `import` may cross as images into and out of `export`: a record
/// parameter its export adapter only lowers, a record result its adapter lifts last, each of
/// the same layout on both sides.
fn record_images(
    import: &CompiledImport,
    ours: &RecordTable,
    export: &CompiledExport,
    theirs: &RecordTable,
) -> ImportImages {
    let fits = |mine: &IType, other: &IType| match (mine, other) {
        (IType::Record(mine), IType::Record(other)) => ours
            .get(*mine)
            .zip(theirs.get(*other))
            .is_some_and(|(mine, other)| strait_it::memory::image_fits(mine, other)),
        _ => false,
    };
    let arg = match (import.ty.params.as_slice(), export.ty.params.as_slice()) {
        ([mine], [other]) => fits(&mine.ty, &other.ty),
        _ => false,
    };
    let result = match (import.ty.results.as_slice(), export.ty.results.as_slice()) {
        ([mine], [other]) => fits(mine, other),
        _ => false,
    };
    ImportImages {
        arg: arg && export.program.takes_record_image(),
        result: result && export.program.gives_record_image(),
    }
}

fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let version = semver::Version::parse(text.trim()).ok()?;
    Some((version.major, version.minor, version.patch))
}

impl<B: Backend> Service<B> {
    /// An empty service.
    pub fn new(mut options: ServiceOptions) -> Result<Self, Error> {
        if options.fuel_per_call.is_some() {
            options.engine.fuel = true;
        }
        if options.deadline_per_call.is_some() && options.engine.deadline_tick.is_none() {
            options.engine.deadline_tick = Some(DEADLINE_TICK);
        }
        let engine = B::new(&options.engine)
            .map_err(|e| Error::with_source(ErrorKind::Engine, "cannot create the engine", e))?;
        Self::with_engine(engine, options)
    }

    /// An empty service on `engine`, an engine shared with other services: an engine is a
    /// cheap handle (clone it), and services on one engine share its compiled code and, on
    /// Wasmtime, its compilation threads. Each service keeps its own stores, memory budget
    /// and call parameters, so services on one engine run on different threads at once.
    ///
    /// The engine must have what `options` need: fuel metering for `fuel_per_call`, a
    /// deadline tick for `deadline_per_call` (see [`EngineConfig`]); `options.engine` is
    /// replaced by the engine's own configuration.
    ///
    /// ```
    /// use strait::{Backend, DefaultBackend, EngineConfig, Service, ServiceOptions};
    ///
    /// let engine = DefaultBackend::new(&EngineConfig::default()).unwrap();
    /// let a = Service::with_engine(engine.clone(), ServiceOptions::default()).unwrap();
    /// let b = Service::with_engine(engine, ServiceOptions::default()).unwrap();
    /// std::thread::spawn(move || drop(a)).join().unwrap();
    /// drop(b);
    /// ```
    pub fn with_engine(engine: B, mut options: ServiceOptions) -> Result<Self, Error> {
        if options.fuel_per_call.is_some() && !engine.config().fuel {
            return Err(Error::new(
                ErrorKind::Config,
                "fuel_per_call needs an engine with fuel metering: create it with EngineConfig::fuel on",
            ));
        }
        if options.deadline_per_call.is_some() && engine.config().deadline_tick.is_none() {
            return Err(Error::new(
                ErrorKind::Config,
                "deadline_per_call needs an engine with a deadline tick: create it with EngineConfig::deadline_tick set",
            ));
        }
        options.engine = engine.config().clone();
        if let Some(deadline) = options.deadline_per_call {
            // Refuse an engine without deadlines now rather than on every call.
            let mut probe = engine
                .new_store(StoreConfig::default())
                .map_err(|e| Error::with_source(ErrorKind::Engine, "cannot create a store", e))?;
            probe.set_deadline(Some(deadline)).map_err(|e| {
                Error::with_source(
                    ErrorKind::Config,
                    alloc::format!("deadline_per_call is not available on {}", B::NAME),
                    e,
                )
            })?;
        }
        let limit = options
            .total_memory_limit
            .map(|limit| usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(Self {
            engine,
            budget: Arc::new(MemoryBudget::new(limit)),
            modules: BTreeMap::new(),
            call_parameters: Arc::new(spin::Mutex::new(CallParameters::default())),
            default_parameters: AtomicBool::new(true),
            host_functions: Vec::new(),
            module_cache: ModuleCache::new(options.module_cache),
            spares: Arc::default(),
            options,
            #[cfg(feature = "std")]
            wasi: BTreeMap::new(),
            last_call: None,
        })
    }

    /// The engine's name (`wasmtime`, `wasmi`).
    pub fn engine_name(&self) -> &'static str {
        B::NAME
    }

    /// The service's engine: its configuration, or a handle for more services on it
    /// ([`Service::with_engine`]).
    pub fn engine(&self) -> &B {
        &self.engine
    }

    /// Registers an IT-typed host function under `namespace::name` for modules loaded from
    /// now on. Any namespace may be used, including the host-API ones (`host`,
    /// `__marine_host_api_v1..v3`), where it replaces a built-in of the same name.
    pub fn register_host_function(
        &mut self,
        namespace: impl Into<String>,
        name: impl Into<String>,
        function: HostFunction,
    ) {
        let (namespace, name) = (namespace.into(), name.into());
        self.host_functions
            .retain(|(ns, n, _)| *ns != namespace || *n != name);
        self.host_functions.push((namespace, name, function));
    }

    /// Loads a module from its wasm bytes (or, with `std`, WAT text with inline
    /// `(@interface …)` annotations) under `name`, linking its imports against the modules
    /// loaded before it (`spec/service.md` §3).
    pub fn load_module(
        &mut self,
        name: &str,
        bytes: &[u8],
        settings: &ModuleSettings,
    ) -> Result<(), Error> {
        self.budget.reset_rejects();
        self.load_inner(name, bytes, settings)
            .map_err(|error| self.suspect_oom(error))
    }

    /// Loads `modules` in order, as a config lists them, reporting each to `on_event`. A
    /// module that imports from one not loaded yet is reported as a cycle (naming it) when the
    /// two import from each other, and as a wrong order when the other comes later in the list.
    /// Modules loaded before a failure stay loaded.
    pub fn load_modules(
        &mut self,
        modules: &[ModuleSource<'_>],
        mut on_event: impl FnMut(LoadEvent<'_>),
    ) -> Result<(), Error> {
        for (index, module) in modules.iter().enumerate() {
            on_event(LoadEvent::Loading(module.name));
            self.load_module(module.name, module.bytes, module.settings)
                .map_err(|error| {
                    let later = modules.get(index + 1..).unwrap_or_default();
                    let error = match error.missing_import() {
                        Some(missing) if missing != module.name => {
                            self.order_error(module.name, missing, later)
                        }
                        _ => error,
                    };
                    match module.origin {
                        Some(origin) => error.in_file(module.name, origin),
                        None => error,
                    }
                })?;
            on_event(LoadEvent::Loaded(module.name));
        }
        Ok(())
    }

    /// Why module `name` cannot import from `missing`: a cycle through the `later` modules,
    /// `missing` listed after it, or no such module at all.
    fn order_error(&self, name: &str, missing: &str, later: &[ModuleSource<'_>]) -> Error {
        let Some(position) = later.iter().position(|m| m.name == missing) else {
            let known = self
                .module_names()
                .chain(later.iter().map(|m| m.name))
                .collect::<Vec<_>>();
            return Error::new(
                ErrorKind::Link,
                alloc::format!(
                    "cannot load module \"{name}\": module with name '{missing}' isn't loaded \
                     and no module of that name is listed{}",
                    crate::nearest::available(missing, "modules", known.iter().copied())
                ),
            );
        };
        // Depth-first from `missing` through the later modules' imports, back to `name`.
        let imports = |module: &ModuleSource<'_>| imported_modules(module.name, module.bytes);
        let mut path: Vec<(usize, Vec<String>)> =
            alloc::vec![(position, imports(&later[position]))];
        let mut visited = alloc::collections::BTreeSet::from([position]);
        let mut cycle = None;
        while let Some((_, pending)) = path.last_mut() {
            let Some(next) = pending.pop() else {
                path.pop();
                continue;
            };
            if next == name {
                cycle = Some(path.iter().map(|(i, _)| later[*i].name).collect::<Vec<_>>());
                break;
            }
            if let Some(i) = later.iter().position(|m| m.name == next)
                && visited.insert(i)
            {
                path.push((i, imports(&later[i])));
            }
        }
        match cycle {
            Some(members) => Error::new(
                ErrorKind::Link,
                alloc::format!(
                    "cannot load module \"{name}\": its imports form a cycle ({name} -> {} -> \
                     {name}); a module can import only from modules loaded before it, so modules \
                     that import from each other cannot be loaded",
                    members.join(" -> ")
                ),
            ),
            None => Error::new(
                ErrorKind::Link,
                alloc::format!(
                    "cannot load module \"{name}\": it imports from module '{missing}', which \
                     is listed after it; load \"{missing}\" first (move its [[module]] entry \
                     above \"{name}\")"
                ),
            ),
        }
    }

    fn suspect_oom(&self, error: Error) -> Error {
        match self.budget.rejects() {
            0 => error,
            rejects => error.suspect_oom(rejects),
        }
    }

    fn load_inner(
        &mut self,
        name: &str,
        bytes: &[u8],
        settings: &ModuleSettings,
    ) -> Result<(), Error> {
        if self.modules.contains_key(name) {
            return Err(Error::new(
                ErrorKind::DuplicateModule,
                alloc::format!("module with name \"{name}\" is already loaded"),
            ));
        }
        let (wasm, section) = read_module(name, bytes)?;
        let module = self
            .module_cache
            .compile(&self.engine, &wasm)
            .map_err(|e| Error::backend_load(name, e))?;
        let info = module.info();
        if !matches!(
            info.export("memory").map(|e| &e.ty),
            Some(ExternDesc::Memory { .. })
        ) {
            return Err(Error::load(
                name,
                "the module does not export a memory named `memory` (D37)",
            ));
        }
        let compiled = strait_it::adapter::compile(&section, &WasmExports(info))
            .map_err(|e| Error::compile(name, e))?;
        let imports = self.link_imports(name, &compiled)?;
        let linked = Arc::new(Linked {
            name: name.to_owned(),
            compiled,
            types: section.types,
            core_funcs: spin::Once::new(),
            allocate: spin::Once::new(),
            imports,
            limits: CallLimits {
                fuel: self.options.fuel_per_call,
                deadline: self.options.deadline_per_call,
                run: Limits {
                    max_lifted_bytes: self.options.max_lifted_bytes,
                },
            },
            import_interpreter: spin::Mutex::new(ImportRunner {
                interpreter: Interpreter::with_limits(Limits {
                    max_lifted_bytes: self.options.max_lifted_bytes,
                }),
                results: Vec::new(),
            }),
            spares: Arc::clone(&self.spares),
        });
        let host_funcs = self.host_funcs(&linked, info, settings)?;
        #[cfg(feature = "std")]
        let (store_config, wasi) = self.store_config(name, settings)?;
        #[cfg(not(feature = "std"))]
        let store_config = self.store_config(name, settings)?;
        let mut store = self
            .engine
            .new_store(store_config)
            .map_err(|e| Error::backend_load(name, e))?;
        store
            .instantiate(&module, &host_funcs)
            .map_err(|e| Error::backend_load(name, e))?;
        let funcs = linked
            .compiled
            .core_exports()
            .iter()
            .map(|export| store.func(&export.name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::backend_load(name, e))?;
        // `allocate` holds its slot in every module the compiler accepts with lowering in it.
        let slot = ALLOCATE_SLOT as usize;
        let allocate = linked
            .compiled
            .core_exports()
            .get(slot)
            .filter(|export| export.name == "allocate")
            .and(funcs.get(slot))
            .and_then(|func| TypedFunc::new(&mut store, func).ok());
        linked.allocate.call_once(|| allocate);
        linked.core_funcs.call_once(|| funcs);
        for start in ["_initialize", "_start"] {
            if let Some(ExternDesc::Func(sig)) = info.export(start).map(|e| &e.ty) {
                if !sig.params().is_empty() || !sig.results().is_empty() {
                    continue;
                }
                let func = store
                    .func(start)
                    .map_err(|e| Error::backend_load(name, e))?;
                store.call(&func, &[], &mut []).map_err(|e| {
                    Error::with_source(
                        ErrorKind::Trap,
                        alloc::format!("cannot load module \"{name}\": `{start}` failed"),
                        backend_to_host(e),
                    )
                })?;
            }
        }
        let interpreter = Interpreter::with_limits(linked.limits.run);
        let instance = Instance {
            linked,
            slot: spin::Mutex::new(Slot { store, interpreter }),
        };
        self.modules.insert(name.to_owned(), Arc::new(instance));
        self.last_call = None;
        #[cfg(feature = "std")]
        self.wasi.insert(name.to_owned(), wasi);
        Ok(())
    }

    /// Resolves every adapted import against the loaded modules (D59: also imports the wasm
    /// code no longer uses) and checks signatures structurally (D29).
    fn link_imports(
        &self,
        name: &str,
        compiled: &strait_it::adapter::CompiledModule,
    ) -> Result<Vec<ImportTarget<B>>, Error> {
        compiled
            .imports()
            .iter()
            .map(|import| {
                let exporter = self
                    .modules
                    .get(&import.namespace)
                    .ok_or_else(|| Error::unloaded_import(name, &import.namespace))?;
                let exports = exporter.linked.compiled.exports();
                let export = exports.iter().position(|e| e.name == import.name).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Link,
                        alloc::format!(
                            "cannot load module \"{name}\": module \"{}\" has no function `{}` to import",
                            import.namespace, import.name
                        ),
                    )
                })?;
                let theirs = &exports[export].ty;
                let compatible = strait_it::compat::functions_compatible(
                    &import.ty,
                    compiled.records(),
                    theirs,
                    exporter.linked.compiled.records(),
                );
                if !compatible {
                    return Err(Error::new(
                        ErrorKind::Link,
                        alloc::format!(
                            "cannot load module \"{name}\": it imports `{}` from module \"{}\" with \
                             a signature that does not match the export: {} imports {:?}, {} exports {:?}",
                            import.name, import.namespace, name, import.ty, import.namespace, theirs
                        ),
                    ));
                }
                let images = record_images(
                    import,
                    compiled.records(),
                    &exports[export],
                    exporter.linked.compiled.records(),
                );
                Ok(ImportTarget {
                    module: Arc::clone(exporter),
                    export,
                    images,
                })
            })
            .collect()
    }

    /// The host functions for every import of the module that is not WASI.
    fn host_funcs(
        &self,
        linked: &Arc<Linked<B>>,
        info: &strait_backend::ModuleInfo,
        settings: &ModuleSettings,
    ) -> Result<Vec<HostFunc<B>>, Error> {
        let mut funcs = Vec::new();
        let module_name: Arc<str> = Arc::from(linked.name.as_str());
        for import in info.imports() {
            let (ns, fname) = (import.namespace.as_str(), import.name.as_str());
            if funcs
                .iter()
                .any(|f: &HostFunc<B>| f.namespace() == ns && f.name() == fname)
            {
                continue;
            }
            if let Some(slot) = linked
                .compiled
                .imports()
                .iter()
                .position(|i| i.namespace == ns && i.name == fname)
            {
                funcs.push(import_adapter_func(Arc::clone(linked), slot));
                continue;
            }
            if let Some((_, _, function)) = self
                .host_functions
                .iter()
                .find(|(n, f, _)| n == ns && f == fname)
            {
                funcs.push(host_imports::it_host_func(
                    Arc::clone(linked),
                    ns,
                    fname,
                    function.clone(),
                    self.options.max_lifted_bytes,
                ));
                continue;
            }
            // An engine without WASI (wasmi without `std`) gets the bare WASI every Marine
            // module needs to start (`bare_wasi`); engines with WASI provide it themselves.
            if !B::WASI && ns == crate::bare_wasi::NAMESPACE {
                if let ExternDesc::Func(sig) = &import.ty
                    && let Some(func) =
                        crate::bare_wasi::host_func::<B>(fname, sig, &module_name, &settings.envs)
                {
                    funcs.push(func);
                }
                continue;
            }
            let Some(version) = HostApiVersion::from_namespace(ns) else {
                continue;
            };
            match fname {
                "log_utf8_string" if settings.logger_enabled => {
                    funcs.push(host_imports::logger(
                        ns,
                        Arc::clone(&module_name),
                        settings.logging_mask,
                    ));
                }
                "get_call_parameters" => {
                    let function = host_imports::call_parameters_function(
                        version,
                        Arc::clone(&self.call_parameters),
                    )?;
                    funcs.push(host_imports::it_host_func(
                        Arc::clone(linked),
                        ns,
                        fname,
                        function,
                        self.options.max_lifted_bytes,
                    ));
                }
                _ => {
                    #[cfg(feature = "std")]
                    if let Some((_, path)) =
                        settings.mounted_binaries.iter().find(|(n, _)| n == fname)
                    {
                        let function = host_imports::mounted_binary(path.clone())?;
                        funcs.push(host_imports::it_host_func(
                            Arc::clone(linked),
                            ns,
                            fname,
                            function,
                            self.options.max_lifted_bytes,
                        ));
                    }
                }
            }
        }
        Ok(funcs)
    }

    /// The store configuration of a module, and the WASI environment it gives the module.
    #[cfg(feature = "std")]
    fn store_config(
        &self,
        name: &str,
        settings: &ModuleSettings,
    ) -> Result<(StoreConfig, ModuleWasi), Error> {
        use strait_backend::WasiConfig;
        let mut wasi = WasiConfig::new();
        let mut mapped_dirs = Vec::with_capacity(settings.mapped_dirs.len());
        let mut envs = settings.envs.clone();
        let base = match &self.options.working_dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir()
                .map_err(|e| Error::with_source(ErrorKind::Io, "no working directory", e))?,
        };
        for (alias, host) in &settings.mapped_dirs {
            let host = if host.is_absolute() {
                host.clone()
            } else {
                base.join(host)
            };
            // Each mapped directory is also an env var (D58).
            envs.push((alias.clone(), host.display().to_string()));
            mapped_dirs.push((alias.clone(), host.clone()));
            wasi = wasi.with_mapped_dir(alias.clone(), host);
        }
        if let Some(level) = wasm_log_override(name) {
            envs.retain(|(k, _)| k != "WASM_LOG");
            envs.push(("WASM_LOG".to_owned(), level));
        }
        for (key, value) in &envs {
            wasi = wasi.with_env(key.clone(), value.clone());
        }
        envs.sort();
        let config = StoreConfig::default()
            .with_budget(Some(Arc::clone(&self.budget)))
            .with_wasi(Some(wasi));
        Ok((config, ModuleWasi { envs, mapped_dirs }))
    }

    #[cfg(not(feature = "std"))]
    fn store_config(&self, _name: &str, _settings: &ModuleSettings) -> Result<StoreConfig, Error> {
        Ok(StoreConfig::default().with_budget(Some(Arc::clone(&self.budget))))
    }

    /// The WASI environment module `name` was loaded with: its environment variables and
    /// mapped directories as the module sees them (what a REPL's `envs` and `fs` show).
    #[cfg(feature = "std")]
    pub fn module_wasi(&self, name: &str) -> Result<&ModuleWasi, Error> {
        self.wasi
            .get(name)
            .ok_or_else(|| Error::no_such_module(name, self.module_names()))
    }

    /// Removes a module: later calls by name fail; modules that import from it keep working,
    /// and it is dropped (its memory returned to the budget) once none of them is left.
    pub fn unload_module(&mut self, name: &str) -> Result<(), Error> {
        #[cfg(feature = "std")]
        self.wasi.remove(name);
        self.last_call = None;
        self.modules
            .remove(name)
            .map(drop)
            .ok_or_else(|| Error::no_such_module(name, self.module_names()))
    }

    /// How many compiled modules the service keeps for loading them again
    /// ([`ServiceOptions::module_cache`]).
    pub fn cached_modules(&self) -> usize {
        self.module_cache.len()
    }

    /// Drops the compiled modules kept for loading them again; loaded modules stay loaded.
    pub fn clear_module_cache(&mut self) {
        self.module_cache.clear();
    }

    /// The names of the loaded modules, sorted.
    pub fn module_names(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }

    /// Calls `module.function` with IT values and default call parameters.
    pub fn call(
        &mut self,
        module: &str,
        function: &str,
        args: &[IValue],
    ) -> Result<Vec<IValue>, Error> {
        self.begin_call_default();
        self.call_by_name(module, function, args)
    }

    /// [`call`](Self::call), appending the results to `results` instead of returning a new
    /// vector: a caller making many calls keeps one vector and the call allocates only the
    /// values it returns (as wasmtime's `Func::call` writes into a results slice). On an
    /// error `results` is left as it was.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), strait::Error> {
    /// use strait::{DefaultBackend, IValue, ModuleSettings, Service, ServiceOptions};
    ///
    /// let mut service = Service::<DefaultBackend>::new(ServiceOptions::default())?;
    /// let wasm = std::fs::read("greeting.wasm").expect("the module");
    /// service.load_module("greeting", &wasm, &ModuleSettings::default())?;
    /// let mut results = Vec::new();
    /// for name in ["Alice", "Bob"] {
    ///     results.clear();
    ///     service.call_into("greeting", "greeting", &[IValue::String(name.into())], &mut results)?;
    ///     println!("{results:?}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn call_into(
        &mut self,
        module: &str,
        function: &str,
        args: &[IValue],
        results: &mut Vec<IValue>,
    ) -> Result<(), Error> {
        self.begin_call_default();
        let function = self.resolve(module, function)?;
        let before = results.len();
        let outcome = function
            .instance
            .call_export_into(function.export, args, None, results);
        outcome.map_err(|error| {
            results.truncate(before);
            self.suspect_oom(error)
        })
    }

    /// Calls `module.function` with IT values; `call_parameters` are visible to every module
    /// the call reaches, and only during this call.
    pub fn call_with_parameters(
        &mut self,
        module: &str,
        function: &str,
        args: &[IValue],
        call_parameters: CallParameters,
    ) -> Result<Vec<IValue>, Error> {
        self.begin_call(call_parameters);
        self.call_by_name(module, function, args)
    }

    /// Calls `module.function` with JSON arguments and returns the JSON result, with
    /// Marine's conversion rules (`spec/service.md` §6).
    pub fn call_json(
        &mut self,
        module: &str,
        function: &str,
        args: &serde_json::Value,
        call_parameters: CallParameters,
    ) -> Result<serde_json::Value, Error> {
        let JsonCall {
            instance,
            export,
            results,
            ..
        } = self.call_with_json(module, function, Cow::Borrowed(args), call_parameters)?;
        let (types, result_types) = json_types(&instance, export);
        results_to_json(module, function, types, result_types, results?)
    }

    /// [`call_json`](Self::call_json) for arguments given by value: their strings move into
    /// the call instead of being copied, and once it is done their buffers are kept for the
    /// strings later calls lift.
    pub fn call_json_owned(
        &mut self,
        module: &str,
        function: &str,
        args: serde_json::Value,
        call_parameters: CallParameters,
    ) -> Result<serde_json::Value, Error> {
        let JsonCall {
            instance,
            export,
            args,
            results,
        } = self.call_with_json(module, function, Cow::Owned(args), call_parameters)?;
        self.spares.lock().keep_ivalues(args);
        let (types, result_types) = json_types(&instance, export);
        results_to_json(module, function, types, result_types, results?)
    }

    /// [`call_json_owned`](Self::call_json_owned) writing the result as JSON text: appends to
    /// `out` exactly what [`json::write_compact`](crate::json::write_compact) writes for
    /// `call_json`'s result, straight from the lifted values (no JSON value is built), then
    /// keeps the buffers of the arguments and of the results. Nothing is appended on an error.
    ///
    /// With [`parse_json`](Self::parse_json), a protocol that reads and writes JSON text (such
    /// as `strait batch`) moves large strings from call to call through the same few buffers,
    /// with no fresh allocation per call:
    ///
    /// ```
    /// use strait::{CallParameters, Service, ServiceOptions};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = std::path::Path::new("../examples/greeting/Config.toml");
    /// let mut service = Service::<strait::DefaultBackend>::from_config_file(config, ServiceOptions::default())?;
    /// let mut reply = String::new();
    /// for line in [r#"["World"]"#, r#"{"name": "again"}"#] {
    ///     let args = service.parse_json(line)?;
    ///     reply.clear();
    ///     service.call_json_text("greeting", "greeting", args, CallParameters::default(), &mut reply)?;
    ///     println!("{reply}");
    /// }
    /// assert_eq!(reply, r#""Hi, again""#);
    /// # Ok(()) }
    /// ```
    pub fn call_json_text(
        &mut self,
        module: &str,
        function: &str,
        args: serde_json::Value,
        call_parameters: CallParameters,
        out: &mut String,
    ) -> Result<(), Error> {
        let JsonCall {
            instance,
            export,
            args,
            results,
        } = self.call_with_json(module, function, Cow::Owned(args), call_parameters)?;
        let mut spares = self.spares.lock();
        spares.keep_ivalues(args);
        let results = results?;
        let (types, result_types) = json_types(&instance, export);
        let written = crate::json::write_results(&results, result_types, &types, out);
        spares.keep_ivalues(results);
        written.map_err(|e| result_error(module, function, e))
    }

    /// The call of `module.function` the JSON calls share: its arguments converted from
    /// `args` (copied when borrowed, their strings moved when owned), then the call.
    fn call_with_json(
        &mut self,
        module: &str,
        function: &str,
        args: Cow<'_, serde_json::Value>,
        call_parameters: CallParameters,
    ) -> Result<JsonCall<B>, Error> {
        let resolved = self.resolve(module, function)?;
        let (instance, export) = (Arc::clone(&resolved.instance), resolved.export);
        let ty = &instance.linked.compiled.exports()[export].ty;
        let values = crate::json::json_cow_to_args(args, &ty.params, &instance.linked.types)
            .map_err(|e| Error::new(ErrorKind::JsonArguments, e.in_call(module, function)))?;
        self.begin_call(call_parameters);
        let results = instance
            .call_export(export, &values)
            .map_err(|error| self.suspect_oom(error));
        Ok(JsonCall {
            instance,
            export,
            args: values,
            results,
        })
    }

    /// Parses JSON text as [`json::parse`](crate::json::parse) does, with long strings in
    /// buffers the service kept from earlier calls, if it has them: for
    /// [`call_json_text`](Self::call_json_text) and [`call_json_owned`](Self::call_json_owned).
    pub fn parse_json(&self, text: &str) -> Result<serde_json::Value, crate::json::JsonTextError> {
        self.spares.lock().parse_json(text)
    }

    /// Starts a call with `call_parameters`.
    fn begin_call(&self, call_parameters: CallParameters) {
        // D33: only refusals during this call make an error look like an out-of-memory.
        self.budget.reset_rejects();
        *self.call_parameters.lock() = call_parameters;
        self.default_parameters.store(false, Ordering::Relaxed);
    }

    /// Starts a call with the default parameters, set in place (no 300-byte value built,
    /// moved and dropped), and only if the last call had others.
    fn begin_call_default(&self) {
        self.budget.reset_rejects();
        if !self.default_parameters.load(Ordering::Relaxed) {
            self.call_parameters.lock().reset();
            self.default_parameters.store(true, Ordering::Relaxed);
        }
    }

    /// Runs `module.function` with `args` once the call has begun: [`call`](Self::call) and
    /// [`call_with_parameters`](Self::call_with_parameters).
    fn call_by_name(
        &mut self,
        module: &str,
        function: &str,
        args: &[IValue],
    ) -> Result<Vec<IValue>, Error> {
        let function = self.resolve(module, function)?;
        let outcome = function.instance.call_export(function.export, args);
        outcome.map_err(|error| self.suspect_oom(error))
    }

    /// [`find`](Self::find), remembered: the same names as the last call's skip the lookup.
    #[inline]
    fn resolve(&mut self, module: &str, function: &str) -> Result<&Resolved<B>, Error> {
        let hit = self
            .last_call
            .as_ref()
            .is_some_and(|last| last.module == module && last.function == function);
        if !hit {
            self.resolve_again(module, function)?;
        }
        self.last_call
            .as_ref()
            .ok_or_else(|| Error::no_such_function(module, function, core::iter::empty()))
    }

    /// Looks `module.function` up and remembers it, reusing the remembered names' buffers.
    #[cold]
    fn resolve_again(&mut self, module: &str, function: &str) -> Result<(), Error> {
        let (instance, export) = self.find(module, function)?;
        let instance = Arc::clone(instance);
        let (mut module_name, mut function_name) = self
            .last_call
            .take()
            .map(|last| (last.module, last.function))
            .unwrap_or_default();
        module_name.clear();
        module_name.push_str(module);
        function_name.clear();
        function_name.push_str(function);
        self.last_call = Some(Resolved {
            module: module_name,
            function: function_name,
            instance,
            export,
        });
        Ok(())
    }

    fn find(&self, module: &str, function: &str) -> Result<(&Arc<Instance<B>>, usize), Error> {
        let instance = self
            .modules
            .get(module)
            .ok_or_else(|| Error::no_such_module(module, self.module_names()))?;
        let exports = instance.linked.compiled.exports();
        let export = exports
            .iter()
            .position(|e| e.name == function)
            .ok_or_else(|| {
                Error::no_such_function(module, function, exports.iter().map(|e| e.name.as_str()))
            })?;
        Ok((instance, export))
    }

    /// Per module, its name and the current size in bytes of its memory; and the number of
    /// memory growths the budget refused during the last call.
    pub fn memory_stats(&self) -> MemoryStats {
        let modules = self
            .modules
            .iter()
            .map(|(name, instance)| {
                (
                    name.clone(),
                    instance.slot.lock().store.memory_size().unwrap_or(0),
                )
            })
            .collect();
        MemoryStats {
            modules,
            allocation_rejects: self.budget.rejects(),
        }
    }

    /// The interface of the whole service: records and exported functions of every module.
    pub fn interface(&self) -> crate::interface::ServiceInterface {
        crate::interface::ServiceInterface::new(self.modules.values().map(|instance| {
            let linked = &instance.linked;
            crate::interface::ModuleInput {
                name: linked.name.clone(),
                functions: linked
                    .compiled
                    .exports()
                    .iter()
                    .map(|e| (e.name.clone(), e.ty.clone()))
                    .collect(),
                types: linked.types.clone(),
            }
        }))
    }
}

#[cfg(feature = "std")]
impl<B: Backend> Service<B> {
    /// Creates a service from a `Config.toml` (Marine's schema, `spec/service.md` §2) and
    /// loads its modules in order. The config's `total_memory_limit` replaces the one in
    /// `options`.
    pub fn from_config_file(
        path: &std::path::Path,
        options: ServiceOptions,
    ) -> Result<Self, Error> {
        let config = crate::config::ServiceConfig::from_file(path).map_err(|e| {
            Error::with_source(
                ErrorKind::Config,
                alloc::format!("invalid config {}", path.display()),
                e,
            )
        })?;
        Self::from_config(&config, options)
    }

    /// Creates a service from a parsed config and loads its modules in order. Every module
    /// file is read before any module is loaded, as Marine does.
    ///
    /// Modules loaded from files are cached compiled by default (Wasmtime): the default
    /// [`EngineConfig::cache_dir`] becomes [`CacheDir::default_dir`] here
    /// (`$STRAIT_CACHE_DIR`, else `$XDG_CACHE_HOME/strait`, else `~/.cache/strait`), so
    /// the second start of a service skips compiling; [`CacheDir::Off`] turns that off.
    ///
    /// [`CacheDir::default_dir`]: crate::CacheDir::default_dir
    /// [`CacheDir::Off`]: crate::CacheDir::Off
    pub fn from_config(
        config: &crate::config::ServiceConfig,
        mut options: ServiceOptions,
    ) -> Result<Self, Error> {
        options.total_memory_limit = config.total_memory_limit;
        options.engine = options.engine.for_files();
        let files = config
            .modules
            .iter()
            .map(|module| {
                std::fs::read(&module.file).map_err(|e| {
                    Error::with_source(
                        ErrorKind::Io,
                        alloc::format!(
                            "cannot read module \"{}\" from {}",
                            module.name,
                            module.file.display()
                        ),
                        e,
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let origins: Vec<String> = config
            .modules
            .iter()
            .map(|module| module.file.display().to_string())
            .collect();
        let sources: Vec<ModuleSource<'_>> = config
            .modules
            .iter()
            .zip(&files)
            .zip(&origins)
            .map(|((module, bytes), origin)| ModuleSource {
                name: &module.name,
                bytes,
                settings: &module.settings,
                origin: Some(origin),
            })
            .collect();
        let mut service = Self::new(options)?;
        service.load_modules(&sources, |_| {})?;
        Ok(service)
    }
}

/// A call with JSON arguments, made: its module, its export, the values of its arguments
/// (whose buffers the caller may keep) and its result.
struct JsonCall<B: Backend> {
    instance: Arc<Instance<B>>,
    export: usize,
    args: Vec<IValue>,
    results: Result<Vec<IValue>, Error>,
}

/// The record types of `instance` and the result types of its export `export`.
fn json_types<B: Backend>(
    instance: &Instance<B>,
    export: usize,
) -> (&[strait_it::TypeEntry], &[IType]) {
    let linked = &instance.linked;
    (&linked.types, &linked.compiled.exports()[export].ty.results)
}

/// The JSON of a call's results, or the error naming the call.
fn results_to_json(
    module: &str,
    function: &str,
    types: &[strait_it::TypeEntry],
    result_types: &[IType],
    results: Vec<IValue>,
) -> Result<serde_json::Value, Error> {
    crate::json::ivalues_into_json(results, result_types, &types)
        .map_err(|e| result_error(module, function, e))
}

/// The error of a call whose result has no JSON form.
fn result_error(module: &str, function: &str, error: crate::json::JsonResultError) -> Error {
    Error::with_source(
        ErrorKind::JsonResult,
        alloc::format!(
            "cannot convert the result of module \"{module}\", function \"{function}\" to JSON"
        ),
        error,
    )
}

/// Memory statistics of a service (`spec/service.md` §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryStats {
    /// Module name and memory size in bytes, sorted by name (D39).
    pub modules: Vec<(String, usize)>,
    /// Memory growths refused by the budget during the last call.
    pub allocation_rejects: usize,
}

impl core::fmt::Display for MemoryStats {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (name, size) in &self.modules {
            // Decimal megabytes with one decimal, as Marine prints them (17 pages → 1.1 MB).
            let tenths = (size + 50_000) / 100_000;
            writeln!(f, "{name} - {}.{} MB", tenths / 10, tenths % 10)?;
        }
        write!(f, "Allocation rejects - {}", self.allocation_rejects)
    }
}

/// The host's `WASM_LOG` directives for module `name`: `name=level`, else a bare `level`
/// (`spec/abi.md` §12).
#[cfg(feature = "std")]
fn wasm_log_override(name: &str) -> Option<String> {
    let directives = std::env::var("WASM_LOG").ok()?;
    let mut default = None;
    for directive in directives
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        match directive.split_once('=') {
            Some((module, level)) if module == name => return Some(level.to_owned()),
            Some(_) => {}
            None => default = Some(directive.to_owned()),
        }
    }
    default
}

/// The modules whose functions a module imports (its IT imports' namespaces); empty when its
/// section cannot be read (the error is reported where it is loaded).
fn imported_modules(name: &str, bytes: &[u8]) -> Vec<String> {
    let Ok((_, section)) = read_module(name, bytes) else {
        return Vec::new();
    };
    let mut names: Vec<String> = section.imports.into_iter().map(|i| i.namespace).collect();
    names.sort();
    names.dedup();
    names
}

/// Reads the wasm bytes and the IT section of a module given as wasm or (with `std`) WAT.
fn read_module<'a>(name: &str, bytes: &'a [u8]) -> Result<(Cow<'a, [u8]>, Section), Error> {
    let (wasm, inline_section) = if bytes.starts_with(b"\0asm") {
        (Cow::Borrowed(bytes), None)
    } else {
        read_wat(name, bytes)?
    };
    let sections = ModuleSections::read(&wasm)
        .map_err(|e| Error::load(name, alloc::format!("Wasm backend error: {e}")))?;
    let sdk = sections.sdk_version().map_err(|e| version_error(name, e))?;
    check_version(name, "marine-rs-sdk", sdk, MIN_SDK_VERSION)?;
    let section = match inline_section {
        Some(section) => section,
        None => sections.decode_it_section().map_err(|e| {
            Error::with_source(
                ErrorKind::Load,
                alloc::format!(
                    "cannot load module \"{name}\": its interface-types section is invalid \
                     (rebuild it with an up-to-date marine CLI)"
                ),
                e,
            )
        })?,
    };
    check_version(name, "interface-types", &section.version, MIN_IT_VERSION)?;
    Ok((wasm, section))
}

fn version_error(name: &str, error: impl core::error::Error + Send + Sync + 'static) -> Error {
    Error::with_source(
        ErrorKind::Version,
        alloc::format!("cannot load module \"{name}\""),
        error,
    )
}

fn check_version(
    name: &str,
    what: &str,
    text: &str,
    minimum: (u64, u64, u64),
) -> Result<(), Error> {
    match parse_version(text) {
        Some(version) if version >= minimum => Ok(()),
        Some(_) => Err(Error::new(
            ErrorKind::Version,
            alloc::format!(
                "cannot load module \"{name}\": its {what} version {text} is older than the minimum {}.{}.{}",
                minimum.0,
                minimum.1,
                minimum.2
            ),
        )),
        None => Err(Error::new(
            ErrorKind::Version,
            alloc::format!(
                "cannot load module \"{name}\": its {what} version `{text}` is not a semver"
            ),
        )),
    }
}

#[cfg(feature = "std")]
fn read_wat(name: &str, bytes: &[u8]) -> Result<(Cow<'static, [u8]>, Option<Section>), Error> {
    let neither = || {
        Error::load(
            name,
            "it is neither a wasm module (no `\\0asm` header) nor WAT text; give a .wasm built \
             for wasm32-wasip1 or a .wat file",
        )
    };
    let text = core::str::from_utf8(bytes).map_err(|_| neither())?;
    if !looks_like_wat(text) {
        return Err(neither());
    }
    let wasm =
        wat::parse_str(text).map_err(|e| Error::load(name, alloc::format!("invalid WAT: {e}")))?;
    let section = strait_it::text::parse_annotations(text).map_err(|e| {
        Error::with_source(
            ErrorKind::Load,
            alloc::format!("cannot load module \"{name}\": invalid (@interface) annotations"),
            e,
        )
    })?;
    Ok((Cow::Owned(wasm), Some(section)))
}

/// Whether `text` starts, after blanks and comments, with `(` as a WAT module does; other
/// text (a truncated download, an HTML error page) is reported as not a module rather than as
/// a WAT syntax error.
#[cfg(feature = "std")]
fn looks_like_wat(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(";;") {
            rest = after.split_once('\n').map_or("", |(_, next)| next);
        } else if let Some(after) = rest.strip_prefix("(;") {
            rest = after.split_once(";)").map_or("", |(_, next)| next);
        } else {
            return rest.starts_with('(');
        }
    }
}

#[cfg(not(feature = "std"))]
fn read_wat(name: &str, _bytes: &[u8]) -> Result<(Cow<'static, [u8]>, Option<Section>), Error> {
    Err(Error::load(
        name,
        "not a wasm binary (WAT needs the `std` feature)",
    ))
}

/// The wasm host function behind an adapted import of module `linked`: runs the import
/// adapter (`spec/service.md` §5.2) inside the importer's suspended call.
fn import_adapter_func<B: Backend>(linked: Arc<Linked<B>>, slot: usize) -> HostFunc<B> {
    let import = &linked.compiled.imports()[slot];
    let sig = host_imports::func_sig(&import.raw);
    let (namespace, name) = (import.namespace.clone(), import.name.clone());
    HostFunc::new(namespace, name, sig, move |caller, args, results| {
        let import = &linked.compiled.imports()[slot];
        let funcs = linked.funcs()?;
        // The raw arguments as adapter values, on the stack when they fit (they always do for
        // real modules).
        let mut inline = ArrayVec::<IValue, INLINE_VALUES>::new();
        let spilled: Vec<IValue>;
        let inputs: &[IValue] = if args.len() <= INLINE_VALUES {
            inline.extend(args.iter().filter_map(to_ivalue));
            &inline
        } else {
            spilled = args.iter().filter_map(to_ivalue).collect();
            &spilled
        };
        let mut host = ModuleHost {
            core: caller.as_context_mut(),
            funcs,
            linked: &linked,
            typed_inputs: false,
        };
        let mut runner = linked.import_interpreter.try_lock().ok_or_else(|| {
            Box::new(Error::new(
                ErrorKind::Instruction,
                alloc::format!(
                    "module \"{}\" re-entered its own import adapter",
                    linked.name
                ),
            )) as HostError
        })?;
        let ImportRunner {
            interpreter,
            results: values,
        } = &mut *runner;
        values.clear();
        interpreter
            .run(&linked.compiled, &import.program, inputs, &mut host, values)
            .map_err(|error| {
                Box::new(Error::with_source(
                    ErrorKind::Instruction,
                    alloc::format!(
                        "module \"{}\" calling `{}` of module \"{}\"",
                        linked.name,
                        import.name,
                        import.namespace
                    ),
                    error,
                )) as HostError
            })?;
        for (slot, value) in results.iter_mut().zip(values.iter()) {
            *slot = to_wvalue(value).ok_or_else(|| {
                Box::new(Error::new(
                    ErrorKind::Instruction,
                    "an import adapter left a non-core value",
                )) as HostError
            })?;
        }
        values.clear();
        Ok(())
    })
}

#[cfg(all(test, feature = "std"))]
mod tests {
    //! Link-time decisions no call can observe: which records cross as images.

    use super::*;
    use crate::ModuleSettings;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures")
            .join(name);
        std::fs::read(path).expect("fixture")
    }

    /// The images each adapted import of `module` may use.
    fn images<B: Backend>(service: &Service<B>, module: &str) -> Vec<ImportImages> {
        let instance = service.modules.get(module).expect("loaded");
        instance
            .linked
            .imports
            .iter()
            .map(|target| target.images)
            .collect()
    }

    fn record_images<B: Backend>() {
        let both = ImportImages {
            arg: true,
            result: true,
        };
        let load = |caller: &str| {
            let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
            let settings = ModuleSettings::default();
            service
                .load_module("record_echo", &fixture("record_echo.wat"), &settings)
                .expect("echo");
            service
                .load_module("record_caller", caller.as_bytes(), &settings)
                .expect("caller");
            service
        };
        let caller = String::from_utf8(fixture("record_caller.wat")).expect("text");
        // `echo` and `echo2` are the same export adapter: both may take and give images
        // (`pass_plain`'s import adapter just does not use them).
        assert_eq!(images(&load(&caller), "record_caller"), [both, both]);
        // An array of u8 where the callee has a byte array: compatible, but the record is
        // not flat on the caller's side, so it crosses as a value.
        let other = caller.replace("field $data: byte_array", "field $data: array (u8)");
        let service = load(&other);
        assert_eq!(
            images(&service, "record_caller"),
            [ImportImages::default(), ImportImages::default()]
        );
    }

    #[cfg(feature = "wasmtime")]
    #[test]
    fn record_images_on_wasmtime() {
        record_images::<crate::Wasmtime>();
    }

    #[cfg(feature = "wasmi")]
    #[test]
    fn record_images_on_wasmi() {
        record_images::<crate::Wasmi>();
    }
}
