//! The bench harness computes what it claims to: the ideal host returns what strait returns
//! for the same calls, the sweep fixtures echo their arguments (loaded from the wasm the Marine
//! harness loads), and the chain crosses its three modules. Every scenario on every engine.

use strait::{Backend, IValue, ModuleSettings, Service, ServiceOptions};
use strait_bench::chain::{CHAIN_FILE, chain_args, chain_body, chain_service, sites_dir};
use strait_bench::fixtures::{
    self, ARRAY_LENGTHS, LEAF_FIELDS, RECORD_LEAVES, record_array_value, record_array_wat,
    record_tree_value, record_tree_wat, to_wasm, tree_shape,
};
use strait_bench::ideal::{HasIdeal, IdealGreeting, IdealRecords};
use strait_bench::{artifact, shared_dir};

fn load<B: Backend>(modules: &[(&str, Vec<u8>)]) -> Service<B> {
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
    for (name, bytes) in modules {
        service
            .load_module(name, bytes, &ModuleSettings::default())
            .expect("load");
    }
    service
}

fn ideal_greeting_matches_strait<B: HasIdeal>() {
    let wasm = artifact("greeting/greeting.wasm").expect("greeting.wasm");
    let mut ideal = B::Greeting::new(&wasm).expect("ideal host");
    let mut service = load::<B>(&[("greeting", wasm)]);
    let long = "é".repeat(40_000);
    for name in ["x", "", "Привет 🌍", long.as_str()] {
        let expected = service
            .call("greeting", "greeting", &[IValue::String(name.into())])
            .expect("strait call");
        // Twice: the ideal host must leave the module ready for the next call.
        for _ in 0..2 {
            let got = ideal.greeting(name).expect("ideal call");
            assert_eq!(expected, [IValue::String(got)], "{}", B::NAME);
        }
    }
}

fn ideal_records_match_strait<B: HasIdeal>() {
    let effector = artifact("records/records_effector.wasm").expect("records_effector.wasm");
    let pure = artifact("records/records_pure.wasm").expect("records_pure.wasm");
    let mut ideal = B::Records::new(&effector, &pure).expect("ideal host");
    let mut service = load::<B>(&[("records_effector", effector), ("records_pure", pure)]);
    let expected = service.call("records_pure", "invoke", &[]).expect("strait");
    for _ in 0..3 {
        let got = ideal.invoke().expect("ideal call");
        assert_eq!(expected, [got.to_ivalue()], "{}", B::NAME);
    }
}

fn record_trees_echo<B: Backend>() {
    for leaves in RECORD_LEAVES {
        let wasm = to_wasm(&record_tree_wat(leaves).expect("wat")).expect("wasm");
        let mut service = load::<B>(&[("echo", wasm)]);
        let value = record_tree_value(leaves).expect("value");
        for _ in 0..2 {
            let result = service
                .call("echo", "echo", std::slice::from_ref(&value))
                .expect("echo");
            assert!(result == [value.clone()], "{leaves} leaves on {}", B::NAME);
        }
    }
}

fn record_arrays_echo<B: Backend>() {
    let wasm = to_wasm(&record_array_wat()).expect("wasm");
    let mut service = load::<B>(&[("echo", wasm)]);
    for len in ARRAY_LENGTHS {
        let value = record_array_value(len);
        let result = service
            .call("echo", "echo_array", std::slice::from_ref(&value))
            .expect("echo_array");
        assert!(result == [value], "{len} records on {}", B::NAME);
    }
}

fn chain_crosses_three_modules<B: Backend>() {
    let artifacts = shared_dir()
        .expect("shared")
        .join("artifacts/url-downloader");
    let sites = sites_dir(B::NAME).expect("sites");
    for len in [16, 70_000] {
        let body = chain_body(len);
        let mut service = chain_service::<B>(&artifacts, &sites, body.clone()).expect("load");
        let result = service
            .call("facade", "get_n_save", &chain_args())
            .expect("get_n_save");
        assert_eq!(result, [IValue::String("Ok".into())], "{}", B::NAME);
        assert_eq!(std::fs::read(sites.join(CHAIN_FILE)).expect("stored"), body);
    }
    let _ = std::fs::remove_dir_all(&sites);
}

#[test]
fn ideal_host_returns_what_strait_returns() {
    strait::each_backend!(ideal_greeting_matches_strait());
    strait::each_backend!(ideal_records_match_strait());
}

#[test]
fn sweep_fixtures_echo_their_arguments() {
    strait::each_backend!(record_trees_echo());
    strait::each_backend!(record_arrays_echo());
}

#[test]
fn the_chain_crosses_three_modules_without_a_process() {
    strait::each_backend!(chain_crosses_three_modules());
}

#[test]
fn tree_shapes() {
    assert_eq!(tree_shape(13), Some((13, 0)));
    assert_eq!(tree_shape(LEAF_FIELDS), Some((LEAF_FIELDS, 0)));
    assert_eq!(tree_shape(65536), Some((LEAF_FIELDS, 5)));
    assert_eq!(tree_shape(0), None);
    assert_eq!(tree_shape(100), None);
    assert_eq!(tree_shape(usize::MAX), None);
    let leaves = |v: &IValue| -> usize {
        fn count(v: &IValue) -> usize {
            match v {
                IValue::Record(fields) => fields.iter().map(count).sum(),
                _ => 1,
            }
        }
        count(v)
    };
    for n in RECORD_LEAVES {
        assert_eq!(leaves(&record_tree_value(n).expect("value")), n);
    }
}

#[test]
fn fingerprints_tell_values_apart() {
    let a = record_array_value(3);
    assert_eq!(fixtures::fingerprint(&a), fixtures::fingerprint(&a.clone()));
    assert_ne!(
        fixtures::fingerprint(&a),
        fixtures::fingerprint(&record_array_value(2))
    );
    assert_ne!(
        fixtures::fingerprint(&IValue::S32(1)),
        fixtures::fingerprint(&IValue::U32(1))
    );
}
