//! A store per module: its instance, its memory-budget account, fuel, deadline and WASI
//! context; and the instantiate sequence every engine shares.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;

use crate::backend::Backend;
use crate::budget::BudgetLimiter;
use crate::config::StoreConfig;
use crate::context::{AsContextMut, Context};
use crate::error::BackendError;
use crate::fast::{FastShape, UntypedHost, define_shape};
use crate::func::{INLINE_VALUES, Memory, Module, same_store};
use crate::host::{HostFunc, check_host_funcs, check_host_results, check_imports};
use crate::module_info::ModuleInfo;
use crate::small_buf::SmallBuf;
use crate::value::WValue;

/// Identifies a store, so a handle used with another store is an error, not an engine panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreId(usize);

impl StoreId {
    /// A new, never reused (until `usize` wraps) identifier.
    pub fn fresh() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// What each engine store keeps for strait.
pub struct StoreData<B: Backend> {
    id: StoreId,
    pub(crate) limiter: B::Limiter,
    pub(crate) instance: Option<B::Instance>,
    /// The instance's export `memory`, resolved once at instantiation.
    pub(crate) memory: Option<B::Memory>,
    pub(crate) info: Option<Arc<ModuleInfo>>,
    wasi: Option<B::Wasi>,
}

impl<B: Backend> core::fmt::Debug for StoreData<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoreData")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> StoreData<B> {
    /// The store's identifier.
    pub fn id(&self) -> StoreId {
        self.id
    }

    /// The engine's resource limiter (for the engine crate to install).
    pub fn limiter(&mut self) -> &mut B::Limiter {
        &mut self.limiter
    }

    /// Whether the store has a WASI context.
    pub fn has_wasi(&self) -> bool {
        self.wasi.is_some()
    }

    /// The WASI context, set before [`Backend::add_wasi`] links it; `empty` makes one if
    /// the store has none, so an engine's WASI accessor is total.
    pub fn wasi(&mut self, empty: impl FnOnce() -> B::Wasi) -> &mut B::Wasi {
        self.wasi.get_or_insert_with(empty)
    }
}

/// A store holding at most one instance. `Send`, so a runtime can keep it behind a lock
/// and call into it from another store's host function.
pub struct Store<B: Backend> {
    inner: B::Store,
    fuel: bool,
    deadline_tick: Option<Duration>,
    #[cfg(feature = "std")]
    wasi: Option<crate::wasi::WasiConfig>,
}

impl<B: Backend> core::fmt::Debug for Store<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("engine", &B::NAME)
            .field("id", &self.data().id)
            .field("instantiated", &self.is_instantiated())
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Store<B> {
    pub(crate) fn new(engine: &B, config: StoreConfig) -> Result<Self, BackendError> {
        if config.wasi_requested() && !B::WASI {
            return Err(BackendError::Unsupported(alloc::format!(
                "WASI needs strait-{}'s `std` feature",
                B::NAME
            )));
        }
        let data = StoreData {
            id: StoreId::fresh(),
            limiter: BudgetLimiter::new(config.budget).into(),
            instance: None,
            memory: None,
            info: None,
            wasi: None,
        };
        let mut inner = engine.create_store(data);
        let engine_config = engine.config();
        if engine_config.fuel {
            // Fuel is optional per call: until the runtime sets some, nothing is bounded.
            B::set_fuel(&mut inner, u64::MAX)?;
        }
        if engine_config.deadline_tick.is_some() {
            // Likewise no deadline until one is set.
            B::set_deadline(&mut inner, engine_config.deadline_tick, None)?;
        }
        Ok(Self {
            inner,
            fuel: engine_config.fuel,
            deadline_tick: engine_config.deadline_tick,
            #[cfg(feature = "std")]
            wasi: config.wasi,
        })
    }

    /// The engine's store.
    pub fn inner(&mut self) -> &mut B::Store {
        &mut self.inner
    }

    fn data(&self) -> &StoreData<B> {
        B::store_data(&self.inner)
    }

    /// Instantiates `module` in this store. Every import must be given by `host_funcs`
    /// (matched by namespace and name, with the same signature) or by WASI.
    pub fn instantiate(
        &mut self,
        module: &Module<B>,
        host_funcs: &[HostFunc<B>],
    ) -> Result<(), BackendError> {
        if self.is_instantiated() {
            return Err(BackendError::Instance("the store already has an instance"));
        }
        if !B::same_engine(&self.inner, module.raw()) {
            return Err(BackendError::Engine(
                "the module was compiled by another engine".into(),
            ));
        }
        check_host_funcs(host_funcs)?;
        let mut linker = B::new_linker(&self.inner);
        #[cfg(feature = "std")]
        if let Some(config) = &self.wasi {
            crate::wasi::check_mapped_dirs(config)?;
            let context = B::wasi_context(config)?;
            B::store_data_mut(&mut self.inner).wasi = Some(context);
            B::add_wasi(&mut linker)?;
        }
        for host in host_funcs {
            define(&mut linker, host)?;
        }
        let inner = &mut self.inner;
        check_imports(module.info(), host_funcs, |namespace, name| {
            B::linker_provides(&linker, inner, namespace, name)
        })?;
        B::store_data_mut(&mut self.inner)
            .limiter
            .as_mut()
            .take_refusal();
        let instance = match B::instantiate(&linker, &mut self.inner, module.raw()) {
            Ok(instance) => instance,
            Err(e) => {
                return Err(
                    match B::store_data_mut(&mut self.inner)
                        .limiter
                        .as_mut()
                        .take_refusal()
                    {
                        Some(refusal) => BackendError::Limits(refusal.instantiation_message()),
                        None => match e {
                            BackendError::Engine(msg) => BackendError::Instantiation(msg),
                            other => other,
                        },
                    },
                );
            }
        };
        let mut ctx = B::context(&mut self.inner);
        let memory = B::get_memory(&mut ctx, instance, "memory");
        let data = B::data_mut(&mut ctx);
        data.memory = memory;
        data.info = Some(module.info_arc());
        data.instance = Some(instance);
        Ok(())
    }

    /// Whether an instance lives in this store.
    pub fn is_instantiated(&self) -> bool {
        self.data().instance.is_some()
    }

    /// The bytes of `memory`.
    pub fn memory_data(&self, memory: &Memory<B>) -> Result<&[u8], BackendError> {
        same_store(self.data().id, memory.store)?;
        Ok(B::memory_bytes(&self.inner, memory.raw))
    }

    /// The current size in bytes of the export `memory`, if there is one.
    pub fn memory_size(&self) -> Option<usize> {
        let memory = self.data().memory?;
        Some(B::memory_bytes(&self.inner, memory).len())
    }

    /// Sets the fuel for what runs next in this store. Requires
    /// [`EngineConfig::fuel`](crate::EngineConfig).
    ///
    /// With fuel metering on, a new store has unlimited fuel (`u64::MAX`) until this is
    /// called. Fuel is a budget, not a per-call reset: once spent (an `OutOfFuel` trap),
    /// calls keep trapping until it is set again, so set it before each call. Each engine
    /// charges its own costs per instruction, so the same amount does not stop a call at
    /// the same instruction on both.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), BackendError> {
        if !self.fuel {
            return Err(fuel_off());
        }
        B::set_fuel(&mut self.inner, fuel)
    }

    /// The fuel left. Requires [`EngineConfig::fuel`](crate::EngineConfig).
    pub fn fuel(&self) -> Result<u64, BackendError> {
        if !self.fuel {
            return Err(fuel_off());
        }
        B::fuel(&self.inner)
    }

    /// Sets a wall-clock deadline, from now, for what runs next in this store; `None`
    /// removes it. Requires [`EngineConfig::deadline_tick`](crate::EngineConfig); only
    /// Wasmtime supports it (elsewhere `Some` is [`BackendError::Unsupported`] and `None`
    /// is a no-op).
    ///
    /// Like fuel, a passed deadline stays passed: calls trap with `Interrupted` until it is
    /// set again, so set it before each call. Its resolution is one tick.
    pub fn set_deadline(&mut self, deadline: Option<Duration>) -> Result<(), BackendError> {
        B::set_deadline(&mut self.inner, self.deadline_tick, deadline)
    }
}

impl<B: Backend> AsContextMut<B> for Store<B> {
    #[inline]
    fn as_context_mut(&mut self) -> Context<'_, B> {
        Context {
            inner: B::context(&mut self.inner),
        }
    }
}

fn fuel_off() -> BackendError {
    BackendError::Unsupported("fuel metering is off (EngineConfig::fuel)".into())
}

/// Defines `host` in `linker`: through the engine's typed host functions when its shape
/// has one, else as an untyped host function converting values.
fn define<B: Backend>(linker: &mut B::Linker, host: &HostFunc<B>) -> Result<(), BackendError> {
    if let Some(shape) = FastShape::of(host.sig()) {
        if let Some(typed) = host.typed() {
            return typed(linker, host.namespace(), host.name());
        }
        let func = UntypedHost::new(host.func().clone(), shape);
        return define_shape(linker, host.namespace(), host.name(), shape, func);
    }
    let func = host.func().clone();
    let sig = host.sig().clone();
    B::define_raw(
        linker,
        host.namespace(),
        host.name(),
        host.sig(),
        move |caller, params, results| {
            let args = SmallBuf::<WValue, INLINE_VALUES>::try_collect_from(
                params.iter().map(B::from_val),
            )?;
            let mut outs = SmallBuf::<WValue, INLINE_VALUES>::collect_from(
                sig.results().iter().map(|t| t.zero()),
            );
            func(caller, &args, &mut outs).map_err(BackendError::Host)?;
            check_host_results(&sig, &outs)?;
            for (slot, value) in results.iter_mut().zip(outs.iter()) {
                *slot = B::to_val(*value);
            }
            Ok(())
        },
    )
}
