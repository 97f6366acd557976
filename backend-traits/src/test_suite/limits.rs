//! Memory budget, table accounting, memory access, fuel and deadlines.

use alloc::sync::Arc;
use core::time::Duration;

use alloc::string::ToString;

use super::{engine, instance, instance_with, wasm};
use crate::{
    AsContextMut, Backend, BackendError, EngineConfig, MemoryBudget, StoreConfig, TrapKind,
    TypedFunc, WASM_PAGE_BYTES,
};

const GROWER: &str = r#"(module
    (memory (export "memory") 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) memory.size))"#;

/// One budget for two stores: a growth beyond it returns -1 and is counted, an initial
/// memory beyond it fails instantiation, a dropped store returns its share.
pub fn memory_budget_across_stores<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let budget = Arc::new(MemoryBudget::new(Some(3 * WASM_PAGE_BYTES)));
    let config = StoreConfig::default().with_budget(Some(budget.clone()));
    let mut s1 = instance_with(&b, config.clone(), GROWER, &[]);
    let mut s2 = instance_with(&b, config.clone(), GROWER, &[]);
    assert_eq!(budget.used(), 2 * WASM_PAGE_BYTES);
    let grow1 = TypedFunc::<B, i32, i32>::from_export(&mut s1, "grow").unwrap();
    let grow2 = TypedFunc::<B, i32, i32>::from_export(&mut s2, "grow").unwrap();
    assert_eq!(grow1.call(&mut s1, 1).unwrap(), 1);
    assert_eq!(grow2.call(&mut s2, 1).unwrap(), -1);
    assert_eq!(budget.rejects(), 1);
    assert_eq!(budget.used(), 3 * WASM_PAGE_BYTES);
    assert_eq!(s1.memory_size(), Some(2 * WASM_PAGE_BYTES));
    assert_eq!(s2.memory_size(), Some(WASM_PAGE_BYTES));

    let big = b
        .compile(&wasm(r#"(module (memory (export "memory") 2))"#))
        .unwrap();
    let mut s3 = b.new_store(config.clone()).unwrap();
    let err = s3.instantiate(&big, &[]).unwrap_err();
    assert!(matches!(err, BackendError::Limits(_)), "{}: {err}", B::NAME);
    assert!(
        err.to_string()
            .contains("memory minimum size of 2 pages exceeds memory limits"),
        "{}: {err}",
        B::NAME
    );
    assert_eq!(budget.rejects(), 2);
    budget.reset_rejects();

    drop(s1);
    assert_eq!(budget.used(), WASM_PAGE_BYTES);
    assert_eq!(grow2.call(&mut s2, 1).unwrap(), 1);
    assert_eq!(budget.rejects(), 0);
    assert_eq!(budget.used(), 2 * WASM_PAGE_BYTES);
    drop(s2);
    assert_eq!(budget.used(), 0);
    // The store whose instantiation failed is still usable once memory is free.
    s3.instantiate(&big, &[]).unwrap();
    assert_eq!(budget.used(), 2 * WASM_PAGE_BYTES);
    assert_eq!(s3.memory_size(), Some(2 * WASM_PAGE_BYTES));
    drop(s3);
    assert_eq!(budget.used(), 0);
}

/// Tables are charged 8 bytes per element, at instantiation and on growth.
pub fn table_growth_is_charged<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let budget = Arc::new(MemoryBudget::new(Some(100)));
    let config = StoreConfig::default().with_budget(Some(budget.clone()));
    let mut s = instance_with(
        &b,
        config.clone(),
        r#"(module (table $t 10 funcref)
            (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0))))"#,
        &[],
    );
    assert_eq!(budget.used(), 80);
    let grow = TypedFunc::<B, i32, i32>::from_export(&mut s, "grow").unwrap();
    assert_eq!(grow.call(&mut s, 2).unwrap(), 10);
    assert_eq!(budget.used(), 96);
    assert_eq!(grow.call(&mut s, 1).unwrap(), -1);
    assert_eq!(budget.rejects(), 1);
    let m = b.compile(&wasm("(module (table 20 funcref))")).unwrap();
    let err = b
        .new_store(config)
        .unwrap()
        .instantiate(&m, &[])
        .unwrap_err();
    assert!(matches!(err, BackendError::Limits(_)), "{err}");
    assert!(
        err.to_string()
            .contains("table minimum size of 20 elements"),
        "{err}"
    );
}

/// Memories are read, written and grown through the store.
pub fn memory_read_write_grow<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let budget = Arc::new(MemoryBudget::new(Some(2 * WASM_PAGE_BYTES)));
    let mut s = instance_with(
        &b,
        StoreConfig::default().with_budget(Some(budget.clone())),
        r#"(module (memory (export "memory") 1 3)
            (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#,
        &[],
    );
    let mem = s.memory("memory").unwrap();
    s.memory_data_mut(&mem).unwrap()[8..12].copy_from_slice(&0x0102_0304_i32.to_le_bytes());
    let load = TypedFunc::<B, i32, i32>::from_export(&mut s, "load").unwrap();
    assert_eq!(load.call(&mut s, 8).unwrap(), 0x0102_0304);
    assert_eq!(s.memory_data(&mem).unwrap().len(), WASM_PAGE_BYTES);
    assert_eq!(s.memory_grow(&mem, 1).unwrap(), 1);
    assert_eq!(s.memory_data(&mem).unwrap().len(), 2 * WASM_PAGE_BYTES);
    // Budget full, then beyond the declared maximum: both refused, neither panics.
    assert!(matches!(
        s.memory_grow(&mem, 1),
        Err(BackendError::Limits(_))
    ));
    assert!(matches!(
        s.memory_grow(&mem, 5),
        Err(BackendError::Limits(_))
    ));
    assert_eq!(budget.rejects(), 1);
    s.main_memory().unwrap()[2 * WASM_PAGE_BYTES - 4..].copy_from_slice(&7_i32.to_le_bytes());
    let last = i32::try_from(2 * WASM_PAGE_BYTES - 4).unwrap();
    assert_eq!(load.call(&mut s, last).unwrap(), 7);
    assert!(matches!(
        s.memory("load"),
        Err(BackendError::MissingExport { .. })
    ));
}

const SPIN: &str = r#"(module
    (func (export "spin") (loop $l (br $l)))
    (func (export "ok") (result i32) i32.const 1))"#;

/// Fuel bounds a call on both engines; exhaustion is an `OutOfFuel` trap and a limit; the
/// store goes on once refuelled.
pub fn fuel_bounds_calls<B: Backend>() {
    let b: B = engine(EngineConfig::default().with_fuel(true));
    let mut s = instance(&b, SPIN, &[]);
    let spin = TypedFunc::<B, (), ()>::from_export(&mut s, "spin").unwrap();
    let ok = TypedFunc::<B, (), i32>::from_export(&mut s, "ok").unwrap();
    for _ in 0..2 {
        s.set_fuel(100_000).unwrap();
        let err = spin.call(&mut s, ()).unwrap_err();
        assert_eq!(
            err.trap_kind(),
            Some(TrapKind::OutOfFuel),
            "{}: {err}",
            B::NAME
        );
        assert!(err.is_limit());
        // Spent (wasmi may keep a remainder smaller than its next charge).
        assert!(s.fuel().unwrap() < 1_000);
        s.set_fuel(1_000).unwrap();
        assert_eq!(ok.call(&mut s, ()).unwrap(), 1);
        let left = s.fuel().unwrap();
        assert!(left < 1_000 && left > 0, "{}: fuel left {left}", B::NAME);
    }
}

/// Fuel is an engine-level option: without it, fuel calls are refused and nothing is metered.
pub fn fuel_requires_config<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let mut s = instance(&b, SPIN, &[]);
    assert!(matches!(s.set_fuel(10), Err(BackendError::Unsupported(_))));
    assert!(matches!(s.fuel(), Err(BackendError::Unsupported(_))));
    let ok = TypedFunc::<B, (), i32>::from_export(&mut s, "ok").unwrap();
    assert_eq!(ok.call(&mut s, ()).unwrap(), 1);
}

/// Wasmtime stops a call at its wall-clock deadline (`Interrupted`, a limit) and the store
/// goes on; an engine without deadlines says so.
pub fn deadline_interrupts_or_is_unsupported<B: Backend>() {
    let b: B = engine(EngineConfig::default().with_deadline_tick(Some(Duration::from_millis(1))));
    let mut s = instance(&b, SPIN, &[]);
    match s.set_deadline(Some(Duration::from_millis(30))) {
        Err(BackendError::Unsupported(_)) => return,
        other => other.unwrap(),
    }
    let spin = TypedFunc::<B, (), ()>::from_export(&mut s, "spin").unwrap();
    let ok = TypedFunc::<B, (), i32>::from_export(&mut s, "ok").unwrap();
    for _ in 0..2 {
        s.set_deadline(Some(Duration::from_millis(30))).unwrap();
        let started = std::time::Instant::now();
        let err = spin.call(&mut s, ()).unwrap_err();
        assert_eq!(
            err.trap_kind(),
            Some(TrapKind::Interrupted),
            "{}: {err}",
            B::NAME
        );
        assert!(err.is_limit());
        assert!(started.elapsed() < Duration::from_secs(5));
        // A deadline, like fuel, stays spent until it is set again.
        assert_eq!(
            ok.call(&mut s, ()).unwrap_err().trap_kind(),
            Some(TrapKind::Interrupted)
        );
        s.set_deadline(Some(Duration::from_secs(60))).unwrap();
        assert_eq!(ok.call(&mut s, ()).unwrap(), 1);
    }
    s.set_deadline(None).unwrap();
    assert_eq!(ok.call(&mut s, ()).unwrap(), 1);
    // Without the engine option, deadlines are refused.
    let plain: B = engine(EngineConfig::default());
    let mut s = instance(&plain, SPIN, &[]);
    assert!(matches!(
        s.set_deadline(Some(Duration::from_millis(1))),
        Err(BackendError::Unsupported(_))
    ));
    s.set_deadline(None).unwrap();
}
