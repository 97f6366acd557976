//! `Config.toml`: Marine's service configuration file (`spec/service.md` §2).
//!
//! The schema is Marine's: `total_memory_limit` is required, `modules_dir` and `[[module]]`
//! entries say where each module's file is, and per-module keys set the logger, mounted
//! binaries and WASI. Unknown keys (and the legacy `preopened_files`, `mem_pages_count`,
//! `max_heap_size`) are ignored, as Marine ignores them; [`unknown_keys`] lists them, for a
//! warning. Unlike Marine, `[default]`
//! is applied to every module (D31, §2.3).
//!
//! Paths: `modules_dir`, `load_from` and relative mounted-binary paths are relative to the
//! config file's directory and must exist (they are canonicalized, as Marine does); absolute
//! paths are kept as written. Mapped-dir host paths are kept exactly as written: relative ones
//! resolve against the process working directory when the module is loaded (D61, kept).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::settings::{ModuleSettings, for_each_module_setting};

/// A service's configuration: its memory budget and its modules in load order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceConfig {
    /// Budget in bytes for the memories and tables of all modules; `None` for `"Infinity"`.
    pub total_memory_limit: Option<u64>,
    /// The modules, in load order (dependencies first, facade last).
    pub modules: Vec<ModuleConfig>,
    /// The `[default]` section over the built-in defaults, for modules added later (e.g. by
    /// the REPL's `load`); its `name` and `file` are empty.
    pub defaults: ModuleConfig,
}

/// One module of a service, with `[default]` already applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleConfig {
    /// The service name, which other modules import under; unique within the service.
    pub name: String,
    /// The module's file (`.wasm`, or `.wat` with inline IT annotations), resolved.
    pub file: PathBuf,
    /// Its per-module keys (logger, mounted binaries, WASI), as [`Service::load_module`]
    /// takes them.
    ///
    /// [`Service::load_module`]: crate::Service::load_module
    pub settings: ModuleSettings,
}

/// The WASI keys of a module are fields of [`ModuleSettings`] now (`envs`, `mapped_dirs`), which
/// [`ModuleConfig::settings`] holds.
#[deprecated(note = "the WASI keys are `ModuleSettings::envs` and `ModuleSettings::mapped_dirs`")]
pub type WasiConfig = ModuleSettings;

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file cannot be read.
    #[error("failed to read config file {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is invalid or does not fit the schema, e.g. ``missing field
    /// `total_memory_limit` `` (with its position in the file).
    #[error("{0}")]
    Parse(#[from] toml::de::Error),
    /// A path that must exist (`modules_dir`, `load_from`, a relative mounted binary) does not.
    #[error("failed to canonicalize path {}: {source}", path.display())]
    Path {
        /// The path, joined to the config file's directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Two `[[module]]` entries have the same name.
    #[error("module name \"{0}\" is used by more than one [[module]]")]
    NonUniqueModuleName(String),
    /// A module has no `load_from` and the config no `modules_dir` (Marine's wording).
    #[error("\"modules_dir\" field is not defined, but it is required to load module \"{0}\"")]
    NoModulePath(String),
}

impl ServiceConfig {
    /// Reads and resolves the config file at `path`; relative paths in it are relative to its
    /// directory.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let read_error = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        let path = path.canonicalize().map_err(read_error)?;
        let text = std::fs::read_to_string(&path).map_err(read_error)?;
        let base_dir = path.parent().unwrap_or(Path::new("/"));
        Self::from_toml_str(&text, base_dir)
    }

    /// Parses and resolves a config given as text; relative paths in it are relative to
    /// `base_dir`.
    pub fn from_toml_str(text: &str, base_dir: &Path) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text)?;
        let modules_dir = raw
            .modules_dir
            .map(|dir| resolve(base_dir, Path::new(&dir)))
            .transpose()?;
        let mut defaults = ModuleConfig::default();
        if let Some(default) = &raw.default {
            default.merge_into(&mut defaults.settings, base_dir)?;
        }

        let mut names = BTreeSet::new();
        let mut modules = Vec::with_capacity(raw.module.len());
        for module in raw.module {
            if !names.insert(module.name.clone()) {
                return Err(ConfigError::NonUniqueModuleName(module.name));
            }
            let settings = module.settings();
            let file_name = module
                .file_name
                .unwrap_or_else(|| format!("{}.wasm", module.name));
            let file = match (&module.load_from, &modules_dir) {
                (Some(load_from), _) => {
                    let load_from = resolve(base_dir, Path::new(load_from))?;
                    if load_from.is_file() {
                        load_from
                    } else {
                        load_from.join(file_name)
                    }
                }
                (None, Some(dir)) => dir.join(file_name),
                (None, None) => return Err(ConfigError::NoModulePath(module.name)),
            };
            let mut config = ModuleConfig {
                name: module.name,
                file,
                settings: defaults.settings.clone(),
            };
            settings.merge_into(&mut config.settings, base_dir)?;
            modules.push(config);
        }

        Ok(Self {
            total_memory_limit: raw.total_memory_limit.0,
            modules,
            defaults,
        })
    }
}

/// A key of a `Config.toml` that strait does not use, found by [`unknown_keys`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The key as written.
    pub key: String,
    /// Where it sits: `top level`, `[default]`, `[[module]] "name"` or their `wasi` table.
    pub table: String,
    /// Its 1-based line in the file.
    pub line: usize,
    /// A key that older Marine versions read and Marine 0.37 dropped (`mem_pages_count`,
    /// `max_heap_size`, `preopened_files`): shipped configs still carry it, so it is no typo.
    pub legacy: bool,
    /// The known key of the same table nearest to it, when one is close (a likely typo).
    pub nearest: Option<&'static str>,
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (key, table, line) = (&self.key, &self.table, self.line);
        if self.legacy {
            return write!(
                f,
                "note: key `{key}` ({table}, line {line}) is no longer read since Marine 0.37; \
                 it is ignored and can be removed"
            );
        }
        write!(
            f,
            "warning: unknown key `{key}` ({table}, line {line}) is ignored"
        )?;
        if let Some(near) = self.nearest {
            write!(f, "; did you mean `{near}`?")?;
        }
        Ok(())
    }
}

/// Lists the keys `Config.toml` text sets that strait does not read, in file order, so that a
/// typo such as `loger_enabled` can be reported instead of silently ignored (Marine ignores
/// them, and so does [`ServiceConfig::from_toml_str`]). The contents of the free-form tables
/// (`envs`, `mapped_dirs`, `mounted_binaries`) are not checked. Text that is not valid TOML
/// gives no keys: the parse error is [`ServiceConfig`]'s to report.
pub fn unknown_keys(text: &str) -> Vec<UnknownKey> {
    use toml::de::{DeTable, DeValue};
    macro_rules! key_names {
        (
            module { $( $(#[doc = $md:literal])* $(#[cfg($mc:meta)])?
                $mkey:ident: $mty:ty = $mdef:expr, toml $mraw:ty, merge $mm:ident; )* }
            wasi { $( $(#[doc = $wd:literal])* $(#[cfg($wc:meta)])?
                $wkey:ident: $wty:ty = $wdef:expr, toml $wraw:ty, merge $wm:ident; )* }
        ) => {
            (&[$(stringify!($mkey)),*], &[$(stringify!($wkey)),*])
        };
    }
    let (module_keys, wasi_keys): (&[&'static str], &[&'static str]) =
        for_each_module_setting!(key_names);
    const LEGACY_MODULE: &[&str] = &["mem_pages_count", "max_heap_size"];
    const LEGACY_WASI: &[&str] = &["preopened_files"];

    let Ok(root) = DeTable::parse(text) else {
        return Vec::new();
    };
    let line_of = |offset: usize| {
        text.get(..offset)
            .map_or(1, |t| t.matches('\n').count() + 1)
    };
    let mut found = Vec::new();
    let mut check = |table: &DeTable<'_>, known: &[&'static str], legacy: &[&str], name: &str| {
        for (key, _) in table.iter() {
            let key_text: &str = key.get_ref();
            if known.contains(&key_text) {
                continue;
            }
            found.push(UnknownKey {
                key: key_text.to_owned(),
                table: name.to_owned(),
                line: line_of(key.span().start),
                legacy: legacy.contains(&key_text),
                nearest: if legacy.contains(&key_text) {
                    None
                } else {
                    crate::nearest::nearest(key_text, known.iter().copied())
                },
            });
        }
    };
    let root = root.get_ref();
    check(
        root,
        &["modules_dir", "total_memory_limit", "module", "default"],
        &[],
        "top level",
    );
    let mut module_tables = |table: &DeTable<'_>, name: String, named: bool| {
        let mut known: Vec<&'static str> = module_keys.to_vec();
        known.push("wasi");
        if named {
            known.extend(["name", "file_name", "load_from"]);
        }
        check(table, &known, LEGACY_MODULE, &name);
        if let Some(DeValue::Table(wasi)) = table.get("wasi").map(|v| v.get_ref()) {
            check(wasi, wasi_keys, LEGACY_WASI, &format!("{name}.wasi"));
        }
    };
    if let Some(DeValue::Table(default)) = root.get("default").map(|v| v.get_ref()) {
        module_tables(default, "[default]".to_owned(), false);
    }
    if let Some(DeValue::Array(modules)) = root.get("module").map(|v| v.get_ref()) {
        for module in modules.iter() {
            if let DeValue::Table(table) = module.get_ref() {
                let name = match table.get("name").map(|v| v.get_ref()) {
                    Some(DeValue::String(name)) => format!("[[module]] \"{name}\""),
                    _ => "[[module]]".to_owned(),
                };
                module_tables(table, name, true);
            }
        }
    }
    found.sort_by_key(|key| key.line);
    found
}

/// An absolute path as written, or a relative one joined to `base` and canonicalized (so it
/// must exist), as Marine resolves config paths.
fn resolve(base: &Path, path: &Path) -> Result<PathBuf, ConfigError> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let joined = base.join(path);
    joined.canonicalize().map_err(|source| ConfigError::Path {
        path: joined,
        source,
    })
}

#[derive(Deserialize)]
struct RawConfig {
    modules_dir: Option<String>,
    total_memory_limit: MemoryLimit,
    // Marine requires at least the key; an empty service is harmless and useful (a REPL
    // starting empty), so a config without modules is accepted.
    #[serde(default)]
    module: Vec<RawNamedModule>,
    default: Option<RawModule>,
}

/// Generates, from the key list (`settings.rs`), the serde structs of a `[[module]]` entry, of
/// `[default]` and of their `wasi` tables, and the merge of their keys into [`ModuleSettings`].
macro_rules! define_raw_settings {
    (
        module { $(
            $(#[doc = $mdoc:literal])*
            $(#[cfg($mcfg:meta)])?
            $mkey:ident: $mty:ty = $mdefault:expr, toml $mraw:ty, merge $mmerge:ident;
        )* }
        wasi { $(
            $(#[doc = $wdoc:literal])*
            $(#[cfg($wcfg:meta)])?
            $wkey:ident: $wty:ty = $wdefault:expr, toml $wraw:ty, merge $wmerge:ident;
        )* }
    ) => {
        /// A `[[module]]` entry: its name and file, then the keys a `[default]` section may also
        /// set. Spelled out rather than flattened, so that type errors keep their position in
        /// the file.
        #[derive(Deserialize)]
        struct RawNamedModule {
            name: String,
            file_name: Option<String>,
            load_from: Option<String>,
            $( $(#[cfg($mcfg)])? $mkey: Option<$mraw>, )*
            wasi: Option<RawWasi>,
        }

        /// The `[default]` section, or the keys of a `[[module]]` entry it may also set.
        #[derive(Deserialize)]
        struct RawModule {
            $( $(#[cfg($mcfg)])? $mkey: Option<$mraw>, )*
            wasi: Option<RawWasi>,
        }

        /// A `wasi` table.
        #[derive(Deserialize, Clone)]
        struct RawWasi {
            $( $(#[cfg($wcfg)])? $wkey: Option<$wraw>, )*
        }

        impl RawNamedModule {
            /// The keys of this entry that `[default]` may also set.
            fn settings(&self) -> RawModule {
                RawModule {
                    $( $(#[cfg($mcfg)])? $mkey: self.$mkey.clone(), )*
                    wasi: self.wasi.clone(),
                }
            }
        }

        impl RawModule {
            /// Overrides `settings` with the keys this sets, each merged as its row says.
            fn merge_into(
                &self,
                settings: &mut ModuleSettings,
                base_dir: &Path,
            ) -> Result<(), ConfigError> {
                $(
                    $(#[cfg($mcfg)])?
                    if let Some(value) = &self.$mkey {
                        $mmerge(&mut settings.$mkey, value, base_dir)?;
                    }
                )*
                if let Some(wasi) = &self.wasi {
                    $(
                        $(#[cfg($wcfg)])?
                        if let Some(value) = &wasi.$wkey {
                            $wmerge(&mut settings.$wkey, value, base_dir)?;
                        }
                    )*
                }
                Ok(())
            }
        }
    };
}

for_each_module_setting!(define_raw_settings);

/// `merge replace`: the key's value wins.
fn replace<T: Clone>(setting: &mut T, value: &T, _base_dir: &Path) -> Result<(), ConfigError> {
    *setting = value.clone();
    Ok(())
}

/// `merge entries`: the table merged into the setting per entry, the table's entry winning;
/// values kept as written.
fn entries<V: for<'a> From<&'a str>>(
    setting: &mut Vec<(String, V)>,
    table: &BTreeMap<String, String>,
    _base_dir: &Path,
) -> Result<(), ConfigError> {
    merge_entries(setting, table, |value| Ok(V::from(value)))
}

/// `merge resolved_entries`: as `entries`, with each value a path resolved against the config
/// file's directory (see [`resolve`]).
fn resolved_entries(
    setting: &mut Vec<(String, PathBuf)>,
    table: &BTreeMap<String, String>,
    base_dir: &Path,
) -> Result<(), ConfigError> {
    merge_entries(setting, table, |path| resolve(base_dir, Path::new(path)))
}

/// Merges `table` into `setting` per entry, `table`'s entry winning; the result is sorted by
/// name. Values are converted in name order, so the first failing one is the error.
fn merge_entries<V>(
    setting: &mut Vec<(String, V)>,
    table: &BTreeMap<String, String>,
    value: impl Fn(&str) -> Result<V, ConfigError>,
) -> Result<(), ConfigError> {
    let mut merged: BTreeMap<String, V> = core::mem::take(setting).into_iter().collect();
    for (name, raw) in table {
        merged.insert(name.clone(), value(raw)?);
    }
    *setting = merged.into_iter().collect();
    Ok(())
}

/// `total_memory_limit`: `"Infinity"`/`"infinity"` (`None`), a byte-size string, or an integer
/// number of bytes.
struct MemoryLimit(Option<u64>);

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
                    "Infinity" | "infinity" => Ok(MemoryLimit(None)),
                    size => parse_byte_size(size)
                        .map(|bytes| MemoryLimit(Some(bytes)))
                        .map_err(E::custom),
                }
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<MemoryLimit, E> {
                u64::try_from(value)
                    .map(|bytes| MemoryLimit(Some(bytes)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<MemoryLimit, E> {
                Ok(MemoryLimit(Some(value)))
            }
        }

        deserializer.deserialize_any(LimitVisitor)
    }
}

/// A byte size as Marine's `bytesize` crate reads it: an integer number of bytes, or a number
/// (fractions allowed), optional whitespace, and a unit: `B`, `K`/`KB`, `KiB`/`Ki`, `M`/`MB`,
/// `Mi`/`MiB`, `G`/`GB`, `Gi`/`GiB`, `T`…, `P`… in any case (`KB` = 1000, `KiB` = 1024).
///
/// Stricter than `bytesize` in one respect: a size that does not fit in a `u64` is an error
/// rather than saturating.
pub fn parse_byte_size(text: &str) -> Result<u64, String> {
    if let Ok(bytes) = text.parse::<u64>() {
        return Ok(bytes);
    }
    let number_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, rest) = text.split_at(number_len);
    let not_a_size = || format!("couldn't parse {text:?} into a byte size");
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return Err(not_a_size());
    }
    let unit = rest.trim_start();
    let scale: u128 = match unit.to_ascii_lowercase().as_str() {
        "b" => 1,
        "k" | "kb" => 1_000,
        "ki" | "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mi" | "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gi" | "gib" => 1 << 30,
        "t" | "tb" => 1_000_000_000_000,
        "ti" | "tib" => 1 << 40,
        "p" | "pb" => 1_000_000_000_000_000,
        "pi" | "pib" => 1 << 50,
        _ => {
            return Err(format!(
                "couldn't parse unit {unit:?} of byte size {text:?}"
            ));
        }
    };
    let too_big = || format!("byte size {text:?} does not fit in 64 bits");
    // Decimal arithmetic rather than bytesize's f64, so sizes are exact; a fraction of a byte
    // rounds down, as in bytesize. Fraction digits past the 18th are dropped, which keeps the
    // product within u128 and can only matter for sizes written with absurd precision.
    let whole: u128 = match whole {
        "" => 0,
        digits => digits.parse().map_err(|_| too_big())?,
    };
    let fraction = fraction.get(..18).unwrap_or(fraction);
    let fraction_bytes = match fraction {
        "" => 0,
        digits => {
            let numerator: u128 = digits.parse().map_err(|_| not_a_size())?;
            let exponent = u32::try_from(digits.len()).map_err(|_| not_a_size())?;
            numerator * scale / 10u128.pow(exponent)
        }
    };
    let bytes = whole
        .checked_mul(scale)
        .and_then(|bytes| bytes.checked_add(fraction_bytes));
    bytes
        .and_then(|bytes| u64::try_from(bytes).ok())
        .ok_or_else(too_big)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("strait-config-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir.canonicalize().unwrap())
        }

        fn file(&self, relative: &str) -> PathBuf {
            let path = self.0.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"\0asm").unwrap();
            path
        }

        fn dir(&self, relative: &str) -> PathBuf {
            let path = self.0.join(relative);
            std::fs::create_dir_all(&path).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn parse(text: &str, base: &Path) -> Result<ServiceConfig, String> {
        ServiceConfig::from_toml_str(text, base).map_err(|e| e.to_string())
    }

    #[test]
    fn byte_sizes() {
        let ok = |text: &str| parse_byte_size(text).unwrap();
        assert_eq!(ok("10 MiB"), 10 << 20);
        assert_eq!(ok("64 MiB"), 64 << 20);
        assert_eq!(ok("1 GiB"), 1 << 30);
        assert_eq!(ok("1GiB"), 1 << 30);
        assert_eq!(ok("500 KB"), 500_000);
        assert_eq!(ok("500 kb"), 500_000);
        assert_eq!(ok("2 mib"), 2 << 20);
        assert_eq!(ok("3 K"), 3000);
        assert_eq!(ok("3 Ki"), 3072);
        assert_eq!(ok("7 B"), 7);
        assert_eq!(ok("1.5 KiB"), 1536);
        assert_eq!(ok("0.1 KB"), 100);
        assert_eq!(ok(".5 KiB"), 512);
        assert_eq!(ok("1048576"), 1_048_576);
        assert_eq!(ok("18446744073709551615"), u64::MAX);
        assert_eq!(ok("16 PiB"), 16 << 50);
        for bad in [
            "",
            " 10 MiB",
            "MiB",
            "1.5",
            "10 XB",
            "1.2.3 KB",
            "-1 KiB",
            "Infinity ",
        ] {
            assert!(parse_byte_size(bad).is_err(), "{bad:?}");
        }
        assert!(parse_byte_size("20000 PiB").is_err());
        assert!(parse_byte_size("18446744073709551616").is_err());
    }

    #[test]
    fn memory_limit_forms() {
        let dir = TempDir::new("limits");
        let limit = |value: &str| {
            parse(&format!("total_memory_limit = {value}\n"), &dir.0).map(|c| c.total_memory_limit)
        };
        assert_eq!(limit("\"Infinity\""), Ok(None));
        assert_eq!(limit("\"infinity\""), Ok(None));
        assert_eq!(limit("\"10 MiB\""), Ok(Some(10 << 20)));
        assert_eq!(limit("1048576"), Ok(Some(1 << 20)));
        assert_eq!(limit("0"), Ok(Some(0)));
        assert!(limit("\"INFINITY\"").is_err());
        assert!(limit("-1").is_err());
        assert!(limit("1.5").is_err());
        assert!(limit("true").is_err());
        let missing =
            parse("modules_dir = \".\"\n\n[[module]]\nname = \"m\"\n", &dir.0).unwrap_err();
        assert!(
            missing.contains("missing field `total_memory_limit`"),
            "{missing}"
        );
    }

    #[test]
    fn module_file_resolution() {
        let dir = TempDir::new("resolution");
        dir.file("mods/a.wasm");
        dir.file("mods/renamed.wasm");
        dir.file("elsewhere/c.wasm");
        dir.file("single/file.wat");
        let config = parse(
            r#"
            modules_dir = "mods"
            total_memory_limit = "64 MiB"
            [[module]]
            name = "a"
            [[module]]
            name = "b"
            file_name = "renamed.wasm"
            [[module]]
            name = "c"
            load_from = "elsewhere"
            [[module]]
            name = "d"
            load_from = "single/file.wat"
            "#,
            &dir.0,
        )
        .unwrap();
        let files: Vec<_> = config
            .modules
            .iter()
            .map(|m| (m.name.as_str(), m.file.clone()))
            .collect();
        assert_eq!(
            files,
            [
                ("a", dir.0.join("mods/a.wasm")),
                ("b", dir.0.join("mods/renamed.wasm")),
                ("c", dir.0.join("elsewhere/c.wasm")),
                ("d", dir.0.join("single/file.wat")),
            ]
        );
        assert_eq!(config.total_memory_limit, Some(64 << 20));
    }

    #[test]
    fn path_errors() {
        let dir = TempDir::new("path-errors");
        let no_dir = parse(
            "total_memory_limit = \"1 MiB\"\n[[module]]\nname = \"m\"\n",
            &dir.0,
        );
        assert_eq!(
            no_dir.unwrap_err(),
            "\"modules_dir\" field is not defined, but it is required to load module \"m\""
        );
        let missing = parse(
            "modules_dir = \"nope\"\ntotal_memory_limit = \"1 MiB\"\n",
            &dir.0,
        )
        .unwrap_err();
        assert!(
            missing.starts_with("failed to canonicalize path"),
            "{missing}"
        );
        let duplicate = parse(
            "modules_dir = \".\"\ntotal_memory_limit = 1\n[[module]]\nname = \"m\"\n[[module]]\nname = \"m\"\n",
            &dir.0,
        )
        .unwrap_err();
        assert_eq!(
            duplicate,
            "module name \"m\" is used by more than one [[module]]"
        );
        let absolute = format!(
            "modules_dir = {:?}\ntotal_memory_limit = 1\n[[module]]\nname = \"m\"\n",
            dir.0.display().to_string()
        );
        assert_eq!(
            parse(&absolute, Path::new("/nonexistent")).unwrap().modules[0].file,
            dir.0.join("m.wasm")
        );
    }

    #[test]
    fn module_keys_and_defaults() {
        let dir = TempDir::new("keys");
        dir.dir("mods");
        dir.file("bin/tool");
        let config = parse(
            r#"
            modules_dir = "mods"
            total_memory_limit = "Infinity"
            random_field = 1

            [[module]]
            name = "plain"

            [[module]]
            name = "custom"
            logger_enabled = false
            logging_mask = 5
            total_memory_limit = "1 KiB"
            mem_pages_count = 100
            [module.mounted_binaries]
            curl = "/usr/bin/curl"
            tool = "bin/tool"
            [module.wasi]
            envs = { KEY = "value", SHARED = "module" }
            mapped_dirs = { "sites" = "./sites", "/abs" = "/tmp/x" }
            preopened_files = ["./sites"]

            [default]
            name = "ignored"
            file_name = "ignored.wasm"
            logging_mask = 3
            [default.mounted_binaries]
            curl = "/opt/curl"
            ls = "/bin/ls"
            [default.wasi]
            envs = { SHARED = "default", ONLY_DEFAULT = "1" }
            mapped_dirs = { "tmp" = "../tmp" }
            "#,
            &dir.0,
        )
        .unwrap();
        assert_eq!(config.total_memory_limit, None);
        let [plain, custom] = &config.modules[..] else {
            panic!("two modules expected")
        };
        // D31: [default] applies where the module says nothing; built-ins below it.
        assert!(plain.settings.logger_enabled);
        assert_eq!(plain.settings.logging_mask, 3);
        assert_eq!(
            plain.settings.mounted_binaries,
            [
                ("curl".into(), "/opt/curl".into()),
                ("ls".into(), "/bin/ls".into())
            ]
        );
        assert_eq!(
            plain.settings.envs,
            [
                ("ONLY_DEFAULT".into(), "1".into()),
                ("SHARED".into(), "default".into())
            ]
        );
        assert_eq!(
            plain.settings.mapped_dirs,
            [("tmp".into(), PathBuf::from("../tmp"))]
        );
        assert_eq!(plain.file, dir.0.join("mods/plain.wasm"));

        assert!(!custom.settings.logger_enabled);
        assert_eq!(custom.settings.logging_mask, 5);
        assert_eq!(
            custom.settings.mounted_binaries,
            [
                ("curl".into(), "/usr/bin/curl".into()),
                ("ls".into(), "/bin/ls".into()),
                ("tool".into(), dir.0.join("bin/tool")),
            ]
        );
        assert_eq!(
            custom.settings.envs,
            [
                ("KEY".into(), "value".into()),
                ("ONLY_DEFAULT".into(), "1".into()),
                ("SHARED".into(), "module".into()),
            ]
        );
        // D61: relative mapped dirs stay relative.
        assert_eq!(
            custom.settings.mapped_dirs,
            [
                ("/abs".into(), PathBuf::from("/tmp/x")),
                ("sites".into(), PathBuf::from("./sites")),
                ("tmp".into(), PathBuf::from("../tmp")),
            ]
        );
        assert_eq!(config.defaults.settings.logging_mask, 3);
        assert_eq!(config.defaults.name, "");
    }

    #[test]
    fn built_in_defaults() {
        let module = ModuleConfig::default();
        assert!(module.settings.logger_enabled);
        assert_eq!(module.settings.logging_mask, i32::MAX);
        let dir = TempDir::new("builtin");
        let config = parse(
            "modules_dir = \".\"\ntotal_memory_limit = \"1 MiB\"\n[[module]]\nname = \"m\"\n",
            &dir.0,
        )
        .unwrap();
        assert_eq!(config.modules[0].settings.logging_mask, i32::MAX);
        assert!(config.modules[0].settings.logger_enabled);
        assert!(config.modules[0].settings.mounted_binaries.is_empty());
        assert!(config.modules[0].settings.envs.is_empty());
        assert!(config.modules[0].settings.mapped_dirs.is_empty());
        assert_eq!(config.modules[0].settings, ModuleSettings::default());
        let empty = parse("total_memory_limit = \"1 MiB\"\n", &dir.0).unwrap();
        assert!(empty.modules.is_empty());
    }

    #[test]
    fn type_errors() {
        let dir = TempDir::new("types");
        for bad in [
            "logging_mask = 2147483648",
            "logging_mask = \"5\"",
            "logger_enabled = 1",
            "wasi = { envs = { N = 1 } }",
            "mounted_binaries = { curl = 1 }",
        ] {
            let text = format!(
                "modules_dir = \".\"\ntotal_memory_limit = 1\n[[module]]\nname = \"m\"\n{bad}\n"
            );
            // Each key is a field of its own (not flattened), so the error points at it.
            let error = parse(&text, &dir.0).unwrap_err();
            assert!(error.contains("line 5"), "{bad}: {error}");
        }
        assert!(
            parse(
                "total_memory_limit = 1\n[[module]]\nfile_name = \"x\"\n",
                &dir.0
            )
            .is_err()
        );
        assert!(parse("total_memory_limit = \n", &dir.0).is_err());
    }

    #[test]
    fn relative_mounted_binaries_must_exist() {
        let dir = TempDir::new("binaries");
        let text = "modules_dir = \".\"\ntotal_memory_limit = 1\n[[module]]\nname = \"m\"\n\
                    [module.mounted_binaries]\ntool = \"bin/missing\"\n";
        assert!(
            parse(text, &dir.0)
                .unwrap_err()
                .starts_with("failed to canonicalize path")
        );
    }

    #[test]
    fn from_file_resolves_against_the_file() {
        let dir = TempDir::new("from-file");
        dir.file("mods/m.wasm");
        let path = dir.0.join("sub/Config.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            "modules_dir = \"../mods\"\ntotal_memory_limit = \"1 MiB\"\n[[module]]\nname = \"m\"\n",
        )
        .unwrap();
        let config = ServiceConfig::from_file(&path).unwrap();
        assert_eq!(config.modules[0].file, dir.0.join("mods/m.wasm"));
        let missing = ServiceConfig::from_file(dir.0.join("none.toml")).unwrap_err();
        assert!(matches!(missing, ConfigError::Read { .. }));
    }

    /// Every golden config and every example config: loads where Marine loaded, and the
    /// field-absent one fails to parse.
    #[test]
    fn golden_configs() {
        let shared = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
        let Ok(configs) = std::fs::read_dir(shared.join("golden/configs")) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "golden configs missing under CI"
            );
            std::eprintln!("skipping: no golden configs under {}", shared.display());
            return;
        };
        let mut paths: Vec<PathBuf> = configs.map(|entry| entry.unwrap().path()).collect();
        for example in [
            "call_parameters",
            "failing",
            "greeting",
            "greeting_record",
            "ipfs-node",
            "records",
            "records_passing",
            "url-downloader",
        ] {
            paths.push(shared.join("artifacts").join(example).join("Config.toml"));
        }
        let mut checked = 0;
        for path in paths {
            let result = ServiceConfig::from_file(&path);
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "greeting.nolimit_field_absent.toml" {
                let error = result.unwrap_err().to_string();
                assert!(
                    error.contains("missing field `total_memory_limit`"),
                    "{error}"
                );
                checked += 1;
                continue;
            }
            let config = result.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for module in &config.modules {
                assert!(
                    module.file.is_file() || name.contains("corrupted"),
                    "{}: {} not found",
                    path.display(),
                    module.file.display()
                );
            }
            checked += 1;
        }
        assert_eq!(checked, 26);

        let url =
            ServiceConfig::from_file(shared.join("golden/configs/url-downloader.toml")).unwrap();
        assert_eq!(url.total_memory_limit, Some(10 << 20));
        let names: Vec<_> = url.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["local_storage", "curl_adapter", "facade"]);
        assert_eq!(
            url.modules[0].settings.mapped_dirs,
            [("sites".into(), PathBuf::from("../data/sites"))]
        );
        assert_eq!(
            url.modules[1].settings.mounted_binaries,
            [("curl".into(), PathBuf::from("/usr/bin/curl"))]
        );
        let nolimit =
            ServiceConfig::from_file(shared.join("golden/configs/greeting.nolimit.toml")).unwrap();
        assert_eq!(nolimit.total_memory_limit, None);
        assert!(!nolimit.modules[0].settings.logger_enabled);
        let renamed =
            ServiceConfig::from_file(shared.join("artifacts/records_passing/Config.toml")).unwrap();
        assert_eq!(renamed.modules[0].name, "records_passing_effector");
        assert!(
            renamed.modules[0]
                .file
                .ends_with("records_passing_effector_renamed.wasm")
        );
        let trace = ServiceConfig::from_file(
            shared.join("golden/configs/greeting_record.wasm_log_trace.toml"),
        )
        .unwrap();
        assert_eq!(
            trace.modules[0].settings.envs,
            [("WASM_LOG".into(), "trace".into())]
        );
        let mask = ServiceConfig::from_file(
            shared.join("golden/configs/greeting_record.logging_mask0.toml"),
        )
        .unwrap();
        assert_eq!(mask.modules[0].settings.logging_mask, 0);
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let text = "modules_dir = \".\"\ntotal_memory_limit = \"Infinity\"\nmodule_dir = 1\n\n\
                    [default]\nlogger_enabled = true\n\n[[module]]\nname = \"a\"\n\
                    loger_enabled = false\nmem_pages_count = 100\n[module.wasi]\n\
                    preopened_files = [\"/tmp\"]\nenvz = {}\nenvs = { A = \"1\" }\n";
        let keys = unknown_keys(text);
        let summary: Vec<(&str, &str, usize, bool, Option<&str>)> = keys
            .iter()
            .map(|k| {
                (
                    k.key.as_str(),
                    k.table.as_str(),
                    k.line,
                    k.legacy,
                    k.nearest,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("module_dir", "top level", 3, false, Some("modules_dir")),
                (
                    "loger_enabled",
                    "[[module]] \"a\"",
                    10,
                    false,
                    Some("logger_enabled")
                ),
                ("mem_pages_count", "[[module]] \"a\"", 11, true, None),
                ("preopened_files", "[[module]] \"a\".wasi", 13, true, None),
                ("envz", "[[module]] \"a\".wasi", 14, false, Some("envs")),
            ]
        );
        assert_eq!(
            keys[1].to_string(),
            "warning: unknown key `loger_enabled` ([[module]] \"a\", line 10) is ignored; did you \
             mean `logger_enabled`?"
        );
        assert!(
            keys[2]
                .to_string()
                .starts_with("note: key `mem_pages_count`")
        );
        // The free-form tables are not checked, and invalid TOML is left to the parser.
        assert!(
            unknown_keys("total_memory_limit = 1\n[default.wasi.envs]\nANY = \"x\"\n").is_empty()
        );
        assert!(unknown_keys("this is = not toml =").is_empty());
    }
}
