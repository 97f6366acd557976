//! Exercises strait-backend and strait-wasmi without std: compile a module, instantiate it
//! with a host function, call through the traits (untyped and typed), with fuel and a
//! memory budget.
//!
//! strait-wasmi's test `no_std_check_module` compiles this file too: it checks that
//! [`ADD_WASM`] is exactly [`ADD_WAT`] (there is no `wat` crate without std) and runs
//! [`run`] with std.

use alloc::sync::Arc;

use strait_backend::{
    AsContextMut, Backend, BackendError, EngineConfig, FuncSig, HostFunc, MemoryBudget,
    StoreConfig, TypedFunc, WASM_PAGE_BYTES, WType, WValue,
};
use strait_wasmi::Wasmi;

/// The check module's text.
#[allow(
    dead_code,
    reason = "read by strait-wasmi's test, which compares it with ADD_WASM"
)]
pub(crate) const ADD_WAT: &str = r#"(module
  (import "host" "double" (func $double (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "add_doubled") (param i32 i32) (result i32)
    (call $double (i32.add (local.get 0) (local.get 1)))))"#;

/// [`ADD_WAT`] as a binary.
#[rustfmt::skip]
pub(crate) const ADD_WASM: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x0f,
    0x01, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x06, 0x64, 0x6f, 0x75, 0x62, 0x6c,
    0x65, 0x00, 0x00, 0x03, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x07, 0x1e, 0x03, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02,
    0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x01, 0x0b, 0x61, 0x64, 0x64, 0x5f,
    0x64, 0x6f, 0x75, 0x62, 0x6c, 0x65, 0x64, 0x00, 0x02, 0x0a, 0x13, 0x02,
    0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x09, 0x00, 0x20, 0x00,
    0x20, 0x01, 0x6a, 0x10, 0x00, 0x0b, 0x00, 0x10, 0x04, 0x6e, 0x61, 0x6d,
    0x65, 0x01, 0x09, 0x01, 0x00, 0x06, 0x64, 0x6f, 0x75, 0x62, 0x6c, 0x65,
];

/// Runs the backend check.
pub(crate) fn run() -> bool {
    matches!(check(), Ok(true))
}

fn check() -> Result<bool, BackendError> {
    let wasmi = Wasmi::new(&EngineConfig::default().with_fuel(true))?;
    let module = wasmi.compile(ADD_WASM)?;
    let budget = Arc::new(MemoryBudget::new(Some(4 * WASM_PAGE_BYTES)));
    let mut store = wasmi.new_store(StoreConfig::default().with_budget(Some(budget.clone())))?;
    let double = HostFunc::<Wasmi>::new(
        "host",
        "double",
        FuncSig::new([WType::I32], [WType::I32]),
        |_, args, results| match (args, results) {
            ([WValue::I32(x)], [out]) => {
                *out = WValue::I32(x.wrapping_mul(2));
                Ok(())
            }
            _ => Err("double takes one i32".into()),
        },
    );
    store.instantiate(&module, &[double])?;

    let add = store.func("add")?;
    let mut out = [WValue::I32(0)];
    store.call(&add, &[WValue::I32(2), WValue::I32(3)], &mut out)?;

    let add_doubled = TypedFunc::<Wasmi, (i32, i32), i32>::from_export(&mut store, "add_doubled")?;
    store.set_fuel(10_000)?;
    let doubled = add_doubled.call(&mut store, (2, 3))?;

    Ok(out == [WValue::I32(5)]
        && doubled == 10
        && store.fuel()? < 10_000
        && budget.used() == WASM_PAGE_BYTES)
}
