//! Scale: 1,000 greeting services in one process, on every engine. Each run loads all the
//! services, calls `greeting` once on each, then once more on each, and prints the time of
//! each phase and the resident memory per service (growth over the process before the run).
//!
//! Two ways of making the services, each a row:
//! - `files`: `Service::from_config_file` per service, as an embedder with one config per
//!   service writes it: every service has its own engine. On Wasmtime the compiled-module
//!   cache is warm (one load before the timed run fills it), in a scratch directory.
//! - `shared`: one engine for all (`Service::with_engine`) and the module's bytes read once;
//!   each service still compiles (or on Wasmtime reads from the cache) the module itself.
//!
//! Each row runs in a process of its own (the bench starts itself again with `SCALE_ROW`).
//! `cargo bench -p strait-bench --bench scale` (Linux: reads `/proc/self/statm`);
//! `SCALE_SERVICES=100` runs fewer services.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    reason = "a bench binary reports figures on stdout"
)]

use std::path::Path;
use std::time::{Duration, Instant};
use strait::{Backend, CacheDir, EngineConfig, IValue, ModuleSettings, Service, ServiceOptions};

/// How many services a run makes.
fn count() -> usize {
    std::env::var("SCALE_SERVICES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000)
}

/// What one run measured.
struct Row {
    load: Duration,
    first_calls: Duration,
    second_calls: Duration,
    rss_loaded: u64,
    rss_called: u64,
}

/// Makes `n` services with `make`, then calls each twice; `make` gets the service's index.
fn run<B: Backend>(n: usize, mut make: impl FnMut(usize) -> Service<B>) -> Row {
    let before = strait_bench::rss_bytes();
    let started = Instant::now();
    let mut services: Vec<Service<B>> = (0..n).map(&mut make).collect();
    let load = started.elapsed();
    let rss_loaded = strait_bench::rss_bytes().saturating_sub(before);
    let name = [IValue::String("scale".into())];
    let mut calls = || {
        let started = Instant::now();
        for service in &mut services {
            let hi = service
                .call("greeting", "greeting", &name)
                .expect("greeting");
            assert_eq!(hi, [IValue::String("Hi, scale".into())]);
        }
        started.elapsed()
    };
    let first_calls = calls();
    let second_calls = calls();
    let rss_called = strait_bench::rss_bytes().saturating_sub(before);
    drop(services);
    Row {
        load,
        first_calls,
        second_calls,
        rss_loaded,
        rss_called,
    }
}

fn print(engine: &str, how: &str, n: usize, row: &Row) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    let kib = |b: u64| b as f64 / 1024.0 / n as f64;
    let total = row.load + row.first_calls + row.second_calls;
    println!(
        "| {engine} | {how} | {n} | {:.0} ms ({:.0} µs each) | {:.1} ms ({:.1} µs each) | \
         {:.1} ms ({:.1} µs each) | {:.2} s | {:.0} MiB ({:.0} KiB each) | {:.0} MiB ({:.0} KiB each) |",
        ms(row.load),
        per(row.load),
        ms(row.first_calls),
        per(row.first_calls),
        ms(row.second_calls),
        per(row.second_calls),
        total.as_secs_f64(),
        row.rss_loaded as f64 / f64::from(1 << 20),
        kib(row.rss_loaded),
        row.rss_called as f64 / f64::from(1 << 20),
        kib(row.rss_called),
    );
}

/// Runs one row in this process: `how` is `files` or `shared`.
fn row<B: Backend>(dir: &Path, cache: &Path, how: &str) {
    let n = count();
    let config = dir.join("greeting/Config.toml");
    let engine = EngineConfig::default().with_cache_dir(CacheDir::Dir(cache.to_path_buf()));
    let options = ServiceOptions {
        engine: engine.clone(),
        ..ServiceOptions::default()
    };
    // Fills the compiled-module cache (Wasmtime), so the run below starts warm.
    drop(Service::<B>::from_config_file(&config, options.clone()).expect("warm-up"));
    let measured = if how == "files" {
        run::<B>(n, |_| {
            Service::from_config_file(&config, options.clone()).expect("service")
        })
    } else {
        let shared = B::new(&engine).expect("engine");
        let bytes = std::fs::read(dir.join("greeting/greeting.wasm")).expect("greeting.wasm");
        let settings = ModuleSettings {
            logger_enabled: false,
            ..ModuleSettings::default()
        };
        run::<B>(n, |_| {
            let mut service =
                Service::with_engine(shared.clone(), options.clone()).expect("service");
            service
                .load_module("greeting", &bytes, &settings)
                .expect("load");
            service
        })
    };
    print(B::NAME, how, n, &measured);
}

/// Runs the row `SCALE_ROW` (`engine/how`) names, in this process.
fn one_row(dir: &Path, cache: &Path, name: &str) {
    let Some((engine, how)) = name.split_once('/') else {
        return;
    };
    strait::select_backend!(engine, row(dir, cache, how));
}

fn main() {
    // libtest-style flags (`--bench`) from `cargo bench` are not ours.
    let Some(dir) = strait_bench::artifacts_dir() else {
        eprintln!("skipped: ../shared/artifacts is not beside the repository");
        return;
    };
    let cache = std::env::temp_dir().join(format!("strait-scale-{}", std::process::id()));
    if let Ok(name) = std::env::var("SCALE_ROW") {
        one_row(&dir, &cache, &name);
        let _ = std::fs::remove_dir_all(&cache);
        return;
    }
    println!(
        "| engine | services made | n | load all | call each | call each again | total | \
         RSS after load | RSS after calls |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    // Each row in a process of its own, so that memory one row freed does not hide what the
    // next one takes.
    let exe = std::env::current_exe().expect("this bench's path");
    for engine in strait::BACKENDS {
        for how in ["files", "shared"] {
            let status = std::process::Command::new(&exe)
                .env("SCALE_ROW", format!("{engine}/{how}"))
                .status()
                .expect("the bench runs itself");
            assert!(status.success(), "{engine}/{how} failed");
        }
    }
}
