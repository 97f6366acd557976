//! Service scenarios beyond the golden lines: examples, linking rules, lookups, JSON errors,
//! traps across modules, limits and unloading. Each is written once and runs on both engines.

use super::repo;
use serde_json::json;
use strait::{
    Backend, CacheDir, CallParameters, EngineConfig, ErrorKind, IValue, ModuleSettings, Service,
    ServiceOptions,
};
use strait_conformance::deep::{deep_record, deep_record_module};
use strait_conformance::golden::shared_dir;

fn artifact(path: &str) -> Option<Vec<u8>> {
    let shared = shared_dir()?;
    Some(std::fs::read(shared.join("artifacts").join(path)).expect("artifact"))
}

fn edge_module() -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/edge.wat")).expect("fixture")
}

fn new_service<B: Backend>(options: ServiceOptions) -> Service<B> {
    Service::<B>::new(options).expect("service")
}

/// A service of Marine's greeting module alone, if `../shared` is there.
fn greeting_service<B: Backend>() -> Option<Service<B>> {
    let greeting = artifact("greeting/greeting.wasm")?;
    let mut service = new_service::<B>(ServiceOptions::default());
    service
        .load_module("greeting", &greeting, &ModuleSettings::default())
        .expect("load");
    Some(service)
}

fn greeting_json<B: Backend>(service: &mut Service<B>, name: &str) -> serde_json::Value {
    service
        .call_json(
            "greeting",
            "greeting",
            &json!([name]),
            CallParameters::default(),
        )
        .expect("greeting")
}

/// The greeting example (WAT with inline IT) runs from its Config.toml.
fn example_greeting<B: Backend>() {
    let config = repo().join("examples/greeting/Config.toml");
    let mut service =
        Service::<B>::from_config_file(&config, ServiceOptions::default()).expect("load");
    assert_eq!(greeting_json(&mut service, "x"), json!("Hi, x"));
    assert_eq!(greeting_json(&mut service, ""), json!("Hi, "));
}

/// The three-module example downloads a file:// URL with the mounted curl and stores it
/// through the WASI mapped directory.
fn example_url_downloader<B: Backend>() {
    let dir =
        std::env::temp_dir().join(format!("strait-example-{}-{}", B::NAME, std::process::id()));
    super::url_downloader_copy(&dir);
    let source = repo().join("examples/url-downloader");
    let options = ServiceOptions {
        working_dir: Some(dir.clone()),
        ..ServiceOptions::default()
    };
    let mut service =
        Service::<B>::from_config_file(&dir.join("Config.toml"), options).expect("load");
    let url = format!("file://{}", source.join("www/hello.txt").display());
    let result = service
        .call_json(
            "facade",
            "get_n_save",
            &json!([url, "hello.txt"]),
            CallParameters::default(),
        )
        .expect("get_n_save");
    assert_eq!(result, json!("Ok"));
    let expected = std::fs::read(source.join("www/hello.txt")).expect("hello");
    assert_eq!(
        std::fs::read(dir.join("sites/hello.txt")).expect("saved"),
        expected
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An importer loaded before its dependency fails to link; the service stays usable.
fn load_order<B: Backend>() {
    let (Some(pure), Some(effector)) = (
        artifact("records/records_pure.wasm"),
        artifact("records/records_effector.wasm"),
    ) else {
        return;
    };
    let mut service = new_service::<B>(ServiceOptions::default());
    let error = service
        .load_module("records_pure", &pure, &ModuleSettings::default())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Link, "{error}");
    assert!(error.to_string().contains("isn't loaded"), "{error}");
    service
        .load_module("records_effector", &effector, &ModuleSettings::default())
        .expect("effector");
    service
        .load_module("records_pure", &pure, &ModuleSettings::default())
        .expect("pure");
    let record = service.call_json(
        "records_pure",
        "invoke",
        &json!([]),
        CallParameters::default(),
    );
    assert!(record.expect("invoke").is_object());
}

/// Unknown modules and functions, ABI exports and imported-only functions are lookup errors.
fn lookups<B: Backend>() {
    let Some(mut service) = greeting_service::<B>() else {
        return;
    };
    let none = CallParameters::default;
    let error = service
        .call_json("nomod", "greeting", &json!(["x"]), none())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NoSuchModule);
    assert!(
        error
            .to_string()
            .contains(r#"module with name "nomod" is missing"#),
        "{error}"
    );
    for function in ["greet", "", "allocate", "release_objects"] {
        let error = service
            .call_json("greeting", function, &json!([]), none())
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NoSuchFunction);
        assert!(
            error
                .to_string()
                .contains(&format!("function with name `{function}` is missing"))
        );
    }
    assert_eq!(
        greeting_json(&mut service, "still here"),
        json!("Hi, still here")
    );
}

/// `call_into` appends the results to the caller's vector, which can be reused; an error
/// leaves it as it was, and the service keeps working.
fn call_into_appends<B: Backend>() {
    let Some(mut service) = greeting_service::<B>() else {
        return;
    };
    let mut results = vec![IValue::U8(7)];
    for name in ["a", "bc"] {
        service
            .call_into(
                "greeting",
                "greeting",
                &[IValue::String(name.into())],
                &mut results,
            )
            .expect("greeting");
    }
    assert_eq!(
        results,
        [
            IValue::U8(7),
            IValue::String("Hi, a".into()),
            IValue::String("Hi, bc".into())
        ]
    );
    let error = service
        .call_into("greeting", "greeting", &[IValue::U32(1)], &mut results)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Instruction, "{error}");
    let error = service
        .call_into("greeting", "nothing", &[], &mut results)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NoSuchFunction);
    assert_eq!(results.len(), 3);
    results.clear();
    service
        .call_into(
            "greeting",
            "greeting",
            &[IValue::String("d".into())],
            &mut results,
        )
        .expect("greeting after errors");
    assert_eq!(results, [IValue::String("Hi, d".into())]);
}

/// A call without call parameters sees the defaults, whatever the call before it had,
/// through every call path.
fn call_parameters_reset<B: Backend>() {
    let Some(wasm) = artifact("call_parameters/call_parameters.wasm") else {
        return;
    };
    let mut service = new_service::<B>(ServiceOptions::default());
    service
        .load_module("call_parameters", &wasm, &ModuleSettings::default())
        .expect("load");
    let given: CallParameters = serde_json::from_value(json!({
        "service_id": "registry",
        "host_id": "host",
        "particle": {"id": "p1", "ttl": 5, "signature": [1, 2]},
        "tetraplets": [[{"peer_pk": "peer", "service_id": "s", "function_name": "f", "lens": ""}]]
    }))
    .expect("call parameters");
    // The module's one function, through JSON with `parameters`.
    let json_call = |service: &mut Service<B>, parameters| {
        service.call_json("call_parameters", "call_parameters", &json!([]), parameters)
    };
    let defaults = json_call(&mut service, CallParameters::default()).expect("defaults");
    let seen = json_call(&mut service, given.clone()).expect("given");
    assert_ne!(seen, defaults);
    assert_eq!(seen["service_id"], json!("registry"));
    let record = service
        .call("call_parameters", "call_parameters", &[])
        .expect("call");
    let mut results = Vec::new();
    json_call(&mut service, given).expect("given again");
    service
        .call_into("call_parameters", "call_parameters", &[], &mut results)
        .expect("call_into");
    assert_eq!(results, record);
    let again = json_call(&mut service, CallParameters::default()).expect("defaults again");
    assert_eq!(again, defaults);
    let IValue::Record(fields) = &record[0] else {
        panic!("a record: {record:?}");
    };
    assert!(
        fields
            .iter()
            .any(|field| *field == IValue::String(String::new())),
        "{fields:?}"
    );
    assert!(!format!("{record:?}").contains("registry"), "{record:?}");
}

/// Wrong JSON arguments are errors with Marine's wording; the module keeps working.
fn json_arguments<B: Backend>() {
    let Some(mut service) = greeting_service::<B>() else {
        return;
    };
    let cases = [
        (json!([1]), "invalid type: integer `1`, expected a string"),
        (
            json!(["a", "b"]),
            "function requires 1 arguments, 2 provided",
        ),
        (json!({"nam": "x"}), "missing argument with name name"),
        (json!(null), "but no arguments is provided"),
    ];
    for (args, phrase) in cases {
        let error = service
            .call_json("greeting", "greeting", &args, CallParameters::default())
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::JsonArguments);
        let text = error.to_string();
        assert!(text.contains(phrase), "{text}");
        assert!(
            text.contains(r#"in module "greeting", function "greeting""#),
            "{text}"
        );
    }
    assert_eq!(greeting_json(&mut service, "ok"), json!("Hi, ok"));
}

/// An importer whose IT signature differs from the exporter's fails to load, naming both.
fn link_signature_mismatch<B: Backend>() {
    let examples = repo().join("examples/url-downloader");
    let read = |file: &str| std::fs::read_to_string(examples.join(file)).expect("example");
    // curl_adapter exporting `download(url: byte_array)`: same wasm, different IT type.
    let curl = read("curl_adapter.wat");
    let changed = curl.replace("(param $url: string)", "(param $url: byte_array)");
    assert_ne!(changed, curl, "the fixture edit must apply");
    let lowering =
        "string.size\n    i32.push 1\n    call-core 0\n    arg.get 0\n    string.lower_memory";
    assert!(changed.contains(lowering), "the fixture edit must apply");
    let changed = changed.replacen(lowering, "array.lower_memory u8", 1);
    let mut service = new_service::<B>(ServiceOptions::default());
    let settings = ModuleSettings {
        logger_enabled: true,
        ..ModuleSettings::default()
    };
    let mut curl_settings = settings.clone();
    curl_settings
        .mounted_binaries
        .push(("curl".into(), "/usr/bin/curl".into()));
    service
        .load_module("curl_adapter", changed.as_bytes(), &curl_settings)
        .expect("curl_adapter");
    let storage = read("local_storage.wat");
    let mut storage_settings = settings.clone();
    let sites = std::env::temp_dir();
    storage_settings.mapped_dirs.push(("sites".into(), sites));
    service
        .load_module("local_storage", storage.as_bytes(), &storage_settings)
        .expect("local_storage");
    let error = service
        .load_module("facade", read("facade.wat").as_bytes(), &settings)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Link, "{error}");
    let text = error.to_string();
    assert!(
        text.contains("facade") && text.contains("curl_adapter") && text.contains("download"),
        "{text}"
    );
}

/// A trap in a callee two modules deep fails the caller's call with a chain that names the
/// callee; both modules keep working.
fn trap_in_callee<B: Backend>() {
    let Some(shared) = shared_dir() else { return };
    let copy = strait_conformance::golden::WorkingCopy::new(&shared).expect("copy");
    let config = copy.root().join("golden/configs/url-downloader.toml");
    let options = ServiceOptions {
        working_dir: config.parent().map(ToOwned::to_owned),
        ..Default::default()
    };
    let mut service = Service::<B>::from_config_file(&config, options).expect("load");
    let data = copy.data_dir();
    let url = |file: &str| format!("file://{}/www/{file}", data.display());
    let error = service
        .call_json(
            "facade",
            "get_n_save",
            &json!([url("binary.bin"), "x"]),
            CallParameters::default(),
        )
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("curl_adapter") && text.contains("download"),
        "{text}"
    );
    assert!(
        text.contains("facade") && text.contains("get_n_save"),
        "{text}"
    );
    let ok = service.call_json(
        "facade",
        "get_n_save",
        &json!([url("hello.txt"), "y"]),
        CallParameters::default(),
    );
    assert_eq!(ok.expect("facade after trap"), json!("Ok"));
    let ok = service.call_json(
        "curl_adapter",
        "download",
        &json!([url("hello.txt")]),
        CallParameters::default(),
    );
    assert_eq!(
        ok.expect("curl_adapter after trap"),
        json!("Hello from file://\n")
    );
}

/// A 1 MiB string does not fit a 2 MiB budget: a probable-OOM error, the same on both
/// engines, and the next call works.
fn memory_limit<B: Backend>() {
    let Some(greeting) = artifact("greeting/greeting.wasm") else {
        return;
    };
    let options = ServiceOptions {
        total_memory_limit: Some(2 * 1024 * 1024),
        ..Default::default()
    };
    let mut service = new_service::<B>(options);
    service
        .load_module("greeting", &greeting, &ModuleSettings::default())
        .expect("load");
    let big = "a".repeat(1024 * 1024);
    let error = service
        .call("greeting", "greeting", &[IValue::String(big)])
        .unwrap_err();
    assert!(error.oom_rejects() > 0, "{error}");
    assert!(error.to_string().contains("OOM suspected"), "{error}");
    assert_eq!(greeting_json(&mut service, "x"), json!("Hi, x"));
    let stats = service.memory_stats();
    assert_eq!(
        stats.allocation_rejects, 0,
        "the counter is reset per call (D33)"
    );
    assert_eq!(stats.modules.len(), 1);
    // A limit below the module's initial memory fails at load (17 pages > 1 MiB).
    let options = ServiceOptions {
        total_memory_limit: Some(1024 * 1024),
        ..Default::default()
    };
    let mut small = new_service::<B>(options);
    let error = small
        .load_module("greeting", &greeting, &ModuleSettings::default())
        .unwrap_err();
    assert!(
        error.oom_rejects() > 0 || error.kind() == ErrorKind::Limits,
        "{error}"
    );
}

/// An endless loop runs out of fuel; deep recursion exhausts the stack; both are errors and
/// the module keeps working.
fn fuel_and_stack<B: Backend>() {
    let options = ServiceOptions {
        fuel_per_call: Some(10_000_000),
        ..Default::default()
    };
    let mut service = new_service::<B>(options);
    service
        .load_module("edge", &edge_module(), &ModuleSettings::default())
        .expect("load");
    let error = service.call("edge", "spin", &[]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Instruction, "{error}");
    assert!(error.to_string().to_lowercase().contains("fuel"), "{error}");
    let error = service
        .call("edge", "recurse", &[IValue::S32(0)])
        .unwrap_err();
    assert!(
        error.to_string().to_lowercase().contains("stack"),
        "{error}"
    );
    assert_eq!(
        service
            .call("edge", "echo_u32", &[IValue::U32(7)])
            .expect("echo"),
        vec![IValue::U32(7)]
    );
}

/// u32 >= 2^31 and u64 >= 2^63 cross adapters unchanged (D9).
fn unsigned_edges<B: Backend>() {
    let mut service = new_service::<B>(ServiceOptions::default());
    service
        .load_module("edge", &edge_module(), &ModuleSettings::default())
        .expect("load");
    for x in [0, 1, 1 << 31, u32::MAX] {
        assert_eq!(
            service
                .call("edge", "echo_u32", &[IValue::U32(x)])
                .expect("u32"),
            vec![IValue::U32(x)]
        );
    }
    for x in [0, 1 << 63, u64::MAX] {
        assert_eq!(
            service
                .call("edge", "echo_u64", &[IValue::U64(x)])
                .expect("u64"),
            vec![IValue::U64(x)]
        );
    }
    let json = service.call_json(
        "edge",
        "echo_u64",
        &json!([u64::MAX]),
        CallParameters::default(),
    );
    assert_eq!(json.expect("json u64"), json!(u64::MAX));
}

/// Calls by name find their function whatever the call before them was, and the names
/// follow loads and unloads: an unloaded module is gone for every call path.
fn calls_follow_names<B: Backend>() {
    let mut service = new_service::<B>(ServiceOptions::default());
    service
        .load_module("edge", &edge_module(), &ModuleSettings::default())
        .expect("load");
    let mut results = Vec::new();
    for round in 0..3u32 {
        results.clear();
        service
            .call_into("edge", "echo_u32", &[IValue::U32(round)], &mut results)
            .expect("u32");
        service
            .call_into(
                "edge",
                "echo_u64",
                &[IValue::U64(u64::from(round) << 40)],
                &mut results,
            )
            .expect("u64");
        assert_eq!(
            results,
            [IValue::U32(round), IValue::U64(u64::from(round) << 40)]
        );
        let error = service.call("edge", "echo_u16", &[]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NoSuchFunction);
    }
    service
        .load_module("other", &edge_module(), &ModuleSettings::default())
        .expect("load other");
    // `echo_u32(x)` of `module` echoes `x`, or fails with the error's kind.
    let echo = |service: &mut Service<B>, module: &str, x: u32| match service.call(
        module,
        "echo_u32",
        &[IValue::U32(x)],
    ) {
        Ok(results) => {
            assert_eq!(results, [IValue::U32(x)], "{module}");
            None
        }
        Err(error) => Some(error.kind()),
    };
    assert_eq!(echo(&mut service, "other", 5), None);
    assert_eq!(echo(&mut service, "edge", 6), None);
    service.unload_module("edge").expect("unload");
    let error = service
        .call_into("edge", "echo_u32", &[IValue::U32(7)], &mut results)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NoSuchModule);
    assert_eq!(echo(&mut service, "edge", 7), Some(ErrorKind::NoSuchModule));
    assert_eq!(echo(&mut service, "other", 8), None);
    service
        .load_module("edge", &edge_module(), &ModuleSettings::default())
        .expect("reload");
    assert_eq!(echo(&mut service, "edge", 9), None);
}

/// Unloading removes the name; the module can be loaded again under it.
fn unload_reload<B: Backend>() {
    let Some(greeting) = artifact("greeting/greeting.wasm") else {
        return;
    };
    let mut service = new_service::<B>(ServiceOptions::default());
    service
        .load_module("greeting", &greeting, &ModuleSettings::default())
        .expect("load");
    assert_eq!(greeting_json(&mut service, "1"), json!("Hi, 1"));
    service.unload_module("greeting").expect("unload");
    let error = service
        .call_json(
            "greeting",
            "greeting",
            &json!(["2"]),
            CallParameters::default(),
        )
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NoSuchModule);
    assert!(service.memory_stats().modules.is_empty());
    service
        .load_module("greeting", &greeting, &ModuleSettings::default())
        .expect("reload");
    assert_eq!(greeting_json(&mut service, "3"), json!("Hi, 3"));
    service.unload_module("greeting").expect("second unload");
    assert_eq!(
        service.unload_module("greeting").unwrap_err().kind(),
        ErrorKind::NoSuchModule
    );
}

/// A module loaded again is instantiated from the compiled one the service kept (same
/// bytes, any name); the cache holds at most `module_cache` modules, and none when it is 0.
fn module_cache<B: Backend>() {
    let edge = edge_module();
    let deep = deep_record_module(3);
    let mut service = new_service::<B>(ServiceOptions {
        module_cache: 1,
        ..Default::default()
    });
    let echo = |service: &mut Service<B>, name: &str| {
        service
            .call(name, "echo_u32", &[IValue::U32(5)])
            .expect("echo")
    };
    for round in 0..3 {
        service
            .load_module("edge", &edge, &ModuleSettings::default())
            .expect("load");
        assert_eq!(echo(&mut service, "edge"), vec![IValue::U32(5)], "{round}");
        service.unload_module("edge").expect("unload");
        assert_eq!(service.cached_modules(), 1);
    }
    // Two instances of one compiled module, each with its own store.
    for name in ["a", "b"] {
        service
            .load_module(name, &edge, &ModuleSettings::default())
            .expect("load");
    }
    assert_eq!(echo(&mut service, "a"), echo(&mut service, "b"));
    assert_eq!(service.cached_modules(), 1);
    // Other bytes take the only place.
    service
        .load_module("deep", &deep, &ModuleSettings::default())
        .expect("load deep");
    assert_eq!(service.cached_modules(), 1);
    service.clear_module_cache();
    assert_eq!(service.cached_modules(), 0);
    assert_eq!(echo(&mut service, "a"), vec![IValue::U32(5)]);
    let mut uncached = new_service::<B>(ServiceOptions {
        module_cache: 0,
        ..Default::default()
    });
    uncached
        .load_module("edge", &edge, &ModuleSettings::default())
        .expect("load");
    assert_eq!(uncached.cached_modules(), 0);
    assert_eq!(echo(&mut uncached, "edge"), vec![IValue::U32(5)]);
    assert_eq!(
        new_service::<B>(ServiceOptions::default()).cached_modules(),
        0
    );
    assert_eq!(
        ServiceOptions::default().module_cache,
        strait::DEFAULT_MODULE_CACHE
    );
}

/// A service loaded from files caches compiled modules (Wasmtime) in the default directory
/// unless told otherwise; modules given as bytes are cached only in a directory named.
fn file_loads_use_the_default_cache<B: Backend>() {
    let config = repo().join("examples/greeting/Config.toml");
    let cache_dir = |options: ServiceOptions| {
        let service = Service::<B>::from_config_file(&config, options).expect("load");
        service.engine().config().cache_dir.clone()
    };
    let default = CacheDir::from(CacheDir::default_dir());
    assert_eq!(cache_dir(ServiceOptions::default()), default);
    let off = ServiceOptions {
        engine: EngineConfig::default().with_cache_dir(CacheDir::Off),
        ..ServiceOptions::default()
    };
    assert_eq!(cache_dir(off), CacheDir::Off);
    let dir = std::env::temp_dir().join("strait-conformance-cache");
    let named = ServiceOptions {
        engine: EngineConfig::default().with_cache_dir(dir.clone()),
        ..ServiceOptions::default()
    };
    assert_eq!(cache_dir(named), CacheDir::Dir(dir));
    let bytes = new_service::<B>(ServiceOptions::default());
    assert_eq!(bytes.engine().config().cache_dir, CacheDir::Default);
    assert_eq!(bytes.engine().config().cache_dir.for_bytes(), None);
}

/// A trap is an error; the same instance serves the next call.
fn trap_then_call<B: Backend>() {
    let mut service = new_service::<B>(ServiceOptions::default());
    service
        .load_module("edge", &edge_module(), &ModuleSettings::default())
        .expect("load");
    for _ in 0..2 {
        let error = service.call("edge", "boom", &[]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Instruction);
        assert!(error.to_string().contains("boom"), "{error}");
    }
    assert_eq!(
        service
            .call("edge", "echo_u32", &[IValue::U32(1)])
            .expect("echo"),
        vec![IValue::U32(1)]
    );
}

/// An IT-typed host function: its `byte_array` argument is lifted from the caller's memory
/// (flattened to `(ptr, len)`, D25); a host error fails the guest's call, naming the import,
/// and the module keeps working (D26).
fn host_function<B: Backend>() {
    use strait::{FunctionArg, FunctionType, HostFunction, IType};
    let ty = FunctionType {
        params: vec![FunctionArg {
            name: "bytes".into(),
            ty: IType::ByteArray,
        }],
        results: vec![IType::U64],
    };
    let count = HostFunction::new(ty, Vec::new(), |args| match args {
        [IValue::ByteArray(bytes)] if bytes.first() == Some(&0xff) => Err("refused".into()),
        [IValue::ByteArray(bytes)] => Ok(vec![IValue::U64(u64::MAX - bytes.len() as u64)]),
        _ => Err("unexpected arguments".into()),
    })
    .expect("host function");
    let mut service = new_service::<B>(ServiceOptions::default());
    service.register_host_function("host", "count", count);
    let module = std::fs::read(repo().join("tests/fixtures/host.wat")).expect("fixture");
    service
        .load_module("host_user", &module, &ModuleSettings::default())
        .expect("load");
    let result = service.call(
        "host_user",
        "count_bytes",
        &[IValue::ByteArray(vec![1, 2, 3])],
    );
    assert_eq!(result.expect("count"), vec![IValue::U64(u64::MAX - 3)]);
    let error = service
        .call("host_user", "count_bytes", &[IValue::ByteArray(vec![0xff])])
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("host::count") && text.contains("refused"),
        "{text}"
    );
    let json = service.call_json(
        "host_user",
        "count_bytes",
        &json!([[]]),
        CallParameters::default(),
    );
    assert_eq!(json.expect("count after error"), json!(u64::MAX));
    // Without the host function the module does not load.
    let mut bare = new_service::<B>(ServiceOptions::default());
    let error = bare
        .load_module("host_user", &module, &ModuleSettings::default())
        .unwrap_err();
    assert!(error.to_string().contains("host::count"), "{error}");
}

/// A wall-clock deadline interrupts an endless loop on Wasmtime; wasmi, which has no
/// deadlines, refuses the option when the service is created.
fn deadline<B: Backend>() {
    let options = ServiceOptions {
        deadline_per_call: Some(std::time::Duration::from_millis(100)),
        ..Default::default()
    };
    let mut service = match Service::<B>::new(options) {
        Ok(service) => service,
        Err(error) => {
            assert_eq!(B::NAME, "wasmi", "{error}");
            assert!(error.to_string().contains("deadline_per_call"), "{error}");
            return;
        }
    };
    service
        .load_module("edge", &edge_module(), &ModuleSettings::default())
        .expect("load");
    let error = service.call("edge", "spin", &[]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Instruction, "{error}");
    let echo = service.call("edge", "echo_u32", &[IValue::U32(2)]);
    assert_eq!(echo.expect("echo after the deadline"), vec![IValue::U32(2)]);
}

/// A minimal Marine module exporting `g: func()`, which imports `g: func()` from module
/// `from` when given (a wasm import with its IT import adapter, laid out as facade.wat's).
fn importing_module(from: Option<&str>) -> String {
    let (core_import, it_import) = match from {
        None => (String::new(), String::new()),
        Some(from) => (
            format!(r#"(import "{from}" "g" (func))"#),
            format!(
                r#"(@interface type (func))   ;; 1: the IT-level signature
                   (@interface type (func))   ;; 2: the raw adapter type
                   (@interface type (func))   ;; 3: the raw core type
                   (@interface import "{from}" "g" (func (type 1)))
                   (@interface import "{from}" "g" (func (type 3)))
                   (@interface func (type 2) call-core 1)
                   (@interface implement (func 3) (func 2))"#
            ),
        ),
    };
    format!(
        r#"(module {core_import}
            (memory (export "memory") 1)
            (func (export "allocate") (param i32 i32) (result i32) i32.const 0)
            (func (export "release_objects"))
            (func (export "g"))
            (@custom "__fluence_sdk_version" "0.14.0"))
          (@interface it_version "0.28.0")
          (@interface type (func))   ;; 0: g's adapter and export type
          {it_import}
          (@interface func (type 0) call-core 0)
          (@interface export "g" (func 0))
          (@interface implement (func 0) (func 0))"#
    )
}

/// Messages that say what to do: modules importing from each other are named as a cycle, a
/// module listed before the one it imports from is told to move it, and an unknown module or
/// function lists what there is, with the nearest name.
fn load_order_messages<B: Backend>() {
    use strait::ModuleSource;
    let settings = ModuleSettings::default();
    let a = importing_module(Some("b"));
    let b = importing_module(Some("a"));
    let user = importing_module(Some("storage"));
    let storage = importing_module(None);
    fn source<'a>(name: &'a str, text: &'a str, settings: &'a ModuleSettings) -> ModuleSource<'a> {
        ModuleSource {
            name,
            bytes: text.as_bytes(),
            settings,
            origin: None,
        }
    }
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");

    let cycle = service
        .load_modules(
            &[source("a", &a, &settings), source("b", &b, &settings)],
            |_| {},
        )
        .unwrap_err();
    assert_eq!(cycle.kind(), ErrorKind::Link, "{cycle}");
    assert!(
        cycle
            .to_string()
            .contains("its imports form a cycle (a -> b -> a)"),
        "{cycle}"
    );

    let order = service
        .load_modules(
            &[
                source("user", &user, &settings),
                source("storage", &storage, &settings),
            ],
            |_| {},
        )
        .unwrap_err();
    assert!(
        order.to_string().contains(
            "it imports from module 'storage', which is listed after it; load \"storage\" first"
        ),
        "{order}"
    );

    service
        .load_modules(
            &[
                source("storage", &storage, &settings),
                source("user", &user, &settings),
            ],
            |_| {},
        )
        .expect("in the right order");
    let module = service.call("storge", "g", &[]).unwrap_err();
    assert_eq!(module.kind(), ErrorKind::NoSuchModule, "{module}");
    assert!(
        module.to_string().contains(r#"(did you mean "storage"?)"#),
        "{module}"
    );
    let function = service.call("user", "gg", &[]).unwrap_err();
    assert_eq!(function.kind(), ErrorKind::NoSuchFunction, "{function}");
    assert!(
        function.to_string().contains(r#"did you mean "g""#),
        "{function}"
    );
    assert_eq!(
        service.call("user", "g", &[]).expect("g"),
        Vec::<IValue>::new()
    );
}

/// Records nested 500 levels, and as deep as lifting goes (1024, D21), cross the adapters and
/// JSON both ways: from JSON text (deeper than serde_json's own parser takes), through
/// `call_json`, back to the same text. This runs on a test thread's 2 MiB stack.
fn deep_records<B: Backend>() {
    for levels in [500, 1024] {
        let mut service = new_service::<B>(ServiceOptions::default());
        service
            .load_module(
                "deep",
                &deep_record_module(levels),
                &ModuleSettings::default(),
            )
            .expect("load");
        let (text, value) = deep_record(levels, -7);
        let args = strait::json::parse(&format!("[{text}]")).expect("parse");
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
        for round in 0..3 {
            let result = service
                .call_json("deep", "echo", &args, CallParameters::default())
                .expect("echo json");
            assert_eq!(result.to_string(), text, "{levels} levels, round {round}");
        }
        let echoed = service
            .call("deep", "echo", std::slice::from_ref(&value))
            .expect("echo");
        assert_eq!(echoed, vec![value]);
        // Too deep for the record: the innermost `v` lacks a level.
        let (shallow, _) = deep_record(levels - 1, 1);
        let args = strait::json::parse(&format!("[{shallow}]")).expect("parse");
        let error = service
            .call_json("deep", "echo", &args, CallParameters::default())
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::JsonArguments);
        assert!(
            error
                .to_string()
                .ends_with("missing field `next` (R0) of record R1"),
            "{error}"
        );
    }
    // Past the IT limit: the module is refused at load, JSON text is refused when parsed.
    let mut service = new_service::<B>(ServiceOptions::default());
    let error = service
        .load_module(
            "deep",
            &deep_record_module(1025),
            &ModuleSettings::default(),
        )
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("records and arrays nest deeper than 1024 levels"),
        "{error}"
    );
    let (text, _) = deep_record(strait::json::MAX_TEXT_DEPTH, 1);
    let error = strait::json::parse(&format!("[{text}]")).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "JSON text nests deeper than {} levels (byte {})",
            strait::json::MAX_TEXT_DEPTH,
            // `[` and a `{"next":` of 8 bytes per level before the first bracket too many
            1 + 8 * (strait::json::MAX_TEXT_DEPTH - 1)
        )
    );
}

strait_conformance::on_every_engine!(
    load_order_messages,
    deep_records,
    module_cache,
    deadline,
    host_function,
    example_greeting,
    example_url_downloader,
    load_order,
    lookups,
    call_into_appends,
    call_parameters_reset,
    json_arguments,
    link_signature_mismatch,
    trap_in_callee,
    memory_limit,
    fuel_and_stack,
    unsigned_edges,
    calls_follow_names,
    unload_reload,
    trap_then_call,
    file_loads_use_the_default_cache,
);
