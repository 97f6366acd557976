//! The shared engine: configuration, epoch ticker, compilation and module info.

use std::sync::Arc;
use std::time::Duration;
use std::{format, thread};

use strait_backend::{BackendError, EngineConfig, ExportDesc, ExternDesc, ImportDesc, ModuleInfo};
use wasmtime::{ExternType, WasmBacktraceDetails, WasmFeatures};

use crate::convert::{func_sig, wtype};

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
    /// Creates the engine.
    pub fn with_config(config: &EngineConfig) -> Result<Self, BackendError> {
        let mut wt = wasmtime::Config::new();
        wt.wasm_features(WasmFeatures::all(), false);
        wt.wasm_features(enabled_features(), true);
        wt.consume_fuel(config.fuel);
        wt.epoch_interruption(config.deadline_tick.is_some());
        wt.max_wasm_stack(config.max_wasm_stack);
        wt.debug_info(config.debug_info);
        wt.wasm_backtrace_details(WasmBacktraceDetails::Disable);
        #[cfg(feature = "cache")]
        let cache = match &config.cache_dir {
            Some(dir) => {
                let mut cc = wasmtime::CacheConfig::new();
                cc.with_directory(dir.clone());
                let cache = wasmtime::Cache::new(cc).map_err(|e| {
                    BackendError::Engine(format!("module cache in `{}`: {e:#}", dir.display()))
                })?;
                wt.cache(Some(cache.clone()));
                Some(cache)
            }
            None => None,
        };
        #[cfg(not(feature = "cache"))]
        if config.cache_dir.is_some() {
            return Err(BackendError::Unsupported(
                "strait-wasmtime was built without its `cache` feature".into(),
            ));
        }
        let engine = wasmtime::Engine::new(&wt)
            .map_err(|e| BackendError::Engine(format!("wasmtime configuration: {e:#}")))?;
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

    /// Wasmtime's engine.
    pub fn engine(&self) -> &wasmtime::Engine {
        &self.shared.engine
    }

    /// Compiled-module cache hits and misses so far, if the cache is on.
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

    pub(crate) fn compile_module(
        &self,
        wasm: &[u8],
    ) -> Result<(wasmtime::Module, ModuleInfo), BackendError> {
        let module = wasmtime::Module::new(&self.shared.engine, wasm)
            .map_err(|e| BackendError::Compile(format!("{e:#}")))?;
        let info = module_info(&module)?;
        Ok((module, info))
    }

    pub(crate) fn engine_config(&self) -> &EngineConfig {
        &self.shared.config
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

fn extern_desc(ty: &ExternType) -> Result<ExternDesc, BackendError> {
    Ok(match ty {
        ExternType::Func(f) => ExternDesc::Func(func_sig(f)?),
        ExternType::Memory(m) => ExternDesc::Memory {
            min: m.minimum(),
            max: m.maximum(),
        },
        ExternType::Table(t) => ExternDesc::Table {
            element: wtype(&wasmtime::ValType::Ref(t.element().clone()))?,
            min: t.minimum(),
            max: t.maximum(),
        },
        ExternType::Global(g) => ExternDesc::Global {
            ty: wtype(g.content())?,
            mutable: g.mutability() == wasmtime::Mutability::Var,
        },
        ExternType::Tag(_) => {
            return Err(BackendError::Compile(
                "exception tags are not supported".into(),
            ));
        }
    })
}

fn module_info(module: &wasmtime::Module) -> Result<ModuleInfo, BackendError> {
    let imports = module
        .imports()
        .map(|i| {
            Ok(ImportDesc {
                namespace: i.module().into(),
                name: i.name().into(),
                ty: extern_desc(&i.ty())?,
            })
        })
        .collect::<Result<Vec<_>, BackendError>>()?;
    let exports = module
        .exports()
        .map(|e| {
            Ok(ExportDesc {
                name: e.name().into(),
                ty: extern_desc(&e.ty())?,
            })
        })
        .collect::<Result<Vec<_>, BackendError>>()?;
    Ok(ModuleInfo::new(imports, exports))
}
