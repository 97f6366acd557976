//! The Backend traits against each engine's own API: a typed host→wasm call and a
//! wasm→host→wasm round trip (see the crate docs), on every engine.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use strait_backend::{AsContextMut, WValue};
use strait_bench::{Direct, HasDirect, Host, TraitScenario};

fn bench<B: HasDirect>(c: &mut Criterion) {
    let name = B::NAME;
    let mut direct = B::Direct::new().expect("direct scenario");
    c.bench_function(&format!("typed_call/{name}/direct"), |b| {
        b.iter(|| direct.add(black_box(1), black_box(2)))
    });
    c.bench_function(&format!("round_trip/{name}/direct"), |b| {
        b.iter(|| direct.roundtrip(black_box(41)))
    });
    let mut s = TraitScenario::<B>::new(Host::Typed).expect("trait scenario");
    let mut u = TraitScenario::<B>::new(Host::Untyped).expect("trait scenario");
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
    c.bench_function(&format!("round_trip_untyped_host/{name}/trait"), |b| {
        b.iter(|| {
            u.roundtrip
                .call(&mut u.store, black_box(41))
                .expect("roundtrip")
        })
    });
}

fn benches(c: &mut Criterion) {
    strait::each_backend!(bench(c));
}

criterion_group!(backend, benches);
criterion_main!(backend);
