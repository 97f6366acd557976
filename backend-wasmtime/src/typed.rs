//! Typed calls: Wasmtime's own `TypedFunc`, behind a store check.

use strait_backend::{BackendError, StoreId, Typed, WasmTypeList, check_typed};
use wasmtime::{WasmParams, WasmResults};

use crate::convert::from_error;
use crate::store::{WasmtimeFunc, WasmtimeStore, same_store};
use crate::{Wasmtime, WasmtimeCaller};

/// A typed function of one store's instance.
pub struct WasmtimeTypedFunc<P, R> {
    func: wasmtime::TypedFunc<P, R>,
    store: StoreId,
}

impl<P, R> Clone for WasmtimeTypedFunc<P, R> {
    fn clone(&self) -> Self {
        Self {
            func: self.func.clone(),
            store: self.store,
        }
    }
}

impl<P, R> WasmtimeTypedFunc<P, R> {
    /// Wasmtime's typed function.
    pub fn wasmtime_typed_func(&self) -> &wasmtime::TypedFunc<P, R> {
        &self.func
    }
}

impl<P, R> Typed<P, R> for Wasmtime
where
    P: WasmTypeList + WasmParams,
    R: WasmTypeList + WasmResults,
{
    fn typed(
        store: &mut WasmtimeStore,
        func: &WasmtimeFunc,
    ) -> Result<WasmtimeTypedFunc<P, R>, BackendError> {
        same_store(store.store.data().id, func.store)?;
        check_typed::<P, R>(strait_backend::FuncHandle::sig(func))?;
        let typed = func.func.typed::<P, R>(&store.store).map_err(from_error)?;
        Ok(WasmtimeTypedFunc {
            func: typed,
            store: func.store,
        })
    }

    #[inline]
    fn call_typed(
        store: &mut WasmtimeStore,
        func: &WasmtimeTypedFunc<P, R>,
        params: P,
    ) -> Result<R, BackendError> {
        same_store(store.store.data().id, func.store)?;
        func.func.call(&mut store.store, params).map_err(from_error)
    }

    #[inline]
    fn call_typed_in(
        caller: &mut WasmtimeCaller<'_>,
        func: &WasmtimeTypedFunc<P, R>,
        params: P,
    ) -> Result<R, BackendError> {
        same_store(caller.caller.data().id, func.store)?;
        func.func
            .call(&mut caller.caller, params)
            .map_err(from_error)
    }
}
