//! Soak run, on every engine, one service each: 1,000,000 calls of `records_pure.invoke()`,
//! 100,000 of `greeting` with a 64 KiB string, and 10,000 load/unload cycles of the
//! greeting module. Resident memory is sampled every 10 % of each run; after the first
//! 10 % (warm-up) it must stay within 5 % of its level then, or the run fails. Calls per
//! second in the first and the last 10 % show whether anything slows down.
//!
//! `cargo bench -p strait-bench --bench soak` (Linux: reads `/proc/self/statm`).
//! `SOAK_SCALE=0.1` runs a tenth of every count.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a bench binary reports on stdout"
)]

use std::path::Path;
use std::time::Instant;
use strait::{Backend, IValue, ModuleSettings, Service, ServiceOptions};

/// Allowed growth of resident memory after warm-up.
const FLAT: f64 = 0.05;

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "a scale factor on counts far below 2^52"
)]
fn scaled(count: u64) -> u64 {
    let scale: f64 = std::env::var("SOAK_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    ((count as f64 * scale) as u64).max(10)
}

/// Runs `step` `count` times, sampling memory and speed every tenth; returns whether memory
/// stayed flat after the first tenth.
fn soak(name: &str, count: u64, mut step: impl FnMut(u64)) -> bool {
    let tenth = count / 10;
    let mut samples = Vec::new();
    let mut rates = Vec::new();
    let mut start = Instant::now();
    for i in 0..count {
        step(i);
        if (i + 1) % tenth == 0 {
            rates.push(tenth as f64 / start.elapsed().as_secs_f64());
            samples.push(strait_bench::rss_bytes());
            start = Instant::now();
        }
    }
    let base = samples[0] as f64;
    let worst = samples.iter().copied().max().unwrap_or(0) as f64;
    let growth = worst / base - 1.0;
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    println!(
        "{name:<34} {count:>9} runs  RSS {:>7.1} → {:>7.1} MiB (after warm-up, max {:+.1} %)  \
         {:>9.0}/s → {:>9.0}/s",
        mib(samples[0]),
        mib(*samples.last().unwrap_or(&0)),
        growth * 100.0,
        rates[0],
        rates.last().copied().unwrap_or(0.0),
    );
    growth <= FLAT
}

fn load<B: Backend>(service: &mut Service<B>, dir: &Path, name: &str, file: &str) {
    let bytes = std::fs::read(dir.join(file)).expect("artifact");
    service
        .load_module(name, &bytes, &ModuleSettings::default())
        .expect("load");
}

fn engine<B: Backend>(dir: &Path, flat: &mut bool) {
    let mut records = Service::<B>::new(ServiceOptions::default()).expect("service");
    load(
        &mut records,
        dir,
        "records_effector",
        "records/records_effector.wasm",
    );
    load(
        &mut records,
        dir,
        "records_pure",
        "records/records_pure.wasm",
    );
    *flat &= soak(
        &format!("{}/records_pure.invoke", B::NAME),
        scaled(1_000_000),
        |_| {
            records.call("records_pure", "invoke", &[]).expect("invoke");
        },
    );

    let mut greeting = Service::<B>::new(ServiceOptions::default()).expect("service");
    load(&mut greeting, dir, "greeting", "greeting/greeting.wasm");
    let big = [IValue::String("x".repeat(64 * 1024))];
    *flat &= soak(
        &format!("{}/greeting(64 KiB)", B::NAME),
        scaled(100_000),
        |_| {
            greeting
                .call("greeting", "greeting", &big)
                .expect("greeting");
        },
    );

    let bytes = std::fs::read(dir.join("greeting/greeting.wasm")).expect("greeting");
    let mut cycles = Service::<B>::new(ServiceOptions::default()).expect("service");
    *flat &= soak(
        &format!("{}/load+unload greeting", B::NAME),
        scaled(10_000),
        |_| {
            cycles
                .load_module("greeting", &bytes, &ModuleSettings::default())
                .expect("load");
            cycles.unload_module("greeting").expect("unload");
        },
    );
}

fn main() {
    // libtest-style flags (`--bench`) from `cargo bench` are not ours.
    let Some(dir) = strait_bench::artifacts_dir() else {
        eprintln!("skipped: ../shared/artifacts is not beside the repository");
        return;
    };
    let mut flat = true;
    strait::each_backend!(engine(&dir, &mut flat));
    if !flat {
        eprintln!(
            "resident memory grew by more than {} % after warm-up",
            FLAT * 100.0
        );
        std::process::exit(1);
    }
}
