//! Compilation, module info and calls.

use alloc::vec;

use super::{engine, instance, wasm};
use crate::{
    AsContextMut, Backend, BackendError, EngineConfig, ExternDesc, Func, FuncSig, Memory, Module,
    Store, StoreConfig, TypedFunc, WType, WValue,
};

/// Invalid binaries and ill-typed modules are `Compile` errors, never panics.
pub fn compile_errors<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    for bytes in [
        &b"not wasm"[..],
        b"\0asm\x01\0\0\0\x01",
        b"",
        b"\0asm\x02\0\0\0",
    ] {
        match b.compile(bytes) {
            Err(BackendError::Compile(msg)) => assert!(!msg.is_empty()),
            other => panic!(
                "{}: {bytes:?}: expected Compile, got {:?}",
                B::NAME,
                other.err()
            ),
        }
    }
    let ill_typed = wasm("(module (func (result i32) i64.const 1))");
    assert!(matches!(
        b.compile(&ill_typed),
        Err(BackendError::Compile(_))
    ));
    assert!(b.compile(&wasm("(module)")).is_ok());
}

/// Both engines accept exactly the same proposals.
pub fn proposals_accepted_alike<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let accepted = [
        (
            "multi-value",
            "(module (func (result i32 i64) i32.const 1 i64.const 2))",
        ),
        (
            "bulk-memory",
            "(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))))",
        ),
        (
            "sign-ext",
            "(module (func (result i32) (i32.extend8_s (i32.const 255))))",
        ),
        (
            "mutable-globals",
            "(module (global (export \"g\") (mut i32) (i32.const 0)))",
        ),
        (
            "sat-float-to-int",
            "(module (func (result i32) (i32.trunc_sat_f32_s (f32.const 1e30))))",
        ),
        (
            "reference-types",
            "(module (table 1 externref) (func (result externref) ref.null extern))",
        ),
        (
            "simd",
            "(module (func (result v128) (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 1 1 1 1))))",
        ),
    ];
    for (name, wat) in accepted {
        if let Err(e) = b.compile(&wasm(wat)) {
            panic!("{}: {name} must be accepted: {e}", B::NAME);
        }
    }
    let rejected = [
        ("tail-call", "(module (func $f return_call $f))"),
        ("threads", "(module (memory 1 1 shared))"),
        ("multi-memory", "(module (memory 1) (memory 1))"),
        ("memory64", "(module (memory i64 1))"),
        (
            "extended-const",
            "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
        ),
        ("exceptions", "(module (tag $t) (func throw $t))"),
        ("gc", "(module (type (struct)))"),
        (
            "function-references",
            "(module (type $t (func)) (func (param (ref $t))))",
        ),
        (
            "relaxed-simd",
            "(module (func (param v128 v128) (result v128) local.get 0 local.get 1 i8x16.relaxed_swizzle))",
        ),
        (
            "wide-arithmetic",
            "(module (func (param i64 i64 i64 i64) (result i64 i64) local.get 0 local.get 1 local.get 2 local.get 3 i64.add128))",
        ),
        ("custom-page-sizes", "(module (memory 1 (pagesize 1)))"),
    ];
    for (name, wat) in rejected {
        match b.compile(&wasm(wat)) {
            Err(BackendError::Compile(_)) => {}
            other => panic!(
                "{}: {name} must be rejected, got {:?}",
                B::NAME,
                other.err()
            ),
        }
    }
}

/// Imports and exports are listed with their types.
pub fn module_info_lists_imports_and_exports<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let m = b
        .compile(&wasm(
            r#"(module
                (import "env" "log" (func (param i32 i64) (result f32)))
                (memory (export "memory") 2 10)
                (table (export "table") 3 funcref)
                (global (export "g") (mut i64) (i64.const 0))
                (func (export "f") (param v128) (result i32 f64) i32.const 0 f64.const 0))"#,
        ))
        .unwrap();
    let info = m.info();
    assert_eq!(info.imports().len(), 1);
    assert_eq!(info.imports()[0].namespace, "env");
    assert_eq!(info.imports()[0].name, "log");
    assert_eq!(
        info.imports()[0].ty,
        ExternDesc::Func(FuncSig::new([WType::I32, WType::I64], [WType::F32]))
    );
    let names: vec::Vec<_> = info.exports().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["f", "g", "memory", "table"],
        "sorted by name on every engine"
    );
    assert_eq!(
        info.exports()[2].ty,
        ExternDesc::Memory {
            min: 2,
            max: Some(10)
        }
    );
    assert_eq!(
        info.exports()[3].ty,
        ExternDesc::Table {
            element: WType::FuncRef,
            min: 3,
            max: None
        }
    );
    assert_eq!(
        info.exports()[1].ty,
        ExternDesc::Global {
            ty: WType::I64,
            mutable: true
        }
    );
    assert_eq!(
        info.export_func("f").unwrap(),
        &FuncSig::new([WType::V128], [WType::I32, WType::F64])
    );
    assert!(info.export_func("memory").is_err());
}

const EVERY_TYPE: &str = r#"(module
    (func (export "echo")
        (param i32 i64 f32 f64 v128 funcref externref)
        (result i32 i64 f32 f64 v128 funcref externref)
        local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 local.get 5 local.get 6)
    (func (export "swap") (param i32 i64) (result i64 i32) local.get 1 local.get 0)
    (func (export "nothing"))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "neg") (param f64) (result f64) (f64.neg (local.get 0))))"#;

/// Every core type crosses in both directions, multi-value included, NaN bits preserved.
pub fn calls_with_every_core_type<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let mut s = instance(&b, EVERY_TYPE, &[]);
    let echo = s.func("echo").unwrap();
    assert_eq!(echo.sig().params().len(), 7);
    let args = [
        WValue::I32(-7),
        WValue::I64(i64::MIN),
        WValue::F32(f32::from_bits(0x7fc0_0001)),
        WValue::F64(-0.0),
        WValue::V128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10),
        WValue::NullFuncRef,
        WValue::NullExternRef,
    ];
    let mut out = echo
        .sig()
        .results()
        .iter()
        .map(|t| t.zero())
        .collect::<vec::Vec<_>>();
    s.call(&echo, &args, &mut out).unwrap();
    for (a, o) in args.iter().zip(&out) {
        assert!(a.bits_eq(o), "{}: {a} came back as {o}", B::NAME);
    }

    let swap = s.func("swap").unwrap();
    let mut out = [WValue::I32(0); 2];
    s.call(&swap, &[WValue::I32(1), WValue::I64(2)], &mut out)
        .unwrap();
    assert_eq!(out, [WValue::I64(2), WValue::I32(1)]);

    let nothing = s.func("nothing").unwrap();
    s.call(&nothing, &[], &mut []).unwrap();

    let neg = s.func("neg").unwrap();
    let mut out = [WValue::F64(0.0)];
    s.call(&neg, &[WValue::F64(1.5)], &mut out).unwrap();
    assert_eq!(out, [WValue::F64(-1.5)]);
}

/// Wrong argument types or counts and wrong result buffers are errors; the store goes on.
pub fn calls_with_wrong_arguments_fail_cleanly<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let mut s = instance(&b, EVERY_TYPE, &[]);
    let add = s.func("add").unwrap();
    let mut out = [WValue::I32(0)];
    for args in [
        &[WValue::I32(1)][..],
        &[WValue::I32(1), WValue::I64(2)],
        &[],
    ] {
        match s.call(&add, args, &mut out) {
            Err(BackendError::TypeMismatch(_)) => {}
            other => panic!("{}: expected TypeMismatch, got {other:?}", B::NAME),
        }
    }
    assert!(matches!(
        s.call(&add, &[WValue::I32(1), WValue::I32(2)], &mut []),
        Err(BackendError::TypeMismatch(_))
    ));
    assert!(matches!(
        s.func("missing"),
        Err(BackendError::MissingExport { .. })
    ));
    s.call(&add, &[WValue::I32(40), WValue::I32(2)], &mut out)
        .unwrap();
    assert_eq!(out, [WValue::I32(42)]);
}

/// The typed fast path: the Marine ABI shapes, and a mismatch is an error.
pub fn typed_calls<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let mut s = instance(
        &b,
        r#"(module
            (global $g (mut i32) (i32.const 0))
            (func (export "alloc") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
            (func (export "set") (param i32) (global.set $g (local.get 0)))
            (func (export "get") (result i32) global.get $g)
            (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
            (func (export "set2") (param i32 i32) (global.set $g (i32.mul (local.get 0) (local.get 1))))
            (func (export "clear") (global.set $g (i32.const 0))))"#,
        &[],
    );
    let alloc = TypedFunc::<B, (i32, i32), i32>::from_export(&mut s, "alloc").unwrap();
    let set = TypedFunc::<B, i32, ()>::from_export(&mut s, "set").unwrap();
    let get = TypedFunc::<B, (), i32>::from_export(&mut s, "get").unwrap();
    let inc = TypedFunc::<B, i32, i32>::from_export(&mut s, "inc").unwrap();
    let set2 = TypedFunc::<B, (i32, i32), ()>::from_export(&mut s, "set2").unwrap();
    let clear = TypedFunc::<B, (), ()>::from_export(&mut s, "clear").unwrap();
    assert_eq!(alloc.call(&mut s, (40, 2)).unwrap(), 42);
    set.call(&mut s, 7).unwrap();
    assert_eq!(get.call(&mut s, ()).unwrap(), 7);
    assert_eq!(inc.call(&mut s, 7).unwrap(), 8);
    set2.call(&mut s, (3, 5)).unwrap();
    assert_eq!(get.clone().call(&mut s, ()).unwrap(), 15);
    clear.call(&mut s, ()).unwrap();
    assert_eq!(get.call(&mut s, ()).unwrap(), 0);
    let f = s.func("alloc").unwrap();
    assert!(matches!(
        TypedFunc::<B, i32, i32>::new(&mut s, &f),
        Err(BackendError::TypeMismatch(_))
    ));
    assert!(matches!(
        TypedFunc::<B, (i32, i32), ()>::new(&mut s, &f),
        Err(BackendError::TypeMismatch(_))
    ));
}

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send<T: Send>() {}

/// Stores, modules and handles can move between threads; a handle of one store used
/// with another is an error, not a panic.
pub fn handles_are_send_and_checked<B: Backend>() {
    assert_send_sync::<B>();
    assert_send_sync::<Module<B>>();
    assert_send_sync::<Func<B>>();
    assert_send_sync::<Memory<B>>();
    assert_send_sync::<TypedFunc<B, (i32, i32), i32>>();
    assert_send::<Store<B>>();
    assert_send_sync::<spin::Mutex<Store<B>>>();

    let b: B = engine(EngineConfig::default());
    let wat = r#"(module (memory (export "memory") 1)
        (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#;
    let mut s1 = instance(&b, wat, &[]);
    let mut s2 = instance(&b, wat, &[]);
    let f1 = s1.func("add").unwrap();
    let m1 = s1.memory("memory").unwrap();
    let mut out = [WValue::I32(0)];
    let args = [WValue::I32(1), WValue::I32(2)];
    assert!(matches!(
        s2.call(&f1, &args, &mut out),
        Err(BackendError::ForeignHandle)
    ));
    assert!(matches!(
        s2.memory_data(&m1),
        Err(BackendError::ForeignHandle)
    ));
    assert!(matches!(
        TypedFunc::<B, (i32, i32), i32>::new(&mut s2, &f1),
        Err(BackendError::ForeignHandle)
    ));
    let t1 = TypedFunc::<B, (i32, i32), i32>::new(&mut s1, &f1).unwrap();
    assert!(matches!(
        t1.call(&mut s2, (1, 2)),
        Err(BackendError::ForeignHandle)
    ));
    assert_eq!(t1.call(&mut s1, (1, 2)).unwrap(), 3);

    // A store moves to another thread and works there.
    let handle = std::thread::spawn(move || {
        let mut out = [WValue::I32(0)];
        s1.call(&f1, &[WValue::I32(2), WValue::I32(3)], &mut out)
            .map(|()| out[0])
    });
    assert_eq!(handle.join().unwrap().unwrap(), WValue::I32(5));
}

/// Calls before instantiation and a second instantiation are errors.
pub fn instance_lifecycle_errors<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let m = b.compile(&wasm(r#"(module (func (export "f")))"#)).unwrap();
    let mut s = b.new_store(StoreConfig::default()).unwrap();
    assert!(!s.is_instantiated());
    assert!(matches!(s.func("f"), Err(BackendError::Instance(_))));
    assert!(s.main_memory().is_err());
    assert_eq!(s.memory_size(), None);
    s.instantiate(&m, &[]).unwrap();
    assert!(s.is_instantiated());
    assert!(matches!(
        s.instantiate(&m, &[]),
        Err(BackendError::Instance(_))
    ));
    let f = s.func("f").unwrap();
    s.call(&f, &[], &mut []).unwrap();
    assert!(matches!(
        s.main_memory(),
        Err(BackendError::MissingExport { .. })
    ));
}
