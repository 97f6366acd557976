//! Every instruction of the table round-trips through the binary and the text format (a whole
//! section, and the instruction alone through `parse_instructions`), with
//! edge values for each kind of immediate. The list is the table itself (`OPCODES` and
//! `instruction_with` are both generated from `for_each_instruction!`), so a new row is tested
//! without touching this file.

use crate::support::{Immediates, instruction_with};
use strait_it::instructions::{NAMES, OPCODES};
use strait_it::text::{parse, parse_instructions, print};
use strait_it::{Adapter, IType, Instruction, Section};

fn samples() -> Vec<Immediates> {
    let itypes = [
        IType::U8,
        IType::ByteArray,
        IType::Boolean,
        IType::Array(Box::new(IType::Array(Box::new(IType::Record(3))))),
        IType::Record(u64::MAX),
    ];
    let u32s = [0, 1, 127, 128, u32::MAX];
    let i32s = [0, 1, -1, i32::MIN, i32::MAX];
    let i64s = [0, 1, 127, 1 << 62, i64::MAX];
    (0..5)
        .map(|i| Immediates {
            u32: u32s[i],
            i32: i32s[i],
            i64: i64s[i],
            itype: itypes[i].clone(),
        })
        .collect()
}

fn in_adapter(instruction: Instruction) -> Section {
    Section {
        version: "0.28.0".into(),
        adapters: vec![Adapter {
            function_type: 0,
            instructions: vec![instruction],
        }],
        ..Section::default()
    }
}

#[test]
fn every_instruction_round_trips_through_binary_and_text() {
    let mut checked = 0;
    for (&opcode, &name) in OPCODES.iter().zip(NAMES) {
        for immediates in samples() {
            let instruction = instruction_with(opcode, &immediates).unwrap();
            assert_eq!(instruction.opcode(), opcode);
            assert_eq!(instruction.name(), name);
            let section = in_adapter(instruction.clone());

            let bytes = section.encode().unwrap();
            // version (8 bytes), adapters kind, count, type, instruction count, then the opcode.
            assert_eq!(bytes[12], opcode, "{instruction}");
            assert_eq!(Section::decode(&bytes).unwrap(), section, "{instruction}");

            let text = print(&section);
            assert!(
                text.contains(&format!("\n  {name}")),
                "{instruction}: {text}"
            );
            assert_eq!(parse(&text).unwrap(), section, "{instruction}");
            let alone = instruction.to_string();
            assert_eq!(parse_instructions(&alone), Ok(vec![instruction]), "{alone}");
            checked += 1;
        }
    }
    assert_eq!(checked, 50 * 5);
}

#[test]
fn the_table_has_every_opcode_of_the_spec() {
    let mut expected: Vec<u8> = (0x00..=0x24)
        .chain([0x34, 0x35, 0x37, 0x38, 0x3a, 0x3b])
        .collect();
    expected.extend([0x3e, 0x3f, 0x40, 0x41, 0x43, 0x44, 0x45]);
    assert_eq!(OPCODES, expected.as_slice());
    let sample = &samples()[0];
    for opcode in 0..=u8::MAX {
        assert_eq!(
            instruction_with(opcode, sample).is_some(),
            expected.contains(&opcode)
        );
    }
}

#[test]
fn names_that_look_like_instructions_but_are_not() {
    // Reserved by Marine's lexer, accepted by no parser (§3.2).
    for name in [
        "f32.push",
        "f64.push",
        "array.size",
        "record.lift",
        "record.lower",
        "push.i32",
    ] {
        let text = format!("(@interface it_version \"0.28.0\")\n(@interface func (type 0) {name})");
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("unknown instruction"), "{error}");
    }
}
