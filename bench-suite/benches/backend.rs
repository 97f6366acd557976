//! The Backend traits against each engine's own API: a typed host→wasm call and a
//! wasm→host→wasm round trip (see the crate docs).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use strait_backend::{Backend, BackendStore, WValue};
use strait_bench::{TraitScenario, direct_wasmi, direct_wasmtime};
use strait_wasmi::Wasmi;
use strait_wasmtime::Wasmtime;

fn through_traits<B: Backend>(c: &mut Criterion) {
    let mut s = TraitScenario::<B>::new().expect("trait scenario");
    let name = B::NAME;
    c.bench_function(&format!("typed_call/{name}/trait"), |b| {
        b.iter(|| {
            s.add
                .call(&mut s.store, (black_box(1), black_box(2)))
                .expect("add")
        })
    });
    c.bench_function(&format!("untyped_call/{name}/trait"), |b| {
        let mut out = [WValue::I32(0)];
        b.iter(|| {
            s.store
                .call(
                    &s.add_untyped,
                    &[WValue::I32(black_box(1)), WValue::I32(black_box(2))],
                    &mut out,
                )
                .expect("add");
            out[0]
        })
    });
    c.bench_function(&format!("round_trip/{name}/trait"), |b| {
        b.iter(|| {
            s.roundtrip
                .call(&mut s.store, black_box(41))
                .expect("roundtrip")
        })
    });
}

fn direct(c: &mut Criterion) {
    let mut wt = direct_wasmtime::Scenario::new().expect("wasmtime scenario");
    c.bench_function("typed_call/wasmtime/direct", |b| {
        b.iter(|| {
            wt.add
                .call(&mut wt.store, (black_box(1), black_box(2)))
                .expect("add")
        })
    });
    c.bench_function("round_trip/wasmtime/direct", |b| {
        b.iter(|| {
            wt.roundtrip
                .call(&mut wt.store, black_box(41))
                .expect("roundtrip")
        })
    });
    let mut wd = direct_wasmtime::Scenario::new_dynamic().expect("wasmtime scenario");
    c.bench_function("round_trip/wasmtime/direct_dynamic_host", |b| {
        b.iter(|| {
            wd.roundtrip
                .call(&mut wd.store, black_box(41))
                .expect("roundtrip")
        })
    });
    let mut wi = direct_wasmi::Scenario::new().expect("wasmi scenario");
    c.bench_function("typed_call/wasmi/direct", |b| {
        b.iter(|| {
            wi.add
                .call(&mut wi.store, (black_box(1), black_box(2)))
                .expect("add")
        })
    });
    c.bench_function("round_trip/wasmi/direct", |b| {
        b.iter(|| {
            wi.roundtrip
                .call(&mut wi.store, black_box(41))
                .expect("roundtrip")
        })
    });
}

fn benches(c: &mut Criterion) {
    direct(c);
    through_traits::<Wasmtime>(c);
    through_traits::<Wasmi>(c);
}

criterion_group!(backend, benches);
criterion_main!(backend);
