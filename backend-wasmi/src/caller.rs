//! What a host function sees of its calling instance.

use strait_backend::{BackendError, CallerContext, WValue};
use wasmi::Caller;

use crate::Wasmi;
use crate::store::{StoreData, WasmiFunc, call_untyped, export_func, missing};

/// The calling instance of a host function.
pub struct WasmiCaller<'c> {
    pub(crate) caller: Caller<'c, StoreData>,
}

impl core::fmt::Debug for WasmiCaller<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WasmiCaller")
            .field("store", &self.caller.data().id)
            .finish()
    }
}

impl<'c> WasmiCaller<'c> {
    /// wasmi's caller.
    pub fn wasmi_caller(&mut self) -> &mut Caller<'c, StoreData> {
        &mut self.caller
    }
}

impl CallerContext<Wasmi> for WasmiCaller<'_> {
    fn memory(&mut self) -> Result<&mut [u8], BackendError> {
        let memory = self
            .caller
            .data()
            .memory
            .ok_or_else(|| missing("memory", "memory"))?;
        Ok(memory.data_mut(&mut self.caller))
    }

    fn func(&mut self, name: &str) -> Result<WasmiFunc, BackendError> {
        let func = self
            .caller
            .get_export(name)
            .and_then(wasmi::Extern::into_func);
        export_func(&self.caller, func, name)
    }

    fn call(
        &mut self,
        func: &WasmiFunc,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        call_untyped(&mut self.caller, func, args, results)
    }
}
