//! Traps: kinds, canonical messages, and the store going on afterwards.

use alloc::string::ToString;

use super::{engine, instance};
use crate::{AsContextMut, Backend, BackendError, EngineConfig, TrapKind, TypedFunc, WValue};

const TRAPS: &str = r#"(module
    (type $unary (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (table 3 funcref)
    (elem (i32.const 1) $other_type)
    (func $other_type (param i64))
    (func (export "unreachable") unreachable)
    (func (export "oob") (result i32) (i32.load (i32.const 65536)))
    (func (export "div0") (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
    (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
    (func (export "bad_conversion") (result i32) (i32.trunc_f32_s (f32.const nan)))
    (func (export "null_call") (result i32) (call_indirect (type $unary) (i32.const 7) (i32.const 0)))
    (func (export "bad_signature") (result i32) (call_indirect (type $unary) (i32.const 7) (i32.const 1)))
    (func (export "table_oob") (result i32) (call_indirect (type $unary) (i32.const 7) (i32.const 9)))
    (func $recurse (export "recurse") (param i32) (result i32)
        (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
    (func (export "ok") (result i32) i32.const 42))"#;

/// Each trap has its kind and the same message on every engine; the store goes on.
pub fn traps_have_kinds<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let mut s = instance(&b, TRAPS, &[]);
    let ok = TypedFunc::<B, (), i32>::from_export(&mut s, "ok").unwrap();
    let cases = [
        ("unreachable", TrapKind::Unreachable),
        ("oob", TrapKind::MemoryOutOfBounds),
        ("div0", TrapKind::IntegerDivisionByZero),
        ("overflow", TrapKind::IntegerOverflow),
        ("bad_conversion", TrapKind::BadConversionToInteger),
        ("null_call", TrapKind::IndirectCallToNull),
        ("bad_signature", TrapKind::BadSignature),
        ("table_oob", TrapKind::TableOutOfBounds),
    ];
    for (name, kind) in cases {
        let f = s.func(name).unwrap();
        let mut out = alloc::vec![WValue::I32(0); f.sig_len()];
        let err = s.call(&f, &[], &mut out).unwrap_err();
        let trap = err
            .trap()
            .unwrap_or_else(|| panic!("{}: {name}: not a trap: {err}", B::NAME));
        assert_eq!(trap.kind, kind, "{}: {name}: {err}", B::NAME);
        assert_eq!(
            trap.message,
            alloc::format!("wasm trap: {}", kind.description())
        );
        assert!(err.to_string().starts_with(&trap.message));
        assert_eq!(
            ok.call(&mut s, ()).unwrap(),
            42,
            "{}: store unusable after {name}",
            B::NAME
        );
    }
    // The typed path reports traps the same way.
    let div0 = TypedFunc::<B, (), i32>::from_export(&mut s, "div0").unwrap();
    assert_eq!(
        div0.call(&mut s, ()).unwrap_err().trap_kind(),
        Some(TrapKind::IntegerDivisionByZero)
    );
}

/// Infinite recursion is a stack-overflow trap, never a crash of the host (D66), on the
/// default 2 MiB test thread, repeatedly, and through the typed path too.
pub fn deep_recursion_traps<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let mut s = instance(&b, TRAPS, &[]);
    let recurse = s.func("recurse").unwrap();
    let typed = TypedFunc::<B, i32, i32>::new(&mut s, &recurse).unwrap();
    for _ in 0..3 {
        let mut out = [WValue::I32(0)];
        let err = s.call(&recurse, &[WValue::I32(0)], &mut out).unwrap_err();
        assert_eq!(
            err.trap_kind(),
            Some(TrapKind::StackOverflow),
            "{}: {err}",
            B::NAME
        );
        assert!(matches!(typed.call(&mut s, 0), Err(BackendError::Trap(_))));
    }
    let ok = TypedFunc::<B, (), i32>::from_export(&mut s, "ok").unwrap();
    assert_eq!(ok.call(&mut s, ()).unwrap(), 42);
}

trait SigLen {
    fn sig_len(&self) -> usize;
}

impl<B: Backend> SigLen for crate::Func<B> {
    fn sig_len(&self) -> usize {
        self.sig().results().len()
    }
}

/// Stack exhaustion in a callee store, reached through a host function from a caller that
/// is itself deep in recursion, is a trap too; both stores go on (D66 across modules).
pub fn deep_recursion_across_stores_traps<B: Backend>() {
    use alloc::boxed::Box;
    use alloc::sync::Arc;

    use crate::{FuncSig, HostError, HostFunc, WType};

    let b: B = engine(EngineConfig::default());
    let callee = Arc::new(spin::Mutex::new(instance(&b, TRAPS, &[])));
    let recurse = TypedFunc::<B, i32, i32>::from_export(&mut *callee.lock(), "recurse").unwrap();
    let cell = callee.clone();
    let into_callee = HostFunc::<B>::new(
        "callee",
        "recurse",
        FuncSig::new([WType::I32], [WType::I32]),
        move |_, args, results| {
            let start = args[0].as_i32().ok_or("i32 expected")?;
            let r = recurse
                .call(&mut *cell.lock(), start)
                .map_err(|e| -> HostError { Box::new(e) })?;
            results[0] = WValue::I32(r);
            Ok(())
        },
    );
    let mut caller = instance(
        &b,
        r#"(module
            (import "callee" "recurse" (func $into (param i32) (result i32)))
            (func $down (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                    (then (call $into (i32.const 0)))
                    (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
            (func (export "ok") (result i32) i32.const 7))"#,
        &[into_callee],
    );
    let down = TypedFunc::<B, i32, i32>::from_export(&mut caller, "down").unwrap();
    for depth in [0, 500] {
        let err = down.call(&mut caller, depth).unwrap_err();
        let inner = err
            .downcast_host_ref::<BackendError>()
            .unwrap_or_else(|| panic!("{err}"));
        assert_eq!(
            inner.trap_kind(),
            Some(TrapKind::StackOverflow),
            "{}: {inner}",
            B::NAME
        );
    }
    let ok = TypedFunc::<B, (), i32>::from_export(&mut caller, "ok").unwrap();
    assert_eq!(ok.call(&mut caller, ()).unwrap(), 7);
    let callee_ok = TypedFunc::<B, (), i32>::from_export(&mut *callee.lock(), "ok").unwrap();
    assert_eq!(callee_ok.call(&mut *callee.lock(), ()).unwrap(), 42);
}
