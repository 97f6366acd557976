//! Lifting and lowering against memory a hostile module controls: wrapping pointers, huge
//! counts, pointer cycles, amplification, lying `allocate`. Nothing may panic, and the host
//! may allocate only what the bounds checks and the lift budget admitted.
//!
//! Host allocations are measured with a counting global allocator. Its counters are
//! process-wide, so this binary holds a single test that runs every scenario in turn, and it
//! stays a binary of its own: in `tests/all` every other test would allocate into the count.

// The helpers of `tests/all`; this binary uses some of them.
#[allow(dead_code)]
#[path = "all/support.rs"]
mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use strait_it::adapter::{InstructionErrorKind, Limits};
use strait_it::memory::{
    LiftBudget, LiftError, LowerError, RecordTable, lift_array, lift_byte_array, lift_record,
    lift_string, lower_array, lower_record, lower_string,
};
use strait_it::{IType, IValue, RecordField, RecordType, TypeEntry};
use support::{ModuleBuilder, Sdk, TestHost, func, records, s, sig};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Runs `f` and returns its result with the host bytes it allocated.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let region = Region::new(GLOBAL);
    let value = f();
    let change = region.change();
    let grown = usize::try_from(change.bytes_reallocated.max(0)).unwrap();
    (value, change.bytes_allocated + grown)
}

fn array(ty: IType) -> IType {
    IType::Array(Box::new(ty))
}

fn budget() -> LiftBudget {
    LiftBudget::default()
}

#[test]
fn hostile_memory() {
    wrapping_pointers_and_lengths();
    huge_counts_allocate_nothing();
    pairs_are_checked_as_eight_bytes();
    pointer_cycles_hit_the_depth_limit();
    amplification_hits_the_lift_budget();
    a_32_mib_string_fits_the_default_budget();
    lying_allocate();
    deep_walks_fit_a_small_stack();
    random_types_over_random_memory();
}

/// Lifting, lowering, value checks and the compiler's type walks go 1024 levels deep with
/// heap frames, not recursion: they fit a 128 KiB thread even in a debug build.
fn deep_walks_fit_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(128 << 10)
        .spawn(|| {
            pointer_cycles_hit_the_depth_limit();
            // A value 1000 levels deep that is valid all the way down.
            let table = records(&[("Tree", &[("children", array(IType::Record(0)))])]);
            let mut value = IValue::Record(vec![IValue::Array(vec![])]);
            for _ in 0..499 {
                value = IValue::Record(vec![IValue::Array(vec![value])]);
            }
            let IValue::Record(fields) = &value else {
                unreachable!()
            };
            strait_it::compat::check_value(&value, &IType::Record(0), &table).unwrap();
            let mut sdk = Sdk::new(1 << 20);
            let ptr = lower_record(&mut sdk, 0, fields, &table).unwrap();
            let lifted = lift_record(&sdk.memory, 0, ptr, &table, &mut budget()).unwrap();
            // (`==` on values this deep would recurse: compare with a worklist.)
            assert_eq!(lifted.len(), fields.len());
            assert!(lifted.iter().zip(fields).all(|(a, b)| same(a, b)));
            drop_deep(IValue::Record(lifted));
            drop_deep(value);
            // The compiler's nesting check over a chain of 1100 record types.
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
            assert!(module.compile().is_err());
        })
        .unwrap()
        .join()
        .unwrap();
}

fn wrapping_pointers_and_lengths() {
    let memory = vec![0u8; 64];
    let out_of_bounds = LiftError::OutOfBounds {
        offset: 0xFFFF_FFF0,
        size: 0x20,
        memory_size: 64,
    };
    assert_eq!(
        lift_string(&memory, 0xFFFF_FFF0, 0x20, &mut budget()),
        Err(out_of_bounds.clone())
    );
    assert_eq!(
        lift_byte_array(&memory, 0xFFFF_FFF0, 0x20, &mut budget()),
        Err(out_of_bounds.clone())
    );
    let table = RecordTable::default();
    assert_eq!(
        lift_array(
            &memory,
            &IType::U8,
            0xFFFF_FFF0,
            0x20,
            &table,
            &mut budget()
        ),
        Err(out_of_bounds)
    );
    // The same pair inside memory, read as a string element.
    let mut memory = vec![0u8; 64];
    memory[..4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    memory[4..8].copy_from_slice(&0x20u32.to_le_bytes());
    assert!(lift_array(&memory, &IType::String, 0, 1, &table, &mut budget()).is_err());
    // And through an adapter.
    let mut builder = ModuleBuilder::new();
    builder.export(
        "f",
        func(&[("p", IType::I32), ("n", IType::I32)], &[IType::String]),
        sig(&[], &[]),
        "arg.get 0 arg.get 1 string.lift_memory",
    );
    let module = builder.compile().unwrap();
    let mut host = TestHost::new(&module, 64);
    let error = support::call(
        &module,
        "f",
        &[IValue::I32(0xFFFF_FFF0u32.cast_signed()), IValue::I32(0x20)],
        &mut host,
    )
    .unwrap_err();
    assert!(matches!(
        error.kind,
        InstructionErrorKind::MemoryOutOfBoundsAccess {
            index: 0x1_0000_0010,
            length: 64
        }
    ));
}

fn huge_counts_allocate_nothing() {
    // 2^30 u32 elements: 4 GiB that Marine computes as 0 in u32 and then reserves (D18).
    let memory = vec![0u8; 1 << 16];
    let table = RecordTable::default();
    for element in [
        IType::U32,
        IType::U64,
        IType::String,
        IType::Record(0),
        array(IType::U8),
    ] {
        let (result, allocated) =
            measured(|| lift_array(&memory, &element, 0, 1 << 30, &table, &mut budget()));
        assert!(
            matches!(result, Err(LiftError::OutOfBounds { .. })),
            "{element}"
        );
        assert!(allocated < 1024, "{element}: {allocated} bytes");
    }
    // A count that fits memory but not the budget is refused before the host reserves it.
    let big = vec![0u8; 1 << 20];
    let (result, allocated) = measured(|| {
        lift_array(
            &big,
            &IType::U8,
            0,
            1 << 20,
            &table,
            &mut LiftBudget::new(1 << 20),
        )
    });
    assert!(matches!(result, Err(LiftError::BudgetExceeded { .. })));
    assert!(allocated < 1024, "{allocated} bytes");
}

fn pairs_are_checked_as_eight_bytes() {
    // D20: `array<byte_array>` at (60, 2) in 64 bytes of memory needs 16 bytes.
    let memory = vec![0u8; 64];
    let table = RecordTable::default();
    for element in [IType::ByteArray, array(IType::U8), IType::String] {
        assert_eq!(
            lift_array(&memory, &element, 60, 2, &table, &mut budget()),
            Err(LiftError::OutOfBounds {
                offset: 60,
                size: 16,
                memory_size: 64
            }),
            "{element}"
        );
    }
    // Nested inside a record: the record itself is checked as one region first.
    let table = records(&[("R", &[("items", array(IType::ByteArray))])]);
    let mut memory = vec![0u8; 64];
    memory[56..60].copy_from_slice(&60u32.to_le_bytes());
    memory[60..64].copy_from_slice(&2u32.to_le_bytes());
    assert_eq!(
        lift_record(&memory, 0, 56, &table, &mut budget()),
        Err(LiftError::OutOfBounds {
            offset: 60,
            size: 16,
            memory_size: 64
        })
    );
}

fn pointer_cycles_hit_the_depth_limit() {
    // Node { value: u8, next: record 0 } at 0, whose `next` is 0 again.
    let table = records(&[("Node", &[("value", IType::U8), ("next", IType::Record(0))])]);
    let memory = vec![1u8, 0, 0, 0, 0, 0, 0, 0];
    let (result, allocated) = measured(|| lift_record(&memory, 0, 0, &table, &mut budget()));
    assert_eq!(result, Err(LiftError::TooDeep { limit: 1024 }));
    assert!(allocated < 1 << 20, "{allocated} bytes");
    // Tree { children: array (record 0) }: the array at 8 holds one pointer, to 0.
    let table = records(&[("Tree", &[("children", array(IType::Record(0)))])]);
    let mut memory = vec![0u8; 16];
    memory[0..4].copy_from_slice(&8u32.to_le_bytes());
    memory[4..8].copy_from_slice(&1u32.to_le_bytes());
    assert_eq!(
        lift_record(&memory, 0, 0, &table, &mut budget()),
        Err(LiftError::TooDeep { limit: 1024 })
    );
    // Lowering a value nested deeper than the limit is refused too.
    let mut value = IValue::Record(vec![IValue::Array(vec![])]);
    for _ in 0..1100 {
        value = IValue::Record(vec![IValue::Array(vec![value])]);
    }
    let mut sdk = Sdk::new(1 << 16);
    let IValue::Record(fields) = &value else {
        unreachable!()
    };
    let error = lower_record(&mut sdk, 0, fields, &table).unwrap_err();
    assert!(error.to_string().contains("1024"), "{error}");
    assert!(sdk.log.is_empty());
    drop_deep(value);
}

/// Compares two values with a worklist instead of the recursive derived `==`.
fn same(a: &IValue, b: &IValue) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        match (a, b) {
            (IValue::Record(x), IValue::Record(y)) | (IValue::Array(x), IValue::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                pending.extend(x.iter().zip(y));
            }
            (IValue::Record(_) | IValue::Array(_), _)
            | (_, IValue::Record(_) | IValue::Array(_)) => {
                return false;
            }
            _ => {
                if a != b {
                    return false;
                }
            }
        }
    }
    true
}

/// Drops a deeply nested value without recursing as deep as its nesting.
fn drop_deep(value: IValue) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            IValue::Record(items) | IValue::Array(items) => pending.extend(items),
            _ => {}
        }
    }
}

fn amplification_hits_the_lift_budget() {
    // 2^20 string elements all pointing at one 64 KiB string: 64 GiB if lifted.
    const COUNT: u32 = 1 << 20;
    const TEXT: u32 = 64 << 10;
    let pairs = COUNT as usize * 8;
    let mut memory = vec![b'a'; pairs + TEXT as usize];
    for pair in memory[..pairs].chunks_exact_mut(8) {
        pair[..4].copy_from_slice(&u32::try_from(pairs).unwrap().to_le_bytes());
        pair[4..].copy_from_slice(&TEXT.to_le_bytes());
    }
    let limit = 64 << 20;
    let table = RecordTable::default();
    let (result, allocated) = measured(|| {
        lift_array(
            &memory,
            &IType::String,
            0,
            COUNT,
            &table,
            &mut LiftBudget::new(limit),
        )
    });
    assert_eq!(result, Err(LiftError::BudgetExceeded { limit }));
    assert!(
        allocated <= usize::try_from(limit).unwrap() + (1 << 20),
        "{allocated} bytes"
    );

    // Through an adapter, with the interpreter's limit.
    let mut builder = ModuleBuilder::new();
    builder.export(
        "f",
        func(
            &[("p", IType::I32), ("n", IType::I32)],
            &[array(IType::String)],
        ),
        sig(&[], &[]),
        "arg.get 0 arg.get 1 array.lift_memory string",
    );
    let module = builder.compile().unwrap();
    let mut host = TestHost::new(&module, 0);
    host.sdk.memory = memory;
    let mut interpreter = strait_it::adapter::Interpreter::with_limits(Limits {
        max_lifted_bytes: limit,
    });
    let mut results = Vec::new();
    let program = &module.export("f").unwrap().program;
    let error = interpreter
        .run(
            &module,
            program,
            &[IValue::I32(0), IValue::I32(COUNT.cast_signed())],
            &mut host,
            &mut results,
        )
        .unwrap_err();
    assert!(matches!(
        error.kind,
        InstructionErrorKind::LiError(LiftError::BudgetExceeded { .. })
    ));
    assert!(error.to_string().contains("lifted values exceed the limit"));
}

fn a_32_mib_string_fits_the_default_budget() {
    let memory = vec![b'x'; 32 << 20];
    let text = lift_string(&memory, 0, 32 << 20, &mut budget()).unwrap();
    assert_eq!(text.len(), 32 << 20);
}

fn lying_allocate() {
    let table = records(&[("R", &[("s", IType::String)])]);
    let cases: [(u32, &str); 3] = [
        (0, "returned a null pointer"),
        (60, "returned offset 60, outside memory of 64 bytes"),
        (u32::MAX, "outside memory"),
    ];
    for (answer, message) in cases {
        let mut sdk = Sdk::new(64);
        sdk.allocate_hook = Some(Box::new(move |_, _| answer));
        let error = lower_string(&mut sdk, "hostile!").unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
        let error = lower_record(&mut sdk, 0, &[s("abc")], &table).unwrap_err();
        assert!(
            matches!(
                error,
                LowerError::AllocateNull { .. } | LowerError::AllocateOutOfBounds { .. }
            ),
            "{error}"
        );
        let values = IValue::Array(vec![IValue::U64(1); 100]);
        assert!(lower_array(&mut sdk, &IType::U64, &values, &table).is_err());
    }
    // allocate(0, tag) may answer anything up to the memory size, 0 included.
    let mut sdk = Sdk::new(64);
    sdk.allocate_hook = Some(Box::new(|_, _| 0));
    assert_eq!(lower_string(&mut sdk, "").unwrap(), (0, 0));
}

// ---------------------------------------------------------------------------------------
// Property: random types (records may be recursive) lifted from random memory.

fn scalar() -> impl Strategy<Value = IType> {
    prop_oneof![
        Just(IType::Boolean),
        Just(IType::S8),
        Just(IType::U16),
        Just(IType::S32),
        Just(IType::U64),
        Just(IType::F32),
        Just(IType::F64),
        Just(IType::I64),
    ]
}

fn itype(records: u64) -> impl Strategy<Value = IType> {
    let leaf = prop_oneof![
        4 => scalar(),
        2 => Just(IType::String),
        2 => Just(IType::ByteArray),
        2 => (0..records).prop_map(IType::Record),
    ];
    leaf.prop_recursive(3, 8, 1, |inner| inner.prop_map(array))
}

#[derive(Debug, Clone)]
struct Input {
    types: Vec<TypeEntry>,
    ty: IType,
    memory: Vec<u8>,
    ptr: u32,
    count: u32,
}

fn input() -> impl Strategy<Value = Input> {
    (1u64..4)
        .prop_flat_map(|records| {
            let record = prop::collection::vec(itype(records), 1..4).prop_map(|fields| {
                TypeEntry::Record(RecordType {
                    name: "R".into(),
                    fields: fields
                        .into_iter()
                        .map(|ty| RecordField {
                            name: "f".into(),
                            ty,
                        })
                        .collect(),
                })
            });
            (
                prop::collection::vec(record, usize::try_from(records).unwrap()),
                itype(records),
                0usize..1024,
            )
        })
        .prop_flat_map(|(types, ty, len)| {
            let bound = u32::try_from(len.max(1)).unwrap();
            // Words biased towards pointers and lengths that land inside memory.
            let word = prop_oneof![3 => 0..bound, 1 => 0..16u32, 1 => any::<u32>()];
            let memory = prop::collection::vec(word, len / 4).prop_map(|words| {
                words
                    .iter()
                    .flat_map(|w| w.to_le_bytes())
                    .collect::<Vec<u8>>()
            });
            let position = prop_oneof![3 => 0..bound, 1 => any::<u32>()];
            let count = prop_oneof![3 => 0..16u32, 1 => any::<u32>()];
            (Just(types), Just(ty), memory, position, count)
        })
        .prop_map(|(types, ty, memory, ptr, count)| Input {
            types,
            ty,
            memory,
            ptr,
            count,
        })
}

fn random_types_over_random_memory() {
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&input(), |input| {
            let table = RecordTable::new(&input.types).unwrap();
            let mut budget = LiftBudget::new(1 << 20);
            let (result, allocated) = measured(|| match &input.ty {
                IType::Record(id) => {
                    lift_record(&input.memory, *id, input.ptr, &table, &mut budget)
                        .map(IValue::Record)
                }
                IType::String => lift_string(&input.memory, input.ptr, input.count, &mut budget)
                    .map(IValue::String),
                element => lift_array(
                    &input.memory,
                    element,
                    input.ptr,
                    input.count,
                    &table,
                    &mut budget,
                )
                .map(IValue::Array),
            });
            // What the host allocated was admitted by the budget first: values never
            // outgrow what it charged, whatever the memory says.
            prop_assert!(
                allocated <= usize::try_from(budget.used()).unwrap() + 4096,
                "allocated {allocated} bytes for {} charged ({:?})",
                budget.used(),
                result.as_ref().err()
            );
            if let Ok(value) = result {
                drop_deep(value);
            }
            Ok(())
        })
        .unwrap();
}
