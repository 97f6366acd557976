//! The helpers every integration test of strait-it shares: the Marine artifacts, an
//! in-memory module (memory, bump allocator, result slots, a call log) behind
//! [`AdapterHost`], builders for small sections, the binary pieces of the §2.4 example, and
//! instructions built from the instruction table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use strait_it::adapter::{
    AdapterHost, CompileError, CompiledModule, CoreSignature, CoreType, ImageCall, ImportImages,
    InstructionError, Interpreter,
};
use strait_it::memory::{
    HostError, LiftBudget, RecordTable, lift_record, lift_record_image, lower_record,
    lower_record_image,
};
use strait_it::{
    Adapter, Export, FunctionArg, FunctionType, IType, IValue, Implementation, Import, Instruction,
    RecordField, RecordType, Section, TypeEntry,
};

// ---------------------------------------------------------------------------------------
// The Marine artifacts

/// `../shared/artifacts`, beside the repository.
pub(crate) const ARTIFACTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/artifacts");

/// One valid Marine module of the artifacts.
pub(crate) struct Artifact {
    /// Path relative to the artifacts folder, e.g. `greeting/greeting.wasm`.
    pub(crate) name: String,
    /// The module's bytes.
    pub(crate) wasm: Vec<u8>,
    /// Marine's text print of its IT section (`<module>.it.txt`), when present.
    pub(crate) marine_text: Option<String>,
}

/// Every `.wasm` under the artifacts folder except `corrupted/`, sorted by path. Returns
/// `None` (after saying so) when the folder is missing outside CI; under `CI=true` a missing
/// folder fails the test.
// The skip must be visible in the test output, which is what stderr is for here.
#[allow(clippy::print_stderr)]
pub(crate) fn artifacts() -> Option<Vec<Artifact>> {
    let root = Path::new(ARTIFACTS);
    if !root.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{ARTIFACTS} is missing: CI must run with ../shared beside the repository"
        );
        eprintln!("SKIPPED: {ARTIFACTS} is missing (not under CI, so the test passes vacuously)");
        return None;
    }
    let mut paths = Vec::new();
    collect_wasm(root, &mut paths);
    paths.sort();
    let artifacts: Vec<Artifact> = paths
        .into_iter()
        .filter(|path| !path.starts_with(root.join("corrupted")))
        .map(|path| {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let marine_text = std::fs::read_to_string(path.with_extension("it.txt")).ok();
            Artifact {
                name,
                wasm: std::fs::read(&path).unwrap(),
                marine_text,
            }
        })
        .collect();
    assert!(
        artifacts.len() >= 13,
        "expected the 13 valid Marine modules"
    );
    Some(artifacts)
}

/// The corrupted modules (`corrupted/*.wasm`): inputs that must be rejected cleanly.
pub(crate) fn corrupted() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    collect_wasm(&Path::new(ARTIFACTS).join("corrupted"), &mut paths);
    paths.sort();
    paths
}

fn collect_wasm(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_wasm(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "wasm") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The test host

/// A user function of the fake module: gets the module side and the core arguments.
pub(crate) type Function = Box<dyn FnMut(&mut Sdk, &[IValue]) -> Result<Vec<IValue>, HostError>>;

/// The module side, as marine-rs-sdk would keep it: memory, allocator, result slots.
pub(crate) struct Sdk {
    pub(crate) memory: Vec<u8>,
    /// Next offset the bump allocator hands out: 16, 24, 32, … (8-aligned, like the spec's
    /// traces).
    pub(crate) next: u32,
    pub(crate) result_ptr: i32,
    pub(crate) result_size: i32,
    /// Every core call, in order: `name(args) -> results`.
    pub(crate) log: Vec<String>,
    /// Replaces the bump allocator (hostile tests).
    pub(crate) allocate_hook: Option<Box<dyn FnMut(u32, u32) -> u32>>,
}

impl Sdk {
    pub(crate) fn new(memory_size: usize) -> Self {
        Self {
            memory: vec![0; memory_size],
            next: 16,
            result_ptr: 0,
            result_size: 0,
            log: Vec::new(),
            allocate_hook: None,
        }
    }

    /// The module's own allocation (not through the `allocate` export, not logged).
    pub(crate) fn alloc(&mut self, size: u32) -> u32 {
        let ptr = self.next;
        self.next = (ptr + size.max(1)).next_multiple_of(8);
        ptr
    }

    pub(crate) fn write(&mut self, ptr: u32, bytes: &[u8]) {
        self.memory[ptr as usize..ptr as usize + bytes.len()].copy_from_slice(bytes);
    }

    pub(crate) fn read(&self, ptr: u32, len: u32) -> &[u8] {
        &self.memory[ptr as usize..(ptr + len) as usize]
    }

    /// Stores a string the way an export returns one: into the result slots.
    pub(crate) fn return_bytes(&mut self, bytes: &[u8]) {
        let ptr = self.alloc(u32_of(bytes.len()));
        self.write(ptr, bytes);
        self.result_ptr = ptr.cast_signed();
        self.result_size = u32_of(bytes.len()).cast_signed();
    }
}

pub(crate) struct TestHost {
    pub(crate) sdk: Sdk,
    /// What the host says of its inputs and import results: typed (unchecked) or not.
    pub(crate) typed: bool,
    /// The records its imports take and give as images (none by default).
    pub(crate) images: ImportImages,
    names: Vec<String>,
    functions: BTreeMap<String, Function>,
    imports: Vec<(String, Function)>,
    import_types: Vec<FunctionType>,
    records: RecordTable,
}

impl TestHost {
    /// A host for `module` with `memory_size` bytes of memory.
    pub(crate) fn new(module: &CompiledModule, memory_size: usize) -> Self {
        Self {
            sdk: Sdk::new(memory_size),
            typed: false,
            images: ImportImages::default(),
            import_types: module.imports().iter().map(|i| i.ty.clone()).collect(),
            records: module.records().clone(),
            names: module
                .core_exports()
                .iter()
                .map(|e| e.name.clone())
                .collect(),
            functions: BTreeMap::new(),
            imports: module
                .imports()
                .iter()
                .map(|i| {
                    let name = format!("{}.{}", i.namespace, i.name);
                    let missing: Function =
                        Box::new(move |_, _| Err("import not provided by the test".into()));
                    (name, missing)
                })
                .collect(),
        }
    }

    /// Provides the wasm export `name`.
    pub(crate) fn function(
        mut self,
        name: &str,
        f: impl FnMut(&mut Sdk, &[IValue]) -> Result<Vec<IValue>, HostError> + 'static,
    ) -> Self {
        self.functions.insert(name.into(), Box::new(f));
        self
    }

    /// Provides adapted import `slot` (it receives IT values).
    pub(crate) fn import(
        mut self,
        slot: usize,
        f: impl FnMut(&mut Sdk, &[IValue]) -> Result<Vec<IValue>, HostError> + 'static,
    ) -> Self {
        self.imports[slot].1 = Box::new(f);
        self
    }

    /// Replaces the wasm export `name` of a host already made.
    pub(crate) fn set_function(&mut self, name: &str, f: Function) {
        self.functions.insert(name.into(), f);
    }

    /// Replaces adapted import `slot` of a host already made.
    pub(crate) fn set_import(&mut self, slot: usize, f: Function) {
        self.imports[slot].1 = f;
    }

    pub(crate) fn log(&self) -> Vec<&str> {
        self.sdk.log.iter().map(String::as_str).collect()
    }
}

fn show(values: &[IValue]) -> String {
    values
        .iter()
        .map(|v| match v {
            IValue::I32(v) => v.to_string(),
            IValue::I64(v) => v.to_string(),
            IValue::F32(v) => v.to_string(),
            IValue::F64(v) => v.to_string(),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl AdapterHost for TestHost {
    fn call_export(
        &mut self,
        slot: u32,
        args: &[IValue],
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError> {
        let name = self.names[slot as usize].clone();
        let sdk = &mut self.sdk;
        // A test's own function, even for an ABI name, replaces the SDK's.
        let out = match (self.functions.get_mut(&name), name.as_str(), args) {
            (Some(f), _, _) => f(sdk, args)?,
            (None, "allocate", [IValue::I32(size), IValue::I32(tag)]) => {
                let (size, tag) = (*size as u32, *tag as u32);
                let ptr = match &mut sdk.allocate_hook {
                    Some(hook) => hook(size, tag),
                    None => sdk.alloc(size),
                };
                vec![IValue::I32(ptr as i32)]
            }
            (None, "release_objects", []) => vec![],
            (None, "get_result_ptr", []) => vec![IValue::I32(sdk.result_ptr)],
            (None, "get_result_size", []) => vec![IValue::I32(sdk.result_size)],
            (None, "set_result_ptr", [IValue::I32(v)]) => {
                sdk.result_ptr = *v;
                vec![]
            }
            (None, "set_result_size", [IValue::I32(v)]) => {
                sdk.result_size = *v;
                vec![]
            }
            (None, _, _) => return Err(format!("no test function `{name}`").into()),
        };
        let entry = if out.is_empty() {
            format!("{name}({})", show(args))
        } else {
            format!("{name}({}) -> {}", show(args), show(&out))
        };
        self.sdk.log.push(entry);
        results.extend(out);
        Ok(())
    }

    fn call_import(
        &mut self,
        slot: u32,
        args: &[IValue],
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError> {
        let (name, f) = &mut self.imports[slot as usize];
        let name = name.clone();
        let out = f(&mut self.sdk, args)?;
        self.sdk.log.push(format!("import {name}"));
        results.extend(out);
        Ok(())
    }

    fn import_images(&self, _: u32) -> ImportImages {
        self.images
    }

    /// Plays the callee's side of images: an image argument is lowered into a scratch
    /// module and lifted as the import function's value, and its record result goes into
    /// the result image the same way.
    fn call_import_images(
        &mut self,
        slot: u32,
        args: &[IValue],
        images: ImageCall<'_>,
        results: &mut Vec<IValue>,
    ) -> Result<(), HostError> {
        let ty = self.import_types[slot as usize].clone();
        let record = |ty: Option<&IType>| match ty {
            Some(IType::Record(id)) => Ok(*id),
            _ => Err(HostError::from("not a record")),
        };
        let mut values = args.to_vec();
        if let Some(image) = images.arg {
            let id = record(ty.params.first().map(|p| &p.ty))?;
            let mut scratch = Sdk::new(1 << 16);
            let layout = self.records.get(id).ok_or("no layout")?;
            let ptr = lower_record_image(&mut scratch, layout, image)?;
            let fields = lift_record(
                &scratch.memory,
                id,
                ptr,
                &self.records,
                &mut LiftBudget::default(),
            )?;
            values.push(IValue::Record(fields));
        }
        let mut out = Vec::new();
        self.call_import(slot, &values, &mut out)?;
        match (images.result, out.as_slice()) {
            (Some(image), [IValue::Record(fields)]) => {
                let id = record(ty.results.first())?;
                let mut scratch = Sdk::new(1 << 16);
                let ptr = lower_record(&mut scratch, id, fields, &self.records)?;
                let layout = self.records.get(id).ok_or("no layout")?;
                let budget = &mut LiftBudget::default();
                lift_record_image(&scratch.memory, layout, ptr, budget, image)?;
            }
            _ => results.extend(out),
        }
        Ok(())
    }

    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        Ok(&mut self.sdk.memory)
    }

    fn inputs_are_typed(&self) -> bool {
        self.typed
    }

    fn import_results_are_typed(&self) -> bool {
        self.typed
    }
}

/// Runs `program` of `module` once.
pub(crate) fn run(
    module: &CompiledModule,
    program: &strait_it::adapter::Program,
    inputs: &[IValue],
    host: &mut TestHost,
) -> Result<Vec<IValue>, InstructionError> {
    let mut results = Vec::new();
    Interpreter::new().run(module, program, inputs, host, &mut results)?;
    Ok(results)
}

/// Runs the export named `name`.
pub(crate) fn call(
    module: &CompiledModule,
    name: &str,
    inputs: &[IValue],
    host: &mut TestHost,
) -> Result<Vec<IValue>, InstructionError> {
    let export = module.export(name).expect("export exists");
    run(module, &export.program, inputs, host)
}

// ---------------------------------------------------------------------------------------
// Sections

pub(crate) fn func(params: &[(&str, IType)], results: &[IType]) -> FunctionType {
    FunctionType {
        params: params
            .iter()
            .map(|(name, ty)| FunctionArg {
                name: (*name).into(),
                ty: ty.clone(),
            })
            .collect(),
        results: results.to_vec(),
    }
}

pub(crate) fn sig(params: &[CoreType], results: &[CoreType]) -> CoreSignature {
    CoreSignature::new(params.iter().copied(), results.iter().copied())
}

/// Builds sections the way the toolchain lays them out (§5.1).
#[derive(Clone)]
pub(crate) struct ModuleBuilder {
    pub(crate) section: Section,
    pub(crate) signatures: Vec<(String, CoreSignature)>,
}

impl Default for ModuleBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ModuleBuilder {
    /// Types 0..5 and exports 0..5: the ABI functions.
    pub(crate) fn new() -> Self {
        use CoreType::I32;
        let i32 = IType::I32;
        let abi: [(&str, FunctionType, CoreSignature); 6] = [
            (
                "allocate",
                func(&[("size", i32.clone())], std::slice::from_ref(&i32)),
                sig(&[I32, I32], &[I32]),
            ),
            ("release_objects", func(&[], &[]), sig(&[], &[])),
            (
                "get_result_size",
                func(&[], std::slice::from_ref(&i32)),
                sig(&[], &[I32]),
            ),
            (
                "get_result_ptr",
                func(&[], std::slice::from_ref(&i32)),
                sig(&[], &[I32]),
            ),
            (
                "set_result_size",
                func(&[("result_size", i32.clone())], &[]),
                sig(&[I32], &[]),
            ),
            (
                "set_result_ptr",
                func(&[("result_ptr", i32)], &[]),
                sig(&[I32], &[]),
            ),
        ];
        let mut section = Section {
            version: "0.27.0".into(),
            ..Section::default()
        };
        let mut signatures = Vec::new();
        for (index, (name, ty, signature)) in abi.into_iter().enumerate() {
            section.types.push(TypeEntry::Function(ty));
            section.exports.push(Export {
                name: name.into(),
                function_type: u32_of(index),
            });
            signatures.push((name.into(), signature));
        }
        Self {
            section,
            signatures,
        }
    }

    pub(crate) fn record(&mut self, name: &str, fields: &[(&str, IType)]) -> u32 {
        self.section.types.push(TypeEntry::Record(RecordType {
            name: name.into(),
            fields: fields
                .iter()
                .map(|(name, ty)| RecordField {
                    name: (*name).into(),
                    ty: ty.clone(),
                })
                .collect(),
        }));
        u32_of(self.section.types.len()) - 1
    }

    /// An exported function: adapter type n−2, core type n−1, export → n−1. Returns the
    /// adapter type.
    pub(crate) fn export(
        &mut self,
        name: &str,
        ty: FunctionType,
        core: CoreSignature,
        instructions: &str,
    ) -> u32 {
        let adapter = u32_of(self.section.types.len());
        self.section.types.push(TypeEntry::Function(ty.clone()));
        self.section.types.push(TypeEntry::Function(ty));
        self.section.exports.push(Export {
            name: name.into(),
            function_type: adapter + 1,
        });
        self.section.adapters.push(Adapter {
            function_type: adapter,
            instructions: instructions_of(instructions),
        });
        self.section.implementations.push(Implementation {
            core_function_type: adapter + 1,
            adapter_function_type: adapter,
        });
        self.signatures.push((name.into(), core));
        adapter
    }

    /// An imported function: IT-level type n−3, raw adapter type n−2, raw core type n−1,
    /// imports → n−3 and → n−1. Returns the adapter type.
    pub(crate) fn import(
        &mut self,
        namespace: &str,
        name: &str,
        it: FunctionType,
        raw: FunctionType,
        instructions: &str,
    ) -> u32 {
        let it_index = u32_of(self.section.types.len());
        self.section.types.push(TypeEntry::Function(it));
        self.section.types.push(TypeEntry::Function(raw.clone()));
        self.section.types.push(TypeEntry::Function(raw));
        for function_type in [it_index, it_index + 2] {
            self.section.imports.push(Import {
                namespace: namespace.into(),
                name: name.into(),
                function_type,
            });
        }
        self.section.adapters.push(Adapter {
            function_type: it_index + 1,
            instructions: instructions_of(instructions),
        });
        self.section.implementations.push(Implementation {
            core_function_type: it_index + 2,
            adapter_function_type: it_index + 1,
        });
        it_index + 1
    }

    pub(crate) fn compile(&self) -> Result<CompiledModule, CompileError> {
        strait_it::adapter::compile(&self.section, self.signatures.as_slice())
    }
}

pub(crate) fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap()
}

pub(crate) fn s(text: &str) -> IValue {
    IValue::String(text.into())
}

pub(crate) fn bytes(b: &[u8]) -> IValue {
    IValue::ByteArray(b.to_vec())
}

/// The module side as a lowering target for the public lift/lower functions.
impl strait_it::memory::LowerTarget for Sdk {
    fn allocate(&mut self, size: u32, tag: u32) -> Result<u32, strait_it::memory::LowerError> {
        let ptr = match &mut self.allocate_hook {
            Some(hook) => hook(size, tag),
            None => self.alloc(size),
        };
        self.log.push(format!("allocate({size}, {tag}) -> {ptr}"));
        Ok(ptr)
    }

    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        Ok(&mut self.memory)
    }
}

/// A record table from record types alone (ids are their positions).
pub(crate) fn records(types: &[(&str, &[(&str, IType)])]) -> RecordTable {
    let entries: Vec<TypeEntry> = types
        .iter()
        .map(|(name, fields)| {
            TypeEntry::Record(RecordType {
                name: (*name).into(),
                fields: fields
                    .iter()
                    .map(|(name, ty)| RecordField {
                        name: (*name).into(),
                        ty: ty.clone(),
                    })
                    .collect(),
            })
        })
        .collect();
    RecordTable::new(&entries).unwrap()
}

/// The function exports of a wasm module with their signatures.
pub(crate) fn wasm_exports(wasm: &[u8]) -> Vec<(String, CoreSignature)> {
    use wasmparser::{ExternalKind, Parser, Payload, TypeRef, ValType};
    let core = |ty: &ValType| match ty {
        ValType::I32 => CoreType::I32,
        ValType::I64 => CoreType::I64,
        ValType::F32 => CoreType::F32,
        ValType::F64 => CoreType::F64,
        other => panic!("unexpected wasm type {other:?}"),
    };
    let mut types = Vec::new();
    let mut functions = Vec::new();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty.unwrap();
                    types.push(CoreSignature::new(
                        ty.params().iter().map(core),
                        ty.results().iter().map(core),
                    ));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let TypeRef::Func(ty) | TypeRef::FuncExact(ty) = import.unwrap().ty {
                        functions.push(ty);
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    functions.push(ty.unwrap());
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.unwrap();
                    if export.kind == ExternalKind::Func {
                        exports.push((export.name.to_owned(), export.index));
                    }
                }
            }
            _ => {}
        }
    }
    exports
        .into_iter()
        .map(|(name, index)| {
            let ty = functions[index as usize] as usize;
            (name, types[ty].clone())
        })
        .collect()
}

/// A module side that allocates without logging: the SDK's own allocations.
pub(crate) struct Internal<'a>(pub(crate) &'a mut Sdk);

impl strait_it::memory::LowerTarget for Internal<'_> {
    fn allocate(&mut self, size: u32, _tag: u32) -> Result<u32, strait_it::memory::LowerError> {
        Ok(self.0.alloc(size))
    }

    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        Ok(&mut self.0.memory)
    }
}

/// An instruction list in the text format (`arg.get 0 string.size`), parsed by strait-it.
pub(crate) fn instructions_of(text: &str) -> Vec<Instruction> {
    strait_it::text::parse_instructions(text)
        .unwrap_or_else(|error| panic!("instructions `{text}`: {error}"))
}

// ---------------------------------------------------------------------------------------
// Binary sections and the table

/// A string as the format writes it: one length byte, then the bytes.
pub(crate) fn string_bytes(text: &str) -> Vec<u8> {
    let mut out = vec![u8::try_from(text.len()).unwrap()];
    out.extend_from_slice(text.as_bytes());
    out
}

pub(crate) fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `05 06 "0.28.0"`
pub(crate) fn version() -> Vec<u8> {
    cat(&[&[0x05], &string_bytes("0.28.0")])
}

/// The 236-byte section of §2.4.
pub(crate) fn annotated_example() -> Vec<u8> {
    cat(&[
        &version(),
        &[0x00, 0x09],
        &cat(&[&[0x00, 0x01], &string_bytes("size"), &[0x0c, 0x01, 0x0c]]),
        &[0x00, 0x00, 0x00],
        &[0x00, 0x00, 0x01, 0x0c],
        &[0x00, 0x00, 0x01, 0x0c],
        &cat(&[&[0x00, 0x01], &string_bytes("result_size"), &[0x0c, 0x00]]),
        &cat(&[&[0x00, 0x01], &string_bytes("result_ptr"), &[0x0c, 0x00]]),
        &cat(&[
            &[0x01],
            &string_bytes("Rec"),
            &[0x02],
            &string_bytes("a"),
            &[0x0b],
            &string_bytes("b"),
            &[0x36, 0x0a],
        ]),
        &cat(&[
            &[0x00, 0x02],
            &string_bytes("name"),
            &[0x0a],
            &string_bytes("r"),
            &[0x0e, 0x06, 0x01, 0x3c],
        ]),
        &cat(&[
            &[0x00, 0x02],
            &string_bytes("name"),
            &[0x0a],
            &string_bytes("r"),
            &[0x0e, 0x06, 0x01, 0x3c],
        ]),
        &[0x02, 0x01, 0x07, 0x0d],
        &[0x00, 0x00, 0x24, 0x40, 0x01, 0x01, 0x00, 0x00, 0x00, 0x23],
        &[0x00, 0x01, 0x3b, 0x06],
        &[0x01, 0x06],
        &[0x01, 0x03, 0x01, 0x02, 0x43],
        &[0x01, 0x01],
        &[0x03, 0x07],
        &cat(&[
            &string_bytes("allocate"),
            &[0x00],
            &string_bytes("release_objects"),
            &[0x01],
        ]),
        &cat(&[
            &string_bytes("get_result_size"),
            &[0x02],
            &string_bytes("get_result_ptr"),
            &[0x03],
        ]),
        &cat(&[
            &string_bytes("set_result_size"),
            &[0x04],
            &string_bytes("set_result_ptr"),
            &[0x05],
        ]),
        &cat(&[&string_bytes("greet"), &[0x08]]),
        &[0x04, 0x01, 0x08, 0x07],
    ])
}

/// [`func`] as an entry of the type list.
pub(crate) fn func_entry(params: &[(&str, IType)], results: &[IType]) -> TypeEntry {
    TypeEntry::Function(func(params, results))
}

pub(crate) fn export(name: &str, function_type: u32) -> Export {
    Export {
        name: name.into(),
        function_type,
    }
}

pub(crate) fn annotated_model() -> Section {
    let greet = func_entry(
        &[("name", IType::String), ("r", IType::Record(6))],
        &[IType::ByteArray],
    );
    use Instruction::*;
    Section {
        version: "0.28.0".into(),
        types: vec![
            func_entry(&[("size", IType::I32)], &[IType::I32]),
            func_entry(&[], &[]),
            func_entry(&[], &[IType::I32]),
            func_entry(&[], &[IType::I32]),
            func_entry(&[("result_size", IType::I32)], &[]),
            func_entry(&[("result_ptr", IType::I32)], &[]),
            TypeEntry::Record(RecordType {
                name: "Rec".into(),
                fields: vec![
                    RecordField {
                        name: "a".into(),
                        ty: IType::Boolean,
                    },
                    RecordField {
                        name: "b".into(),
                        ty: IType::Array(Box::new(IType::String)),
                    },
                ],
            }),
            greet.clone(),
            greet,
        ],
        imports: vec![],
        adapters: vec![Adapter {
            function_type: 7,
            instructions: vec![
                ArgGet { index: 0 },
                StringSize,
                I32Push { value: 1 },
                CallCore { function_index: 0 },
                ArgGet { index: 0 },
                StringLowerMemory,
                ArgGet { index: 1 },
                RecordLowerMemory { record_type_id: 6 },
                CallCore { function_index: 6 },
                CallCore { function_index: 3 },
                CallCore { function_index: 2 },
                ByteArrayLiftMemory,
                CallCore { function_index: 1 },
            ],
        }],
        exports: vec![
            export("allocate", 0),
            export("release_objects", 1),
            export("get_result_size", 2),
            export("get_result_ptr", 3),
            export("set_result_size", 4),
            export("set_result_ptr", 5),
            export("greet", 8),
        ],
        implementations: vec![Implementation {
            core_function_type: 8,
            adapter_function_type: 7,
        }],
    }
}

/// Immediate values to build an instruction from: each immediate takes the value of its kind.
#[derive(Debug, Clone)]
pub(crate) struct Immediates {
    /// For `U32` immediates.
    pub(crate) u32: u32,
    /// For `I32` immediates.
    pub(crate) i32: i32,
    /// For `I64` immediates.
    pub(crate) i64: i64,
    /// For `IType` immediates.
    pub(crate) itype: IType,
}

macro_rules! immediate_value {
    ($immediates:ident, U32) => {
        $immediates.u32
    };
    ($immediates:ident, I32) => {
        $immediates.i32
    };
    ($immediates:ident, I64) => {
        $immediates.i64
    };
    ($immediates:ident, IType) => {
        $immediates.itype.clone()
    };
}

macro_rules! define_instruction_with {
    ($(
        $opcode:literal $variant:ident $({ $($field:ident : $kind:ident),* })?
        $text:literal => $sem:ident $(($($sem_args:tt)*))?
    )*) => {
        /// The instruction of the table with this opcode, its immediates taken from
        /// `immediates`; `None` for an unassigned opcode.
        pub(crate) fn instruction_with(opcode: u8, immediates: &Immediates) -> Option<Instruction> {
            let _ = immediates;
            match opcode {
                $(
                    $opcode => Some(Instruction::$variant $({ $(
                        $field: immediate_value!(immediates, $kind)
                    ),* })?),
                )*
                _ => None,
            }
        }
    };
}

strait_it::for_each_instruction!(define_instruction_with);
