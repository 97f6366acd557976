//! [`ModuleSettings`]: how one module is loaded, with each per-module key declared once.
//!
//! [`for_each_module_setting!`] is the list of the keys a `[[module]]` entry and the `[default]`
//! section of `Config.toml` may set (`spec/service.md` §2). [`ModuleSettings`] is generated from
//! it here, and `config.rs` generates the TOML side from the same list: the serde structs, with
//! every key spelled out as a field so that TOML errors keep their position, and the merge of a
//! module's keys over `[default]`. Adding a key is one row here, plus the code that uses it
//! (`Service::store_config` or `Service::host_funcs`).
//!
//! A row reads `key: Type = default, toml RawType, merge how;` after the key's doc comment and,
//! for a key that needs `std`, `#[cfg(feature = "std")]`. Rows under `module` are keys of the
//! module's table, rows under `wasi` keys of its `wasi` table. `RawType` is what the TOML
//! holds, and `how` names the function of `config.rs` that merges a present key into the
//! setting: `replace` (the key's value wins), `entries` (a table merged per entry, the key's
//! entry winning; values kept as written) or `resolved_entries` (the same, with each value
//! resolved as a config path).

use alloc::string::String;
use alloc::vec::Vec;
#[cfg(feature = "std")]
use std::path::PathBuf;

/// Calls `$mac!` with every per-module key (see the module documentation).
macro_rules! for_each_module_setting {
    ($mac:ident) => {
        $mac! {
            module {
                /// Whether `log_utf8_string` is provided (default true; D42: a module importing
                /// it fails to load without it).
                logger_enabled: bool = true, toml bool, merge replace;
                /// Filters logger targets (`spec/abi.md` §12); `i32::MAX` by default (D32).
                logging_mask: i32 = i32::MAX, toml i32, merge replace;
                /// Mounted binaries: host import name → host program, sorted by name when read
                /// from a config (where a relative program path is relative to the config file).
                #[cfg(feature = "std")]
                mounted_binaries: Vec<(String, PathBuf)> = Vec::new(),
                    toml BTreeMap<String, String>, merge resolved_entries;
            }
            wasi {
                /// WASI environment variables, sorted by name when read from a config.
                envs: Vec<(String, String)> = Vec::new(),
                    toml BTreeMap<String, String>, merge entries;
                /// WASI mapped directories: guest alias → host directory, sorted by alias when
                /// read from a config. Host paths are kept as written: a relative one resolves
                /// against [`ServiceOptions::working_dir`](crate::ServiceOptions::working_dir)
                /// (D61).
                #[cfg(feature = "std")]
                mapped_dirs: Vec<(String, PathBuf)> = Vec::new(),
                    toml BTreeMap<String, String>, merge entries;
            }
        }
    };
}
#[cfg(feature = "std")]
pub(crate) use for_each_module_setting;

/// Generates [`ModuleSettings`] and its `Default` from the key list.
macro_rules! define_module_settings {
    ($(
        $table:ident {
            $(
                $(#[doc = $doc:literal])*
                $(#[cfg($cfg:meta)])?
                $key:ident: $ty:ty = $default:expr, toml $raw:ty, merge $merge:ident;
            )*
        }
    )*) => {
        /// How one module is loaded: the non-file part of a `[[module]]` config entry, with
        /// `[default]` applied.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct ModuleSettings {
            $($(
                $(#[doc = $doc])*
                $(#[cfg($cfg)])?
                pub $key: $ty,
            )*)*
        }

        impl Default for ModuleSettings {
            fn default() -> Self {
                Self {
                    $($(
                        $(#[cfg($cfg)])?
                        $key: $default,
                    )*)*
                }
            }
        }
    };
}

for_each_module_setting!(define_module_settings);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_defaults() {
        let settings = ModuleSettings::default();
        assert!(settings.logger_enabled);
        assert_eq!(settings.logging_mask, i32::MAX);
        assert!(settings.envs.is_empty());
        #[cfg(feature = "std")]
        {
            assert!(settings.mounted_binaries.is_empty());
            assert!(settings.mapped_dirs.is_empty());
        }
    }
}
