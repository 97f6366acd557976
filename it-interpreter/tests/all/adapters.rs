//! The compiler over every Marine artifact's section, and real adapters run against a fake
//! module that behaves like marine-rs-sdk's glue, checking the exact core-call sequences of
//! `spec/service.md` §5.

use crate::support;
use crate::support::{Function, Internal, TestHost, call, run, s, sig, wasm_exports};
use strait_it::IValue;
use strait_it::adapter::{CompiledModule, CoreType, ImportImages, compile};
use strait_it::memory::{LiftBudget, RecordTable, lift_record, lower_record};
use strait_it::module::ModuleSections;

/// Decodes and compiles artifact `name` (e.g. `greeting/greeting.wasm`); `None` when the
/// artifacts are absent outside CI.
fn compiled(name: &str) -> Option<CompiledModule> {
    let artifact = support::artifacts()?
        .into_iter()
        .find(|artifact| artifact.name == name)
        .unwrap_or_else(|| panic!("artifact {name} is missing"));
    let section = ModuleSections::read(&artifact.wasm)
        .unwrap()
        .decode_it_section()
        .unwrap();
    let exports = wasm_exports(&artifact.wasm);
    Some(compile(&section, exports.as_slice()).unwrap())
}

#[test]
fn every_artifact_section_compiles() {
    let Some(artifacts) = support::artifacts() else {
        return;
    };
    let mut summary = Vec::new();
    for artifact in &artifacts {
        let section = ModuleSections::read(&artifact.wasm)
            .unwrap()
            .decode_it_section()
            .unwrap_or_else(|e| panic!("{}: {e}", artifact.name));
        let exports = wasm_exports(&artifact.wasm);
        let module = compile(&section, exports.as_slice())
            .unwrap_or_else(|e| panic!("{}: {e}", artifact.name));
        // The function space covers every IT export; slot 0 is allocate.
        assert_eq!(module.core_exports().len(), section.exports.len());
        assert_eq!(module.core_exports()[0].name, "allocate");
        assert_eq!(
            module.core_exports()[0].signature,
            sig(&[CoreType::I32, CoreType::I32], &[CoreType::I32])
        );
        for export in module.exports() {
            assert_eq!(module.export(&export.name).map(|e| &e.ty), Some(&export.ty));
            assert_eq!(
                module.core_exports()[export.core_slot as usize].name,
                export.name
            );
        }
        let names: Vec<&str> = module.exports().iter().map(|e| e.name.as_str()).collect();
        let imports: Vec<String> = module
            .imports()
            .iter()
            .map(|i| format!("{}.{}", i.namespace, i.name))
            .collect();
        summary.push(format!("{}: {names:?} imports {imports:?}", artifact.name));
    }
    let expected = [
        r#"call_parameters/call_parameters.wasm: ["call_parameters"] imports []"#,
        r#"failing/failing.wasm: ["failing"] imports []"#,
        r#"greeting/greeting.wasm: ["greeting"] imports []"#,
        r#"greeting_record/greeting-record.wasm: ["greeting_record", "log_info", "log_warn", "log_error", "log_debug", "log_trace", "void_fn"] imports []"#,
        r#"ipfs-node/ipfs_effector.wasm: ["put", "get", "get_address"] imports []"#,
        r#"ipfs-node/ipfs_pure.wasm: ["invoke", "put", "get"] imports ["ipfs_effector.put", "ipfs_effector.get"]"#,
        r#"records/records_effector.wasm: ["mutate_struct"] imports []"#,
        r#"records/records_pure.wasm: ["invoke"] imports ["records_effector.mutate_struct"]"#,
        r#"records_passing/records_passing_effector_renamed.wasm: ["test_record", "return_256kb_struct", "test_record_ref", "get_drop_count", "pass_256kb_struct", "pass_droppable_record"] imports []"#,
        r#"records_passing/records_passing_pure.wasm: ["test_record", "return_256kb_struct", "test_record_ref", "get_drop_count", "pass_256kb_struct", "pass_droppable_record"] imports ["records_passing_effector.pass_droppable_record", "records_passing_effector.pass_256kb_struct", "records_passing_effector.return_256kb_struct", "records_passing_effector.test_record", "records_passing_effector.test_record_ref", "records_passing_effector.get_drop_count"]"#,
        r#"url-downloader/curl_adapter.wasm: ["download"] imports []"#,
        r#"url-downloader/facade.wasm: ["get_n_save"] imports ["curl_adapter.download", "local_storage.get", "local_storage.put"]"#,
        r#"url-downloader/local_storage.wasm: ["put", "get"] imports []"#,
    ];
    assert_eq!(summary, expected);
}

fn greeting_host(module: &CompiledModule) -> TestHost {
    TestHost::new(module, 1 << 16).function("greeting", |sdk, args| {
        let [IValue::I32(ptr), IValue::I32(len)] = args else {
            panic!("greeting({args:?})");
        };
        let name = sdk.read(*ptr as u32, *len as u32).to_vec();
        let mut out = b"Hi, ".to_vec();
        out.extend(name);
        sdk.return_bytes(&out);
        Ok(vec![])
    })
}

#[test]
fn greeting_makes_the_five_core_calls() {
    let Some(module) = compiled("greeting/greeting.wasm") else {
        return;
    };
    let mut host = greeting_host(&module);
    let out = call(&module, "greeting", &[s("x")], &mut host).unwrap();
    assert_eq!(out, [s("Hi, x")]);
    assert_eq!(
        host.log(),
        [
            "allocate(1, 1) -> 16",
            "greeting(16, 1)",
            "get_result_ptr() -> 24",
            "get_result_size() -> 5",
            "release_objects()",
        ]
    );
    // "héllo": allocate(6, 1), and the core call sees (16, 6) on the stack.
    let mut host = greeting_host(&module);
    let out = call(&module, "greeting", &[s("héllo")], &mut host).unwrap();
    assert_eq!(out, [s("Hi, héllo")]);
    assert_eq!(host.log()[..2], ["allocate(6, 1) -> 16", "greeting(16, 6)"]);
    // An empty name still allocates (D52); the SDK may answer 0 for size 0.
    let mut host = greeting_host(&module);
    host.sdk.allocate_hook = Some(Box::new(|size, _| if size == 0 { 0 } else { 16 }));
    let out = call(&module, "greeting", &[s("")], &mut host).unwrap();
    assert_eq!(out, [s("Hi, ")]);
    assert_eq!(host.log()[..2], ["allocate(0, 1) -> 0", "greeting(0, 0)"]);
}

#[test]
fn fused_abi_sequences_blame_the_instruction_that_fails() {
    // greeting's adapter: 0 arg.get 0, 1 string.size, 2 i32.push 1, 3 call-core 0
    // (allocate), 4 arg.get 0, 5 string.lower_memory, 6 call-core 6 (greeting), 7 call-core 3
    // (get_result_ptr), 8 call-core 2 (get_result_size), 9 string.lift_memory, 10 call-core 1.
    // The first seven run as one step and 7–10 as another; errors keep their positions.
    let Some(module) = compiled("greeting/greeting.wasm") else {
        return;
    };
    let failure = |args: &[IValue], host: &mut TestHost| {
        let error = call(&module, "greeting", args, host).unwrap_err();
        (error.instruction_index, error.to_string())
    };
    let (at, message) = failure(&[], &mut greeting_host(&module));
    assert_eq!(at, 0, "{message}");
    assert!(message.starts_with("`arg.get 0`"), "{message}");
    let (at, message) = failure(&[IValue::S32(1)], &mut greeting_host(&module));
    assert_eq!(at, 1, "{message}");
    assert!(message.starts_with("`string.size`"), "{message}");
    // allocate answers 0, or a region outside memory (D22): blamed on `call-core 0`.
    for answer in [0, 1 << 20] {
        let mut host = greeting_host(&module);
        host.sdk.allocate_hook = Some(Box::new(move |_, _| answer));
        let (at, message) = failure(&[s("x")], &mut host);
        assert_eq!(at, 3, "{message}");
        assert!(message.starts_with("`call-core 0`"), "{message}");
    }
    // The function itself fails: `call-core 6`, the last instruction of the first step.
    let mut host =
        TestHost::new(&module, 1 << 16).function("greeting", |_, _| Err("greeting trapped".into()));
    let (at, message) = failure(&[s("x")], &mut host);
    assert_eq!(at, 6, "{message}");
    assert!(message.starts_with("`call-core 6`"), "{message}");
    assert!(message.contains("greeting trapped"), "{message}");
    // The result lies outside memory: `string.lift_memory`.
    let mut host = TestHost::new(&module, 1 << 16).function("greeting", |sdk, _| {
        sdk.result_ptr = 1 << 20;
        sdk.result_size = 4;
        Ok(vec![])
    });
    let (at, message) = failure(&[s("x")], &mut host);
    assert_eq!(at, 9, "{message}");
    assert!(message.starts_with("`string.lift_memory`"), "{message}");
    // The getters and release_objects fail: each is blamed on its own `call-core`.
    for (export, at) in [
        ("get_result_ptr", 7),
        ("get_result_size", 8),
        ("release_objects", 10),
    ] {
        let mut host = greeting_host(&module).function(export, |_, _| Err("refused".into()));
        let (found, message) = failure(&[s("x")], &mut host);
        assert_eq!(found, at, "{export}: {message}");
        assert!(message.starts_with("`call-core "), "{message}");
        assert!(message.contains("refused"), "{message}");
    }
    // The service keeps working after each of them.
    let out = call(&module, "greeting", &[s("y")], &mut greeting_host(&module)).unwrap();
    assert_eq!(out, [s("Hi, y")]);
}

fn test_record(text: &str, bytes: &[u8]) -> Vec<IValue> {
    vec![
        IValue::Boolean(true),
        IValue::S8(-8),
        IValue::S16(-16),
        IValue::S32(-32),
        IValue::S64(-64),
        IValue::U8(8),
        IValue::U16(16),
        IValue::U32(u32::MAX),
        IValue::U64(u64::MAX),
        IValue::F32(3.5),
        IValue::F64(-7.25),
        s(text),
        IValue::ByteArray(bytes.to_vec()),
    ]
}

/// What the fake effector does to a record: flips the bool, extends the string.
fn mutate(mut fields: Vec<IValue>) -> Vec<IValue> {
    if let IValue::Boolean(flag) = &mut fields[0] {
        *flag = !*flag;
    }
    if let IValue::String(text) = &mut fields[11] {
        text.push_str(" mutated");
    }
    fields
}

/// TestRecord's type index in the records modules.
const TEST_RECORD: u64 = 10;

/// A host for `records_effector` whose `mutate_struct` returns `change` of its record.
fn effector_host(module: &CompiledModule, change: fn(Vec<IValue>) -> Vec<IValue>) -> TestHost {
    let table: RecordTable = module.records().clone();
    TestHost::new(module, 1 << 16).function("mutate_struct", move |sdk, args| {
        let [IValue::I32(ptr)] = args else {
            panic!("mutate_struct({args:?})");
        };
        let fields = lift_record(
            &sdk.memory,
            TEST_RECORD,
            *ptr as u32,
            &table,
            &mut LiftBudget::default(),
        )?;
        let result = lower_record(&mut Internal(sdk), TEST_RECORD, &change(fields), &table)?;
        sdk.result_ptr = result.cast_signed();
        Ok(vec![])
    })
}

#[test]
fn mutate_struct_export_adapter() {
    let Some(module) = compiled("records/records_effector.wasm") else {
        return;
    };
    let mut host = effector_host(&module, mutate);
    let input = IValue::Record(test_record("abc", &[1, 2, 3, 4]));
    let out = call(&module, "mutate_struct", &[input], &mut host).unwrap();
    assert_eq!(
        out,
        [IValue::Record(mutate(test_record("abc", &[1, 2, 3, 4])))]
    );
    assert_eq!(
        host.log(),
        [
            "allocate(3, 1) -> 16",
            "allocate(4, 1) -> 24",
            "allocate(59, 1) -> 32",
            "mutate_struct(32)",
            // The SDK's own allocations: "abc mutated" at 96, the bytes at 112, the record.
            "get_result_ptr() -> 120",
            "release_objects()",
        ]
    );
}

#[test]
fn a_record_result_step_blames_the_instruction_that_fails() {
    // mutate_struct's adapter: 0 arg.get 0, 1 record.lower_memory 10, 2 call-core 6
    // (mutate_struct), 3 call-core 3 (get_result_ptr), 4 record.lift_memory 10, 5 call-core
    // 1 (release_objects). 3 to 5 run as one step; a pointer outside memory is the lift's.
    let Some(module) = compiled("records/records_effector.wasm") else {
        return;
    };
    for ptr in [1 << 20, -8] {
        let mut host = TestHost::new(&module, 1 << 16).function("mutate_struct", move |sdk, _| {
            sdk.result_ptr = ptr;
            Ok(vec![])
        });
        let input = IValue::Record(test_record("abc", &[1]));
        let error = call(&module, "mutate_struct", &[input], &mut host).unwrap_err();
        assert_eq!(error.instruction_index, 4, "{error}");
        assert!(
            error.to_string().starts_with("`record.lift_memory 10`"),
            "{error}"
        );
    }
    // The getter or release_objects fails: its own `call-core`.
    for (export, at) in [("get_result_ptr", 3), ("release_objects", 5)] {
        let mut host =
            effector_host(&module, mutate).function(export, |_, _| Err("refused".into()));
        let input = IValue::Record(test_record("abc", &[1]));
        let error = call(&module, "mutate_struct", &[input], &mut host).unwrap_err();
        assert_eq!(error.instruction_index, at, "{export}: {error}");
        assert!(error.to_string().contains("refused"), "{error}");
    }
    // The module keeps working.
    let mut host = effector_host(&module, mutate);
    let input = IValue::Record(test_record("x", &[]));
    let out = call(&module, "mutate_struct", &[input], &mut host).unwrap();
    assert_eq!(out, [IValue::Record(mutate(test_record("x", &[])))]);
}

#[test]
fn typed_inputs_skip_the_value_check_and_lower_the_same() {
    // A host may vouch for its inputs (another module's adapter passed them): the record is
    // lowered without the value check, with the same allocations and bytes. A value that
    // does not fit is still an error, never a panic.
    let Some(module) = compiled("records/records_effector.wasm") else {
        return;
    };
    let host = |typed: bool| {
        let mut host = effector_host(&module, |fields| fields);
        host.typed = typed;
        host
    };
    let input = IValue::Record(test_record("typed", &[7]));
    let (mut checked, mut typed) = (host(false), host(true));
    let input = std::slice::from_ref(&input);
    let expected = call(&module, "mutate_struct", input, &mut checked).unwrap();
    let out = call(&module, "mutate_struct", input, &mut typed).unwrap();
    assert_eq!(out, expected);
    assert_eq!(out, input);
    assert_eq!(typed.log(), checked.log());
    let mut wrong = test_record("typed", &[7]);
    wrong[3] = s("not an s32");
    let wrong = IValue::Record(wrong);
    let mut checked = host(false);
    assert!(
        call(
            &module,
            "mutate_struct",
            std::slice::from_ref(&wrong),
            &mut checked
        )
        .is_err()
    );
    assert!(checked.log().is_empty(), "checked before any allocation");
    let error = call(&module, "mutate_struct", &[wrong], &mut host(true)).unwrap_err();
    assert!(error.to_string().contains("not an s32"), "{error}");
}

#[test]
fn mutate_struct_import_adapter_of_records_pure() {
    let Some(module) = compiled("records/records_pure.wasm") else {
        return;
    };
    let import = &module.imports()[0];
    assert_eq!(
        (import.namespace.as_str(), import.name.as_str()),
        ("records_effector", "mutate_struct")
    );
    assert_eq!(import.raw, sig(&[CoreType::I32], &[]));
    let original = test_record("xy", &[9]);
    let expected_arg = IValue::Record(original.clone());
    let mut host = TestHost::new(&module, 1 << 16).import(0, move |_, args| {
        assert_eq!(args, std::slice::from_ref(&expected_arg));
        let IValue::Record(fields) = &args[0] else {
            unreachable!()
        };
        Ok(vec![IValue::Record(mutate(fields.clone()))])
    });
    // The importer's glue has put the record into its memory and passes its pointer.
    let table = module.records().clone();
    let ptr = lower_record(&mut Internal(&mut host.sdk), TEST_RECORD, &original, &table).unwrap();
    let out = run(
        &module,
        &import.program,
        &[IValue::I32(ptr.cast_signed())],
        &mut host,
    )
    .unwrap();
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(
        host.log(),
        [
            "release_objects()",
            "import records_effector.mutate_struct",
            "allocate(10, 1) -> 96",
            "allocate(1, 1) -> 112",
            "allocate(59, 1) -> 120",
            "set_result_ptr(120)",
        ]
    );
    let lifted = lift_record(
        &host.sdk.memory,
        TEST_RECORD,
        120,
        &table,
        &mut LiftBudget::default(),
    )
    .unwrap();
    assert_eq!(lifted, mutate(original));
}

#[test]
fn export_adapters_say_which_records_may_cross_as_images() {
    // records_effector's mutate_struct lowers its only parameter once and lifts its result
    // last; records_pure's invoke has no parameter and lifts its result last.
    let (Some(effector), Some(pure)) = (
        compiled("records/records_effector.wasm"),
        compiled("records/records_pure.wasm"),
    ) else {
        return;
    };
    let mutate = &effector.export("mutate_struct").unwrap().program;
    assert!(mutate.takes_record_image() && mutate.gives_record_image());
    let invoke = &pure.export("invoke").unwrap().program;
    assert!(!invoke.takes_record_image() && invoke.gives_record_image());
    // greeting returns a string: neither.
    let Some(greeting) = compiled("greeting/greeting.wasm") else {
        return;
    };
    let greeting = &greeting.export("greeting").unwrap().program;
    assert!(!greeting.takes_record_image() && !greeting.gives_record_image());
}

#[test]
fn records_pure_import_adapter_with_and_without_images() {
    // The adapter: 0 arg.get 0, 1 record.lift_memory 10, 2 call-core 1 (release_objects),
    // 3 call-core 7 (mutate_struct), 4 record.lower_memory 10, 5 call-core 5
    // (set_result_ptr): one step, the same calls and errors whether the records cross as
    // images or as values.
    let Some(module) = compiled("records/records_pure.wasm") else {
        return;
    };
    let import = &module.imports()[0];
    let table = module.records().clone();
    let both = ImportImages {
        arg: true,
        result: true,
    };
    let host = |images: ImportImages| {
        let mut host = TestHost::new(&module, 1 << 16).import(0, |_, args| match args {
            [IValue::Record(fields)] => Ok(vec![IValue::Record(mutate(fields.clone()))]),
            _ => Err("not a record".into()),
        });
        host.images = images;
        let ptr = lower_record(
            &mut Internal(&mut host.sdk),
            TEST_RECORD,
            &test_record("xy", &[9]),
            &table,
        )
        .unwrap();
        (host, IValue::I32(ptr.cast_signed()))
    };
    let mut logs = Vec::new();
    for images in [ImportImages::default(), both] {
        let (mut host, arg) = host(images);
        let out = run(&module, &import.program, &[arg], &mut host).unwrap();
        assert!(out.is_empty(), "{out:?}");
        let lifted = lift_record(
            &host.sdk.memory,
            TEST_RECORD,
            host.sdk.result_ptr.cast_unsigned(),
            &table,
            &mut LiftBudget::default(),
        )
        .unwrap();
        assert_eq!(lifted, mutate(test_record("xy", &[9])));
        logs.push((host.sdk.log.clone(), host.sdk.memory.clone()));
    }
    assert_eq!(logs[0], logs[1]);

    type Setup = fn(&mut TestHost, &mut IValue);
    let cases: [(usize, &str, Setup); 6] = [
        (0, "arg.get 0", |_, _| {}),
        (1, "record.lift_memory 10", |_, arg| {
            *arg = IValue::I32(1 << 20)
        }),
        (2, "call-core 1", |host, _| {
            let refuse: Function = Box::new(|_, _| Err("refused".into()));
            host.set_function("release_objects", refuse);
        }),
        (3, "call-core 7", |host, _| {
            host.set_import(0, Box::new(|_, _| Err("refused".into())));
        }),
        (4, "record.lower_memory 10", |host, _| {
            host.sdk.allocate_hook = Some(Box::new(|_, _| 0));
        }),
        (5, "call-core 5", |host, _| {
            host.set_function("set_result_ptr", Box::new(|_, _| Err("refused".into())));
        }),
    ];
    for images in [ImportImages::default(), both] {
        for (at, instruction, setup) in cases {
            let (mut host, mut arg) = host(images);
            setup(&mut host, &mut arg);
            let inputs = if at == 0 { vec![] } else { vec![arg] };
            let error = run(&module, &import.program, &inputs, &mut host).unwrap_err();
            assert_eq!(error.instruction_index, at, "{images:?}: {error}");
            assert!(
                error.to_string().starts_with(&format!("`{instruction}`")),
                "{images:?}: {error}"
            );
        }
    }
}

#[test]
fn download_import_adapter_of_facade() {
    let Some(module) = compiled("url-downloader/facade.wasm") else {
        return;
    };
    let slot = module
        .imports()
        .iter()
        .position(|i| i.name == "download")
        .unwrap();
    let import = &module.imports()[slot];
    assert_eq!(import.raw, sig(&[CoreType::I32, CoreType::I32], &[]));
    let mut host = TestHost::new(&module, 1 << 16).import(slot, |_, args| {
        assert_eq!(args, [s("file:///x")]);
        Ok(vec![s("contents")])
    });
    let url = host.sdk.alloc(9);
    host.sdk.write(url, b"file:///x");
    let out = run(
        &module,
        &import.program,
        &[IValue::I32(url.cast_signed()), IValue::I32(9)],
        &mut host,
    )
    .unwrap();
    assert!(out.is_empty());
    // service.md §5.2, the importer's side: release, (the callee), allocate, size, pointer.
    assert_eq!(
        host.log(),
        [
            "release_objects()",
            "import curl_adapter.download",
            "allocate(8, 1) -> 32",
            "set_result_size(8)",
            "set_result_ptr(32)",
        ]
    );
    assert_eq!(host.sdk.read(32, 8), b"contents");
}

#[test]
fn arrays_of_nested_records_cross_an_import_adapter() {
    let Some(module) = compiled("records_passing/records_passing_pure.wasm") else {
        return;
    };
    // DroppableRecordTreeConainer (14) { data: DroppableRecordTree (12) { id: s32 },
    // data2: array (record 12) }.
    const CONTAINER: u64 = 14;
    let tree = |id| IValue::Record(vec![IValue::S32(id)]);
    let container = |id, children: Vec<i32>| {
        IValue::Record(vec![
            tree(id),
            IValue::Array(children.into_iter().map(tree).collect()),
        ])
    };
    let slot = module
        .imports()
        .iter()
        .position(|i| i.name == "pass_droppable_record")
        .unwrap();
    let import = &module.imports()[slot];
    assert_eq!(import.raw, sig(&[CoreType::I32; 3], &[]));
    let argument = container(1, vec![2, 3]);
    let list = IValue::Array(vec![container(4, vec![]), container(5, vec![6])]);
    let expected = [argument.clone(), list.clone()];
    let answer = IValue::Array(vec![container(7, vec![8])]);
    let returned = answer.clone();
    let mut host = TestHost::new(&module, 1 << 16).import(slot, move |_, args| {
        assert_eq!(args, expected);
        Ok(vec![returned.clone()])
    });
    // The importer's glue has put both arguments into its memory.
    let table = module.records().clone();
    let IValue::Record(fields) = &argument else {
        unreachable!()
    };
    let record = lower_record(&mut Internal(&mut host.sdk), CONTAINER, fields, &table).unwrap();
    let (items, count) = strait_it::memory::lower_array(
        &mut Internal(&mut host.sdk),
        &strait_it::IType::Record(CONTAINER),
        &list,
        &table,
    )
    .unwrap();
    let inputs = [record, items, count].map(|v| IValue::I32(v.cast_signed()));
    let out = run(&module, &import.program, &inputs, &mut host).unwrap();
    assert!(out.is_empty());
    let calls: Vec<&str> = host
        .log()
        .into_iter()
        .map(|call| call.split(" -> ").next().unwrap())
        .collect();
    // The outer array first, then each record's children before the record (§6.5).
    assert_eq!(
        calls,
        [
            "release_objects()",
            "import records_passing_effector.pass_droppable_record",
            "allocate(4, 3)",
            "allocate(4, 1)",
            "allocate(4, 3)",
            "allocate(4, 1)",
            "allocate(12, 1)",
            "set_result_size(1)",
            &format!("set_result_ptr({})", host.sdk.result_ptr),
        ]
    );
    let lifted = strait_it::memory::lift_array(
        &host.sdk.memory,
        &strait_it::IType::Record(CONTAINER),
        host.sdk.result_ptr.cast_unsigned(),
        host.sdk.result_size.cast_unsigned(),
        &table,
        &mut LiftBudget::default(),
    )
    .unwrap();
    assert_eq!(IValue::Array(lifted), answer);
}

#[test]
fn record_layouts_match_the_abi() {
    // spec/abi.md §5 lists these sizes "for checking".
    let Some(greeting) = compiled("greeting/greeting.wasm") else {
        return;
    };
    let size = |module: &CompiledModule, name: &str| {
        module
            .records()
            .find(name)
            .map(|(_, layout)| layout.size)
            .unwrap()
    };
    assert_eq!(size(&greeting, "CallParameters"), 44);
    assert_eq!(size(&greeting, "ParticleParameters"), 52);
    assert_eq!(size(&greeting, "SecurityTetraplet"), 32);
    assert_eq!(size(&greeting, "MountedBinaryResult"), 28);
    let records = compiled("records/records_effector.wasm").unwrap();
    assert_eq!(
        records.records().find("TestRecord").map(|(id, _)| id),
        Some(TEST_RECORD)
    );
    assert_eq!(size(&records, "TestRecord"), 59);
    let offsets: Vec<u32> = records
        .records()
        .get(TEST_RECORD)
        .unwrap()
        .fields
        .iter()
        .map(|field| field.offset)
        .collect();
    assert_eq!(offsets, [0, 1, 2, 4, 8, 16, 17, 19, 23, 31, 35, 43, 51]);
}
