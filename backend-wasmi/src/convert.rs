//! Conversions between strait's values, types and errors and wasmi's.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;

use strait_backend::{
    BackendError, ExportDesc, ExternDesc, FuncSig, ImportDesc, ModuleInfo, Trap, TrapKind, WType,
    WValue,
};
use wasmi::errors::{ErrorKind, HostError, LinkerError};
use wasmi::{ExternType, F32, F64, Nullable, RefType, TrapCode, V128, Val, ValType};

/// A strait error travelling through wasmi's error type, out of a host function.
#[derive(Debug)]
pub(crate) struct Carried(pub(crate) BackendError);

impl fmt::Display for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl HostError for Carried {}

pub(crate) fn carry(error: BackendError) -> wasmi::Error {
    wasmi::Error::host(Carried(error))
}

/// A failure to define a host function in a linker.
pub(crate) fn link_error(error: LinkerError) -> BackendError {
    BackendError::Instantiation(format!("{error}"))
}

/// A module the engine refuses.
pub(crate) fn compile_error(error: wasmi::Error) -> BackendError {
    BackendError::Compile(error.to_string())
}

/// A failure to add WASI to a linker.
#[cfg(feature = "std")]
pub(crate) fn wasi_error(error: wasmi_wasi::Error) -> BackendError {
    BackendError::Wasi(format!("{error}"))
}

/// A failure of the engine outside of wasm execution (fuel).
pub(crate) fn engine_error(error: wasmi::Error) -> BackendError {
    BackendError::Engine(error.to_string())
}

pub(crate) fn to_val(v: WValue) -> Val {
    match v {
        WValue::I32(x) => Val::I32(x),
        WValue::I64(x) => Val::I64(x),
        WValue::F32(x) => Val::F32(F32::from_bits(x.to_bits())),
        WValue::F64(x) => Val::F64(F64::from_bits(x.to_bits())),
        WValue::V128(x) => Val::V128(V128::from(x)),
        WValue::NullFuncRef => Val::FuncRef(Nullable::Null),
        WValue::NullExternRef => Val::ExternRef(Nullable::Null),
    }
}

pub(crate) fn from_val(v: &Val) -> Result<WValue, BackendError> {
    Ok(match v {
        Val::I32(x) => WValue::I32(*x),
        Val::I64(x) => WValue::I64(*x),
        Val::F32(x) => WValue::F32(f32::from_bits(x.to_bits())),
        Val::F64(x) => WValue::F64(f64::from_bits(x.to_bits())),
        Val::V128(x) => WValue::V128(x.as_u128()),
        Val::FuncRef(Nullable::Null) => WValue::NullFuncRef,
        Val::ExternRef(Nullable::Null) => WValue::NullExternRef,
        Val::FuncRef(_) | Val::ExternRef(_) => {
            return Err(BackendError::Unsupported(
                "a non-null reference cannot cross the host boundary".into(),
            ));
        }
    })
}

pub(crate) fn wtype(t: ValType) -> WType {
    match t {
        ValType::I32 => WType::I32,
        ValType::I64 => WType::I64,
        ValType::F32 => WType::F32,
        ValType::F64 => WType::F64,
        ValType::V128 => WType::V128,
        ValType::FuncRef => WType::FuncRef,
        ValType::ExternRef => WType::ExternRef,
    }
}

pub(crate) fn ref_wtype(t: RefType) -> WType {
    match t {
        RefType::Func => WType::FuncRef,
        RefType::Extern => WType::ExternRef,
    }
}

pub(crate) fn wasmi_val_type(t: WType) -> ValType {
    match t {
        WType::I32 => ValType::I32,
        WType::I64 => ValType::I64,
        WType::F32 => ValType::F32,
        WType::F64 => ValType::F64,
        WType::V128 => ValType::V128,
        WType::FuncRef => ValType::FuncRef,
        WType::ExternRef => ValType::ExternRef,
    }
}

pub(crate) fn func_sig(ty: &wasmi::FuncType) -> FuncSig {
    let params: Vec<_> = ty.params().iter().copied().map(wtype).collect();
    let results: Vec<_> = ty.results().iter().copied().map(wtype).collect();
    FuncSig::new(params, results)
}

/// The function type of `sig` (wasmi's types do not belong to an engine).
pub(crate) fn func_type(_: &wasmi::Engine, sig: &FuncSig) -> wasmi::FuncType {
    wasmi::FuncType::new(
        sig.params().iter().copied().map(wasmi_val_type),
        sig.results().iter().copied().map(wasmi_val_type),
    )
}

fn trap_kind(code: TrapCode) -> TrapKind {
    match code {
        TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
        TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds => TrapKind::TableOutOfBounds,
        TrapCode::IndirectCallToNull => TrapKind::IndirectCallToNull,
        TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::BadConversionToInteger => TrapKind::BadConversionToInteger,
        TrapCode::StackOverflow => TrapKind::StackOverflow,
        TrapCode::BadSignature => TrapKind::BadSignature,
        TrapCode::OutOfFuel => TrapKind::OutOfFuel,
        _ => TrapKind::Other,
    }
}

/// Converts an error out of a call or instantiation.
pub(crate) fn from_error(error: wasmi::Error) -> BackendError {
    if error.downcast_ref::<Carried>().is_some() {
        if let Some(Carried(inner)) = error.downcast::<Carried>() {
            return inner;
        }
        return BackendError::Engine("a host error was lost".into());
    }
    if let Some(status) = error.i32_exit_status() {
        return BackendError::Exit(status);
    }
    if let Some(code) = error.as_trap_code() {
        let kind = trap_kind(code);
        return BackendError::Trap(if kind == TrapKind::Other {
            Trap {
                kind,
                message: format!("wasm trap: {}", code.trap_message()),
                backtrace: None,
            }
        } else {
            Trap::new(kind)
        });
    }
    if let ErrorKind::Linker(LinkerError::MissingDefinition { name, .. }) = error.kind() {
        return BackendError::UnknownImport {
            namespace: name.module().into(),
            name: name.name().into(),
        };
    }
    BackendError::Engine(error.to_string())
}

/// An import's or export's type.
fn extern_desc(ty: &ExternType) -> ExternDesc {
    match ty {
        ExternType::Func(f) => ExternDesc::Func(func_sig(f)),
        ExternType::Memory(m) => ExternDesc::Memory {
            min: m.minimum(),
            max: m.maximum(),
        },
        ExternType::Table(t) => ExternDesc::Table {
            element: ref_wtype(t.element()),
            min: t.minimum(),
            max: t.maximum(),
        },
        ExternType::Global(g) => ExternDesc::Global {
            ty: wtype(g.content()),
            mutable: g.mutability() == wasmi::Mutability::Var,
        },
    }
}

/// The imports and exports of a compiled module.
pub(crate) fn module_info(module: &wasmi::Module) -> Result<ModuleInfo, BackendError> {
    let imports: Vec<_> = module
        .imports()
        .map(|i| ImportDesc {
            namespace: i.module().into(),
            name: i.name().into(),
            ty: extern_desc(i.ty()),
        })
        .collect();
    let exports: Vec<_> = module
        .exports()
        .map(|e| ExportDesc {
            name: e.name().into(),
            ty: extern_desc(e.ty()),
        })
        .collect();
    Ok(ModuleInfo::new(imports, exports))
}
