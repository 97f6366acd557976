//! Records: `record.lift_memory R`, `record.lower_memory R` and the fused `arg.get i;
//! record.lower_memory R`.

use super::{Machine, Outcome, invalid, lift_fault, lower_fault, memory_unavailable};
use crate::adapter::{AdapterHost, HostAllocator};
use crate::memory;
use crate::types::IType;
use crate::values::IValue;

impl<H: AdapterHost + ?Sized> Machine<'_, H> {
    /// `arg.get i; record.lower_memory R`: lowers input `i` without copying it, unchecked
    /// when the host vouches for its inputs' types.
    #[inline]
    pub(super) fn arg_record_lower(&mut self, index: u32, id: u64) -> Outcome {
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
    /// getter returns, pushed; then, with `release`, the `call-core` of that export.
    #[inline]
    pub(super) fn lift_record_result(
        &mut self,
        ptr: u32,
        id: u64,
        release: Option<u32>,
    ) -> Outcome {
        self.result_step(release, |machine, back| {
            let ptr = machine.getter(ptr, back + 1)?;
            machine
                .push_record(id, ptr)
                .map_err(|fault| fault.back(back))
        })
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
