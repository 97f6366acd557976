//! The text format: printing is exact (§4.4), every real section survives print → parse →
//! encode byte for byte, Marine's own printouts parse, and errors carry positions.

use crate::support;
use crate::support::{annotated_model, func_entry};
use strait_it::module::ModuleSections;
use strait_it::text::{ParseError, parse, parse_annotations, parse_instructions, print};
use strait_it::{FunctionArg, IType, Instruction, RecordField, RecordType, Section, TypeEntry};

/// §4.4, verbatim.
const ANNOTATED_TEXT: &str = r#"(@interface it_version "0.28.0")

;; Types
(@interface type (func
  (param $size: i32)
  (result i32)))   ;; 0
(@interface type (func))   ;; 1
(@interface type (func
  (result i32)))   ;; 2
(@interface type (func
  (result i32)))   ;; 3
(@interface type (func
  (param $result_size: i32)))   ;; 4
(@interface type (func
  (param $result_ptr: i32)))   ;; 5
(@interface type (record $Rec (
 field $a: boolean
 field $b: array (string)
)))   ;; 6
(@interface type (func
  (param $name: string $r: record 6)
  (result byte_array)))   ;; 7
(@interface type (func
  (param $name: string $r: record 6)
  (result byte_array)))   ;; 8

;; Adapters
(@interface func (type 7)
  arg.get 0
  string.size
  i32.push 1
  call-core 0
  arg.get 0
  string.lower_memory
  arg.get 1
  record.lower_memory 6
  call-core 6
  call-core 3
  call-core 2
  byte_array.lift_memory
  call-core 1)

;; Exports
(@interface export "allocate" (func 0))
(@interface export "release_objects" (func 1))
(@interface export "get_result_size" (func 2))
(@interface export "get_result_ptr" (func 3))
(@interface export "set_result_size" (func 4))
(@interface export "set_result_ptr" (func 5))
(@interface export "greet" (func 8))

;; Implementations
(@interface implement (func 8) (func 7))
"#;

fn parse_error(text: &str) -> ParseError {
    parse(text).unwrap_err()
}

fn at(error: &ParseError) -> (usize, usize) {
    (error.line, error.column)
}

/// Marine prints `ByteArray` as `array (u8)`, which parses as `Array(U8)` (D7): map one to the
/// other to compare a section with Marine's printout of it.
fn byte_arrays_as_arrays(ty: &mut IType) {
    match ty {
        IType::ByteArray => *ty = IType::Array(Box::new(IType::U8)),
        IType::Array(inner) => byte_arrays_as_arrays(inner),
        _ => {}
    }
}

fn marine_view(mut section: Section) -> Section {
    for entry in &mut section.types {
        match entry {
            TypeEntry::Function(function) => {
                function
                    .params
                    .iter_mut()
                    .for_each(|param| byte_arrays_as_arrays(&mut param.ty));
                function.results.iter_mut().for_each(byte_arrays_as_arrays);
            }
            TypeEntry::Record(record) => record
                .fields
                .iter_mut()
                .for_each(|field| byte_arrays_as_arrays(&mut field.ty)),
        }
    }
    for adapter in &mut section.adapters {
        for instruction in &mut adapter.instructions {
            if let Instruction::ArrayLiftMemory { value_type }
            | Instruction::ArrayLowerMemory { value_type } = instruction
            {
                byte_arrays_as_arrays(value_type);
            }
        }
    }
    section
}

fn with_version(items: &str) -> String {
    format!("(@interface it_version \"0.28.0\")\n{items}")
}

#[test]
fn the_complete_example_prints_exactly() {
    assert_eq!(print(&annotated_model()), ANNOTATED_TEXT);
    assert_eq!(parse(ANNOTATED_TEXT).unwrap(), annotated_model());
}

#[test]
fn every_artifact_survives_print_parse_encode_byte_for_byte() {
    let Some(artifacts) = support::artifacts() else {
        return;
    };
    for artifact in &artifacts {
        let bytes = ModuleSections::read(&artifact.wasm)
            .unwrap()
            .it_section()
            .unwrap();
        let section = Section::decode(bytes).unwrap();
        let text = print(&section);
        let parsed = parse(&text).unwrap_or_else(|error| panic!("{}: {error}", artifact.name));
        assert_eq!(parsed, section, "{}", artifact.name);
        assert!(parsed.encode().unwrap() == bytes, "{}", artifact.name);
        println!(
            "{}: print → parse → encode is byte-identical",
            artifact.name
        );
    }
}

#[test]
fn marine_printouts_of_every_artifact_parse_to_the_same_section() {
    let Some(artifacts) = support::artifacts() else {
        return;
    };
    let mut compared = 0;
    for artifact in &artifacts {
        let Some(marine_text) = &artifact.marine_text else {
            continue;
        };
        let bytes = ModuleSections::read(&artifact.wasm)
            .unwrap()
            .it_section()
            .unwrap();
        let section = Section::decode(bytes).unwrap();
        let parsed =
            parse(marine_text).unwrap_or_else(|error| panic!("{}: {error}", artifact.name));
        assert_eq!(parsed, marine_view(section), "{}", artifact.name);
        compared += 1;
    }
    assert_eq!(
        compared,
        artifacts.len(),
        "every artifact has a Marine printout"
    );
}

#[test]
fn marine_spellings_and_strait_spellings() {
    let text = with_version(
        "(@interface type (record $R (\n field $a: bool\n field $b: boolean\n \
         field $c: array (u8)\n field $d: byte_array\n field $e: array(array(record 3))\n)))",
    );
    let section = parse(&text).unwrap();
    let TypeEntry::Record(record) = &section.types[0] else {
        panic!()
    };
    let types: Vec<_> = record.fields.iter().map(|field| field.ty.clone()).collect();
    assert_eq!(
        types,
        [
            IType::Boolean,
            IType::Boolean,
            IType::Array(Box::new(IType::U8)),
            IType::ByteArray,
            IType::Array(Box::new(IType::Array(Box::new(IType::Record(3))))),
        ]
    );
    // And back: strait prints `boolean` and `byte_array`.
    let printed = print(&section);
    assert!(printed.contains(" field $a: boolean\n"));
    assert!(printed.contains(" field $c: array (u8)\n"));
    assert!(printed.contains(" field $d: byte_array\n"));
    assert_eq!(parse(&printed).unwrap(), section);
}

#[test]
fn names_ids_with_colons_empty_names_and_strings() {
    let text = with_version(
        r#"(@interface type (func (param $size: i32 $: s8 $plain u8 $spaced : u16 $a:: u32 "my field": string "q\"\\\u{e9}" i64)))"#,
    );
    let section = parse(&text).unwrap();
    let names: Vec<_> = match &section.types[0] {
        TypeEntry::Function(function) => function.params.iter().map(|p| p.name.clone()).collect(),
        TypeEntry::Record(_) => panic!(),
    };
    assert_eq!(
        names,
        ["size", "", "plain", "spaced", "a:", "my field", "q\"\\é"]
    );
    let printed = print(&section);
    assert!(printed.contains(
        r#"(param $size: i32 $: s8 $plain: u8 $spaced: u16 $a:: u32 "my field": string "q\"\\é": i64)"#
    ), "{printed}");
    assert_eq!(parse(&printed).unwrap(), section);
}

#[test]
fn record_names_that_are_not_ids_print_as_strings() {
    for name in ["", "with space", "ends:", "(paren)", "ünï"] {
        let section = Section {
            version: "0.28.0".into(),
            types: vec![TypeEntry::Record(RecordType {
                name: name.into(),
                fields: vec![RecordField {
                    name: "f".into(),
                    ty: IType::S8,
                }],
            })],
            ..Section::default()
        };
        let printed = print(&section);
        assert!(printed.contains("(record \""), "{printed}");
        assert_eq!(parse(&printed).unwrap(), section, "{printed}");
    }
}

#[test]
fn several_param_and_result_groups_concatenate() {
    let text = with_version(
        "(@interface type (func (result i32) (param $a: s8) (param) (param $b: s16 $c: s32) \
         (result i64 f32)))",
    );
    let section = parse(&text).unwrap();
    assert_eq!(
        section.types,
        vec![func_entry(
            &[("a", IType::S8), ("b", IType::S16), ("c", IType::S32)],
            &[IType::I32, IType::I64, IType::F32]
        )]
    );
    assert!(print(&section).contains("(param $a: s8 $b: s16 $c: s32)\n  (result i32 i64 f32)))"));
}

#[test]
fn comments_are_skipped() {
    let text = ";; leading\n(; block (; nested ;) ;)\n(@interface ;; inside\n it_version (; x ;) \"0.20.0\")\n\
                (@interface export \"a;;b\" (func 0)) ;; trailing";
    let section = parse(text).unwrap();
    assert_eq!(section.version, "0.20.0");
    assert_eq!(section.exports[0].name, "a;;b");
}

#[test]
fn instructions_with_immediates() {
    let text = with_version(
        "(@interface func (type 3) arg.get 0 i32.push -2147483648 i32.push 4294967295 \
         i64.push -9223372036854775808 i64.push 0x7fff_ffff_ffff_ffff \
         array.lift_memory array (u8) array.lower_memory byte_array record.lift_memory 6 \
         call-core 4294967295)",
    );
    let section = parse(&text).unwrap();
    use Instruction::*;
    assert_eq!(
        section.adapters[0].instructions,
        vec![
            ArgGet { index: 0 },
            I32Push { value: i32::MIN },
            I32Push { value: -1 },
            I64Push { value: i64::MIN },
            I64Push { value: i64::MAX },
            ArrayLiftMemory {
                value_type: IType::Array(Box::new(IType::U8))
            },
            ArrayLowerMemory {
                value_type: IType::ByteArray
            },
            RecordLiftMemory { record_type_id: 6 },
            CallCore {
                function_index: u32::MAX
            },
        ]
    );
    assert_eq!(parse(&print(&section)).unwrap(), section);
    // An empty adapter.
    let empty = parse(&with_version("(@interface func (type 1))")).unwrap();
    assert!(empty.adapters[0].instructions.is_empty());
    assert!(print(&empty).contains("(@interface func (type 1))\n"));
}

#[test]
fn version_errors() {
    let error = parse_error("(@interface export \"a\" (func 0))\n");
    assert!(error.message.contains("old toolchain"), "{error}");
    assert_eq!(at(&error), (2, 1));
    let error = parse_error("");
    assert!(error.message.contains("old toolchain"));

    let error = parse_error(&with_version("  (@interface it_version \"0.28.0\")"));
    assert_eq!(error.message, "only one version directive is possible");
    assert_eq!(at(&error), (2, 15));

    let error = parse_error("(@interface it_version \"0.28\")");
    assert!(error.message.contains("not a valid semver"), "{error}");
    assert_eq!(at(&error), (1, 24));
}

#[test]
fn errors_carry_line_and_column() {
    let cases: &[(&str, (usize, usize), &str)] = &[
        (
            "(@interface type (func (param $a: i33)))",
            (2, 35),
            "expected a type, found `i33`",
        ),
        (
            "(@interface func (type 0)\n  arg.get 0\n  array.size)",
            (4, 3),
            "unknown instruction `array.size`",
        ),
        (
            "(@interface func (type 0) f32.push 1)",
            (2, 27),
            "unknown instruction `f32.push`",
        ),
        (
            "(@interface func (type 0) arg.get -1)",
            (2, 35),
            "out of range",
        ),
        (
            "(@interface func (type 0) call-core x)",
            (2, 37),
            "expected the function_index of `call-core`",
        ),
        (
            "(@interface func (type 0) i32.push 4294967296)",
            (2, 36),
            "out of the i32 range",
        ),
        (
            "(@interface type (record $R ()))",
            (2, 19),
            "record type 0 has no fields",
        ),
        (
            "(@interface type (record $R (field $a: s8) (field $b: s8)))",
            (2, 44),
            "expected `)`",
        ),
        (
            "(@interface type (func (param i32)))",
            (2, 31),
            "expected a parameter name",
        ),
        (
            "(@interface export \"a\" (func 0)",
            (2, 32),
            "found the end of input",
        ),
        ("(@interface export \"a", (2, 20), "unterminated string"),
        (
            "(@interface export \"\\q\" (func 0))",
            (2, 21),
            "invalid escape",
        ),
        (
            "(@interface export \"\\ff\" (func 0))",
            (2, 20),
            "not valid UTF-8",
        ),
        (
            "(@interface frobnicate)",
            (2, 13),
            "expected `it_version`, `type`",
        ),
        ("(module)", (2, 1), "expected `(@interface`, found `(`"),
        (
            "(@interface type (func (param $a: array u8)))",
            (2, 41),
            "expected `(`",
        ),
        (
            "(@interface type (func (param $a: record -1)))",
            (2, 42),
            "out of range",
        ),
        ("(; never closed", (2, 1), "unterminated block comment"),
    ];
    for (items, position, message) in cases {
        let error = parse_error(&with_version(items));
        assert!(
            error.message.contains(message),
            "{items}: expected {message:?}, got {error}"
        );
        assert_eq!(at(&error), *position, "{items}: {error}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("line {}, column {}: ", position.0, position.1))
        );
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let ty = format!("{}u8{}", "array (".repeat(depth), ")".repeat(depth));
    let error = parse_error(&with_version(&format!(
        "(@interface type (func (param $a: {ty})))"
    )));
    assert!(error.message.contains("more than 1024 levels"), "{error}");
    let ty = format!("{}u8{}", "array (".repeat(1024), ")".repeat(1024));
    let section = parse(&with_version(&format!(
        "(@interface type (func (param $a: {ty})))"
    )))
    .unwrap();
    assert_eq!(parse(&print(&section)).unwrap(), section);
}

#[test]
fn annotations_are_read_out_of_a_whole_wat_file() {
    let wat = r#"(module
  ;; (@interface export "in a comment" (func 0))
  (; (@interface export "in a block comment" (func 0)) ;)
  (@interface it_version "0.28.0")
  (@interface type (func (param $name: string) (result string)))   ;; 0
  (memory (export "memory") 1)
  (data (i32.const 0) "(@interface export \"in a string\" (func 0))")
  (@custom "other" "annotation")
  (func (export "greeting") (param i32 i32)
    (@name "x")
    local.get 0
    drop)
  (@interface export "greeting" (func 0))
)
"#;
    let section = parse_annotations(wat).unwrap();
    assert_eq!(section.version, "0.28.0");
    assert_eq!(
        section.types,
        vec![func_entry(&[("name", IType::String)], &[IType::String])]
    );
    assert_eq!(section.exports.len(), 1);
    assert_eq!(section.exports[0].name, "greeting");
    // The same text is not an IT text.
    assert!(parse(wat).is_err());

    // Positions refer to the whole file.
    let broken = "(module\n  (func)\n  (@interface it_version \"0.28.0\")\n  (@interface type (func (param $a: nope))))";
    let error = parse_annotations(broken).unwrap_err();
    assert_eq!(at(&error), (4, 37), "{error}");
    let error = parse_annotations("(module (func))").unwrap_err();
    assert!(error.message.contains("old toolchain"));
}

#[test]
fn printing_never_panics_on_odd_models() {
    let section = Section {
        version: "0.28.0".into(),
        types: vec![
            func_entry(&[], &[]),
            TypeEntry::Function(strait_it::FunctionType {
                params: vec![FunctionArg {
                    name: "\u{1}\t\n".into(),
                    ty: IType::Record(u64::MAX),
                }],
                results: vec![],
            }),
        ],
        ..Section::default()
    };
    let printed = print(&section);
    assert!(
        printed.contains(r#""\01\t\n": record 18446744073709551615"#),
        "{printed}"
    );
    assert_eq!(parse(&printed).unwrap(), section);
}

#[test]
fn instruction_lists_parse_alone() {
    let list = parse_instructions(
        "arg.get 0 ;; a comment\n string.size (; block ;) i32.push -1\n\
         array.lift_memory array (record 6) i64.push 0x7fffffffffffffff call-core 3",
    )
    .unwrap();
    assert_eq!(
        list,
        [
            Instruction::ArgGet { index: 0 },
            Instruction::StringSize,
            Instruction::I32Push { value: -1 },
            Instruction::ArrayLiftMemory {
                value_type: IType::Array(Box::new(IType::Record(6)))
            },
            Instruction::I64Push { value: i64::MAX },
            Instruction::CallCore { function_index: 3 },
        ]
    );
    assert_eq!(parse_instructions("  ;; nothing\n"), Ok(vec![]));
    let cases: &[(&str, (usize, usize), &str)] = &[
        (
            "arg.get 0\n  array.size",
            (2, 3),
            "unknown instruction `array.size`",
        ),
        (
            "arg.get",
            (1, 8),
            "expected the index of `arg.get`, found the end of input",
        ),
        ("dup )", (1, 5), "expected an instruction, found `)`"),
        (
            "array.lift_memory i33",
            (1, 19),
            "expected a type, found `i33`",
        ),
    ];
    for (text, position, message) in cases {
        let error = parse_instructions(text).unwrap_err();
        assert_eq!(
            (at(&error), error.message.as_str()),
            (*position, *message),
            "{text}"
        );
    }
}

#[test]
fn types_parse_alone() {
    let parsed = |text: &str| text.parse::<IType>();
    assert_eq!(parsed("u8"), Ok(IType::U8));
    assert_eq!(parsed(" bool "), Ok(IType::Boolean));
    assert_eq!(parsed("boolean"), Ok(IType::Boolean));
    assert_eq!(parsed("byte_array"), Ok(IType::ByteArray));
    assert_eq!(parsed("array (u8)"), Ok(IType::Array(Box::new(IType::U8))));
    assert_eq!(parsed("record 6"), Ok(IType::Record(6)));
    let every = [
        IType::Boolean,
        IType::S8,
        IType::S16,
        IType::S32,
        IType::S64,
        IType::U8,
        IType::U16,
        IType::U32,
        IType::U64,
        IType::F32,
        IType::F64,
        IType::String,
        IType::ByteArray,
        IType::Array(Box::new(IType::Array(Box::new(IType::Record(u64::MAX))))),
        IType::I32,
        IType::I64,
        IType::Record(0),
    ];
    for ty in every {
        assert_eq!(parsed(&ty.to_string()), Ok(ty.clone()), "{ty}");
    }
    let error = parsed("u8 u16").unwrap_err();
    assert_eq!(at(&error), (1, 4));
    assert_eq!(error.message, "expected the end of the type, found `u16`");
    assert_eq!(
        parsed("i33").unwrap_err().message,
        "expected a type, found `i33`"
    );
    assert_eq!(
        parsed("array (u8").unwrap_err().message,
        "expected `)`, found the end of input"
    );
}
