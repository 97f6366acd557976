//! The binary codec: every real section round-trips byte for byte; the annotated example of
//! `spec/it-section.md` §2.4 decodes to the expected model; each malformed input gives its error.

use crate::support;
use crate::support::{
    annotated_example, annotated_model, cat, export, func_entry, string_bytes, version,
};
use strait_it::binary::{DecodeErrorKind, EncodeProblem, MAX_TYPE_NESTING};
use strait_it::module::ModuleSections;
use strait_it::{
    Adapter, FunctionArg, FunctionType, IType, Instruction, RecordType, Section, TypeEntry,
};

fn decode_kind(bytes: &[u8]) -> DecodeErrorKind {
    Section::decode(bytes).unwrap_err().kind
}

/// A version section followed by an adapters section with one adapter holding `body`.
fn adapter_with(count: &[u8], body: &[u8]) -> Vec<u8> {
    cat(&[&version(), &[0x02, 0x01, 0x07], count, body])
}

/// A section whose only type is `func (x: <ty>)`.
fn param_of_type(ty: &[u8]) -> Vec<u8> {
    cat(&[
        &version(),
        &[0x00, 0x01, 0x00, 0x01],
        &string_bytes("x"),
        ty,
        &[0x00],
    ])
}

/// Drops a deeply nested type level by level: the derived drop would recurse once per level.
fn drop_deep(mut ty: IType) {
    while let IType::Array(inner) = ty {
        ty = *inner;
    }
}

#[test]
fn every_artifact_section_round_trips_byte_for_byte() {
    let Some(artifacts) = support::artifacts() else {
        return;
    };
    for artifact in &artifacts {
        let sections = ModuleSections::read(&artifact.wasm).unwrap();
        let bytes = sections.it_section().unwrap();
        let section =
            Section::decode(bytes).unwrap_or_else(|error| panic!("{}: {error}", artifact.name));
        let encoded = section.encode().unwrap();
        assert!(encoded == bytes, "{}: re-encoding differs", artifact.name);
        assert!(!section.exports.is_empty() && !section.adapters.is_empty());
        println!(
            "{}: {} bytes, IT {}, {} types, {} adapters: byte-identical",
            artifact.name,
            bytes.len(),
            section.version,
            section.types.len(),
            section.adapters.len()
        );
    }
}

#[test]
fn the_annotated_example_decodes_to_its_model_and_back() {
    let bytes = annotated_example();
    assert_eq!(bytes.len(), 236);
    let section = Section::decode(&bytes).unwrap();
    assert_eq!(section, annotated_model());
    assert_eq!(section.encode().unwrap(), bytes);
}

#[test]
fn the_smallest_valid_blob() {
    let bytes = cat(&[
        &version(),
        &[0x00, 0x01, 0x00, 0x01],
        &string_bytes("size"),
        &[0x0c, 0x01, 0x0c, 0x03, 0x01],
        &string_bytes("allocate"),
        &[0x00],
    ]);
    let section = Section::decode(&bytes).unwrap();
    assert_eq!(
        section.types,
        vec![func_entry(&[("size", IType::I32)], &[IType::I32])]
    );
    assert_eq!(section.exports, vec![export("allocate", 0)]);
    assert_eq!(section.encode().unwrap(), bytes);
    // Only a version is the least a section can hold.
    let empty = Section::decode(&version()).unwrap();
    assert_eq!(empty.version, "0.28.0");
    assert_eq!(empty.encode().unwrap(), version());
}

#[test]
fn sections_in_any_order_and_repeated_are_concatenated() {
    let export_a = cat(&[&[0x03, 0x01], &string_bytes("a"), &[0x00]]);
    let export_b = cat(&[&[0x03, 0x01], &string_bytes("b"), &[0x01]]);
    let types = [0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
    let bytes = cat(&[&export_a, &types, &version(), &export_b]);
    let section = Section::decode(&bytes).unwrap();
    assert_eq!(section.exports, vec![export("a", 0), export("b", 1)]);
    assert_eq!(section.types.len(), 2);
    // Re-encoding puts the version first and merges the exports.
    let canonical = cat(&[
        &version(),
        &types,
        &[0x03, 0x02],
        &string_bytes("a"),
        &[0x00],
        &string_bytes("b"),
        &[0x01],
    ]);
    assert_eq!(section.encode().unwrap(), canonical);
}

#[test]
fn truncated_input_is_an_error_at_every_cut_inside_an_item() {
    let bytes = annotated_example();
    // Cuts at section boundaries give valid (shorter) sections; every other cut is an error.
    let boundaries = [8, 103, 130, 232, 236];
    for cut in 0..bytes.len() {
        let result = Section::decode(&bytes[..cut]);
        if boundaries.contains(&cut) {
            assert!(result.is_ok(), "cut at {cut}: {result:?}");
        } else {
            let error = result.unwrap_err();
            assert!(error.offset <= cut, "cut at {cut}: {error}");
        }
    }
    assert_eq!(
        decode_kind(&bytes[..5]),
        DecodeErrorKind::UnexpectedEnd { what: "version" }
    );
    assert!(matches!(
        decode_kind(&bytes[..10]),
        DecodeErrorKind::CountTooLarge {
            what: "types",
            count: 9,
            remaining: 0
        }
    ));
    assert!(matches!(
        decode_kind(&bytes[..25]),
        DecodeErrorKind::UnexpectedEnd {
            what: "function results"
        }
    ));
}

#[test]
fn unknown_section_kinds_and_type_entry_kinds() {
    let error = Section::decode(&cat(&[&version(), &[0x06, 0x00]])).unwrap_err();
    assert_eq!(error.kind, DecodeErrorKind::UnknownSectionKind(6));
    assert_eq!(error.offset, 8);
    assert_eq!(
        error.to_string(),
        "malformed interface-types section at offset 8: unknown section kind 0x06"
    );
    assert_eq!(
        decode_kind(&cat(&[&version(), &[0x00, 0x01, 0x02]])),
        DecodeErrorKind::UnknownTypeEntryKind(2)
    );
}

#[test]
fn unknown_type_codes() {
    for code in [0x0f, 0x10, 0x35, 0x37, 0x3b, 0x3d, 0x46, 0xff] {
        let error = Section::decode(&param_of_type(&[code])).unwrap_err();
        assert_eq!(error.kind, DecodeErrorKind::UnknownTypeCode(code));
        assert_eq!(error.offset, 14);
    }
    // Inside an array too.
    assert_eq!(
        decode_kind(&param_of_type(&[0x36, 0x36, 0x46])),
        DecodeErrorKind::UnknownTypeCode(0x46)
    );
    let section = Section::decode(&param_of_type(&[0x36, 0x0e, 0x2a])).unwrap();
    assert_eq!(
        section.types,
        vec![func_entry(
            &[("x", IType::Array(Box::new(IType::Record(42))))],
            &[]
        )]
    );
}

#[test]
fn every_unassigned_opcode_is_an_error_naming_it_and_its_offset() {
    let assigned = strait_it::instructions::OPCODES;
    let mut unassigned = 0;
    for opcode in 0..=u8::MAX {
        if assigned.contains(&opcode) {
            continue;
        }
        unassigned += 1;
        let bytes = adapter_with(&[0x02], &[0x34, opcode]);
        let error = Section::decode(&bytes).unwrap_err();
        assert_eq!(error.kind, DecodeErrorKind::UnknownOpcode(opcode));
        assert_eq!(error.offset, 13);
        let message = error.to_string();
        assert!(message.contains(&format!("{opcode:#04x}")), "{message}");
        assert!(message.contains("offset 13"), "{message}");
    }
    assert_eq!(unassigned, 256 - 50);
}

#[test]
fn zero_field_records_are_errors_both_ways() {
    let bytes = cat(&[
        &version(),
        &[0x00, 0x01, 0x01],
        &string_bytes("Empty"),
        &[0x00],
    ]);
    let error = Section::decode(&bytes).unwrap_err();
    assert_eq!(error.kind, DecodeErrorKind::EmptyRecord { type_index: 0 });
    assert!(error.to_string().contains("record type 0 has no fields"));
    let section = Section {
        version: "0.28.0".into(),
        types: vec![TypeEntry::Record(RecordType {
            name: "Empty".into(),
            fields: vec![],
        })],
        ..Section::default()
    };
    let error = section.encode().unwrap_err();
    assert_eq!(error.problem, EncodeProblem::EmptyRecord);
    assert!(
        error
            .to_string()
            .contains("record type 0 (Empty) has no fields")
    );
}

#[test]
fn counts_larger_than_the_section() {
    for count in [&[0x05][..], &[0xff, 0xff, 0xff, 0xff, 0x0f]] {
        let bytes = cat(&[&version(), &[0x03], count, &string_bytes("x"), &[0x00]]);
        assert!(matches!(
            decode_kind(&bytes),
            DecodeErrorKind::CountTooLarge {
                what: "exports",
                ..
            }
        ));
    }
    // A list count: 100 instructions announced, 2 bytes follow.
    assert!(matches!(
        decode_kind(&adapter_with(&[100], &[0x34, 0x34])),
        DecodeErrorKind::CountTooLarge {
            what: "adapter instructions",
            count: 100,
            remaining: 2
        }
    ));
}

#[test]
fn long_lists_decode_as_uleb_but_are_not_encoded() {
    // Marine writes 130 as `82 01` and reads it back as 2 (D1); strait reads 130.
    let dups = vec![0x34; 130];
    let section = Section::decode(&adapter_with(&[0x82, 0x01], &dups)).unwrap();
    assert_eq!(
        section.adapters[0].instructions,
        vec![Instruction::Dup; 130]
    );
    let error = section.encode().unwrap_err();
    assert_eq!(
        error.problem,
        EncodeProblem::ListTooLong {
            len: 130,
            items: "instructions"
        }
    );
    assert_eq!(
        error.to_string(),
        "cannot encode the interface-types section: adapter for type 7 has 130 instructions; at \
         most 127 can be encoded (Marine reads list lengths as one byte)"
    );
    let mut at_limit = section.clone();
    at_limit.adapters[0].instructions.truncate(127);
    let bytes = at_limit.encode().unwrap();
    assert_eq!(Section::decode(&bytes).unwrap(), at_limit);

    let params = (0..128)
        .map(|i| FunctionArg {
            name: format!("p{i}"),
            ty: IType::I32,
        })
        .collect();
    let wide = Section {
        version: "0.28.0".into(),
        types: vec![TypeEntry::Function(FunctionType {
            params,
            results: vec![],
        })],
        ..Section::default()
    };
    let error = wide.encode().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("function type 0 has 128 parameters")
    );
}

#[test]
fn names_of_256_bytes_are_not_encoded() {
    let mut section = annotated_model();
    section.exports[6].name = "g".repeat(255);
    let bytes = section.encode().unwrap();
    assert_eq!(Section::decode(&bytes).unwrap(), section);
    section.exports[6].name = "g".repeat(256);
    let error = section.encode().unwrap_err();
    assert_eq!(error.problem, EncodeProblem::StringTooLong { len: 256 });
    assert!(
        error
            .to_string()
            .contains("name of export 6 is 256 bytes long")
    );

    let mut section = annotated_model();
    if let TypeEntry::Record(record) = &mut section.types[6] {
        record.fields[1].name = "é".repeat(128);
    }
    let error = section.encode().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("name of field 1 of record type 6 is 256 bytes long"),
        "{error}"
    );
}

#[test]
fn string_lengths_128_to_255_are_one_byte() {
    let name = "n".repeat(200);
    let bytes = cat(&[&version(), &[0x03, 0x01], &string_bytes(&name), &[0x00]]);
    assert_eq!(bytes[10], 200);
    let section = Section::decode(&bytes).unwrap();
    assert_eq!(section.exports[0].name, name);
    assert_eq!(section.encode().unwrap(), bytes);
}

#[test]
fn bad_utf8_names() {
    let bytes = cat(&[&version(), &[0x03, 0x01, 0x02, 0xc3, 0x28, 0x00]]);
    let error = Section::decode(&bytes).unwrap_err();
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidUtf8 {
            what: "export name"
        }
    );
    assert_eq!(error.offset, 10);
    let bytes = cat(&[&[0x05, 0x02, 0xff, 0xfe]]);
    assert_eq!(
        decode_kind(&bytes),
        DecodeErrorKind::InvalidUtf8 { what: "version" }
    );
}

#[test]
fn u32_fields_above_u32_max_are_errors() {
    let too_big = [0x80, 0x80, 0x80, 0x80, 0x10]; // 2^32
    let bytes = cat(&[&version(), &[0x03, 0x01], &string_bytes("x"), &too_big]);
    let error = Section::decode(&bytes).unwrap_err();
    assert_eq!(
        error.kind,
        DecodeErrorKind::U32Overflow {
            what: "export function type",
            value: 1 << 32
        }
    );
    let max = [0xff, 0xff, 0xff, 0xff, 0x0f];
    let bytes = cat(&[&version(), &[0x03, 0x01], &string_bytes("x"), &max]);
    assert_eq!(
        Section::decode(&bytes).unwrap().exports[0].function_type,
        u32::MAX
    );

    let error = Section::decode(&adapter_with(&[0x01], &cat(&[&[0x00], &too_big]))).unwrap_err();
    assert_eq!(
        error.kind,
        DecodeErrorKind::U32Overflow {
            what: "arg.get index",
            value: 1 << 32
        }
    );
    let error = Section::decode(&adapter_with(&[0x01], &cat(&[&[0x3a], &too_big]))).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("record.lift_memory record_type_id")
    );
    // `record N` in a type is a u64 (the model keeps it so).
    let section = Section::decode(&param_of_type(&cat(&[&[0x0e], &too_big]))).unwrap();
    assert_eq!(
        section.types,
        vec![func_entry(&[("x", IType::Record(1 << 32))], &[])]
    );
}

#[test]
fn ten_byte_ulebs_decode_and_eleven_do_not() {
    let ten = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    let section = Section::decode(&adapter_with(&[0x01], &cat(&[&[0x41], &ten]))).unwrap();
    assert_eq!(
        section.adapters[0].instructions,
        vec![Instruction::I64Push { value: -1 }]
    );
    let section = Section::decode(&param_of_type(&cat(&[&[0x0e], &ten]))).unwrap();
    assert_eq!(
        section.types,
        vec![func_entry(&[("x", IType::Record(u64::MAX))], &[])]
    );

    let eleven = [
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
    ];
    let error = Section::decode(&adapter_with(&[0x01], &cat(&[&[0x41], &eleven]))).unwrap_err();
    assert_eq!(
        error.kind,
        DecodeErrorKind::UlebTooLong {
            what: "i64.push immediate"
        }
    );
    assert_eq!(error.offset, 13);
    let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
    assert_eq!(
        decode_kind(&adapter_with(&[0x01], &cat(&[&[0x41], &overflow]))),
        DecodeErrorKind::UlebOverflow {
            what: "i64.push immediate"
        }
    );
}

#[test]
fn padded_ulebs_are_accepted() {
    let bytes = cat(&[
        &version(),
        &[0x03, 0x01],
        &string_bytes("x"),
        &[0x85, 0x80, 0x00],
    ]);
    let section = Section::decode(&bytes).unwrap();
    assert_eq!(section.exports, vec![export("x", 5)]);
    // Re-encoding is minimal.
    assert_eq!(
        section.encode().unwrap(),
        cat(&[&version(), &[0x03, 0x01], &string_bytes("x"), &[0x05]])
    );
    let section = Section::decode(&adapter_with(&[0x81, 0x00], &[0x34])).unwrap();
    assert_eq!(section.adapters[0].instructions, vec![Instruction::Dup]);
}

#[test]
fn push_immediates() {
    let push = |instruction: Instruction| Section {
        version: "0.28.0".into(),
        adapters: vec![Adapter {
            function_type: 7,
            instructions: vec![instruction],
        }],
        ..Section::default()
    };
    // Negative i32.push: the uleb of the 32-bit pattern, which Marine truncates back (D3).
    let section = push(Instruction::I32Push { value: -5 });
    let bytes = section.encode().unwrap();
    assert_eq!(
        bytes,
        adapter_with(&[0x01], &[0x40, 0xfb, 0xff, 0xff, 0xff, 0x0f])
    );
    assert_eq!(Section::decode(&bytes).unwrap(), section);
    let section = push(Instruction::I32Push { value: i32::MIN });
    assert_eq!(
        Section::decode(&section.encode().unwrap()).unwrap(),
        section
    );
    // Marine's encoder writes -5 as a sign-extended 10-byte uleb: strait still reads it.
    let marine = [0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    let decoded = Section::decode(&adapter_with(&[0x01], &cat(&[&[0x40], &marine]))).unwrap();
    assert_eq!(decoded, push(Instruction::I32Push { value: -5 }));

    let section = push(Instruction::I64Push { value: i64::MAX });
    assert_eq!(
        Section::decode(&section.encode().unwrap()).unwrap(),
        section
    );
    let error = push(Instruction::I64Push { value: -5 })
        .encode()
        .unwrap_err();
    assert_eq!(error.problem, EncodeProblem::NegativeI64Push { value: -5 });
    assert_eq!(
        error.to_string(),
        "cannot encode the interface-types section: instruction 0 (`i64.push -5`) of the \
         adapter for type 7 pushes the negative i64 -5, which has no encoding Marine can read"
    );
}

#[test]
fn missing_double_and_invalid_versions() {
    let error = Section::decode(&[0x03, 0x00]).unwrap_err();
    assert_eq!(error.kind, DecodeErrorKind::MissingVersion);
    assert!(error.to_string().contains("old toolchain"));
    assert_eq!(decode_kind(&[]), DecodeErrorKind::MissingVersion);

    let error = Section::decode(&cat(&[&version(), &version()])).unwrap_err();
    assert_eq!(error.kind, DecodeErrorKind::DuplicateVersion);
    assert_eq!(error.offset, 8);

    for bad in ["", "0.28", "v0.28.0", " 0.28.0", "0.28.0.1"] {
        let bytes = cat(&[&[0x05], &string_bytes(bad)]);
        assert!(
            matches!(decode_kind(&bytes), DecodeErrorKind::InvalidVersion { .. }),
            "{bad:?}"
        );
        let section = Section {
            version: bad.into(),
            ..Section::default()
        };
        assert!(matches!(
            section.encode().unwrap_err().problem,
            EncodeProblem::InvalidVersion { .. }
        ));
    }
    // Kept verbatim, pre-release and build metadata included.
    let section = Section::decode(&cat(&[&[0x05], &string_bytes("0.20.0-rc.1+build.5")])).unwrap();
    assert_eq!(section.version, "0.20.0-rc.1+build.5");
}

#[test]
fn deep_array_nesting_is_an_error_not_a_stack_overflow() {
    let mut ty = vec![0x36; 100_000];
    ty.push(0x04);
    let error = Section::decode(&param_of_type(&ty)).unwrap_err();
    assert_eq!(error.kind, DecodeErrorKind::TypeTooDeep);
    assert_eq!(error.offset, 14);
    // Also as an instruction immediate.
    let error = Section::decode(&adapter_with(&[0x01], &cat(&[&[0x37], &ty]))).unwrap_err();
    assert_eq!(error.kind, DecodeErrorKind::TypeTooDeep);

    // The deepest accepted nesting round-trips.
    let mut ty = vec![0x36; MAX_TYPE_NESTING];
    ty.push(0x04);
    let bytes = param_of_type(&ty);
    let section = Section::decode(&bytes).unwrap();
    assert_eq!(section.encode().unwrap(), bytes);

    // A hand-built type deeper than that is refused by the encoder, without recursion.
    let deep = (0..100_000).fold(IType::U8, |inner, _| IType::Array(Box::new(inner)));
    // Built in place: `func` would clone it, and the derived clone recurses too.
    let section = Section {
        version: "0.28.0".into(),
        types: vec![TypeEntry::Function(FunctionType {
            params: vec![FunctionArg {
                name: "x".into(),
                ty: deep,
            }],
            results: vec![],
        })],
        ..Section::default()
    };
    let error = section.encode().unwrap_err();
    assert_eq!(error.problem, EncodeProblem::TypeTooDeep);
    assert!(error.to_string().contains("parameter 0 of function type 0"));
    let Section { types, .. } = section;
    for entry in types {
        if let TypeEntry::Function(function) = entry {
            for param in function.params {
                drop_deep(param.ty);
            }
        }
    }
}

#[test]
fn trailing_garbage_after_a_complete_section_is_an_error() {
    let bytes = cat(&[&annotated_example(), &[0x03]]);
    assert!(matches!(
        decode_kind(&bytes),
        DecodeErrorKind::UnexpectedEnd { what: "exports" }
    ));
}
