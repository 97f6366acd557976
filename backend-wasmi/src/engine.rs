//! The shared engine: configuration, compilation and module info.

use alloc::string::ToString;
use alloc::sync::Arc;
use alloc::vec::Vec;

use strait_backend::{BackendError, EngineConfig, ExportDesc, ExternDesc, ImportDesc, ModuleInfo};
use wasmi::ExternType;

use crate::convert::{func_sig, ref_wtype, wtype};

/// strait's backend on wasmi: one shared engine; cheap to clone.
#[derive(Clone)]
pub struct Wasmi {
    shared: Arc<Shared>,
}

struct Shared {
    engine: wasmi::Engine,
    config: EngineConfig,
}

impl core::fmt::Debug for Wasmi {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Wasmi")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Wasmi {
    /// Creates the engine.
    pub fn with_config(config: &EngineConfig) -> Result<Self, BackendError> {
        let mut c = wasmi::Config::default();
        // Exactly strait_backend::ENABLED_PROPOSALS, as on Wasmtime. memory64 is off because
        // wasmi's `memory64` cargo feature is (the shared suite checks it stays rejected).
        c.wasm_mutable_global(true)
            .wasm_sign_extension(true)
            .wasm_saturating_float_to_int(true)
            .wasm_multi_value(true)
            .wasm_bulk_memory(true)
            .wasm_reference_types(true)
            .wasm_simd(true)
            .floats(true)
            .wasm_multi_memory(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            .wasm_relaxed_simd(false)
            .consume_fuel(config.fuel)
            .set_max_recursion_depth(config.max_recursion_depth);
        let engine = wasmi::Engine::new(&c);
        Ok(Self {
            shared: Arc::new(Shared {
                engine,
                config: config.clone(),
            }),
        })
    }

    /// wasmi's engine.
    pub fn engine(&self) -> &wasmi::Engine {
        &self.shared.engine
    }

    pub(crate) fn compile_module(
        &self,
        wasm: &[u8],
    ) -> Result<(wasmi::Module, ModuleInfo), BackendError> {
        let module = wasmi::Module::new(&self.shared.engine, wasm)
            .map_err(|e| BackendError::Compile(e.to_string()))?;
        let info = module_info(&module);
        Ok((module, info))
    }

    pub(crate) fn engine_config(&self) -> &EngineConfig {
        &self.shared.config
    }
}

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

fn module_info(module: &wasmi::Module) -> ModuleInfo {
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
    ModuleInfo::new(imports, exports)
}
