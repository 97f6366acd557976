//! Service calls on the real Marine artifacts, on both engines: `greeting("x")` (one module,
//! five core calls) and `records_pure.invoke()` (a 13-field record through a cross-module
//! call). Marine 0.37 takes 56 µs and 194 µs for these (D46); compare medians across engines,
//! not absolute times, on a shared machine.

#![allow(
    clippy::print_stderr,
    reason = "a bench run says why it measured nothing"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use strait::{Backend, IValue, ModuleSettings, Service, ServiceOptions};

fn load<B: Backend>(dir: &Path, modules: &[(&str, &str)]) -> Service<B> {
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
    for (name, file) in modules {
        let bytes = std::fs::read(dir.join(file)).expect("artifact");
        service
            .load_module(name, &bytes, &ModuleSettings::default())
            .expect("load");
    }
    service
}

fn bench_engine<B: Backend>(c: &mut Criterion, dir: &Path) {
    let mut greeting = load::<B>(dir, &[("greeting", "greeting/greeting.wasm")]);
    let args = [IValue::String("x".into())];
    c.bench_function(&format!("service/{}/greeting", B::NAME), |b| {
        b.iter(|| {
            black_box(
                greeting
                    .call("greeting", "greeting", black_box(&args))
                    .expect("call"),
            )
        })
    });
    let mut records = load::<B>(
        dir,
        &[
            ("records_effector", "records/records_effector.wasm"),
            ("records_pure", "records/records_pure.wasm"),
        ],
    );
    c.bench_function(&format!("service/{}/records_pure_invoke", B::NAME), |b| {
        b.iter(|| black_box(records.call("records_pure", "invoke", &[]).expect("call")))
    });
}

fn service(c: &mut Criterion) {
    let Some(dir) = strait_bench::artifacts_dir() else {
        eprintln!("skipped: ../shared/artifacts is not beside the repository");
        return;
    };
    strait::each_backend!(bench_engine(c, &dir));
}

criterion_group!(benches, service);
criterion_main!(benches);
