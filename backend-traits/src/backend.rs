//! The Backend trait family: engine, module, store, caller context, host and typed functions.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;

use crate::config::{EngineConfig, StoreConfig};
use crate::error::{BackendError, HostError};
use crate::module_info::{ExternDesc, ModuleInfo};
use crate::typed::WasmTypeList;
use crate::value::{FuncSig, WValue};

/// An engine: compiles modules and creates stores, all sharing this one engine.
///
/// Implementors also implement [`Typed`] for the typed-call shapes; users name [`Backend`],
/// which gathers both.
pub trait BackendCore: Clone + Send + Sync + Sized + 'static {
    /// A compiled, validated module; cheap to clone.
    type Module: Clone + Send + Sync + 'static;
    /// A store holding at most one instance. `Send`, so the runtime can keep it behind a
    /// lock and call into it from another store's host function.
    type Store: BackendStore<Self>;
    /// An exported function of one store's instance, resolved once and reused per call.
    type Func: FuncHandle;
    /// An exported memory of one store's instance.
    type Memory: Clone + Send + Sync + 'static;
    /// A typed function handle (see [`TypedFunc`]).
    type TypedFunc<P: WasmTypeList, R: WasmTypeList>: Clone + Send + Sync + 'static;
    /// What a host function gets to reach its calling instance.
    type Caller<'c>: CallerContext<Self>;

    /// The engine's name, e.g. `wasmtime`.
    const NAME: &'static str;

    /// Creates the engine.
    fn new(config: &EngineConfig) -> Result<Self, BackendError>;

    /// The configuration the engine was created with.
    fn config(&self) -> &EngineConfig;

    /// Validates and compiles a module from its binary.
    fn compile(&self, wasm: &[u8]) -> Result<Self::Module, BackendError>;

    /// The imports and exports of a module.
    fn module_info(module: &Self::Module) -> &ModuleInfo;

    /// Creates an empty store.
    fn new_store(&self, config: StoreConfig) -> Result<Self::Store, BackendError>;
}

/// A function handle carries its signature, so callers size buffers without asking the engine.
pub trait FuncHandle: Clone + Send + Sync + 'static {
    /// The function's signature.
    fn sig(&self) -> &FuncSig;
}

/// One store: one instance, its memories, its limits, its WASI context.
pub trait BackendStore<B: BackendCore>: Send + 'static {
    /// Instantiates `module` in this store. Every import must be given by `host_funcs`
    /// (matched by namespace and name, with the same signature) or by WASI.
    fn instantiate(
        &mut self,
        module: &B::Module,
        host_funcs: &[HostFunc<B>],
    ) -> Result<(), BackendError>;

    /// Whether an instance lives in this store.
    fn is_instantiated(&self) -> bool;

    /// The exported function `name`.
    fn func(&mut self, name: &str) -> Result<B::Func, BackendError>;

    /// Calls `func` with `args`; its results are written into `results`, whose length must
    /// be the number of results.
    fn call(
        &mut self,
        func: &B::Func,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError>;

    /// The exported memory `name`.
    fn memory(&mut self, name: &str) -> Result<B::Memory, BackendError>;

    /// The bytes of `memory`.
    fn memory_data(&self, memory: &B::Memory) -> Result<&[u8], BackendError>;

    /// The bytes of `memory`, writable.
    fn memory_data_mut(&mut self, memory: &B::Memory) -> Result<&mut [u8], BackendError>;

    /// Grows `memory` by `pages`; returns the previous size in pages. A growth the budget
    /// or the memory's maximum refuses is [`BackendError::Limits`].
    fn memory_grow(&mut self, memory: &B::Memory, pages: u64) -> Result<u64, BackendError>;

    /// The bytes of the export `memory` (what the Marine ABI calls the module's memory).
    fn main_memory(&mut self) -> Result<&mut [u8], BackendError>;

    /// The current size in bytes of the export `memory`, if there is one.
    fn memory_size(&self) -> Option<usize>;

    /// Sets the fuel for what runs next in this store. Requires [`EngineConfig::fuel`].
    ///
    /// With fuel metering on, a new store has unlimited fuel (`u64::MAX`) until this is
    /// called. Fuel is a budget, not a per-call reset: once spent (an `OutOfFuel` trap),
    /// calls keep trapping until it is set again, so set it before each call. Each engine
    /// charges its own costs per instruction, so the same amount does not stop a call at
    /// the same instruction on both.
    fn set_fuel(&mut self, fuel: u64) -> Result<(), BackendError>;

    /// The fuel left. Requires [`EngineConfig::fuel`].
    fn fuel(&self) -> Result<u64, BackendError>;

    /// Sets a wall-clock deadline, from now, for what runs next in this store; `None`
    /// removes it. Requires [`EngineConfig::deadline_tick`]; only Wasmtime supports it
    /// (elsewhere `Some` is [`BackendError::Unsupported`] and `None` is a no-op).
    ///
    /// Like fuel, a passed deadline stays passed: calls trap with `Interrupted` until it is
    /// set again, so set it before each call. Its resolution is one tick.
    fn set_deadline(&mut self, deadline: Option<Duration>) -> Result<(), BackendError>;
}

/// What a host function sees of the instance that called it.
pub trait CallerContext<B: BackendCore> {
    /// The caller's export `memory`, readable and writable.
    fn memory(&mut self) -> Result<&mut [u8], BackendError>;

    /// The caller's exported function `name` (a lookup: resolve once and keep it).
    fn func(&mut self, name: &str) -> Result<B::Func, BackendError>;

    /// Calls one of the caller's own functions (for example its `allocate`) from inside
    /// the host function.
    fn call(
        &mut self,
        func: &B::Func,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError>;
}

/// Typed calls with parameters `P` and results `R`: the fast path, without per-call type
/// checks or value conversion.
pub trait Typed<P: WasmTypeList, R: WasmTypeList>: BackendCore {
    /// Makes a typed handle; fails if `func`'s signature is not `P -> R`.
    fn typed(
        store: &mut Self::Store,
        func: &Self::Func,
    ) -> Result<Self::TypedFunc<P, R>, BackendError>;

    /// Calls a typed function of `store`.
    fn call_typed(
        store: &mut Self::Store,
        func: &Self::TypedFunc<P, R>,
        params: P,
    ) -> Result<R, BackendError>;

    /// Calls a typed function of the caller's own instance from a host function.
    fn call_typed_in(
        caller: &mut Self::Caller<'_>,
        func: &Self::TypedFunc<P, R>,
        params: P,
    ) -> Result<R, BackendError>;
}

/// A complete backend: [`BackendCore`] plus the typed shapes of the Marine ABI
/// (`allocate`, `release_objects`, `get_result_ptr`/`size`, `set_result_ptr`/`size`).
/// Each engine implements typed calls generically, so a concrete backend supports every
/// [`WasmTypeList`] pair; code generic over `B: Backend` gets these.
pub trait Backend:
    BackendCore
    + Typed<(), ()>
    + Typed<(), i32>
    + Typed<i32, ()>
    + Typed<i32, i32>
    + Typed<(i32, i32), i32>
    + Typed<(i32, i32), ()>
{
}

impl<B> Backend for B where
    B: BackendCore
        + Typed<(), ()>
        + Typed<(), i32>
        + Typed<i32, ()>
        + Typed<i32, i32>
        + Typed<(i32, i32), i32>
        + Typed<(i32, i32), ()>
{
}

/// A typed function handle: resolved once, called without type checks.
pub struct TypedFunc<B: BackendCore, P: WasmTypeList, R: WasmTypeList> {
    inner: B::TypedFunc<P, R>,
    _shape: PhantomData<fn(P) -> R>,
}

impl<B: BackendCore, P: WasmTypeList, R: WasmTypeList> Clone for TypedFunc<B, P, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            _shape: PhantomData,
        }
    }
}

impl<B: BackendCore, P: WasmTypeList, R: WasmTypeList> fmt::Debug for TypedFunc<B, P, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedFunc")
            .field("params", &P::TYPES)
            .field("results", &R::TYPES)
            .finish()
    }
}

impl<B: Typed<P, R>, P: WasmTypeList, R: WasmTypeList> TypedFunc<B, P, R> {
    /// A typed handle on `func`; fails if its signature is not `P -> R`.
    pub fn new(store: &mut B::Store, func: &B::Func) -> Result<Self, BackendError> {
        Ok(Self {
            inner: B::typed(store, func)?,
            _shape: PhantomData,
        })
    }

    /// Resolves the export `name` of `store` as a typed function.
    pub fn from_export(store: &mut B::Store, name: &str) -> Result<Self, BackendError> {
        let func = store.func(name)?;
        Self::new(store, &func)
    }

    /// Calls it in `store`.
    #[inline]
    pub fn call(&self, store: &mut B::Store, params: P) -> Result<R, BackendError> {
        B::call_typed(store, &self.inner, params)
    }

    /// Calls it from a host function of the same instance.
    #[inline]
    pub fn call_in(&self, caller: &mut B::Caller<'_>, params: P) -> Result<R, BackendError> {
        B::call_typed_in(caller, &self.inner, params)
    }

    /// The engine's handle.
    pub fn inner(&self) -> &B::TypedFunc<P, R> {
        &self.inner
    }
}

/// The closure behind a host function: gets the caller, the arguments and a results buffer
/// pre-filled with zeros of the result types.
pub type HostFn<B> = dyn for<'c> Fn(
        &mut <B as BackendCore>::Caller<'c>,
        &[WValue],
        &mut [WValue],
    ) -> Result<(), HostError>
    + Send
    + Sync
    + 'static;

/// A host function to satisfy an import: namespace, name, signature and closure.
pub struct HostFunc<B: BackendCore> {
    namespace: String,
    name: String,
    sig: FuncSig,
    func: Arc<HostFn<B>>,
}

impl<B: BackendCore> Clone for HostFunc<B> {
    fn clone(&self) -> Self {
        Self {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            sig: self.sig.clone(),
            func: self.func.clone(),
        }
    }
}

impl<B: BackendCore> fmt::Debug for HostFunc<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HostFunc({}::{}: {})",
            self.namespace, self.name, self.sig
        )
    }
}

impl<B: BackendCore> HostFunc<B> {
    /// A host function `namespace::name` of type `sig`.
    pub fn new<F>(
        namespace: impl Into<String>,
        name: impl Into<String>,
        sig: FuncSig,
        func: F,
    ) -> Self
    where
        F: for<'c> Fn(&mut B::Caller<'c>, &[WValue], &mut [WValue]) -> Result<(), HostError>
            + Send
            + Sync
            + 'static,
    {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            sig,
            func: Arc::new(func),
        }
    }

    /// Import namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Import name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Signature.
    pub fn sig(&self) -> &FuncSig {
        &self.sig
    }

    /// The closure.
    pub fn func(&self) -> &Arc<HostFn<B>> {
        &self.func
    }
}

/// Checks, the same way on every engine, that each import of `info` is given by one host
/// function of the right type or by the engine itself (`provided`, e.g. WASI).
pub fn check_imports<B: BackendCore>(
    info: &ModuleInfo,
    host_funcs: &[HostFunc<B>],
    mut provided: impl FnMut(&str, &str) -> bool,
) -> Result<(), BackendError> {
    for (i, f) in host_funcs.iter().enumerate() {
        if host_funcs[..i]
            .iter()
            .any(|g| g.namespace == f.namespace && g.name == f.name)
        {
            return Err(BackendError::Instantiation(alloc::format!(
                "host function `{}::{}` is given twice",
                f.namespace,
                f.name
            )));
        }
    }
    for import in info.imports() {
        let host = host_funcs
            .iter()
            .find(|f| f.namespace == import.namespace && f.name == import.name);
        match (&import.ty, host) {
            (ExternDesc::Func(sig), Some(f)) if *sig == f.sig => {}
            (ExternDesc::Func(sig), Some(f)) => {
                return Err(BackendError::ImportType {
                    namespace: import.namespace.clone(),
                    name: import.name.clone(),
                    message: alloc::format!(
                        "the module expects {sig}, the host function is {}",
                        f.sig
                    ),
                });
            }
            (ty, Some(_)) => {
                return Err(BackendError::ImportType {
                    namespace: import.namespace.clone(),
                    name: import.name.clone(),
                    message: alloc::format!("the module imports a {}, not a function", ty.kind()),
                });
            }
            (_, None) if provided(&import.namespace, &import.name) => {}
            (_, None) => {
                return Err(BackendError::UnknownImport {
                    namespace: import.namespace.clone(),
                    name: import.name.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Checks arguments and the results buffer against `sig`, with the same message on every
/// engine.
pub fn check_call(sig: &FuncSig, args: &[WValue], results: &[WValue]) -> Result<(), BackendError> {
    if !sig.params_match(args) {
        let got: alloc::vec::Vec<_> = args.iter().map(WValue::ty).collect();
        return Err(BackendError::TypeMismatch(alloc::format!(
            "the function takes {sig}, the arguments are {}",
            FuncSig::new(got, [])
        )));
    }
    if results.len() != sig.results().len() {
        return Err(BackendError::TypeMismatch(alloc::format!(
            "the function returns {} values ({sig}), the results buffer holds {}",
            sig.results().len(),
            results.len()
        )));
    }
    Ok(())
}

/// Checks that a typed handle `P -> R` fits `sig`.
pub fn check_typed<P: WasmTypeList, R: WasmTypeList>(sig: &FuncSig) -> Result<(), BackendError> {
    if sig.params() == P::TYPES && sig.results() == R::TYPES {
        Ok(())
    } else {
        Err(BackendError::TypeMismatch(alloc::format!(
            "the function is {sig}, the typed handle expects {}",
            FuncSig::new(P::TYPES, R::TYPES)
        )))
    }
}

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
