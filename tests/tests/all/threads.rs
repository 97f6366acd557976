//! Services across threads: eight services on eight threads, some on one shared engine,
//! call the url-downloader example and Marine's records modules at once, and give what one
//! thread alone gives. Written once, run on every engine.

use super::repo;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use strait::{Backend, CallParameters, ModuleSettings, Service, ServiceOptions};
use strait_conformance::golden::shared_dir;

const THREADS: usize = 8;
const ROUNDS: usize = 20;

/// A private copy of the url-downloader example, so each service writes into its own
/// `sites/`.
fn url_downloader_dir(engine: &str, worker: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "strait-threads-{engine}-{}-{worker}",
        std::process::id()
    ));
    super::url_downloader_copy(&dir);
    dir
}

/// What one worker does: `ROUNDS` downloads through the three-module example (on its own
/// engine, from its Config.toml) and `ROUNDS` record calls (on the shared engine); returns
/// every result and the files it saved.
fn work<B: Backend>(engine: B, records: &[(String, Vec<u8>)], worker: usize) -> Vec<Value> {
    let dir = url_downloader_dir(B::NAME, worker);
    let options = ServiceOptions {
        working_dir: Some(dir.clone()),
        ..ServiceOptions::default()
    };
    let mut downloader =
        Service::<B>::from_config_file(&dir.join("Config.toml"), options).expect("load");
    let mut records_service =
        Service::with_engine(engine, ServiceOptions::default()).expect("service");
    for (name, bytes) in records {
        records_service
            .load_module(name, bytes, &ModuleSettings::default())
            .expect("records module");
    }
    let url = format!(
        "file://{}",
        repo()
            .join("examples/url-downloader/www/hello.txt")
            .display()
    );
    let mut out = Vec::new();
    for round in 0..ROUNDS {
        let file = format!("hello-{round}.txt");
        out.push(
            downloader
                .call_json(
                    "facade",
                    "get_n_save",
                    &json!([url, file]),
                    CallParameters::default(),
                )
                .expect("get_n_save"),
        );
        let saved = std::fs::read(dir.join("sites").join(&file)).expect("saved");
        out.push(json!(String::from_utf8_lossy(&saved)));
        if !records.is_empty() {
            out.push(
                records_service
                    .call_json(
                        "records_pure",
                        "invoke",
                        &json!([]),
                        CallParameters::default(),
                    )
                    .expect("invoke"),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// Eight services on eight threads, started together, give what one thread gives.
fn services_on_threads<B: Backend>() {
    let records: Vec<(String, Vec<u8>)> = match shared_dir() {
        Some(shared) => ["records_effector", "records_pure"]
            .iter()
            .map(|name| {
                let path = shared.join(format!("artifacts/records/{name}.wasm"));
                (name.to_string(), std::fs::read(path).expect("records"))
            })
            .collect(),
        None => Vec::new(),
    };
    let engine = B::new(&Default::default()).expect("engine");
    let alone = work(engine.clone(), &records, THREADS);
    assert_eq!(alone.len(), ROUNDS * if records.is_empty() { 2 } else { 3 });

    let records = Arc::new(records);
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|worker| {
            let (engine, records, start) = (engine.clone(), records.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                work(engine, &records, worker)
            })
        })
        .collect();
    for (worker, handle) in workers.into_iter().enumerate() {
        let results = handle.join().expect("worker panicked");
        assert_eq!(results, alone, "worker {worker} on {}", B::NAME);
    }
}

/// A service, and a service's results, move to another thread and back.
fn service_moves_between_threads<B: Backend>() {
    let mut service = Service::<B>::from_config_file(
        &repo().join("examples/greeting/Config.toml"),
        ServiceOptions::default(),
    )
    .expect("load");
    let greet = |service: &mut Service<B>| {
        service
            .call_json(
                "greeting",
                "greeting",
                &json!(["x"]),
                CallParameters::default(),
            )
            .expect("greeting")
    };
    let here = greet(&mut service);
    let (service, there) = std::thread::spawn(move || {
        let there = greet(&mut service);
        (service, there)
    })
    .join()
    .expect("thread");
    let shared = Arc::new(std::sync::Mutex::new(service));
    let other = shared.clone();
    let third = std::thread::spawn(move || greet(&mut other.lock().expect("lock")))
        .join()
        .expect("thread");
    assert_eq!((&here, &there, &third), (&json!("Hi, x"), &here, &here));
    assert_eq!(greet(&mut shared.lock().expect("lock")), here);
}

/// Options an engine cannot serve are refused when the service is made, not at a call.
fn shared_engine_must_fit_the_options<B: Backend>() {
    let engine = B::new(&Default::default()).expect("engine");
    let options = ServiceOptions {
        fuel_per_call: Some(1_000),
        ..ServiceOptions::default()
    };
    let error = Service::with_engine(engine, options).unwrap_err();
    assert!(error.to_string().contains("fuel metering"), "{error}");
}

strait_conformance::on_every_engine!(
    services_on_threads,
    service_moves_between_threads,
    shared_engine_must_fit_the_options,
);
