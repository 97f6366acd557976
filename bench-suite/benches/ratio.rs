//! Interleaved trait/direct ratios: on a shared, noisy machine, criterion's sequential runs
//! drift by tens of percent between benches, so this alternates short batches of the two
//! sides and reports the median of the per-round ratios.
//!
//! `cargo bench -p strait-bench --bench ratio`

#![allow(clippy::print_stdout, reason = "a bench binary reports on stdout")]

use std::hint::black_box;
use std::time::Instant;

use strait_backend::{BackendStore, WValue};
use strait_bench::{TraitScenario, direct_wasmi, direct_wasmtime};
use strait_wasmi::Wasmi;
use strait_wasmtime::Wasmtime;

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

fn main() {
    let mut wt = direct_wasmtime::Scenario::new().expect("wasmtime");
    let mut wtt = TraitScenario::<Wasmtime>::new().expect("wasmtime traits");
    compare(
        "typed_call/wasmtime",
        &mut || {
            black_box(
                wt.add
                    .call(&mut wt.store, (black_box(1), black_box(2)))
                    .expect("add"),
            );
        },
        &mut || {
            black_box(
                wtt.add
                    .call(&mut wtt.store, (black_box(1), black_box(2)))
                    .expect("add"),
            );
        },
    );
    let mut out = [WValue::I32(0)];
    compare(
        "untyped_call/wasmtime",
        &mut || {
            black_box(
                wt.add
                    .call(&mut wt.store, (black_box(1), black_box(2)))
                    .expect("add"),
            );
        },
        &mut || {
            let args = [WValue::I32(black_box(1)), WValue::I32(black_box(2))];
            wtt.store
                .call(&wtt.add_untyped, &args, &mut out)
                .expect("add");
            black_box(out[0]);
        },
    );
    compare(
        "round_trip/wasmtime",
        &mut || {
            black_box(
                wt.roundtrip
                    .call(&mut wt.store, black_box(41))
                    .expect("roundtrip"),
            );
        },
        &mut || {
            black_box(
                wtt.roundtrip
                    .call(&mut wtt.store, black_box(41))
                    .expect("roundtrip"),
            );
        },
    );

    let mut wi = direct_wasmi::Scenario::new().expect("wasmi");
    let mut wit = TraitScenario::<Wasmi>::new().expect("wasmi traits");
    compare(
        "typed_call/wasmi",
        &mut || {
            black_box(
                wi.add
                    .call(&mut wi.store, (black_box(1), black_box(2)))
                    .expect("add"),
            );
        },
        &mut || {
            black_box(
                wit.add
                    .call(&mut wit.store, (black_box(1), black_box(2)))
                    .expect("add"),
            );
        },
    );
    compare(
        "untyped_call/wasmi",
        &mut || {
            black_box(
                wi.add
                    .call(&mut wi.store, (black_box(1), black_box(2)))
                    .expect("add"),
            );
        },
        &mut || {
            let args = [WValue::I32(black_box(1)), WValue::I32(black_box(2))];
            wit.store
                .call(&wit.add_untyped, &args, &mut out)
                .expect("add");
            black_box(out[0]);
        },
    );
    compare(
        "round_trip/wasmi",
        &mut || {
            black_box(
                wi.roundtrip
                    .call(&mut wi.store, black_box(41))
                    .expect("roundtrip"),
            );
        },
        &mut || {
            black_box(
                wit.roundtrip
                    .call(&mut wit.store, black_box(41))
                    .expect("roundtrip"),
            );
        },
    );
}
