//! Typed calls: wasmi's own `TypedFunc`, behind a store check.

use strait_backend::{BackendError, FuncHandle, StoreId, Typed, WasmTypeList, check_typed};
use wasmi::{WasmParams, WasmResults};

use crate::convert::from_error;
use crate::store::{WasmiFunc, WasmiStore, same_store};
use crate::{Wasmi, WasmiCaller};

/// A typed function of one store's instance.
pub struct WasmiTypedFunc<P, R> {
    func: wasmi::TypedFunc<P, R>,
    store: StoreId,
}

impl<P, R> Clone for WasmiTypedFunc<P, R> {
    fn clone(&self) -> Self {
        Self {
            func: self.func,
            store: self.store,
        }
    }
}

impl<P, R> WasmiTypedFunc<P, R> {
    /// wasmi's typed function.
    pub fn wasmi_typed_func(&self) -> &wasmi::TypedFunc<P, R> {
        &self.func
    }
}

impl<P, R> Typed<P, R> for Wasmi
where
    P: WasmTypeList + WasmParams,
    R: WasmTypeList + WasmResults,
{
    fn typed(
        store: &mut WasmiStore,
        func: &WasmiFunc,
    ) -> Result<WasmiTypedFunc<P, R>, BackendError> {
        same_store(store.store.data().id, func.store)?;
        check_typed::<P, R>(func.sig())?;
        let typed = func.func.typed::<P, R>(&store.store).map_err(from_error)?;
        Ok(WasmiTypedFunc {
            func: typed,
            store: func.store,
        })
    }

    #[inline]
    fn call_typed(
        store: &mut WasmiStore,
        func: &WasmiTypedFunc<P, R>,
        params: P,
    ) -> Result<R, BackendError> {
        same_store(store.store.data().id, func.store)?;
        func.func.call(&mut store.store, params).map_err(from_error)
    }

    #[inline]
    fn call_typed_in(
        caller: &mut WasmiCaller<'_>,
        func: &WasmiTypedFunc<P, R>,
        params: P,
    ) -> Result<R, BackendError> {
        same_store(caller.caller.data().id, func.store)?;
        func.func
            .call(&mut caller.caller, params)
            .map_err(from_error)
    }
}
