//! Cost growth and the ideal host (issue 9 item 4), on every engine from one definition.
//! The Marine harness (`bench-suite/marine`, `benches/marine.rs`) runs the same groups with
//! the same inputs under the benchmark name `marine`, so `run.sh` puts them side by side.
//!
//! | group | what | throughput |
//! |---|---|---|
//! | `greeting` | `greeting("x")`: strait, and the ideal host on the engine's own API | – |
//! | `records_pure_invoke` | `records_pure.invoke()` (a 13-field record through a cross-module call) | – |
//! | `string_arg` | `greeting(s)`, `s` of 1 B to 1 MiB; `memcpy` copies the same bytes once | bytes |
//! | `record_leaves` | `echo(r)`, a record of 13 to 65,536 scalar leaves (fixtures) | leaves |
//! | `record_array` | `echo_array(a)`, 1 to 10,000 `TestRecord`s (fixtures) | records |
//! | `chain` | url-downloader's `get_n_save`: facade → curl_adapter (in-process `curl` answering a body of 16 B to 1 MiB) and local_storage (writes it) | body bytes |
//! | `load` | a service from its `Config.toml` (greeting, records, url-downloader) | – |
//!
//! Benchmark names are `<group>/<side>[/<parameter>]`, the side being `strait-<engine>`,
//! `ideal-<engine>`, `memcpy` or (Marine harness) `marine`.

#![allow(
    clippy::print_stderr,
    reason = "a bench run says why it measured nothing"
)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use strait::{Backend, IValue, ModuleSettings, Service, ServiceOptions};
use strait_bench::chain::{CHAIN_BODY_SIZES, chain_args, chain_body, chain_service, sites_dir};
use strait_bench::fixtures::{
    ARRAY_LENGTHS, RECORD_LEAVES, STRING_SIZES, record_array_value, record_array_wat,
    record_tree_value, record_tree_wat, to_wasm,
};
use strait_bench::ideal::{HasIdeal, IdealGreeting, IdealRecords};
use strait_bench::{artifact, shared_dir};

/// Samples per benchmark in the sweeps, whose large points take milliseconds per call.
const SWEEP_SAMPLES: usize = 20;

fn strait(engine: &str) -> String {
    format!("strait-{engine}")
}

fn ideal(engine: &str) -> String {
    format!("ideal-{engine}")
}

fn from_config<B: Backend>(config: &Path) -> Service<B> {
    let options = ServiceOptions {
        // Relative mapped directories (url-downloader's ./sites) resolve beside the config.
        working_dir: config.parent().map(Path::to_path_buf),
        ..ServiceOptions::default()
    };
    Service::<B>::from_config_file(config, options).expect("load from Config.toml")
}

fn load_wasm<B: Backend>(name: &str, wasm: &[u8]) -> Service<B> {
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
    service
        .load_module(name, wasm, &ModuleSettings::default())
        .expect("load");
    service
}

/// `greeting("x")` and `records_pure.invoke()`: strait against the ideal host.
fn calls<B: HasIdeal>(c: &mut Criterion, shared: &Path) {
    let engine = B::NAME;
    let greeting_wasm = artifact("greeting/greeting.wasm").expect("greeting.wasm");
    let mut service = from_config::<B>(&shared.join("artifacts/greeting/Config.toml"));
    let mut floor = B::Greeting::new(&greeting_wasm).expect("ideal greeting");
    let args = [IValue::String("x".into())];
    let mut group = c.benchmark_group("greeting");
    group.bench_function(strait(engine), |b| {
        b.iter(|| {
            service
                .call("greeting", "greeting", black_box(&args))
                .expect("call")
        })
    });
    group.bench_function(ideal(engine), |b| {
        b.iter(|| floor.greeting(black_box("x")).expect("call"))
    });
    group.finish();

    let effector = artifact("records/records_effector.wasm").expect("records_effector.wasm");
    let pure = artifact("records/records_pure.wasm").expect("records_pure.wasm");
    let mut service = from_config::<B>(&shared.join("artifacts/records/Config.toml"));
    let mut floor = B::Records::new(&effector, &pure).expect("ideal records");
    let mut group = c.benchmark_group("records_pure_invoke");
    group.bench_function(strait(engine), |b| {
        b.iter(|| service.call("records_pure", "invoke", &[]).expect("call"))
    });
    group.bench_function(ideal(engine), |b| b.iter(|| floor.invoke().expect("call")));
    group.finish();
}

/// A plain copy of `size` bytes: the limit of any payload path.
fn memcpy(c: &mut Criterion) {
    let mut group = c.benchmark_group("string_arg");
    group.sample_size(SWEEP_SAMPLES);
    for size in STRING_SIZES {
        let source = vec![b'a'; size];
        let mut target = vec![0u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("memcpy", size), &size, |b, _| {
            b.iter(|| {
                target.copy_from_slice(black_box(&source));
                black_box(&mut target);
            })
        });
    }
    group.finish();
}

/// `greeting(s)` for `s` of 1 B to 1 MiB: strait and the ideal host.
fn strings<B: HasIdeal>(c: &mut Criterion, shared: &Path) {
    let engine = B::NAME;
    let wasm = artifact("greeting/greeting.wasm").expect("greeting.wasm");
    let mut service = from_config::<B>(&shared.join("artifacts/greeting/Config.toml"));
    let mut floor = B::Greeting::new(&wasm).expect("ideal greeting");
    let mut group = c.benchmark_group("string_arg");
    group.sample_size(SWEEP_SAMPLES);
    for size in STRING_SIZES {
        let name = "a".repeat(size);
        let args = [IValue::String(name.clone())];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new(strait(engine), size), &size, |b, _| {
            b.iter(|| {
                service
                    .call("greeting", "greeting", black_box(&args))
                    .expect("call")
            })
        });
        group.bench_with_input(BenchmarkId::new(ideal(engine), size), &size, |b, _| {
            b.iter(|| floor.greeting(black_box(&name)).expect("call"))
        });
    }
    group.finish();
}

/// `echo(r)` over records of 13 to 65,536 leaves, and `echo_array(a)` over 1 to 10,000
/// records.
fn records<B: Backend>(c: &mut Criterion) {
    let engine = B::NAME;
    let mut group = c.benchmark_group("record_leaves");
    group.sample_size(SWEEP_SAMPLES);
    for leaves in RECORD_LEAVES {
        let wat = record_tree_wat(leaves).expect("a sweep point");
        let mut service = load_wasm::<B>("echo", &to_wasm(&wat).expect("fixture"));
        let args = [record_tree_value(leaves).expect("a sweep point")];
        group.throughput(Throughput::Elements(leaves as u64));
        group.bench_with_input(BenchmarkId::new(strait(engine), leaves), &leaves, |b, _| {
            b.iter(|| {
                service
                    .call("echo", "echo", black_box(&args))
                    .expect("call")
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("record_array");
    group.sample_size(SWEEP_SAMPLES);
    let mut service = load_wasm::<B>("echo", &to_wasm(&record_array_wat()).expect("fixture"));
    for len in ARRAY_LENGTHS {
        let args = [record_array_value(len)];
        group.throughput(Throughput::Elements(len as u64));
        group.bench_with_input(BenchmarkId::new(strait(engine), len), &len, |b, _| {
            b.iter(|| {
                service
                    .call("echo", "echo_array", black_box(&args))
                    .expect("call")
            })
        });
    }
    group.finish();
}

/// url-downloader's `get_n_save` with in-process `curl` bodies of 16 B to 1 MiB.
fn chain<B: Backend>(c: &mut Criterion, shared: &Path) {
    let engine = B::NAME;
    let artifacts = shared.join("artifacts/url-downloader");
    let sites = sites_dir(engine).expect("a directory for the chain's files");
    let mut group = c.benchmark_group("chain");
    group.sample_size(SWEEP_SAMPLES);
    for size in CHAIN_BODY_SIZES {
        let mut service =
            chain_service::<B>(&artifacts, &sites, chain_body(size)).expect("chain service");
        let args = chain_args();
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new(strait(engine), size), &size, |b, _| {
            b.iter(|| {
                service
                    .call("facade", "get_n_save", black_box(&args))
                    .expect("call")
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&sites);
}

/// Loading a service from its `Config.toml` with the default options.
fn load<B: Backend>(c: &mut Criterion, shared: &Path) {
    let engine = B::NAME;
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for service in ["greeting", "records", "url-downloader"] {
        let config = shared.join("artifacts").join(service).join("Config.toml");
        group.bench_with_input(
            BenchmarkId::new(strait(engine), service),
            &config,
            |b, config| b.iter(|| from_config::<B>(config)),
        );
    }
    group.finish();
}

fn growth(c: &mut Criterion) {
    let Some(shared) = shared_dir() else {
        eprintln!("skipped: ../shared/artifacts is not beside the repository");
        return;
    };
    strait::each_backend!(calls(c, &shared));
    memcpy(c);
    strait::each_backend!(strings(c, &shared));
    strait::each_backend!(records(c));
    strait::each_backend!(chain(c, &shared));
    strait::each_backend!(load(c, &shared));
}

criterion_group!(benches, growth);
criterion_main!(benches);
