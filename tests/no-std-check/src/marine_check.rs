//! Runs real Marine modules on the `strait` runtime without std: Marine's greeting, and the
//! records pair, whose `invoke` calls into the other module with a 13-field record. Their
//! bytes come from the C caller (`shared/artifacts`), as an embedder's would.

use alloc::string::String;
use strait::{IValue, ModuleSettings, Service, ServiceOptions, Wasmi};

/// The values `records_pure.invoke()` returns (what `records_effector.mutate_struct` sets,
/// `shared/golden/records.jsonl`).
fn expected_record() -> IValue {
    IValue::Record(alloc::vec![
        IValue::Boolean(true),
        IValue::S8(1),
        IValue::S16(2),
        IValue::S32(3),
        IValue::S64(4),
        IValue::U8(5),
        IValue::U16(6),
        IValue::U32(7),
        IValue::U64(8),
        IValue::F32(9.0),
        IValue::F64(10.0),
        IValue::String(String::from("field_11")),
        IValue::ByteArray(alloc::vec![19, 55]),
    ])
}

/// Loads and calls greeting; 0 when its answer is right.
pub(crate) fn greeting(bytes: &[u8]) -> u32 {
    let options = ServiceOptions {
        total_memory_limit: Some(10 << 20),
        ..ServiceOptions::default()
    };
    let Ok(mut service) = Service::<Wasmi>::new(options) else {
        return 1;
    };
    if service
        .load_module("greeting", bytes, &ModuleSettings::default())
        .is_err()
    {
        return 2;
    }
    let hi = service.call("greeting", "greeting", &[IValue::String("no_std".into())]);
    match hi.as_deref() {
        Ok([IValue::String(text)]) if text == "Hi, no_std" => 0,
        _ => 3,
    }
}

/// Loads the records pair and calls `invoke`; 0 when the record is right.
pub(crate) fn records(effector: &[u8], pure: &[u8]) -> u32 {
    let Ok(mut service) = Service::<Wasmi>::new(ServiceOptions::default()) else {
        return 1;
    };
    let settings = ModuleSettings::default();
    if service
        .load_module("records_effector", effector, &settings)
        .is_err()
    {
        return 2;
    }
    if service
        .load_module("records_pure", pure, &settings)
        .is_err()
    {
        return 3;
    }
    match service.call("records_pure", "invoke", &[]).as_deref() {
        Ok([record]) if *record == expected_record() => 0,
        _ => 4,
    }
}
