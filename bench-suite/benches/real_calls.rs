//! Real production Fluence services (issue 9, item 2), on both engines, through
//! [`Service::call_json`] as `strait batch` calls them: the spell's `get_string` (spell.wasm +
//! sqlite3.wasm of `fluence-spell-distro` 0.7.6) and the registry's `get_key_metadata`
//! (registry.wasm + sqlite3.wasm of `registry-distro` 0.9.4), each a SQLite query through a
//! cross-module call. On wasmi also with fuel metering on (`fuel_per_call`), to show what
//! metering costs.
//!
//! The services run from a fresh directory under the system's temporary directory (their
//! databases land there), written by `strait-real-services` as a node runs them: the registry
//! reads `/tmp/Config.toml` from the `tmp` directory nox maps for it.
//!
//! `cargo bench -p strait-bench --bench real_calls`

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::hint::black_box;
use std::path::PathBuf;
use strait::{Backend, CallParameters, Service, ServiceOptions};

/// A fresh directory with `name`'s modules and `Config.toml` (`strait-real-services`).
fn service_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strait-real-calls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(dir.join(name));
    let service = strait_real_services::service(name).expect("a known service");
    strait_real_services::write(&dir, &service).expect("service directory")
}

fn load<B: Backend>(dir: &std::path::Path, fuel: Option<u64>) -> Service<B> {
    let options = ServiceOptions {
        working_dir: Some(dir.to_path_buf()),
        fuel_per_call: fuel,
        ..ServiceOptions::default()
    };
    Service::<B>::from_config_file(&dir.join("Config.toml"), options).expect("load")
}

fn call<B: Backend>(service: &mut Service<B>, module: &str, function: &str, args: &Value) -> Value {
    service
        .call_json(module, function, args, CallParameters::default())
        .expect("call")
}

/// One engine, with fuel metering on (`fuel`) or off.
fn bench_engine<B: Backend>(c: &mut Criterion, dirs: &(PathBuf, PathBuf), fuel: Option<u64>) {
    let name = match fuel {
        Some(_) => format!("{}_fuel", B::NAME),
        None => B::NAME.to_owned(),
    };
    let mut spell = load::<B>(&dirs.0, fuel);
    let set = call(
        &mut spell,
        "spell",
        "set_string",
        &json!(["hw_greeting", "hello"]),
    );
    assert_eq!(set["success"], json!(true), "{set}");
    let get = json!(["hw_greeting"]);
    assert_eq!(
        call(&mut spell, "spell", "get_string", &get)["value"],
        json!("hello")
    );
    c.bench_function(&format!("real/{name}/spell_get_string"), |b| {
        b.iter(|| black_box(call(&mut spell, "spell", "get_string", black_box(&get))))
    });
    let mut registry = load::<B>(&dirs.1, fuel);
    let key = json!(["no such key"]);
    let missing = call(&mut registry, "registry", "get_key_metadata", &key);
    assert_eq!(missing["success"], json!(false), "{missing}");
    c.bench_function(&format!("real/{name}/registry_get_key_metadata"), |b| {
        b.iter(|| {
            black_box(call(
                &mut registry,
                "registry",
                "get_key_metadata",
                black_box(&key),
            ))
        })
    });
}

fn real_calls(c: &mut Criterion) {
    let dirs = (service_dir("spell"), service_dir("registry"));
    strait::each_backend!(bench_engine(c, &dirs, None));
    #[cfg(feature = "wasmi")]
    bench_engine::<strait::Wasmi>(c, &dirs, Some(u64::MAX / 2));
    let _ = std::fs::remove_dir_all(&dirs.0);
    let _ = std::fs::remove_dir_all(&dirs.1);
}

criterion_group!(benches, real_calls);
criterion_main!(benches);
