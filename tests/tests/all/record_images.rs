//! Records crossing between modules as images (`strait_it::memory::RecordImage`) behave as
//! records crossing as values: the same results, the same errors, a service that keeps
//! working. `record_caller.wat`'s `pass` reaches `record_echo.wat`'s `echo` through the
//! toolchain's import adapter, where images are used; `pass_plain` reaches the same function
//! (as `echo2`) through an adapter that keeps its records as values.

use super::repo;
use strait::{Backend, IValue, ModuleSettings, Service, ServiceOptions};

fn service<B: Backend>() -> Service<B> {
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
    for name in ["record_echo", "record_caller"] {
        let wat =
            std::fs::read(repo().join(format!("tests/fixtures/{name}.wat"))).expect("fixture");
        service
            .load_module(name, &wat, &ModuleSettings::default())
            .expect("load");
    }
    service
}

/// `R { flag, text, data, n }`.
fn record(flag: bool, text: &str, data: &[u8], n: i32) -> IValue {
    IValue::Record(vec![
        IValue::Boolean(flag),
        IValue::String(text.into()),
        IValue::ByteArray(data.to_vec()),
        IValue::S32(n),
    ])
}

/// The outcome of `function(arg)`, errors as text with `pass_plain`'s names and function
/// indices made `pass`'s.
fn outcome<B: Backend>(
    service: &mut Service<B>,
    function: &str,
    arg: &IValue,
) -> Result<Vec<IValue>, String> {
    service
        .call("record_caller", function, std::slice::from_ref(arg))
        .map_err(|error| {
            error
                .to_string()
                .replace("pass_plain", "pass")
                .replace("echo2", "echo")
                .replace("`call-core 7`", "`call-core 6`")
                .replace("`call-core 9`", "`call-core 8`")
        })
}

fn records_cross_as_images_and_as_values_alike<B: Backend>() {
    // One service each, so that both see the same calls in the same order.
    let (mut imaged_service, mut plain_service) = (service::<B>(), service::<B>());
    let long = "ü".repeat(600);
    let cases = [
        (
            record(true, "héllo wörld", &[1, 2, 3], 5),
            Ok(record(true, "héllo wörld", &[1, 2, 3], 6)),
        ),
        (record(false, "", &[], 0), Ok(record(false, "", &[], 1))),
        (
            record(false, &long, &[7; 300], 41),
            Ok(record(false, &long, &[7; 300], 42)),
        ),
        // Stored as 7 by the callee: lifted as true either way.
        (record(false, "b", &[], -4), Ok(record(true, "b", &[], -3))),
        (
            record(true, "bad result", &[], -1),
            Err("is not valid UTF-8"),
        ),
        (record(true, "far away", &[9], -2), Err("out of bounds")),
        (record(true, "trap", &[], -3), Err("unreachable")),
        (
            record(true, "bad argument", &[], -5),
            Err("is not valid UTF-8"),
        ),
    ];
    for round in 0..2 {
        for (arg, expected) in &cases {
            let imaged = outcome(&mut imaged_service, "pass", arg);
            let plain = outcome(&mut plain_service, "pass_plain", arg);
            match expected {
                Ok(value) => {
                    assert_eq!(
                        imaged.as_deref(),
                        Ok(std::slice::from_ref(value)),
                        "round {round}"
                    );
                }
                Err(text) => {
                    let error = imaged.as_ref().expect_err("an error");
                    assert!(error.contains(text), "round {round}: {error}");
                }
            }
            match (&imaged, &plain) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => assert_eq!(a, b, "round {round}"),
                _ => panic!("round {round}: {imaged:?} against {plain:?}"),
            }
        }
    }
}

strait_conformance::on_every_engine!(records_cross_as_images_and_as_values_alike);
