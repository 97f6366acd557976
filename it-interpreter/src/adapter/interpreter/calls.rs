//! Calls: `call-core` to a wasm export (`allocate` among them, whose result is checked) or to
//! an adapted import.

use super::{Fault, Machine, Outcome, byte_length, invalid, memory_unavailable};
use crate::adapter::host::{ALLOCATE_SLOT, MAX_I32_ARGS};
use crate::adapter::program::Op;
use crate::adapter::{AdapterHost, ImageCall, InstructionErrorKind};
use crate::adapter::{CoreType, CoreValue};
use crate::compat;
use crate::memory::HostError;
use crate::memory::LowerError;
use crate::types::IType;
use crate::values::IValue;
use alloc::string::String;

impl<H: AdapterHost + ?Sized> Machine<'_, H> {
    /// `call-core i` for a wasm export: calls it with the top values, checked against its
    /// signature, and replaces them with its results, checked too.
    #[inline]
    pub(super) fn call_export(&mut self, slot: u32) -> Outcome {
        let module = self.module;
        let export = usize::try_from(slot)
            .ok()
            .and_then(|index| module.core_exports.get(index))
            .ok_or_else(|| InstructionErrorKind::LocalOrImportIsMissing {
                function_index: slot,
            })?;
        if let Op::CallI32 {
            slot,
            arity,
            result,
        } = export.call_op(slot)
        {
            return self.call_i32(slot, arity, result);
        }
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

    /// `call-core i` for an export of `arity` `i32` parameters and at most one result of
    /// type `result`, as the compiler resolved it: the arguments go to the host as integers
    /// and the result is pushed, with the same checks as every core call. Errors are built
    /// out of line, so the call itself stays small.
    #[inline]
    pub(super) fn call_i32(&mut self, slot: u32, arity: u8, result: Option<CoreType>) -> Outcome {
        let count = usize::from(arity);
        self.need(count)?;
        let base = self.stack.len() - count;
        let mut args = [0_i32; MAX_I32_ARGS];
        for (arg, value) in args
            .iter_mut()
            .zip(self.stack.get(base..).unwrap_or_default())
        {
            match value {
                IValue::I32(x) => *arg = *x,
                other => return Err(invalid(IType::I32, other.clone())),
            }
        }
        // Popped one by one: integers need no drop, which the compiler sees here and not
        // through `truncate`'s general slice drop.
        for _ in 0..count {
            self.stack.pop();
        }
        self.call_i32_args(slot, args.get(..count).unwrap_or_default(), result)
    }

    /// Calls the `i32` export `slot` with `args` and pushes its result, checked against
    /// `result`.
    #[inline(always)]
    pub(super) fn call_i32_args(
        &mut self,
        slot: u32,
        args: &[i32],
        result: Option<CoreType>,
    ) -> Outcome {
        let value = match self.host.call_export_i32(slot, args) {
            Ok(value) => value,
            Err(reason) => return Err(self.call_failed(slot, reason)),
        };
        match (result, value) {
            (None, None) => Ok(()),
            (Some(ty), Some(value)) if value.ty() == ty => {
                self.stack.push(value.into());
                Ok(())
            }
            (_, value) => Err(self.unexpected_results(slot, result, usize::from(value.is_some()))),
        }
    }

    /// Calls the result getter `slot` (`get_result_ptr`, `get_result_size`): the pointer or
    /// length, its faults placed `back` instructions before the step's last one.
    #[inline(always)]
    pub(super) fn getter(&mut self, slot: u32, back: u8) -> Outcome<u32> {
        let called = self.host.call_export_i32(slot, &[]);
        self.returned_i32(slot, called)
            .map_err(|fault| fault.back(back))
    }

    /// A result step: `lift` reads and pushes the result, its faults placed `back`
    /// instructions before the lift's last one; then, with `release`, the `call-core` of that
    /// export (`release_objects`), which the step ends with.
    #[inline(always)]
    pub(super) fn result_step(
        &mut self,
        release: Option<u32>,
        lift: impl FnOnce(&mut Self, u8) -> Outcome,
    ) -> Outcome {
        lift(self, u8::from(release.is_some()))?;
        match release {
            Some(slot) => self.call_i32_args(slot, &[], None),
            None => Ok(()),
        }
    }

    /// The name of core export slot `slot`, for an error.
    fn export_name(&self, slot: u32) -> String {
        usize::try_from(slot)
            .ok()
            .and_then(|index| self.module.core_exports.get(index))
            .map(|export| export.name.clone())
            .unwrap_or_default()
    }

    #[cold]
    fn call_failed(&self, slot: u32, reason: HostError) -> Fault {
        InstructionErrorKind::LocalOrImportCall {
            function_name: self.export_name(slot),
            reason,
        }
        .into()
    }

    #[cold]
    fn unexpected_results(&self, slot: u32, result: Option<CoreType>, received: usize) -> Fault {
        InstructionErrorKind::UnexpectedResults {
            function_name: self.export_name(slot),
            expected: usize::from(result.is_some()),
            received,
        }
        .into()
    }

    /// `call-core 0` with `allocate`'s signature: its result is checked like every
    /// allocation (D22).
    #[inline]
    pub(super) fn call_allocate(&mut self) -> Outcome {
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
        self.allocation(ptr.cast_unsigned(), size, tag).map(|_| ())
    }

    /// `allocate(len, tag)` called as `call-core 0` calls it, `len` being the length of
    /// `bytes`, which are then written there: the allocation is checked (D22) and written
    /// with one look at memory.
    #[inline]
    pub(super) fn allocate_and_write(&mut self, bytes: &[u8], tag: u32) -> Outcome<u32> {
        let len = byte_length(bytes.len())?;
        let called = self.host.allocate(len, tag);
        let ptr = self.returned_i32(ALLOCATE_SLOT, called)?;
        // The region is `len` bytes long: exactly the bytes' length.
        self.allocation(ptr, len, tag)?.copy_from_slice(bytes);
        Ok(ptr)
    }

    /// What a call of export `slot` that returns a pointer or length (`allocate`,
    /// `get_result_ptr`, `get_result_size`) gave: the integer, or the error of the call.
    #[inline(always)]
    fn returned_i32(
        &self,
        slot: u32,
        called: Result<Option<CoreValue>, HostError>,
    ) -> Outcome<u32> {
        match called {
            Ok(Some(CoreValue::I32(value))) => Ok(value.cast_unsigned()),
            Ok(other) => {
                let received = usize::from(other.is_some());
                Err(self.unexpected_results(slot, Some(CoreType::I32), received))
            }
            Err(reason) => Err(self.call_failed(slot, reason)),
        }
    }

    /// D22: a fresh allocation of `size` bytes at `ptr` is not at 0 and lies inside memory;
    /// its `size` bytes of memory.
    #[inline]
    fn allocation(&mut self, ptr: u32, size: u32, tag: u32) -> Outcome<&mut [u8]> {
        if ptr == 0 && size > 0 {
            return Err(
                InstructionErrorKind::LoError(LowerError::AllocateNull { size, tag }).into(),
            );
        }
        let memory = self.host.memory().map_err(memory_unavailable)?;
        let memory_size = memory.len() as u64;
        let end = u64::from(ptr) + u64::from(size);
        let region = usize::try_from(ptr)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(start, end)| memory.get_mut(start..end));
        match region {
            Some(region) => Ok(region),
            None => Err(
                InstructionErrorKind::LoError(LowerError::AllocateOutOfBounds {
                    ptr,
                    size,
                    tag,
                    memory_size,
                })
                .into(),
            ),
        }
    }

    /// `call-core i` for an adapted import: calls it with the top values (their outer shape
    /// checked) and replaces them with its results.
    #[inline]
    pub(super) fn call_import(&mut self, slot: u32) -> Outcome {
        self.import_call(slot, false, false)
    }

    /// [`call_import`](Self::call_import), the import's only argument passed as the image
    /// lifted into `images.arg` when `arg_image` (it is then not on the stack), and its
    /// only result asked for as an image in `images.result` when `result_image` (it is then
    /// not pushed if the callee gives it so).
    pub(super) fn import_call(
        &mut self,
        slot: u32,
        arg_image: bool,
        result_image: bool,
    ) -> Outcome {
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
        let on_stack = if arg_image { 0 } else { ty.params.len() };
        let base = self.check_args(on_stack, |i, value| {
            let param = ty.params.get(i)?;
            (!compat::shape_matches(&param.ty, value)).then(|| param.ty.clone())
        })?;
        self.scratch.clear();
        let args = self.stack.get(base..).unwrap_or_default();
        let called = if arg_image || result_image {
            self.images.result.clear();
            let images = ImageCall {
                arg: arg_image.then_some(&self.images.arg),
                result: result_image.then_some(&mut self.images.result),
            };
            self.host
                .call_import_images(slot, args, images, self.scratch)
        } else {
            self.host.call_import(slot, args, self.scratch)
        };
        called.map_err(|reason| InstructionErrorKind::LocalOrImportCall {
            function_name: import.name.clone(),
            reason,
        })?;
        // A result given as an image is not among the values.
        let results = ty
            .results
            .get(usize::from(self.images.result.is_filled() && result_image)..)
            .unwrap_or_default();
        if self.scratch.len() != results.len()
            || !self
                .scratch
                .iter()
                .zip(results)
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
