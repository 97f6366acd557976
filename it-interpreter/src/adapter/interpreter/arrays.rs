//! Arrays: `array.lift_memory T`, `array.lower_memory T` and the fused `arg.get i;
//! array.lower_memory T`.

use super::{Machine, Outcome, lift_fault, lower_fault, memory_unavailable};
use crate::adapter::{AdapterHost, HostAllocator};
use crate::memory;
use crate::types::IType;
use crate::values::IValue;
use alloc::vec::Vec;

impl<H: AdapterHost + ?Sized> Machine<'_, H> {
    /// `arg.get i; array.lower_memory T`: lowers input `i` without copying it.
    #[inline]
    pub(super) fn arg_array_lower(&mut self, index: u32, element: &IType) -> Outcome {
        let value = self.input(index)?;
        let typed = self.host.inputs_are_typed();
        let (ptr, count) = self.lower_array(element, value, typed)?;
        self.push_pair(ptr, count);
        Ok(())
    }

    /// `array.lift_memory T`: `[ptr, count]` to the array there.
    #[inline]
    pub(super) fn array_lift_memory(&mut self, element: &IType) -> Outcome {
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
        Ok(())
    }

    /// `array.lower_memory T`: an array to `[ptr, count]`, lowered into fresh allocations.
    #[inline]
    pub(super) fn array_lower_memory(&mut self, element: &IType, import_result: bool) -> Outcome {
        let value = self.pop()?;
        let typed = import_result && self.host.import_results_are_typed();
        let (ptr, count) = self.lower_array(element, &value, typed)?;
        self.push_pair(ptr, count);
        Ok(())
    }

    /// Lowers an array, unchecked when `typed` (see [`record_lower_memory`]).
    ///
    /// [`record_lower_memory`]: Self::record_lower_memory
    fn lower_array(&mut self, element: &IType, value: &IValue, typed: bool) -> Outcome<(u32, u32)> {
        let records = &self.module.records;
        let mut target = HostAllocator::new(&mut *self.host);
        if typed {
            memory::lower_array_typed(&mut target, element, value, records)
        } else {
            memory::lower_array(&mut target, element, value, records)
        }
        .map_err(lower_fault)
    }
}
