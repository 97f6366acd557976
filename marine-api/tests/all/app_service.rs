//! fluence-app-service's API on both engines, as a host such as the Fluence node uses it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use marine::app_service::generic::AppService;
use marine::app_service::{AppServiceConfig, AppServiceError, TomlAppServiceConfig};
use marine::backend::{WasmBackend, WasmiWasmBackend, WasmtimeWasmBackend};
use marine::generic::MarineModuleConfig;
use marine::{CallParameters, IValue};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::SHARED;

on_both_engines!(
    facade_calls,
    service_id_and_working_dir,
    interface,
    modules_load_and_unload,
    config_errors
);

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "strait-app-service-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The config of an artifact folder, with `modules_dir` made absolute (fluence-app-service
/// leaves relative paths relative to the working directory).
fn config(folder: &str) -> TomlAppServiceConfig {
    let dir = Path::new(SHARED).join("artifacts").join(folder);
    let mut config = TomlAppServiceConfig::load(dir.join("Config.toml")).unwrap();
    config.toml_marine_config.modules_dir = Some(dir);
    config
}

async fn facade_calls<WB: WasmBackend>() {
    let mut service = AppService::<WB>::new(config("records"), "svc", HashMap::new())
        .await
        .unwrap();
    // records_pure is the last module: the facade.
    let result = service
        .call_async("invoke", json!([]), <_>::default())
        .await
        .unwrap();
    assert_eq!(result["field_11"], json!("field_11"));
    let values = service
        .call_with_ivalues_async("invoke", &[], CallParameters::default())
        .await
        .unwrap();
    assert!(matches!(&values[..], [IValue::Record(_)]));
    let error = service
        .call("mutate_struct", json!([]), <_>::default())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "function with name `mutate_struct` is missing"
    );
    let effector = service
        .call_module(
            "records_effector",
            "mutate_struct",
            json!([{
                "field_0": false, "field_1": 0, "field_2": 0, "field_3": 0, "field_4": 0,
                "field_5": 0, "field_6": 0, "field_7": 0, "field_8": 0, "field_9": 0,
                "field_10": 0, "field_11": "", "field_12": [],
            }]),
            <_>::default(),
        )
        .await
        .unwrap();
    assert_eq!(effector["field_0"], json!(true));
    let stats = service.module_memory_stats();
    assert_eq!(stats.modules.len(), 2);
}

async fn service_id_and_working_dir<WB: WasmBackend>() {
    let scratch = Scratch::new("workdir");
    let mut config = config("greeting");
    config.service_working_dir = Some(scratch.0.display().to_string());
    let mut app_config: AppServiceConfig<WB> = config.try_into().unwrap();
    let module = &mut app_config.marine_config.modules_config[0].config;
    module.wasi = Some(marine::MarineWASIConfig {
        envs: HashMap::new(),
        mapped_dirs: HashMap::from([
            ("data".to_string(), PathBuf::from("data/inner")),
            ("abs".to_string(), scratch.0.join("absolute")),
        ]),
    });
    let envs = HashMap::from([("EXTRA".to_string(), "1".to_string())]);
    let mut service =
        AppService::new_with_backend(WB::new_async().unwrap(), app_config, "svc-1", envs)
            .await
            .unwrap();
    // Relative mapped dirs are rooted at the working dir and created; absolute ones too.
    assert!(scratch.0.join("data/inner").is_dir());
    assert!(scratch.0.join("absolute").is_dir());
    let hi = service
        .call("greeting", json!(["dirs"]), <_>::default())
        .unwrap();
    assert_eq!(hi, json!("Hi, dirs"));
}

async fn interface<WB: WasmBackend>() {
    let service = AppService::<WB>::new(config("greeting_record"), "svc", HashMap::new())
        .await
        .unwrap();
    let interface = service.get_interface();
    let names: Vec<&str> = interface
        .function_signatures
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names[0], "greeting_record");
    assert_eq!(
        interface.function_signatures[0].output_types,
        ["GreetingRecord"]
    );
    assert_eq!(interface.record_types.len(), 1);
    assert_eq!(
        interface.record_types[0].fields,
        [
            ("str".to_string(), "string".to_string()),
            ("num".to_string(), "i32".to_string())
        ]
    );
    assert_eq!(service.get_full_interface().modules.len(), 1);
}

async fn modules_load_and_unload<WB: WasmBackend>() {
    let mut config = config("greeting");
    config.toml_marine_config.module.clear();
    let mut service = AppService::<WB>::new_with_empty_facade(
        WB::new_async().unwrap(),
        config,
        "svc",
        HashMap::new(),
    )
    .await
    .unwrap();
    assert!(service.get_interface().function_signatures.is_empty());
    let bytes = std::fs::read(Path::new(SHARED).join("artifacts/greeting/greeting.wasm")).unwrap();
    service
        .load_module("greeting", &bytes, None::<MarineModuleConfig<WB>>)
        .await
        .unwrap();
    let hi = service
        .call_module("greeting", "greeting", json!(["m"]), <_>::default())
        .await
        .unwrap();
    assert_eq!(hi, json!("Hi, m"));
    service.unload_module("greeting").unwrap();
    assert!(service.unload_module("greeting").is_err());
}

async fn config_errors<WB: WasmBackend>() {
    let mut empty = config("greeting");
    empty.toml_marine_config.module.clear();
    let error = AppService::<WB>::new(empty, "svc", HashMap::new())
        .await
        .unwrap_err();
    assert!(matches!(error, AppServiceError::ConfigParseError(_)));
    assert_eq!(
        error.to_string(),
        "config should contain at least one module"
    );
    let missing = TomlAppServiceConfig::load("no/such/Config.toml").unwrap_err();
    assert!(matches!(missing, AppServiceError::IOError(_)));
}
