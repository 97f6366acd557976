//! [`Marine`]: a service of linked modules, with marine-runtime 0.37's methods.

use crate::backend::{MemoryAllocationStats, WasmBackend};
use crate::config::{MarineConfig, MarineModuleConfig};
use crate::errors::{ITJsonSeDeError, MError, MarineError, MarineResult};
use crate::interface::{MarineFunctionSignature, MarineInterface, MarineModuleInterface};
use crate::memory::{MemoryStats, ModuleMemoryStat};
use crate::values::{
    IFunctionArg, IValue, MRecordTypes, from_strait, itype_from_strait, record_from_strait,
    to_strait,
};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use strait::CallParameters;

/// A loaded module's interface, computed once at load (D30): strait's form for JSON
/// conversion, Marine's for [`Marine::get_interface`].
struct ModuleApi {
    functions: strait::interface::ModuleInterface,
    record_types: MRecordTypes,
    signatures: Vec<MarineFunctionSignature>,
}

impl ModuleApi {
    fn new(functions: strait::interface::ModuleInterface) -> MarineResult<Self> {
        let record_types = functions
            .record_types
            .iter()
            .map(|(id, record)| Ok((*id, Arc::new(record_from_strait(record)?))))
            .collect::<Result<MRecordTypes, crate::values::EmptyRecord>>()
            .map_err(|e| MarineError::EngineError(MError::RecordResolveError(e.to_string())))?;
        let signatures = functions
            .function_signatures
            .iter()
            .map(|function| MarineFunctionSignature {
                name: Arc::new(function.name.clone()),
                arguments: Arc::new(
                    function
                        .arguments
                        .iter()
                        .map(|arg| IFunctionArg {
                            name: arg.name.clone(),
                            ty: itype_from_strait(&arg.ty),
                        })
                        .collect(),
                ),
                outputs: Arc::new(function.outputs.iter().map(itype_from_strait).collect()),
            })
            .collect();
        Ok(Self {
            functions,
            record_types,
            signatures,
        })
    }

    fn function(&self, name: &str) -> Option<&strait::interface::FunctionSignature> {
        // Sorted by name at load.
        let functions = &self.functions.function_signatures;
        functions
            .binary_search_by(|f| f.name.as_str().cmp(name))
            .ok()
            .map(|index| &functions[index])
    }
}

/// A service: modules loaded in order, each linked against those loaded before it, called
/// by module and function name.
///
/// The constructors and `_async` calls are Marine's `async fn`s; they complete without
/// waiting (strait's calls are synchronous), so any executor runs them, and the synchronous
/// [`call_with_ivalues`](Self::call_with_ivalues) and [`call_with_json`](Self::call_with_json)
/// need none.
///
/// ```no_run
/// use marine::backend::{WasmBackend, WasmtimeWasmBackend};
/// use marine::{IValue, Marine, TomlMarineConfig};
///
/// # async fn run() -> Result<(), marine::MarineError> {
/// let config = TomlMarineConfig::load("greeting/Config.toml")?;
/// let mut marine = Marine::with_raw_config(WasmtimeWasmBackend::new_async().unwrap(), config).await?;
/// let hi = marine
///     .call_with_ivalues_async("greeting", "greeting", &[IValue::String("Fluence".into())], <_>::default())
///     .await?;
/// assert_eq!(hi, vec![IValue::String("Hi, Fluence".into())]);
/// # Ok(()) }
/// ```
pub struct Marine<WB: WasmBackend> {
    service: strait::Service<WB::Engine>,
    modules: BTreeMap<String, ModuleApi>,
}

impl<WB: WasmBackend> std::fmt::Debug for Marine<WB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Marine")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl<WB: WasmBackend> Marine<WB> {
    /// Creates a service from a config (typically a [`TomlMarineConfig`](crate::TomlMarineConfig)),
    /// reading every module file before loading any; compiled modules are cached as
    /// [`with_module_names`](Self::with_module_names) says.
    pub async fn with_raw_config<C>(backend: WB, config: C) -> MarineResult<Self>
    where
        C: TryInto<MarineConfig<WB>>,
        MarineError: From<C::Error>,
    {
        let config = config.try_into()?;
        let paths = config
            .modules_config
            .iter()
            .map(|module| {
                Ok((
                    module.import_name.clone(),
                    module.get_path(&config.modules_dir)?,
                ))
            })
            .collect::<MarineResult<HashMap<String, PathBuf>>>()?;
        Self::with_module_names::<MarineConfig<WB>>(backend, &paths, config).await
    }

    /// Creates a service of the modules of `config`, whose bytes `modules` holds by name.
    pub async fn with_modules<C>(
        backend: WB,
        modules: HashMap<String, Vec<u8>>,
        config: C,
    ) -> MarineResult<Self>
    where
        C: TryInto<MarineConfig<WB>>,
        MarineError: From<C::Error>,
    {
        let engine = backend.engine_config().clone();
        Self::with_modules_on(engine, modules, config.try_into()?)
    }

    /// [`with_modules`](Self::with_modules) on an engine with configuration `engine`.
    fn with_modules_on(
        engine: strait::EngineConfig,
        mut modules: HashMap<String, Vec<u8>>,
        config: MarineConfig<WB>,
    ) -> MarineResult<Self> {
        let options = strait::ServiceOptions {
            total_memory_limit: config.total_memory_limit,
            engine,
            ..strait::ServiceOptions::default()
        };
        let service = strait::Service::new(options).map_err(MarineError::from_strait)?;
        let mut marine = Self {
            service,
            modules: BTreeMap::new(),
        };
        for module in &config.modules_config {
            let bytes = modules.remove(&module.import_name).ok_or_else(|| {
                let mut provided_modules: Vec<String> = modules.keys().cloned().collect();
                provided_modules.sort();
                MarineError::InstantiationError {
                    module_import_name: module.import_name.clone(),
                    modules_dir: config.modules_dir.clone(),
                    provided_modules,
                }
            })?;
            marine.load(&module.import_name, &bytes, &module.config.to_settings())?;
        }
        Ok(marine)
    }

    /// Creates a service of the modules of `config` from the files `names` maps them to.
    ///
    /// Modules read from files are cached compiled by default (Wasmtime), as strait's
    /// `Service::from_config_file` does: in `strait::CacheDir::default_dir()`, unless the
    /// backend's [`WasmtimeConfig`](crate::backend::WasmtimeConfig) sets another
    /// `cache_dir` (`strait::CacheDir::Off` turns it off).
    pub async fn with_module_names<C>(
        backend: WB,
        names: &HashMap<String, PathBuf>,
        config: C,
    ) -> MarineResult<Self>
    where
        C: TryInto<MarineConfig<WB>>,
        MarineError: From<C::Error>,
    {
        let config = config.try_into()?;
        let modules = names
            .iter()
            .map(|(name, path)| {
                let bytes = std::fs::read(path).map_err(|e| {
                    MarineError::IOError(format!("failed to load {}: {e}", path.display()))
                })?;
                Ok((name.clone(), bytes))
            })
            .collect::<MarineResult<HashMap<_, _>>>()?;
        let engine = backend.engine_config().clone().for_files();
        Self::with_modules_on(engine, modules, config)
    }

    fn load(
        &mut self,
        name: &str,
        bytes: &[u8],
        settings: &strait::ModuleSettings,
    ) -> MarineResult<()> {
        self.service
            .load_module(name, bytes, settings)
            .map_err(|error| match error.kind() {
                strait::ErrorKind::DuplicateModule => {
                    MarineError::EngineError(MError::NonUniqueModuleName(name.to_owned()))
                }
                _ => MarineError::from_strait(error),
            })?;
        let interface = self.service.interface().modules.remove(name);
        match interface.map(ModuleApi::new) {
            Some(Ok(api)) => {
                self.modules.insert(name.to_owned(), api);
                Ok(())
            }
            Some(Err(error)) => {
                // A module whose interface Marine's types cannot hold is not kept half-loaded.
                let _ = self.service.unload_module(name);
                Err(error)
            }
            None => Err(MarineError::EngineError(MError::NoSuchModule(
                name.to_owned(),
            ))),
        }
    }

    /// Calls `module_name.func_name` with IT values; `call_parameters` are what the modules
    /// the call reaches see during it.
    pub fn call_with_ivalues(
        &mut self,
        module_name: impl AsRef<str>,
        func_name: impl AsRef<str>,
        args: &[IValue],
        call_parameters: CallParameters,
    ) -> MarineResult<Vec<IValue>> {
        let (module, function) = (module_name.as_ref(), func_name.as_ref());
        let api = self
            .modules
            .get(module)
            .ok_or_else(|| MarineError::EngineError(MError::NoSuchModule(module.to_owned())))?;
        if api.function(function).is_none() {
            return Err(MarineError::EngineError(MError::NoSuchFunction(
                module.to_owned(),
                function.to_owned(),
            )));
        }
        let args: Vec<strait::IValue> = args.iter().map(to_strait).collect();
        let results = self
            .service
            .call_with_parameters(module, function, &args, call_parameters)
            .map_err(MarineError::from_strait)?;
        results
            .into_iter()
            .map(from_strait)
            .collect::<Result<_, _>>()
            .map_err(|e| MarineError::EngineError(MError::RecordResolveError(e.to_string())))
    }

    /// [`call_with_ivalues`](Self::call_with_ivalues) as Marine's `async fn`.
    pub async fn call_with_ivalues_async(
        &mut self,
        module_name: impl AsRef<str>,
        func_name: impl AsRef<str>,
        args: &[IValue],
        call_parameters: CallParameters,
    ) -> MarineResult<Vec<IValue>> {
        self.call_with_ivalues(module_name, func_name, args, call_parameters)
    }

    /// Calls `module_name.func_name` with JSON arguments (an array in parameter order, or an
    /// object by parameter name) and returns the JSON result, with Marine's conversion rules.
    pub fn call_with_json(
        &mut self,
        module_name: impl AsRef<str>,
        func_name: impl AsRef<str>,
        json_args: serde_json::Value,
        call_parameters: CallParameters,
    ) -> MarineResult<serde_json::Value> {
        let (module, function) = (module_name.as_ref(), func_name.as_ref());
        let api = self
            .modules
            .get(module)
            .ok_or_else(|| MarineError::NoSuchModule(module.to_owned()))?;
        let signature = api
            .function(function)
            .ok_or_else(|| MarineError::MissingFunctionError(function.to_owned()))?;
        let records = &api.functions.record_types;
        let args = strait::json::json_into_args(json_args, &signature.arguments, records).map_err(
            |e| MarineError::JsonArgumentsDeserializationError {
                module_name: module.to_owned(),
                function_name: function.to_owned(),
                error: ITJsonSeDeError::De(e.to_string()),
            },
        )?;
        let results = self
            .service
            .call_with_parameters(module, function, &args, call_parameters)
            .map_err(MarineError::from_strait)?;
        // `call_with_parameters` borrowed the service mutably; the interface is looked up
        // again rather than kept across it.
        let api = &self.modules[module];
        let signature = api
            .function(function)
            .ok_or_else(|| MarineError::MissingFunctionError(function.to_owned()))?;
        strait::json::ivalues_into_json(results, &signature.outputs, &api.functions.record_types)
            .map_err(|e| MarineError::JsonOutputSerializationError {
                module_name: module.to_owned(),
                function_name: function.to_owned(),
                error: ITJsonSeDeError::Se(e.to_string()),
            })
    }

    /// [`call_with_json`](Self::call_with_json) as Marine's `async fn`.
    pub async fn call_with_json_async(
        &mut self,
        module_name: impl AsRef<str>,
        func_name: impl AsRef<str>,
        json_args: serde_json::Value,
        call_parameters: CallParameters,
    ) -> MarineResult<serde_json::Value> {
        self.call_with_json(module_name, func_name, json_args, call_parameters)
    }

    /// The exported functions and record types of every loaded module.
    pub fn get_interface(&self) -> MarineInterface<'_> {
        MarineInterface {
            modules: self
                .modules
                .iter()
                .map(|(name, api)| {
                    (
                        name.as_str(),
                        MarineModuleInterface {
                            record_types: &api.record_types,
                            function_signatures: api.signatures.clone(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// The memory size of every module, sorted by name, and the memory growths the budget
    /// refused during the last call.
    pub fn module_memory_stats(&self) -> MemoryStats<'_> {
        let stats = self.service.memory_stats();
        let modules = stats
            .modules
            .iter()
            .filter_map(|(name, size)| {
                let (name, _) = self.modules.get_key_value(name)?;
                Some(ModuleMemoryStat::new(name, *size))
            })
            .collect();
        MemoryStats::new(
            modules,
            Some(MemoryAllocationStats {
                allocation_rejects: u32::try_from(stats.allocation_rejects).unwrap_or(u32::MAX),
            }),
        )
    }

    /// Loads a module under `name`, linked against the modules loaded before it; `None`
    /// loads it without logger, WASI settings or mounted binaries, as Marine does.
    pub async fn load_module<C, S>(
        &mut self,
        name: S,
        wasm_bytes: &[u8],
        config: Option<C>,
    ) -> MarineResult<()>
    where
        S: Into<String>,
        C: TryInto<MarineModuleConfig<WB>>,
        MarineError: From<C::Error>,
    {
        let config = config
            .map(TryInto::try_into)
            .transpose()?
            .unwrap_or_default();
        self.load(&name.into(), wasm_bytes, &config.to_settings())
    }

    /// Unloads a module: calls to it fail from now on; modules that import from it keep
    /// working (and keep it alive until they are unloaded too).
    pub fn unload_module(&mut self, module_name: impl AsRef<str>) -> MarineResult<()> {
        let name = module_name.as_ref();
        if self.modules.remove(name).is_none() {
            return Err(MarineError::EngineError(MError::NoSuchModule(
                name.to_owned(),
            )));
        }
        self.service
            .unload_module(name)
            .map_err(MarineError::from_strait)
    }
}
