//! What the interpreter needs from the embedder while it runs an adapter.

use crate::memory::HostError;
use crate::values::IValue;
use alloc::vec::Vec;

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

    /// The executing module's linear memory (its export `memory`, D38). Asked again after
    /// every call, since a call may grow it.
    fn memory(&mut self) -> Result<&mut [u8], HostError>;
}
