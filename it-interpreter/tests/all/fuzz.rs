//! Property tests (stable Rust, proptest): hostile bytes and text never make the codec or the
//! parser panic, and random sections survive encode → decode and print → parse unchanged.

use crate::support;
use crate::support::{Immediates, instruction_with};
use proptest::prelude::*;
use strait_it::instructions::OPCODES;
use strait_it::module::ModuleSections;
use strait_it::text::{parse, parse_annotations, print};
use strait_it::{
    Adapter, Export, FunctionArg, FunctionType, IType, Implementation, Import, Instruction,
    RecordField, RecordType, Section, TypeEntry,
};

/// The IT sections of the artifacts (empty when `../shared` is missing outside CI), read once.
fn real_sections() -> &'static [Vec<u8>] {
    static SECTIONS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SECTIONS.get_or_init(|| {
        support::artifacts()
            .unwrap_or_default()
            .iter()
            .map(|artifact| {
                ModuleSections::read(&artifact.wasm)
                    .unwrap()
                    .it_section()
                    .unwrap()
                    .to_vec()
            })
            .collect()
    })
}

/// Whatever decodes must re-encode to something that decodes to the same model (when Marine
/// can read it at all).
fn check_decoded(bytes: &[u8]) {
    if let Ok(section) = Section::decode(bytes) {
        if let Ok(encoded) = section.encode() {
            assert_eq!(Section::decode(&encoded).unwrap(), section);
        }
        let text = print(&section);
        assert_eq!(parse(&text).unwrap(), section);
    }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_:.-]{0,12}",
        "",
        prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
        "[ ():\"\\\\;$@a]{1,8}",
    ]
}

fn itype() -> impl Strategy<Value = IType> {
    let leaf = prop_oneof![
        Just(IType::Boolean),
        Just(IType::S8),
        Just(IType::S16),
        Just(IType::S32),
        Just(IType::S64),
        Just(IType::U8),
        Just(IType::U16),
        Just(IType::U32),
        Just(IType::U64),
        Just(IType::F32),
        Just(IType::F64),
        Just(IType::String),
        Just(IType::ByteArray),
        Just(IType::I32),
        Just(IType::I64),
        any::<u64>().prop_map(IType::Record),
    ];
    leaf.prop_recursive(4, 8, 1, |inner| {
        inner.prop_map(|ty| IType::Array(Box::new(ty)))
    })
}

/// Any instruction of the table, with immediates Marine can read (non-negative `i64.push`).
fn instruction() -> impl Strategy<Value = Instruction> {
    (
        prop::sample::select(OPCODES),
        any::<u32>(),
        any::<i32>(),
        0..=i64::MAX,
        itype(),
    )
        .prop_map(|(opcode, u32, i32, i64, itype)| {
            let immediates = Immediates {
                u32,
                i32,
                i64,
                itype,
            };
            instruction_with(opcode, &immediates).unwrap()
        })
}

fn type_entry() -> impl Strategy<Value = TypeEntry> {
    let arg = (name(), itype()).prop_map(|(name, ty)| FunctionArg { name, ty });
    let field = (name(), itype()).prop_map(|(name, ty)| RecordField { name, ty });
    prop_oneof![
        (
            prop::collection::vec(arg, 0..4),
            prop::collection::vec(itype(), 0..3)
        )
            .prop_map(|(params, results)| TypeEntry::Function(FunctionType { params, results })),
        (name(), prop::collection::vec(field, 1..4))
            .prop_map(|(name, fields)| TypeEntry::Record(RecordType { name, fields })),
    ]
}

fn section() -> impl Strategy<Value = Section> {
    let version = (
        0..30u64,
        0..30u64,
        0..30u64,
        prop::option::of("[a-z][a-z0-9]{0,3}"),
    )
        .prop_map(|(major, minor, patch, pre)| match pre {
            Some(pre) => format!("{major}.{minor}.{patch}-{pre}"),
            None => format!("{major}.{minor}.{patch}"),
        });
    let import =
        (name(), name(), any::<u32>()).prop_map(|(namespace, name, function_type)| Import {
            namespace,
            name,
            function_type,
        });
    let adapter = (any::<u32>(), prop::collection::vec(instruction(), 0..12)).prop_map(
        |(function_type, instructions)| Adapter {
            function_type,
            instructions,
        },
    );
    let export = (name(), any::<u32>()).prop_map(|(name, function_type)| Export {
        name,
        function_type,
    });
    let implementation = (any::<u32>(), any::<u32>()).prop_map(|(core, adapter)| Implementation {
        core_function_type: core,
        adapter_function_type: adapter,
    });
    (
        version,
        prop::collection::vec(type_entry(), 0..6),
        prop::collection::vec(import, 0..3),
        prop::collection::vec(adapter, 0..3),
        prop::collection::vec(export, 0..4),
        prop::collection::vec(implementation, 0..3),
    )
        .prop_map(
            |(version, types, imports, adapters, exports, implementations)| Section {
                version,
                types,
                imports,
                adapters,
                exports,
                implementations,
            },
        )
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bits: u8 },
    Set { at: usize, byte: u8 },
    Insert { at: usize, byte: u8 },
    Remove { at: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=u8::MAX).prop_map(|(at, bits)| Mutation::Flip { at, bits }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Remove { at }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len().max(1);
    match *mutation {
        Mutation::Flip { at, bits } => {
            if let Some(byte) = bytes.get_mut(at % len) {
                *byte ^= bits;
            }
        }
        Mutation::Set { at, byte } => {
            if let Some(slot) = bytes.get_mut(at % len) {
                *slot = byte;
            }
        }
        Mutation::Insert { at, byte } => bytes.insert(at % (bytes.len() + 1), byte),
        Mutation::Remove { at } => {
            if !bytes.is_empty() {
                bytes.remove(at % len);
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % len),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_decoded(&bytes);
        // Also behind a valid version, so that the decoder gets past the first byte.
        let mut versioned = vec![0x05, 0x06];
        versioned.extend_from_slice(b"0.28.0");
        versioned.extend_from_slice(&bytes);
        check_decoded(&versioned);
    }

    #[test]
    fn mutated_real_sections_never_panic(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let sections = real_sections();
        if !sections.is_empty() {
            let mut bytes = sections[pick % sections.len()].clone();
            for mutation in &mutations {
                apply(&mut bytes, mutation);
            }
            check_decoded(&bytes);
        }
    }

    #[test]
    fn random_sections_encode_then_decode_unchanged(section in section()) {
        let bytes = section.encode().unwrap();
        prop_assert_eq!(Section::decode(&bytes).unwrap(), section);
    }

    #[test]
    fn random_sections_print_then_parse_unchanged(section in section()) {
        let text = print(&section);
        prop_assert_eq!(parse(&text).unwrap(), section.clone());
        // The same items inline in a WAT module.
        let wat = format!("(module\n  (memory 1)\n{text}\n  (func (export \"f\")))");
        prop_assert_eq!(parse_annotations(&wat).unwrap(), section);
    }

    #[test]
    fn mutated_printed_text_never_panics(
        section in section(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = print(&section).into_bytes();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(parsed) = parse(&text) {
            prop_assert_eq!(parse(&print(&parsed)).unwrap(), parsed);
        }
        let _ = parse_annotations(&text);
    }

    #[test]
    fn random_text_never_panics(text in "[()@$\";:a-z0-9 \\n\\\\{}_.-]{0,200}") {
        let _ = parse(&text);
        let _ = parse_annotations(&text);
        let _ = parse(&format!("(@interface {text}"));
    }
}

#[test]
fn random_wasm_mutations_of_real_modules_never_panic() {
    let Some(artifacts) = support::artifacts() else {
        return;
    };
    // Cheap deterministic mutations of whole modules: the section walker must not panic.
    for artifact in artifacts.iter().take(3) {
        for step in (0..artifact.wasm.len()).step_by(997) {
            let mut wasm = artifact.wasm.clone();
            wasm[step] ^= 0x80;
            if let Ok(sections) = ModuleSections::read(&wasm) {
                let _ = sections.decode_it_section();
                let _ = sections.sdk_version();
            }
            let _ = ModuleSections::read(&wasm[..step]);
        }
    }
    for path in support::corrupted() {
        let wasm = std::fs::read(path).unwrap();
        assert!(ModuleSections::read(&wasm).is_err());
    }
}
