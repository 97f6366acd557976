//! What a host function sees of its calling instance.

use strait_backend::{BackendError, CallerContext, WValue};
use wasmtime::Caller;

use crate::Wasmtime;
use crate::store::{StoreData, WasmtimeFunc, call_untyped, export_func};

/// The calling instance of a host function.
pub struct WasmtimeCaller<'c> {
    pub(crate) caller: Caller<'c, StoreData>,
}

impl std::fmt::Debug for WasmtimeCaller<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmtimeCaller")
            .field("store", &self.caller.data().id)
            .finish()
    }
}

impl<'c> WasmtimeCaller<'c> {
    /// Wasmtime's caller.
    pub fn wasmtime_caller(&mut self) -> &mut Caller<'c, StoreData> {
        &mut self.caller
    }
}

impl CallerContext<Wasmtime> for WasmtimeCaller<'_> {
    fn memory(&mut self) -> Result<&mut [u8], BackendError> {
        let memory = self
            .caller
            .data()
            .memory
            .ok_or_else(|| BackendError::MissingExport {
                name: "memory".into(),
                kind: "memory",
            })?;
        Ok(memory.data_mut(&mut self.caller))
    }

    fn func(&mut self, name: &str) -> Result<WasmtimeFunc, BackendError> {
        let func = self
            .caller
            .get_export(name)
            .and_then(wasmtime::Extern::into_func);
        export_func(&self.caller, func, name)
    }

    fn call(
        &mut self,
        func: &WasmtimeFunc,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        call_untyped(&mut self.caller, func, args, results)
    }
}
