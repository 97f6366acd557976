//! A call loop for instruction counts: `ideal_calls ENGINE SCENARIO N` makes N calls of one
//! scenario, through strait or through the hand-written ideal host of
//! [`strait_bench::ideal`], and nothing else. Run under callgrind with two values of N, the
//! difference divided by the difference of N is the exact cost of one call, free of the
//! machine's noise: `bench-suite/scripts/ideal-ratio.sh` does that for every engine and
//! scenario (issue 9, item 4).
//!
//! - ENGINE: `wasmtime` or `wasmi`
//! - SCENARIO: `greeting` (`greeting("x")`) or `records` (`records_pure.invoke()`)
//! - the mode: `ideal`, `strait` (`Service::call_into` with one results vector kept across
//!   calls, as the ideal host keeps its buffers) or `strait-call` (`Service::call`, a new
//!   results vector per call)
//!
//! `cargo run --release -p strait-bench --example ideal_calls -- wasmtime greeting strait 1000`

#![allow(
    clippy::print_stderr,
    reason = "a command-line tool reports its errors on stderr"
)]

use std::hint::black_box;
use std::process::ExitCode;
use strait::{IValue, ModuleSettings, Service, ServiceOptions};
use strait_bench::ideal::{HasIdeal, IdealGreeting, IdealRecords};

/// Makes `calls` calls of `scenario` through `mode`.
fn run<B: HasIdeal>(scenario: &str, mode: &str, calls: u32) -> Result<(), String> {
    let artifact = |path: &str| strait_bench::artifact(path).map_err(|e| e.to_string());
    let error = |e: strait::Error| e.to_string();
    match (scenario, mode) {
        ("greeting", "ideal") => {
            let mut ideal = B::Greeting::new(&artifact("greeting/greeting.wasm")?)
                .map_err(|e| e.to_string())?;
            for _ in 0..calls {
                black_box(ideal.greeting(black_box("x")).map_err(|e| e.to_string())?);
            }
        }
        ("greeting", "strait" | "strait-call") => {
            let mut service = Service::<B>::new(ServiceOptions::default()).map_err(error)?;
            let bytes = artifact("greeting/greeting.wasm")?;
            service
                .load_module("greeting", &bytes, &ModuleSettings::default())
                .map_err(error)?;
            let args = [IValue::String("x".into())];
            let mut results = Vec::new();
            for _ in 0..calls {
                if mode == "strait" {
                    results.clear();
                    service
                        .call_into("greeting", "greeting", black_box(&args), &mut results)
                        .map_err(error)?;
                    black_box(&results);
                } else {
                    black_box(
                        service
                            .call("greeting", "greeting", black_box(&args))
                            .map_err(error)?,
                    );
                }
            }
        }
        ("records", "ideal") => {
            let mut ideal = B::Records::new(
                &artifact("records/records_effector.wasm")?,
                &artifact("records/records_pure.wasm")?,
            )
            .map_err(|e| e.to_string())?;
            for _ in 0..calls {
                black_box(ideal.invoke().map_err(|e| e.to_string())?);
            }
        }
        ("records", "strait" | "strait-call") => {
            let mut service = Service::<B>::new(ServiceOptions::default()).map_err(error)?;
            for name in ["records_effector", "records_pure"] {
                let bytes = artifact(&format!("records/{name}.wasm"))?;
                service
                    .load_module(name, &bytes, &ModuleSettings::default())
                    .map_err(error)?;
            }
            let mut results = Vec::new();
            for _ in 0..calls {
                if mode == "strait" {
                    results.clear();
                    service
                        .call_into("records_pure", "invoke", &[], &mut results)
                        .map_err(error)?;
                    black_box(&results);
                } else {
                    black_box(service.call("records_pure", "invoke", &[]).map_err(error)?);
                }
            }
        }
        _ => return Err(format!("unknown scenario `{scenario}` or mode `{mode}`")),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [engine, scenario, mode, calls] = args.as_slice() else {
        eprintln!("usage: ideal_calls wasmtime|wasmi greeting|records ideal|strait|strait-call N");
        return ExitCode::FAILURE;
    };
    let Ok(calls) = calls.parse::<u32>() else {
        eprintln!("ideal_calls: N must be a number of calls, not `{calls}`");
        return ExitCode::FAILURE;
    };
    let result = match engine.as_str() {
        "wasmtime" => run::<strait::Wasmtime>(scenario, mode, calls),
        "wasmi" => run::<strait::Wasmi>(scenario, mode, calls),
        other => Err(format!("unknown engine `{other}` (wasmtime or wasmi)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ideal_calls: {error}");
            ExitCode::FAILURE
        }
    }
}
