//! The adapter compiler: validates a whole section (`spec/it-section.md` §7 items 1–6) and
//! resolves it into a [`CompiledModule`].

use crate::adapter::nesting::NestingChecker;
use crate::adapter::program::{CompiledExport, CompiledImport, CompiledModule, CoreExport};
use crate::adapter::typecheck::{Context, Role, compile_adapter};
use crate::adapter::{CompileError, CoreExports, CoreSignature, CoreType, Item, TypeKind};
use crate::memory::RecordTable;
use crate::section::Section;
use crate::types::{FunctionType, IType, TypeEntry};
use alloc::collections::BTreeMap;
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
pub fn compile<C: CoreExports + ?Sized>(
    section: &Section,
    core: &C,
) -> Result<CompiledModule, CompileError> {
    let types = &section.types;
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
    for (index, import) in section.imports.iter().enumerate() {
        function_type(types, Item::Import(index), import.function_type)?;
    }
    for (index, export) in section.exports.iter().enumerate() {
        function_type(types, Item::Export(index), export.function_type)?;
    }

    // Adapters and implementations, indexed by type index.
    let mut adapter_of: Vec<Option<usize>> = vec![None; types.len()];
    for (index, adapter) in section.adapters.iter().enumerate() {
        function_type(types, Item::Adapter(index), adapter.function_type)?;
        let slot = slot_mut(&mut adapter_of, Item::Adapter(index), adapter.function_type)?;
        if slot.is_some() {
            return Err(CompileError::DuplicateAdapter {
                adapter_type: adapter.function_type,
            });
        }
        *slot = Some(index);
    }
    let mut implementation_of: Vec<Option<u32>> = vec![None; types.len()];
    for (index, implementation) in section.implementations.iter().enumerate() {
        let item = Item::Implementation(index);
        function_type(types, item, implementation.core_function_type)?;
        function_type(types, item, implementation.adapter_function_type)?;
        if slot(&adapter_of, implementation.adapter_function_type).is_none() {
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

    // The function space, part 1: every IT export is a raw wasm export.
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
        core_exports.push(CoreExport {
            name: export.name.clone(),
            signature,
        });
    }

    // Part 2: the imports whose type is the core type of an implementation.
    let mut adapted_imports = Vec::new();
    for (index, import) in section.imports.iter().enumerate() {
        let Some(adapter_type) = slot(&implementation_of, import.function_type) else {
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
        adapted_imports.push((import, it_type, adapter_type, adapter_ty, raw));
    }
    let import_types: Vec<&FunctionType> = adapted_imports
        .iter()
        .map(|(_, it_type, ..)| *it_type)
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
    let instructions_of = |adapter_type: u32| {
        slot(&adapter_of, adapter_type)
            .and_then(|index| section.adapters.get(index))
            .map(|adapter| adapter.instructions.as_slice())
            .unwrap_or_default()
    };

    let mut exports = Vec::new();
    let mut export_index = BTreeMap::new();
    for (index, export) in section.exports.iter().enumerate() {
        let Some(adapter_type) = slot(&implementation_of, export.function_type) else {
            continue;
        };
        let ty = function_type(types, Item::Export(index), adapter_type)?;
        for used in ty.params.iter().map(|param| &param.ty).chain(&ty.results) {
            nesting
                .check(used)
                .map_err(|reason| CompileError::Nesting {
                    item: Item::Type(adapter_type),
                    reason,
                })?;
        }
        let program = compile_adapter(
            &context,
            &mut nesting,
            adapter_type,
            ty,
            Role::Export,
            instructions_of(adapter_type),
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

    let mut imports = Vec::with_capacity(adapted_imports.len());
    for (import, it_type, adapter_type, adapter_ty, raw) in adapted_imports {
        for used in it_type
            .params
            .iter()
            .map(|param| &param.ty)
            .chain(&it_type.results)
        {
            nesting
                .check(used)
                .map_err(|reason| CompileError::Nesting {
                    item: Item::Type(import.function_type.saturating_sub(2)),
                    reason,
                })?;
        }
        let program = compile_adapter(
            &context,
            &mut nesting,
            adapter_type,
            adapter_ty,
            Role::Import,
            instructions_of(adapter_type),
        )?;
        imports.push(CompiledImport {
            namespace: import.namespace.clone(),
            name: import.name.clone(),
            ty: it_type.clone(),
            raw,
            program,
        });
    }

    Ok(CompiledModule {
        core_exports,
        exports,
        imports,
        records,
        export_index,
    })
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
