//! Engine and store configuration shared by every backend.

use alloc::sync::Arc;
use core::time::Duration;

use crate::budget::MemoryBudget;

/// The wasm proposals every backend accepts; everything else (threads, tail calls, GC,
/// exceptions, memory64, multi-memory, relaxed SIMD, extended-const, …) is rejected, so a
/// module is accepted or rejected alike on every engine.
pub const ENABLED_PROPOSALS: &[&str] = &[
    "mutable-globals",
    "saturating-float-to-int",
    "sign-extension",
    "multi-value",
    "bulk-memory",
    "reference-types",
    "simd",
];

/// Engine-wide settings, given once when the backend is created.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// Meter fuel so each call can be bounded with `set_fuel` (both engines). Off by
    /// default: on Wasmtime metering costs about 10 % of execution speed.
    pub fuel: bool,
    /// Tick period of the wall-clock deadline (Wasmtime epochs); `None` disables deadlines.
    /// A background thread advances the epoch every tick while the engine lives.
    pub deadline_tick: Option<Duration>,
    /// Wasmtime's maximum wasm stack in bytes. It must sit well inside the stack of every
    /// thread that calls into wasm (cross-module calls nest one such budget per module on
    /// the same thread), so deep recursion traps instead of crashing the host.
    pub max_wasm_stack: usize,
    /// wasmi's maximum call depth (its stack lives on the heap, so this bounds memory).
    pub max_recursion_depth: usize,
    /// Directory of the compiled-module cache (Wasmtime); `None` disables the cache.
    #[cfg(feature = "std")]
    pub cache_dir: Option<std::path::PathBuf>,
    /// Emit DWARF debug info for compiled code (Wasmtime); off by default.
    pub debug_info: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            fuel: false,
            deadline_tick: None,
            max_wasm_stack: 512 * 1024,
            max_recursion_depth: 10_000,
            #[cfg(feature = "std")]
            cache_dir: None,
            debug_info: false,
        }
    }
}

impl EngineConfig {
    /// Enables or disables fuel metering.
    #[must_use]
    pub fn with_fuel(mut self, fuel: bool) -> Self {
        self.fuel = fuel;
        self
    }

    /// Enables wall-clock deadlines with this tick period.
    #[must_use]
    pub fn with_deadline_tick(mut self, tick: Option<Duration>) -> Self {
        self.deadline_tick = tick;
        self
    }

    /// Sets Wasmtime's maximum wasm stack in bytes.
    #[must_use]
    pub fn with_max_wasm_stack(mut self, bytes: usize) -> Self {
        self.max_wasm_stack = bytes;
        self
    }

    /// Sets wasmi's maximum call depth.
    #[must_use]
    pub fn with_max_recursion_depth(mut self, depth: usize) -> Self {
        self.max_recursion_depth = depth;
        self
    }

    /// Sets the compiled-module cache directory.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn with_cache_dir(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.cache_dir = dir;
        self
    }

    /// Enables or disables DWARF debug info.
    #[must_use]
    pub fn with_debug_info(mut self, enable: bool) -> Self {
        self.debug_info = enable;
        self
    }
}

/// Per-store settings, given when a store is created.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StoreConfig {
    /// The budget this store's memories and tables are charged against (shared by the
    /// stores of a service); `None` for no accounting.
    pub budget: Option<Arc<MemoryBudget>>,
    /// WASI preview1 for this store's instance; `None` provides no WASI imports.
    #[cfg(feature = "std")]
    pub wasi: Option<crate::wasi::WasiConfig>,
}

impl StoreConfig {
    /// Whether WASI is asked for; always available, so an engine built without WASI can
    /// refuse instead of silently leaving it out.
    pub fn wasi_requested(&self) -> bool {
        #[cfg(feature = "std")]
        {
            self.wasi.is_some()
        }
        #[cfg(not(feature = "std"))]
        false
    }

    /// Charges this store against `budget`.
    #[must_use]
    pub fn with_budget(mut self, budget: Option<Arc<MemoryBudget>>) -> Self {
        self.budget = budget;
        self
    }

    /// Provides WASI with this configuration.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn with_wasi(mut self, wasi: Option<crate::wasi::WasiConfig>) -> Self {
        self.wasi = wasi;
        self
    }
}
