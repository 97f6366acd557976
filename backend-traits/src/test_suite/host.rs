//! Host functions: the caller's memory and exports, other stores, errors, imports.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use core::fmt;

use alloc::string::ToString;

use super::{engine, instance, wasm};
use crate::{
    AsContextMut, Backend, BackendError, EngineConfig, FuncSig, HostError, HostFunc, Store,
    StoreConfig, TypedFunc, WType, WValue,
};

/// A bump allocator, memory and an entry point that hands a string to the host.
const GREETER: &str = r#"(module
    (import "host" "greet" (func $greet (param i32 i32) (result i32 i32)))
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "allocate") (param $size i32) (result i32)
        global.get $heap
        (global.set $heap (i32.add (global.get $heap) (local.get $size))))
    (func (export "run") (param i32 i32) (result i32 i32)
        (call $greet (local.get 0) (local.get 1))))"#;

fn greet_sig() -> FuncSig {
    FuncSig::new([WType::I32, WType::I32], [WType::I32, WType::I32])
}

fn region(args: &[WValue]) -> Result<(usize, usize), HostError> {
    match args {
        [WValue::I32(p), WValue::I32(l)] => Ok((usize::try_from(*p)?, usize::try_from(*l)?)),
        _ => Err("bad arguments".into()),
    }
}

fn write_string<B: Backend>(store: &mut Store<B>, s: &str) -> [WValue; 2] {
    let alloc = TypedFunc::<B, i32, i32>::from_export(&mut *store, "allocate").unwrap();
    let len = i32::try_from(s.len()).unwrap();
    let ptr = alloc.call(&mut *store, len).unwrap();
    let at = usize::try_from(ptr).unwrap();
    store.main_memory().unwrap()[at..at + s.len()].copy_from_slice(s.as_bytes());
    [WValue::I32(ptr), WValue::I32(len)]
}

fn read_string<B: Backend>(store: &mut Store<B>, region: &[WValue]) -> String {
    let (p, l) = self::region(region).unwrap();
    String::from_utf8(store.main_memory().unwrap()[p..p + l].to_vec()).unwrap()
}

/// A host function reads a string out of the caller's memory and writes a new one into it
/// at a place the caller's own `allocate` gives, found by name.
pub fn host_reads_and_writes_caller_memory<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let greet = HostFunc::<B>::new("host", "greet", greet_sig(), |caller, args, results| {
        let (p, l) = region(args)?;
        let name = String::from_utf8(caller.main_memory()?[p..p + l].to_vec())?;
        let reply = format!("Hello, {name}!");
        let alloc = caller.func("allocate")?;
        let mut ptr = [WValue::I32(0)];
        caller.call(
            &alloc,
            &[WValue::I32(i32::try_from(reply.len())?)],
            &mut ptr,
        )?;
        let at = usize::try_from(ptr[0].as_i32().ok_or("allocate returned no i32")?)?;
        caller.main_memory()?[at..at + reply.len()].copy_from_slice(reply.as_bytes());
        results[0] = ptr[0];
        results[1] = WValue::I32(i32::try_from(reply.len())?);
        Ok(())
    });
    let mut s = instance(&b, GREETER, &[greet]);
    let run = s.func("run").unwrap();
    for name in ["World", "", "ünïcødé"] {
        let arg = write_string::<B>(&mut s, name);
        let mut out = [WValue::I32(0); 2];
        s.call(&run, &arg, &mut out).unwrap();
        assert_eq!(read_string::<B>(&mut s, &out), format!("Hello, {name}!"));
    }
}

/// A host function created before instantiation calls back into its own instance through
/// handles resolved once afterwards (a once-cell), on the typed fast path.
pub fn host_calls_back_into_caller<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let alloc_cell: Arc<spin::Once<TypedFunc<B, i32, i32>>> = Arc::new(spin::Once::new());
    let cell = alloc_cell.clone();
    let greet = HostFunc::<B>::new(
        "host",
        "greet",
        greet_sig(),
        move |caller, args, results| {
            let (p, l) = region(args)?;
            let alloc = cell.get().ok_or("allocate not resolved yet")?;
            let ptr = alloc.call(&mut *caller, i32::try_from(l * 2)?)?;
            let at = usize::try_from(ptr)?;
            let mem = caller.main_memory()?;
            mem.copy_within(p..p + l, at);
            mem.copy_within(p..p + l, at + l);
            results[0] = WValue::I32(ptr);
            results[1] = WValue::I32(i32::try_from(l * 2)?);
            Ok(())
        },
    );
    let mut s = instance(&b, GREETER, &[greet]);
    let run = s.func("run").unwrap();
    let arg = write_string::<B>(&mut s, "ab");
    let mut out = [WValue::I32(0); 2];
    // Before the cell is filled the host function fails, and says why.
    let err = s.call(&run, &arg, &mut out).unwrap_err();
    assert_eq!(err.to_string(), "allocate not resolved yet");
    alloc_cell.call_once(|| TypedFunc::from_export(&mut s, "allocate").unwrap());
    s.call(&run, &arg, &mut out).unwrap();
    assert_eq!(read_string::<B>(&mut s, &out), "abab");
}

const CALLEE: &str = r#"(module
    (import "c" "inc" (func $inc (param i32) (result i32)))
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 64))
    (func (export "allocate") (param $size i32) (result i32)
        global.get $heap
        (global.set $heap (i32.add (global.get $heap) (local.get $size))))
    (func (export "sum") (param $p i32) (param $l i32) (result i32)
        (local $acc i32)
        (block $done (loop $next
            (br_if $done (i32.eqz (local.get $l)))
            (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $l (i32.sub (local.get $l) (i32.const 1)))
            (br $next)))
        local.get $acc)
    (func (export "double_inc") (param i32) (result i32)
        (call $inc (i32.mul (local.get 0) (i32.const 2)))))"#;

const CALLER: &str = r#"(module
    (import "b" "double_inc" (func $double_inc (param i32) (result i32)))
    (import "b" "sum_of" (func $sum_of (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "\01\02\03\04\05")
    (func (export "run") (param i32) (result i32) (call $double_inc (local.get 0)))
    (func (export "sum_here") (result i32) (call $sum_of (i32.const 16) (i32.const 5))))"#;

/// A cross-module call chain A → B → C: each import is a host function that locks the
/// callee's store and calls its exports; A's memory is copied into B's memory (B's own
/// `allocate`) while A's caller context is borrowed.
pub fn host_calls_into_other_stores<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let c = Arc::new(spin::Mutex::new(instance(
        &b,
        r#"(module (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
        &[],
    )));
    let c_inc = TypedFunc::<B, i32, i32>::from_export(&mut *c.lock(), "inc").unwrap();
    let c_cell = c.clone();
    let inc = HostFunc::<B>::new(
        "c",
        "inc",
        FuncSig::new([WType::I32], [WType::I32]),
        move |_, args, results| {
            let x = args[0].as_i32().ok_or("i32 expected")?;
            results[0] = WValue::I32(c_inc.call(&mut *c_cell.lock(), x)?);
            Ok(())
        },
    );
    let callee = Arc::new(spin::Mutex::new(instance(&b, CALLEE, &[inc])));
    let (double_inc, alloc, sum) = {
        let mut s = callee.lock();
        (
            s.func("double_inc").unwrap(),
            TypedFunc::<B, i32, i32>::from_export(&mut *s, "allocate").unwrap(),
            TypedFunc::<B, (i32, i32), i32>::from_export(&mut *s, "sum").unwrap(),
        )
    };
    let cell = callee.clone();
    let forward = HostFunc::<B>::new(
        "b",
        "double_inc",
        FuncSig::new([WType::I32], [WType::I32]),
        move |_, args, results| {
            cell.lock()
                .call(&double_inc, args, results)
                .map_err(Into::into)
        },
    );
    let cell = callee.clone();
    let sum_of = HostFunc::<B>::new(
        "b",
        "sum_of",
        FuncSig::new([WType::I32, WType::I32], [WType::I32]),
        move |caller, args, results| {
            let (p, l) = region(args)?;
            let from = caller.main_memory()?;
            let mut callee = cell.lock();
            let ptr = alloc.call(&mut *callee, i32::try_from(l)?)?;
            let at = usize::try_from(ptr)?;
            callee.main_memory()?[at..at + l].copy_from_slice(&from[p..p + l]);
            results[0] = WValue::I32(sum.call(&mut *callee, (ptr, i32::try_from(l)?))?);
            Ok(())
        },
    );
    let mut a = instance(&b, CALLER, &[forward, sum_of]);
    let run = TypedFunc::<B, i32, i32>::from_export(&mut a, "run").unwrap();
    assert_eq!(run.call(&mut a, 20).unwrap(), 41);
    let sum_here = TypedFunc::<B, (), i32>::from_export(&mut a, "sum_here").unwrap();
    assert_eq!(sum_here.call(&mut a, ()).unwrap(), 15);
    assert_eq!(sum_here.call(&mut a, ()).unwrap(), 15);
}

#[derive(Debug, PartialEq, Eq)]
struct Boom(u32);

impl fmt::Display for Boom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "boom {}", self.0)
    }
}

impl core::error::Error for Boom {}

/// A host error comes back to the caller of `call` unchanged and downcastable, also through
/// a nested cross-module call; the stores stay usable.
pub fn host_errors_come_back_intact<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let wat = r#"(module
        (import "env" "f" (func $f (param i32) (result i32)))
        (func (export "run") (param i32) (result i32) (call $f (local.get 0)))
        (func (export "ok") (result i32) i32.const 1))"#;
    let fail = HostFunc::<B>::new(
        "env",
        "f",
        FuncSig::new([WType::I32], [WType::I32]),
        |_, args, results| match args[0] {
            WValue::I32(0) => Err(Box::new(Boom(7))),
            v => {
                results[0] = v;
                Ok(())
            }
        },
    );
    let inner = Arc::new(spin::Mutex::new(instance(&b, wat, &[fail])));
    let inner_run = inner.lock().func("run").unwrap();
    let mut out = [WValue::I32(0)];
    let err = inner
        .lock()
        .call(&inner_run, &[WValue::I32(0)], &mut out)
        .unwrap_err();
    assert_eq!(err.to_string(), "boom 7");
    assert_eq!(err.downcast_host_ref::<Boom>(), Some(&Boom(7)));
    inner
        .lock()
        .call(&inner_run, &[WValue::I32(5)], &mut out)
        .unwrap();
    assert_eq!(out, [WValue::I32(5)]);

    let cell = inner.clone();
    let forward = HostFunc::<B>::new(
        "env",
        "f",
        FuncSig::new([WType::I32], [WType::I32]),
        move |_, args, results| {
            cell.lock()
                .call(&inner_run, args, results)
                .map_err(|e| -> HostError { Box::new(e) })
        },
    );
    let mut outer = instance(&b, wat, &[forward]);
    let run = outer.func("run").unwrap();
    let err = outer.call(&run, &[WValue::I32(0)], &mut out).unwrap_err();
    let nested = err.downcast_host::<BackendError>().unwrap();
    assert_eq!(nested.downcast_host_ref::<Boom>(), Some(&Boom(7)));
    outer.call(&run, &[WValue::I32(3)], &mut out).unwrap();
    assert_eq!(out, [WValue::I32(3)]);
}

/// A host function that leaves a result of the wrong type fails the call; nothing panics.
pub fn host_result_type_is_checked<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let wrong = HostFunc::<B>::new(
        "env",
        "f",
        FuncSig::new([], [WType::I32]),
        |_, _, results| {
            results[0] = WValue::I64(1);
            Ok(())
        },
    );
    let mut s = instance(
        &b,
        r#"(module (import "env" "f" (func $f (result i32))) (func (export "run") (result i32) call $f))"#,
        &[wrong],
    );
    let run = s.func("run").unwrap();
    let mut out = [WValue::I32(0)];
    assert!(matches!(
        s.call(&run, &[], &mut out),
        Err(BackendError::TypeMismatch(_))
    ));
}

/// A missing import names `ns::name`; a host function of another type is refused.
pub fn unknown_and_mismatched_imports<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let m = b
        .compile(&wasm(
            r#"(module (import "env" "missing" (func (param i32))) (func (export "f")))"#,
        ))
        .unwrap();
    let mut s = b.new_store(StoreConfig::default()).unwrap();
    let err = s.instantiate(&m, &[]).unwrap_err();
    assert!(matches!(err, BackendError::UnknownImport { .. }));
    assert_eq!(
        err.to_string(),
        "unknown import: `env::missing` has not been defined"
    );

    let other_type = HostFunc::<B>::new(
        "env",
        "missing",
        FuncSig::new([WType::I64], []),
        |_, _, _| Ok(()),
    );
    let err = s
        .instantiate(&m, core::slice::from_ref(&other_type))
        .unwrap_err();
    assert!(matches!(err, BackendError::ImportType { .. }), "{err}");
    assert!(err.to_string().contains("`env::missing`"), "{err}");

    let twice = [other_type.clone(), other_type];
    assert!(s.instantiate(&m, &twice).is_err());

    let memory_import = b
        .compile(&wasm(r#"(module (import "env" "mem" (memory 1)))"#))
        .unwrap();
    let err = s.instantiate(&memory_import, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown import: `env::mem` has not been defined"
    );

    // Unused host functions are fine, and the failed attempts left the store empty.
    let right = HostFunc::<B>::new(
        "env",
        "missing",
        FuncSig::new([WType::I32], []),
        |_, _, _| Ok(()),
    );
    let unused = HostFunc::<B>::new("env", "unused", FuncSig::new([], []), |_, _, _| Ok(()));
    s.instantiate(&m, &[right, unused]).unwrap();
    let f = s.func("f").unwrap();
    s.call(&f, &[], &mut []).unwrap();
}

/// Exports and host functions just inside (eight `i32`) and just outside (nine `i32`, or a
/// non-`i32` parameter) the engines' typed fast paths behave the same, errors included.
pub fn fast_and_general_paths_agree<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let sum = |args: &[WValue]| args.iter().filter_map(WValue::as_i32).sum::<i32>();
    let host = |name: &str, params: usize| {
        HostFunc::<B>::new(
            "env",
            name,
            FuncSig::new(alloc::vec![WType::I32; params], [WType::I32]),
            move |_, args, results| {
                let s = sum(args);
                if s < 0 {
                    return Err(Box::new(Boom(7)));
                }
                results[0] = WValue::I32(s);
                Ok(())
            },
        )
    };
    let mixed = HostFunc::<B>::new(
        "env",
        "mixed",
        FuncSig::new([WType::I32, WType::I64], [WType::I64]),
        |_, args, results| match args {
            [WValue::I32(a), WValue::I64(b)] => {
                results[0] = WValue::I64(i64::from(*a) + b);
                Ok(())
            }
            _ => Err("bad arguments".into()),
        },
    );
    let mut s = instance(
        &b,
        r#"(module
            (import "env" "h8" (func $h8 (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
            (import "env" "h9" (func $h9 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
            (import "env" "mixed" (func $mixed (param i32 i64) (result i64)))
            (func (export "e8") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
                (call $h8 (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                          (local.get 4) (local.get 5) (local.get 6) (local.get 7)))
            (func (export "e9") (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
                (call $h9 (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                          (local.get 4) (local.get 5) (local.get 6) (local.get 7) (local.get 8)))
            (func (export "m") (param i32 i64) (result i64) (call $mixed (local.get 0) (local.get 1)))
            (func (export "f32") (param f32) (result f32) (f32.neg (local.get 0))))"#,
        &[host("h8", 8), host("h9", 9), mixed],
    );
    for (name, n) in [("e8", 8), ("e9", 9)] {
        let f = s.func(name).unwrap();
        let args: vec::Vec<_> = (1..=n).map(WValue::I32).collect();
        let mut out = [WValue::I32(0)];
        s.call(&f, &args, &mut out).unwrap();
        assert_eq!(out, [WValue::I32(n * (n + 1) / 2)], "{}: {name}", B::NAME);
        let mut negative = args.clone();
        negative[0] = WValue::I32(-1000);
        let err = s.call(&f, &negative, &mut out).unwrap_err();
        assert_eq!(
            err.downcast_host_ref::<Boom>(),
            Some(&Boom(7)),
            "{}: {name}",
            B::NAME
        );
        assert!(matches!(
            s.call(&f, &args[1..], &mut out),
            Err(BackendError::TypeMismatch(_))
        ));
    }
    let m = s.func("m").unwrap();
    let mut out = [WValue::I64(0)];
    s.call(&m, &[WValue::I32(2), WValue::I64(1 << 40)], &mut out)
        .unwrap();
    assert_eq!(out, [WValue::I64((1 << 40) + 2)]);
    let f = s.func("f32").unwrap();
    let mut out = [WValue::F32(0.0)];
    s.call(&f, &[WValue::F32(1.5)], &mut out).unwrap();
    assert_eq!(out, [WValue::F32(-1.5)]);
}

/// Typed host functions ([`HostFunc::wrap`]) of fast-path and of other shapes give the
/// same results as untyped ones, their errors come back intact, and their signature is
/// checked against the import like any other host function's.
pub fn typed_host_functions<B: Backend>() {
    const WAT: &str = r#"(module
        (import "env" "add" (func $add (param i32 i32) (result i32)))
        (import "env" "widen" (func $widen (param i64 f64) (result i64)))
        (import "env" "note" (func $note (param i32)))
        (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
        (func (export "widen") (param i64 f64) (result i64) (call $widen (local.get 0) (local.get 1)))
        (func (export "note") (param i32) (call $note (local.get 0))))"#;
    let b: B = engine(EngineConfig::default());
    let noted = Arc::new(core::sync::atomic::AtomicI32::new(0));
    let seen = noted.clone();
    let funcs = [
        HostFunc::<B>::wrap("env", "add", |_caller, (a, b): (i32, i32)| {
            a.checked_add(b)
                .ok_or_else(|| HostError::from("add: overflow"))
        }),
        HostFunc::<B>::wrap("env", "widen", |_caller, (a, f): (i64, f64)| {
            Ok(a * 2 + i64::from(f.to_bits() == 2.5_f64.to_bits()))
        }),
        HostFunc::<B>::wrap("env", "note", move |_caller, x: i32| {
            seen.store(x, core::sync::atomic::Ordering::SeqCst);
            Ok(())
        }),
    ];
    assert_eq!(funcs[0].sig(), &FuncSig::new([WType::I32; 2], [WType::I32]));
    let mut s = instance(&b, WAT, &funcs);
    let add = TypedFunc::<B, (i32, i32), i32>::from_export(&mut s, "add").unwrap();
    assert_eq!(add.call(&mut s, (40, 2)).unwrap(), 42);
    let err = add.call(&mut s, (i32::MAX, 1)).unwrap_err();
    assert_eq!(
        err.host_error().map(ToString::to_string).as_deref(),
        Some("add: overflow")
    );
    // The store is still usable after the host error.
    assert_eq!(add.call(&mut s, (1, 2)).unwrap(), 3);
    let widen = TypedFunc::<B, (i64, f64), i64>::from_export(&mut s, "widen").unwrap();
    assert_eq!(widen.call(&mut s, (20, 2.5)).unwrap(), 41);
    let note = s.func("note").unwrap();
    s.call(&note, &[WValue::I32(7)], &mut []).unwrap();
    assert_eq!(noted.load(core::sync::atomic::Ordering::SeqCst), 7);

    // A typed host function of the wrong type is refused at instantiation, by name.
    let wrong = [HostFunc::<B>::wrap("env", "add", |_caller, a: i64| Ok(a))];
    let module = b.compile(&wasm(WAT)).unwrap();
    let mut store = b.new_store(StoreConfig::default()).unwrap();
    match store.instantiate(&module, &wrong) {
        Err(BackendError::ImportType {
            namespace, name, ..
        }) => {
            assert_eq!((namespace.as_str(), name.as_str()), ("env", "add"));
        }
        other => panic!("expected an import type error, got {other:?}"),
    }
}
