//! Marine's API on both engines, written the way a Marine user writes against it: async
//! scenarios generic over the backend, run with a small executor, on the real Marine modules
//! of `../shared/artifacts`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use marine::backend::{WasmBackend, WasmiWasmBackend, WasmtimeWasmBackend};
use marine::generic::{Marine, MarineConfig, MarineModuleConfig, ModuleDescriptor};
use marine::ne_vec::NEVec;
use marine::{
    CallParameters, IFunctionArg, IType, IValue, MarineError, MarineFunctionSignature,
    MarineInterface, MarineModuleInterface, ParticleParameters, SecurityTetraplet,
    TomlMarineConfig,
};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::SHARED;

fn shared(path: &str) -> PathBuf {
    Path::new(SHARED).join(path)
}

on_both_engines!(
    greeting,
    get_interfaces,
    interface_listing,
    records,
    load_from_modules_dir,
    load_from_named_dir,
    load_from_path,
    default_section_applies,
    call_parameters,
    memory_stats,
    load_and_unload,
    with_modules_and_module_names,
    call_errors,
    config_errors,
    load_errors,
    trap_keeps_service_usable,
    out_of_memory,
);

async fn marine<WB: WasmBackend>(config: &str) -> Marine<WB> {
    let config = TomlMarineConfig::load(shared(config)).expect("config loads");
    Marine::with_raw_config(WB::new_async().unwrap(), config)
        .await
        .unwrap_or_else(|e| panic!("can't create Marine instance: {e}"))
}

async fn greeting<WB: WasmBackend>() {
    let raw = std::fs::read_to_string(shared("artifacts/greeting/Config.toml")).unwrap();
    let mut config: TomlMarineConfig = toml::from_str(&raw).unwrap();
    config.modules_dir = Some(shared("artifacts/greeting"));
    let mut marine = Marine::with_raw_config(WB::new_async().unwrap(), config)
        .await
        .unwrap();
    let hi = marine
        .call_with_ivalues_async(
            "greeting",
            "greeting",
            &[IValue::String("Fluence".into())],
            <_>::default(),
        )
        .await
        .unwrap();
    assert_eq!(hi, vec![IValue::String("Hi, Fluence".into())]);
    let empty = marine
        .call_with_ivalues(
            "greeting",
            "greeting",
            &[IValue::String(String::new())],
            <_>::default(),
        )
        .unwrap();
    assert_eq!(empty, vec![IValue::String("Hi, ".into())]);
    let json = marine
        .call_with_json_async(
            "greeting",
            "greeting",
            json!({"name": "json"}),
            <_>::default(),
        )
        .await
        .unwrap();
    assert_eq!(json, json!("Hi, json"));
    // D57: a one-element array where a scalar is expected is unwrapped.
    let nested = marine
        .call_with_json("greeting", "greeting", json!([["x"]]), <_>::default())
        .unwrap();
    assert_eq!(nested, json!("Hi, x"));
}

async fn get_interfaces<WB: WasmBackend>() {
    let marine = marine::<WB>("artifacts/greeting/Config.toml").await;
    let record_types = HashMap::new();
    let greeting = MarineModuleInterface {
        record_types: &record_types,
        function_signatures: vec![MarineFunctionSignature {
            name: Arc::new("greeting".into()),
            arguments: Arc::new(vec![IFunctionArg {
                name: "name".into(),
                ty: IType::String,
            }]),
            outputs: Arc::new(vec![IType::String]),
        }],
    };
    let expected = MarineInterface {
        modules: HashMap::from([("greeting", greeting)]),
    };
    assert_eq!(marine.get_interface(), expected);
}

async fn interface_listing<WB: WasmBackend>() {
    let marine = marine::<WB>("artifacts/greeting_record/Config.toml").await;
    let golden = std::fs::read_to_string(shared("golden/greeting_record.interface.txt")).unwrap();
    assert_eq!(marine.get_interface().to_string(), golden);
    let interface = marine.get_interface();
    let module = &interface.modules["greeting-record"];
    let names: Vec<&str> = module
        .function_signatures
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "greeting_record",
            "log_debug",
            "log_error",
            "log_info",
            "log_trace",
            "log_warn",
            "void_fn"
        ]
    );
    let record = module.record_types.values().next().unwrap();
    assert_eq!(record.name, "GreetingRecord");
    assert_eq!(
        marine::itype_text_view(
            &module.function_signatures[0].outputs[0],
            module.record_types
        ),
        "GreetingRecord"
    );
}

async fn records<WB: WasmBackend>() {
    let mut marine = marine::<WB>("artifacts/records/Config.toml").await;
    let pure = marine
        .call_with_ivalues_async("records_pure", "invoke", &[], <_>::default())
        .await
        .unwrap();
    let expected = IValue::Record(
        NEVec::new(vec![
            IValue::Boolean(true),
            IValue::S8(1),
            IValue::S16(2),
            IValue::S32(3),
            IValue::S64(4),
            IValue::U8(5),
            IValue::U16(6),
            IValue::U32(7),
            IValue::U64(8),
            IValue::F32(9.0),
            IValue::F64(10.0),
            IValue::String("field_11".into()),
            IValue::ByteArray(vec![0x13, 0x37]),
        ])
        .unwrap(),
    );
    assert_eq!(pure, vec![expected.clone()]);
    let mutated = marine
        .call_with_json_async(
            "records_effector",
            "mutate_struct",
            json!({"test_record": {
                "field_0": false, "field_1": 0, "field_2": 0, "field_3": 0, "field_4": 0,
                "field_5": 0, "field_6": 0, "field_7": 0, "field_8": 0, "field_9": 0,
                "field_10": 0, "field_11": "field", "field_12": [1],
            }}),
            <_>::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        mutated,
        json!({
            "field_0": true, "field_1": 1, "field_2": 2, "field_3": 3, "field_4": 4,
            "field_5": 5, "field_6": 6, "field_7": 7, "field_8": 8, "field_9": 9.0,
            "field_10": 10.0, "field_11": "field_11", "field_12": [0x13, 0x37],
        })
    );
    // The same record as IT values, straight into the effector.
    let direct = marine
        .call_with_ivalues(
            "records_effector",
            "mutate_struct",
            std::slice::from_ref(&expected),
            <_>::default(),
        )
        .unwrap();
    assert_eq!(direct, vec![expected]);
}

/// A config written to a temporary directory, removed on drop.
struct TempConfig(PathBuf);

impl TempConfig {
    fn new(name: &str, text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "strait-marine-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Config.toml"), text).unwrap();
        Self(dir)
    }

    fn path(&self) -> PathBuf {
        self.0.join("Config.toml")
    }
}

impl Drop for TempConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn load_config<WB: WasmBackend>(path: &Path) -> Marine<WB> {
    let raw_config = TomlMarineConfig::load(path).expect("Config must be loaded");
    Marine::with_raw_config(WB::new_async().unwrap(), raw_config)
        .await
        .expect("Marine should load all modules")
}

async fn load_from_modules_dir<WB: WasmBackend>() {
    let mut marine = load_config::<WB>(&shared("artifacts/records/Config.toml")).await;
    assert!(
        marine
            .call_with_json("records_pure", "invoke", json!([]), <_>::default())
            .is_ok()
    );
}

async fn load_from_named_dir<WB: WasmBackend>() {
    let dir = shared("artifacts/greeting").display().to_string();
    let config = TempConfig::new(
        "named-dir",
        &format!(
            "total_memory_limit = \"Infinity\"\n[[module]]\nname = \"greeting\"\nload_from = {dir:?}\nfile_name = \"greeting.wasm\"\nlogger_enabled = false\n"
        ),
    );
    let mut marine = load_config::<WB>(&config.path()).await;
    let hi = marine
        .call_with_json("greeting", "greeting", json!(["dir"]), <_>::default())
        .unwrap();
    assert_eq!(hi, json!("Hi, dir"));
}

async fn load_from_path<WB: WasmBackend>() {
    let file = shared("artifacts/greeting/greeting.wasm");
    let config = TempConfig::new(
        "path",
        &format!(
            "modules_dir = \"/nonexistent\"\ntotal_memory_limit = \"10 MiB\"\n[[module]]\nname = \"hello\"\nload_from = {:?}\nlogger_enabled = false\n",
            file.display().to_string()
        ),
    );
    let mut marine = load_config::<WB>(&config.path()).await;
    let hi = marine
        .call_with_json("hello", "greeting", json!(["path"]), <_>::default())
        .unwrap();
    assert_eq!(hi, json!("Hi, path"));
}

async fn default_section_applies<WB: WasmBackend>() {
    // D31: `[default]` supplies what a module does not set; greeting_record imports the
    // logger, so it loads only if `logger_enabled = true` reaches it from `[default]`.
    let dir = shared("artifacts/greeting_record").display().to_string();
    let config = TempConfig::new(
        "default",
        &format!(
            "modules_dir = {dir:?}\ntotal_memory_limit = \"Infinity\"\n[[module]]\nname = \"greeting-record\"\n[default]\nlogger_enabled = false\n"
        ),
    );
    let raw = TomlMarineConfig::load(config.path()).unwrap();
    let config: MarineConfig<WB> = raw.clone().try_into().unwrap();
    assert!(!config.modules_config[0].config.logger_enabled);
    let error = Marine::with_raw_config(WB::new_async().unwrap(), raw)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("log_utf8_string"), "{error}");
}

async fn call_parameters<WB: WasmBackend>() {
    let mut marine = marine::<WB>("artifacts/call_parameters/Config.toml").await;
    let defaults = marine
        .call_with_json_async(
            "call_parameters",
            "call_parameters",
            json!([]),
            <_>::default(),
        )
        .await
        .unwrap();
    assert_eq!(defaults["particle"]["id"], json!(""));
    assert_eq!(defaults["tetraplets"], json!([]));
    let parameters = CallParameters {
        particle: ParticleParameters {
            id: "particle-1".into(),
            init_peer_id: "12D3KooWinit".into(),
            timestamp: 1_700_000_000_000,
            ttl: 120_000,
            script: "(null)".into(),
            signature: vec![1, 2, 3, 255],
            token: "tok".into(),
        },
        service_id: "svc-Ω".into(),
        service_creator_peer_id: "12D3KooWcreator".into(),
        host_id: "12D3KooWhost".into(),
        worker_id: "worker-1".into(),
        tetraplets: vec![
            vec![SecurityTetraplet {
                peer_pk: "pk1".into(),
                service_id: "s1".into(),
                function_name: "f1".into(),
                lens: ".$.a".into(),
            }],
            vec![],
        ],
    };
    let seen = marine
        .call_with_json(
            "call_parameters",
            "call_parameters",
            json!([]),
            parameters.clone(),
        )
        .unwrap();
    assert_eq!(seen, serde_json::to_value(&parameters).unwrap());
    // Only during that call.
    let after = marine
        .call_with_ivalues("call_parameters", "call_parameters", &[], <_>::default())
        .unwrap();
    let IValue::Record(fields) = &after[0] else {
        panic!("a record expected: {after:?}")
    };
    assert_eq!(fields[1], IValue::String(String::new()));
}

async fn memory_stats<WB: WasmBackend>() {
    let mut marine = marine::<WB>("artifacts/records/Config.toml").await;
    marine
        .call_with_ivalues("records_pure", "invoke", &[], <_>::default())
        .unwrap();
    let stats = marine.module_memory_stats();
    let names: Vec<&str> = stats.modules.iter().map(|m| m.name).collect();
    assert_eq!(names, ["records_effector", "records_pure"]);
    assert!(stats.modules.iter().all(|m| m.memory_size >= 17 * 65536));
    assert_eq!(stats.allocation_stats.unwrap().allocation_rejects, 0);
    let text = stats.to_string();
    assert!(text.starts_with("records_effector - 1.1 MB\n"), "{text}");
    assert!(text.ends_with("Allocation rejects - 0\n"), "{text}");
}

async fn load_and_unload<WB: WasmBackend>() {
    let mut marine = Marine::with_modules(
        WB::new_async().unwrap(),
        HashMap::new(),
        MarineConfig::<WB>::default(),
    )
    .await
    .unwrap();
    assert!(marine.get_interface().modules.is_empty());
    let bytes = std::fs::read(shared("artifacts/greeting/greeting.wasm")).unwrap();
    marine
        .load_module("greeting", &bytes, None::<MarineModuleConfig<WB>>)
        .await
        .unwrap();
    let hi = marine
        .call_with_json("greeting", "greeting", json!(["loaded"]), <_>::default())
        .unwrap();
    assert_eq!(hi, json!("Hi, loaded"));
    let duplicate = marine
        .load_module(
            "greeting",
            &bytes,
            Some(MarineModuleConfig::<WB>::default()),
        )
        .await
        .unwrap_err();
    assert_eq!(
        duplicate.to_string(),
        "engine error: module with name 'greeting' already loaded into Marine, please specify another name"
    );
    marine.unload_module("greeting").unwrap();
    assert!(marine.get_interface().modules.is_empty());
    assert!(marine.module_memory_stats().modules.is_empty());
    let gone = marine
        .call_with_ivalues(
            "greeting",
            "greeting",
            &[IValue::String("x".into())],
            <_>::default(),
        )
        .unwrap_err();
    assert_eq!(
        gone.to_string(),
        "engine error: module with name 'greeting' isn't loaded into Marine"
    );
    assert_eq!(
        marine.unload_module("greeting").unwrap_err().to_string(),
        "engine error: module with name 'greeting' isn't loaded into Marine"
    );
    // The name is free again.
    marine
        .load_module("greeting", &bytes, None::<MarineModuleConfig<WB>>)
        .await
        .unwrap();
}

async fn with_modules_and_module_names<WB: WasmBackend>() {
    let config = |names: &[&str]| MarineConfig::<WB> {
        modules_config: names
            .iter()
            .map(|name| ModuleDescriptor {
                file_name: format!("{name}.wasm"),
                import_name: (*name).into(),
                config: MarineModuleConfig {
                    logger_enabled: true,
                    ..Default::default()
                },
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let dir = shared("artifacts/records");
    let paths: HashMap<String, PathBuf> = ["records_effector", "records_pure"]
        .iter()
        .map(|name| (name.to_string(), dir.join(format!("{name}.wasm"))))
        .collect();
    let mut marine = Marine::with_module_names(
        WB::new_async().unwrap(),
        &paths,
        config(&["records_effector", "records_pure"]),
    )
    .await
    .unwrap();
    assert!(
        marine
            .call_with_json("records_pure", "invoke", json!([]), <_>::default())
            .is_ok()
    );

    let bytes = HashMap::from([(
        "records_effector".to_string(),
        std::fs::read(dir.join("records_effector.wasm")).unwrap(),
    )]);
    let missing = Marine::with_modules(
        WB::new_async().unwrap(),
        bytes,
        config(&["records_effector", "records_pure"]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "module with name records_pure is specified in config (dir: None), but not found in provided modules: []"
    );
}

async fn call_errors<WB: WasmBackend>() {
    let mut marine = marine::<WB>("artifacts/greeting/Config.toml").await;
    let text = |error: MarineError| error.to_string();
    let no_module = marine
        .call_with_json("nomod", "greeting", json!([]), <_>::default())
        .unwrap_err();
    assert!(matches!(no_module, MarineError::NoSuchModule(_)));
    assert_eq!(text(no_module), r#"module with name "nomod" is missing"#);
    let no_function = marine
        .call_with_json("greeting", "greet", json!([]), <_>::default())
        .unwrap_err();
    assert_eq!(text(no_function), "function with name `greet` is missing");
    // ABI exports are not callable functions.
    let abi = marine
        .call_with_json("greeting", "allocate", json!([1, 1]), <_>::default())
        .unwrap_err();
    assert_eq!(text(abi), "function with name `allocate` is missing");
    let no_function = marine
        .call_with_ivalues("greeting", "greet", &[], <_>::default())
        .unwrap_err();
    assert_eq!(
        text(no_function),
        "engine error: module with name 'greeting' doesn't have function with name greet"
    );
    let bad_args = marine
        .call_with_json("greeting", "greeting", json!([1]), <_>::default())
        .unwrap_err();
    assert!(matches!(
        bad_args,
        MarineError::JsonArgumentsDeserializationError { .. }
    ));
    assert!(text(bad_args).starts_with(
        r#"arguments from json deserialization error in module "greeting", function "greeting": "#
    ));
    let bad_ivalues = marine
        .call_with_ivalues("greeting", "greeting", &[IValue::S32(1)], <_>::default())
        .unwrap_err();
    assert!(text(bad_ivalues).starts_with("engine error: "));
    // Still usable.
    let hi = marine
        .call_with_json("greeting", "greeting", json!(["again"]), <_>::default())
        .unwrap();
    assert_eq!(hi, json!("Hi, again"));
}

async fn config_errors<WB: WasmBackend>() {
    let missing = TomlMarineConfig::load("no/such/Config.toml").unwrap_err();
    assert!(matches!(missing, MarineError::IOError(_)));
    let absent =
        TomlMarineConfig::load(shared("golden/configs/greeting.nolimit_field_absent.toml"))
            .unwrap_err();
    assert!(matches!(absent, MarineError::ParseConfigError(_)));
    assert!(
        absent
            .to_string()
            .contains("missing field `total_memory_limit`"),
        "{absent}"
    );
    let no_dir: TomlMarineConfig =
        toml::from_str("total_memory_limit = 1\n[[module]]\nname = \"m\"\n").unwrap();
    let error = Marine::with_raw_config(WB::new_async().unwrap(), no_dir)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"InvalidConfig: "modules_dir" field is not defined, but it is required to load module "m""#
    );
    let bad_dir: TomlMarineConfig =
        toml::from_str("modules_dir = \"does-not-exist\"\ntotal_memory_limit = 1\n").unwrap();
    let error = Marine::with_raw_config(WB::new_async().unwrap(), bad_dir)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("IOError: Failed to canonicalize path does-not-exist"),
        "{error}"
    );
    let bad_env: TomlMarineConfig = toml::from_str(
        "total_memory_limit = 1\n[[module]]\nname = \"m\"\nload_from = \"/x.wasm\"\n[module.wasi]\nenvs = { N = 1 }\n",
    )
    .unwrap();
    let error = MarineConfig::<WB>::try_from(bad_env).unwrap_err();
    assert!(matches!(error, MarineError::ParseConfigError(_)), "{error}");
}

async fn load_errors<WB: WasmBackend>() {
    let error = Marine::with_raw_config(
        WB::new_async().unwrap(),
        TomlMarineConfig::load(shared("golden/configs/records.pure_without_effector.toml"))
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().starts_with("engine error: "), "{error}");
    assert!(error.to_string().contains("records_effector"), "{error}");
    let corrupt = std::fs::read(shared(
        "artifacts/corrupted/url-downloader_facade.corrupted.wasm",
    ))
    .unwrap();
    let mut marine = marine::<WB>("artifacts/greeting/Config.toml").await;
    let error = marine
        .load_module("facade", &corrupt, None::<MarineModuleConfig<WB>>)
        .await
        .unwrap_err();
    assert!(matches!(error, MarineError::EngineError(_)), "{error:?}");
    let hi = marine
        .call_with_json("greeting", "greeting", json!(["still"]), <_>::default())
        .unwrap();
    assert_eq!(hi, json!("Hi, still"));
}

async fn trap_keeps_service_usable<WB: WasmBackend>() {
    let mut marine = marine::<WB>("artifacts/failing/Config.toml").await;
    let function = marine.get_interface().modules["failing"].function_signatures[0]
        .name
        .to_string();
    for _ in 0..2 {
        let error = marine
            .call_with_json_async("failing", &function, json!([]), <_>::default())
            .await
            .unwrap_err();
        assert!(matches!(error, MarineError::EngineError(_)), "{error:?}");
        assert!(error.to_string().starts_with("engine error: "), "{error}");
    }
}

async fn out_of_memory<WB: WasmBackend>() {
    let error = Marine::with_raw_config(
        WB::new_async().unwrap(),
        TomlMarineConfig::load(shared("golden/configs/greeting.limit_1MiB.toml")).unwrap(),
    )
    .await
    .unwrap_err();
    let MarineError::HighProbabilityOOM {
        allocation_stats, ..
    } = &error
    else {
        panic!("OOM expected: {error:?}")
    };
    assert_eq!(allocation_stats.allocation_rejects, 1);
    let text = error.to_string();
    assert!(
        text.starts_with(
            "Engine error when OOM suspected (1 failed allocations), original error: "
        ),
        "{text}"
    );
    assert_eq!(text.matches("OOM suspected").count(), 1, "{text}");
}

/// The futures of the async API are `Send`, so hosts can run them on a multi-threaded
/// executor, as they do Marine's.
#[test]
fn futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let backend = WasmtimeWasmBackend::new_async().unwrap();
    let future = Marine::with_raw_config(backend, MarineConfig::default());
    send(&future);
    let mut marine = pollster::block_on(future).unwrap();
    send(&marine.call_with_json_async("m", "f", json!([]), <_>::default()));
    send(&marine.call_with_ivalues_async("m", "f", &[], <_>::default()));
}

/// `marine::Marine` is Wasmtime's unless the backend passed says otherwise, so moving an
/// upstream-style test to wasmi is renaming the backend type.
#[test]
fn switching_engine_is_renaming_the_backend() {
    use marine::Marine;
    let config = || TomlMarineConfig::load(shared("artifacts/greeting/Config.toml")).unwrap();
    let on_wasmi: Marine<WasmiWasmBackend> = pollster::block_on(Marine::with_raw_config(
        WasmiWasmBackend::new_async().unwrap(),
        config(),
    ))
    .unwrap();
    let on_wasmtime: Marine = pollster::block_on(Marine::with_raw_config(
        WasmtimeWasmBackend::new_async().unwrap(),
        config(),
    ))
    .unwrap();
    assert_eq!(on_wasmi.get_interface(), on_wasmtime.get_interface());
}
