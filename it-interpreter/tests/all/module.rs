//! Locating the Marine custom sections in a wasm module and the "exactly one" rules.

use crate::support;
use strait_it::module::{ModuleError, ModuleSections};

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// A custom section with its header (small sizes only: one-byte LEBs).
fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
    let size = 1 + name.len() + payload.len();
    let mut out = vec![
        0,
        u8::try_from(size).unwrap(),
        u8::try_from(name.len()).unwrap(),
    ];
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(payload);
    out
}

fn module(sections: &[Vec<u8>]) -> Vec<u8> {
    let mut out = HEADER.to_vec();
    for section in sections {
        out.extend_from_slice(section);
    }
    out
}

fn it_payload() -> Vec<u8> {
    support::cat(&[
        &support::version(),
        &[0x03, 0x01],
        &support::string_bytes("f"),
        &[0x00],
    ])
}

#[test]
fn finds_both_sections_among_others() {
    let wasm = module(&[
        custom("name", b"\x00\x01x"),
        custom("interface-types", &it_payload()),
        vec![0x01, 0x01, 0x00], // an empty type section
        custom("__fluence_sdk_version", b"0.14.0"),
    ]);
    let sections = ModuleSections::read(&wasm).unwrap();
    assert_eq!(sections.it_section().unwrap(), it_payload().as_slice());
    assert_eq!(sections.sdk_version().unwrap(), "0.14.0");
    let section = sections.decode_it_section().unwrap();
    assert_eq!(section.exports[0].name, "f");
}

#[test]
fn exactly_one_of_each() {
    let none = ModuleSections::read(HEADER).unwrap();
    assert_eq!(none.it_section(), Err(ModuleError::NoITSection));
    assert_eq!(none.sdk_version(), Err(ModuleError::NoSdkVersion));
    assert!(
        none.it_section()
            .unwrap_err()
            .to_string()
            .contains("marine build")
    );

    let two = module(&[
        custom("interface-types", &it_payload()),
        custom("__fluence_sdk_version", b"0.14.0"),
        custom("interface-types", &it_payload()),
        custom("__fluence_sdk_version", b"0.14.0"),
    ]);
    let sections = ModuleSections::read(&two).unwrap();
    assert_eq!(
        sections.it_section(),
        Err(ModuleError::MultipleITSections { count: 2 })
    );
    assert_eq!(
        sections.sdk_version(),
        Err(ModuleError::MultipleSdkVersions { count: 2 })
    );
    assert_eq!(
        sections.it_section().unwrap_err().to_string(),
        "the module has 2 `interface-types` custom sections; exactly one is allowed"
    );
}

#[test]
fn invalid_contents() {
    for bad in [&b"0.14"[..], b"\xff\xfe", b""] {
        let wasm = module(&[custom("__fluence_sdk_version", bad)]);
        let error = ModuleSections::read(&wasm)
            .unwrap()
            .sdk_version()
            .unwrap_err();
        assert!(
            matches!(error, ModuleError::InvalidSdkVersion { .. }),
            "{error}"
        );
    }
    let wasm = module(&[custom("interface-types", b"\x05\x060.28.0\x09")]);
    let error = ModuleSections::read(&wasm)
        .unwrap()
        .decode_it_section()
        .unwrap_err();
    assert!(
        error.to_string().contains("unknown section kind 0x09"),
        "{error}"
    );
}

#[test]
fn malformed_modules_and_components() {
    for bad in [&b""[..], b"\0asm", b"(module)", b"\0asm\x02\0\0\0"] {
        assert!(matches!(
            ModuleSections::read(bad),
            Err(ModuleError::Malformed { .. })
        ));
    }
    // A section whose size runs past the end.
    let mut wasm = HEADER.to_vec();
    wasm.extend_from_slice(&[0x00, 0x20, 0x01, b'x']);
    let error = ModuleSections::read(&wasm).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("not a valid WebAssembly module")
    );
    // The component-model header (version 0x0d, layer 1).
    let component = b"\0asm\x0d\0\x01\0";
    assert!(ModuleSections::read(component).is_err());
}

#[test]
fn every_artifact_has_one_of_each() {
    let Some(artifacts) = support::artifacts() else {
        return;
    };
    for artifact in &artifacts {
        let sections = ModuleSections::read(&artifact.wasm).unwrap();
        let sdk = sections.sdk_version().unwrap();
        let section = sections.decode_it_section().unwrap();
        assert!(
            ["0.6.0", "0.11.0", "0.14.0"].contains(&sdk),
            "{}: {sdk}",
            artifact.name
        );
        assert!(["0.23.1", "0.27.0"].contains(&section.version.as_str()));
    }
}
