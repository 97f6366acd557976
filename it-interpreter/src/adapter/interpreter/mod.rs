//! The interpreter: runs a compiled [`Program`] against an [`AdapterHost`].
//!
//! This file holds the run loop, the machine state and what every instruction shares (the
//! stack operations, error mapping); each instruction family is implemented in a file of its
//! own, as wasmer-it's `interpreter/instructions/*` does it.

mod arrays;
mod calls;
mod conversions;
mod records;
mod stack;
mod strings;

use crate::adapter::program::Op;
use crate::adapter::{
    AdapterHost, CompiledModule, ImageCall, InstructionError, InstructionErrorKind, Program,
};
use crate::compat::CompatError;
use crate::instructions::Instruction;
use crate::memory::{
    DEFAULT_MAX_LIFTED_BYTES, HostError, LiftBudget, LiftError, LowerError, RecordImage,
};
use crate::types::IType;
use crate::values::IValue;
use alloc::vec::Vec;

/// Bounds on one adapter run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one run may lift (D24; see [`LiftBudget`] for what counts).
    pub max_lifted_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_lifted_bytes: DEFAULT_MAX_LIFTED_BYTES,
        }
    }
}

/// Runs compiled adapters. Keeps its operand stack and scratch buffers between runs, so a
/// run allocates only the values it produces; keep one per call depth (a cross-module call
/// runs the callee's adapter while the caller's is suspended, so it needs another one).
#[derive(Debug, Default)]
pub struct Interpreter {
    stack: Vec<IValue>,
    scratch: Vec<IValue>,
    images: Images,
    limits: Limits,
}

/// The record images of the import calls an adapter makes: the argument it lifts, the
/// result the callee gives. Kept between runs, so their buffers are reused.
#[derive(Debug, Default)]
struct Images {
    arg: RecordImage,
    result: RecordImage,
}

impl Interpreter {
    /// An interpreter with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An interpreter with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// The limits every run uses.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Runs `program` (an export or import adapter of `module`) with the invocation `inputs`
    /// and appends the final stack to `results`.
    ///
    /// For an export adapter the inputs are IT values of its parameters; for an import
    /// adapter, the raw wasm arguments as `I32/I64/F32/F64`. The stack is moved to
    /// `results`, never cloned.
    pub fn run<H: AdapterHost + ?Sized>(
        &mut self,
        module: &CompiledModule,
        program: &Program,
        inputs: &[IValue],
        host: &mut H,
        results: &mut Vec<IValue>,
    ) -> Result<(), InstructionError> {
        self.run_with_images(module, program, inputs, ImageCall::default(), host, results)
    }

    /// [`run`](Self::run) for an export adapter called by another module's adapter, its
    /// record parameter or result passed as a [`RecordImage`] where `images` says so (see
    /// [`ImageCall`]). An image the program cannot take or give is not used: a missing
    /// input is an error, an unfilled result image leaves the result among `results`.
    pub fn run_with_images<H: AdapterHost + ?Sized>(
        &mut self,
        module: &CompiledModule,
        program: &Program,
        inputs: &[IValue],
        images: ImageCall<'_>,
        host: &mut H,
        results: &mut Vec<IValue>,
    ) -> Result<(), InstructionError> {
        self.stack.clear();
        let mut machine = Machine {
            module,
            inputs,
            host,
            stack: &mut self.stack,
            scratch: &mut self.scratch,
            images: &mut self.images,
            given: images,
            budget: LiftBudget::new(self.limits.max_lifted_bytes),
        };
        for step in &program.steps {
            if let Err(fault) = machine.step(&step.op) {
                let index = usize::try_from(step.at)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(usize::from(fault.back));
                self.stack.clear();
                self.scratch.clear();
                return Err(InstructionError {
                    instruction_index: index,
                    instruction: instruction_at(program, index),
                    kind: fault.kind,
                });
            }
        }
        results.append(&mut self.stack);
        Ok(())
    }
}

fn instruction_at(program: &Program, index: usize) -> Instruction {
    // Step positions come from the compiler's enumeration of the same list.
    program
        .source
        .get(index)
        .cloned()
        .unwrap_or(Instruction::CallCore {
            function_index: u32::MAX,
        })
}

/// An error, and how many instructions before the last one of its (possibly fused) step it
/// belongs to.
struct Fault {
    kind: InstructionErrorKind,
    back: u8,
}

impl Fault {
    /// The fault, `back` instructions before the step's last instruction.
    fn back(self, back: u8) -> Self {
        Self { back, ..self }
    }
}

impl From<InstructionErrorKind> for Fault {
    fn from(kind: InstructionErrorKind) -> Self {
        Self { kind, back: 0 }
    }
}

type Outcome<T = ()> = Result<T, Fault>;

fn invalid(expected_type: IType, received_value: IValue) -> Fault {
    InstructionErrorKind::InvalidValueOnTheStack {
        expected_type,
        received_value,
    }
    .into()
}

fn lower_fault(error: LowerError) -> Fault {
    match error {
        LowerError::Incompatible(CompatError::Mismatch { expected, received }) => {
            invalid(expected, received)
        }
        LowerError::Incompatible(CompatError::RecordTypeMissing { record_type_id }) => {
            InstructionErrorKind::RecordTypeByNameIsMissing { record_type_id }.into()
        }
        LowerError::Incompatible(CompatError::TooDeep { limit }) => {
            InstructionErrorKind::LoError(LowerError::TooDeep { limit }).into()
        }
        other => InstructionErrorKind::LoError(other).into(),
    }
}

fn length(len: usize) -> Outcome<IValue> {
    byte_length(len).map(|len| IValue::I32(len.cast_signed()))
}

/// A string's or byte array's length as the `u32` it is lowered as.
fn byte_length(len: usize) -> Outcome<u32> {
    u32::try_from(len).map_err(|_| {
        InstructionErrorKind::LoError(LowerError::TooLarge { size: len as u64 }).into()
    })
}

struct Machine<'a, H: ?Sized> {
    module: &'a CompiledModule,
    inputs: &'a [IValue],
    host: &'a mut H,
    stack: &'a mut Vec<IValue>,
    scratch: &'a mut Vec<IValue>,
    /// The images of the import calls this adapter makes.
    images: &'a mut Images,
    /// The images this adapter was called with.
    given: ImageCall<'a>,
    budget: LiftBudget,
}

impl<'a, H: AdapterHost + ?Sized> Machine<'a, H> {
    /// Runs one operation. The match only dispatches: each family of instructions has its
    /// own file (`stack.rs`, `conversions.rs`, `strings.rs`, `arrays.rs`, `records.rs`,
    /// `calls.rs`), whose small methods inline back into this one.
    #[inline(always)]
    fn step(&mut self, op: &Op) -> Outcome {
        match op {
            Op::ArgGet(index) => self.arg_get(*index),
            Op::Dup => self.dup(),
            Op::Swap2 => self.swap2(),
            Op::I32Push(value) => self.push(IValue::I32(*value)),
            Op::I64Push(value) => self.push(IValue::I64(*value)),
            Op::Convert(conversion) => self.convert(*conversion),
            Op::ArgStringSize(index) => self.arg_string_size(*index),
            Op::ArgStringLower(index) => self.arg_string_lower(*index),
            Op::ArgStringToMemory(index) => self.arg_string_to_memory(*index),
            Op::ArgStringCall {
                index,
                slot,
                result,
            } => self.arg_string_call(*index, *slot, *result),
            Op::LiftResult {
                ptr,
                len,
                bytes,
                release,
            } => self.lift_result(*ptr, *len, *bytes, *release),
            Op::StringLiftMemory => self.string_lift_memory(),
            Op::StringLowerMemory => self.string_lower_memory(),
            Op::StringSize => self.string_size(),
            Op::PeekStringSize => self.peek_string_size(),
            Op::ByteArrayLiftMemory => self.byte_array_lift_memory(),
            Op::ByteArrayLowerMemory => self.byte_array_lower_memory(),
            Op::ByteArraySize => self.byte_array_size(),
            Op::ArgArrayLower(index, element) => self.arg_array_lower(*index, element),
            Op::ArrayLiftMemory(element) => self.array_lift_memory(element),
            Op::ArrayLowerMemory(element, import_result) => {
                self.array_lower_memory(element, *import_result)
            }
            Op::ArgRecordLower { index, id, image } => self.arg_record_lower(*index, *id, *image),
            Op::RecordLiftMemory(id) => self.record_lift_memory(*id),
            Op::LiftRecordResult {
                ptr,
                id,
                release,
                image,
            } => self.lift_record_result(*ptr, *id, *release, *image),
            Op::RecordLowerMemory(id, import_result) => {
                self.record_lower_memory(*id, *import_result)
            }
            Op::CallExport(slot) => self.call_export(*slot),
            Op::CallI32 {
                slot,
                arity,
                result,
            } => self.call_i32(*slot, *arity, *result),
            Op::CallAllocate => self.call_allocate(),
            Op::CallImport(slot) => self.call_import(*slot),
            Op::CallImportRecords { slot, arg, result } => {
                self.call_import_records(*slot, *arg, *result)
            }
        }
    }

    fn input(&self, index: u32) -> Outcome<&'a IValue> {
        let inputs: &'a [IValue] = self.inputs;
        usize::try_from(index)
            .ok()
            .and_then(|slot| inputs.get(slot))
            .ok_or_else(|| Fault {
                kind: InstructionErrorKind::InvocationInputIsMissing { index },
                back: 1,
            })
    }

    fn need(&self, needed: usize) -> Outcome {
        if self.stack.len() < needed {
            return Err(InstructionErrorKind::StackIsTooSmall { needed }.into());
        }
        Ok(())
    }

    fn pop(&mut self) -> Outcome<IValue> {
        self.stack
            .pop()
            .ok_or_else(|| InstructionErrorKind::StackIsTooSmall { needed: 1 }.into())
    }

    /// Pops a pointer or a length: an `I32` read as u32 (offsets above 2 GiB work).
    fn pop_u32(&mut self) -> Outcome<u32> {
        match self.pop()? {
            IValue::I32(value) => Ok(value.cast_unsigned()),
            other => Err(InstructionErrorKind::ToNative {
                from: other,
                to: "i32",
            }
            .into()),
        }
    }

    /// Pops `[ptr, len]` (len on top).
    fn pop_pair(&mut self) -> Outcome<(u32, u32)> {
        self.need(2)?;
        let len = self.pop_u32()?;
        let ptr = self.pop_u32()?;
        Ok((ptr, len))
    }

    fn push_pair(&mut self, ptr: u32, len: u32) {
        self.stack.push(IValue::I32(ptr.cast_signed()));
        self.stack.push(IValue::I32(len.cast_signed()));
    }
}

fn memory_unavailable(reason: HostError) -> Fault {
    InstructionErrorKind::MemoryUnavailable { reason }.into()
}

fn lift_fault(error: LiftError) -> Fault {
    match error {
        LiftError::RecordNotFound { record_type_id } => {
            InstructionErrorKind::RecordTypeByNameIsMissing { record_type_id }.into()
        }
        other => InstructionErrorKind::LiError(other).into(),
    }
}

#[cfg(test)]
mod tests {
    //! Paths a checked program cannot reach, run with hand-built programs: the interpreter
    //! stays defensive for programs run against the wrong module or a misbehaving host.

    use super::*;
    use crate::adapter::program::{CoreExport, Step};
    use crate::adapter::{CoreSignature, CoreType};
    use crate::instructions::Instruction as I;
    use alloc::collections::BTreeMap;
    use alloc::string::ToString;
    use alloc::vec;

    struct Host {
        memory: Option<Vec<u8>>,
    }

    impl AdapterHost for Host {
        fn call_export(
            &mut self,
            _: u32,
            _: &[IValue],
            results: &mut Vec<IValue>,
        ) -> Result<(), HostError> {
            results.push(IValue::I32(8));
            Ok(())
        }

        fn call_import(
            &mut self,
            _: u32,
            _: &[IValue],
            _: &mut Vec<IValue>,
        ) -> Result<(), HostError> {
            Ok(())
        }

        fn memory(&mut self) -> Result<&mut [u8], HostError> {
            self.memory
                .as_deref_mut()
                .ok_or_else(|| "no memory export".into())
        }
    }

    fn module() -> CompiledModule {
        CompiledModule {
            core_exports: vec![CoreExport::new(
                "allocate",
                CoreSignature::new([CoreType::I32, CoreType::I32], [CoreType::I32]),
            )],
            exports: Vec::new(),
            imports: Vec::new(),
            records: crate::records::RecordTable::default(),
            export_index: BTreeMap::new(),
        }
    }

    fn run(source: Vec<Instruction>, ops: Vec<Op>, inputs: &[IValue]) -> InstructionError {
        let steps = ops
            .into_iter()
            .enumerate()
            .map(|(at, op)| Step {
                op,
                at: u32::try_from(at).unwrap(),
            })
            .collect();
        let program = Program {
            steps,
            source,
            adapter_type: 0,
        };
        let mut host = Host {
            memory: Some(vec![0; 16]),
        };
        Interpreter::new()
            .run(&module(), &program, inputs, &mut host, &mut Vec::new())
            .unwrap_err()
    }

    #[test]
    fn stack_underflow_reports_the_true_count() {
        // D10: Marine says 1 for both.
        let error = run(
            vec![I::I32Push { value: 1 }, I::Swap2],
            vec![Op::I32Push(1), Op::Swap2],
            &[],
        );
        assert_eq!(error.instruction_index, 1);
        assert_eq!(
            error.to_string(),
            "`swap2` needed to read `2` value(s) from the stack, but it doesn't contain enough data"
        );
        let element = IType::U8;
        let error = run(
            vec![I::ArrayLiftMemory {
                value_type: element.clone(),
            }],
            vec![Op::ArrayLiftMemory(element)],
            &[],
        );
        assert!(matches!(
            error.kind,
            InstructionErrorKind::StackIsTooSmall { needed: 2 }
        ));
    }

    #[test]
    fn i32_exports_check_their_arguments_and_results() {
        // `allocate` takes the integer path; its checks are those of every core call.
        let error = run(
            vec![
                I::I32Push { value: 1 },
                I::I64Push { value: 2 },
                I::CallCore { function_index: 0 },
            ],
            vec![Op::I32Push(1), Op::I64Push(2), Op::CallExport(0)],
            &[],
        );
        assert_eq!(error.instruction_index, 2);
        assert!(matches!(
            error.kind,
            InstructionErrorKind::InvalidValueOnTheStack {
                expected_type: IType::I32,
                received_value: IValue::I64(2),
            }
        ));
        // A host answering with a value of the wrong type is refused.
        let mut module = module();
        module.core_exports[0] =
            CoreExport::new("size", CoreSignature::new([CoreType::I32], [CoreType::I64]));
        let program = Program {
            steps: vec![
                Step {
                    op: Op::I32Push(1),
                    at: 0,
                },
                Step {
                    op: Op::CallExport(0),
                    at: 1,
                },
            ],
            source: vec![I::I32Push { value: 1 }, I::CallCore { function_index: 0 }],
            adapter_type: 0,
        };
        let mut host = Host { memory: None };
        let error = Interpreter::new()
            .run(&module, &program, &[], &mut host, &mut Vec::new())
            .unwrap_err();
        assert!(matches!(
            error.kind,
            InstructionErrorKind::UnexpectedResults {
                expected: 1,
                received: 1,
                ..
            }
        ));
    }

    #[test]
    fn unknown_functions_and_records() {
        let error = run(
            vec![I::CallCore { function_index: 5 }],
            vec![Op::CallExport(5)],
            &[],
        );
        assert_eq!(
            error.to_string(),
            "`call-core 5` the local or import function `5` doesn't exist"
        );
        let error = run(
            vec![I::CallCore { function_index: 3 }],
            vec![Op::CallImport(2)],
            &[],
        );
        assert!(matches!(
            error.kind,
            InstructionErrorKind::LocalOrImportIsMissing { function_index: 3 }
        ));
        let error = run(
            vec![
                I::I32Push { value: 0 },
                I::RecordLiftMemory { record_type_id: 9 },
            ],
            vec![Op::I32Push(0), Op::RecordLiftMemory(9)],
            &[],
        );
        assert_eq!(
            error.to_string(),
            "`record.lift_memory 9` type with `9` is missing in a Wasm binary"
        );
    }

    #[test]
    fn fused_operations_blame_the_right_instruction() {
        let source = vec![
            I::I32Push { value: 0 },
            I::ArgGet { index: 0 },
            I::StringLowerMemory,
        ];
        let ops = |op| vec![Op::I32Push(0), op];
        // Missing input: `arg.get` (index 1).
        let steps = ops(Op::ArgStringLower(0));
        let error = run_fused(source.clone(), steps, &[]);
        assert_eq!(error.instruction_index, 1);
        assert!(matches!(
            error.kind,
            InstructionErrorKind::InvocationInputIsMissing { index: 0 }
        ));
        // Wrong input kind: `string.lower_memory` (index 2).
        let error = run_fused(source, ops(Op::ArgStringLower(0)), &[IValue::U8(1)]);
        assert_eq!(error.instruction_index, 2);
        assert!(matches!(
            error.kind,
            InstructionErrorKind::ToNative { to: "String", .. }
        ));
    }

    /// Like `run`, with the fused op at source position 2.
    fn run_fused(source: Vec<Instruction>, ops: Vec<Op>, inputs: &[IValue]) -> InstructionError {
        let steps = ops
            .into_iter()
            .zip([0u32, 2])
            .map(|(op, at)| Step { op, at })
            .collect();
        let program = Program {
            steps,
            source,
            adapter_type: 0,
        };
        let mut host = Host {
            memory: Some(vec![0; 16]),
        };
        Interpreter::new()
            .run(&module(), &program, inputs, &mut host, &mut Vec::new())
            .unwrap_err()
    }

    #[test]
    fn a_missing_memory_is_an_error() {
        let program = Program {
            steps: vec![
                Step {
                    op: Op::I32Push(0),
                    at: 0,
                },
                Step {
                    op: Op::I32Push(1),
                    at: 1,
                },
                Step {
                    op: Op::StringLiftMemory,
                    at: 2,
                },
            ],
            source: vec![
                I::I32Push { value: 0 },
                I::I32Push { value: 1 },
                I::StringLiftMemory,
            ],
            adapter_type: 0,
        };
        let mut host = Host { memory: None };
        let error = Interpreter::new()
            .run(&module(), &program, &[], &mut host, &mut Vec::new())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "`string.lift_memory` memory is not accessible: no memory export"
        );
    }
}
