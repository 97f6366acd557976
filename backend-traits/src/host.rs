//! Host functions: what satisfies a module's imports, and the checks every engine shares.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use crate::backend::Backend;
use crate::context::Caller;
use crate::error::{BackendError, HostError};
use crate::fast::result_mismatch;
use crate::module_info::{ExternDesc, ModuleInfo};
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
}

impl<B: Backend> Clone for HostFunc<B> {
    fn clone(&self) -> Self {
        Self {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            sig: self.sig.clone(),
            func: self.func.clone(),
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
