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

/// Which of Wasmtime's compilers turns a module into machine code ([`EngineConfig::compiler`]).
/// wasmi interprets and ignores it.
///
/// Cranelift optimises: the code runs fastest, but a large module takes seconds to compile.
/// Winch is Wasmtime's baseline compiler: it compiles several times faster into slower code,
/// for fast cold starts. Winch supports fuel and deadlines, but not `externref` values (the
/// module is refused when it is compiled) nor DWARF debug info ([`EngineConfig::debug_info`]:
/// the engine is refused), and it runs only on x86-64 and aarch64.
///
/// ```
/// use strait_backend::Compiler;
///
/// let winch: Compiler = "winch".parse().unwrap();
/// assert_eq!(winch, Compiler::Winch);
/// assert_eq!(winch.name(), "winch");
/// assert_eq!(Compiler::default(), Compiler::Cranelift);
/// assert!("llvm".parse::<Compiler>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Compiler {
    /// Cranelift, the optimising compiler: the default.
    #[default]
    Cranelift,
    /// Winch, the baseline compiler: fast to compile, slower code.
    Winch,
}

impl Compiler {
    /// Every compiler's name, the default's first.
    pub const NAMES: &'static [&'static str] = &["cranelift", "winch"];

    /// The compiler's name, as [`FromStr`](core::str::FromStr) reads it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cranelift => "cranelift",
            Self::Winch => "winch",
        }
    }
}

impl core::fmt::Display for Compiler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Compiler {
    type Err = alloc::string::String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "cranelift" => Ok(Self::Cranelift),
            "winch" => Ok(Self::Winch),
            other => Err(alloc::format!(
                "unknown compiler `{other}`; expected one of: {}",
                Self::NAMES.join(", ")
            )),
        }
    }
}

/// Where Wasmtime keeps compiled modules across processes ([`EngineConfig::cache_dir`]), so
/// that the second start of a service skips compiling. wasmi compiles lazily and keeps
/// nothing on disk.
///
/// ```
/// use std::path::PathBuf;
/// use strait_backend::CacheDir;
///
/// let dir = CacheDir::from(PathBuf::from("/tmp/strait-cache"));
/// assert_eq!(dir.for_files().as_deref(), Some("/tmp/strait-cache".as_ref()));
/// assert_eq!(CacheDir::Off.for_files(), None);
/// // The default caches services loaded from files only.
/// assert_eq!(CacheDir::Default.for_bytes(), None);
/// assert_eq!(CacheDir::from(None), CacheDir::Off);
/// ```
#[cfg(feature = "std")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CacheDir {
    /// The default: [`CacheDir::default_dir`] for services loaded from files (a
    /// `Config.toml`, module files), no cache for modules given as bytes.
    #[default]
    Default,
    /// No cache: every module is compiled afresh.
    Off,
    /// This directory, whatever the modules come from.
    Dir(std::path::PathBuf),
}

#[cfg(feature = "std")]
impl CacheDir {
    /// The default directory: `$STRAIT_CACHE_DIR`, else `$XDG_CACHE_HOME/strait`, else
    /// `$HOME/.cache/strait`, created if missing; `None` when it cannot be made (a read-only
    /// home, a sandbox): then services run uncached rather than failing.
    pub fn default_dir() -> Option<std::path::PathBuf> {
        use std::path::PathBuf;
        let var = |name| std::env::var_os(name).filter(|value| !value.is_empty());
        let dir = var("STRAIT_CACHE_DIR").map(PathBuf::from).or_else(|| {
            var("XDG_CACHE_HOME")
                .map(|base| PathBuf::from(base).join("strait"))
                .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache/strait")))
        })?;
        std::fs::create_dir_all(&dir).ok()?;
        Some(dir)
    }

    /// The directory for a service loaded from files: the default directory for
    /// [`CacheDir::Default`].
    pub fn for_files(&self) -> Option<std::path::PathBuf> {
        match self {
            Self::Default => Self::default_dir(),
            Self::Off => None,
            Self::Dir(dir) => Some(dir.clone()),
        }
    }

    /// The directory for modules given as bytes: only a [`CacheDir::Dir`].
    pub fn for_bytes(&self) -> Option<&std::path::Path> {
        match self {
            Self::Dir(dir) => Some(dir),
            Self::Default | Self::Off => None,
        }
    }
}

#[cfg(feature = "std")]
impl From<std::path::PathBuf> for CacheDir {
    /// That directory.
    fn from(dir: std::path::PathBuf) -> Self {
        Self::Dir(dir)
    }
}

#[cfg(feature = "std")]
impl From<Option<std::path::PathBuf>> for CacheDir {
    /// That directory, or [`CacheDir::Off`] for `None`.
    fn from(dir: Option<std::path::PathBuf>) -> Self {
        dir.map_or(Self::Off, Self::Dir)
    }
}

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
    /// Wasmtime's compiler: Cranelift (the default) or Winch (see [`Compiler`]).
    pub compiler: Compiler,
    /// The compiled-module cache (Wasmtime). By default services loaded from files use
    /// [`CacheDir::default_dir`]; an engine created directly ([`Backend::new`]) caches only
    /// with [`CacheDir::Dir`].
    ///
    /// [`Backend::new`]: crate::Backend::new
    #[cfg(feature = "std")]
    pub cache_dir: CacheDir,
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
            compiler: Compiler::Cranelift,
            #[cfg(feature = "std")]
            cache_dir: CacheDir::Default,
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

    /// Chooses Wasmtime's compiler.
    #[must_use]
    pub fn with_compiler(mut self, compiler: Compiler) -> Self {
        self.compiler = compiler;
        self
    }

    /// Sets the compiled-module cache: a directory (`PathBuf`, `Some(dir)`),
    /// [`CacheDir::Off`] (or `None`), or [`CacheDir::Default`].
    #[cfg(feature = "std")]
    #[must_use]
    pub fn with_cache_dir(mut self, dir: impl Into<CacheDir>) -> Self {
        self.cache_dir = dir.into();
        self
    }

    /// This configuration for a service loaded from files: [`CacheDir::Default`] becomes
    /// the default directory (or [`CacheDir::Off`] when it cannot be made).
    ///
    /// ```
    /// use strait_backend::{CacheDir, EngineConfig};
    ///
    /// let off = EngineConfig::default().with_cache_dir(CacheDir::Off);
    /// assert_eq!(off.clone().for_files(), off);
    /// let resolved = EngineConfig::default().for_files();
    /// assert_ne!(resolved.cache_dir, CacheDir::Default);
    /// ```
    #[cfg(feature = "std")]
    #[must_use]
    pub fn for_files(mut self) -> Self {
        if self.cache_dir == CacheDir::Default {
            self.cache_dir = CacheDir::Default.for_files().into();
        }
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
