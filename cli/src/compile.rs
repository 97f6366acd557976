//! How the CLI compiles modules: the compiler (`--compiler`) and the compiled-module cache,
//! on by default, so that the second start of a service skips compiling (seconds for a large
//! module with Cranelift). Both are Wasmtime's: wasmi interprets, keeps nothing on disk and
//! ignores them.
//!
//! The cache directory is `--cache-dir DIR`, else strait's default
//! ([`strait::CacheDir::default_dir`]: `$STRAIT_CACHE_DIR`, else `$XDG_CACHE_HOME/strait`,
//! else `~/.cache/strait`); `--no-cache` turns it off.

use clap::Args;
use clap::builder::PossibleValuesParser;
use std::path::PathBuf;
use std::sync::OnceLock;
use strait::{CacheDir, Compiler, EngineConfig};

/// The compilation options every command takes (before or after the subcommand).
#[derive(Args)]
pub(crate) struct CompileArgs {
    /// Wasmtime's compiler: `cranelift` (optimising) or `winch` (a baseline compiler: cold
    /// starts several times faster, slower code; no externref). wasmi ignores it.
    #[arg(
        long,
        global = true,
        value_name = "COMPILER",
        value_parser = PossibleValuesParser::new(Compiler::NAMES),
        default_value = Compiler::NAMES[0]
    )]
    compiler: String,
    /// The compiled-module cache directory (Wasmtime) [default: $STRAIT_CACHE_DIR, else
    /// $XDG_CACHE_HOME/strait, else ~/.cache/strait].
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile every module afresh, without the compiled-module cache.
    #[arg(long, global = true, conflicts_with = "cache_dir")]
    no_cache: bool,
}

static ENGINE: OnceLock<EngineConfig> = OnceLock::new();

/// Chooses the compiler and the cache directory for this process, once, from the arguments
/// and the environment.
pub(crate) fn init(args: &CompileArgs) {
    let cache = if args.no_cache {
        CacheDir::Off
    } else if let Some(dir) = &args.cache_dir {
        CacheDir::Dir(dir.clone())
    } else {
        // Resolved now: every service of the CLI comes from files, the REPL's too.
        CacheDir::Default.for_files().into()
    };
    // The value parser admits only the names of `Compiler::NAMES`.
    let compiler = args.compiler.parse().unwrap_or_default();
    let _ = ENGINE.set(
        EngineConfig::default()
            .with_cache_dir(cache)
            .with_compiler(compiler),
    );
}

/// The engine configuration every service of this process gets: the compiler and the cache
/// directory.
pub(crate) fn engine_config() -> EngineConfig {
    ENGINE.get().cloned().unwrap_or_default()
}
