//! The shared engine: configuration, epoch ticker, compilation and module info.

use std::sync::Arc;
use std::time::Duration;
use std::{format, thread};

use strait_backend::{Backend, BackendError, Compiler, EngineConfig, StoreData};
use wasmtime::{WasmBacktraceDetails, WasmFeatures};

/// strait's backend on Wasmtime: one shared engine; cheap to clone.
#[derive(Clone)]
pub struct Wasmtime {
    shared: Arc<Shared>,
}

struct Shared {
    engine: wasmtime::Engine,
    config: EngineConfig,
    #[cfg(feature = "cache")]
    cache: Option<wasmtime::Cache>,
}

impl std::fmt::Debug for Wasmtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wasmtime")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

/// The proposals of [`strait_backend::ENABLED_PROPOSALS`], in Wasmtime's terms. `GC_TYPES`
/// is wasmparser's name for the `externref` type that reference-types brings (wasmi
/// accepts it too), not the GC proposal, which stays off.
pub(crate) fn enabled_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::SIMD
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES
}

impl Wasmtime {
    /// Wasmtime's engine.
    pub fn engine(&self) -> &wasmtime::Engine {
        &self.shared.engine
    }

    /// Compiled-module cache hits and misses so far, if the cache is on: the counts of the
    /// process's cache of this engine's directory, shared by every engine using it.
    pub fn cache_stats(&self) -> Option<(usize, usize)> {
        #[cfg(feature = "cache")]
        {
            self.shared
                .cache
                .as_ref()
                .map(|c| (c.cache_hits(), c.cache_misses()))
        }
        #[cfg(not(feature = "cache"))]
        None
    }
}

/// Advances the engine's epoch every `tick` until the engine is gone. The thread holds
/// only a weak reference, so it does not keep the engine alive.
fn start_ticker(engine: &wasmtime::Engine, tick: Duration) -> Result<(), BackendError> {
    if tick.is_zero() {
        return Err(BackendError::Engine(
            "the deadline tick must not be zero".into(),
        ));
    }
    let weak = engine.weak();
    thread::Builder::new()
        .name("strait-epoch".into())
        .spawn(move || {
            loop {
                thread::sleep(tick);
                match weak.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => break,
                }
            }
        })
        .map(drop)
        .map_err(|e| BackendError::Engine(format!("cannot start the epoch thread: {e}")))
}

/// An epoch deadline far enough away to mean "none", without overflowing the engine's
/// `current + delta`.
const NO_DEADLINE: u64 = u64::MAX / 2;

/// What a store of this backend holds.
type Data = StoreData<Wasmtime>;

strait_backend::limiter_newtype!(Limiter);

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.0.memory_growing(now, to, max))
    }

    fn table_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.0.table_growing(now, to, max))
    }
}

/// Chooses the compiler. Winch cannot compile `externref` (wasmparser's `GC_TYPES`: Wasmtime
/// refuses the feature with Winch) nor emit debug info; both are refused here with what to do
/// instead, and a module using `externref` fails to compile with a validation error.
fn set_compiler(wt: &mut wasmtime::Config, config: &EngineConfig) -> Result<(), BackendError> {
    match config.compiler {
        Compiler::Cranelift => {
            wt.strategy(wasmtime::Strategy::Cranelift);
        }
        #[cfg(feature = "winch")]
        Compiler::Winch => {
            if config.debug_info {
                return Err(BackendError::Unsupported(
                    "the Winch compiler cannot emit debug info: turn debug_info off or use the \
                     Cranelift compiler"
                        .into(),
                ));
            }
            wt.strategy(wasmtime::Strategy::Winch);
            wt.wasm_features(WasmFeatures::GC_TYPES, false);
        }
        #[cfg(not(feature = "winch"))]
        Compiler::Winch => {
            return Err(BackendError::Unsupported(
                "strait-wasmtime was built without its `winch` feature: use the Cranelift \
                 compiler"
                    .into(),
            ));
        }
        #[allow(unreachable_patterns, reason = "Compiler is non_exhaustive")]
        other => {
            return Err(BackendError::Unsupported(format!(
                "the {other} compiler is not available on Wasmtime"
            )));
        }
    }
    Ok(())
}

/// The cache of `dir`, one per directory in the process: every engine with that directory
/// shares its background worker thread (which trims the directory) rather than starting one
/// per engine (a thousand services, each with its engine, would start a thousand).
#[cfg(feature = "cache")]
fn shared_cache(dir: &std::path::Path) -> Result<wasmtime::Cache, BackendError> {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock, PoisonError};
    static CACHES: OnceLock<Mutex<HashMap<PathBuf, wasmtime::Cache>>> = OnceLock::new();
    let mut caches = CACHES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(cache) = caches.get(dir) {
        return Ok(cache.clone());
    }
    let mut cc = wasmtime::CacheConfig::new();
    cc.with_directory(dir.to_path_buf());
    let cache = wasmtime::Cache::new(cc)
        .map_err(|e| BackendError::Engine(format!("module cache in `{}`: {e:#}", dir.display())))?;
    caches.insert(dir.to_path_buf(), cache.clone());
    Ok(cache)
}

impl Backend for Wasmtime {
    const NAME: &'static str = "wasmtime";
    const WASI: bool = cfg!(feature = "wasi");

    type Limiter = Limiter;
    #[cfg(feature = "wasi")]
    type Wasi = wasmtime_wasi::p1::WasiP1Ctx;
    #[cfg(not(feature = "wasi"))]
    type Wasi = core::convert::Infallible;

    strait_backend::mirrored_engine!(
        backend: Wasmtime,
        engine: wasmtime,
        error: wasmtime::Error,
        convert: crate::convert,
        instantiate: instantiate,
        wasi: "wasi", crate::wasi, wasmtime_wasi::p1::add_to_linker_sync,
    );

    fn new(config: &EngineConfig) -> Result<Self, BackendError> {
        let mut wt = wasmtime::Config::new();
        wt.wasm_features(WasmFeatures::all(), false);
        wt.wasm_features(enabled_features(), true);
        wt.consume_fuel(config.fuel);
        wt.epoch_interruption(config.deadline_tick.is_some());
        wt.max_wasm_stack(config.max_wasm_stack);
        wt.debug_info(config.debug_info);
        wt.wasm_backtrace_details(WasmBacktraceDetails::Disable);
        set_compiler(&mut wt, config)?;
        #[cfg(feature = "cache")]
        let cache = match config.cache_dir.for_bytes() {
            Some(dir) => {
                let cache = shared_cache(dir)?;
                wt.cache(Some(cache.clone()));
                Some(cache)
            }
            None => None,
        };
        #[cfg(not(feature = "cache"))]
        if config.cache_dir.for_bytes().is_some() {
            return Err(BackendError::Unsupported(
                "strait-wasmtime was built without its `cache` feature".into(),
            ));
        }
        let engine = wasmtime::Engine::new(&wt).map_err(|e| {
            BackendError::Engine(format!(
                "wasmtime configuration ({} compiler): {e:#}",
                config.compiler
            ))
        })?;
        if let Some(tick) = config.deadline_tick {
            start_ticker(&engine, tick)?;
        }
        Ok(Self {
            shared: Arc::new(Shared {
                engine,
                config: config.clone(),
                #[cfg(feature = "cache")]
                cache,
            }),
        })
    }

    fn config(&self) -> &EngineConfig {
        &self.shared.config
    }

    fn linker_provides(
        linker: &Self::Linker,
        store: &mut wasmtime::Store<Data>,
        namespace: &str,
        name: &str,
    ) -> bool {
        linker.get(store, namespace, name).is_ok()
    }

    fn set_deadline(
        store: &mut wasmtime::Store<Data>,
        tick: Option<Duration>,
        deadline: Option<Duration>,
    ) -> Result<(), BackendError> {
        let Some(tick) = tick else {
            return match deadline {
                None => Ok(()),
                Some(_) => Err(BackendError::Unsupported(
                    "deadlines need EngineConfig::deadline_tick".into(),
                )),
            };
        };
        let ticks = match deadline {
            // Rounded up, and at least one tick, so a deadline is never shorter than asked.
            Some(d) => u64::try_from(d.as_nanos().div_ceil(tick.as_nanos().max(1)))
                .unwrap_or(NO_DEADLINE)
                .clamp(1, NO_DEADLINE),
            None => NO_DEADLINE,
        };
        store.set_epoch_deadline(ticks);
        Ok(())
    }
}
