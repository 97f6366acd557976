//! What Marine users import from its backend crates (`marine-wasm-backend-traits`,
//! `marine-wasmtime-backend`): the [`WasmBackend`] trait and the engines.
//!
//! `use marine_wasmtime_backend::WasmtimeWasmBackend;` becomes
//! `use marine::backend::WasmtimeWasmBackend;`, and switching the engine is renaming that one
//! type to [`WasmiWasmBackend`].
//!
//! ```
//! use marine::backend::{WasmBackend, WasmiWasmBackend};
//!
//! let backend = WasmiWasmBackend::new_async().unwrap();
//! # let _ = backend;
//! ```

use strait::EngineConfig;

/// The configuration of an engine: fuel metering, deadlines, stack limits, debug info
/// (Marine's `WasmtimeConfig`; strait's [`EngineConfig`] serves both engines).
pub type WasmtimeConfig = EngineConfig;

/// Why a backend cannot be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WasmBackendError {
    /// The engine rejected its configuration.
    #[error("failed to initialize the wasm backend: {0}")]
    InitializationError(strait::Error),
}

/// The result of backend operations.
pub type WasmBackendResult<T> = Result<T, WasmBackendError>;

/// How many memory growths the service's memory budget refused during the last operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryAllocationStats {
    /// Refused memory (or table) growths.
    pub allocation_rejects: u32,
}

mod sealed {
    pub trait Sealed {}
}

/// A wasm engine [`Marine`](crate::generic::Marine) can run on.
///
/// Unlike Marine's trait of the same name, this one is implemented by strait's engines only
/// (it is sealed): its associated types are strait's engine layer, not Marine's.
pub trait WasmBackend: Clone + Send + Sync + 'static + sealed::Sealed {
    /// The strait engine behind this backend.
    type Engine: strait::Backend;

    /// A backend with the default configuration. Marine's backends are created this way (the
    /// name is Marine's: strait's calls are synchronous, see the crate documentation).
    ///
    /// ```
    /// use marine::backend::{WasmBackend, WasmtimeWasmBackend};
    /// let backend = WasmtimeWasmBackend::new_async().unwrap();
    /// # let _ = backend;
    /// ```
    fn new_async() -> WasmBackendResult<Self>;

    /// The engine configuration services on this backend use.
    fn engine_config(&self) -> &EngineConfig;
}

macro_rules! backend {
    ($(#[$doc:meta])* $name:ident, $feature:literal, $engine:ty) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[derive(Debug, Clone, Default)]
        pub struct $name {
            config: EngineConfig,
        }

        #[cfg(feature = $feature)]
        impl $name {
            /// A backend whose services use `config`. The engine is created, and the
            /// configuration checked, when a service is created on it.
            pub fn new(config: EngineConfig) -> WasmBackendResult<Self> {
                Ok(Self { config })
            }
        }

        #[cfg(feature = $feature)]
        impl sealed::Sealed for $name {}

        #[cfg(feature = $feature)]
        impl WasmBackend for $name {
            type Engine = $engine;

            fn new_async() -> WasmBackendResult<Self> {
                Self::new(EngineConfig::default())
            }

            fn engine_config(&self) -> &EngineConfig {
                &self.config
            }
        }
    };
}

backend!(
    /// Wasmtime (JIT), Marine's engine (feature `wasmtime`).
    ///
    /// ```
    /// use marine::backend::{WasmBackend, WasmtimeWasmBackend};
    /// let backend = WasmtimeWasmBackend::new(Default::default()).unwrap();
    /// assert!(!backend.engine_config().fuel);
    /// ```
    WasmtimeWasmBackend,
    "wasmtime",
    strait::Wasmtime
);

backend!(
    /// wasmi (interpreter), for hosts without a JIT (feature `wasmi`).
    ///
    /// ```
    /// use marine::backend::{WasmBackend, WasmiWasmBackend};
    /// let backend = WasmiWasmBackend::new(Default::default()).unwrap();
    /// assert!(!backend.engine_config().fuel);
    /// ```
    WasmiWasmBackend,
    "wasmi",
    strait::Wasmi
);
