//! What the interpreter needs from the embedder while it runs an adapter.

use crate::adapter::CoreValue;
use crate::memory::{HostError, LowerError, LowerTarget, RecordImage};
use crate::values::IValue;
use alloc::vec::Vec;

/// The core export slot of `allocate` (§6.3): lowering calls it through
/// [`AdapterHost::allocate`], and a host's own typed handle on it serves that slot.
pub const ALLOCATE_SLOT: u32 = 0;

/// The most `i32` arguments [`AdapterHost::call_export_i32`] is called with.
pub const MAX_I32_ARGS: usize = 8;

/// Which records of a call to an adapted import may cross as [`RecordImage`]s: what the
/// linked callee's export adapter accepts, for records whose layouts are the same on both
/// sides ([`image_fits`](crate::memory::image_fits)).
///
/// ```
/// use strait_it::adapter::ImportImages;
///
/// // The default is always safe: both records cross as values.
/// assert_eq!(ImportImages::default(), ImportImages { arg: false, result: false });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportImages {
    /// The import's only parameter, a record, may come as an image.
    pub arg: bool,
    /// The import's only result, a record, may be given as an image.
    pub result: bool,
}

/// The records an export adapter takes and gives as [`RecordImage`]s in one run
/// ([`Interpreter::run_with_images`](crate::adapter::Interpreter::run_with_images)).
#[derive(Debug, Default)]
pub struct ImageCall<'a> {
    /// The adapter's only input, a record, as an image (the input values are then empty).
    pub arg: Option<&'a RecordImage>,
    /// Where the adapter's only result, a record, goes as an image if the adapter can give
    /// it so ([`Program::gives_record_image`](crate::adapter::Program::gives_record_image));
    /// it is then not among the results.
    pub result: Option<&'a mut RecordImage>,
}

/// The executing module, seen from its adapters.
///
/// One host value stands for one module: its raw wasm exports (the first part of the
/// `call-core` function space, `spec/it-section.md` §5.2), the adapted imports that lead to
/// other modules (the second part) and its linear memory. Errors pass through unchanged as
/// the `reason` of [`LocalOrImportCall`](crate::adapter::InstructionErrorKind::LocalOrImportCall),
/// so the runtime can downcast its own structured errors later.
pub trait AdapterHost {
    /// Calls core export slot `slot`: the wasm export named by IT export entry `slot` of the
    /// executing module ([`CompiledModule::core_exports`](crate::adapter::CompiledModule::core_exports)).
    /// `args` match its wasm signature; push its results onto `results`.
    ///
    /// Slot 0 is `allocate`: lowering calls it with `(size, tag)` as `I32` values.
    fn call_export(
        &mut self,
        slot: u32,
        args: &[IValue],
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError>;

    /// [`call_export`](Self::call_export) for an export whose parameters are all `i32` (at
    /// most [`MAX_I32_ARGS`]) and which has at most one result — `allocate`,
    /// `get_result_ptr`, `release_objects` and most core functions — with its arguments as
    /// plain integers; returns its result, if it has one, as a [`CoreValue`] (which needs no
    /// drop). A host with typed calls overrides it to skip building values; the default
    /// converts and calls [`call_export`](Self::call_export).
    fn call_export_i32(&mut self, slot: u32, args: &[i32]) -> Result<Option<CoreValue>, HostError> {
        let values: [IValue; MAX_I32_ARGS] =
            core::array::from_fn(|i| IValue::I32(args.get(i).copied().unwrap_or(0)));
        let mut results = Vec::new();
        self.call_export(
            slot,
            values.get(..args.len()).unwrap_or_default(),
            &mut results,
        )?;
        match results.as_slice() {
            [] => Ok(None),
            [value] => CoreValue::of(value).map(Some).ok_or_else(|| {
                alloc::format!(
                    "core export slot {slot} returned a {} where a core value was expected",
                    value.kind_name()
                )
                .into()
            }),
            more => Err(alloc::format!(
                "core export slot {slot} returned {} results where at most one was expected",
                more.len()
            )
            .into()),
        }
    }

    /// Calls `allocate(size, tag)`, core export slot 0, as
    /// [`call_export_i32`](Self::call_export_i32) would. Lowering calls it once per string,
    /// byte array, array and record, so a host with a typed handle on `allocate` overrides
    /// it; the default goes through `call_export_i32`.
    fn allocate(&mut self, size: u32, tag: u32) -> Result<Option<CoreValue>, HostError> {
        self.call_export_i32(ALLOCATE_SLOT, &[size.cast_signed(), tag.cast_signed()])
    }

    /// Calls adapted import slot `slot`
    /// ([`CompiledModule::imports`](crate::adapter::CompiledModule::imports)): runs the
    /// exporting module's export adapter with the IT values `args`; push its results onto
    /// `results`.
    fn call_import(
        &mut self,
        slot: u32,
        args: &[IValue],
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError>;

    /// Which records of a call to adapted import `slot` may cross as [`RecordImage`]s. The
    /// default, none, is always safe.
    fn import_images(&self, slot: u32) -> ImportImages {
        let _ = slot;
        ImportImages::default()
    }

    /// [`call_import`](Self::call_import) with the records
    /// [`import_images`](Self::import_images) allows passed as images: with `images.arg`,
    /// `args` is empty; when the callee gives its result as an image, it fills
    /// `images.result` and pushes nothing onto `results`. Only called when `import_images`
    /// allows an image; the default refuses.
    fn call_import_images(
        &mut self,
        slot: u32,
        args: &[IValue],
        images: ImageCall<'_>,
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError> {
        let _ = (args, images, results);
        Err(alloc::format!("import slot {slot}: this host passes no record images").into())
    }

    /// The executing module's linear memory (its export `memory`, D38). Asked again after
    /// every call, since a call may grow it.
    fn memory(&mut self) -> Result<&mut [u8], HostError>;

    /// Whether the inputs of the export adapter being run are known to have its parameter
    /// types: true when another module's adapter passes them (its stack is type-checked,
    /// and the two signatures were checked against each other at link time). Lowering then
    /// skips the value check (D14) that values from an embedder need. The default, `false`,
    /// is always safe.
    fn inputs_are_typed(&self) -> bool {
        false
    }

    /// Whether the results of [`call_import`](Self::call_import) are known to have the
    /// import's result types: true when every import is served by another module's export
    /// adapter, linked with a checked signature. Lowering such a result then skips the
    /// value check. The default, `false`, is always safe.
    fn import_results_are_typed(&self) -> bool {
        false
    }

    /// An empty buffer with room for at least `len` bytes, kept from earlier calls, for a
    /// string or byte array about to be lifted; `None` (the default) to allocate a new one.
    ///
    /// A host that keeps the buffers of values it is done with hands them out here, so large
    /// payloads do not cost a fresh allocation (and its page faults) on every call. `len`
    /// comes from the guest and is not checked yet: hand out a buffer only if one is already
    /// there, never allocate here.
    fn spare_buffer(&mut self, len: usize) -> Option<Vec<u8>> {
        let _ = len;
        None
    }
}

/// Lowers through a module's `allocate` export (core export slot 0) and its memory.
///
/// The interpreter lowers with it; the runtime can use it too, for host imports that return
/// values into a module whose exports it reaches through an [`AdapterHost`].
pub struct HostAllocator<'a, H: ?Sized> {
    host: &'a mut H,
}

impl<'a, H: AdapterHost + ?Sized> HostAllocator<'a, H> {
    /// Lowers into `host`.
    pub fn new(host: &'a mut H) -> Self {
        Self { host }
    }
}

impl<H: AdapterHost + ?Sized> LowerTarget for HostAllocator<'_, H> {
    fn allocate(&mut self, size: u32, tag: u32) -> Result<u32, LowerError> {
        let ptr = self
            .host
            .allocate(size, tag)
            .map_err(|reason| LowerError::AllocateCallFailed { reason })?;
        match ptr {
            Some(CoreValue::I32(ptr)) => Ok(ptr.cast_unsigned()),
            _ => Err(LowerError::AllocateIncompatibleOutput),
        }
    }

    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        self.host.memory()
    }
}
