//! Interleaved trait/direct ratios: on a shared, noisy machine, criterion's sequential runs
//! drift by tens of percent between benches, so this alternates short batches of the two
//! sides and reports the median of the per-round ratios.
//!
//! `cargo bench -p strait-bench --bench ratio`

#![allow(clippy::print_stdout, reason = "a bench binary reports on stdout")]

use std::hint::black_box;
use std::time::Instant;

use strait_backend::{AsContextMut, WValue};
use strait_bench::{Direct, HasDirect, Host, TraitScenario};

const ROUNDS: usize = 61;
const BATCH: u32 = 20_000;

fn batch_ns(f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..BATCH {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(BATCH)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn compare(name: &str, direct: &mut dyn FnMut(), traits: &mut dyn FnMut()) {
    for _ in 0..3 {
        batch_ns(direct);
        batch_ns(traits);
    }
    let (mut d, mut t, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (dn, tn) = if round % 2 == 0 {
            let dn = batch_ns(direct);
            (dn, batch_ns(traits))
        } else {
            let tn = batch_ns(traits);
            (batch_ns(direct), tn)
        };
        d.push(dn);
        t.push(tn);
        r.push(tn / dn);
    }
    println!(
        "{name:<28} direct {:>7.1} ns   trait {:>7.1} ns   trait/direct {:.2}",
        median(d),
        median(t),
        median(r)
    );
}

fn ratios<B: HasDirect>() {
    let name = B::NAME;
    let mut direct = B::Direct::new().expect("direct scenario");
    let mut traits = TraitScenario::<B>::new(Host::Typed).expect("trait scenario");
    let mut untyped = TraitScenario::<B>::new(Host::Untyped).expect("trait scenario");
    compare(
        &format!("typed_call/{name}"),
        &mut || {
            black_box(direct.add(black_box(1), black_box(2)));
        },
        &mut || {
            black_box(
                traits
                    .add
                    .call(&mut traits.store, (black_box(1), black_box(2)))
                    .expect("add"),
            );
        },
    );
    let mut out = [WValue::I32(0)];
    compare(
        &format!("untyped_call/{name}"),
        &mut || {
            black_box(direct.add(black_box(1), black_box(2)));
        },
        &mut || {
            let args = [WValue::I32(black_box(1)), WValue::I32(black_box(2))];
            traits
                .store
                .call(&traits.add_untyped, &args, &mut out)
                .expect("add");
            black_box(out[0]);
        },
    );
    compare(
        &format!("round_trip/{name}"),
        &mut || {
            black_box(direct.roundtrip(black_box(41)));
        },
        &mut || {
            black_box(
                traits
                    .roundtrip
                    .call(&mut traits.store, black_box(41))
                    .expect("roundtrip"),
            );
        },
    );
    compare(
        &format!("round_trip_untyped_host/{name}"),
        &mut || {
            black_box(direct.roundtrip(black_box(41)));
        },
        &mut || {
            black_box(
                untyped
                    .roundtrip
                    .call(&mut untyped.store, black_box(41))
                    .expect("roundtrip"),
            );
        },
    );
}

fn main() {
    strait::each_backend!(ratios());
}
