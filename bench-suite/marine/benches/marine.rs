//! The Marine side of strait's `growth` bench (`bench-suite/benches/growth.rs`): the same
//! groups, inputs and parameters, under the benchmark name `marine`. The record and array
//! sweeps load the fixtures strait's `bench-fixtures` writes (`STRAIT_BENCH_FIXTURES`, default
//! `target/bench-fixtures` of the repository) and first check that this harness builds the
//! same argument values (digests in `fingerprints.txt`).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use strait_bench_marine::marine::IValue;
use strait_bench_marine::{
    call, chain, chain_args, chain_body, check_fingerprints, fixtures_dir, load_config,
    load_modules, record_array_value, record_tree_value, shared_dir, sites_dir, ARRAY_LENGTHS,
    CHAIN_BODY_SIZES, RECORD_LEAVES, STRING_SIZES,
};

const SIDE: &str = "marine";
const SWEEP_SAMPLES: usize = 20;

fn calls(c: &mut Criterion, shared: &Path) {
    let mut greeting = load_config(&shared.join("artifacts/greeting/Config.toml")).expect("load");
    let args = [IValue::String("x".into())];
    let mut group = c.benchmark_group("greeting");
    group.bench_function(SIDE, |b| {
        b.iter(|| call(&mut greeting, "greeting", "greeting", black_box(&args)).expect("call"))
    });
    group.finish();

    let mut records = load_config(&shared.join("artifacts/records/Config.toml")).expect("load");
    let mut group = c.benchmark_group("records_pure_invoke");
    group.bench_function(SIDE, |b| {
        b.iter(|| call(&mut records, "records_pure", "invoke", &[]).expect("call"))
    });
    group.finish();
}

fn strings(c: &mut Criterion, shared: &Path) {
    let mut greeting = load_config(&shared.join("artifacts/greeting/Config.toml")).expect("load");
    let mut group = c.benchmark_group("string_arg");
    group.sample_size(SWEEP_SAMPLES);
    for size in STRING_SIZES {
        let args = [IValue::String("a".repeat(size))];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new(SIDE, size), &size, |b, _| {
            b.iter(|| call(&mut greeting, "greeting", "greeting", black_box(&args)).expect("call"))
        });
    }
    group.finish();
}

fn records(c: &mut Criterion, fixtures: &Path) {
    let read = |name: &str| {
        std::fs::read(fixtures.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", fixtures.join(name).display()))
    };
    let mut group = c.benchmark_group("record_leaves");
    group.sample_size(SWEEP_SAMPLES);
    for leaves in RECORD_LEAVES {
        let wasm = read(&format!("records_{leaves}.wasm"));
        let mut marine = load_modules(vec![("echo".into(), wasm)]).expect("load");
        let args = [record_tree_value(leaves).expect("a sweep point")];
        let echoed = call(&mut marine, "echo", "echo", &args).expect("call");
        assert!(echoed == args, "Marine does not echo {leaves} leaves");
        group.throughput(Throughput::Elements(leaves as u64));
        group.bench_with_input(BenchmarkId::new(SIDE, leaves), &leaves, |b, _| {
            b.iter(|| call(&mut marine, "echo", "echo", black_box(&args)).expect("call"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("record_array");
    group.sample_size(SWEEP_SAMPLES);
    let mut marine = load_modules(vec![("echo".into(), read("record_array.wasm"))]).expect("load");
    for len in ARRAY_LENGTHS {
        let args = [record_array_value(len)];
        let echoed = call(&mut marine, "echo", "echo_array", &args).expect("call");
        assert!(echoed == args, "Marine does not echo {len} records");
        group.throughput(Throughput::Elements(len as u64));
        group.bench_with_input(BenchmarkId::new(SIDE, len), &len, |b, _| {
            b.iter(|| call(&mut marine, "echo", "echo_array", black_box(&args)).expect("call"))
        });
    }
    group.finish();
}

fn chains(c: &mut Criterion, shared: &Path) {
    let artifacts = shared.join("artifacts/url-downloader");
    let sites = sites_dir(SIDE).expect("a directory for the chain's files");
    let mut group = c.benchmark_group("chain");
    group.sample_size(SWEEP_SAMPLES);
    for size in CHAIN_BODY_SIZES {
        let body = chain_body(size);
        let mut marine = chain(&artifacts, &sites, body.clone()).expect("chain service");
        let args = chain_args();
        let result = call(&mut marine, "facade", "get_n_save", &args).expect("call");
        assert!(
            result == [IValue::String("Ok".into())],
            "get_n_save: {result:?}"
        );
        assert!(std::fs::read(sites.join("body.txt")).expect("stored") == body);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new(SIDE, size), &size, |b, _| {
            b.iter(|| call(&mut marine, "facade", "get_n_save", black_box(&args)).expect("call"))
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&sites);
}

fn load(c: &mut Criterion, shared: &Path) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let start = std::env::current_dir().expect("the working directory");
    for service in ["greeting", "records", "url-downloader"] {
        let dir = shared.join("artifacts").join(service);
        // Marine resolves relative mapped directories (url-downloader's ./sites) against the
        // working directory.
        std::env::set_current_dir(&dir).expect("the service's folder");
        let config = dir.join("Config.toml");
        group.bench_with_input(BenchmarkId::new(SIDE, service), &config, |b, config| {
            b.iter(|| load_config(config).expect("load"))
        });
    }
    std::env::set_current_dir(start).expect("back to the working directory");
    group.finish();
}

fn marine(c: &mut Criterion) {
    let shared = shared_dir();
    let fixtures = fixtures_dir();
    check_fingerprints(&fixtures).expect("the same argument values as strait");
    calls(c, &shared);
    strings(c, &shared);
    records(c, &fixtures);
    chains(c, &shared);
    load(c, &shared);
}

criterion_group!(benches, marine);
criterion_main!(benches);
