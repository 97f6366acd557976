//! A store per module: its instance, limiter, fuel and WASI context.

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use strait_backend::{
    BackendError, BackendStore, BudgetLimiter, EngineConfig, FuncHandle, FuncSig, HostFunc,
    ModuleInfo, SmallBuf, StoreConfig, StoreId, WValue, check_call, check_imports,
};
use wasmi::{AsContextMut, Instance, Linker, Memory, Val};
use wasmi_core::LimiterError;

use crate::convert::{carry, from_error, from_val, to_val, wasmi_func_type, zero_val};
use crate::engine::WasmiModule;
use crate::fast::FastExport;
use crate::{Wasmi, WasmiCaller};

/// Values of ordinary calls stay on the stack.
const INLINE_VALUES: usize = 16;

/// wasmi's own default caps on instances, tables and memories per store.
const DEFAULT_COUNT_LIMIT: usize = 10_000;

/// What wasmi keeps in each store for strait.
pub struct StoreData {
    pub(crate) id: StoreId,
    limiter: Limiter,
    /// The instance's export `memory`, resolved once at instantiation.
    pub(crate) memory: Option<Memory>,
    pub(crate) info: Option<Arc<ModuleInfo>>,
    #[cfg(feature = "std")]
    pub(crate) wasi: Option<wasmi_wasi::WasiCtx>,
}

impl core::fmt::Debug for StoreData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoreData")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

struct Limiter(BudgetLimiter);

impl wasmi::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(self.0.memory_growing(current, desired, maximum))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(self.0.table_growing(current, desired, maximum))
    }

    fn instances(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    fn tables(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    fn memories(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }
}

/// A store holding at most one instance.
pub struct WasmiStore {
    pub(crate) store: wasmi::Store<StoreData>,
    instance: Option<Instance>,
    fuel: bool,
    #[cfg(feature = "std")]
    wasi: Option<strait_backend::WasiConfig>,
}

impl core::fmt::Debug for WasmiStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WasmiStore")
            .field("id", &self.store.data().id)
            .field("instantiated", &self.instance.is_some())
            .finish_non_exhaustive()
    }
}

/// An exported function of one store's instance, with its signature.
#[derive(Clone)]
pub struct WasmiFunc {
    pub(crate) func: wasmi::Func,
    pub(crate) store: StoreId,
    sig: FuncSig,
    fast: Option<FastExport>,
}

impl core::fmt::Debug for WasmiFunc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WasmiFunc")
            .field("store", &self.store)
            .field("sig", &self.sig)
            .finish()
    }
}

impl FuncHandle for WasmiFunc {
    fn sig(&self) -> &FuncSig {
        &self.sig
    }
}

impl WasmiFunc {
    /// wasmi's function.
    pub fn wasmi_func(&self) -> &wasmi::Func {
        &self.func
    }
}

/// An exported memory of one store's instance.
#[derive(Debug, Clone)]
pub struct WasmiMemory {
    memory: Memory,
    store: StoreId,
}

pub(crate) fn same_store(expected: StoreId, got: StoreId) -> Result<(), BackendError> {
    if expected == got {
        Ok(())
    } else {
        Err(BackendError::ForeignHandle)
    }
}

pub(crate) fn not_instantiated() -> BackendError {
    BackendError::Instance("the store has no instance")
}

pub(crate) fn missing(name: &str, kind: &'static str) -> BackendError {
    BackendError::MissingExport {
        name: name.into(),
        kind,
    }
}

/// Builds the handle of the exported function `name`, found as `func` in `ctx`.
pub(crate) fn export_func(
    ctx: impl wasmi::AsContext<Data = StoreData>,
    func: Option<wasmi::Func>,
    name: &str,
) -> Result<WasmiFunc, BackendError> {
    let ctx = ctx.as_context();
    let data = ctx.data();
    let store = data.id;
    let info = data.info.as_ref().ok_or_else(not_instantiated)?;
    let sig = info.export_func(name)?.clone();
    let func = func.ok_or_else(|| missing(name, "function"))?;
    let fast = FastExport::new(&func, ctx, &sig);
    Ok(WasmiFunc {
        func,
        store,
        sig,
        fast,
    })
}

/// An untyped call in `ctx` (a store or a caller).
pub(crate) fn call_untyped(
    mut ctx: impl AsContextMut<Data = StoreData>,
    func: &WasmiFunc,
    args: &[WValue],
    results: &mut [WValue],
) -> Result<(), BackendError> {
    same_store(ctx.as_context().data().id, func.store)?;
    check_call(&func.sig, args, results)?;
    if let Some(fast) = &func.fast {
        return fast.call(ctx, args, results);
    }
    let params = SmallBuf::<Val, INLINE_VALUES>::collect_from(args.iter().copied().map(to_val));
    let mut outs = SmallBuf::<Val, INLINE_VALUES>::collect_from(
        func.sig.results().iter().copied().map(zero_val),
    );
    func.func
        .call(&mut ctx, &params, &mut outs)
        .map_err(from_error)?;
    for (slot, v) in results.iter_mut().zip(outs.iter()) {
        *slot = from_val(v)?;
    }
    Ok(())
}

pub(crate) fn check_host_results(sig: &FuncSig, outs: &[WValue]) -> Result<(), BackendError> {
    if sig.results().iter().zip(outs).all(|(t, v)| v.ty() == *t) {
        Ok(())
    } else {
        Err(BackendError::TypeMismatch(format!(
            "a host function of type {sig} returned {:?}",
            outs.iter().map(WValue::ty).collect::<Vec<_>>()
        )))
    }
}

impl WasmiStore {
    pub(crate) fn new(
        engine: &wasmi::Engine,
        engine_config: &EngineConfig,
        config: StoreConfig,
    ) -> Self {
        let data = StoreData {
            id: StoreId::fresh(),
            limiter: Limiter(BudgetLimiter::new(config.budget)),
            memory: None,
            info: None,
            #[cfg(feature = "std")]
            wasi: None,
        };
        let mut store = wasmi::Store::new(engine, data);
        store.limiter(|d| &mut d.limiter);
        if engine_config.fuel {
            // Fuel is optional per call: until the runtime sets some, nothing is bounded.
            let _ = store.set_fuel(u64::MAX);
        }
        Self {
            store,
            instance: None,
            fuel: engine_config.fuel,
            #[cfg(feature = "std")]
            wasi: config.wasi,
        }
    }

    /// wasmi's store.
    pub fn wasmi_store(&mut self) -> &mut wasmi::Store<StoreData> {
        &mut self.store
    }

    fn id(&self) -> StoreId {
        self.store.data().id
    }

    fn check_memory(&self, memory: &WasmiMemory) -> Result<Memory, BackendError> {
        same_store(self.id(), memory.store)?;
        Ok(memory.memory)
    }

    /// The linker for one instantiation: WASI (if configured), then the host functions.
    fn linker(
        &mut self,
        host_funcs: &[HostFunc<Wasmi>],
    ) -> Result<Linker<StoreData>, BackendError> {
        let mut linker = Linker::new(self.store.engine());
        linker.allow_shadowing(true);
        #[cfg(feature = "std")]
        if let Some(config) = &self.wasi {
            self.store.data_mut().wasi = Some(crate::wasi::context(config)?);
            wasmi_wasi::add_to_linker(&mut linker, |d: &mut StoreData| {
                // Always set before the linker can call in (just above); the fallback only
                // keeps this closure total.
                d.wasi.get_or_insert_with(crate::wasi::empty_context)
            })
            .map_err(|e| BackendError::Wasi(format!("{e}")))?;
        }
        for host in host_funcs {
            if crate::fast::define_host(&mut linker, host)
                .map_err(|e| BackendError::Instantiation(format!("{e}")))?
            {
                continue;
            }
            let ty = wasmi_func_type(host.sig());
            let func = host.func().clone();
            let sig = host.sig().clone();
            linker
                .func_new(
                    host.namespace(),
                    host.name(),
                    ty,
                    move |caller, params, results| {
                        let args = SmallBuf::<WValue, INLINE_VALUES>::try_collect_from(
                            params.iter().map(from_val),
                        )
                        .map_err(carry)?;
                        let mut outs = SmallBuf::<WValue, INLINE_VALUES>::collect_from(
                            sig.results().iter().map(|t| t.zero()),
                        );
                        let mut caller = WasmiCaller { caller };
                        func(&mut caller, &args, &mut outs)
                            .map_err(|e| carry(BackendError::Host(e)))?;
                        check_host_results(&sig, &outs).map_err(carry)?;
                        for (slot, v) in results.iter_mut().zip(outs.iter()) {
                            *slot = to_val(*v);
                        }
                        Ok(())
                    },
                )
                .map_err(|e| BackendError::Instantiation(format!("{e}")))?;
        }
        Ok(linker)
    }

    /// Whether WASI provides `namespace::name` (wasmi's linker does not list host functions).
    fn wasi_provides(&self, namespace: &str) -> bool {
        #[cfg(feature = "std")]
        if self.wasi.is_some() {
            return namespace == "wasi_snapshot_preview1";
        }
        let _ = namespace;
        false
    }
}

impl BackendStore<Wasmi> for WasmiStore {
    fn instantiate(
        &mut self,
        module: &WasmiModule,
        host_funcs: &[HostFunc<Wasmi>],
    ) -> Result<(), BackendError> {
        if self.instance.is_some() {
            return Err(BackendError::Instance("the store already has an instance"));
        }
        if !wasmi::Engine::same(module.module.engine(), self.store.engine()) {
            return Err(BackendError::Engine(
                "the module was compiled by another engine".into(),
            ));
        }
        #[cfg(feature = "std")]
        if let Some(config) = &self.wasi {
            strait_backend::check_mapped_dirs(config)?;
        }
        // Names WASI does not define surface as UnknownImport from the linker below.
        check_imports(&module.info, host_funcs, |ns, _| self.wasi_provides(ns))?;
        let linker = self.linker(host_funcs)?;
        self.store.data_mut().limiter.0.take_refusal();
        let instance = match linker.instantiate_and_start(&mut self.store, &module.module) {
            Ok(instance) => instance,
            Err(e) => {
                return Err(match self.store.data_mut().limiter.0.take_refusal() {
                    Some(refusal) => BackendError::Limits(refusal.instantiation_message()),
                    None => match from_error(e) {
                        BackendError::Engine(msg) => BackendError::Instantiation(msg),
                        other => other,
                    },
                });
            }
        };
        let memory = instance.get_memory(&self.store, "memory");
        let data = self.store.data_mut();
        data.memory = memory;
        data.info = Some(module.info.clone());
        self.instance = Some(instance);
        Ok(())
    }

    fn is_instantiated(&self) -> bool {
        self.instance.is_some()
    }

    fn func(&mut self, name: &str) -> Result<WasmiFunc, BackendError> {
        let instance = self.instance.ok_or_else(not_instantiated)?;
        let func = instance.get_func(&self.store, name);
        export_func(&self.store, func, name)
    }

    fn call(
        &mut self,
        func: &WasmiFunc,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        call_untyped(&mut self.store, func, args, results)
    }

    fn memory(&mut self, name: &str) -> Result<WasmiMemory, BackendError> {
        let instance = self.instance.ok_or_else(not_instantiated)?;
        let memory = instance
            .get_memory(&self.store, name)
            .ok_or_else(|| missing(name, "memory"))?;
        Ok(WasmiMemory {
            memory,
            store: self.id(),
        })
    }

    fn memory_data(&self, memory: &WasmiMemory) -> Result<&[u8], BackendError> {
        Ok(self.check_memory(memory)?.data(&self.store))
    }

    fn memory_data_mut(&mut self, memory: &WasmiMemory) -> Result<&mut [u8], BackendError> {
        Ok(self.check_memory(memory)?.data_mut(&mut self.store))
    }

    fn memory_grow(&mut self, memory: &WasmiMemory, pages: u64) -> Result<u64, BackendError> {
        let memory = self.check_memory(memory)?;
        self.store.data_mut().limiter.0.take_refusal();
        memory.grow(&mut self.store, pages).map_err(|_| {
            BackendError::Limits(match self.store.data_mut().limiter.0.take_refusal() {
                Some(_) => format!(
                    "memory growth by {pages} pages refused: the memory budget is exhausted"
                ),
                None => {
                    format!("memory growth by {pages} pages refused: beyond the memory's maximum")
                }
            })
        })
    }

    fn main_memory(&mut self) -> Result<&mut [u8], BackendError> {
        if self.instance.is_none() {
            return Err(not_instantiated());
        }
        let memory = self
            .store
            .data()
            .memory
            .ok_or_else(|| missing("memory", "memory"))?;
        Ok(memory.data_mut(&mut self.store))
    }

    fn memory_size(&self) -> Option<usize> {
        self.store.data().memory.map(|m| m.data_size(&self.store))
    }

    fn set_fuel(&mut self, fuel: u64) -> Result<(), BackendError> {
        if !self.fuel {
            return Err(fuel_off());
        }
        self.store
            .set_fuel(fuel)
            .map_err(|e| BackendError::Engine(format!("{e}")))
    }

    fn fuel(&self) -> Result<u64, BackendError> {
        if !self.fuel {
            return Err(fuel_off());
        }
        self.store
            .get_fuel()
            .map_err(|e| BackendError::Engine(format!("{e}")))
    }

    fn set_deadline(&mut self, deadline: Option<Duration>) -> Result<(), BackendError> {
        match deadline {
            None => Ok(()),
            Some(_) => Err(BackendError::Unsupported(
                "wall-clock deadlines need Wasmtime; bound wasmi calls with fuel".into(),
            )),
        }
    }
}

fn fuel_off() -> BackendError {
    BackendError::Unsupported("fuel metering is off (EngineConfig::fuel)".into())
}
