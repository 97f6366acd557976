//! The no_std check's service module, compiled here with std: its embedded binary must be
//! exactly its WAT text plus the encoded IT section, and the check must pass.

#![cfg(feature = "wasmi")]

#[path = "../../no-std-check/src/service_check.rs"]
mod service_check;

/// The wasm of `INC_WAT` with its annotations appended as the `interface-types` section.
fn expected_binary() -> Vec<u8> {
    let mut wasm = wat::parse_str(service_check::INC_WAT).expect("wat");
    let section = strait_it::text::parse_annotations(service_check::INC_WAT).expect("annotations");
    let payload = section.encode().expect("encode");
    let name = b"interface-types";
    let mut body = vec![u8::try_from(name.len()).expect("short name")];
    body.extend_from_slice(name);
    body.extend_from_slice(&payload);
    wasm.push(0);
    let mut size = body.len();
    loop {
        let byte = u8::try_from(size & 0x7f).expect("7 bits");
        size >>= 7;
        if size == 0 {
            wasm.push(byte);
            break;
        }
        wasm.push(byte | 0x80);
    }
    wasm.extend_from_slice(&body);
    wasm
}

#[test]
fn embedded_binary_is_the_wat() {
    let expected = expected_binary();
    if service_check::INC_WASM != expected.as_slice() {
        let rows: Vec<String> = expected
            .chunks(12)
            .map(|row| {
                row.iter()
                    .map(|b| format!("0x{b:02x},"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        panic!(
            "INC_WASM is out of date; it should be:\n{}",
            rows.join("\n")
        );
    }
}

#[test]
fn service_check_passes() {
    assert!(service_check::run());
}
