//! The configuration [`Marine`](crate::generic::Marine) is created from: [`MarineConfig`],
//! one [`ModuleDescriptor`] per module, each with a [`MarineModuleConfig`], and their
//! conversion from the TOML types.

use crate::backend::WasmBackend;
use crate::errors::{MarineError, MarineResult};
use crate::toml_config::{
    TomlMarineConfig, TomlMarineModuleConfig, TomlMarineNamedModuleConfig, TomlValueTable,
    TomlWASIConfig,
};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// The host-API version a module imports host functions under (marine-core's
/// `HostAPIVersion`): the namespaces `host`, `__marine_host_api_v1`, `_v2`, `_v3`.
pub use strait::call_parameters::HostApiVersion as HostAPIVersion;

/// Where relative paths of a config are relative to.
///
/// ```
/// let context = marine::ConfigContext { base_path: Some("/srv/service".into()) };
/// let wrapped = context.wrapped(42);
/// assert_eq!(wrapped.data, 42);
/// ```
#[derive(Clone, Default, Debug)]
pub struct ConfigContext {
    /// The base directory; `None` is the working directory.
    pub base_path: Option<PathBuf>,
}

/// A config part together with its [`ConfigContext`], for conversions that resolve paths.
#[derive(Debug)]
pub struct WithContext<'c, T> {
    /// The context.
    pub context: &'c ConfigContext,
    /// The config part.
    pub data: T,
}

impl ConfigContext {
    /// `data` with this context.
    pub fn wrapped<T>(&self, data: T) -> WithContext<'_, T> {
        WithContext {
            context: self,
            data,
        }
    }
}

/// A host import a module gets (marine-core's `HostImportDescriptor`).
///
/// strait provides the host imports Marine configures itself (call parameters, logger) on
/// its own; what a config adds are mounted binaries, which this describes.
///
/// ```
/// use marine::HostImportDescriptor;
/// let curl = HostImportDescriptor::mounted_binary("/usr/bin/curl".into());
/// assert_eq!(curl.mounted_binary_path(), std::path::Path::new("/usr/bin/curl"));
/// ```
pub struct HostImportDescriptor<WB: WasmBackend> {
    program: PathBuf,
    backend: PhantomData<fn() -> WB>,
}

impl<WB: WasmBackend> HostImportDescriptor<WB> {
    /// An import that runs the host program `program` with the arguments the module passes
    /// (Marine's mounted binaries; `spec/abi.md` §11).
    pub fn mounted_binary(program: PathBuf) -> Self {
        Self {
            program,
            backend: PhantomData,
        }
    }

    /// The program a mounted-binary import runs.
    pub fn mounted_binary_path(&self) -> &Path {
        &self.program
    }
}

impl<WB: WasmBackend> Clone for HostImportDescriptor<WB> {
    fn clone(&self) -> Self {
        Self::mounted_binary(self.program.clone())
    }
}

impl<WB: WasmBackend> std::fmt::Debug for HostImportDescriptor<WB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostImportDescriptor")
            .field("mounted_binary", &self.program)
            .finish()
    }
}

/// How one module is loaded.
pub struct MarineModuleConfig<WB: WasmBackend> {
    /// Whether the module gets the host logger `log_utf8_string`.
    pub logger_enabled: bool,
    /// Host imports per host-API version, by import name.
    pub host_imports: HashMap<HostAPIVersion, HashMap<String, HostImportDescriptor<WB>>>,
    /// The WASI settings.
    pub wasi: Option<MarineWASIConfig>,
    /// The logger's target mask (`spec/abi.md` §12).
    pub logging_mask: i32,
}

// By hand: a derive would require `WB: Default`. The mask defaults to i32::MAX as from TOML
// (D32: Marine's programmatic default is 0).
impl<WB: WasmBackend> Default for MarineModuleConfig<WB> {
    fn default() -> Self {
        Self {
            logger_enabled: false,
            host_imports: HashMap::new(),
            wasi: None,
            logging_mask: i32::MAX,
        }
    }
}

impl<WB: WasmBackend> Clone for MarineModuleConfig<WB> {
    fn clone(&self) -> Self {
        Self {
            logger_enabled: self.logger_enabled,
            host_imports: self.host_imports.clone(),
            wasi: self.wasi.clone(),
            logging_mask: self.logging_mask,
        }
    }
}

impl<WB: WasmBackend> std::fmt::Debug for MarineModuleConfig<WB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarineModuleConfig")
            .field("logger_enabled", &self.logger_enabled)
            .field("host_imports", &self.host_imports)
            .field("wasi", &self.wasi)
            .field("logging_mask", &self.logging_mask)
            .finish()
    }
}

impl<WB: WasmBackend> MarineModuleConfig<WB> {
    /// Adds environment variables (replacing those of the same name).
    ///
    /// ```
    /// let mut config = marine::MarineModuleConfig::default();
    /// config.extend_wasi_envs([("KEY".to_string(), "value".to_string())].into());
    /// assert_eq!(config.wasi.unwrap().envs["KEY"], "value");
    /// ```
    pub fn extend_wasi_envs(&mut self, new_envs: HashMap<String, String>) {
        self.wasi
            .get_or_insert_with(Default::default)
            .envs
            .extend(new_envs);
    }

    /// Puts every mapped directory's host path under `root` (an absolute host path stays as
    /// it is, as `Path::join` does).
    ///
    /// ```
    /// let mut config = marine::MarineModuleConfig::default();
    /// config.wasi = Some(marine::MarineWASIConfig {
    ///     envs: Default::default(),
    ///     mapped_dirs: [("tmp".to_string(), "tmp".into())].into(),
    /// });
    /// config.root_wasi_files_at(std::path::Path::new("/srv"));
    /// assert_eq!(config.wasi.unwrap().mapped_dirs["tmp"], std::path::Path::new("/srv/tmp"));
    /// ```
    pub fn root_wasi_files_at(&mut self, root: &Path) {
        if let Some(wasi) = &mut self.wasi {
            for path in wasi.mapped_dirs.values_mut() {
                *path = root.join(&*path);
            }
        }
    }

    /// strait's settings for a module loaded with this config.
    pub(crate) fn to_settings(&self) -> strait::ModuleSettings {
        let mut mounted: Vec<(String, PathBuf)> = self
            .host_imports
            .values()
            .flatten()
            .map(|(name, import)| (name.clone(), import.mounted_binary_path().to_path_buf()))
            .collect();
        mounted.sort();
        mounted.dedup_by(|a, b| a.0 == b.0);
        let (mut envs, mut mapped_dirs): (Vec<_>, Vec<_>) = match &self.wasi {
            Some(wasi) => (
                wasi.envs.clone().into_iter().collect(),
                wasi.mapped_dirs.clone().into_iter().collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        envs.sort();
        mapped_dirs.sort();
        strait::ModuleSettings {
            logger_enabled: self.logger_enabled,
            logging_mask: self.logging_mask,
            mounted_binaries: mounted,
            envs,
            mapped_dirs,
        }
    }
}

/// A module's WASI settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarineWASIConfig {
    /// Environment variables.
    pub envs: HashMap<String, String>,
    /// Guest directory → host directory; each is also an env var (D58).
    pub mapped_dirs: HashMap<String, PathBuf>,
}

/// A module to load from the file system, and how.
pub struct ModuleDescriptor<WB: WasmBackend> {
    /// A file, or a directory holding [`file_name`](Self::file_name).
    pub load_from: Option<PathBuf>,
    /// The file name inside `load_from` or the config's `modules_dir`.
    pub file_name: String,
    /// The module's name.
    pub import_name: String,
    /// How it is loaded.
    pub config: MarineModuleConfig<WB>,
}

impl<WB: WasmBackend> Default for ModuleDescriptor<WB> {
    fn default() -> Self {
        Self {
            load_from: None,
            file_name: String::new(),
            import_name: String::new(),
            config: MarineModuleConfig::default(),
        }
    }
}

impl<WB: WasmBackend> std::fmt::Debug for ModuleDescriptor<WB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleDescriptor")
            .field("load_from", &self.load_from)
            .field("file_name", &self.file_name)
            .field("import_name", &self.import_name)
            .field("config", &self.config)
            .finish()
    }
}

impl<WB: WasmBackend> ModuleDescriptor<WB> {
    /// The module's file: `load_from` when it is a file, else `file_name` inside
    /// `load_from` or `modules_dir`.
    ///
    /// ```
    /// let module = marine::ModuleDescriptor {
    ///     file_name: "greeting.wasm".into(),
    ///     import_name: "greeting".into(),
    ///     ..Default::default()
    /// };
    /// assert_eq!(
    ///     module.get_path(&Some("artifacts".into())).unwrap(),
    ///     std::path::Path::new("artifacts/greeting.wasm")
    /// );
    /// assert_eq!(
    ///     module.get_path(&None).unwrap_err().to_string(),
    ///     r#"InvalidConfig: "modules_dir" field is not defined, but it is required to load module "greeting""#
    /// );
    /// ```
    pub fn get_path(&self, modules_dir: &Option<PathBuf>) -> MarineResult<PathBuf> {
        match (&self.load_from, modules_dir) {
            (Some(path), _) if path.is_file() => Ok(path.clone()),
            (Some(path), _) => Ok(path.join(&self.file_name)),
            (None, Some(dir)) => Ok(dir.join(&self.file_name)),
            (None, None) => Err(MarineError::InvalidConfig(format!(
                r#""modules_dir" field is not defined, but it is required to load module "{}""#,
                self.import_name
            ))),
        }
    }
}

/// The configuration of a service.
pub struct MarineConfig<WB: WasmBackend> {
    /// The directory modules are looked up in.
    pub modules_dir: Option<PathBuf>,
    /// The memory budget of all modules in bytes; `None` is unlimited.
    pub total_memory_limit: Option<u64>,
    /// The modules, in load order.
    pub modules_config: Vec<ModuleDescriptor<WB>>,
    /// The `[default]` settings, already applied to every entry of `modules_config` when the
    /// config comes from TOML (D31).
    pub default_modules_config: Option<MarineModuleConfig<WB>>,
}

impl<WB: WasmBackend> Default for MarineConfig<WB> {
    fn default() -> Self {
        Self {
            modules_dir: None,
            total_memory_limit: None,
            modules_config: Vec::new(),
            default_modules_config: None,
        }
    }
}

impl<WB: WasmBackend> std::fmt::Debug for MarineConfig<WB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarineConfig")
            .field("modules_dir", &self.modules_dir)
            .field("total_memory_limit", &self.total_memory_limit)
            .field("modules_config", &self.modules_config)
            .field("default_modules_config", &self.default_modules_config)
            .finish()
    }
}

/// An absolute path as written, or a relative one joined to `base` and canonicalized (so it
/// must exist), as Marine resolves config paths.
pub(crate) fn as_relative_to_base(base: Option<&Path>, path: &Path) -> MarineResult<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let path = match base {
        Some(base) => base.join(path),
        None => path.to_path_buf(),
    };
    path.canonicalize().map_err(|e| {
        MarineError::IOError(format!(
            "Failed to canonicalize path {}: {e}",
            path.display()
        ))
    })
}

impl<WB: WasmBackend> TryFrom<TomlMarineConfig> for MarineConfig<WB> {
    type Error = MarineError;

    fn try_from(toml_config: TomlMarineConfig) -> MarineResult<Self> {
        let context = ConfigContext {
            base_path: Some(toml_config.base_path),
        };
        let modules_dir = toml_config
            .modules_dir
            .map(|dir| as_relative_to_base(context.base_path.as_deref(), &dir))
            .transpose()?;
        let defaults = toml_config.default.unwrap_or_default();
        let modules_config = toml_config
            .module
            .into_iter()
            .map(|mut module| {
                module.config = module.config.over(&defaults);
                ModuleDescriptor::try_from(context.wrapped(module))
            })
            .collect::<MarineResult<Vec<_>>>()?;
        Ok(Self {
            modules_dir,
            total_memory_limit: toml_config.total_memory_limit.bytes(),
            modules_config,
            default_modules_config: Some(context.wrapped(defaults).try_into()?),
        })
    }
}

impl<'c, WB: WasmBackend> TryFrom<WithContext<'c, TomlMarineNamedModuleConfig>>
    for ModuleDescriptor<WB>
{
    type Error = MarineError;

    fn try_from(config: WithContext<'c, TomlMarineNamedModuleConfig>) -> MarineResult<Self> {
        let WithContext { context, data } = config;
        let file_name = data
            .file_name
            .unwrap_or_else(|| format!("{}.wasm", data.name));
        let load_from = data
            .load_from
            .map(|path| as_relative_to_base(context.base_path.as_deref(), &path))
            .transpose()?;
        Ok(Self {
            load_from,
            file_name,
            import_name: data.name,
            config: context.wrapped(data.config).try_into()?,
        })
    }
}

impl<'c, WB: WasmBackend> TryFrom<WithContext<'c, TomlMarineModuleConfig>>
    for MarineModuleConfig<WB>
{
    type Error = MarineError;

    fn try_from(config: WithContext<'c, TomlMarineModuleConfig>) -> MarineResult<Self> {
        let WithContext { context, data } = config;
        let mut imports = HashMap::new();
        for (name, program) in data.mounted_binaries.unwrap_or_default() {
            let program: PathBuf = program.try_into()?;
            let program = as_relative_to_base(context.base_path.as_deref(), &program)?;
            imports.insert(name, HostImportDescriptor::mounted_binary(program));
        }
        // Marine offers mounted binaries under every host-API namespace.
        let host_imports = HostAPIVersion::ALL
            .into_iter()
            .map(|version| (version, imports.clone()))
            .collect();
        Ok(Self {
            logger_enabled: data.logger_enabled.unwrap_or(true),
            host_imports,
            wasi: data.wasi.map(MarineWASIConfig::try_from).transpose()?,
            logging_mask: data.logging_mask.unwrap_or(i32::MAX),
        })
    }
}

impl TryFrom<TomlWASIConfig> for MarineWASIConfig {
    type Error = MarineError;

    fn try_from(config: TomlWASIConfig) -> MarineResult<Self> {
        fn entries<T: serde::de::DeserializeOwned>(
            table: Option<TomlValueTable>,
        ) -> MarineResult<HashMap<String, T>> {
            table
                .unwrap_or_default()
                .into_iter()
                .map(|(key, value)| Ok((key, value.try_into()?)))
                .collect()
        }
        Ok(Self {
            envs: entries(config.envs)?,
            mapped_dirs: entries(config.mapped_dirs)?,
        })
    }
}

impl From<std::convert::Infallible> for MarineError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}
