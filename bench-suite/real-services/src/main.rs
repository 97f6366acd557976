//! `strait-real-services DIR`: writes each production service of its distro package to
//! `DIR/<service>/`: its modules as `<name>.wasm` and its shipped `Config.toml` (keys Marine
//! 0.37 dropped included, as the packages ship them; `modules_dir = "."` and the facade's
//! `tmp` directory added where the package leaves them to the node), and prints the service directories. The configs map
//! directories relative to the working directory: run a service from its directory.

use std::path::{Path, PathBuf};

/// A service: its directory name, its modules, its config and what a node adds to it.
struct Service {
    name: &'static str,
    modules: Vec<(&'static str, &'static [u8])>,
    config: &'static [u8],
    node_adds: &'static str,
}

/// The `tmp` directory a node maps for the last module of a config (its facade).
const NODE_TMP: &str = "\n    [module.wasi]\n    mapped_dirs = { \"tmp\" = \"./tmp\" }\n";

fn services() -> Vec<Service> {
    vec![
        Service {
            name: "spell",
            modules: vec![
                ("spell", fluence_spell_distro::SPELL_WASM),
                ("sqlite3", fluence_spell_distro::SQLITE_WASM),
            ],
            config: fluence_spell_distro::CONFIG,
            node_adds: "",
        },
        Service {
            name: "registry",
            modules: vec![
                ("registry", registry_distro::REGISTRY_WASM),
                ("sqlite3", registry_distro::SQLITE_WASM),
            ],
            config: registry_distro::CONFIG,
            // The facade's start-up reads /tmp/Config.toml; nox maps its `tmp`.
            node_adds: NODE_TMP,
        },
        Service {
            name: "trust-graph",
            modules: vec![
                ("trust-graph", trust_graph_distro::TRUST_GRAPH_WASM),
                ("sqlite3", trust_graph_distro::SQLITE_WASM),
            ],
            config: trust_graph_distro::CONFIG,
            node_adds: "",
        },
        Service {
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

fn write(dir: &Path, service: &Service) -> std::io::Result<PathBuf> {
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

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: strait-real-services DIR");
        return std::process::ExitCode::FAILURE;
    };
    for service in services() {
        match write(&dir, &service) {
            Ok(path) => println!("{}", path.display()),
            Err(e) => {
                eprintln!("cannot write {} to {}: {e}", service.name, dir.display());
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
