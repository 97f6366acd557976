//! Checks one adapter by simulating its stack with types (§7 items 3 and 4) and turns it
//! into a flat [`Program`].

use crate::adapter::nesting::NestingChecker;
use crate::adapter::program::{Op, Program, RecordArg, Step};
use crate::adapter::semantics::{Semantics, semantics};
use crate::adapter::{AdapterError, AdapterErrorKind, CoreExport, CoreType};
use crate::compat::types_compatible;
use crate::instructions::Instruction;
use crate::memory::crosses_as_image;
use crate::records::RecordTable;
use crate::types::{FunctionType, IType, TypeEntry};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Whether an adapter wraps an export (IT values in and out) or an import (raw core values
/// in and out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Export,
    Import,
}

/// The `call-core` function space and the type tables, shared by all adapters of a module.
pub(crate) struct Context<'a> {
    pub(crate) types: &'a [TypeEntry],
    pub(crate) records: &'a RecordTable,
    pub(crate) core_exports: &'a [CoreExport],
    /// IT-level types of the adapted imports, by slot.
    pub(crate) import_types: &'a [&'a FunctionType],
    /// True when function 0 has `allocate`'s signature, so lowering may call it.
    pub(crate) can_allocate: bool,
}

/// Checks `instructions`, the adapter of type `adapter_type` (= `ty`) in role `role`, and
/// compiles them.
pub(crate) fn compile_adapter(
    context: &Context<'_>,
    nesting: &mut NestingChecker<'_>,
    adapter_type: u32,
    ty: &FunctionType,
    role: Role,
    instructions: &[Instruction],
) -> Result<Program, AdapterError> {
    let mut checker = Checker {
        context,
        nesting,
        inputs: inputs(ty, role),
        stack: Vec::new(),
    };
    for (index, instruction) in instructions.iter().enumerate() {
        checker
            .instruction(instruction)
            .map_err(|kind| AdapterError {
                adapter_type,
                instruction_index: index,
                instruction: Some(instruction.clone()),
                kind,
            })?;
    }
    let expected = results(ty, role);
    let matches = checker.stack.len() == expected.len()
        && checker
            .stack
            .iter()
            .zip(&expected)
            .all(|(found, expected)| {
                types_compatible(found, context.records, expected, context.records)
            });
    if !matches {
        return Err(AdapterError {
            adapter_type,
            instruction_index: instructions.len(),
            instruction: None,
            kind: AdapterErrorKind::FinalStack {
                expected,
                found: checker.stack,
            },
        });
    }
    let mut steps = generate(context, instructions);
    if role == Role::Export {
        mark_images(context, ty, &mut steps);
    }
    Ok(Program {
        steps,
        source: instructions.to_vec(),
        adapter_type,
    })
}

/// Marks the steps of an export adapter through which its record parameter or result may
/// cross as a [`RecordImage`](crate::memory::RecordImage): the lowering of its only
/// parameter when nothing else reads it, and the lifting of its only result when that is the
/// last step. Either record must [cross as an image](crate::memory::crosses_as_image).
fn mark_images(context: &Context<'_>, ty: &FunctionType, steps: &mut [Step]) {
    let crosses = |id: u64| context.records.get(id).is_some_and(crosses_as_image);
    let readers = steps
        .iter()
        .filter(|step| step.op.input() == Some(0))
        .count();
    if ty.params.len() == 1 && readers == 1 {
        for step in steps.iter_mut() {
            if let Op::ArgRecordLower {
                index: 0,
                id,
                image,
            } = &mut step.op
            {
                *image = crosses(*id);
            }
        }
    }
    if let ([IType::Record(_)], Some(step)) = (ty.results.as_slice(), steps.last_mut())
        && let Op::LiftRecordResult { id, image, .. } = &mut step.op
    {
        *image = crosses(*id);
    }
}

/// The stack types of the adapter's inputs: IT values for export adapters, the core values
/// of the raw signature for import adapters.
fn inputs(ty: &FunctionType, role: Role) -> Vec<IType> {
    ty.params
        .iter()
        .map(|param| as_role(&param.ty, role))
        .collect()
}

fn results(ty: &FunctionType, role: Role) -> Vec<IType> {
    ty.results.iter().map(|ty| as_role(ty, role)).collect()
}

fn as_role(ty: &IType, role: Role) -> IType {
    match role {
        Role::Export => ty.clone(),
        // Raw types were checked to have a core form before adapters are compiled; a
        // raw `s32` (older toolchains) is an `i32` on the stack.
        Role::Import => CoreType::of_scalar(ty).map_or_else(|| ty.clone(), CoreType::itype),
    }
}

struct Checker<'c, 'n, 'r> {
    context: &'c Context<'c>,
    nesting: &'n mut NestingChecker<'r>,
    inputs: Vec<IType>,
    stack: Vec<IType>,
}

impl Checker<'_, '_, '_> {
    fn instruction(&mut self, instruction: &Instruction) -> Result<(), AdapterErrorKind> {
        match semantics(instruction) {
            Semantics::Convert(conversion) => {
                self.pop(&[conversion.from.itype()])?;
                self.stack.push(conversion.to.itype());
            }
            Semantics::ArgGet(index) => {
                let ty = usize::try_from(index)
                    .ok()
                    .and_then(|slot| self.inputs.get(slot))
                    .ok_or(AdapterErrorKind::ArgumentOutOfRange {
                        index,
                        arity: self.inputs.len(),
                    })?;
                self.stack.push(ty.clone());
            }
            Semantics::CallCore(function_index) => self.call(function_index)?,
            Semantics::StringLiftMemory => {
                self.pop(&[IType::I32, IType::I32])?;
                self.stack.push(IType::String);
            }
            Semantics::StringLowerMemory => {
                self.pop(&[IType::I32, IType::String])?;
                self.stack.extend([IType::I32, IType::I32]);
            }
            Semantics::StringSize => {
                self.pop(&[IType::String])?;
                self.stack.push(IType::I32);
            }
            Semantics::Dup => {
                self.need(1)?;
                if let Some(top) = self.stack.last().cloned() {
                    self.stack.push(top);
                }
            }
            Semantics::Swap2 => {
                self.need(2)?;
                let len = self.stack.len();
                self.stack.swap(len - 2, len - 1);
            }
            Semantics::ArrayLiftMemory(element) => {
                self.value_type(element)?;
                self.pop(&[IType::I32, IType::I32])?;
                self.stack.push(IType::Array(Box::new(element.clone())));
            }
            Semantics::ArrayLowerMemory(element) => {
                self.value_type(element)?;
                self.allocates()?;
                self.pop(&[IType::Array(Box::new(element.clone()))])?;
                self.stack.extend([IType::I32, IType::I32]);
            }
            Semantics::RecordLiftMemory(id) => {
                let record = self.record_type(id)?;
                self.pop(&[IType::I32])?;
                self.stack.push(record);
            }
            Semantics::RecordLowerMemory(id) => {
                let record = self.record_type(id)?;
                self.allocates()?;
                self.pop(&[record])?;
                self.stack.push(IType::I32);
            }
            Semantics::I32Push(_) => self.stack.push(IType::I32),
            Semantics::I64Push(_) => self.stack.push(IType::I64),
            Semantics::ByteArrayLiftMemory => {
                self.pop(&[IType::I32, IType::I32])?;
                self.stack.push(IType::ByteArray);
            }
            Semantics::ByteArrayLowerMemory => {
                self.pop(&[IType::I32, IType::ByteArray])?;
                self.stack.extend([IType::I32, IType::I32]);
            }
            Semantics::ByteArraySize => {
                self.pop(&[IType::ByteArray])?;
                self.stack.push(IType::I32);
            }
        }
        Ok(())
    }

    fn call(&mut self, function_index: u32) -> Result<(), AdapterErrorKind> {
        let context = self.context;
        let out_of_range = AdapterErrorKind::FunctionOutOfRange {
            index: function_index,
            count: context.core_exports.len() + context.import_types.len(),
        };
        let index = usize::try_from(function_index).map_err(|_| out_of_range.clone())?;
        if let Some(export) = context.core_exports.get(index) {
            let params: Vec<IType> = export.signature.params.iter().map(|t| t.itype()).collect();
            self.pop(&params)?;
            self.stack
                .extend(export.signature.results.iter().map(|t| t.itype()));
            return Ok(());
        }
        let ty = index
            .checked_sub(context.core_exports.len())
            .and_then(|slot| context.import_types.get(slot))
            .ok_or(out_of_range)?;
        let params: Vec<IType> = ty.params.iter().map(|param| param.ty.clone()).collect();
        self.pop(&params)?;
        self.stack.extend(ty.results.iter().cloned());
        Ok(())
    }

    fn need(&self, needed: usize) -> Result<(), AdapterErrorKind> {
        if self.stack.len() < needed {
            return Err(AdapterErrorKind::StackTooSmall {
                needed,
                available: self.stack.len(),
            });
        }
        Ok(())
    }

    /// Pops values of the `expected` types (the last one on top).
    fn pop(&mut self, expected: &[IType]) -> Result<(), AdapterErrorKind> {
        self.need(expected.len())?;
        let base = self.stack.len() - expected.len();
        for (found, expected) in self.stack[base..].iter().zip(expected) {
            let records = self.context.records;
            if !types_compatible(found, records, expected, records) {
                return Err(AdapterErrorKind::TypeMismatch {
                    expected: expected.clone(),
                    found: found.clone(),
                });
            }
        }
        self.stack.truncate(base);
        Ok(())
    }

    fn allocates(&self) -> Result<(), AdapterErrorKind> {
        if self.context.can_allocate {
            Ok(())
        } else {
            Err(AdapterErrorKind::AllocateSignature)
        }
    }

    /// Checks a type immediate: its records exist and nest properly.
    fn value_type(&mut self, ty: &IType) -> Result<(), AdapterErrorKind> {
        let mut inner = ty;
        while let IType::Array(element) = inner {
            inner = element;
        }
        if let IType::Record(id) = inner {
            self.record_type(*id)?;
        }
        self.nesting.check(ty)?;
        Ok(())
    }

    fn record_type(&mut self, id: impl Into<u64>) -> Result<IType, AdapterErrorKind> {
        let id = id.into();
        match usize::try_from(id)
            .ok()
            .and_then(|index| self.context.types.get(index))
        {
            None => Err(AdapterErrorKind::TypeOutOfRange { index: id }),
            Some(TypeEntry::Function(_)) => Err(AdapterErrorKind::NotARecord { index: id }),
            Some(TypeEntry::Record(_)) => {
                let ty = IType::Record(id);
                self.nesting.check(&ty)?;
                Ok(ty)
            }
        }
    }
}

/// Turns checked instructions into steps, fusing the toolchain's argument patterns.
fn generate(context: &Context<'_>, instructions: &[Instruction]) -> Vec<Step> {
    let mut steps = Vec::with_capacity(instructions.len());
    let mut index = 0;
    while let Some(instruction) = instructions.get(index) {
        if let Some(op) = fuse_abi_sequence(context, instructions.get(index..).unwrap_or_default())
        {
            index += usize::from(op.width());
            let at = u32::try_from(index - 1).unwrap_or(u32::MAX);
            steps.push(Step { op, at });
            continue;
        }
        let next = instructions.get(index + 1);
        let fused = match (instruction, next) {
            (Instruction::ArgGet { index: arg }, Some(Instruction::StringSize)) => {
                Some(Op::ArgStringSize(*arg))
            }
            (Instruction::ArgGet { index: arg }, Some(Instruction::StringLowerMemory)) => {
                Some(Op::ArgStringLower(*arg))
            }
            (
                Instruction::ArgGet { index: arg },
                Some(Instruction::ArrayLowerMemory { value_type }),
            ) => Some(Op::ArgArrayLower(*arg, value_type.clone())),
            (
                Instruction::ArgGet { index: arg },
                Some(Instruction::RecordLowerMemory { record_type_id }),
            ) => Some(Op::ArgRecordLower {
                index: *arg,
                id: u64::from(*record_type_id),
                image: false,
            }),
            (Instruction::Dup, Some(Instruction::StringSize)) => Some(Op::PeekStringSize),
            _ => None,
        };
        let op = match fused {
            Some(op) => op,
            None => {
                // Right after a `call-core` of an adapted import, the value on top is the
                // import's result: typed by the exporting module's adapter.
                let after_import = || {
                    index
                        .checked_sub(1)
                        .and_then(|previous| instructions.get(previous))
                        .is_some_and(|previous| {
                            matches!(single(context, previous), Op::CallImport(_))
                        })
                };
                match single(context, instruction) {
                    Op::RecordLowerMemory(id, _) => Op::RecordLowerMemory(id, after_import()),
                    Op::ArrayLowerMemory(element, _) => {
                        Op::ArrayLowerMemory(element, after_import())
                    }
                    op => op,
                }
            }
        };
        index += usize::from(op.width());
        // Indices fit in u32: the instruction count comes from a u32-bounded list.
        let at = u32::try_from(index - 1).unwrap_or(u32::MAX);
        steps.push(Step { op, at });
    }
    steps
}

/// The toolchain's longer sequences at the start of `rest`, as one operation (which knows how
/// many instructions it stands for, [`Op::width`]): a string argument written into a fresh allocation (and
/// the call that takes it), a string or byte array result read from
/// `get_result_ptr`/`get_result_size` (and the `release_objects` after it), and a record
/// result read from `get_result_ptr`.
fn fuse_abi_sequence(context: &Context<'_>, rest: &[Instruction]) -> Option<Op> {
    use Instruction as I;
    let is_i32_getter = |instruction: &Instruction| {
        matches!(
            single(context, instruction),
            Op::CallI32 {
                arity: 0,
                result: Some(CoreType::I32),
                ..
            }
        )
    };
    match rest {
        [
            I::ArgGet { index },
            I::StringSize,
            I::I32Push { value: 1 },
            allocate @ I::CallCore { .. },
            I::ArgGet { index: again },
            I::StringLowerMemory,
            rest @ ..,
        ] if index == again && single(context, allocate) == Op::CallAllocate => {
            match next_i32_call(context, rest) {
                Some((slot, 2, result)) => Some(Op::ArgStringCall {
                    index: *index,
                    slot,
                    result,
                }),
                _ => Some(Op::ArgStringToMemory(*index)),
            }
        }
        [
            ptr @ I::CallCore { function_index: p },
            len @ I::CallCore { function_index: l },
            lift @ (I::StringLiftMemory | I::ByteArrayLiftMemory),
            rest @ ..,
        ] if is_i32_getter(ptr) && is_i32_getter(len) => Some(Op::LiftResult {
            ptr: *p,
            len: *l,
            bytes: matches!(lift, I::ByteArrayLiftMemory),
            release: release_after(context, rest),
        }),
        [
            ptr @ I::CallCore { function_index: p },
            I::RecordLiftMemory { record_type_id },
            rest @ ..,
        ] if is_i32_getter(ptr) => Some(Op::LiftRecordResult {
            ptr: *p,
            id: u64::from(*record_type_id),
            release: release_after(context, rest),
            image: false,
        }),
        [
            I::ArgGet { index },
            I::RecordLiftMemory { record_type_id },
            rest @ ..,
        ] => {
            let release = release_after(context, rest);
            let rest = rest
                .get(usize::from(release.is_some())..)
                .unwrap_or_default();
            let (slot, params) = import_call(context, rest)?;
            if params != 1 {
                return None;
            }
            let arg = RecordArg {
                input: *index,
                id: u64::from(*record_type_id),
                release,
            };
            Some(Op::CallImportRecords {
                slot,
                arg: Some(arg),
                result: lowered_result(context, slot, rest.get(1..).unwrap_or_default()),
            })
        }
        [call @ I::CallCore { .. }, rest @ ..] => {
            let (slot, _) = import_call(context, core::slice::from_ref(call))?;
            let result = lowered_result(context, slot, rest)?;
            Some(Op::CallImportRecords {
                slot,
                arg: None,
                result: Some(result),
            })
        }
        _ => None,
    }
}

/// The slot and parameter count of the adapted import that `rest` starts by calling, if it
/// does.
fn import_call(context: &Context<'_>, rest: &[Instruction]) -> Option<(u32, usize)> {
    match rest.first().map(|call| single(context, call)) {
        Some(Op::CallImport(slot)) => {
            let ty = context.import_types.get(usize::try_from(slot).ok()?)?;
            Some((slot, ty.params.len()))
        }
        _ => None,
    }
}

/// The record type `rest` starts by lowering (`record.lower_memory R`) when import `slot`
/// returns one record, which that lowers.
fn lowered_result(context: &Context<'_>, slot: u32, rest: &[Instruction]) -> Option<u64> {
    let ty = context.import_types.get(usize::try_from(slot).ok()?)?;
    match (ty.results.as_slice(), rest.first()) {
        ([IType::Record(_)], Some(Instruction::RecordLowerMemory { record_type_id })) => {
            Some(u64::from(*record_type_id))
        }
        _ => None,
    }
}

/// The slot, arity and result of the integer export that `rest` starts by calling, if it
/// does.
fn next_i32_call(
    context: &Context<'_>,
    rest: &[Instruction],
) -> Option<(u32, u8, Option<CoreType>)> {
    match rest.first().map(|call| single(context, call)) {
        Some(Op::CallI32 {
            slot,
            arity,
            result,
        }) => Some((slot, arity, result)),
        _ => None,
    }
}

/// The slot of the export of no parameter and no result that `rest` starts by calling
/// (`release_objects` after a result is lifted), if it does.
fn release_after(context: &Context<'_>, rest: &[Instruction]) -> Option<u32> {
    match next_i32_call(context, rest) {
        Some((slot, 0, None)) => Some(slot),
        _ => None,
    }
}

fn single(context: &Context<'_>, instruction: &Instruction) -> Op {
    match semantics(instruction) {
        Semantics::Convert(conversion) => Op::Convert(conversion),
        Semantics::ArgGet(index) => Op::ArgGet(index),
        Semantics::CallCore(function_index) => {
            let exports = context.core_exports.len();
            match usize::try_from(function_index) {
                Ok(0) if context.can_allocate => Op::CallAllocate,
                Ok(index) if index < exports => context
                    .core_exports
                    .get(index)
                    .map_or(Op::CallExport(function_index), |export| {
                        export.call_op(function_index)
                    }),
                // Checked: the index is inside the function space.
                Ok(index) => Op::CallImport(u32::try_from(index - exports).unwrap_or(u32::MAX)),
                Err(_) => Op::CallImport(u32::MAX),
            }
        }
        Semantics::StringLiftMemory => Op::StringLiftMemory,
        Semantics::StringLowerMemory => Op::StringLowerMemory,
        Semantics::StringSize => Op::StringSize,
        Semantics::Dup => Op::Dup,
        Semantics::Swap2 => Op::Swap2,
        Semantics::ArrayLiftMemory(element) => Op::ArrayLiftMemory(element.clone()),
        Semantics::ArrayLowerMemory(element) => Op::ArrayLowerMemory(element.clone(), false),
        Semantics::RecordLiftMemory(id) => Op::RecordLiftMemory(u64::from(id)),
        Semantics::RecordLowerMemory(id) => Op::RecordLowerMemory(u64::from(id), false),
        Semantics::I32Push(value) => Op::I32Push(value),
        Semantics::I64Push(value) => Op::I64Push(value),
        Semantics::ByteArrayLiftMemory => Op::ByteArrayLiftMemory,
        Semantics::ByteArrayLowerMemory => Op::ByteArrayLowerMemory,
        Semantics::ByteArraySize => Op::ByteArraySize,
    }
}
