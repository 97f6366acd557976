//! The load-time checks of `spec/it-section.md` §7 on hand-written sections: each rule
//! rejects a bad section with an error naming the adapter type and the instruction, and
//! what the toolchain emits passes.

use crate::support::{ModuleBuilder, func, instructions_of, sig};
use strait_it::adapter::{
    AdapterError, AdapterErrorKind, CompileError, CoreType, Item, NestingError, TypeKind,
};
use strait_it::{Adapter, IType, Implementation, Import, TypeEntry};

use CoreType::{I32, I64};

fn array(ty: IType) -> IType {
    IType::Array(Box::new(ty))
}

/// A module with `f(s: string) -> string` (adapter type 6) whose adapter is `instructions`.
fn string_function(instructions: &str) -> ModuleBuilder {
    let mut module = ModuleBuilder::new();
    module.export(
        "f",
        func(&[("s", IType::String)], &[IType::String]),
        sig(&[I32, I32], &[]),
        instructions,
    );
    module
}

/// The adapter error of a section that must fail in an adapter.
fn adapter_error(module: &ModuleBuilder) -> AdapterError {
    match module.compile() {
        Err(CompileError::Adapter(error)) => error,
        other => panic!("expected an adapter error, got {other:?}"),
    }
}

const GREETING: &str = "arg.get 0 string.size i32.push 1 call-core 0 arg.get 0 \
    string.lower_memory call-core 6 call-core 3 call-core 2 string.lift_memory call-core 1";

#[test]
fn the_toolchain_pattern_compiles() {
    let module = string_function(GREETING).compile().unwrap();
    assert_eq!(module.exports()[0].name, "f");
    assert_eq!(module.exports()[0].program.adapter_type(), 6);
}

#[test]
fn rule_1_type_indices_in_range_and_of_the_right_kind() {
    let mut module = string_function(GREETING);
    module.section.imports.push(Import {
        namespace: "m".into(),
        name: "g".into(),
        function_type: 99,
    });
    assert_eq!(
        module.compile().unwrap_err(),
        CompileError::TypeOutOfRange {
            item: Item::Import(0),
            index: 99,
            count: 8
        }
    );

    let mut module = string_function(GREETING);
    let record = module.record("R", &[("a", IType::U8)]);
    module.section.exports[6].function_type = record;
    assert_eq!(
        module.compile().unwrap_err(),
        CompileError::WrongTypeKind {
            item: Item::Export(6),
            index: u64::from(record),
            expected: TypeKind::Function
        }
    );

    // `record N` in a function type must name a record.
    let mut module = ModuleBuilder::new();
    module.export(
        "f",
        func(&[("r", IType::Record(0))], &[]),
        sig(&[I32], &[]),
        "arg.get 0 record.lower_memory 0 call-core 6",
    );
    let error = module.compile().unwrap_err();
    assert_eq!(
        error,
        CompileError::WrongTypeKind {
            item: Item::Type(6),
            index: 0,
            expected: TypeKind::Record
        }
    );
    assert_eq!(
        error.to_string(),
        "type 6 refers to type 0, which is not a record type"
    );

    // Immediates: `record.lift_memory 3` (a function type), `array.lift_memory record 50`.
    let mut module = ModuleBuilder::new();
    module.export(
        "f",
        func(&[], &[]),
        sig(&[], &[]),
        "call-core 3 record.lift_memory 3 call-core 1",
    );
    let error = adapter_error(&module);
    assert_eq!(
        (error.adapter_type, error.instruction_index, &error.kind),
        (6, 1, &AdapterErrorKind::NotARecord { index: 3 })
    );
    assert_eq!(
        error.to_string(),
        "adapter for type 6, instruction 1 `record.lift_memory 3`: type 3 is not a record type"
    );
    let mut module = ModuleBuilder::new();
    module.export(
        "f",
        func(&[], &[]),
        sig(&[], &[]),
        "call-core 3 call-core 2 array.lift_memory record 50 call-core 1",
    );
    let error = adapter_error(&module);
    assert_eq!(
        (error.instruction_index, &error.kind),
        (2, &AdapterErrorKind::TypeOutOfRange { index: 50 })
    );

    // A record type without fields (D5) and a field naming a function type.
    let mut module = ModuleBuilder::new();
    module.record("Empty", &[]);
    assert!(
        module
            .compile()
            .unwrap_err()
            .to_string()
            .contains("record type 6 has no fields")
    );
    let mut module = ModuleBuilder::new();
    module.record("Bad", &[("f", array(IType::Record(1)))]);
    assert!(matches!(
        module.compile().unwrap_err(),
        CompileError::Records(_)
    ));
}

#[test]
fn rule_2_implementations_and_adapters() {
    let mut module = string_function(GREETING);
    module.section.adapters.clear();
    assert_eq!(
        module.compile().unwrap_err(),
        CompileError::NoSuchAdapter {
            implementation: 0,
            core_type: 7,
            adapter_type: 6
        }
    );

    let mut module = string_function(GREETING);
    let duplicate = module.section.adapters[0].clone();
    module.section.adapters.push(duplicate);
    assert_eq!(
        module.compile().unwrap_err(),
        CompileError::DuplicateAdapter { adapter_type: 6 }
    );

    let mut module = string_function(GREETING);
    module.section.implementations.push(Implementation {
        core_function_type: 7,
        adapter_function_type: 6,
    });
    assert_eq!(
        module.compile().unwrap_err(),
        CompileError::DuplicateImplementation { core_type: 7 }
    );

    // An adapter no implementation uses is ignored, however wrong its instructions.
    let mut module = string_function(GREETING);
    module.section.adapters.push(Adapter {
        function_type: 1,
        instructions: instructions_of("call-core 99 swap2 string.size"),
    });
    module.compile().unwrap();
}

#[test]
fn rule_3_call_core_and_arg_get_indices() {
    // 7 exports: `call-core 7` is past the function space.
    let module = string_function("arg.get 0 dup call-core 7");
    let error = adapter_error(&module);
    assert_eq!(
        (error.adapter_type, error.instruction_index, &error.kind),
        (
            6,
            2,
            &AdapterErrorKind::FunctionOutOfRange { index: 7, count: 7 }
        )
    );
    let module = string_function("arg.get 1");
    let error = adapter_error(&module);
    assert_eq!(
        (error.instruction_index, &error.kind),
        (
            0,
            &AdapterErrorKind::ArgumentOutOfRange { index: 1, arity: 1 }
        )
    );
    assert_eq!(
        error.to_string(),
        "adapter for type 6, instruction 0 `arg.get 1`: argument 1 does not exist (the adapter has 1 parameters)"
    );
}

#[test]
fn rule_4_stack_effects_type_check() {
    // string.lift_memory needs (i32, i32), finds a string.
    let error = adapter_error(&string_function("arg.get 0 arg.get 0 string.lift_memory"));
    assert_eq!(
        (error.instruction_index, error.kind),
        (
            2,
            AdapterErrorKind::TypeMismatch {
                expected: IType::I32,
                found: IType::String
            }
        )
    );
    // Too few values.
    let error = adapter_error(&string_function("i32.push 1 swap2"));
    assert_eq!(
        error.kind,
        AdapterErrorKind::StackTooSmall {
            needed: 2,
            available: 1
        }
    );
    // Core functions are typed by their wasm signatures: the core `f` takes (i32, i32).
    let error = adapter_error(&string_function("arg.get 0 call-core 6"));
    assert_eq!(error.instruction_index, 1);
    // No widening: `s32` is not `i32`.
    let mut module = ModuleBuilder::new();
    module.export(
        "f",
        func(&[("x", IType::S32)], &[]),
        sig(&[I32], &[]),
        "arg.get 0 call-core 6",
    );
    assert_eq!(
        adapter_error(&module).kind,
        AdapterErrorKind::TypeMismatch {
            expected: IType::I32,
            found: IType::S32
        }
    );
    // The final stack must match the results.
    let error = adapter_error(&string_function("arg.get 0 string.size"));
    assert_eq!(
        (
            error.instruction_index,
            error.instruction.is_none(),
            error.kind
        ),
        (
            2,
            true,
            AdapterErrorKind::FinalStack {
                expected: vec![IType::String],
                found: vec![IType::I32]
            }
        )
    );
    assert!(
        adapter_error(&string_function("arg.get 0 arg.get 0"))
            .to_string()
            .starts_with("adapter for type 6, end of the adapter (after 2 instructions)")
    );
}

#[test]
fn rule_4_imported_functions_are_typed_by_their_it_level_type() {
    // An import of `g(s: string) -> s64` whose adapter treats the result as a string.
    let mut module = ModuleBuilder::new();
    module.import(
        "other",
        "g",
        func(&[("s", IType::String)], &[IType::S64]),
        func(&[("ptr", IType::I32), ("len", IType::I32)], &[IType::I64]),
        "arg.get 0 arg.get 1 string.lift_memory call-core 1 call-core 6 \
         dup string.size i32.push 1 call-core 0 swap2 string.lower_memory call-core 4 call-core 5",
    );
    let error = adapter_error(&module);
    assert_eq!(error.adapter_type, 7);
    assert_eq!(error.instruction_index, 6);
    assert_eq!(
        error.kind,
        AdapterErrorKind::TypeMismatch {
            expected: IType::String,
            found: IType::S64
        }
    );
    // The same with the right conversion compiles; the import is slot 0 (call-core 6).
    let mut module = ModuleBuilder::new();
    module.import(
        "other",
        "g",
        func(&[("s", IType::String)], &[IType::S64]),
        func(&[("ptr", IType::I32), ("len", IType::I32)], &[IType::I64]),
        "arg.get 0 arg.get 1 string.lift_memory call-core 1 call-core 6 i64.from_s64",
    );
    let compiled = module.compile().unwrap();
    assert_eq!(compiled.imports()[0].raw, sig(&[I32, I32], &[I64]));
    assert!(compiled.exports().is_empty());
}

#[test]
fn older_toolchain_raw_types_are_accepted() {
    // records_passing (SDK 0.6.0) declares a raw import result as `s32`: the stack holds the
    // `i32` that `i32.from_s32` produced, which is what the wasm import returns.
    let mut module = ModuleBuilder::new();
    module.import(
        "effector",
        "get_drop_count",
        func(&[], &[IType::S32]),
        func(&[], &[IType::S32]),
        "call-core 6 i32.from_s32",
    );
    let compiled = module.compile().unwrap();
    assert_eq!(compiled.imports()[0].raw, sig(&[], &[I32]));
    // `byte_array` and `array (u8)` stand for each other (§1.4).
    let mut module = ModuleBuilder::new();
    module.export(
        "get",
        func(&[], &[array(IType::U8)]),
        sig(&[], &[]),
        "call-core 6 call-core 3 call-core 2 byte_array.lift_memory call-core 1",
    );
    module.import(
        "storage",
        "get",
        func(&[], &[IType::ByteArray]),
        func(&[], &[]),
        "call-core 7 array.lower_memory u8 call-core 4 call-core 5",
    );
    module.compile().unwrap();
}

#[test]
fn rule_4_import_raw_types_have_core_forms() {
    let mut module = ModuleBuilder::new();
    module.import(
        "other",
        "g",
        func(&[("s", IType::String)], &[]),
        func(&[("s", IType::String)], &[]),
        "arg.get 0 call-core 1 call-core 6",
    );
    assert_eq!(
        module.compile().unwrap_err().to_string(),
        "import `other`.`g`: its raw signature uses `string`, which is not a core wasm type"
    );
    // The IT-level type (core type − 2) must be a function type.
    let mut module = ModuleBuilder::new();
    module.import("other", "g", func(&[], &[]), func(&[], &[]), "call-core 6");
    module.section.types[6] = TypeEntry::Record(strait_it::RecordType {
        name: "R".into(),
        fields: vec![strait_it::RecordField {
            name: "a".into(),
            ty: IType::U8,
        }],
    });
    module.section.imports.remove(0);
    assert!(matches!(
        module.compile().unwrap_err(),
        CompileError::ImportItType { core_type: 8, .. }
    ));
}

#[test]
fn rule_5_records_reachable_from_adapters_are_acyclic_and_shallow() {
    // Node { children: array (record 6) } is cyclic.
    let mut module = ModuleBuilder::new();
    let node = module.record("Node", &[("children", array(IType::Record(6)))]);
    assert_eq!(node, 6);
    module.compile().unwrap(); // not reachable from an adapter: accepted
    module.export(
        "f",
        func(&[("n", IType::Record(6))], &[]),
        sig(&[I32], &[]),
        "arg.get 0 record.lower_memory 6 call-core 6",
    );
    assert_eq!(
        module.compile().unwrap_err(),
        CompileError::Nesting {
            item: Item::Type(7),
            reason: NestingError::Cyclic { record_type_id: 6 }
        }
    );
    // A chain of 1100 records, each holding the next.
    let mut module = ModuleBuilder::new();
    for i in 0..1100u32 {
        let next = if i == 1099 {
            IType::U8
        } else {
            IType::Record(u64::from(i + 7))
        };
        module.record("Link", &[("next", next)]);
    }
    module.export(
        "f",
        func(&[], &[]),
        sig(&[], &[]),
        "call-core 3 record.lift_memory 6 call-core 1 i32.push 0 call-core 5",
    );
    let error = adapter_error(&module);
    assert_eq!(
        (error.instruction_index, error.kind),
        (
            1,
            AdapterErrorKind::Nesting(NestingError::TooDeep { limit: 1024 })
        )
    );
}

#[test]
fn rule_6_abi_signatures_and_core_exports() {
    let mut module = string_function(GREETING);
    module.signatures[0].1 = sig(&[I32], &[I32]);
    assert_eq!(
        module.compile().unwrap_err().to_string(),
        "wasm export `allocate` has the signature (i32) -> (i32); the ABI requires (i32, i32) -> (i32)"
    );
    let mut module = string_function(GREETING);
    module.signatures.retain(|(name, _)| name != "f");
    assert_eq!(
        module.compile().unwrap_err(),
        CompileError::MissingCoreExport { name: "f".into() }
    );
    // Without `allocate` at slot 0, instructions that allocate are refused.
    let mut module = ModuleBuilder::new();
    module.section.exports.swap(0, 1);
    module.export(
        "f",
        func(&[("v", array(IType::U8))], &[]),
        sig(&[I32, I32], &[]),
        "arg.get 0 array.lower_memory u8 call-core 6",
    );
    let error = adapter_error(&module);
    assert_eq!(
        (error.instruction_index, error.kind),
        (1, AdapterErrorKind::AllocateSignature)
    );
}
