//! A loaded module: its store, its compiled interface and the links to the modules it
//! imports from; and the two views adapters run against (the module's own store, or the
//! caller context of one of its host functions).

use crate::error::{Error, ErrorKind};
use crate::spares::{self, Spares};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use arrayvec::ArrayVec;
use strait_backend::{
    AsContextMut, Backend, BackendError, Context, Func, Store, TypedFunc, WValue,
};
use strait_it::IValue;
use strait_it::adapter::{
    ALLOCATE_SLOT, AdapterHost, CompiledModule, CoreValue, HostAllocator, ImageCall, ImportImages,
    Interpreter, Limits,
};
use strait_it::memory::{HostError, LowerError, LowerTarget};

/// Core calls with at most this many parameters or results convert their values on the
/// stack; larger ones (none in real modules) fall back to the heap.
pub(crate) const INLINE_VALUES: usize = 16;

/// Per-call limits applied whenever an adapter of the module runs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CallLimits {
    /// Fuel given to the store before an export adapter runs (None: no metering).
    pub(crate) fuel: Option<u64>,
    /// Wall-clock bound set on the store before an export adapter runs (Wasmtime only).
    pub(crate) deadline: Option<core::time::Duration>,
    /// Bounds of the adapter interpreter.
    pub(crate) run: Limits,
}

/// A typed handle on a module's `allocate(size, tag) -> ptr`.
pub(crate) type Allocate<B> = TypedFunc<B, (i32, i32), i32>;

/// What a module and its host functions share: everything but the store itself.
pub(crate) struct Linked<B: Backend> {
    /// The module's service name.
    pub(crate) name: String,
    /// The compiled `interface-types` section.
    pub(crate) compiled: CompiledModule,
    /// The section's type list (records by id, for JSON and the interface listing).
    pub(crate) types: Vec<strait_it::TypeEntry>,
    /// Function handles of the core export slots, resolved once after instantiation.
    pub(crate) core_funcs: spin::Once<Vec<Func<B>>>,
    /// A typed handle on core export slot 0 when it is `allocate(i32, i32) -> i32`: lowering
    /// calls it for every string, byte array, array and record.
    pub(crate) allocate: spin::Once<Option<Allocate<B>>>,
    /// The target of each adapted import slot.
    pub(crate) imports: Vec<ImportTarget<B>>,
    /// Limits for adapters of this module.
    pub(crate) limits: CallLimits,
    /// Runs the module's import adapters. One is enough: the call graph is a DAG, so an
    /// import adapter of a module never runs inside another one of the same module.
    pub(crate) import_interpreter: spin::Mutex<ImportRunner>,
    /// The service's kept buffers, which lifted strings and byte arrays reuse.
    pub(crate) spares: Arc<spin::Mutex<Spares>>,
}

impl<B: Backend> Linked<B> {
    /// The resolved core export handles; an error before instantiation completed.
    pub(crate) fn funcs(&self) -> Result<&[Func<B>], HostError> {
        self.core_funcs.get().map(Vec::as_slice).ok_or_else(|| {
            Box::new(Error::new(
                ErrorKind::Load,
                alloc::format!(
                    "module \"{}\" called an import before it was instantiated",
                    self.name
                ),
            )) as HostError
        })
    }
}

/// What the import adapters of a module run with, kept between calls: the interpreter and
/// the buffer of their results.
#[derive(Debug, Default)]
pub(crate) struct ImportRunner {
    pub(crate) interpreter: Interpreter,
    pub(crate) results: Vec<IValue>,
}

/// An adapted import: the module and export it leads to.
pub(crate) struct ImportTarget<B: Backend> {
    /// The exporting module.
    pub(crate) module: Arc<Instance<B>>,
    /// Index of the function in the exporter's compiled exports.
    pub(crate) export: usize,
    /// The records that may cross as images, decided when the two were linked.
    pub(crate) images: ImportImages,
}

/// A module's store and the interpreter of its export adapters, locked together for the
/// duration of a call into the module.
pub(crate) struct Slot<B: Backend> {
    /// The store holding the instance.
    pub(crate) store: Store<B>,
    /// Keeps its buffers between calls, so a call allocates only the values it produces.
    pub(crate) interpreter: Interpreter,
}

/// A loaded module.
pub(crate) struct Instance<B: Backend> {
    /// Shared with the module's host functions.
    pub(crate) linked: Arc<Linked<B>>,
    /// Locked for the duration of a call into the module. The loading order makes the call
    /// graph a DAG, so one call never locks it twice.
    pub(crate) slot: spin::Mutex<Slot<B>>,
}

impl<B: Backend> Instance<B> {
    /// Runs export `export` of this module with `args`: the export adapter of
    /// `spec/service.md` §5.1 step 4.
    pub(crate) fn call_export(&self, export: usize, args: &[IValue]) -> Result<Vec<IValue>, Error> {
        // Sized once: the results are appended without growing.
        let count = self
            .linked
            .compiled
            .exports()
            .get(export)
            .map_or(0, |export| export.ty.results.len());
        let mut results = Vec::with_capacity(count);
        self.call_export_into(export, args, None, &mut results)?;
        Ok(results)
    }

    /// [`call_export`](Self::call_export), appending the results to `results`: a call from
    /// another module's adapter hands its own stack, so the call allocates nothing for them.
    ///
    /// `from_adapter`: the arguments come from another module's adapter, so they have the
    /// export's parameter types (see [`AdapterHost::inputs_are_typed`]), and its record
    /// parameter or result may cross as images.
    pub(crate) fn call_export_into(
        &self,
        export: usize,
        args: &[IValue],
        from_adapter: Option<ImageCall<'_>>,
        results: &mut Vec<IValue>,
    ) -> Result<(), Error> {
        let linked = &*self.linked;
        let compiled = linked.compiled.exports().get(export).ok_or_else(|| {
            Error::new(
                ErrorKind::NoSuchFunction,
                alloc::format!("export {export} is missing"),
            )
        })?;
        // A store already locked means the module is being re-entered, which the loading
        // order rules out; fail instead of spinning forever.
        let mut slot = self.slot.try_lock().ok_or_else(|| {
            Error::new(
                ErrorKind::Instruction,
                alloc::format!(
                    "module \"{}\" is re-entered by its own callees",
                    linked.name
                ),
            )
        })?;
        let Slot { store, interpreter } = &mut *slot;
        if let Some(deadline) = linked.limits.deadline {
            store
                .set_deadline(Some(deadline))
                .map_err(|e| Error::with_source(ErrorKind::Engine, "cannot set the deadline", e))?;
        }
        if let Some(fuel) = linked.limits.fuel {
            store
                .set_fuel(fuel)
                .map_err(|e| Error::with_source(ErrorKind::Engine, "cannot set fuel", e))?;
        }
        let funcs = linked
            .funcs()
            .map_err(|e| Error::with_source(ErrorKind::Load, "not ready", e))?;
        let mut host = ModuleHost {
            core: store.as_context_mut(),
            funcs,
            linked,
            typed_inputs: from_adapter.is_some(),
        };
        interpreter
            .run_with_images(
                &linked.compiled,
                &compiled.program,
                args,
                from_adapter.unwrap_or_default(),
                &mut host,
                results,
            )
            .map_err(|error| Error::execution(&linked.name, &compiled.name, error))
    }
}

/// The module an adapter runs in, as the interpreter sees it: reached through its store
/// (a call from the embedder or from another module) or through the caller of one of its
/// host functions (an import adapter running while the module's own call is suspended).
///
/// Its context is the engine's one context type whichever way the module was reached, so
/// the interpreter is compiled once for both ways: one copy of its code for every call.
pub(crate) struct ModuleHost<'a, 'c, B: Backend> {
    pub(crate) core: Context<'c, B>,
    pub(crate) funcs: &'a [Func<B>],
    pub(crate) linked: &'a Linked<B>,
    /// Whether the adapter's inputs come from another module's adapter.
    pub(crate) typed_inputs: bool,
}

/// Converts an engine error into the error an adapter reports: a host function's own error
/// comes back unchanged, so nested cross-module errors keep their structure.
pub(crate) fn backend_to_host(error: BackendError) -> HostError {
    match error {
        BackendError::Host(inner) => inner,
        other => Box::new(other),
    }
}

/// An adapter value as a core value, if it is one.
pub(crate) fn to_wvalue(value: &IValue) -> Option<WValue> {
    CoreValue::of(value).map(|value| match value {
        CoreValue::I32(v) => WValue::I32(v),
        CoreValue::I64(v) => WValue::I64(v),
        CoreValue::F32(v) => WValue::F32(v),
        CoreValue::F64(v) => WValue::F64(v),
    })
}

/// A core value as the interpreter's core value (`V128` never crosses an adapter:
/// signatures are checked at load).
pub(crate) fn to_core_value(value: WValue) -> Option<CoreValue> {
    Some(match value {
        WValue::I32(v) => CoreValue::I32(v),
        WValue::I64(v) => CoreValue::I64(v),
        WValue::F32(v) => CoreValue::F32(v),
        WValue::F64(v) => CoreValue::F64(v),
        _ => return None,
    })
}

/// A core value as an adapter value.
pub(crate) fn to_ivalue(value: &WValue) -> Option<IValue> {
    to_core_value(*value).map(IValue::from)
}

fn not_core(value: &IValue) -> HostError {
    Box::new(Error::new(
        ErrorKind::Instruction,
        alloc::format!(
            "a core function cannot take a value of kind {}",
            value.kind_name()
        ),
    ))
}

/// Calls a core function with adapter values, converting on the stack when they fit.
pub(crate) fn call_core<B: Backend, C: AsContextMut<B>>(
    core: &mut C,
    func: &Func<B>,
    args: &[IValue],
    results: &mut Vec<IValue>,
) -> Result<(), HostError> {
    if args.len() <= INLINE_VALUES && func.sig().results().len() <= INLINE_VALUES {
        // Filled in place: collecting into a returned `ArrayVec` moved its whole inline
        // array (half a KiB) several times per core call.
        let mut wargs = ArrayVec::<WValue, INLINE_VALUES>::new();
        let mut wresults = ArrayVec::<WValue, INLINE_VALUES>::new();
        call_buffered(core, func, args, results, &mut wargs, &mut wresults)
    } else {
        let (mut wargs, mut wresults) = (Vec::new(), Vec::new());
        call_buffered(core, func, args, results, &mut wargs, &mut wresults)
    }
}

/// [`call_core`] with the core values in the empty buffers `wargs` and `wresults`, which
/// must have room for them all.
fn call_buffered<B, C, Buf>(
    core: &mut C,
    func: &Func<B>,
    args: &[IValue],
    results: &mut Vec<IValue>,
    wargs: &mut Buf,
    wresults: &mut Buf,
) -> Result<(), HostError>
where
    B: Backend,
    C: AsContextMut<B>,
    Buf: Extend<WValue> + core::ops::DerefMut<Target = [WValue]>,
{
    for arg in args {
        wargs.extend([to_wvalue(arg).ok_or_else(|| not_core(arg))?]);
    }
    wresults.extend(func.sig().results().iter().map(|ty| ty.zero()));
    func.call(core, wargs, wresults).map_err(backend_to_host)?;
    results.reserve(wresults.len());
    for value in wresults.iter() {
        results.extend(to_ivalue(value));
    }
    Ok(())
}

/// The function of core export slot `slot` among `funcs`.
#[inline]
fn core_export<B: Backend>(funcs: &[Func<B>], slot: u32) -> Result<&Func<B>, HostError> {
    match usize::try_from(slot)
        .ok()
        .and_then(|index| funcs.get(index))
    {
        Some(func) => Ok(func),
        None => Err(missing_core_export(slot)),
    }
}

#[cold]
fn missing_core_export(slot: u32) -> HostError {
    Box::new(Error::new(
        ErrorKind::Instruction,
        alloc::format!("core export slot {slot} is missing"),
    ))
}

impl<B: Backend> AdapterHost for ModuleHost<'_, '_, B> {
    fn call_export(
        &mut self,
        slot: u32,
        args: &[IValue],
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError> {
        let func = core_export(self.funcs, slot)?;
        call_core(&mut self.core, func, args, results)
    }

    // Always inlined: one call level less on every core call of every adapter.
    #[inline(always)]
    fn call_export_i32(&mut self, slot: u32, args: &[i32]) -> Result<Option<CoreValue>, HostError> {
        let func = core_export(self.funcs, slot)?;
        let result = func
            .call_i32(&mut self.core, args)
            .map_err(backend_to_host)?;
        Ok(result.and_then(to_core_value))
    }

    #[inline(always)]
    fn allocate(&mut self, size: u32, tag: u32) -> Result<Option<CoreValue>, HostError> {
        let (size, tag) = (size.cast_signed(), tag.cast_signed());
        match self.linked.allocate.get() {
            Some(Some(allocate)) => allocate
                .call(&mut self.core, (size, tag))
                .map(|ptr| Some(CoreValue::I32(ptr)))
                .map_err(backend_to_host),
            _ => self.call_export_i32(ALLOCATE_SLOT, &[size, tag]),
        }
    }

    fn call_import(
        &mut self,
        slot: u32,
        args: &[IValue],
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError> {
        self.call_import_images(slot, args, ImageCall::default(), results)
    }

    fn import_images(&self, slot: u32) -> ImportImages {
        usize::try_from(slot)
            .ok()
            .and_then(|slot| self.linked.imports.get(slot))
            .map(|target| target.images)
            .unwrap_or_default()
    }

    fn call_import_images(
        &mut self,
        slot: u32,
        args: &[IValue],
        images: ImageCall<'_>,
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError> {
        let target = usize::try_from(slot)
            .ok()
            .and_then(|slot| self.linked.imports.get(slot))
            .ok_or_else(|| {
                Box::new(Error::new(
                    ErrorKind::Instruction,
                    alloc::format!("import slot {slot} is missing"),
                )) as HostError
            })?;
        target
            .module
            .call_export_into(target.export, args, Some(images), results)
            .map_err(|e| Box::new(e) as HostError)
    }

    #[inline]
    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        self.core.main_memory().map_err(backend_to_host)
    }

    fn inputs_are_typed(&self) -> bool {
        self.typed_inputs
    }

    /// Every adapted import is served by another module's export adapter, linked only
    /// when the two signatures are compatible (D29).
    fn import_results_are_typed(&self) -> bool {
        true
    }

    fn spare_buffer(&mut self, len: usize) -> Option<Vec<u8>> {
        // Small values skip the lock: the allocator serves them as well.
        if len < spares::MIN_CAPACITY {
            return None;
        }
        self.linked.spares.lock().take(len)
    }
}

/// Lowering into a module from one of its host functions (call parameters, mounted
/// binaries, IT-typed host imports): `allocate` is core export slot 0.
impl<B: Backend> LowerTarget for ModuleHost<'_, '_, B> {
    fn allocate(&mut self, size: u32, tag: u32) -> Result<u32, LowerError> {
        HostAllocator::new(self).allocate(size, tag)
    }

    #[inline]
    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        self.core.main_memory().map_err(backend_to_host)
    }
}
