//! Host imports: IT-typed host functions (the embedder's and the built-in call parameters
//! and mounted binaries) and the raw logger (`spec/abi.md` §8, §10–§12).

use crate::call_parameters::{CallParameters, HostApiVersion};
use crate::error::{Error, ErrorKind};
use crate::instance::{Linked, ModuleHost, backend_to_host, call_core, to_ivalue, to_wvalue};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use arrayvec::ArrayVec;
use strait_backend::{AsContextMut, Backend, Caller, FuncSig, HostFunc, WType};
use strait_it::adapter::{CoreSignature, CoreType};
use strait_it::memory::{HostError, LiftBudget, Lowered, RecordTable, lift_flat, lower_value};
use strait_it::{FunctionType, IType, IValue, RecordType, TypeEntry};

/// The closure of an IT-typed host function: IT arguments in, IT results out.
pub type HostClosure = dyn Fn(&[IValue]) -> Result<Vec<IValue>, HostError> + Send + Sync + 'static;

/// An IT-typed host function as the embedder registers it.
#[derive(Clone)]
pub struct HostFunction {
    /// The function's IT type; `record N` refers to entry `N` of `records`.
    pub(crate) ty: FunctionType,
    /// The record types its signature uses.
    pub(crate) records: Arc<RecordTable>,
    /// What it does.
    pub(crate) closure: Arc<HostClosure>,
}

impl core::fmt::Debug for HostFunction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostFunction")
            .field("ty", &self.ty)
            .finish_non_exhaustive()
    }
}

impl HostFunction {
    /// A host function of type `ty` whose record types are `records` (`record N` in `ty`
    /// is `records[N]`). At most one result (`spec/abi.md` §4).
    pub fn new<F>(ty: FunctionType, records: Vec<RecordType>, closure: F) -> Result<Self, Error>
    where
        F: Fn(&[IValue]) -> Result<Vec<IValue>, HostError> + Send + Sync + 'static,
    {
        if ty.results.len() > 1 {
            return Err(Error::new(
                ErrorKind::HostImport,
                "a host function returns at most one value",
            ));
        }
        let entries: Vec<TypeEntry> = records.into_iter().map(TypeEntry::Record).collect();
        let records = RecordTable::new(&entries)
            .map_err(|e| Error::with_source(ErrorKind::HostImport, "invalid record types", e))?;
        for ty in ty.params.iter().map(|p| &p.ty).chain(&ty.results) {
            if !records_exist(ty, &records, 0) {
                return Err(Error::new(
                    ErrorKind::HostImport,
                    alloc::format!("host function type uses `{ty}`, whose record type is missing"),
                ));
            }
        }
        Ok(Self {
            ty,
            records: Arc::new(records),
            closure: Arc::new(closure),
        })
    }

    /// The function's IT type.
    pub fn ty(&self) -> &FunctionType {
        &self.ty
    }
}

/// True when every record `ty` names (through arrays) is in `records`.
fn records_exist(ty: &IType, records: &RecordTable, depth: u32) -> bool {
    match ty {
        _ if depth > strait_it::memory::MAX_DEPTH => false,
        IType::Array(inner) => records_exist(inner, records, depth + 1),
        IType::Record(id) => records.get(*id).is_some(),
        _ => true,
    }
}

/// The wasm signature of a raw core signature.
pub(crate) fn func_sig(sig: &CoreSignature) -> FuncSig {
    let ty = |t: &CoreType| match t {
        CoreType::I32 => WType::I32,
        CoreType::I64 => WType::I64,
        CoreType::F32 => WType::F32,
        CoreType::F64 => WType::F64,
    };
    FuncSig::new(
        sig.params.iter().map(ty).collect::<Vec<_>>(),
        sig.results.iter().map(ty).collect::<Vec<_>>(),
    )
}

/// Result slots of the Marine ABI (core export slots 4 and 5, `spec/it-section.md` §5.2).
const SET_RESULT_SIZE: usize = 4;
const SET_RESULT_PTR: usize = 5;

fn import_error(
    module: &str,
    namespace: &str,
    name: &str,
    detail: impl core::fmt::Display,
) -> HostError {
    Box::new(Error::new(
        ErrorKind::HostImport,
        alloc::format!(
            "host import `{namespace}::{name}` called by module \"{module}\" failed: {detail}"
        ),
    ))
}

/// Makes the wasm host function for an IT-typed host import of the module `linked`: lifts
/// the arguments from the caller's memory, runs the closure, lowers the result into the
/// caller (`allocate`, `set_result_size`, `set_result_ptr`). Failures are errors of the
/// calling module's call (D26, D27), never silent zeros.
pub(crate) fn it_host_func<B: Backend>(
    linked: Arc<Linked<B>>,
    namespace: &str,
    name: &str,
    function: HostFunction,
    max_lifted_bytes: u64,
) -> HostFunc<B> {
    let raw = CoreSignature::flatten(&function.ty);
    let sig = func_sig(&raw);
    let (ns, nm) = (String::from(namespace), String::from(name));
    // How many wasm values each parameter is flattened to, computed once, not per call.
    let widths: Vec<usize> = function
        .ty
        .params
        .iter()
        .map(|param| {
            let mut types = Vec::with_capacity(2);
            CoreType::flatten_param(&param.ty, &mut types);
            types.len()
        })
        .collect();
    HostFunc::new(namespace, name, sig, move |caller, args, results| {
        let fail = |detail: &dyn core::fmt::Display| import_error(&linked.name, &ns, &nm, detail);
        let funcs = linked.funcs()?;
        let mut host = ModuleHost {
            core: caller.as_context_mut(),
            funcs,
            linked: &linked,
            typed_inputs: false,
        };
        let values = {
            let memory = host.core.main_memory().map_err(backend_to_host)?;
            let mut budget = LiftBudget::new(max_lifted_bytes);
            let mut values = Vec::with_capacity(function.ty.params.len());
            let mut next = 0;
            for (param, width) in function.ty.params.iter().zip(&widths) {
                let core = args
                    .get(next..next + width)
                    .ok_or_else(|| fail(&"missing argument"))?;
                next += width;
                let flat = core
                    .iter()
                    .map(to_ivalue)
                    .collect::<Option<ArrayVec<IValue, 2>>>()
                    .ok_or_else(|| fail(&"argument is not a core value"))?;
                let value = lift_flat(memory, &param.ty, &flat, &function.records, &mut budget)
                    .map_err(|e| fail(&alloc::format!("argument `{}`: {e}", param.name)))?;
                values.push(value);
            }
            values
        };
        let out = (function.closure)(&values).map_err(|e| fail(&e))?;
        match (function.ty.results.first(), out.as_slice()) {
            (None, []) => Ok(()),
            (Some(ty), [value]) => {
                let lowered = lower_value(&mut host, value, ty, &function.records)
                    .map_err(|e| fail(&alloc::format!("result: {e}")))?;
                match lowered {
                    Lowered::Scalar(core) => {
                        let slot = results.first_mut().ok_or_else(|| fail(&"no result slot"))?;
                        *slot =
                            to_wvalue(&core).ok_or_else(|| fail(&"result is not a core value"))?;
                        Ok(())
                    }
                    Lowered::Slice { ptr, len } => {
                        set_result(&mut host, SET_RESULT_SIZE, len)?;
                        set_result(&mut host, SET_RESULT_PTR, ptr)
                    }
                    Lowered::Record { ptr } => set_result(&mut host, SET_RESULT_PTR, ptr),
                }
            }
            (_, out) => Err(fail(&alloc::format!(
                "returned {} values, its type declares {}",
                out.len(),
                function.ty.results.len()
            ))),
        }
    })
}

fn set_result<B: Backend>(
    host: &mut ModuleHost<'_, '_, B>,
    slot: usize,
    value: u32,
) -> Result<(), HostError> {
    let func = host.funcs.get(slot).ok_or_else(|| {
        Box::new(Error::new(
            ErrorKind::HostImport,
            "the module has no result slots",
        )) as HostError
    })?;
    let mut results = Vec::new();
    call_core(
        &mut host.core,
        func,
        &[IValue::I32(value.cast_signed())],
        &mut results,
    )
}

/// `get_call_parameters` for the namespace of `version`: the current call's parameters,
/// converted to that version's layout.
pub(crate) fn call_parameters_function(
    version: HostApiVersion,
    current: Arc<spin::Mutex<CallParameters>>,
) -> Result<HostFunction, Error> {
    let types = CallParameters::record_types(version);
    let ty = FunctionType {
        params: Vec::new(),
        results: alloc::vec![types.call_parameters_type()],
    };
    HostFunction::new(ty, types.records().to_vec(), move |_| {
        Ok(alloc::vec![current.lock().to_ivalue(version)])
    })
}

/// The raw logger `log_utf8_string(level, target, msg_ptr, msg_len)` (`spec/abi.md` §12):
/// emits a `log` record with the module's name as target, filtered by `logging_mask`.
pub(crate) fn logger<B: Backend>(
    namespace: &str,
    module: Arc<str>,
    logging_mask: i32,
) -> HostFunc<B> {
    let sig = FuncSig::new([WType::I32; 4], []);
    HostFunc::new(
        namespace,
        "log_utf8_string",
        sig,
        move |caller: &mut Caller<'_, B>,
              args: &[strait_backend::WValue],
              _results: &mut [strait_backend::WValue]| {
            let [level, target, ptr, len] = args else {
                return Ok(());
            };
            let (Some(level), Some(target), Some(ptr), Some(len)) =
                (level.as_i32(), target.as_i32(), ptr.as_i32(), len.as_i32())
            else {
                return Ok(());
            };
            // Target 0 is never filtered (D64).
            if target != 0 && target & logging_mask == 0 {
                return Ok(());
            }
            let level = match level {
                1 => log::Level::Error,
                2 => log::Level::Warn,
                3 => log::Level::Info,
                4 => log::Level::Debug,
                _ => log::Level::Trace,
            };
            let memory = caller.main_memory().map_err(backend_to_host)?;
            let start = u64::from(ptr.cast_unsigned());
            let end = start + u64::from(len.cast_unsigned());
            let bytes = usize::try_from(start)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(start, end)| memory.get(start..end))
            .ok_or_else(|| {
                Box::new(Error::new(
                    ErrorKind::HostImport,
                    alloc::format!(
                        "log_utf8_string called by module \"{module}\": message at {start}..{end} \
                         is outside its memory of {} bytes",
                        memory.len()
                    ),
                )) as HostError
            })?;
            match core::str::from_utf8(bytes) {
                Ok(message) => log::log!(target: &module, level, "{message}"),
                Err(_) => log::warn!(target: &module, "module logged a message that is not UTF-8"),
            }
            Ok(())
        },
    )
}

/// Mounted binaries (`spec/abi.md` §11): `(args: array(string)) -> MountedBinaryResult`.
#[cfg(feature = "std")]
pub(crate) fn mounted_binary(path: std::path::PathBuf) -> Result<HostFunction, Error> {
    use strait_it::{FunctionArg, RecordField};
    let field = |name: &str, ty: IType| RecordField {
        name: name.into(),
        ty,
    };
    let result = RecordType {
        name: "MountedBinaryResult".into(),
        fields: alloc::vec![
            field("ret_code", IType::S32),
            field("error", IType::String),
            field("stdout", IType::ByteArray),
            field("stderr", IType::ByteArray),
        ],
    };
    let ty = FunctionType {
        params: alloc::vec![FunctionArg {
            name: "args".into(),
            ty: IType::Array(Box::new(IType::String))
        }],
        results: alloc::vec![IType::Record(0)],
    };
    HostFunction::new(ty, alloc::vec![result], move |args| {
        let argv: Vec<String> = match args {
            [IValue::Array(items)] => items
                .iter()
                .map(|item| match item {
                    IValue::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect::<Option<_>>()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(alloc::vec![run_binary(&path, &argv)])
    })
}

/// Runs a mounted binary with exactly `args` (no shell, D62) and builds the
/// `MountedBinaryResult` record with Marine's codes.
#[cfg(feature = "std")]
fn run_binary(path: &std::path::Path, args: &[String]) -> IValue {
    const KILLED: i32 = 100_000;
    const SPAWN_FAILED: i32 = 100_001;
    let output = std::process::Command::new(path)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output();
    let record = |code: i32, error: String, stdout: Vec<u8>, stderr: Vec<u8>| {
        IValue::Record(alloc::vec![
            IValue::S32(code),
            IValue::String(error),
            IValue::ByteArray(stdout),
            IValue::ByteArray(stderr),
        ])
    };
    match output {
        Ok(output) => {
            let code = output.status.code().unwrap_or(KILLED);
            record(code, String::new(), output.stdout, output.stderr)
        }
        Err(error) => {
            log::error!(
                target: "strait::host_imports::mounted_binaries",
                "error occurred on `{} {:?}`: {error}",
                path.display(),
                args
            );
            record(SPAWN_FAILED, error.to_string(), Vec::new(), Vec::new())
        }
    }
}
