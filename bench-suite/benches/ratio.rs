//! Interleaved ratios: on a shared, noisy machine, criterion's sequential runs drift by tens
//! of percent between benches, so this alternates short batches (about 5 ms each) of the two
//! sides and reports the median of the per-round ratios.
//!
//! - trait/direct: the Backend traits against each engine's own API (see the crate docs);
//! - `adapters/…`: strait's service calls against the ideal host
//!   ([`strait_bench::ideal`]): `greeting("x")` and `records_pure.invoke()`, the ratio being
//!   the cost of strait's adapters over the floor (issue 9 target: at most 1.5). strait is
//!   called through `Service::call_into` with one results vector kept across calls (as the
//!   ideal host keeps its buffers); the `…_call` lines through `Service::call`, a new results
//!   vector per call.
//!
//! `cargo bench -p strait-bench --bench ratio [-- FILTER…]`: with filters, only the lines
//! whose name contains one of them (`adapters/greeting/wasmtime`, `records`, …) run.

#![allow(clippy::print_stdout, reason = "a bench binary reports on stdout")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use strait::{IValue, ModuleSettings, Service, ServiceOptions};
use strait_backend::{AsContextMut, WValue};
use strait_bench::ideal::{HasIdeal, IdealGreeting, IdealRecords};
use strait_bench::{Direct, HasDirect, Host, TraitScenario, artifact};

const ROUNDS: usize = 61;
/// How long one batch of one side runs.
const BATCH_TIME: Duration = Duration::from_millis(5);

/// Mean time per call of `batch` calls of `f`, in ns.
fn batch_ns(f: &mut dyn FnMut(), batch: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(batch)
}

/// The number of calls of `f` that takes about [`BATCH_TIME`].
fn calibrate(f: &mut dyn FnMut()) -> u32 {
    let mut batch = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        let elapsed = start.elapsed();
        if elapsed >= BATCH_TIME / 4 || batch >= 1 << 24 {
            let per_call = (elapsed.as_nanos() / u128::from(batch)).max(1);
            let wanted = (BATCH_TIME.as_nanos() / per_call).clamp(1, 1 << 24);
            return u32::try_from(wanted).unwrap_or(1 << 24);
        }
        batch *= 2;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn compare(name: &str, direct: &mut dyn FnMut(), traits: &mut dyn FnMut()) {
    compare_sides(name, ("direct", direct), ("trait", traits));
}

/// Alternates batches of `base` and `measured` and prints the medians and the median ratio
/// `measured / base`.
fn compare_sides(
    name: &str,
    (base_name, direct): (&str, &mut dyn FnMut()),
    (measured_name, traits): (&str, &mut dyn FnMut()),
) {
    if !selected(name) {
        return;
    }
    let (db, tb) = (calibrate(direct), calibrate(traits));
    for _ in 0..3 {
        batch_ns(direct, db);
        batch_ns(traits, tb);
    }
    let (mut d, mut t, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (dn, tn) = if round % 2 == 0 {
            let dn = batch_ns(direct, db);
            (dn, batch_ns(traits, tb))
        } else {
            let tn = batch_ns(traits, tb);
            (batch_ns(direct, db), tn)
        };
        d.push(dn);
        t.push(tn);
        r.push(tn / dn);
    }
    println!(
        "{name:<36} {base_name} {:>9.1} ns   {measured_name} {:>9.1} ns   \
         {measured_name}/{base_name} {:.2}",
        median(d),
        median(t),
        median(r)
    );
}

/// Whether the command line's filters (its arguments other than flags such as cargo's
/// `--bench`) select the line `name`: all lines when there are none.
fn selected(name: &str) -> bool {
    let mut filters = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .peekable();
    filters.peek().is_none() || filters.any(|filter| name.contains(&filter))
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

fn load<B: strait::Backend>(modules: &[(&str, &[u8])]) -> Service<B> {
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
    for (name, wasm) in modules {
        service
            .load_module(name, wasm, &ModuleSettings::default())
            .expect("load");
    }
    service
}

/// strait's adapters against the ideal host.
fn adapters<B: HasIdeal>() {
    let name = B::NAME;
    let (Ok(greeting), Ok(effector), Ok(pure)) = (
        artifact("greeting/greeting.wasm"),
        artifact("records/records_effector.wasm"),
        artifact("records/records_pure.wasm"),
    ) else {
        println!("adapters/{name}: skipped, ../shared/artifacts is not beside the repository");
        return;
    };
    let mut floor = B::Greeting::new(&greeting).expect("ideal greeting");
    let mut service = load::<B>(&[("greeting", &greeting)]);
    let args = [IValue::String("x".into())];
    let mut results = Vec::new();
    compare_sides(
        &format!("adapters/greeting/{name}"),
        ("ideal", &mut || {
            black_box(floor.greeting(black_box("x")).expect("call"));
        }),
        ("strait", &mut || {
            results.clear();
            service
                .call_into("greeting", "greeting", black_box(&args), &mut results)
                .expect("call");
            black_box(&results);
        }),
    );
    compare_sides(
        &format!("adapters/greeting_call/{name}"),
        ("ideal", &mut || {
            black_box(floor.greeting(black_box("x")).expect("call"));
        }),
        ("strait", &mut || {
            black_box(
                service
                    .call("greeting", "greeting", black_box(&args))
                    .expect("call"),
            );
        }),
    );
    let mut floor = B::Records::new(&effector, &pure).expect("ideal records");
    let mut service = load::<B>(&[("records_effector", &effector), ("records_pure", &pure)]);
    compare_sides(
        &format!("adapters/records_pure_invoke/{name}"),
        ("ideal", &mut || {
            black_box(floor.invoke().expect("call"));
        }),
        ("strait", &mut || {
            results.clear();
            service
                .call_into("records_pure", "invoke", &[], &mut results)
                .expect("call");
            black_box(&results);
        }),
    );
    compare_sides(
        &format!("adapters/records_pure_invoke_call/{name}"),
        ("ideal", &mut || {
            black_box(floor.invoke().expect("call"));
        }),
        ("strait", &mut || {
            black_box(service.call("records_pure", "invoke", &[]).expect("call"));
        }),
    );
}

fn main() {
    strait::each_backend!(ratios());
    strait::each_backend!(adapters());
}
