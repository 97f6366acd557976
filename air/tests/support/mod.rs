//! What every AIR test needs: AquaVM (fetched by `air/fetch-avm.sh`), loaded once per engine
//! and test binary, the shared Marine artifacts, and the per-engine test instantiation.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use strait::{Backend, ServiceOptions};
use strait_air::{AirRunner, AquaVm, KeyPair, LocalService, Particle};

/// Where AquaVM is: `$STRAIT_AVM_WASM`, else where `air/fetch-avm.sh` puts it.
pub fn avm_path() -> PathBuf {
    match std::env::var_os("STRAIT_AVM_WASM") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/aquavm/avm-0.62.0.wasm"),
    }
}

/// The repository root (tests use `../shared` beside it, in place).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A `Config.toml` of the shared Marine artifacts.
pub fn artifact_config(name: &str) -> PathBuf {
    repo()
        .join("../shared/artifacts")
        .join(name)
        .join("Config.toml")
}

/// A local service loaded from the shared artifacts.
pub fn artifact<B: Backend>(name: &str) -> LocalService<B> {
    LocalService::from_config_file(&artifact_config(name), ServiceOptions::default())
        .unwrap_or_else(|e| panic!("cannot load artifact {name}: {e}"))
}

/// Fluence's spell service (spell.wasm + sqlite3.wasm of `fluence-spell-distro` 0.7.6, with
/// its shipped Config.toml, keys Marine 0.37 dropped included), written to a fresh directory
/// that is also its working directory: its sqlite database lands there.
pub fn spell<B: Backend>() -> LocalService<B> {
    let dir = spell_dir();
    let options = ServiceOptions {
        working_dir: Some(dir.clone()),
        ..ServiceOptions::default()
    };
    LocalService::from_config_file(&dir.join("Config.toml"), options)
        .unwrap_or_else(|e| panic!("cannot load the spell service: {e}"))
}

/// A fresh directory with the spell service's modules and its shipped `Config.toml`
/// (`strait-real-services`).
pub fn spell_dir() -> PathBuf {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "spell-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let spell = strait_real_services::service("spell").unwrap();
    strait_real_services::write(&parent, &spell).unwrap()
}

/// The key of every test (the spec's worked example).
pub fn key() -> KeyPair {
    KeyPair::from_seed([1; 32])
}

/// A fixed particle, so runs are reproducible.
pub fn particle() -> Particle {
    Particle {
        id: "test-particle".to_owned(),
        timestamp: 1_700_000_000_000,
        ttl: 120_000,
    }
}

/// One engine's AquaVM, loaded on first use and shared by the tests of one binary: loading
/// (compiling 5.9 MB of wasm) is by far the slowest part.
pub struct Shared<B: Backend>(Mutex<Option<AquaVm<B>>>);

impl<B: Backend> Shared<B> {
    pub const fn new() -> Self {
        Self(Mutex::new(None))
    }

    /// Runs `scenario` with a runner over the shared AquaVM, or skips it (with a message)
    /// when AquaVM has not been fetched. On CI a missing AquaVM is a failure: `.ci/run`
    /// fetches it.
    pub fn run(&self, scenario: impl FnOnce(&mut AirRunner<B>)) {
        let path = avm_path();
        if !path.exists() {
            let message = format!(
                "AquaVM not found at {}: run air/fetch-avm.sh (npm @fluencelabs/avm 0.62.0) \
                 or set STRAIT_AVM_WASM",
                path.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("{message}");
            }
            eprintln!("skipped: {message}");
            return;
        }
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let vm = match slot.take() {
            Some(vm) => vm,
            None => AquaVm::from_file(&path, ServiceOptions::default()).expect("AquaVM loads"),
        };
        let mut runner = AirRunner::new(vm, key());
        scenario(&mut runner);
        *slot = Some(runner.into_interpreter());
    }
}

/// Instantiates `fn name<B: Backend>(runner: &mut AirRunner<B>)` scenarios as one test per
/// engine (`wasmtime::name`, `wasmi::name`), each engine sharing one AquaVM.
#[macro_export]
macro_rules! air_scenarios {
    ($($name:ident),* $(,)?) => {
        strait::for_each_backend! { $crate::__air_scenarios, $($name),* }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __air_scenarios {
    ([$($name:ident),*] $engine:ident $ty:path; $($rest:tt)*) => {
        mod $engine {
            static VM: $crate::support::Shared<$ty> = $crate::support::Shared::new();
            $(
                #[test]
                fn $name() {
                    VM.run(super::$name::<$ty>);
                }
            )*
        }
        $crate::__air_scenarios!([$($name),*] $($rest)*);
    };
    ([$($name:ident),*]) => {};
}
