//! The Winch compiler: what strait uses works (calls of every core type but `externref`, host
//! functions, traps, fuel, deadlines, memory growth, the module cache keyed by compiler), and
//! what Winch lacks is refused with what to do instead.
#![cfg(feature = "winch")]

use std::time::Duration;
use strait_backend::{
    AsContextMut, Backend, BackendError, Compiler, EngineConfig, FuncSig, HostFunc, StoreConfig,
    TrapKind, TypedFunc, WType, WValue,
};
use strait_wasmtime::Wasmtime;

fn winch() -> EngineConfig {
    EngineConfig::default().with_compiler(Compiler::Winch)
}

fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap()
}

const MODULE: &str = r#"(module
    (import "host" "twice" (func $twice (param i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "echo") (param i32 i64 f32 f64 v128 funcref)
        (result i32 i64 f32 f64 v128 funcref)
        local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 local.get 5)
    (func (export "simd") (param i32) (result i32)
        (i32x4.extract_lane 3 (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4))))
    (func (export "via_host") (param i32) (result i32) (call $twice (local.get 0)))
    (func (export "store_load") (param i32 i32) (result i32)
        (i32.store (local.get 0) (local.get 1)) (i32.load (local.get 0)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func $deep (export "deep") (result i32) (i32.add (call $deep) (i32.const 1)))
    (func (export "spin") (loop br 0))
    (func (export "ok") (result i32) i32.const 1))"#;

fn twice() -> HostFunc<Wasmtime> {
    HostFunc::new(
        "host",
        "twice",
        FuncSig::new([WType::I32], [WType::I32]),
        |_, args, results| {
            if let ([WValue::I32(x)], [out]) = (args, results) {
                *out = WValue::I32(x * 2);
            }
            Ok(())
        },
    )
}

fn instance(config: &EngineConfig) -> strait_backend::Store<Wasmtime> {
    let engine = Wasmtime::new(config).unwrap();
    let module = engine.compile(&wasm(MODULE)).unwrap();
    let mut store = engine.new_store(StoreConfig::default()).unwrap();
    store.instantiate(&module, &[twice()]).unwrap();
    store
}

#[test]
fn calls_host_functions_memory_and_traps() {
    let mut s = instance(&winch());
    let echo = s.func("echo").unwrap();
    let args = [
        WValue::I32(-7),
        WValue::I64(i64::MIN),
        WValue::F32(f32::from_bits(0x7fc0_0001)),
        WValue::F64(-0.0),
        WValue::V128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10),
        WValue::NullFuncRef,
    ];
    let mut out = [WValue::I32(0); 6];
    s.call(&echo, &args, &mut out).unwrap();
    assert_eq!(out[..2], args[..2]);
    assert!(matches!(out[2], WValue::F32(f) if f.to_bits() == 0x7fc0_0001));
    assert!(matches!(out[3], WValue::F64(f) if f.to_bits() == (-0.0f64).to_bits()));
    assert_eq!(out[4..], args[4..]);

    let simd = TypedFunc::<Wasmtime, i32, i32>::from_export(&mut s, "simd").unwrap();
    assert_eq!(simd.call(&mut s, 10).unwrap(), 14);
    let via_host = TypedFunc::<Wasmtime, i32, i32>::from_export(&mut s, "via_host").unwrap();
    assert_eq!(via_host.call(&mut s, 21).unwrap(), 42);
    let store_load =
        TypedFunc::<Wasmtime, (i32, i32), i32>::from_export(&mut s, "store_load").unwrap();
    assert_eq!(store_load.call(&mut s, (16, 99)).unwrap(), 99);
    let err = store_load.call(&mut s, (65_534, 1)).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    let grow = TypedFunc::<Wasmtime, i32, i32>::from_export(&mut s, "grow").unwrap();
    assert_eq!(grow.call(&mut s, 1).unwrap(), 1);
    assert_eq!(s.memory_size(), Some(2 * 65_536));
    let div = TypedFunc::<Wasmtime, (i32, i32), i32>::from_export(&mut s, "div").unwrap();
    assert_eq!(
        div.call(&mut s, (1, 0)).unwrap_err().trap_kind(),
        Some(TrapKind::IntegerDivisionByZero)
    );
    let deep = TypedFunc::<Wasmtime, (), i32>::from_export(&mut s, "deep").unwrap();
    assert_eq!(
        deep.call(&mut s, ()).unwrap_err().trap_kind(),
        Some(TrapKind::StackOverflow)
    );
    // The store goes on after each trap.
    let ok = TypedFunc::<Wasmtime, (), i32>::from_export(&mut s, "ok").unwrap();
    assert_eq!(ok.call(&mut s, ()).unwrap(), 1);
}

#[test]
fn fuel_and_deadlines_bound_calls() {
    let mut s = instance(&winch().with_fuel(true));
    let spin = TypedFunc::<Wasmtime, (), ()>::from_export(&mut s, "spin").unwrap();
    let ok = TypedFunc::<Wasmtime, (), i32>::from_export(&mut s, "ok").unwrap();
    s.set_fuel(100_000).unwrap();
    let err = spin.call(&mut s, ()).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::OutOfFuel), "{err}");
    s.set_fuel(1_000).unwrap();
    assert_eq!(ok.call(&mut s, ()).unwrap(), 1);

    let mut s = instance(&winch().with_deadline_tick(Some(Duration::from_millis(1))));
    let spin = TypedFunc::<Wasmtime, (), ()>::from_export(&mut s, "spin").unwrap();
    s.set_deadline(Some(Duration::from_millis(20))).unwrap();
    let err = spin.call(&mut s, ()).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::Interrupted), "{err}");
    s.set_deadline(None).unwrap();
    let ok = TypedFunc::<Wasmtime, (), i32>::from_export(&mut s, "ok").unwrap();
    assert_eq!(ok.call(&mut s, ()).unwrap(), 1);
}

/// Winch has no `externref`: a module using it is refused when compiled, by validation,
/// and Cranelift takes it.
#[test]
fn externref_is_refused() {
    let module = wasm("(module (func (export \"f\") (param externref)))");
    let engine = Wasmtime::new(&winch()).unwrap();
    let err = engine.compile(&module).unwrap_err();
    assert!(matches!(err, BackendError::Compile(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("`externref`") && text.contains("Cranelift"),
        "{text}"
    );
    Wasmtime::new(&EngineConfig::default())
        .unwrap()
        .compile(&module)
        .unwrap();
}

#[test]
fn debug_info_is_refused() {
    let err = Wasmtime::new(&winch().with_debug_info(true)).unwrap_err();
    assert!(matches!(err, BackendError::Unsupported(_)), "{err:?}");
    assert!(err.to_string().contains("Winch"), "{err}");
}

/// The compiler is part of the cache key: Winch's code is never taken for Cranelift's.
#[test]
fn the_cache_is_keyed_by_compiler() {
    let dir = std::env::temp_dir().join(format!("strait-winch-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let module = wasm(MODULE);
    let cranelift = EngineConfig::default().with_cache_dir(dir.clone());
    let engine = Wasmtime::new(&cranelift).unwrap();
    engine.compile(&module).unwrap();
    assert_eq!(engine.cache_stats(), Some((0, 1)));
    let engine = Wasmtime::new(&cranelift.clone().with_compiler(Compiler::Winch)).unwrap();
    engine.compile(&module).unwrap();
    assert_eq!(
        engine.cache_stats(),
        Some((0, 2)),
        "Winch took Cranelift's code"
    );
    let engine = Wasmtime::new(&cranelift.with_compiler(Compiler::Winch)).unwrap();
    let compiled = engine.compile(&module).unwrap();
    assert_eq!(engine.cache_stats(), Some((1, 2)));
    let mut store = engine.new_store(StoreConfig::default()).unwrap();
    store.instantiate(&compiled, &[twice()]).unwrap();
    let simd = TypedFunc::<Wasmtime, i32, i32>::from_export(&mut store, "simd").unwrap();
    assert_eq!(simd.call(&mut store, 1).unwrap(), 5);
    let _ = std::fs::remove_dir_all(&dir);
}
