//! Start-up of real services, in process: the time `Service::from_config_file` takes for
//! each service of `$STRAIT_SERVICES` (a directory of service directories, each with its
//! `Config.toml`, as `bench-suite/real-services` writes them; `bench-suite/startup.sh` sets
//! it), on Wasmtime with Cranelift cold and warm (compiled-module cache) and Winch cold, and on
//! wasmi; then wasmi's three compilation modes on the same modules (compile only, through
//! wasmi's API: strait uses its default, lazy translation); then the modules of each service
//! compiled one after another and concurrently (a thread each), on each compiler.
//!
//! `STRAIT_SERVICES=DIR cargo bench -p strait-bench --bench startup`; each figure is the
//! median of `STARTUP_RUNS` loads (default 5).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a bench binary reports figures on stdout"
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use strait::{Backend, CacheDir, Compiler, EngineConfig, Service, ServiceOptions};

fn runs() -> usize {
    std::env::var("STARTUP_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5)
        .max(1)
}

/// The median of `runs()` timings of `f`.
fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs())
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

/// Loads the service of `dir` (its working directory, where its configs map their
/// directories) with `engine`.
fn load<B: Backend>(dir: &Path, engine: &EngineConfig) {
    let options = ServiceOptions {
        engine: engine.clone(),
        working_dir: Some(dir.to_path_buf()),
        ..ServiceOptions::default()
    };
    if let Err(e) = Service::<B>::from_config_file(&dir.join("Config.toml"), options) {
        panic!("cannot load {}: {e}", dir.display());
    }
}

/// The wasm files of a service directory.
fn modules(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|path| path.extension().is_some_and(|ext| ext == "wasm"));
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read(path).expect("module"))
        .collect()
}

#[cfg(feature = "wasmi")]
fn wasmi_modes(dir: &Path) -> String {
    use wasmi::CompilationMode;
    let wasm = modules(dir);
    let mut cells = Vec::new();
    for mode in [
        CompilationMode::Eager,
        CompilationMode::LazyTranslation,
        CompilationMode::Lazy,
    ] {
        let mut config = wasmi::Config::default();
        config.compilation_mode(mode).wasm_simd(true);
        let time = median(|| {
            let engine = wasmi::Engine::new(&config);
            for bytes in &wasm {
                wasmi::Module::new(&engine, bytes).expect("wasmi compiles the module");
            }
        });
        cells.push(ms(time));
    }
    cells.join(" | ")
}

#[cfg(not(feature = "wasmi"))]
fn wasmi_modes(_: &Path) -> String {
    "- | - | -".into()
}

/// Compiling a service's modules one after another, then each on its own thread at once.
fn serial_and_concurrent<B: Backend>(wasm: &[Vec<u8>], config: &EngineConfig) -> String {
    let engine = B::new(config).expect("engine");
    let serial = median(|| {
        for bytes in wasm {
            engine.compile(bytes).expect("compile");
        }
    });
    let concurrent = median(|| {
        std::thread::scope(|scope| {
            for bytes in wasm {
                let engine = &engine;
                scope.spawn(move || engine.compile(bytes).expect("compile"));
            }
        });
    });
    format!("{} / {}", ms(serial), ms(concurrent))
}

fn compile_rows(dir: &Path) -> String {
    let wasm = modules(dir);
    let off = EngineConfig::default().with_cache_dir(CacheDir::Off);
    let mut cells = Vec::new();
    #[cfg(feature = "wasmtime")]
    {
        cells.push(serial_and_concurrent::<strait::Wasmtime>(&wasm, &off));
        let winch = off.clone().with_compiler(Compiler::Winch);
        cells.push(serial_and_concurrent::<strait::Wasmtime>(&wasm, &winch));
    }
    #[cfg(feature = "wasmi")]
    cells.push(serial_and_concurrent::<strait::Wasmi>(&wasm, &off));
    cells.join(" | ")
}

fn service(dir: &Path, cache: &Path) -> String {
    let mut cells = Vec::new();
    #[cfg(feature = "wasmtime")]
    {
        use strait::Wasmtime;
        let off = EngineConfig::default().with_cache_dir(CacheDir::Off);
        cells.push(ms(median(|| load::<Wasmtime>(dir, &off))));
        let cached = EngineConfig::default().with_cache_dir(CacheDir::Dir(cache.to_path_buf()));
        load::<Wasmtime>(dir, &cached);
        cells.push(ms(median(|| load::<Wasmtime>(dir, &cached))));
        let winch = off.clone().with_compiler(Compiler::Winch);
        cells.push(ms(median(|| load::<Wasmtime>(dir, &winch))));
    }
    #[cfg(not(feature = "wasmtime"))]
    cells.extend(["-".to_owned(), "-".to_owned(), "-".to_owned()]);
    #[cfg(feature = "wasmi")]
    cells.push(ms(median(|| {
        load::<strait::Wasmi>(dir, &EngineConfig::default())
    })));
    #[cfg(not(feature = "wasmi"))]
    cells.push("-".to_owned());
    let _ = cache;
    format!("{} | {}", cells.join(" | "), wasmi_modes(dir))
}

fn main() {
    let Some(root) = std::env::var_os("STRAIT_SERVICES").map(PathBuf::from) else {
        eprintln!(
            "skipped: set STRAIT_SERVICES to a directory of services (bench-suite/startup.sh)"
        );
        return;
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.retain(|dir| dir.join("Config.toml").is_file());
    dirs.sort();
    let cache = std::env::temp_dir().join(format!("strait-startup-{}", std::process::id()));
    println!(
        "| service | Cranelift cold | Cranelift warm | Winch cold | wasmi | \
         wasmi compile: eager | lazy translation | lazy |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for dir in &dirs {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        println!("| {name} | {} |", service(dir, &cache));
    }
    println!();
    println!(
        "Compiling the modules of a service one after another / each on its own thread at once \
         ({} cores):",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!();
    let mut header = Vec::new();
    #[cfg(feature = "wasmtime")]
    header.extend(["Cranelift", "Winch"]);
    #[cfg(feature = "wasmi")]
    header.push("wasmi");
    println!("| service | {} |", header.join(" | "));
    println!("|---|{}", "---:|".repeat(header.len()));
    for dir in &dirs {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        println!("| {name} | {} |", compile_rows(dir));
    }
    let _ = std::fs::remove_dir_all(&cache);
}
