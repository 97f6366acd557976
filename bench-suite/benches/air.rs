//! `strait air`'s particle loop on every engine: Aqua's hello world (`examples/greeting`,
//! five `invoke` steps, four service calls) and a 20-call `fold` over a stream, each a whole
//! run from the first `invoke` to the last. AquaVM's load (compiling 5.9 MB of wasm) is timed
//! once per engine and printed, apart from the runs. Needs AquaVM (`air/fetch-avm.sh`).

#![allow(
    clippy::print_stderr,
    reason = "a bench run reports AquaVM's load time and why it measured nothing"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;
use strait::{Backend, ServiceOptions};
use strait_air::{AirRunner, AquaVm, KeyPair, LocalService, Particle};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Twenty `op.identity` calls from a `fold` over a stream: steps dominated by AquaVM.
const FOLD: &str = r#"
    (seq
        (seq
            (call %init_peer_id% ("op" "array") [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20] xs)
            (fold xs x
                (seq
                    (call %init_peer_id% ("op" "identity") [x] $ys)
                    (next x))))
        (canon %init_peer_id% $ys #ys))"#;

fn bench_engine<B: Backend>(c: &mut Criterion, avm: &Path) {
    let start = Instant::now();
    let vm = AquaVm::<B>::from_file(avm, ServiceOptions::default()).expect("AquaVM loads");
    eprintln!("air/{}: AquaVM loaded in {:?}", B::NAME, start.elapsed());
    let mut runner = AirRunner::new(vm, KeyPair::from_seed([1; 32]));
    let greeting = repo().join("examples/greeting/Config.toml");
    let service = LocalService::<B>::from_config_file(&greeting, ServiceOptions::default())
        .expect("greeting loads");
    runner.add_service("greeting", service).expect("service id");
    runner.set_arg("name", json!("world"));
    let hello = std::fs::read_to_string(repo().join("examples/greeting/hello.air")).expect("air");
    let particle = Particle {
        id: "bench".to_owned(),
        timestamp: 1_700_000_000_000,
        ttl: 120_000,
    };
    for (name, script) in [("hello_world", hello.as_str()), ("fold_20", FOLD)] {
        let report = runner.run(script, &particle).expect("the loop runs");
        assert_eq!(report.ret_code, 0, "{name}: {}", report.error_message);
        eprintln!(
            "air/{}/{name}: {} steps, {} calls",
            B::NAME,
            report.steps,
            report.calls.len()
        );
        c.bench_function(&format!("air/{}/{name}", B::NAME), |b| {
            b.iter(|| black_box(runner.run(black_box(script), &particle).expect("run")))
        });
    }
}

fn air(c: &mut Criterion) {
    let avm = repo().join("target/aquavm/avm-0.62.0.wasm");
    if !avm.exists() {
        eprintln!(
            "skipped: AquaVM not at {} (run air/fetch-avm.sh)",
            avm.display()
        );
        return;
    }
    strait::each_backend!(bench_engine(c, &avm));
}

criterion_group!(benches, air);
criterion_main!(benches);
