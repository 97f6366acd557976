//! Every instruction run through the compiler and the interpreter: its result, and each
//! error it can raise at run time (`spec/it-section.md` §3.2, §3.3, §3.5). Errors that a
//! checked adapter cannot reach (too few values, unknown functions) are load errors, tested
//! in `validation.rs`; D10's counts are tested inside the crate.

use crate::support;
use crate::support::{ModuleBuilder, TestHost, bytes, call, func, instructions_of, s, sig};
use strait_it::adapter::{CoreSignature, CoreType, InstructionError, InstructionErrorKind};
use strait_it::instructions::{ConversionMode, NAMES, ScalarKind};
use strait_it::memory::{LiftError, LowerError};
use strait_it::{IType, IValue, Instruction};

use CoreType::{I32, I64};

fn array(ty: IType) -> IType {
    IType::Array(Box::new(ty))
}

/// A one-function module `f(params) -> results` whose adapter is `instructions`; the core
/// export `f` has `core` as its signature.
struct Case {
    builder: ModuleBuilder,
}

impl Case {
    fn new(params: &[IType], results: &[IType], instructions: &str) -> Self {
        Self::with_core(params, results, instructions, sig(&[], &[]))
    }

    fn with_core(
        params: &[IType],
        results: &[IType],
        instructions: &str,
        core: CoreSignature,
    ) -> Self {
        let names = ["a", "b", "c", "d"];
        let params: Vec<(&str, IType)> = params
            .iter()
            .enumerate()
            .map(|(i, ty)| (names[i], ty.clone()))
            .collect();
        let mut builder = ModuleBuilder::new();
        builder.export("f", func(&params, results), core, instructions);
        Self { builder }
    }

    /// Runs with `memory` bytes of memory, after `setup`.
    fn run_with(
        &self,
        inputs: &[IValue],
        memory: usize,
        setup: impl FnOnce(TestHost) -> TestHost,
    ) -> (Result<Vec<IValue>, InstructionError>, TestHost) {
        let module = self.builder.compile().unwrap_or_else(|e| panic!("{e}"));
        let mut host = setup(TestHost::new(&module, memory));
        let result = call(&module, "f", inputs, &mut host);
        (result, host)
    }

    fn run(&self, inputs: &[IValue]) -> Result<Vec<IValue>, InstructionError> {
        self.run_with(inputs, 256, |host| host).0
    }
}

fn kind(result: Result<Vec<IValue>, InstructionError>) -> InstructionErrorKind {
    result.unwrap_err().kind
}

// ---------------------------------------------------------------------------------------
// Numeric conversions, all 34, from the instruction table.

fn range(kind: ScalarKind) -> (i128, i128) {
    match kind {
        ScalarKind::Boolean => (0, 1),
        ScalarKind::S8 => (i8::MIN.into(), i8::MAX.into()),
        ScalarKind::S16 => (i16::MIN.into(), i16::MAX.into()),
        ScalarKind::S32 | ScalarKind::I32 => (i32::MIN.into(), i32::MAX.into()),
        ScalarKind::S64 | ScalarKind::I64 => (i64::MIN.into(), i64::MAX.into()),
        ScalarKind::U8 => (0, u8::MAX.into()),
        ScalarKind::U16 => (0, u16::MAX.into()),
        ScalarKind::U32 => (0, u32::MAX.into()),
        ScalarKind::U64 => (0, u64::MAX.into()),
    }
}

fn value(kind: ScalarKind, x: i128) -> IValue {
    match kind {
        ScalarKind::Boolean => IValue::Boolean(x != 0),
        ScalarKind::S8 => IValue::S8(x.try_into().unwrap()),
        ScalarKind::S16 => IValue::S16(x.try_into().unwrap()),
        ScalarKind::S32 => IValue::S32(x.try_into().unwrap()),
        ScalarKind::S64 => IValue::S64(x.try_into().unwrap()),
        ScalarKind::U8 => IValue::U8(x.try_into().unwrap()),
        ScalarKind::U16 => IValue::U16(x.try_into().unwrap()),
        ScalarKind::U32 => IValue::U32(x.try_into().unwrap()),
        ScalarKind::U64 => IValue::U64(x.try_into().unwrap()),
        ScalarKind::I32 => IValue::I32(x.try_into().unwrap()),
        ScalarKind::I64 => IValue::I64(x.try_into().unwrap()),
    }
}

#[test]
fn every_conversion() {
    let conversions: Vec<Instruction> = NAMES
        .iter()
        .filter(|name| !name.contains('-') && !["arg.get", "i32.push", "i64.push"].contains(name))
        .filter(|name| !name.starts_with("array.") && !name.starts_with("record."))
        .flat_map(|name| instructions_of(name))
        .filter(|i| i.conversion().is_some())
        .collect();
    assert_eq!(conversions.len(), 34);
    for instruction in conversions {
        let c = instruction.conversion().unwrap();
        let case = Case::new(
            &[c.from.itype()],
            &[c.to.itype()],
            &format!("arg.get 0 {instruction}"),
        );
        let (from_min, from_max) = range(c.from);
        let (to_min, to_max) = range(c.to);
        // In range: 1 (true) converts to 1 (true).
        assert_eq!(
            case.run(&[value(c.from, 1)]).unwrap(),
            [value(c.to, 1)],
            "{instruction}"
        );
        match c.mode {
            ConversionMode::Reinterpret => {
                // D9: the bit pattern crosses whatever the sign.
                let (x, y) = if from_min < 0 {
                    (-1, to_max)
                } else {
                    (from_max, -1)
                };
                assert_eq!(
                    case.run(&[value(c.from, x)]).unwrap(),
                    [value(c.to, y)],
                    "{instruction}"
                );
            }
            ConversionMode::NonZero => {
                assert_eq!(
                    case.run(&[value(c.from, -7)]).unwrap(),
                    [IValue::Boolean(true)]
                );
                assert_eq!(
                    case.run(&[value(c.from, 0)]).unwrap(),
                    [IValue::Boolean(false)]
                );
            }
            ConversionMode::Checked => {
                // Both ends of the target's range convert; one past them fails.
                for edge in [to_min.max(from_min), to_max.min(from_max)] {
                    assert_eq!(
                        case.run(&[value(c.from, edge)]).unwrap(),
                        [value(c.to, edge)]
                    );
                }
                for outside in [to_min - 1, to_max + 1] {
                    if (from_min..=from_max).contains(&outside) {
                        let error = case.run(&[value(c.from, outside)]).unwrap_err();
                        assert_eq!(error.instruction_index, 1);
                        assert_eq!(
                            error.to_string(),
                            format!(
                                "`{instruction}` failed to cast `{:?}` to `{:?}`",
                                c.from, c.to
                            )
                        );
                    }
                }
            }
        }
        // The wrong variant is refused (D11 wording: the received value, then the type).
        let error = case.run(&[s("x")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "`{instruction}` read a value `String(\"x\")` from the stack, that can't be converted to `{}`",
                c.from.itype()
            )
        );
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn arg_get() {
    let case = Case::new(&[IType::String], &[IType::String], "arg.get 0");
    assert_eq!(case.run(&[s("v")]).unwrap(), [s("v")]);
    let error = case.run(&[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`arg.get 0` cannot access invocation inputs #0 because it doesn't exist"
    );
}

#[test]
fn call_core_export() {
    let case = Case::with_core(
        &[IType::I32, IType::I64],
        &[IType::I64],
        "arg.get 0 arg.get 1 call-core 6",
        sig(&[I32, I64], &[I64]),
    );
    let add = |host: TestHost| {
        host.function("f", |_, args| match args {
            [IValue::I32(a), IValue::I64(b)] => Ok(vec![IValue::I64(i64::from(*a) + b)]),
            _ => Err("bad args".into()),
        })
    };
    let (result, host) = case.run_with(&[IValue::I32(2), IValue::I64(40)], 64, add);
    assert_eq!(result.unwrap(), [IValue::I64(42)]);
    assert_eq!(host.log(), ["f(2, 40) -> 42"]);

    // A value of the wrong kind for the wasm signature.
    let (result, _) = case.run_with(&[IValue::S32(2), IValue::I64(40)], 64, add);
    assert!(matches!(
        kind(result),
        InstructionErrorKind::InvalidValueOnTheStack { .. }
    ));

    // The callee fails: the host's error passes through and can be downcast.
    #[derive(Debug, thiserror::Error)]
    #[error("trap: unreachable")]
    struct Trap;
    let (result, _) = case.run_with(&[IValue::I32(2), IValue::I64(40)], 64, |host| {
        host.function("f", |_, _| Err(Trap.into()))
    });
    let error = result.unwrap_err();
    assert_eq!(
        error.to_string(),
        "`call-core 6` failed while calling the local or import function `f`: trap: unreachable"
    );
    assert!(
        error
            .kind
            .host_error()
            .unwrap()
            .downcast_ref::<Trap>()
            .is_some()
    );
    assert!(std::error::Error::source(&error).is_some());

    // The host returns values that do not match the signature (D15).
    let (result, _) = case.run_with(&[IValue::I32(2), IValue::I64(40)], 64, |host| {
        host.function("f", |_, _| Ok(vec![IValue::I32(1)]))
    });
    assert!(matches!(
        kind(result),
        InstructionErrorKind::UnexpectedResults { .. }
    ));
}

#[test]
fn call_core_import() {
    let mut builder = ModuleBuilder::new();
    builder.import(
        "other",
        "g",
        func(&[("x", IType::U32)], &[IType::String]),
        func(&[("x", IType::I32)], &[]),
        "arg.get 0 u32.from_i32 call-core 6 dup string.size i32.push 1 call-core 0 \
         swap2 string.lower_memory call-core 4 call-core 5",
    );
    let module = builder.compile().unwrap();
    let program = &module.imports()[0].program;
    let mut host = TestHost::new(&module, 256).import(0, |_, args| {
        assert_eq!(args, [IValue::U32(u32::MAX)]);
        Ok(vec![s("out")])
    });
    let out = support::run(&module, program, &[IValue::I32(-1)], &mut host).unwrap();
    assert!(out.is_empty());
    assert_eq!(
        host.log(),
        [
            "import other.g",
            "allocate(3, 1) -> 16",
            "set_result_size(3)",
            "set_result_ptr(16)"
        ]
    );
    // The callee fails.
    let mut host = TestHost::new(&module, 256).import(0, |_, _| Err("callee trapped".into()));
    let error = support::run(&module, program, &[IValue::I32(1)], &mut host).unwrap_err();
    assert_eq!(error.instruction_index, 2);
    assert_eq!(
        error.to_string(),
        "`call-core 6` failed while calling the local or import function `g`: callee trapped"
    );
    // The callee returns something else than its declared result.
    let mut host = TestHost::new(&module, 256).import(0, |_, _| Ok(vec![IValue::U8(1)]));
    let error = support::run(&module, program, &[IValue::I32(1)], &mut host).unwrap_err();
    assert!(matches!(
        error.kind,
        InstructionErrorKind::UnexpectedResults { .. }
    ));
}

#[test]
fn string_lift_memory() {
    let case = Case::new(
        &[IType::I32, IType::I32],
        &[IType::String],
        "arg.get 0 arg.get 1 string.lift_memory",
    );
    let setup = |host: TestHost| {
        let mut host = host;
        host.sdk.write(10, "héllo".as_bytes());
        host.sdk.write(40, &[0xff, 0xfe]);
        host
    };
    let run = |ptr: u32, len: u32| {
        case.run_with(
            &[
                IValue::I32(ptr.cast_signed()),
                IValue::I32(len.cast_signed()),
            ],
            64,
            setup,
        )
        .0
    };
    assert_eq!(run(10, 6).unwrap(), [s("héllo")]);
    // Zero length: no access, whatever the pointer (D53).
    assert_eq!(run(0xFFFF_FFF0, 0).unwrap(), [s("")]);
    // A region ending exactly at the end of memory is valid (D17).
    assert_eq!(run(64, 0).unwrap(), [s("")]);
    assert!(run(60, 4).is_ok());
    // Out of bounds, wrapping pointers included (checked in u64).
    let error = run(60, 5).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`string.lift_memory` read out of the memory bounds (index 65 > memory length 64)"
    );
    assert!(matches!(
        run(0xFFFF_FFF0, 0x20).unwrap_err().kind,
        InstructionErrorKind::MemoryOutOfBoundsAccess {
            index: 0x1_0000_0010,
            length: 64
        }
    ));
    assert!(matches!(
        run(40, 2).unwrap_err().kind,
        InstructionErrorKind::String(_)
    ));
    // A pointer that is not an i32.
    let error = case.run(&[IValue::S32(0), IValue::I32(1)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`string.lift_memory` failed to cast the WIT value `S32(0)` to its native type `i32`"
    );
}

#[test]
fn string_lower_memory_and_size() {
    // `(p: i32, s: string) -> (i32, i32)`: write `s` at `p` (no allocation).
    let case = Case::new(
        &[IType::I32, IType::String],
        &[IType::I32, IType::I32],
        "arg.get 0 arg.get 1 string.lower_memory",
    );
    let (result, host) = case.run_with(&[IValue::I32(8), s("abc")], 16, |h| h);
    assert_eq!(result.unwrap(), [IValue::I32(8), IValue::I32(3)]);
    assert_eq!(host.sdk.read(8, 3), b"abc");
    assert!(host.log().is_empty());
    // Checked even when empty, as Marine does.
    assert!(matches!(
        kind(case.run_with(&[IValue::I32(17), s("")], 16, |h| h).0),
        InstructionErrorKind::MemoryOutOfBoundsAccess {
            index: 17,
            length: 16
        }
    ));
    assert!(
        case.run_with(&[IValue::I32(16), s("")], 16, |h| h)
            .0
            .is_ok()
    );
    assert!(matches!(
        kind(case.run(&[IValue::I32(0), IValue::I32(0)])),
        InstructionErrorKind::ToNative { to: "String", .. }
    ));
    let size = Case::new(&[IType::String], &[IType::I32], "arg.get 0 string.size");
    assert_eq!(size.run(&[s("héllo")]).unwrap(), [IValue::I32(6)]);
    assert!(matches!(
        kind(size.run(&[bytes(b"x")])),
        InstructionErrorKind::InvalidValueOnTheStack { .. }
    ));
    // `dup; string.size` (fused) leaves the string below its size.
    let peek = Case::new(
        &[IType::String],
        &[IType::String, IType::I32],
        "arg.get 0 dup string.size",
    );
    assert_eq!(peek.run(&[s("abc")]).unwrap(), [s("abc"), IValue::I32(3)]);
    let error = peek.run(&[IValue::U8(1)]).unwrap_err();
    assert_eq!(error.instruction_index, 2);
}

#[test]
fn dup_and_swap2() {
    // [a, b] -> swap2 -> [b, a] -> dup -> [b, a, a]
    let case = Case::new(
        &[IType::S8, IType::String],
        &[IType::String, IType::S8, IType::S8],
        "arg.get 0 arg.get 1 swap2 dup",
    );
    assert_eq!(
        case.run(&[IValue::S8(1), s("x")]).unwrap(),
        [s("x"), IValue::S8(1), IValue::S8(1)]
    );
}

#[test]
fn push_constants() {
    let case = Case::new(&[], &[IType::I32, IType::I64], "i32.push -5 i64.push -6");
    assert_eq!(case.run(&[]).unwrap(), [IValue::I32(-5), IValue::I64(-6)]);
}

#[test]
fn array_lift_memory() {
    let case = Case::new(
        &[IType::I32, IType::I32],
        &[array(IType::U16)],
        "arg.get 0 arg.get 1 array.lift_memory u16",
    );
    let setup = |mut host: TestHost| {
        host.sdk.write(4, &[1, 0, 2, 0, 0xff, 0xff]);
        host
    };
    let run = |ptr: i32, count: i32| {
        case.run_with(&[IValue::I32(ptr), IValue::I32(count)], 32, setup)
            .0
    };
    assert_eq!(
        run(4, 3).unwrap(),
        [IValue::Array(vec![
            IValue::U16(1),
            IValue::U16(2),
            IValue::U16(0xffff)
        ])]
    );
    assert_eq!(run(-1, 0).unwrap(), [IValue::Array(vec![])]);
    let error = run(30, 2).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`array.lift_memory u16` out of bounds: 4 bytes at offset 30 do not fit in memory of 32 bytes"
    );
    assert!(matches!(
        error.kind,
        InstructionErrorKind::LiError(LiftError::OutOfBounds { .. })
    ));
}

#[test]
fn array_lower_memory() {
    let case = Case::new(
        &[array(IType::U32)],
        &[IType::I32, IType::I32],
        "arg.get 0 array.lower_memory u32",
    );
    let values = IValue::Array(vec![IValue::U32(1), IValue::U32(u32::MAX)]);
    let (result, host) = case.run_with(&[values], 64, |h| h);
    assert_eq!(result.unwrap(), [IValue::I32(16), IValue::I32(2)]);
    assert_eq!(host.log(), ["allocate(8, 3) -> 16"]);
    assert_eq!(host.sdk.read(16, 8), [1, 0, 0, 0, 255, 255, 255, 255]);
    // Empty: (0, 0), no allocation.
    let (result, host) = case.run_with(&[IValue::Array(vec![])], 64, |h| h);
    assert_eq!(result.unwrap(), [IValue::I32(0), IValue::I32(0)]);
    assert!(host.log().is_empty());
    // D14: every element is checked, before anything is allocated.
    let (result, host) = case.run_with(
        &[IValue::Array(vec![IValue::U32(1), IValue::S32(2)])],
        64,
        |h| h,
    );
    let error = result.unwrap_err();
    assert_eq!(error.instruction_index, 1);
    assert_eq!(
        error.to_string(),
        "`array.lower_memory u32` read a value `S32(2)` from the stack, that can't be converted to `u32`"
    );
    assert!(host.log().is_empty());
    // D12: a byte array is not an array of u32.
    assert!(matches!(
        kind(case.run(&[bytes(&[1, 2, 3, 4])])),
        InstructionErrorKind::InvalidValueOnTheStack { .. }
    ));
    // For u8 it is, and is allocated with (len, 1) even when empty.
    let case = Case::new(
        &[IType::ByteArray],
        &[IType::I32, IType::I32],
        "arg.get 0 array.lower_memory u8",
    );
    let (result, host) = case.run_with(&[bytes(&[])], 64, |h| h);
    assert_eq!(result.unwrap(), [IValue::I32(16), IValue::I32(0)]);
    assert_eq!(host.log(), ["allocate(0, 1) -> 16"]);
    // allocate's failure modes (D22).
    let (result, _) = case.run_with(&[bytes(&[1])], 64, |mut h| {
        h.sdk.allocate_hook = Some(Box::new(|_, _| 0));
        h
    });
    assert!(matches!(
        kind(result),
        InstructionErrorKind::LoError(LowerError::AllocateNull { size: 1, tag: 1 })
    ));
    let (result, _) = case.run_with(&[bytes(&[1, 2])], 64, |mut h| {
        h.sdk.allocate_hook = Some(Box::new(|_, _| 63));
        h
    });
    assert_eq!(
        result.unwrap_err().to_string(),
        "`array.lower_memory u8` `allocate(2, 1)` returned offset 63, outside memory of 64 bytes"
    );
}

fn point_case(instructions: &str, params: &[IType], results: &[IType]) -> Case {
    let mut case = Case::new(&[], &[], "");
    let mut builder = ModuleBuilder::new();
    builder.record("Point", &[("x", IType::S16), ("label", IType::String)]);
    let names = ["a", "b"];
    let params: Vec<(&str, IType)> = params
        .iter()
        .enumerate()
        .map(|(i, t)| (names[i], t.clone()))
        .collect();
    builder.export("f", func(&params, results), sig(&[], &[]), instructions);
    case.builder = builder;
    case
}

#[test]
fn record_lift_and_lower_memory() {
    let lower = point_case(
        "arg.get 0 record.lower_memory 6",
        &[IType::Record(6)],
        &[IType::I32],
    );
    let point = IValue::Record(vec![IValue::S16(-2), s("pt")]);
    let (result, host) = lower.run_with(std::slice::from_ref(&point), 64, |h| h);
    assert_eq!(result.unwrap(), [IValue::I32(24)]);
    assert_eq!(
        host.log(),
        ["allocate(2, 1) -> 16", "allocate(10, 1) -> 24"]
    );
    assert_eq!(host.sdk.read(24, 10), [0xfe, 0xff, 16, 0, 0, 0, 2, 0, 0, 0]);
    // Field count and field types are checked first (§1.4).
    for bad in [
        IValue::Record(vec![IValue::S16(1)]),
        IValue::Record(vec![IValue::S32(1), s("")]),
        IValue::Array(vec![]),
    ] {
        let (result, host) = lower.run_with(&[bad], 64, |h| h);
        assert!(matches!(
            kind(result),
            InstructionErrorKind::InvalidValueOnTheStack { .. }
        ));
        assert!(host.log().is_empty());
    }

    let lift = point_case(
        "arg.get 0 record.lift_memory 6",
        &[IType::I32],
        &[IType::Record(6)],
    );
    let setup = |mut host: TestHost| {
        host.sdk.write(24, &[0xfe, 0xff, 16, 0, 0, 0, 2, 0, 0, 0]);
        host.sdk.write(16, b"pt");
        host
    };
    assert_eq!(
        lift.run_with(&[IValue::I32(24)], 64, setup).0.unwrap(),
        [point]
    );
    assert!(matches!(
        kind(lift.run_with(&[IValue::I32(60)], 64, setup).0),
        InstructionErrorKind::LiError(LiftError::OutOfBounds {
            offset: 60,
            size: 10,
            memory_size: 64
        })
    ));
    // The string the record points to is checked too.
    let broken = |mut host: TestHost| {
        host.sdk.write(0, &[0, 0, 0xf0, 0, 0, 0, 9, 0, 0, 0]);
        host
    };
    assert!(matches!(
        kind(lift.run_with(&[IValue::I32(0)], 64, broken).0),
        InstructionErrorKind::LiError(LiftError::OutOfBounds {
            offset: 240,
            size: 9,
            ..
        })
    ));
}

#[test]
fn byte_array_instructions() {
    let lift = Case::new(
        &[IType::I32, IType::I32],
        &[IType::ByteArray],
        "arg.get 0 arg.get 1 byte_array.lift_memory",
    );
    let setup = |mut host: TestHost| {
        host.sdk.write(3, &[7, 8, 9]);
        host
    };
    let run = |ptr: i32, len: i32| {
        lift.run_with(&[IValue::I32(ptr), IValue::I32(len)], 16, setup)
            .0
    };
    assert_eq!(run(3, 3).unwrap(), [bytes(&[7, 8, 9])]);
    assert_eq!(run(1000, 0).unwrap(), [bytes(&[])]);
    assert!(matches!(
        run(15, 2).unwrap_err().kind,
        InstructionErrorKind::MemoryOutOfBoundsAccess {
            index: 17,
            length: 16
        }
    ));

    let lower = Case::new(
        &[IType::I32, IType::ByteArray],
        &[IType::I32, IType::I32],
        "arg.get 0 arg.get 1 byte_array.lower_memory",
    );
    let (result, host) = lower.run_with(&[IValue::I32(4), bytes(&[1, 2])], 16, |h| h);
    assert_eq!(result.unwrap(), [IValue::I32(4), IValue::I32(2)]);
    assert_eq!(host.sdk.read(4, 2), [1, 2]);
    let as_array = IValue::Array(vec![IValue::U8(5)]);
    let (result, host) = lower.run_with(&[IValue::I32(0), as_array], 16, |h| h);
    assert_eq!(result.unwrap(), [IValue::I32(0), IValue::I32(1)]);
    assert_eq!(host.sdk.read(0, 1), [5]);
    assert!(matches!(
        kind(
            lower
                .run_with(&[IValue::I32(15), bytes(&[1, 2])], 16, |h| h)
                .0
        ),
        InstructionErrorKind::MemoryOutOfBoundsAccess {
            index: 17,
            length: 16
        }
    ));
    assert!(matches!(
        kind(lower.run(&[
            IValue::I32(0),
            IValue::Array(vec![IValue::U8(1), IValue::U16(1)])
        ])),
        InstructionErrorKind::InvalidValueOnTheStack { .. }
    ));

    let size = Case::new(
        &[IType::ByteArray],
        &[IType::I32],
        "arg.get 0 byte_array.size",
    );
    assert_eq!(size.run(&[bytes(&[1, 2, 3])]).unwrap(), [IValue::I32(3)]);
    assert_eq!(
        size.run(&[IValue::Array(vec![IValue::U8(1), IValue::U8(2)])])
            .unwrap(),
        [IValue::I32(2)]
    );
    // D13: every element must be a u8, not only the first.
    assert!(matches!(
        kind(size.run(&[IValue::Array(vec![IValue::U8(1), IValue::S8(2)])])),
        InstructionErrorKind::InvalidValueOnTheStack { .. }
    ));
}

#[test]
fn allocate_called_by_the_adapter_is_checked() {
    // `call-core 0` itself (the string argument pattern) is checked like any allocation (D22).
    let case = Case::with_core(
        &[IType::String],
        &[],
        "arg.get 0 string.size i32.push 1 call-core 0 arg.get 0 string.lower_memory call-core 6",
        sig(&[I32, I32], &[]),
    );
    let sink = |host: TestHost| host.function("f", |_, _| Ok(vec![]));
    let (result, host) = case.run_with(&[s("abc")], 64, sink);
    result.unwrap();
    assert_eq!(host.log(), ["allocate(3, 1) -> 16", "f(16, 3)"]);
    let (result, _) = case.run_with(&[s("abc")], 64, |h| {
        let mut h = sink(h);
        h.sdk.allocate_hook = Some(Box::new(|_, _| 0));
        h
    });
    let error = result.unwrap_err();
    assert_eq!(error.instruction_index, 3);
    assert!(matches!(
        error.kind,
        InstructionErrorKind::LoError(LowerError::AllocateNull { size: 3, tag: 1 })
    ));
    let (result, _) = case.run_with(&[s("abc")], 64, |h| {
        let mut h = sink(h);
        h.sdk.allocate_hook = Some(Box::new(|_, _| 1 << 20));
        h
    });
    assert!(matches!(
        kind(result),
        InstructionErrorKind::LoError(LowerError::AllocateOutOfBounds { .. })
    ));
    // allocate(0, 1) may return anything up to the memory size.
    let (result, _) = case.run_with(&[s("")], 64, |h| {
        let mut h = sink(h);
        h.sdk.allocate_hook = Some(Box::new(|_, _| 64));
        h
    });
    result.unwrap();
}
