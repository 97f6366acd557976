//! Conversions between strait's values, types and errors and Wasmtime's.

use std::format;
use std::string::{String, ToString};

use strait_backend::{
    BackendError, ExportDesc, ExternDesc, FuncSig, ImportDesc, ModuleInfo, Trap, TrapKind, WType,
    WValue,
};
use wasmtime::{ExternType, HeapType, Val, ValType, WasmBacktrace};

/// A strait error travelling through Wasmtime's error type, out of a host function.
#[derive(Debug)]
pub(crate) struct Carried(pub(crate) BackendError);

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Carried {}

pub(crate) fn carry(error: BackendError) -> wasmtime::Error {
    wasmtime::Error::new(Carried(error))
}

/// A failure to define a host function in a linker.
pub(crate) fn link_error(error: wasmtime::Error) -> BackendError {
    BackendError::Instantiation(format!("{error:#}"))
}

/// A module the engine refuses.
pub(crate) fn compile_error(error: wasmtime::Error) -> BackendError {
    let text = format!("{error:#}");
    // Only Winch turns wasmparser's GC types (`externref`) off, and only Winch's code
    // generator has instructions it cannot compile: say what to do instead.
    let hint = if text.contains("gc types are disallowed") {
        " (the module uses `externref`, which the Winch compiler does not support: compile it \
         with Cranelift)"
    } else if WINCH_ERRORS.iter().any(|winch| text.contains(winch)) {
        " (the Winch compiler cannot compile this module: compile it with Cranelift)"
    } else {
        ""
    };
    BackendError::Compile(format!("{text}{hint}"))
}

/// The errors of Winch's code generator for what it does not implement.
const WINCH_ERRORS: &[&str] = &[
    "Unimplemented Wasm instruction",
    "Unimplemented Masm instruction",
    "not implemented for CPUs without",
    "Unsupported Wasm type",
    "Winch internal error",
];

/// A failure to add WASI to a linker.
#[cfg(feature = "wasi")]
pub(crate) fn wasi_error(error: wasmtime::Error) -> BackendError {
    BackendError::Wasi(format!("{error:#}"))
}

/// A failure of the engine outside of wasm execution (fuel).
pub(crate) fn engine_error(error: wasmtime::Error) -> BackendError {
    BackendError::Engine(format!("{error:#}"))
}

pub(crate) fn to_val(v: WValue) -> Val {
    match v {
        WValue::I32(x) => Val::I32(x),
        WValue::I64(x) => Val::I64(x),
        WValue::F32(x) => Val::F32(x.to_bits()),
        WValue::F64(x) => Val::F64(x.to_bits()),
        WValue::V128(x) => Val::V128(x.into()),
        WValue::NullFuncRef => Val::FuncRef(None),
        WValue::NullExternRef => Val::ExternRef(None),
    }
}

pub(crate) fn from_val(v: &Val) -> Result<WValue, BackendError> {
    Ok(match v {
        Val::I32(x) => WValue::I32(*x),
        Val::I64(x) => WValue::I64(*x),
        Val::F32(x) => WValue::F32(f32::from_bits(*x)),
        Val::F64(x) => WValue::F64(f64::from_bits(*x)),
        Val::V128(x) => WValue::V128(x.as_u128()),
        Val::FuncRef(None) => WValue::NullFuncRef,
        Val::ExternRef(None) => WValue::NullExternRef,
        other => {
            return Err(BackendError::Unsupported(format!(
                "a non-null reference ({:?}) cannot cross the host boundary",
                other.ty_kind()
            )));
        }
    })
}

trait ValKind {
    fn ty_kind(&self) -> &'static str;
}

impl ValKind for Val {
    fn ty_kind(&self) -> &'static str {
        match self {
            Val::FuncRef(_) => "funcref",
            Val::ExternRef(_) => "externref",
            Val::AnyRef(_) => "anyref",
            _ => "reference",
        }
    }
}

pub(crate) fn wtype(t: &ValType) -> Result<WType, BackendError> {
    Ok(match t {
        ValType::I32 => WType::I32,
        ValType::I64 => WType::I64,
        ValType::F32 => WType::F32,
        ValType::F64 => WType::F64,
        ValType::V128 => WType::V128,
        ValType::Ref(r) if r.is_nullable() && matches!(r.heap_type(), HeapType::Func) => {
            WType::FuncRef
        }
        ValType::Ref(r) if r.is_nullable() && matches!(r.heap_type(), HeapType::Extern) => {
            WType::ExternRef
        }
        other => {
            return Err(BackendError::Compile(format!(
                "unsupported value type {other}"
            )));
        }
    })
}

pub(crate) fn func_sig(ty: &wasmtime::FuncType) -> Result<FuncSig, BackendError> {
    let params = ty
        .params()
        .map(|t| wtype(&t))
        .collect::<Result<Vec<_>, _>>()?;
    let results = ty
        .results()
        .map(|t| wtype(&t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FuncSig::new(params, results))
}

pub(crate) fn func_type(engine: &wasmtime::Engine, sig: &FuncSig) -> wasmtime::FuncType {
    let val = |t: &WType| match t {
        WType::I32 => ValType::I32,
        WType::I64 => ValType::I64,
        WType::F32 => ValType::F32,
        WType::F64 => ValType::F64,
        WType::V128 => ValType::V128,
        WType::FuncRef => ValType::FUNCREF,
        WType::ExternRef => ValType::EXTERNREF,
    };
    wasmtime::FuncType::new(
        engine,
        sig.params().iter().map(val),
        sig.results().iter().map(val),
    )
}

fn trap_kind(trap: wasmtime::Trap) -> TrapKind {
    use wasmtime::Trap as T;
    match trap {
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::StackOverflow => TrapKind::StackOverflow,
        T::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::BadConversionToInteger => TrapKind::BadConversionToInteger,
        T::IndirectCallToNull => TrapKind::IndirectCallToNull,
        T::BadSignature => TrapKind::BadSignature,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::OutOfFuel => TrapKind::OutOfFuel,
        T::Interrupt => TrapKind::Interrupted,
        _ => TrapKind::Other,
    }
}

/// The wasm backtrace of an error, as Wasmtime prints it, if it has frames.
fn backtrace(error: &wasmtime::Error) -> Option<String> {
    error
        .downcast_ref::<WasmBacktrace>()
        .filter(|bt| !bt.frames().is_empty())
        .map(|bt| bt.to_string())
}

/// Converts an error out of a call or instantiation.
pub(crate) fn from_error(error: wasmtime::Error) -> BackendError {
    let error = match error.downcast::<Carried>() {
        Ok(Carried(inner)) => return inner,
        Err(error) => error,
    };
    #[cfg(feature = "wasi")]
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return BackendError::Exit(exit.0);
    }
    if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
        let kind = trap_kind(*trap);
        let base = if kind == TrapKind::Other {
            Trap {
                kind,
                message: trap.to_string(),
                backtrace: None,
            }
        } else {
            Trap::new(kind)
        };
        return BackendError::Trap(base.with_backtrace(backtrace(&error)));
    }
    BackendError::Engine(format!("{error:#}"))
}

/// An import's or export's type.
fn extern_desc(ty: &ExternType) -> Result<ExternDesc, BackendError> {
    Ok(match ty {
        ExternType::Func(f) => ExternDesc::Func(func_sig(f)?),
        ExternType::Memory(m) => ExternDesc::Memory {
            min: m.minimum(),
            max: m.maximum(),
        },
        ExternType::Table(t) => ExternDesc::Table {
            element: wtype(&ValType::Ref(t.element().clone()))?,
            min: t.minimum(),
            max: t.maximum(),
        },
        ExternType::Global(g) => ExternDesc::Global {
            ty: wtype(g.content())?,
            mutable: g.mutability() == wasmtime::Mutability::Var,
        },
        ExternType::Tag(_) => {
            return Err(BackendError::Compile(
                "exception tags are not supported".into(),
            ));
        }
    })
}

/// The imports and exports of a compiled module.
pub(crate) fn module_info(module: &wasmtime::Module) -> Result<ModuleInfo, BackendError> {
    let imports = module
        .imports()
        .map(|i| {
            Ok(ImportDesc {
                namespace: i.module().into(),
                name: i.name().into(),
                ty: extern_desc(&i.ty())?,
            })
        })
        .collect::<Result<Vec<_>, BackendError>>()?;
    let exports = module
        .exports()
        .map(|e| {
            Ok(ExportDesc {
                name: e.name().into(),
                ty: extern_desc(&e.ty())?,
            })
        })
        .collect::<Result<Vec<_>, BackendError>>()?;
    Ok(ModuleInfo::new(imports, exports))
}
