//! The compiled-module cache, on by default: the second start of a service skips
//! Cranelift's compilation (seconds for a large module). Wasmtime only; wasmi interprets and
//! keeps nothing on disk.
//!
//! The directory is `--cache-dir DIR`, else `$STRAIT_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/strait`, else `~/.cache/strait`; `--no-cache` turns it off.

use clap::Args;
use std::path::PathBuf;
use std::sync::OnceLock;
use strait::EngineConfig;

/// The cache options every command takes (before or after the subcommand).
#[derive(Args)]
pub(crate) struct CacheArgs {
    /// The compiled-module cache directory (Wasmtime) [default: $STRAIT_CACHE_DIR, else
    /// $XDG_CACHE_HOME/strait, else ~/.cache/strait].
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile every module afresh, without the compiled-module cache.
    #[arg(long, global = true, conflicts_with = "cache_dir")]
    no_cache: bool,
}

static CACHE_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Chooses the cache directory for this process, once, from the arguments and environment.
pub(crate) fn init(args: &CacheArgs) {
    let dir = if args.no_cache {
        None
    } else if let Some(dir) = &args.cache_dir {
        Some(dir.clone())
    } else {
        default_dir()
    };
    let _ = CACHE_DIR.set(dir);
}

/// The default directory, if it exists or can be made: without one the CLI runs uncached
/// rather than failing (a read-only home, a sandbox).
fn default_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    let dir = var("STRAIT_CACHE_DIR").map(PathBuf::from).or_else(|| {
        var("XDG_CACHE_HOME")
            .map(|base| PathBuf::from(base).join("strait"))
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache/strait")))
    })?;
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

/// The engine configuration every service of this process gets: the cache directory.
pub(crate) fn engine_config() -> EngineConfig {
    EngineConfig::default().with_cache_dir(CACHE_DIR.get().cloned().flatten())
}
