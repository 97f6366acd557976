//! fluence-app-service 0.36's API (feature `app-service`): [`AppService`](generic::AppService),
//! a [`Marine`](crate::generic::Marine) whose last module is the facade it calls, with the
//! service id in every module's environment and mapped directories under the service's
//! working directory (`spec/service.md` §2.4).
//!
//! `use fluence_app_service::AppService;` becomes `use marine::app_service::AppService;`.
//!
//! ```no_run
//! use marine::app_service::{AppService, TomlAppServiceConfig};
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), marine::app_service::AppServiceError> {
//! let config = TomlAppServiceConfig::load("greeting/Config.toml")?;
//! let mut service = AppService::new(config, "service-1", Default::default()).await?;
//! let hi = service.call_async("greeting", json!(["Fluence"]), <_>::default()).await?;
//! assert_eq!(hi, json!("Hi, Fluence"));
//! # Ok(()) }
//! ```

use crate::backend::WasmBackend;
use crate::generic::{Marine, MarineConfig, MarineModuleConfig};
use crate::{
    CallParameters, IValue, MRecordTypes, MarineError, MarineFunctionSignature, MarineInterface,
    MemoryStats, TomlMarineConfig, itype_text_view,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;

/// The env var every module gets the service id in.
pub const SERVICE_ID_ENV_NAME: &str = "service_id";

/// The errors of the AppService API.
#[derive(Debug, thiserror::Error)]
pub enum AppServiceError {
    /// The config is invalid.
    #[error("{0}")]
    InvalidConfig(String),
    /// A file operation failed.
    #[error("{0}")]
    IOError(#[from] std::io::Error),
    /// Marine failed.
    #[error("{0}")]
    MarineError(#[from] MarineError),
    /// The backend could not be created.
    #[error("{0}")]
    WasmBackendError(#[from] crate::backend::WasmBackendError),
    /// A mapped directory could not be created.
    #[error("Failed to create dir {path:?}: {err:?}")]
    CreateDir {
        /// The I/O error.
        err: std::io::Error,
        /// The directory.
        path: PathBuf,
    },
    /// The config is malformed.
    #[error("{0}")]
    ConfigParseError(String),
}

impl From<toml::de::Error> for AppServiceError {
    fn from(error: toml::de::Error) -> Self {
        Self::InvalidConfig(error.to_string())
    }
}

impl From<std::convert::Infallible> for AppServiceError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// The result type of the AppService API.
pub type Result<T> = std::result::Result<T, AppServiceError>;

/// An AppService's configuration: a Marine config and the service's working directory.
pub struct AppServiceConfig<WB: WasmBackend> {
    /// Relative mapped directories are rooted here (and created).
    pub service_working_dir: PathBuf,
    /// The service's modules.
    pub marine_config: MarineConfig<WB>,
}

impl<WB: WasmBackend> Default for AppServiceConfig<WB> {
    fn default() -> Self {
        Self {
            service_working_dir: PathBuf::new(),
            marine_config: MarineConfig::default(),
        }
    }
}

impl<WB: WasmBackend> std::fmt::Debug for AppServiceConfig<WB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppServiceConfig")
            .field("service_working_dir", &self.service_working_dir)
            .field("marine_config", &self.marine_config)
            .finish()
    }
}

/// `Config.toml` with the AppService's key `service_working_dir`.
///
/// ```
/// let config: marine::app_service::TomlAppServiceConfig = toml::from_str(
///     "service_working_dir = \"/srv\"\ntotal_memory_limit = \"Infinity\"\n",
/// )
/// .unwrap();
/// assert_eq!(config.service_working_dir.as_deref(), Some("/srv"));
/// ```
#[derive(Deserialize, Serialize, Debug, Clone, Default)]
pub struct TomlAppServiceConfig {
    /// The working directory; the process's when absent.
    pub service_working_dir: Option<String>,
    /// The rest of the config.
    #[serde(flatten)]
    pub toml_marine_config: TomlMarineConfig,
}

impl TomlAppServiceConfig {
    /// Reads the config file at `path`; relative paths in it are relative to its directory.
    pub fn load<P: Into<PathBuf>>(path: P) -> Result<Self> {
        let path = path.into();
        let text = std::fs::read_to_string(&path)?;
        // As in fluence-app-service, relative paths stay relative to the working directory.
        toml::from_str(&text).map_err(|e| {
            AppServiceError::ConfigParseError(format!("Error parsing config {path:?}: {e}"))
        })
    }
}

impl<WB: WasmBackend> TryFrom<TomlAppServiceConfig> for AppServiceConfig<WB> {
    type Error = AppServiceError;

    fn try_from(config: TomlAppServiceConfig) -> Result<Self> {
        let marine_config = config.toml_marine_config.try_into()?;
        let service_working_dir = match config.service_working_dir {
            Some(dir) => PathBuf::from(dir),
            None => std::env::current_dir()?,
        };
        Ok(Self {
            service_working_dir,
            marine_config,
        })
    }
}

/// A facade function as the AppService's interface lists it: types as text.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct FunctionSignature {
    /// The function name.
    pub name: String,
    /// Parameter names and types.
    pub arguments: Vec<(String, String)>,
    /// Result types.
    pub output_types: Vec<String>,
}

/// A record type of the facade's interface.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct RecordType {
    /// The record name.
    pub name: String,
    /// Its id in the facade module.
    pub id: u64,
    /// Field names and types.
    pub fields: Vec<(String, String)>,
}

/// The facade's interface.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ServiceInterface {
    /// The facade's functions, sorted by name.
    pub function_signatures: Vec<FunctionSignature>,
    /// Its record types, by id.
    pub record_types: Vec<RecordType>,
}

fn service_interface(
    functions: &[MarineFunctionSignature],
    records: &MRecordTypes,
) -> ServiceInterface {
    let function_signatures = functions
        .iter()
        .map(|function| FunctionSignature {
            name: function.name.to_string(),
            arguments: function
                .arguments
                .iter()
                .map(|arg| (arg.name.clone(), itype_text_view(&arg.ty, records)))
                .collect(),
            output_types: function
                .outputs
                .iter()
                .map(|ty| itype_text_view(ty, records))
                .collect(),
        })
        .collect();
    let mut record_types: Vec<RecordType> = records
        .iter()
        .map(|(id, record)| RecordType {
            name: record.name.clone(),
            id: *id,
            fields: record
                .fields
                .iter()
                .map(|field| (field.name.clone(), itype_text_view(&field.ty, records)))
                .collect(),
        })
        .collect();
    record_types.sort_by_key(|record| record.id);
    ServiceInterface {
        function_signatures,
        record_types,
    }
}

/// The engine-generic AppService types.
pub mod generic {
    pub use super::AppServiceConfig;
    pub use super::service::AppService;
}

mod service {
    use super::*;

    /// A service called through its facade, its last module.
    pub struct AppService<WB: WasmBackend> {
        marine: Marine<WB>,
        facade_module_name: String,
    }

    impl<WB: WasmBackend> std::fmt::Debug for AppService<WB> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("AppService")
                .field("marine", &self.marine)
                .field("facade_module_name", &self.facade_module_name)
                .finish()
        }
    }

    impl<WB: WasmBackend> AppService<WB> {
        /// Creates the service `service_id` on a default backend; `envs` are added to every
        /// module's environment, with `service_id`.
        pub async fn new<C, S>(
            config: C,
            service_id: S,
            envs: HashMap<String, String>,
        ) -> Result<Self>
        where
            C: TryInto<AppServiceConfig<WB>>,
            S: Into<String>,
            AppServiceError: From<C::Error>,
        {
            Self::new_with_backend(WB::new_async()?, config, service_id, envs).await
        }

        /// [`new`](Self::new) on `backend`.
        pub async fn new_with_backend<C, S>(
            backend: WB,
            config: C,
            service_id: S,
            envs: HashMap<String, String>,
        ) -> Result<Self>
        where
            C: TryInto<AppServiceConfig<WB>>,
            S: Into<String>,
            AppServiceError: From<C::Error>,
        {
            let mut config: AppServiceConfig<WB> = config.try_into()?;
            let facade_module_name = config
                .marine_config
                .modules_config
                .last()
                .ok_or_else(|| {
                    AppServiceError::ConfigParseError(
                        "config should contain at least one module".to_owned(),
                    )
                })?
                .import_name
                .clone();
            set_env_and_dirs(&mut config, service_id.into(), envs)?;
            let marine = Marine::with_raw_config(backend, config.marine_config).await?;
            Ok(Self {
                marine,
                facade_module_name,
            })
        }

        /// A service without modules (load them with [`load_module`](Self::load_module),
        /// call them with [`call_module`](Self::call_module)).
        pub async fn new_with_empty_facade<C, S>(
            backend: WB,
            config: C,
            service_id: S,
            envs: HashMap<String, String>,
        ) -> Result<Self>
        where
            C: TryInto<AppServiceConfig<WB>>,
            S: Into<String>,
            AppServiceError: From<C::Error>,
        {
            let mut config: AppServiceConfig<WB> = config.try_into()?;
            set_env_and_dirs(&mut config, service_id.into(), envs)?;
            let marine = Marine::with_raw_config(backend, config.marine_config).await?;
            Ok(Self {
                marine,
                facade_module_name: String::new(),
            })
        }

        /// Calls the facade's `func_name` with JSON arguments.
        pub fn call(
            &mut self,
            func_name: impl AsRef<str>,
            arguments: serde_json::Value,
            call_parameters: CallParameters,
        ) -> Result<serde_json::Value> {
            Ok(self.marine.call_with_json(
                &self.facade_module_name,
                func_name,
                arguments,
                call_parameters,
            )?)
        }

        /// [`call`](Self::call) as fluence-app-service's `async fn`.
        pub async fn call_async(
            &mut self,
            func_name: impl AsRef<str>,
            arguments: serde_json::Value,
            call_parameters: CallParameters,
        ) -> Result<serde_json::Value> {
            self.call(func_name, arguments, call_parameters)
        }

        /// Calls the facade's `func_name` with IT values.
        pub async fn call_with_ivalues_async(
            &mut self,
            func_name: impl AsRef<str>,
            arguments: &[IValue],
            call_parameters: CallParameters,
        ) -> Result<Vec<IValue>> {
            Ok(self.marine.call_with_ivalues(
                &self.facade_module_name,
                func_name,
                arguments,
                call_parameters,
            )?)
        }

        /// Calls any module's function with JSON arguments.
        pub async fn call_module(
            &mut self,
            module_name: impl AsRef<str>,
            func_name: impl AsRef<str>,
            arguments: serde_json::Value,
            call_parameters: CallParameters,
        ) -> Result<serde_json::Value> {
            Ok(self
                .marine
                .call_with_json(module_name, func_name, arguments, call_parameters)?)
        }

        /// The facade's interface (empty for a service without facade).
        pub fn get_interface(&self) -> ServiceInterface {
            let interface = self.marine.get_interface();
            match interface.modules.get(self.facade_module_name.as_str()) {
                Some(facade) => service_interface(&facade.function_signatures, facade.record_types),
                None => ServiceInterface {
                    function_signatures: Vec::new(),
                    record_types: Vec::new(),
                },
            }
        }

        /// The interface of every module.
        pub fn get_full_interface(&self) -> MarineInterface<'_> {
            self.marine.get_interface()
        }

        /// The memory of every module.
        pub fn module_memory_stats(&self) -> MemoryStats<'_> {
            self.marine.module_memory_stats()
        }

        /// Loads a module (see [`Marine::load_module`]).
        pub async fn load_module<C, S>(
            &mut self,
            name: S,
            wasm_bytes: &[u8],
            config: Option<C>,
        ) -> Result<()>
        where
            S: Into<String>,
            C: TryInto<MarineModuleConfig<WB>>,
            MarineError: From<C::Error>,
        {
            Ok(self.marine.load_module(name, wasm_bytes, config).await?)
        }

        /// Unloads a module (see [`Marine::unload_module`]).
        pub fn unload_module(&mut self, module_name: impl AsRef<str>) -> Result<()> {
            Ok(self.marine.unload_module(module_name)?)
        }
    }

    /// Adds `service_id` and `envs` to every module's environment, roots relative mapped
    /// directories at the working directory and creates them.
    fn set_env_and_dirs<WB: WasmBackend>(
        config: &mut AppServiceConfig<WB>,
        service_id: String,
        mut envs: HashMap<String, String>,
    ) -> Result<()> {
        envs.insert(SERVICE_ID_ENV_NAME.to_owned(), service_id);
        for module in &mut config.marine_config.modules_config {
            module.config.extend_wasi_envs(envs.clone());
            module
                .config
                .root_wasi_files_at(&config.service_working_dir);
            if let Some(wasi) = &module.config.wasi {
                for dir in wasi.mapped_dirs.values() {
                    std::fs::create_dir_all(dir).map_err(|err| AppServiceError::CreateDir {
                        err,
                        path: dir.clone(),
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// The AppService types on Wasmtime; re-exported here, as fluence-app-service does.
#[cfg(feature = "wasmtime")]
pub mod wasmtime {
    /// [`AppService`](super::generic::AppService) on Wasmtime.
    pub type AppService = super::generic::AppService<crate::backend::WasmtimeWasmBackend>;
    /// [`AppServiceConfig`](super::AppServiceConfig) on Wasmtime.
    pub type AppServiceConfig = super::AppServiceConfig<crate::backend::WasmtimeWasmBackend>;
}

#[cfg(feature = "wasmtime")]
pub use self::wasmtime::AppService;

/// The AppService types on wasmi.
#[cfg(feature = "wasmi")]
pub mod wasmi {
    /// [`AppService`](super::generic::AppService) on wasmi.
    pub type AppService = super::generic::AppService<crate::backend::WasmiWasmBackend>;
    /// [`AppServiceConfig`](super::AppServiceConfig) on wasmi.
    pub type AppServiceConfig = super::AppServiceConfig<crate::backend::WasmiWasmBackend>;
}
