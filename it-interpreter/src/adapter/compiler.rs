//! The adapter compiler: validates a whole section (`spec/it-section.md` §7 items 1–6) and
//! resolves it into a [`CompiledModule`].

use crate::adapter::nesting::NestingChecker;
use crate::adapter::program::{CompiledExport, CompiledImport, CompiledModule, CoreExport};
use crate::adapter::typecheck::{Context, Role, compile_adapter};
use crate::adapter::{CompileError, CoreExports, CoreSignature, CoreType, Item, TypeKind};
use crate::instructions::Instruction;
use crate::records::RecordTable;
use crate::section::{Import, Section};
use crate::types::{FunctionType, IType, TypeEntry};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The six ABI exports and their wasm signatures (`spec/abi.md` §2).
fn abi_signature(name: &str) -> Option<CoreSignature> {
    use CoreType::I32;
    Some(match name {
        "allocate" => CoreSignature::new([I32, I32], [I32]),
        "release_objects" => CoreSignature::new([], []),
        "get_result_size" | "get_result_ptr" => CoreSignature::new([], [I32]),
        "set_result_size" | "set_result_ptr" => CoreSignature::new([I32], []),
        _ => return None,
    })
}

/// Validates `section` and compiles its adapters.
///
/// `core` gives the wasm signature of the module's function exports; every IT export must
/// name one. Checks, each failure a [`CompileError`] naming the item (and for adapters the
/// adapter type and the instruction position): type indices in range and of the right kind;
/// records non-empty; implementations name existing adapters, at most one adapter per type
/// and one implementation per core type; ABI exports have their wasm signatures; adapted
/// imports have an IT-level function type and a raw signature of core types; every used
/// adapter type-checks against the function space of §5.2; records reachable from adapters
/// are acyclic and nest at most 1024 levels. Adapters no implementation uses are ignored.
///
/// The section is checked part by part, in this order (the first failure is the one
/// reported): types, the function types of imports and exports, adapters, implementations,
/// the function space (core exports, then adapted imports), and finally the adapters of the
/// exports and of the imports.
pub fn compile<C: CoreExports + ?Sized>(
    section: &Section,
    core: &C,
) -> Result<CompiledModule, CompileError> {
    let types = &section.types;
    let records = check_types(types)?;
    for (index, import) in section.imports.iter().enumerate() {
        function_type(types, Item::Import(index), import.function_type)?;
    }
    for (index, export) in section.exports.iter().enumerate() {
        function_type(types, Item::Export(index), export.function_type)?;
    }
    let adapters = Adapters::index(section)?;
    let implementation_of = index_implementations(section, &adapters)?;

    let core_exports = core_exports(section, core)?;
    let adapted_imports = adapted_imports(section, &implementation_of)?;
    let import_types: Vec<&FunctionType> = adapted_imports
        .iter()
        .map(|adapted| adapted.it_type)
        .collect();
    let context = Context {
        types,
        records: &records,
        core_exports: &core_exports,
        import_types: &import_types,
        can_allocate: core_exports.first().is_some_and(|export| {
            export.signature == CoreSignature::new([CoreType::I32, CoreType::I32], [CoreType::I32])
        }),
    };
    let mut nesting = NestingChecker::new(&records);
    let (exports, export_index) = compile_exports(
        section,
        &context,
        &mut nesting,
        &adapters,
        &implementation_of,
    )?;
    let imports = compile_imports(&context, &mut nesting, &adapters, adapted_imports)?;

    Ok(CompiledModule {
        core_exports,
        exports,
        imports,
        records,
        export_index,
    })
}

/// The types part: the record table (records non-empty, their `record N` fields naming
/// records, sizes in range), and every `record N` of a function type naming a record.
fn check_types(types: &[TypeEntry]) -> Result<RecordTable, CompileError> {
    let records = RecordTable::new(types)?;
    for (index, entry) in types.iter().enumerate() {
        if let TypeEntry::Function(function) = entry {
            let item = Item::Type(u32::try_from(index).unwrap_or(u32::MAX));
            for ty in function
                .params
                .iter()
                .map(|param| &param.ty)
                .chain(&function.results)
            {
                check_record_references(types, item, ty)?;
            }
        }
    }
    Ok(records)
}

/// The adapters part: each adapter's type, indexed by type index (at most one per type).
struct Adapters<'s> {
    section: &'s Section,
    /// For each type index, the position of its adapter in `section.adapters`.
    of_type: Vec<Option<usize>>,
}

impl<'s> Adapters<'s> {
    fn index(section: &'s Section) -> Result<Self, CompileError> {
        let types = &section.types;
        let mut of_type: Vec<Option<usize>> = vec![None; types.len()];
        for (index, adapter) in section.adapters.iter().enumerate() {
            function_type(types, Item::Adapter(index), adapter.function_type)?;
            let slot = slot_mut(&mut of_type, Item::Adapter(index), adapter.function_type)?;
            if slot.is_some() {
                return Err(CompileError::DuplicateAdapter {
                    adapter_type: adapter.function_type,
                });
            }
            *slot = Some(index);
        }
        Ok(Self { section, of_type })
    }

    fn exists(&self, adapter_type: u32) -> bool {
        slot(&self.of_type, adapter_type).is_some()
    }

    /// The instructions of the adapter of `adapter_type` (none if it has no adapter).
    fn instructions(&self, adapter_type: u32) -> &'s [Instruction] {
        slot(&self.of_type, adapter_type)
            .and_then(|index| self.section.adapters.get(index))
            .map(|adapter| adapter.instructions.as_slice())
            .unwrap_or_default()
    }
}

/// The implementations part: for each core type index, the adapter type implementing it (at
/// most one per core type, and only adapters that exist).
fn index_implementations(
    section: &Section,
    adapters: &Adapters<'_>,
) -> Result<Vec<Option<u32>>, CompileError> {
    let types = &section.types;
    let mut implementation_of: Vec<Option<u32>> = vec![None; types.len()];
    for (index, implementation) in section.implementations.iter().enumerate() {
        let item = Item::Implementation(index);
        function_type(types, item, implementation.core_function_type)?;
        function_type(types, item, implementation.adapter_function_type)?;
        if !adapters.exists(implementation.adapter_function_type) {
            return Err(CompileError::NoSuchAdapter {
                implementation: index,
                core_type: implementation.core_function_type,
                adapter_type: implementation.adapter_function_type,
            });
        }
        let slot = slot_mut(
            &mut implementation_of,
            item,
            implementation.core_function_type,
        )?;
        if slot.is_some() {
            return Err(CompileError::DuplicateImplementation {
                core_type: implementation.core_function_type,
            });
        }
        *slot = Some(implementation.adapter_function_type);
    }
    Ok(implementation_of)
}

/// The function space, part 1 (the exports part): every IT export is a raw wasm export, and
/// the ABI exports have their signatures.
fn core_exports<C: CoreExports + ?Sized>(
    section: &Section,
    core: &C,
) -> Result<Vec<CoreExport>, CompileError> {
    let mut core_exports = Vec::with_capacity(section.exports.len());
    for export in &section.exports {
        let signature =
            core.signature(&export.name)
                .ok_or_else(|| CompileError::MissingCoreExport {
                    name: export.name.clone(),
                })?;
        if let Some(expected) = abi_signature(&export.name)
            && expected != signature
        {
            return Err(CompileError::AbiSignature {
                name: export.name.clone(),
                expected,
                found: signature,
            });
        }
        core_exports.push(CoreExport::new(export.name.clone(), signature));
    }
    Ok(core_exports)
}

/// An import whose type is the core type of an implementation, with what its adapter needs.
struct AdaptedImport<'s> {
    import: &'s Import,
    /// The IT-level type (the type two entries before the import's core type).
    it_type: &'s FunctionType,
    adapter_type: u32,
    adapter_ty: &'s FunctionType,
    /// The raw wasm signature of the adapter's type.
    raw: CoreSignature,
}

/// The function space, part 2 (the imports part): the imports whose type is the core type of
/// an implementation, each with an IT-level type and a raw signature of core types.
fn adapted_imports<'s>(
    section: &'s Section,
    implementation_of: &[Option<u32>],
) -> Result<Vec<AdaptedImport<'s>>, CompileError> {
    let types = &section.types;
    let mut adapted = Vec::new();
    for (index, import) in section.imports.iter().enumerate() {
        let Some(adapter_type) = slot(implementation_of, import.function_type) else {
            continue;
        };
        let it_type = import
            .function_type
            .checked_sub(2)
            .and_then(|it_index| function_type(types, Item::Import(index), it_index).ok())
            .ok_or_else(|| CompileError::ImportItType {
                namespace: import.namespace.clone(),
                name: import.name.clone(),
                core_type: import.function_type,
            })?;
        let adapter_ty = function_type(types, Item::Import(index), adapter_type)?;
        let raw = raw_signature(adapter_ty).map_err(|ty| CompileError::RawImportType {
            namespace: import.namespace.clone(),
            name: import.name.clone(),
            ty,
        })?;
        adapted.push(AdaptedImport {
            import,
            it_type,
            adapter_type,
            adapter_ty,
            raw,
        });
    }
    Ok(adapted)
}

/// The adapters of the implemented exports, compiled, with the index by name (the first
/// export of a name wins).
fn compile_exports(
    section: &Section,
    context: &Context<'_>,
    nesting: &mut NestingChecker<'_>,
    adapters: &Adapters<'_>,
    implementation_of: &[Option<u32>],
) -> Result<(Vec<CompiledExport>, BTreeMap<String, usize>), CompileError> {
    let mut exports = Vec::new();
    let mut export_index = BTreeMap::new();
    for (index, export) in section.exports.iter().enumerate() {
        let Some(adapter_type) = slot(implementation_of, export.function_type) else {
            continue;
        };
        let ty = function_type(context.types, Item::Export(index), adapter_type)?;
        check_nesting(nesting, Item::Type(adapter_type), ty)?;
        let program = compile_adapter(
            context,
            nesting,
            adapter_type,
            ty,
            Role::Export,
            adapters.instructions(adapter_type),
        )?;
        export_index
            .entry(export.name.clone())
            .or_insert(exports.len());
        exports.push(CompiledExport {
            name: export.name.clone(),
            ty: ty.clone(),
            core_slot: u32::try_from(index).unwrap_or(u32::MAX),
            program,
        });
    }
    Ok((exports, export_index))
}

/// The adapters of the adapted imports, compiled.
fn compile_imports(
    context: &Context<'_>,
    nesting: &mut NestingChecker<'_>,
    adapters: &Adapters<'_>,
    adapted_imports: Vec<AdaptedImport<'_>>,
) -> Result<Vec<CompiledImport>, CompileError> {
    let mut imports = Vec::with_capacity(adapted_imports.len());
    for adapted in adapted_imports {
        let import = adapted.import;
        check_nesting(
            nesting,
            Item::Type(import.function_type.saturating_sub(2)),
            adapted.it_type,
        )?;
        let program = compile_adapter(
            context,
            nesting,
            adapted.adapter_type,
            adapted.adapter_ty,
            Role::Import,
            adapters.instructions(adapted.adapter_type),
        )?;
        imports.push(CompiledImport {
            namespace: import.namespace.clone(),
            name: import.name.clone(),
            ty: adapted.it_type.clone(),
            raw: adapted.raw,
            program,
        });
    }
    Ok(imports)
}

/// The records reachable from the parameters and results of `ty` are acyclic and shallow;
/// a failure names `item`.
fn check_nesting(
    nesting: &mut NestingChecker<'_>,
    item: Item,
    ty: &FunctionType,
) -> Result<(), CompileError> {
    for used in ty.params.iter().map(|param| &param.ty).chain(&ty.results) {
        nesting
            .check(used)
            .map_err(|reason| CompileError::Nesting { item, reason })?;
    }
    Ok(())
}

/// The function type at `index`, or an error naming `item`.
fn function_type(
    types: &[TypeEntry],
    item: Item,
    index: u32,
) -> Result<&FunctionType, CompileError> {
    match usize::try_from(index).ok().and_then(|slot| types.get(slot)) {
        Some(TypeEntry::Function(function)) => Ok(function),
        Some(TypeEntry::Record(_)) => Err(CompileError::WrongTypeKind {
            item,
            index: u64::from(index),
            expected: TypeKind::Function,
        }),
        None => Err(CompileError::TypeOutOfRange {
            item,
            index: u64::from(index),
            count: types.len(),
        }),
    }
}

/// Every `record N` inside `ty` names a record type.
fn check_record_references(
    types: &[TypeEntry],
    item: Item,
    ty: &IType,
) -> Result<(), CompileError> {
    let mut ty = ty;
    while let IType::Array(element) = ty {
        ty = element;
    }
    if let IType::Record(id) = ty {
        match usize::try_from(*id).ok().and_then(|slot| types.get(slot)) {
            Some(TypeEntry::Record(_)) => {}
            Some(TypeEntry::Function(_)) => {
                return Err(CompileError::WrongTypeKind {
                    item,
                    index: *id,
                    expected: TypeKind::Record,
                });
            }
            None => {
                return Err(CompileError::TypeOutOfRange {
                    item,
                    index: *id,
                    count: types.len(),
                });
            }
        }
    }
    Ok(())
}

/// The raw wasm signature of an import adapter's type: each type must have a core form.
fn raw_signature(ty: &FunctionType) -> Result<CoreSignature, IType> {
    let core = |ty: &IType| CoreType::of_scalar(ty).ok_or_else(|| ty.clone());
    Ok(CoreSignature {
        params: ty
            .params
            .iter()
            .map(|param| core(&param.ty))
            .collect::<Result<_, _>>()?,
        results: ty.results.iter().map(core).collect::<Result<_, _>>()?,
    })
}

fn slot<T: Copy>(table: &[Option<T>], index: u32) -> Option<T> {
    usize::try_from(index)
        .ok()
        .and_then(|index| table.get(index))
        .copied()
        .flatten()
}

fn slot_mut<T>(
    table: &mut [Option<T>],
    item: Item,
    index: u32,
) -> Result<&mut Option<T>, CompileError> {
    let count = table.len();
    usize::try_from(index)
        .ok()
        .and_then(|index| table.get_mut(index))
        .ok_or(CompileError::TypeOutOfRange {
            item,
            index: u64::from(index),
            count,
        })
}
