//! Host functions: what satisfies a module's imports, and the checks every engine shares.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use crate::backend::Backend;
use crate::context::Caller;
use crate::error::{BackendError, HostError};
use crate::fast::{FastShape, TypedHost, define_typed, result_mismatch};
use crate::module_info::{ExternDesc, ModuleInfo};
use crate::typed::WasmTypeList;
use crate::value::{FuncSig, WValue};

/// The closure behind a host function: gets the caller, the arguments and a results buffer
/// pre-filled with zeros of the result types.
pub type HostFn<B> = dyn for<'c> Fn(&mut Caller<'c, B>, &[WValue], &mut [WValue]) -> Result<(), HostError>
    + Send
    + Sync
    + 'static;

/// A host function to satisfy an import: namespace, name, signature and closure.
///
/// ```
/// use strait_backend::{AsContextMut, Backend, FuncSig, HostFunc, WType, WValue};
///
/// /// `env::peek(addr) -> i32`: a byte of the caller's memory.
/// fn peek<B: Backend>() -> HostFunc<B> {
///     let sig = FuncSig::new([WType::I32], [WType::I32]);
///     HostFunc::new("env", "peek", sig, |caller, args, results| {
///         let at = usize::try_from(args[0].as_i32().unwrap_or(0))?;
///         let byte = caller.main_memory()?.get(at).copied().unwrap_or(0);
///         results[0] = WValue::I32(i32::from(byte));
///         Ok(())
///     })
/// }
/// ```
pub struct HostFunc<B: Backend> {
    namespace: String,
    name: String,
    sig: FuncSig,
    func: Arc<HostFn<B>>,
    typed: Option<Arc<DefineTyped<B>>>,
}

/// Defines a typed host function (made by [`HostFunc::wrap`]) in a linker under a
/// namespace and a name, through the engine's typed host functions for its own closure.
type DefineTyped<B> = dyn Fn(&mut <B as Backend>::Linker, &str, &str) -> Result<(), BackendError>
    + Send
    + Sync
    + 'static;

impl<B: Backend> Clone for HostFunc<B> {
    fn clone(&self) -> Self {
        Self {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            sig: self.sig.clone(),
            func: self.func.clone(),
            typed: self.typed.clone(),
        }
    }
}

impl<B: Backend> fmt::Debug for HostFunc<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HostFunc({}::{}: {})",
            self.namespace, self.name, self.sig
        )
    }
}

impl<B: Backend> HostFunc<B> {
    /// A host function `namespace::name` of type `sig`.
    pub fn new<F>(
        namespace: impl Into<String>,
        name: impl Into<String>,
        sig: FuncSig,
        func: F,
    ) -> Self
    where
        F: for<'c> Fn(&mut Caller<'c, B>, &[WValue], &mut [WValue]) -> Result<(), HostError>
            + Send
            + Sync
            + 'static,
    {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            sig,
            func: Arc::new(func),
            typed: None,
        }
    }

    /// A host function `namespace::name` of type `P -> R` from a typed closure, as
    /// wasmtime's and wasmi's `func_wrap`: on the fast-path shapes (up to eight `i32`
    /// parameters, at most one result) the engine calls the closure through its own typed
    /// host function, with no value conversion or dynamic call in between.
    ///
    /// ```
    /// use strait_backend::{Backend, HostError, HostFunc};
    ///
    /// /// `env::add(a, b) -> i32`.
    /// fn add<B: Backend>() -> HostFunc<B> {
    ///     HostFunc::wrap("env", "add", |_caller, (a, b): (i32, i32)| {
    ///         a.checked_add(b).ok_or_else(|| HostError::from("add: overflow"))
    ///     })
    /// }
    /// ```
    pub fn wrap<P, R, F>(namespace: impl Into<String>, name: impl Into<String>, func: F) -> Self
    where
        P: WasmTypeList,
        R: WasmTypeList,
        F: for<'c> Fn(&mut Caller<'c, B>, P) -> Result<R, HostError> + Send + Sync + 'static,
    {
        let func = Arc::new(func);
        let typed = FastShape::of_types(P::TYPES, R::TYPES).map(|_| {
            let host = TypedHost::<F, P, R>::new(func.clone());
            Arc::new(move |linker: &mut B::Linker, namespace: &str, name: &str| {
                define_typed::<B, _, P, R>(linker, namespace, name, host.clone())
            }) as Arc<DefineTyped<B>>
        });
        Self {
            namespace: namespace.into(),
            name: name.into(),
            sig: FuncSig::new(P::TYPES, R::TYPES),
            func: Arc::new(move |caller, args, results| typed_body(&*func, caller, args, results)),
            typed,
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

    /// How a typed host function defines itself, if it is one.
    pub(crate) fn typed(&self) -> Option<&DefineTyped<B>> {
        self.typed.as_deref()
    }
}

/// Runs a typed closure on values already checked against its signature by the engine.
#[inline(always)]
fn typed_body<B, P, R, F>(
    func: &F,
    caller: &mut Caller<'_, B>,
    args: &[WValue],
    results: &mut [WValue],
) -> Result<(), HostError>
where
    B: Backend,
    P: WasmTypeList,
    R: WasmTypeList,
    F: for<'c> Fn(&mut Caller<'c, B>, P) -> Result<R, HostError>,
{
    let params = P::load(args).ok_or_else(|| {
        HostError::from(alloc::format!(
            "a typed host function of type {} got {:?}",
            FuncSig::new(P::TYPES, R::TYPES),
            args.iter().map(WValue::ty).collect::<alloc::vec::Vec<_>>()
        ))
    })?;
    func(caller, params)?.store(results);
    Ok(())
}

/// Checks that no import is given twice, before anything is linked.
pub(crate) fn check_host_funcs<B: Backend>(host_funcs: &[HostFunc<B>]) -> Result<(), BackendError> {
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
    Ok(())
}

/// Checks, the same way on every engine, that each import of `info` is given by one host
/// function of the right type or by the engine itself (`provided`, e.g. WASI).
pub(crate) fn check_imports<B: Backend>(
    info: &ModuleInfo,
    host_funcs: &[HostFunc<B>],
    mut provided: impl FnMut(&str, &str) -> bool,
) -> Result<(), BackendError> {
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

/// Checks that a host function left results of its signature's types.
pub(crate) fn check_host_results(sig: &FuncSig, results: &[WValue]) -> Result<(), BackendError> {
    if sig.results().iter().zip(results).all(|(t, v)| v.ty() == *t) {
        Ok(())
    } else {
        Err(result_mismatch(sig, results))
    }
}
