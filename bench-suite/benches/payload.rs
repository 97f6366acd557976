//! Payloads at memory speed (issue 9, item 3): a string argument of 64 KiB and 1 MiB through
//! a whole call, on both engines, in GB/s of payload (criterion's `Throughput::Bytes`, the
//! string's size), beside a plain `memcpy` of the same size, the limit.
//!
//! - `memcpy`: one copy of the payload into a buffer allocated once, the floor of one crossing.
//! - `echo`: a module whose function returns its argument buffer as its result, so the call is
//!   the adapters' lowering (JSON-free IT value → guest memory, one copy) and lifting (guest
//!   memory → IT value, UTF-8 validation and one copy) and the ABI calls around them, with no
//!   guest work: the throughput of lift + lower.
//! - `greeting`: Marine's real `greeting` module (`"Hi, " + name`, which copies the name once
//!   more inside the guest) through [`Service::call`].
//! - `greeting_json`: the same through [`Service::call_json`]: JSON value in, JSON value out.
//! - `greeting_text`: JSON text in, JSON text out, as `strait batch` does it (without its
//!   reading and writing): [`Service::parse_json`] and [`Service::call_json_text`], the
//!   payload moving through the buffers the service keeps.
//!
//! `cargo bench -p strait-bench --bench payload`

#![allow(
    clippy::print_stderr,
    reason = "a bench run says why it measured nothing"
)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use strait::{Backend, CallParameters, IValue, ModuleSettings, Service, ServiceOptions};

/// `echo(text: string) -> string`, which hands its argument back: the result slots point at
/// the buffer the adapter lowered the argument into. `allocate` bumps from 1024 and
/// `release_objects` (which the adapter calls once the result is lifted) starts over, so
/// calls of any size reuse the same memory.
const ECHO_WAT: &str = r#"(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $result_ptr (mut i32) (i32.const 0))
  (global $result_size (mut i32) (i32.const 0))
  (func $allocate (export "allocate") (param $size i32) (param $tag i32) (result i32)
    (local $ptr i32)
    (local $end i64)
    (local $pages i64)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end
      (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $size))))
    (local.set $pages (i64.shr_u (i64.add (local.get $end) (i64.const 0xffff)) (i64.const 16)))
    (if (i64.gt_u (local.get $pages) (i64.extend_i32_u (memory.size)))
      (then
        (if (i32.eq
              (memory.grow
                (i32.wrap_i64 (i64.sub (local.get $pages) (i64.extend_i32_u (memory.size)))))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (i32.wrap_i64 (local.get $end)))
    (local.get $ptr))
  (func (export "release_objects") (global.set $heap (i32.const 1024)))
  (func (export "get_result_size") (result i32) (global.get $result_size))
  (func (export "get_result_ptr") (result i32) (global.get $result_ptr))
  (func (export "set_result_size") (param i32) (global.set $result_size (local.get 0)))
  (func (export "set_result_ptr") (param i32) (global.set $result_ptr (local.get 0)))
  (func (export "echo") (param $ptr i32) (param $len i32)
    (global.set $result_ptr (local.get $ptr))
    (global.set $result_size (local.get $len)))
  (@custom "__fluence_sdk_version" "0.14.0"))
(@interface it_version "0.28.0")
(@interface type (func (param $size: i32) (result i32)))
(@interface type (func))
(@interface type (func (result i32)))
(@interface type (func (result i32)))
(@interface type (func (param $result_size: i32)))
(@interface type (func (param $result_ptr: i32)))
(@interface type (func (param $text: string) (result string)))
(@interface type (func (param $text: string) (result string)))
(@interface func (type 6)
  arg.get 0
  string.size
  i32.push 1
  call-core 0
  arg.get 0
  string.lower_memory
  call-core 6
  call-core 3
  call-core 2
  string.lift_memory
  call-core 1)
(@interface export "allocate" (func 0))
(@interface export "release_objects" (func 1))
(@interface export "get_result_size" (func 2))
(@interface export "get_result_ptr" (func 3))
(@interface export "set_result_size" (func 4))
(@interface export "set_result_ptr" (func 5))
(@interface export "echo" (func 7))
(@interface implement (func 7) (func 6))"#;

/// The payload sizes: 64 KiB and 1 MiB, the sizes of the issue's batch figures.
const SIZES: [usize; 2] = [64 << 10, 1 << 20];

/// An ASCII text of `size` bytes (the alphabet over and over).
fn payload(size: usize) -> String {
    (b'a'..=b'z').cycle().take(size).map(char::from).collect()
}

fn service<B: Backend>(name: &str, bytes: &[u8]) -> Service<B> {
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
    service
        .load_module(name, bytes, &ModuleSettings::default())
        .expect("load");
    service
}

fn memcpy(c: &mut Criterion) {
    let mut group = c.benchmark_group("payload/memcpy");
    for size in SIZES {
        let source = payload(size).into_bytes();
        let mut target = vec![0u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter(size), |b| {
            b.iter(|| {
                target.copy_from_slice(black_box(&source));
                black_box(&mut target);
            })
        });
    }
    group.finish();
}

fn bench_engine<B: Backend>(c: &mut Criterion, dir: &Path) {
    let mut echo = service::<B>("echo", ECHO_WAT.as_bytes());
    let greeting_wasm = std::fs::read(dir.join("greeting/greeting.wasm")).expect("artifact");
    let mut greeting = service::<B>("greeting", &greeting_wasm);
    let mut group = c.benchmark_group(format!("payload/{}", B::NAME));
    for size in SIZES {
        let text = payload(size);
        let args = [IValue::String(text.clone())];
        let json = serde_json::json!([text]);
        let request = json.to_string();
        let mut reply = String::new();
        // The calls do what they should before they are timed.
        let hi = IValue::String(format!("Hi, {text}"));
        assert_eq!(echo.call("echo", "echo", &args).expect("echo"), args);
        assert_eq!(
            greeting
                .call("greeting", "greeting", &args)
                .expect("greeting"),
            [hi]
        );
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::new("echo", size), |b| {
            b.iter(|| black_box(echo.call("echo", "echo", black_box(&args)).expect("echo")))
        });
        group.bench_function(BenchmarkId::new("greeting", size), |b| {
            b.iter(|| {
                black_box(
                    greeting
                        .call("greeting", "greeting", black_box(&args))
                        .expect("greeting"),
                )
            })
        });
        group.bench_function(BenchmarkId::new("greeting_json", size), |b| {
            b.iter(|| {
                black_box(
                    greeting
                        .call_json(
                            "greeting",
                            "greeting",
                            black_box(&json),
                            CallParameters::default(),
                        )
                        .expect("greeting"),
                )
            })
        });
        group.bench_function(BenchmarkId::new("greeting_text", size), |b| {
            b.iter(|| {
                let args = greeting.parse_json(black_box(&request)).expect("JSON");
                reply.clear();
                greeting
                    .call_json_text(
                        "greeting",
                        "greeting",
                        args,
                        CallParameters::default(),
                        &mut reply,
                    )
                    .expect("greeting");
                black_box(&reply);
            })
        });
    }
    group.finish();
}

fn payloads(c: &mut Criterion) {
    memcpy(c);
    let Some(dir) = strait_bench::artifacts_dir() else {
        eprintln!("skipped: ../shared/artifacts is not beside the repository");
        return;
    };
    strait::each_backend!(bench_engine(c, &dir));
}

criterion_group!(benches, payloads);
criterion_main!(benches);
