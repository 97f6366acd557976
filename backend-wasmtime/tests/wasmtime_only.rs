//! What only Wasmtime does: wasm backtraces in trap messages, the compiled-module cache.

use strait_backend::{AsContextMut, Backend, EngineConfig, StoreConfig, TrapKind, WValue};
use strait_wasmtime::Wasmtime;

const PANICKY: &str = r#"(module
    (func $rust_panic unreachable)
    (func $inner call $rust_panic)
    (func (export "failing") call $inner))"#;

#[test]
fn traps_carry_the_wasm_backtrace() {
    let wt = Wasmtime::new(&EngineConfig::default()).unwrap();
    let module = wt.compile(&wat::parse_str(PANICKY).unwrap()).unwrap();
    let mut store = wt.new_store(StoreConfig::default()).unwrap();
    store.instantiate(&module, &[]).unwrap();
    let failing = store.func("failing").unwrap();
    for _ in 0..2 {
        let err = store.call(&failing, &[], &mut []).unwrap_err();
        let trap = err.trap().unwrap();
        assert_eq!(trap.kind, TrapKind::Unreachable);
        let bt = trap.backtrace.as_deref().unwrap();
        assert!(
            bt.starts_with("error while executing at wasm backtrace:"),
            "{bt}"
        );
        assert!(bt.contains("!rust_panic"), "{bt}");
        assert!(bt.contains("!inner"), "{bt}");
        let shown = err.to_string();
        assert!(
            shown.starts_with("wasm trap: wasm `unreachable` instruction executed\n"),
            "{shown}"
        );
        assert!(shown.contains("0: "), "{shown}");
    }
}

#[test]
fn a_second_load_comes_from_the_module_cache() {
    let dir = std::env::temp_dir().join(format!("strait-wasmtime-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = EngineConfig::default().with_cache_dir(Some(dir.clone()));
    let wasm = wat::parse_str(
        r#"(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let first = Wasmtime::new(&config).unwrap();
    first.compile(&wasm).unwrap();
    assert_eq!(first.cache_stats(), Some((0, 1)));
    // A new engine with the same settings (a new process, in effect) hits the cache; the
    // counts are those of the directory's cache, which the two engines share.
    let second = Wasmtime::new(&config).unwrap();
    let module = second.compile(&wasm).unwrap();
    assert_eq!(second.cache_stats(), Some((1, 1)));
    let mut store = second.new_store(StoreConfig::default()).unwrap();
    store.instantiate(&module, &[]).unwrap();
    let add = store.func("add").unwrap();
    let mut out = [WValue::I32(0)];
    store
        .call(&add, &[WValue::I32(1), WValue::I32(2)], &mut out)
        .unwrap();
    assert_eq!(out, [WValue::I32(3)]);
    // Other engine settings are another cache key.
    let fueled = Wasmtime::new(&config.clone().with_fuel(true)).unwrap();
    fueled.compile(&wasm).unwrap();
    assert_eq!(fueled.cache_stats(), Some((1, 2)));
    assert_eq!(
        Wasmtime::new(&EngineConfig::default())
            .unwrap()
            .cache_stats(),
        None
    );
    let _ = std::fs::remove_dir_all(&dir);
}
