//! Criterion benches of strait's engine layer (`benches/backend.rs`).
//!
//! Each scenario runs twice per engine: through the [`strait_backend`] traits and through
//! the engine's own API, written the way a direct embedder would (typed functions, a typed
//! host function, state in the store). The ratio of the two is the traits' overhead.
//!
//! - `typed_call`: a typed host→wasm call, `add(i32, i32) -> i32`.
//! - `untyped_call`: the same call with `&[WValue]` into a results buffer (traits only).
//! - `round_trip`: host→wasm→host→wasm: `roundtrip(x)` calls the host import `callback`,
//!   which calls the caller's own export `inc(x)`; the host function is a typed closure
//!   ([`HostFunc::wrap`]), as the direct side's `func_wrap`.
//! - `round_trip_untyped_host`: the same with an untyped host closure over values
//!   ([`HostFunc::new`], what the runtime's IT imports use), against the same direct side.
//!
//! Run with `cargo bench -p strait-bench -- --warm-up-time 1 --measurement-time 3`.
//!
//! The cost-growth benches (issue 9) use [`ideal`] (Marine's modules called through each
//! engine's own API, the floor of strait's adapters) and [`fixtures`] (generated modules for
//! the record and array sweeps); `README.md` has the results and how to rerun them.

pub mod chain;
pub mod fixtures;
pub mod ideal;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strait_backend::{
    AsContextMut, Backend, BackendError, EngineConfig, Func, FuncSig, HostError, HostFunc, Store,
    StoreConfig, TypedFunc, WType, WValue,
};

/// The module every scenario calls.
pub const BENCH_WAT: &str = r#"(module
    (import "host" "callback" (func $callback (param i32) (result i32)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "roundtrip") (param i32) (result i32) (call $callback (local.get 0))))"#;

/// The module's binary.
pub fn bench_wasm() -> Vec<u8> {
    // The text is a constant of this crate; failing to parse it is a bug here.
    wat::parse_str(BENCH_WAT).unwrap_or_default()
}

/// The scenario through the traits: a store and its resolved handles.
pub struct TraitScenario<B: Backend> {
    /// The store.
    pub store: Store<B>,
    /// `add`, typed.
    pub add: TypedFunc<B, (i32, i32), i32>,
    /// `add`, untyped.
    pub add_untyped: Func<B>,
    /// `roundtrip`, typed.
    pub roundtrip: TypedFunc<B, i32, i32>,
}

/// How the scenario's host import `callback` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// A typed closure ([`HostFunc::wrap`]), as a direct embedder's `func_wrap`.
    Typed,
    /// An untyped closure over values ([`HostFunc::new`]), as the runtime's IT imports.
    Untyped,
}

impl<B: Backend> TraitScenario<B> {
    /// Compiles and instantiates the module on `B`; the host import, given as `host` says,
    /// calls back into `inc` through a handle resolved once after instantiation.
    pub fn new(host: Host) -> Result<Self, BackendError> {
        let backend = B::new(&EngineConfig::default())?;
        let module = backend.compile(&bench_wasm())?;
        let inc_cell: Arc<spin::Once<TypedFunc<B, i32, i32>>> = Arc::new(spin::Once::new());
        let cell = inc_cell.clone();
        let callback = match host {
            Host::Typed => HostFunc::<B>::wrap("host", "callback", move |caller, x: i32| {
                let inc = cell
                    .get()
                    .ok_or_else(|| HostError::from("callback: no inc"))?;
                Ok(inc.call(caller, x)?)
            }),
            Host::Untyped => HostFunc::<B>::new(
                "host",
                "callback",
                FuncSig::new([WType::I32], [WType::I32]),
                move |caller, args, results| {
                    let (Some(inc), [WValue::I32(x)], [out]) = (cell.get(), args, results) else {
                        return Err(HostError::from("callback: bad call"));
                    };
                    *out = WValue::I32(inc.call(caller, *x)?);
                    Ok(())
                },
            ),
        };
        let mut store = backend.new_store(StoreConfig::default())?;
        store.instantiate(&module, &[callback])?;
        let inc = TypedFunc::from_export(&mut store, "inc")?;
        inc_cell.call_once(|| inc);
        let add = TypedFunc::from_export(&mut store, "add")?;
        let add_untyped = store.func("add")?;
        let roundtrip = TypedFunc::from_export(&mut store, "roundtrip")?;
        Ok(Self {
            store,
            add,
            add_untyped,
            roundtrip,
        })
    }
}

/// The same scenario written directly against an engine's own API: what the traits'
/// overhead is measured against.
pub trait Direct: Sized {
    /// Compiles and instantiates the module with a typed host function.
    fn new() -> Result<Self, String>;
    /// `add(a, b)`, typed.
    fn add(&mut self, a: i32, b: i32) -> i32;
    /// `roundtrip(x)`: host→wasm→host→wasm.
    fn roundtrip(&mut self, x: i32) -> i32;
}

/// An engine whose own API has a [`Direct`] scenario.
pub trait HasDirect: Backend {
    /// The scenario on the engine's own API.
    type Direct: Direct;
}

/// The scenario on Wasmtime's own API.
#[cfg(feature = "wasmtime")]
pub mod direct_wasmtime {
    use std::sync::{Arc, OnceLock};

    use wasmtime::{Caller, Engine, Linker, Module, Store, TypedFunc};

    /// The engine strait's `Wasmtime` builds from the default configuration (features,
    /// stack size, backtraces), so the ratio measures the traits, not the configuration.
    fn same_engine_as_strait() -> wasmtime::Result<Engine> {
        let backend = <strait::Wasmtime as strait_backend::Backend>::new(&Default::default())
            .map_err(|e| wasmtime::format_err!("{e}"))?;
        Ok(backend.engine().clone())
    }

    /// A store and its typed functions.
    pub struct Scenario {
        /// The store.
        pub store: Store<()>,
        /// `add`.
        pub add: TypedFunc<(i32, i32), i32>,
        /// `roundtrip`.
        pub roundtrip: TypedFunc<i32, i32>,
    }

    impl Scenario {
        /// Compiles and instantiates the module, on the engine strait configures, with a
        /// typed host function (`func_wrap`) that calls `inc` through a handle resolved
        /// after instantiation.
        pub fn new() -> wasmtime::Result<Self> {
            let engine = same_engine_as_strait()?;
            let module = Module::new(&engine, super::bench_wasm())?;
            let mut linker = Linker::<()>::new(&engine);
            let inc_cell: Arc<OnceLock<TypedFunc<i32, i32>>> = Arc::default();
            let cell = inc_cell.clone();
            linker.func_wrap(
                "host",
                "callback",
                move |mut caller: Caller<'_, ()>, x: i32| {
                    let inc = cell.get().ok_or_else(|| wasmtime::format_err!("no inc"))?;
                    inc.call(&mut caller, x)
                },
            )?;
            let mut store = Store::new(&engine, ());
            let instance = linker.instantiate(&mut store, &module)?;
            let inc = instance.get_typed_func::<i32, i32>(&mut store, "inc")?;
            let _ = inc_cell.set(inc);
            let add = instance.get_typed_func(&mut store, "add")?;
            let roundtrip = instance.get_typed_func(&mut store, "roundtrip")?;
            Ok(Self {
                store,
                add,
                roundtrip,
            })
        }
    }
}

/// The scenario on wasmi's own API.
#[cfg(feature = "wasmi")]
pub mod direct_wasmi {
    use std::sync::{Arc, OnceLock};

    use wasmi::{Caller, Engine, Linker, Module, Store, TypedFunc};

    /// The engine strait's `Wasmi` builds from the default configuration, so the ratio
    /// measures the traits, not the configuration.
    fn same_engine_as_strait() -> Result<Engine, wasmi::Error> {
        let backend = <strait::Wasmi as strait_backend::Backend>::new(&Default::default())
            .map_err(|e| wasmi::Error::new(e.to_string()))?;
        Ok(backend.engine().clone())
    }

    /// A store and its typed functions.
    pub struct Scenario {
        /// The store.
        pub store: Store<()>,
        /// `add`.
        pub add: TypedFunc<(i32, i32), i32>,
        /// `roundtrip`.
        pub roundtrip: TypedFunc<i32, i32>,
    }

    impl Scenario {
        /// Compiles and instantiates the module, on the engine strait configures, with a
        /// typed host function (`func_wrap`) that calls `inc` through a handle resolved
        /// after instantiation.
        pub fn new() -> Result<Self, wasmi::Error> {
            let engine = same_engine_as_strait()?;
            let module = Module::new(&engine, super::bench_wasm())?;
            let mut linker = Linker::<()>::new(&engine);
            let inc_cell: Arc<OnceLock<TypedFunc<i32, i32>>> = Arc::default();
            let cell = inc_cell.clone();
            linker.func_wrap(
                "host",
                "callback",
                move |mut caller: Caller<'_, ()>, x: i32| {
                    let inc = cell.get().ok_or_else(|| wasmi::Error::new("no inc"))?;
                    inc.call(&mut caller, x)
                },
            )?;
            let mut store = Store::new(&engine, ());
            let instance = linker.instantiate_and_start(&mut store, &module)?;
            let inc = instance.get_typed_func::<i32, i32>(&store, "inc")?;
            let _ = inc_cell.set(inc);
            let add = instance.get_typed_func(&store, "add")?;
            let roundtrip = instance.get_typed_func(&store, "roundtrip")?;
            Ok(Self {
                store,
                add,
                roundtrip,
            })
        }
    }
}

/// Implements [`Direct`] for a scenario type and [`HasDirect`] for its engine.
macro_rules! direct {
    ($engine:ty, $scenario:ty) => {
        impl Direct for $scenario {
            fn new() -> Result<Self, String> {
                <$scenario>::new().map_err(|e| e.to_string())
            }
            #[inline]
            fn add(&mut self, a: i32, b: i32) -> i32 {
                self.add.call(&mut self.store, (a, b)).unwrap_or_default()
            }
            #[inline]
            fn roundtrip(&mut self, x: i32) -> i32 {
                self.roundtrip.call(&mut self.store, x).unwrap_or_default()
            }
        }

        impl HasDirect for $engine {
            type Direct = $scenario;
        }
    };
}

#[cfg(feature = "wasmtime")]
direct!(strait::Wasmtime, direct_wasmtime::Scenario);
#[cfg(feature = "wasmi")]
direct!(strait::Wasmi, direct_wasmi::Scenario);

/// The shared folder beside the repository (`../shared`: Marine's artifacts and golden
/// outputs), or `None` when it is not there.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    dir.join("artifacts").is_dir().then_some(dir)
}

/// The shared folder's `artifacts` directory, if `../shared` is beside the repository.
pub fn artifacts_dir() -> Option<PathBuf> {
    shared_dir().map(|dir| dir.join("artifacts"))
}

/// The process's resident memory in bytes (Linux: read from `/proc/self/statm`; 0 where it
/// cannot be read).
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// The bytes of `artifacts/<path>` in the shared folder.
pub fn artifact(path: &str) -> Result<Vec<u8>, String> {
    let dir = shared_dir().ok_or("../shared is not beside the repository")?;
    let file = dir.join("artifacts").join(path);
    std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}
