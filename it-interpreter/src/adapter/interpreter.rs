//! The interpreter: runs a compiled [`Program`] against an [`AdapterHost`].

use crate::adapter::host::ALLOCATE_SLOT;
use crate::adapter::program::Op;
use crate::adapter::{
    AdapterHost, CompiledModule, HostAllocator, InstructionError, InstructionErrorKind, Program,
};
use crate::compat::{self, CompatError};
use crate::convert::{self, ConvertError};
use crate::instructions::Instruction;
use crate::memory::{self, DEFAULT_MAX_LIFTED_BYTES, HostError, LiftBudget, LiftError, LowerError};
use crate::types::IType;
use crate::values::IValue;
use alloc::string::String;
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
    limits: Limits,
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
        self.stack.clear();
        let mut machine = Machine {
            module,
            inputs,
            host,
            stack: &mut self.stack,
            scratch: &mut self.scratch,
            budget: LiftBudget::new(self.limits.max_lifted_bytes),
        };
        for step in &program.steps {
            if let Err(fault) = machine.step(&step.op) {
                let index = usize::try_from(step.at)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(usize::from(fault.earlier));
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

/// An error and whether it belongs to the `arg.get` of a fused pair.
struct Fault {
    kind: InstructionErrorKind,
    earlier: bool,
}

impl From<InstructionErrorKind> for Fault {
    fn from(kind: InstructionErrorKind) -> Self {
        Self {
            kind,
            earlier: false,
        }
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
    u32::try_from(len)
        .map(|len| IValue::I32(len.cast_signed()))
        .map_err(|_| {
            InstructionErrorKind::LoError(LowerError::TooLarge { size: len as u64 }).into()
        })
}

/// The bytes at (`ptr`, `len`) for `string.lift_memory` and `byte_array.lift_memory`: no
/// access at all for a zero length (D53), a bounds check otherwise.
fn lifted_region<'m>(
    memory: &'m [u8],
    ptr: u32,
    len: u32,
    budget: &mut LiftBudget,
) -> Outcome<&'m [u8]> {
    let end = u64::from(ptr) + u64::from(len);
    let out_of_bounds = || InstructionErrorKind::MemoryOutOfBoundsAccess {
        index: end,
        length: memory.len() as u64,
    };
    let range = usize::try_from(ptr)
        .ok()
        .zip(usize::try_from(end).ok())
        .filter(|_| end <= memory.len() as u64)
        .ok_or_else(out_of_bounds)?;
    let bytes = memory.get(range.0..range.1).ok_or_else(out_of_bounds)?;
    budget
        .charge(u64::from(len))
        .map_err(InstructionErrorKind::LiError)?;
    Ok(bytes)
}

struct Machine<'a, H: ?Sized> {
    module: &'a CompiledModule,
    inputs: &'a [IValue],
    host: &'a mut H,
    stack: &'a mut Vec<IValue>,
    scratch: &'a mut Vec<IValue>,
    budget: LiftBudget,
}

impl<'a, H: AdapterHost + ?Sized> Machine<'a, H> {
    fn step(&mut self, op: &Op) -> Outcome {
        match op {
            Op::ArgGet(index) => {
                let value = self.input(*index)?.clone();
                self.stack.push(value);
            }
            Op::ArgStringSize(index) => {
                let value = self.input(*index)?;
                let IValue::String(text) = value else {
                    return Err(invalid(IType::String, value.clone()));
                };
                let len = length(text.len())?;
                self.stack.push(len);
            }
            Op::ArgStringLower(index) => {
                let value = self.input(*index)?;
                if self.stack.is_empty() {
                    return Err(InstructionErrorKind::StackIsTooSmall { needed: 2 }.into());
                }
                let IValue::String(text) = value else {
                    return Err(InstructionErrorKind::ToNative {
                        from: value.clone(),
                        to: "String",
                    }
                    .into());
                };
                let ptr = self.pop_u32()?;
                self.write_at(ptr, text.as_bytes())?;
                let len = length(text.len())?;
                self.stack.extend([IValue::I32(ptr.cast_signed()), len]);
            }
            Op::ArgArrayLower(index, element) => {
                let value = self.input(*index)?;
                let (ptr, count) = self.lower_array(element, value)?;
                self.push_pair(ptr, count);
            }
            Op::ArgRecordLower(index, id) => {
                let value = self.input(*index)?;
                let ptr = self.lower_record(*id, value)?;
                self.stack.push(IValue::I32(ptr.cast_signed()));
            }
            Op::CallExport(slot) => self.call_export(*slot)?,
            Op::CallAllocate => self.call_allocate()?,
            Op::CallImport(slot) => self.call_import(*slot)?,
            Op::Convert(conversion) => {
                let value = self.pop()?;
                match convert::convert(*conversion, &value) {
                    Ok(converted) => self.stack.push(converted),
                    Err(ConvertError::WrongVariant) => {
                        return Err(invalid(conversion.from.itype(), value));
                    }
                    Err(ConvertError::OutOfRange) => {
                        return Err(InstructionErrorKind::LoweringLifting {
                            from: conversion.from,
                            to: conversion.to,
                        }
                        .into());
                    }
                }
            }
            Op::StringLiftMemory => {
                let (ptr, len) = self.pop_pair()?;
                let text = if len == 0 {
                    String::new()
                } else {
                    let memory = self.host.memory().map_err(memory_unavailable)?;
                    let bytes = lifted_region(memory, ptr, len, &mut self.budget)?;
                    core::str::from_utf8(bytes)
                        .map(String::from)
                        .map_err(InstructionErrorKind::String)?
                };
                self.stack.push(IValue::String(text));
            }
            Op::StringLowerMemory => {
                self.need(2)?;
                let value = self.pop()?;
                let IValue::String(text) = value else {
                    return Err(InstructionErrorKind::ToNative {
                        from: value,
                        to: "String",
                    }
                    .into());
                };
                let ptr = self.pop_u32()?;
                self.write_at(ptr, text.as_bytes())?;
                let len = length(text.len())?;
                self.stack.extend([IValue::I32(ptr.cast_signed()), len]);
            }
            Op::StringSize => {
                let value = self.pop()?;
                let IValue::String(text) = &value else {
                    return Err(invalid(IType::String, value));
                };
                let len = length(text.len())?;
                self.stack.push(len);
            }
            Op::PeekStringSize => {
                let top = self.stack.last().ok_or_else(|| Fault {
                    kind: InstructionErrorKind::StackIsTooSmall { needed: 1 },
                    earlier: true,
                })?;
                let IValue::String(text) = top else {
                    return Err(invalid(IType::String, top.clone()));
                };
                let len = length(text.len())?;
                self.stack.push(len);
            }
            Op::Dup => {
                let top = self
                    .stack
                    .last()
                    .cloned()
                    .ok_or_else(|| InstructionErrorKind::StackIsTooSmall { needed: 1 })?;
                self.stack.push(top);
            }
            Op::Swap2 => {
                self.need(2)?;
                let len = self.stack.len();
                self.stack.swap(len - 2, len - 1);
            }
            Op::ArrayLiftMemory(element) => {
                let (ptr, count) = self.pop_pair()?;
                let items = if count == 0 {
                    Vec::new()
                } else {
                    let memory = self.host.memory().map_err(memory_unavailable)?;
                    memory::lift_array(
                        memory,
                        element,
                        ptr,
                        count,
                        &self.module.records,
                        &mut self.budget,
                    )
                    .map_err(lift_fault)?
                };
                self.stack.push(IValue::Array(items));
            }
            Op::ArrayLowerMemory(element) => {
                let value = self.pop()?;
                let (ptr, count) = self.lower_array(element, &value)?;
                self.push_pair(ptr, count);
            }
            Op::RecordLiftMemory(id) => {
                let ptr = self.pop_u32()?;
                let memory = self.host.memory().map_err(memory_unavailable)?;
                let fields =
                    memory::lift_record(memory, *id, ptr, &self.module.records, &mut self.budget)
                        .map_err(lift_fault)?;
                self.stack.push(IValue::Record(fields));
            }
            Op::RecordLowerMemory(id) => {
                let value = self.pop()?;
                let ptr = self.lower_record(*id, &value)?;
                self.stack.push(IValue::I32(ptr.cast_signed()));
            }
            Op::I32Push(value) => self.stack.push(IValue::I32(*value)),
            Op::I64Push(value) => self.stack.push(IValue::I64(*value)),
            Op::ByteArrayLiftMemory => {
                let (ptr, len) = self.pop_pair()?;
                let bytes = if len == 0 {
                    Vec::new()
                } else {
                    let memory = self.host.memory().map_err(memory_unavailable)?;
                    lifted_region(memory, ptr, len, &mut self.budget)?.to_vec()
                };
                self.stack.push(IValue::ByteArray(bytes));
            }
            Op::ByteArrayLowerMemory => {
                self.need(2)?;
                let value = self.pop()?;
                let ptr = self.pop_u32()?;
                let len = match &value {
                    IValue::ByteArray(bytes) => {
                        self.write_at(ptr, bytes)?;
                        bytes.len()
                    }
                    IValue::Array(_) => match value.as_bytes() {
                        Some(bytes) => {
                            self.write_at(ptr, &bytes)?;
                            bytes.len()
                        }
                        None => return Err(invalid(IType::ByteArray, value)),
                    },
                    _ => return Err(invalid(IType::ByteArray, value)),
                };
                let len = length(len)?;
                self.stack.extend([IValue::I32(ptr.cast_signed()), len]);
            }
            Op::ByteArraySize => {
                let value = self.pop()?;
                let len = match &value {
                    IValue::ByteArray(bytes) => bytes.len(),
                    // D13: every element must be a U8, not only the first.
                    IValue::Array(items) if items.iter().all(|i| matches!(i, IValue::U8(_))) => {
                        items.len()
                    }
                    _ => return Err(invalid(IType::ByteArray, value)),
                };
                let len = length(len)?;
                self.stack.push(len);
            }
        }
        Ok(())
    }

    fn input(&self, index: u32) -> Outcome<&'a IValue> {
        let inputs: &'a [IValue] = self.inputs;
        usize::try_from(index)
            .ok()
            .and_then(|slot| inputs.get(slot))
            .ok_or_else(|| Fault {
                kind: InstructionErrorKind::InvocationInputIsMissing { index },
                earlier: true,
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
        self.stack.extend([
            IValue::I32(ptr.cast_signed()),
            IValue::I32(len.cast_signed()),
        ]);
    }

    /// Writes `bytes` at `ptr` for `string.lower_memory`/`byte_array.lower_memory`: the
    /// region is checked even when empty, as Marine does.
    fn write_at(&mut self, ptr: u32, bytes: &[u8]) -> Outcome {
        let memory = self.host.memory().map_err(memory_unavailable)?;
        let end = u64::from(ptr) + bytes.len() as u64;
        let length = memory.len() as u64;
        let target = (end <= length)
            .then(|| usize::try_from(ptr).ok().zip(usize::try_from(end).ok()))
            .flatten()
            .and_then(|(start, end)| memory.get_mut(start..end))
            .ok_or_else(|| InstructionErrorKind::MemoryOutOfBoundsAccess { index: end, length })?;
        target.copy_from_slice(bytes);
        Ok(())
    }

    fn lower_array(&mut self, element: &IType, value: &IValue) -> Outcome<(u32, u32)> {
        let mut target = HostAllocator::new(&mut *self.host, &mut *self.scratch);
        memory::lower_array(&mut target, element, value, &self.module.records).map_err(lower_fault)
    }

    fn lower_record(&mut self, id: u64, value: &IValue) -> Outcome<u32> {
        let IValue::Record(fields) = value else {
            return Err(invalid(IType::Record(id), value.clone()));
        };
        let mut target = HostAllocator::new(&mut *self.host, &mut *self.scratch);
        memory::lower_record(&mut target, id, fields, &self.module.records).map_err(lower_fault)
    }

    fn call_export(&mut self, slot: u32) -> Outcome {
        let module = self.module;
        let export = usize::try_from(slot)
            .ok()
            .and_then(|index| module.core_exports.get(index))
            .ok_or_else(|| InstructionErrorKind::LocalOrImportIsMissing {
                function_index: slot,
            })?;
        let signature = &export.signature;
        let base = self.check_args(signature.params.len(), |i, value| {
            let ty = signature.params.get(i)?;
            (!ty.matches(value)).then(|| ty.itype())
        })?;
        self.scratch.clear();
        let args = self.stack.get(base..).unwrap_or_default();
        self.host
            .call_export(slot, args, self.scratch)
            .map_err(|reason| InstructionErrorKind::LocalOrImportCall {
                function_name: export.name.clone(),
                reason,
            })?;
        if self.scratch.len() != signature.results.len()
            || !self
                .scratch
                .iter()
                .zip(&signature.results)
                .all(|(value, ty)| ty.matches(value))
        {
            return Err(InstructionErrorKind::UnexpectedResults {
                function_name: export.name.clone(),
                expected: signature.results.len(),
                received: self.scratch.len(),
            }
            .into());
        }
        self.stack.truncate(base);
        self.stack.append(self.scratch);
        Ok(())
    }

    /// `call-core 0` with `allocate`'s signature: its result is checked like every
    /// allocation (D22).
    fn call_allocate(&mut self) -> Outcome {
        let args = self
            .stack
            .len()
            .checked_sub(2)
            .and_then(|base| match self.stack.get(base..) {
                Some([IValue::I32(size), IValue::I32(tag)]) => {
                    Some((size.cast_unsigned(), tag.cast_unsigned()))
                }
                _ => None,
            });
        self.call_export(ALLOCATE_SLOT)?;
        let (Some((size, tag)), Some(IValue::I32(ptr))) = (args, self.stack.last()) else {
            return Ok(());
        };
        let ptr = ptr.cast_unsigned();
        if ptr == 0 && size > 0 {
            return Err(
                InstructionErrorKind::LoError(LowerError::AllocateNull { size, tag }).into(),
            );
        }
        let memory_size = self.host.memory().map_err(memory_unavailable)?.len() as u64;
        if u64::from(ptr) + u64::from(size) > memory_size {
            return Err(
                InstructionErrorKind::LoError(LowerError::AllocateOutOfBounds {
                    ptr,
                    size,
                    tag,
                    memory_size,
                })
                .into(),
            );
        }
        Ok(())
    }

    fn call_import(&mut self, slot: u32) -> Outcome {
        let module = self.module;
        let import = usize::try_from(slot)
            .ok()
            .and_then(|index| module.imports.get(index))
            .ok_or_else(|| InstructionErrorKind::LocalOrImportIsMissing {
                function_index: u32::try_from(module.core_exports.len())
                    .unwrap_or(u32::MAX)
                    .saturating_add(slot),
            })?;
        let ty = &import.ty;
        // The outer shape is checked here; the callee's lowering checks the inside.
        let base = self.check_args(ty.params.len(), |i, value| {
            let param = ty.params.get(i)?;
            (!compat::shape_matches(&param.ty, value)).then(|| param.ty.clone())
        })?;
        self.scratch.clear();
        let args = self.stack.get(base..).unwrap_or_default();
        self.host
            .call_import(slot, args, self.scratch)
            .map_err(|reason| InstructionErrorKind::LocalOrImportCall {
                function_name: import.name.clone(),
                reason,
            })?;
        if self.scratch.len() != ty.results.len()
            || !self
                .scratch
                .iter()
                .zip(&ty.results)
                .all(|(value, ty)| compat::shape_matches(ty, value))
        {
            return Err(InstructionErrorKind::UnexpectedResults {
                function_name: import.name.clone(),
                expected: ty.results.len(),
                received: self.scratch.len(),
            }
            .into());
        }
        self.stack.truncate(base);
        self.stack.append(self.scratch);
        Ok(())
    }

    /// Checks the top `count` values, the arguments of a call, with `mismatch` (which
    /// returns the expected type of a value that does not fit). Returns where they start:
    /// the host reads them in place, and they are dropped once it has returned.
    fn check_args(
        &self,
        count: usize,
        mismatch: impl Fn(usize, &IValue) -> Option<IType>,
    ) -> Outcome<usize> {
        self.need(count)?;
        let base = self.stack.len() - count;
        for (i, value) in self.stack.iter().skip(base).enumerate() {
            if let Some(expected) = mismatch(i, value) {
                return Err(invalid(expected, value.clone()));
            }
        }
        Ok(base)
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
            core_exports: vec![CoreExport {
                name: "allocate".into(),
                signature: CoreSignature::new([CoreType::I32, CoreType::I32], [CoreType::I32]),
            }],
            exports: Vec::new(),
            imports: Vec::new(),
            records: memory::RecordTable::default(),
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
