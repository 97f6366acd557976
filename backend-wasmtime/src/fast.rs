//! Typed fast paths behind the untyped API, for the usual shapes: up to eight `i32`
//! parameters and no result or one scalar result.
//!
//! Wasmtime's untyped `Func::call` looks the function type up under a lock on every call,
//! and `Linker::func_new` host functions go through `Val` arrays; for these shapes the
//! same calls go through `TypedFunc` and `Linker::func_wrap` instead, several times
//! faster. Other shapes take the untyped route.

use std::sync::Arc;

use strait_backend::{BackendError, FuncSig, HostFn, HostFunc, WType, WValue};
use wasmtime::{AsContextMut, Caller, Linker, TypedFunc, WasmResults, WasmRet};

use crate::convert::{carry, from_error};
use crate::store::StoreData;
use crate::{Wasmtime, WasmtimeCaller};

/// The most parameters a fast path takes.
const MAX_ARITY: usize = 8;

/// A scalar result, or none.
pub(crate) trait FastResult: WasmResults + WasmRet + Copy + Send + Sync + 'static {
    /// Writes the result into a results buffer already checked to fit.
    fn write_to(self, out: &mut [WValue]);
    /// Reads the result a host function left.
    fn read_from(out: &[WValue]) -> Option<Self>;
    /// The zeroed buffer a host function starts from.
    fn zeroed() -> ([WValue; 1], usize);
}

impl FastResult for () {
    fn write_to(self, _: &mut [WValue]) {}
    fn read_from(_: &[WValue]) -> Option<Self> {
        Some(())
    }
    fn zeroed() -> ([WValue; 1], usize) {
        ([WValue::I32(0)], 0)
    }
}

macro_rules! scalar_result {
    ($($t:ty => $v:ident),*) => {$(
        impl FastResult for $t {
            fn write_to(self, out: &mut [WValue]) {
                if let Some(slot) = out.first_mut() {
                    *slot = WValue::$v(self);
                }
            }
            fn read_from(out: &[WValue]) -> Option<Self> {
                match out {
                    [WValue::$v(x)] => Some(*x),
                    _ => None,
                }
            }
            fn zeroed() -> ([WValue; 1], usize) {
                ([WValue::$v(Default::default())], 1)
            }
        }
    )*};
}
scalar_result!(i32 => I32, i64 => I64, f32 => F32, f64 => F64);

/// The number of parameters if they are all `i32` and at most [`MAX_ARITY`].
fn i32_arity(params: &[WType]) -> Option<usize> {
    (params.len() <= MAX_ARITY && params.iter().all(|t| *t == WType::I32)).then_some(params.len())
}

type I32x7 = (i32, i32, i32, i32, i32, i32, i32);
type I32x8 = (i32, i32, i32, i32, i32, i32, i32, i32);

/// A typed handle per arity, for one result type.
#[derive(Clone)]
pub(crate) enum ByArity<R> {
    A0(TypedFunc<(), R>),
    A1(TypedFunc<i32, R>),
    A2(TypedFunc<(i32, i32), R>),
    A3(TypedFunc<(i32, i32, i32), R>),
    A4(TypedFunc<(i32, i32, i32, i32), R>),
    A5(TypedFunc<(i32, i32, i32, i32, i32), R>),
    A6(TypedFunc<(i32, i32, i32, i32, i32, i32), R>),
    A7(TypedFunc<I32x7, R>),
    A8(TypedFunc<I32x8, R>),
}

impl<R: FastResult> ByArity<R> {
    fn new(func: &wasmtime::Func, store: impl wasmtime::AsContext, arity: usize) -> Option<Self> {
        Some(match arity {
            0 => Self::A0(func.typed(store).ok()?),
            1 => Self::A1(func.typed(store).ok()?),
            2 => Self::A2(func.typed(store).ok()?),
            3 => Self::A3(func.typed(store).ok()?),
            4 => Self::A4(func.typed(store).ok()?),
            5 => Self::A5(func.typed(store).ok()?),
            6 => Self::A6(func.typed(store).ok()?),
            7 => Self::A7(func.typed(store).ok()?),
            8 => Self::A8(func.typed(store).ok()?),
            _ => return None,
        })
    }

    #[inline]
    fn call(&self, ctx: impl AsContextMut, p: [i32; MAX_ARITY]) -> wasmtime::Result<R> {
        match self {
            Self::A0(f) => f.call(ctx, ()),
            Self::A1(f) => f.call(ctx, p[0]),
            Self::A2(f) => f.call(ctx, (p[0], p[1])),
            Self::A3(f) => f.call(ctx, (p[0], p[1], p[2])),
            Self::A4(f) => f.call(ctx, (p[0], p[1], p[2], p[3])),
            Self::A5(f) => f.call(ctx, (p[0], p[1], p[2], p[3], p[4])),
            Self::A6(f) => f.call(ctx, (p[0], p[1], p[2], p[3], p[4], p[5])),
            Self::A7(f) => f.call(ctx, (p[0], p[1], p[2], p[3], p[4], p[5], p[6])),
            Self::A8(f) => f.call(ctx, (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])),
        }
    }
}

/// The fast path of an exported function, when its shape has one.
#[derive(Clone)]
pub(crate) enum FastExport {
    None(ByArity<()>),
    I32(ByArity<i32>),
    I64(ByArity<i64>),
    F32(ByArity<f32>),
    F64(ByArity<f64>),
}

impl FastExport {
    pub(crate) fn new(
        func: &wasmtime::Func,
        store: impl wasmtime::AsContext,
        sig: &FuncSig,
    ) -> Option<Self> {
        let arity = i32_arity(sig.params())?;
        Some(match sig.results() {
            [] => Self::None(ByArity::new(func, store, arity)?),
            [WType::I32] => Self::I32(ByArity::new(func, store, arity)?),
            [WType::I64] => Self::I64(ByArity::new(func, store, arity)?),
            [WType::F32] => Self::F32(ByArity::new(func, store, arity)?),
            [WType::F64] => Self::F64(ByArity::new(func, store, arity)?),
            _ => return None,
        })
    }

    /// Calls with arguments and results buffer already checked against the signature.
    #[inline]
    pub(crate) fn call(
        &self,
        ctx: impl AsContextMut,
        args: &[WValue],
        results: &mut [WValue],
    ) -> Result<(), BackendError> {
        let mut p = [0_i32; MAX_ARITY];
        for (slot, arg) in p.iter_mut().zip(args) {
            if let WValue::I32(x) = arg {
                *slot = *x;
            }
        }
        match self {
            Self::None(f) => f.call(ctx, p).map(|r| r.write_to(results)),
            Self::I32(f) => f.call(ctx, p).map(|r| r.write_to(results)),
            Self::I64(f) => f.call(ctx, p).map(|r| r.write_to(results)),
            Self::F32(f) => f.call(ctx, p).map(|r| r.write_to(results)),
            Self::F64(f) => f.call(ctx, p).map(|r| r.write_to(results)),
        }
        .map_err(from_error)
    }
}

/// Runs a host function from a typed trampoline.
#[inline]
fn host_call<R: FastResult>(
    func: &HostFn<Wasmtime>,
    sig: &FuncSig,
    caller: Caller<'_, StoreData>,
    args: &[WValue],
) -> wasmtime::Result<R> {
    let (mut buf, len) = R::zeroed();
    let outs = buf.get_mut(..len).unwrap_or_default();
    let mut caller = WasmtimeCaller { caller };
    func(&mut caller, args, outs).map_err(|e| carry(BackendError::Host(e)))?;
    R::read_from(outs).ok_or_else(|| {
        carry(BackendError::TypeMismatch(format!(
            "a host function of type {sig} returned {:?}",
            outs.iter().map(WValue::ty).collect::<Vec<_>>()
        )))
    })
}

fn wrap<R: FastResult>(
    linker: &mut Linker<StoreData>,
    host: &HostFunc<Wasmtime>,
    arity: usize,
) -> wasmtime::Result<bool> {
    let (ns, name) = (host.namespace(), host.name());
    let func: Arc<HostFn<Wasmtime>> = host.func().clone();
    let sig = host.sig().clone();
    macro_rules! define {
        ($($a:ident),*) => {
            linker.func_wrap(ns, name, move |caller: Caller<'_, StoreData>, $($a: i32),*| {
                host_call::<R>(&*func, &sig, caller, &[$(WValue::I32($a)),*])
            })
        };
    }
    match arity {
        0 => define!(),
        1 => define!(a0),
        2 => define!(a0, a1),
        3 => define!(a0, a1, a2),
        4 => define!(a0, a1, a2, a3),
        5 => define!(a0, a1, a2, a3, a4),
        6 => define!(a0, a1, a2, a3, a4, a5),
        7 => define!(a0, a1, a2, a3, a4, a5, a6),
        8 => define!(a0, a1, a2, a3, a4, a5, a6, a7),
        _ => return Ok(false),
    }?;
    Ok(true)
}

/// Defines `host` with a typed trampoline if its shape has one; `false` if not.
pub(crate) fn define_host(
    linker: &mut Linker<StoreData>,
    host: &HostFunc<Wasmtime>,
) -> wasmtime::Result<bool> {
    let Some(arity) = i32_arity(host.sig().params()) else {
        return Ok(false);
    };
    match host.sig().results() {
        [] => wrap::<()>(linker, host, arity),
        [WType::I32] => wrap::<i32>(linker, host, arity),
        [WType::I64] => wrap::<i64>(linker, host, arity),
        [WType::F32] => wrap::<f32>(linker, host, arity),
        [WType::F64] => wrap::<f64>(linker, host, arity),
        _ => Ok(false),
    }
}
