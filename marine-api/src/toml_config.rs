//! `Config.toml` as Marine's API reads it: [`TomlMarineConfig`] and its parts, with public
//! fields a program may change before turning the config into a
//! [`MarineConfig`](crate::generic::MarineConfig).

use crate::errors::{MarineError, MarineResult};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// A TOML value (toml's `Value`, re-exported so users need not depend on the same toml).
pub type TomlValue = toml::Value;
/// A TOML table.
pub type TomlValueTable = toml::value::Table;

/// A whole `Config.toml`.
///
/// ```
/// let config: marine::TomlMarineConfig = toml::from_str(
///     r#"
///     modules_dir = "artifacts"
///     total_memory_limit = "10 MiB"
///     [[module]]
///     name = "greeting"
///     logger_enabled = false
///     "#,
/// )
/// .unwrap();
/// assert_eq!(config.module[0].name, "greeting");
/// assert_eq!(config.module[0].config.logger_enabled, Some(false));
/// ```
#[derive(Deserialize, Serialize, Debug, Clone, Default)]
pub struct TomlMarineConfig {
    /// The directory modules are looked up in, relative to [`base_path`](Self::base_path).
    pub modules_dir: Option<PathBuf>,
    /// The memory budget of the service (required, as in Marine).
    pub total_memory_limit: MemoryLimit,
    /// The modules, in load order. May be absent (Marine requires the key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub module: Vec<TomlMarineNamedModuleConfig>,
    /// The `[default]` section; strait applies it to every module (D31).
    pub default: Option<TomlMarineModuleConfig>,
    /// The directory relative paths are relative to: the config file's directory after
    /// [`load`](Self::load), empty (the working directory) when deserialized directly.
    #[serde(skip)]
    pub base_path: PathBuf,
}

impl TomlMarineConfig {
    /// Reads the config file at `path`; relative paths in it are relative to its directory.
    ///
    /// ```
    /// let error = marine::TomlMarineConfig::load("no/such/Config.toml").unwrap_err();
    /// assert!(error.to_string().starts_with("IOError: failed to canonicalize path no/such/Config.toml"));
    /// ```
    pub fn load<P: AsRef<Path>>(path: P) -> MarineResult<Self> {
        let path = path.as_ref().canonicalize().map_err(|e| {
            MarineError::IOError(format!(
                "failed to canonicalize path {}: {e}",
                path.as_ref().display()
            ))
        })?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| MarineError::IOError(format!("failed to load {}: {e}", path.display())))?;
        let mut config: Self = toml::from_str(&text)?;
        config.base_path = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        Ok(config)
    }
}

/// A `[[module]]` entry: its name, where its file is, and its settings.
#[derive(Deserialize, Serialize, Debug, Clone, Default)]
pub struct TomlMarineNamedModuleConfig {
    /// The module's name, which other modules import under.
    pub name: String,
    /// A file, or a directory holding [`file_name`](Self::file_name).
    #[serde(default)]
    pub load_from: Option<PathBuf>,
    /// The file name; `<name>.wasm` when absent.
    #[serde(default)]
    pub file_name: Option<String>,
    /// The module's settings.
    #[serde(flatten)]
    pub config: TomlMarineModuleConfig,
}

/// The settings of a module (or of `[default]`).
#[derive(Deserialize, Serialize, Debug, Clone, Default)]
pub struct TomlMarineModuleConfig {
    /// Whether the module gets `log_utf8_string` (true when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logger_enabled: Option<bool>,
    /// The logger's target mask (`i32::MAX` when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_mask: Option<i32>,
    /// The WASI settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wasi: Option<TomlWASIConfig>,
    /// Host programs the module may run: import name → program path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mounted_binaries: Option<TomlValueTable>,
}

/// A module's `wasi` table.
#[derive(Deserialize, Serialize, Debug, Clone, Default)]
pub struct TomlWASIConfig {
    /// Environment variables.
    pub envs: Option<TomlValueTable>,
    /// Guest directory → host directory (relative host paths are relative to the working
    /// directory, D61).
    pub mapped_dirs: Option<TomlValueTable>,
}

impl TomlMarineModuleConfig {
    /// These settings over `defaults`: a key this sets wins, tables merge per entry (D31).
    pub(crate) fn over(mut self, defaults: &Self) -> Self {
        self.logger_enabled = self.logger_enabled.or(defaults.logger_enabled);
        self.logging_mask = self.logging_mask.or(defaults.logging_mask);
        self.mounted_binaries = merge_tables(self.mounted_binaries, &defaults.mounted_binaries);
        self.wasi = match (self.wasi, &defaults.wasi) {
            (Some(wasi), Some(default)) => Some(TomlWASIConfig {
                envs: merge_tables(wasi.envs, &default.envs),
                mapped_dirs: merge_tables(wasi.mapped_dirs, &default.mapped_dirs),
            }),
            (wasi, default) => wasi.or_else(|| default.clone()),
        };
        self
    }
}

fn merge_tables(
    own: Option<TomlValueTable>,
    default: &Option<TomlValueTable>,
) -> Option<TomlValueTable> {
    match (own, default) {
        (Some(mut own), Some(default)) => {
            for (key, value) in default {
                own.entry(key.clone()).or_insert_with(|| value.clone());
            }
            Some(own)
        }
        (own, default) => own.or_else(|| default.clone()),
    }
}

/// `total_memory_limit`: `"Infinity"` or a byte size (`"10 MiB"`, or a number of bytes).
///
/// ```
/// use marine::MemoryLimit;
/// #[derive(serde::Deserialize)]
/// struct Limit { limit: MemoryLimit }
/// let limit = |text: &str| toml::from_str::<Limit>(text).map(|l| l.limit);
/// assert_eq!(limit("limit = \"Infinity\"").unwrap(), MemoryLimit::Infinity);
/// assert_eq!(limit("limit = \"2 KiB\"").unwrap(), MemoryLimit::Value(2048));
/// assert_eq!(limit("limit = 100").unwrap(), MemoryLimit::Value(100));
/// assert!(limit("limit = \"lots\"").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemoryLimit {
    /// No limit.
    #[default]
    Infinity,
    /// A limit in bytes.
    Value(u64),
}

impl MemoryLimit {
    /// The limit in bytes; `None` for no limit.
    pub fn bytes(self) -> Option<u64> {
        match self {
            Self::Infinity => None,
            Self::Value(bytes) => Some(bytes),
        }
    }
}

impl<'de> Deserialize<'de> for MemoryLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LimitVisitor;

        impl Visitor<'_> for LimitVisitor {
            type Value = MemoryLimit;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"Infinity\", a byte size such as \"64 MiB\", or a number of bytes")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<MemoryLimit, E> {
                match value {
                    "Infinity" | "infinity" => Ok(MemoryLimit::Infinity),
                    size => strait::config::parse_byte_size(size)
                        .map(MemoryLimit::Value)
                        .map_err(E::custom),
                }
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<MemoryLimit, E> {
                u64::try_from(value)
                    .map(MemoryLimit::Value)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<MemoryLimit, E> {
                Ok(MemoryLimit::Value(value))
            }
        }

        deserializer.deserialize_any(LimitVisitor)
    }
}

impl Serialize for MemoryLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Infinity => serializer.serialize_str("Infinity"),
            Self::Value(bytes) => serializer.serialize_u64(*bytes),
        }
    }
}
