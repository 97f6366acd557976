//! Records: `record.lift_memory R`, `record.lower_memory R` and the fused `arg.get i;
//! record.lower_memory R`.

use super::{Machine, Outcome, invalid, lift_fault, lower_fault, memory_unavailable};
use crate::adapter::program::RecordArg;
use crate::adapter::{AdapterHost, HostAllocator, InstructionErrorKind};
use crate::memory::{self, RecordImage, RecordLayout};
use crate::types::IType;
use crate::values::IValue;

impl<H: AdapterHost + ?Sized> Machine<'_, H> {
    /// `arg.get i; record.lower_memory R`: lowers input `i` without copying it, unchecked
    /// when the host vouches for its inputs' types.
    /// With `image`, the input may have come as a [`RecordImage`], which is lowered instead.
    #[inline]
    pub(super) fn arg_record_lower(&mut self, index: u32, id: u64, image: bool) -> Outcome {
        if image && let Some(image) = self.given.arg {
            let ptr = lower_image(self.host, &self.module.records, id, image)?;
            self.stack.push(IValue::I32(ptr.cast_signed()));
            return Ok(());
        }
        let value = self.input(index)?;
        let typed = self.host.inputs_are_typed();
        let ptr = self.lower_record(id, value, typed)?;
        self.stack.push(IValue::I32(ptr.cast_signed()));
        Ok(())
    }

    /// `record.lift_memory R`: a pointer to the record there.
    #[inline]
    pub(super) fn record_lift_memory(&mut self, id: u64) -> Outcome {
        let ptr = self.pop_u32()?;
        self.push_record(id, ptr)
    }

    /// `call-core p; record.lift_memory R` in one step: the record at the pointer the
    /// getter returns, pushed; then, with `release`, the `call-core` of that export. With
    /// `image`, the record goes into the caller's [`RecordImage`] if it asked for one.
    #[inline]
    pub(super) fn lift_record_result(
        &mut self,
        ptr: u32,
        id: u64,
        release: Option<u32>,
        image: bool,
    ) -> Outcome {
        self.result_step(release, |machine, back| {
            let ptr = machine.getter(ptr, back + 1)?;
            let imaged = match machine.given.result.as_deref_mut() {
                Some(out) if image => lift_image(
                    machine.host,
                    &machine.module.records,
                    id,
                    ptr,
                    &mut machine.budget,
                    out,
                ),
                _ => Ok(false),
            };
            match imaged {
                Ok(true) => Ok(()),
                Ok(false) => machine.push_record(id, ptr),
                Err(fault) => Err(fault),
            }
            .map_err(|fault| fault.back(back))
        })
    }

    /// `arg.get i; record.lift_memory R; [call-core release]; call-core import; [record.lower_memory
    /// R']` in one step (see [`Op::CallImportRecords`](crate::adapter::program::Op)): the
    /// records cross as images where the host allows it, as values otherwise.
    #[inline]
    pub(super) fn call_import_records(
        &mut self,
        slot: u32,
        arg: Option<RecordArg>,
        result: Option<u64>,
    ) -> Outcome {
        // Faults are placed at their instruction, counted back from the step's last one.
        let call_back = u8::from(result.is_some());
        let allowed = self.host.import_images(slot);
        let mut arg_image = false;
        if let Some(RecordArg { input, id, release }) = arg {
            let lift_back = call_back + 1 + u8::from(release.is_some());
            let ptr = match self.input(input) {
                Ok(IValue::I32(ptr)) => ptr.cast_unsigned(),
                Ok(other) => {
                    let to_native = InstructionErrorKind::ToNative {
                        from: other.clone(),
                        to: "i32",
                    };
                    return Err(super::Fault::from(to_native).back(lift_back));
                }
                Err(fault) => return Err(fault.back(lift_back + 1)),
            };
            if allowed.arg {
                arg_image = lift_image(
                    self.host,
                    &self.module.records,
                    id,
                    ptr,
                    &mut self.budget,
                    &mut self.images.arg,
                )
                .map_err(|fault| fault.back(lift_back))?;
            }
            if !arg_image {
                self.push_record(id, ptr)
                    .map_err(|fault| fault.back(lift_back))?;
            }
            if let Some(release) = release {
                self.call_i32_args(release, &[], None)
                    .map_err(|fault| fault.back(call_back + 1))?;
            }
        }
        let result_image = result.is_some() && allowed.result;
        self.import_call(slot, arg_image, result_image)
            .map_err(|fault| fault.back(call_back))?;
        if let Some(id) = result {
            if result_image && self.images.result.is_filled() {
                let ptr = lower_image(self.host, &self.module.records, id, &self.images.result)?;
                self.stack.push(IValue::I32(ptr.cast_signed()));
            } else {
                self.record_lower_memory(id, true)?;
            }
        }
        Ok(())
    }

    /// Pushes the record of type `id` at `ptr`.
    #[inline(always)]
    fn push_record(&mut self, id: u64, ptr: u32) -> Outcome {
        let memory = self.host.memory().map_err(memory_unavailable)?;
        let fields = memory::lift_record(memory, id, ptr, &self.module.records, &mut self.budget)
            .map_err(lift_fault)?;
        self.stack.push(IValue::Record(fields));
        Ok(())
    }

    /// `record.lower_memory R`: a record to a pointer, lowered into fresh allocations.
    /// `import_result`: the record is what an adapted import just returned, unchecked when
    /// the host vouches for those.
    #[inline]
    pub(super) fn record_lower_memory(&mut self, id: u64, import_result: bool) -> Outcome {
        let value = self.pop()?;
        let typed = import_result && self.host.import_results_are_typed();
        let ptr = self.lower_record(id, &value, typed)?;
        self.stack.push(IValue::I32(ptr.cast_signed()));
        Ok(())
    }

    fn lower_record(&mut self, id: u64, value: &IValue, typed: bool) -> Outcome<u32> {
        let IValue::Record(fields) = value else {
            return Err(invalid(IType::Record(id), value.clone()));
        };
        let records = &self.module.records;
        let mut target = HostAllocator::new(&mut *self.host);
        if typed {
            memory::lower_record_typed(&mut target, id, fields, records)
        } else {
            memory::lower_record(&mut target, id, fields, records)
        }
        .map_err(lower_fault)
    }
}

/// The layout of record type `id`.
fn record_layout(records: &memory::RecordTable, id: u64) -> Outcome<&RecordLayout> {
    records.get(id).ok_or_else(|| {
        InstructionErrorKind::RecordTypeByNameIsMissing { record_type_id: id }.into()
    })
}

/// Lifts the record of type `id` at `ptr` of the host's memory into `image`; `false`, with
/// nothing read, for a record that does not cross as an image.
fn lift_image<H: AdapterHost + ?Sized>(
    host: &mut H,
    records: &memory::RecordTable,
    id: u64,
    ptr: u32,
    budget: &mut memory::LiftBudget,
    image: &mut RecordImage,
) -> Outcome<bool> {
    let layout = record_layout(records, id)?;
    let memory = host.memory().map_err(memory_unavailable)?;
    memory::lift_record_image(memory, layout, ptr, budget, image).map_err(lift_fault)
}

/// Lowers the record `image` holds as record type `id` into the host's module; returns its
/// pointer.
fn lower_image<H: AdapterHost + ?Sized>(
    host: &mut H,
    records: &memory::RecordTable,
    id: u64,
    image: &RecordImage,
) -> Outcome<u32> {
    let layout = record_layout(records, id)?;
    memory::lower_record_image(&mut HostAllocator::new(host), layout, image).map_err(lower_fault)
}
