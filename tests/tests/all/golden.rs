//! Marine 0.37's golden outputs (`../shared/golden`), replayed on both engines, and on
//! Wasmtime with its Winch compiler.
//!
//! Each scenario loads a service from its config in a fresh working copy, makes every call in
//! order on that one service and matches results as `golden/README.md` says: results equal
//! as JSON values, errors where Marine failed, and loads failing where Marine's failed. The
//! intentional fixes of `spec/marine-defects.md` do not show in the visible lines.

use serde_json::Value;
use strait::{Backend, CallParameters, EngineConfig, Service, ServiceOptions};
use strait_conformance::golden::{
    self, Expected, expand_generators, match_result, read_scenario, shared_dir, substitute_data,
};

/// Replays scenario `name` on engine `B`; panics with every mismatch.
fn replay<B: Backend>(name: &str) {
    replay_on::<B>(name, EngineConfig::default());
}

/// Replays scenario `name` on engine `B` configured as `engine` says.
fn replay_on<B: Backend>(name: &str, engine: EngineConfig) {
    let Some(shared) = shared_dir() else { return };
    let scenario = read_scenario(&shared, name);
    let copy = golden::WorkingCopy::new(&shared).expect("working copy");
    let config = copy.root().join(&scenario.load.config);
    let options = ServiceOptions {
        working_dir: config.parent().map(ToOwned::to_owned),
        engine,
        ..ServiceOptions::default()
    };
    let loaded = Service::<B>::from_config_file(&config, options);
    let mut service = match (loaded, scenario.load.ok) {
        (Ok(service), true) => service,
        (Err(_), false) => return,
        (Ok(_), false) => panic!("{name}: the service loaded, Marine failed to load it"),
        (Err(error), true) => panic!("{name}: load failed: {error}"),
    };
    let data = copy.data_dir().display().to_string();
    let mut failures = Vec::new();
    for (index, call) in scenario.calls.iter().enumerate() {
        let args = expand_generators(&substitute_data(&call.args, &data));
        let parameters = match &call.call_parameters {
            Some(p) => serde_json::from_value::<CallParameters>(substitute_data(p, &data))
                .expect("golden call parameters parse"),
            None => CallParameters::default(),
        };
        let outcome = service.call_json(&call.module, &call.function, &args, parameters);
        let what = format!("{name} call {index} ({}.{})", call.module, call.function);
        match (&call.expected, outcome) {
            (Expected::Result(_), Ok(actual)) if call.host_dependent => {
                if !actual.is_string() {
                    failures.push(format!("{what}: expected a string, got {actual}"));
                }
            }
            (Expected::Result(expected), Ok(actual)) => {
                let expected = substitute_data(expected, &data);
                if let Err(difference) = match_result(&expected, &actual) {
                    failures.push(format!("{what}: {difference}"));
                }
            }
            (Expected::Result(_), Err(error)) => failures.push(format!("{what}: error: {error}")),
            (Expected::Error(_), Err(_)) => {}
            (Expected::Error(marine), Ok(actual)) => failures.push(format!(
                "{what}: returned {} where Marine failed with {marine}",
                short(&actual)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} calls differ:\n{}",
        failures.len(),
        scenario.calls.len(),
        failures.join("\n")
    );
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    text.chars().take(200).collect()
}

/// One test per scenario and engine.
macro_rules! golden_scenarios {
    ($($test:ident => $file:literal,)*) => {
        /// Every scenario file is listed here, so none is skipped silently.
        const LISTED: &[&str] = &[$($file),*];

        $(
            fn $test<B: Backend>() {
                replay::<B>($file);
            }
        )*

        strait_conformance::on_every_engine!($($test),*);

        /// The same scenarios on Wasmtime with its Winch compiler.
        #[cfg(feature = "wasmtime")]
        mod winch {
            $(
                #[test]
                fn $test() {
                    let winch = strait::EngineConfig::default().with_compiler(strait::Compiler::Winch);
                    super::replay_on::<strait::Wasmtime>($file, winch);
                }
            )*
        }
    };
}

golden_scenarios! {
    call_parameters => "call_parameters",
    failing => "failing",
    greeting => "greeting",
    greeting_limit_1mib => "greeting.limit_1MiB",
    greeting_limit_2mib => "greeting.limit_2MiB",
    greeting_nolimit => "greeting.nolimit",
    greeting_nolimit_field_absent => "greeting.nolimit_field_absent",
    greeting_record => "greeting_record",
    greeting_record_logger_disabled => "greeting_record.logger_disabled",
    greeting_record_logging_mask0 => "greeting_record.logging_mask0",
    greeting_record_wasm_log_trace => "greeting_record.wasm_log_trace",
    records => "records",
    records_pure_without_effector => "records.pure_without_effector",
    records_wrong_order => "records.wrong_order",
    url_downloader => "url-downloader",
    url_downloader_curl_missing_binary => "url-downloader.curl_missing_binary",
    url_downloader_curl_not_mounted => "url-downloader.curl_not_mounted",
    url_downloader_head_corrupted_curl_adapter => "url-downloader.head_corrupted_curl_adapter",
    url_downloader_head_corrupted_facade => "url-downloader.head_corrupted_facade",
    url_downloader_head_corrupted_local_storage => "url-downloader.head_corrupted_local_storage",
    url_downloader_storage_mapped_abs_guest => "url-downloader.storage_mapped_abs_guest",
    url_downloader_storage_mapped_dir_missing => "url-downloader.storage_mapped_dir_missing",
    url_downloader_storage_no_mapped_dir => "url-downloader.storage_no_mapped_dir",
}

#[test]
fn every_scenario_is_listed() {
    let Some(shared) = shared_dir() else { return };
    let names = golden::scenario_names(&shared);
    let missing: Vec<_> = names
        .iter()
        .filter(|n| !LISTED.contains(&n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "golden scenarios without a test: {missing:?}"
    );
}
