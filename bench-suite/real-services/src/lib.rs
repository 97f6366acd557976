//! Fluence's production services, from their crates.io distro packages (Apache-2.0): spell
//! (with sqlite3), registry (with sqlite3), trust-graph (with sqlite3) and aqua-ipfs. Each is
//! written to a directory of its own as a node would run it: its modules as `<name>.wasm` and
//! its shipped `Config.toml`, keys Marine 0.37 dropped (`mem_pages_count`, `preopened_files`)
//! included, with what the node adds (`modules_dir = "."`, the facade's `tmp` directory).
//!
//! ```no_run
//! let dir = std::env::temp_dir().join("services");
//! for service in strait_real_services::services() {
//!     let service_dir = strait_real_services::write(&dir, &service)?;
//!     // Load `service_dir/Config.toml` with `service_dir` as the working directory.
//!     # let _ = service_dir;
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::path::{Path, PathBuf};

/// A production service: its name, its modules, its config and what a node adds to it.
#[derive(Debug, Clone)]
pub struct RealService {
    /// The service's name, and the name of its directory.
    pub name: &'static str,
    /// Its modules, in the config's order: name and wasm bytes.
    pub modules: Vec<(&'static str, &'static [u8])>,
    /// Its `Config.toml` as the package ships it.
    pub config: &'static [u8],
    /// Config text a node appends (the facade's mapped `tmp` directory).
    pub node_adds: &'static str,
}

/// The `tmp` directory a node maps for the last module of a config (its facade).
const NODE_TMP: &str = "\n    [module.wasi]\n    mapped_dirs = { \"tmp\" = \"./tmp\" }\n";

/// The four services.
pub fn services() -> Vec<RealService> {
    vec![
        RealService {
            name: "spell",
            modules: vec![
                ("spell", fluence_spell_distro::SPELL_WASM),
                ("sqlite3", fluence_spell_distro::SQLITE_WASM),
            ],
            config: fluence_spell_distro::CONFIG,
            node_adds: "",
        },
        RealService {
            name: "registry",
            modules: vec![
                ("registry", registry_distro::REGISTRY_WASM),
                ("sqlite3", registry_distro::SQLITE_WASM),
            ],
            config: registry_distro::CONFIG,
            // The facade's start-up reads /tmp/Config.toml; nox maps its `tmp`.
            node_adds: NODE_TMP,
        },
        RealService {
            name: "trust-graph",
            modules: vec![
                ("trust-graph", trust_graph_distro::TRUST_GRAPH_WASM),
                ("sqlite3", trust_graph_distro::SQLITE_WASM),
            ],
            config: trust_graph_distro::CONFIG,
            node_adds: "",
        },
        RealService {
            name: "aqua-ipfs",
            modules: vec![
                ("ipfs_pure", aqua_ipfs_distro::IPFS_FACADE),
                ("ipfs_effector", aqua_ipfs_distro::IPFS_EFFECTOR),
            ],
            config: aqua_ipfs_distro::CONFIG,
            // The facade's start-up writes /tmp/multiaddr_config; nox maps its `tmp`.
            node_adds: NODE_TMP,
        },
    ]
}

/// The service named `name`, if it is one of [`services`].
///
/// ```
/// assert_eq!(strait_real_services::service("spell").map(|s| s.modules.len()), Some(2));
/// assert!(strait_real_services::service("nox").is_none());
/// ```
pub fn service(name: &str) -> Option<RealService> {
    services().into_iter().find(|service| service.name == name)
}

/// Writes `service` to `dir/<name>/` (its modules, its `Config.toml`, the directories its
/// config maps) and returns that directory. The configs map directories relative to the
/// working directory: load the service with this directory as its working directory.
pub fn write(dir: &Path, service: &RealService) -> std::io::Result<PathBuf> {
    let dir = dir.join(service.name);
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in &service.modules {
        std::fs::write(dir.join(format!("{name}.wasm")), bytes)?;
    }
    // aqua-ipfs ships no `modules_dir` (nox sets it); the modules sit beside the config.
    let mut config = service.config.to_vec();
    if !String::from_utf8_lossy(&config).contains("modules_dir") {
        config.splice(0..0, b"modules_dir = \".\"\n".iter().copied());
    }
    config.extend_from_slice(service.node_adds.as_bytes());
    std::fs::write(dir.join("Config.toml"), config)?;
    // The directories the configs map (trust-graph's `data`, registry's `tmp`).
    for mapped in ["data", "tmp"] {
        std::fs::create_dir_all(dir.join(mapped))?;
    }
    Ok(dir)
}
