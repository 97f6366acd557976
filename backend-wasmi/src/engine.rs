//! The shared engine: configuration, compilation and module info.

use alloc::sync::Arc;

use core::time::Duration;

use strait_backend::{Backend, BackendError, EngineConfig, StoreData};
use wasmi_core::LimiterError;

/// strait's backend on wasmi: one shared engine; cheap to clone.
#[derive(Clone)]
pub struct Wasmi {
    shared: Arc<Shared>,
}

struct Shared {
    engine: wasmi::Engine,
    config: EngineConfig,
}

impl core::fmt::Debug for Wasmi {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Wasmi")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Wasmi {
    /// wasmi's engine.
    pub fn engine(&self) -> &wasmi::Engine {
        &self.shared.engine
    }
}

/// wasmi's own default caps on instances, tables and memories per store.
const DEFAULT_COUNT_LIMIT: usize = 10_000;

/// What a store of this backend holds.
type Data = StoreData<Wasmi>;

strait_backend::limiter_newtype!(Limiter);

impl wasmi::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(self.0.memory_growing(now, to, max))
    }

    fn table_growing(
        &mut self,
        now: usize,
        to: usize,
        max: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(self.0.table_growing(now, to, max))
    }

    fn instances(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    fn tables(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    fn memories(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }
}

impl Backend for Wasmi {
    const NAME: &'static str = "wasmi";
    const WASI: bool = cfg!(feature = "std");

    type Limiter = Limiter;
    #[cfg(feature = "std")]
    type Wasi = wasmi_wasi::WasiCtx;
    #[cfg(not(feature = "std"))]
    type Wasi = core::convert::Infallible;

    strait_backend::mirrored_engine!(
        backend: Wasmi,
        engine: wasmi,
        error: wasmi::Error,
        convert: crate::convert,
        instantiate: instantiate_and_start,
        wasi: "std", crate::wasi, wasmi_wasi::add_to_linker,
    );

    fn new(config: &EngineConfig) -> Result<Self, BackendError> {
        let mut c = wasmi::Config::default();
        // Exactly strait_backend::ENABLED_PROPOSALS, as on Wasmtime. memory64 is off because
        // wasmi's `memory64` cargo feature is (the shared suite checks it stays rejected).
        c.wasm_mutable_global(true)
            .wasm_sign_extension(true)
            .wasm_saturating_float_to_int(true)
            .wasm_multi_value(true)
            .wasm_bulk_memory(true)
            .wasm_reference_types(true)
            .wasm_simd(true)
            .floats(true)
            .wasm_multi_memory(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            .wasm_relaxed_simd(false)
            .consume_fuel(config.fuel)
            .set_max_recursion_depth(config.max_recursion_depth);
        let engine = wasmi::Engine::new(&c);
        Ok(Self {
            shared: Arc::new(Shared {
                engine,
                config: config.clone(),
            }),
        })
    }

    fn config(&self) -> &EngineConfig {
        &self.shared.config
    }

    /// wasmi's linker does not list host functions, so WASI is known by its namespace;
    /// names WASI does not define surface as `UnknownImport` when instantiating.
    fn linker_provides(
        _: &Self::Linker,
        store: &mut wasmi::Store<Data>,
        namespace: &str,
        _: &str,
    ) -> bool {
        store.data().has_wasi() && namespace == "wasi_snapshot_preview1"
    }

    fn set_deadline(
        _: &mut wasmi::Store<Data>,
        _: Option<Duration>,
        deadline: Option<Duration>,
    ) -> Result<(), BackendError> {
        match deadline {
            None => Ok(()),
            Some(_) => Err(BackendError::Unsupported(
                "wall-clock deadlines need Wasmtime; bound wasmi calls with fuel".into(),
            )),
        }
    }
}
