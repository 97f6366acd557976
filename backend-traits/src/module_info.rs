//! What a compiled module imports and exports, engine-independent.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::BackendError;
use crate::value::{FuncSig, WType};

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternDesc {
    /// A function.
    Func(FuncSig),
    /// A linear memory, sizes in pages.
    Memory {
        /// Initial size.
        min: u64,
        /// Maximum size, if declared.
        max: Option<u64>,
    },
    /// A table, sizes in elements.
    Table {
        /// Element type.
        element: WType,
        /// Initial size.
        min: u64,
        /// Maximum size, if declared.
        max: Option<u64>,
    },
    /// A global.
    Global {
        /// Value type.
        ty: WType,
        /// Whether it is mutable.
        mutable: bool,
    },
}

impl ExternDesc {
    /// `function`, `memory`, `table` or `global`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Func(_) => "function",
            Self::Memory { .. } => "memory",
            Self::Table { .. } => "table",
            Self::Global { .. } => "global",
        }
    }
}

/// One import of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportDesc {
    /// Namespace (the module name of the import).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Type.
    pub ty: ExternDesc,
}

/// One export of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDesc {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: ExternDesc,
}

/// The imports and exports of a compiled module: imports in declaration order, exports
/// sorted by name (engines disagree on export order; sorting makes them agree).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleInfo {
    imports: Vec<ImportDesc>,
    exports: Vec<ExportDesc>,
}

impl ModuleInfo {
    /// Module info from its imports and exports; sorts the exports by name.
    pub fn new(imports: Vec<ImportDesc>, mut exports: Vec<ExportDesc>) -> Self {
        exports.sort_by(|a, b| a.name.cmp(&b.name));
        Self { imports, exports }
    }

    /// Imports, in declaration order.
    pub fn imports(&self) -> &[ImportDesc] {
        &self.imports
    }

    /// Exports, sorted by name.
    pub fn exports(&self) -> &[ExportDesc] {
        &self.exports
    }

    /// The export named `name`.
    pub fn export(&self, name: &str) -> Option<&ExportDesc> {
        self.exports
            .binary_search_by(|e| e.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.exports.get(i))
    }

    /// The signature of the exported function `name`.
    pub fn export_func(&self, name: &str) -> Result<&FuncSig, BackendError> {
        match self.export(name).map(|e| &e.ty) {
            Some(ExternDesc::Func(sig)) => Ok(sig),
            _ => Err(BackendError::MissingExport {
                name: name.into(),
                kind: "function",
            }),
        }
    }
}
