//! Test support of the adapter and memory tests: an in-memory module (memory, bump
//! allocator, result slots, a call log) behind [`AdapterHost`], a builder for small sections
//! and a parser for instruction lists written as text.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use strait_it::adapter::{
    AdapterHost, CompileError, CompiledModule, CoreSignature, CoreType, InstructionError,
    Interpreter,
};
use strait_it::memory::HostError;
use strait_it::{
    Adapter, Export, FunctionArg, FunctionType, IType, IValue, Implementation, Import, Instruction,
    RecordField, RecordType, Section, TypeEntry,
};

/// A user function of the fake module: gets the module side and the core arguments.
pub type Function = Box<dyn FnMut(&mut Sdk, &[IValue]) -> Result<Vec<IValue>, HostError>>;

/// The module side, as marine-rs-sdk would keep it: memory, allocator, result slots.
pub struct Sdk {
    pub memory: Vec<u8>,
    /// Next offset the bump allocator hands out: 16, 24, 32, … (8-aligned, like the spec's
    /// traces).
    pub next: u32,
    pub result_ptr: i32,
    pub result_size: i32,
    /// Every core call, in order: `name(args) -> results`.
    pub log: Vec<String>,
    /// Replaces the bump allocator (hostile tests).
    pub allocate_hook: Option<Box<dyn FnMut(u32, u32) -> u32>>,
}

impl Sdk {
    pub fn new(memory_size: usize) -> Self {
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
    pub fn alloc(&mut self, size: u32) -> u32 {
        let ptr = self.next;
        self.next = (ptr + size.max(1)).next_multiple_of(8);
        ptr
    }

    pub fn write(&mut self, ptr: u32, bytes: &[u8]) {
        self.memory[ptr as usize..ptr as usize + bytes.len()].copy_from_slice(bytes);
    }

    pub fn read(&self, ptr: u32, len: u32) -> &[u8] {
        &self.memory[ptr as usize..(ptr + len) as usize]
    }

    /// Stores a string the way an export returns one: into the result slots.
    pub fn return_bytes(&mut self, bytes: &[u8]) {
        let ptr = self.alloc(u32_of(bytes.len()));
        self.write(ptr, bytes);
        self.result_ptr = ptr.cast_signed();
        self.result_size = u32_of(bytes.len()).cast_signed();
    }
}

pub struct TestHost {
    pub sdk: Sdk,
    names: Vec<String>,
    functions: BTreeMap<String, Function>,
    imports: Vec<(String, Function)>,
}

impl TestHost {
    /// A host for `module` with `memory_size` bytes of memory.
    pub fn new(module: &CompiledModule, memory_size: usize) -> Self {
        Self {
            sdk: Sdk::new(memory_size),
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
    pub fn function(
        mut self,
        name: &str,
        f: impl FnMut(&mut Sdk, &[IValue]) -> Result<Vec<IValue>, HostError> + 'static,
    ) -> Self {
        self.functions.insert(name.into(), Box::new(f));
        self
    }

    /// Provides adapted import `slot` (it receives IT values).
    pub fn import(
        mut self,
        slot: usize,
        f: impl FnMut(&mut Sdk, &[IValue]) -> Result<Vec<IValue>, HostError> + 'static,
    ) -> Self {
        self.imports[slot].1 = Box::new(f);
        self
    }

    pub fn log(&self) -> Vec<&str> {
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
        let out = match (name.as_str(), args) {
            ("allocate", [IValue::I32(size), IValue::I32(tag)]) => {
                let (size, tag) = (*size as u32, *tag as u32);
                let ptr = match &mut sdk.allocate_hook {
                    Some(hook) => hook(size, tag),
                    None => sdk.alloc(size),
                };
                vec![IValue::I32(ptr as i32)]
            }
            ("release_objects", []) => vec![],
            ("get_result_ptr", []) => vec![IValue::I32(sdk.result_ptr)],
            ("get_result_size", []) => vec![IValue::I32(sdk.result_size)],
            ("set_result_ptr", [IValue::I32(v)]) => {
                sdk.result_ptr = *v;
                vec![]
            }
            ("set_result_size", [IValue::I32(v)]) => {
                sdk.result_size = *v;
                vec![]
            }
            _ => match self.functions.get_mut(&name) {
                Some(f) => f(sdk, args)?,
                None => return Err(format!("no test function `{name}`").into()),
            },
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

    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        Ok(&mut self.sdk.memory)
    }
}

/// Runs `program` of `module` once.
pub fn run(
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
pub fn call(
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

pub fn func(params: &[(&str, IType)], results: &[IType]) -> FunctionType {
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

pub fn sig(params: &[CoreType], results: &[CoreType]) -> CoreSignature {
    CoreSignature::new(params.iter().copied(), results.iter().copied())
}

/// Builds sections the way the toolchain lays them out (§5.1).
#[derive(Clone)]
pub struct ModuleBuilder {
    pub section: Section,
    pub signatures: Vec<(String, CoreSignature)>,
}

impl Default for ModuleBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ModuleBuilder {
    /// Types 0..5 and exports 0..5: the ABI functions.
    pub fn new() -> Self {
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

    pub fn record(&mut self, name: &str, fields: &[(&str, IType)]) -> u32 {
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
    pub fn export(
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
            instructions: parse_instructions(instructions),
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
    pub fn import(
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
            instructions: parse_instructions(instructions),
        });
        self.section.implementations.push(Implementation {
            core_function_type: it_index + 2,
            adapter_function_type: it_index + 1,
        });
        it_index + 1
    }

    pub fn compile(&self) -> Result<CompiledModule, CompileError> {
        strait_it::adapter::compile(&self.section, self.signatures.as_slice())
    }
}

// ---------------------------------------------------------------------------------------
// Instruction lists as text: `arg.get 0; string.size; array.lift_memory array (u8)`.

pub fn parse_instructions(text: &str) -> Vec<Instruction> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_instruction)
        .collect()
}

fn parse_instruction(text: &str) -> Instruction {
    let (name, rest) = text.split_once(' ').unwrap_or((text, ""));
    let rest = rest.trim();
    let u32_arg = || {
        rest.parse::<u32>()
            .unwrap_or_else(|_| panic!("bad immediate in `{text}`"))
    };
    use Instruction as I;
    let simple = [
        I::S8FromI32,
        I::S8FromI64,
        I::S16FromI32,
        I::S16FromI64,
        I::S32FromI32,
        I::S32FromI64,
        I::S64FromI32,
        I::S64FromI64,
        I::I32FromS8,
        I::I32FromS16,
        I::I32FromS32,
        I::I32FromS64,
        I::I64FromS8,
        I::I64FromS16,
        I::I64FromS32,
        I::I64FromS64,
        I::U8FromI32,
        I::U8FromI64,
        I::U16FromI32,
        I::U16FromI64,
        I::U32FromI32,
        I::U32FromI64,
        I::U64FromI32,
        I::U64FromI64,
        I::I32FromU8,
        I::I32FromU16,
        I::I32FromU32,
        I::I32FromU64,
        I::I64FromU8,
        I::I64FromU16,
        I::I64FromU32,
        I::I64FromU64,
        I::StringLiftMemory,
        I::StringLowerMemory,
        I::StringSize,
        I::Dup,
        I::Swap2,
        I::BoolFromI32,
        I::I32FromBool,
        I::ByteArrayLiftMemory,
        I::ByteArrayLowerMemory,
        I::ByteArraySize,
    ];
    if let Some(found) = simple.iter().find(|i| i.name() == name) {
        return found.clone();
    }
    match name {
        "arg.get" => I::ArgGet { index: u32_arg() },
        "call-core" => I::CallCore {
            function_index: u32_arg(),
        },
        "i32.push" => I::I32Push {
            value: rest.parse().unwrap(),
        },
        "i64.push" => I::I64Push {
            value: rest.parse().unwrap(),
        },
        "record.lift_memory" => I::RecordLiftMemory {
            record_type_id: u32_arg(),
        },
        "record.lower_memory" => I::RecordLowerMemory {
            record_type_id: u32_arg(),
        },
        "array.lift_memory" => I::ArrayLiftMemory {
            value_type: parse_type(rest),
        },
        "array.lower_memory" => I::ArrayLowerMemory {
            value_type: parse_type(rest),
        },
        _ => panic!("unknown instruction `{text}`"),
    }
}

pub fn parse_type(text: &str) -> IType {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("array") {
        let inner = inner.trim();
        let inner = inner
            .strip_prefix('(')
            .and_then(|s| s.strip_suffix(')'))
            .unwrap_or_else(|| panic!("bad array type `{text}`"));
        return IType::Array(Box::new(parse_type(inner)));
    }
    if let Some(id) = text.strip_prefix("record ") {
        return IType::Record(id.trim().parse().unwrap());
    }
    match text {
        "boolean" | "bool" => IType::Boolean,
        "s8" => IType::S8,
        "s16" => IType::S16,
        "s32" => IType::S32,
        "s64" => IType::S64,
        "u8" => IType::U8,
        "u16" => IType::U16,
        "u32" => IType::U32,
        "u64" => IType::U64,
        "f32" => IType::F32,
        "f64" => IType::F64,
        "string" => IType::String,
        "byte_array" => IType::ByteArray,
        "i32" => IType::I32,
        "i64" => IType::I64,
        _ => panic!("unknown type `{text}`"),
    }
}

pub fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap()
}

pub fn s(text: &str) -> IValue {
    IValue::String(text.into())
}

pub fn bytes(b: &[u8]) -> IValue {
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
pub fn records(types: &[(&str, &[(&str, IType)])]) -> strait_it::memory::RecordTable {
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
    strait_it::memory::RecordTable::new(&entries).unwrap()
}

/// The function exports of a wasm module with their signatures.
pub fn wasm_exports(wasm: &[u8]) -> Vec<(String, CoreSignature)> {
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
pub struct Internal<'a>(pub &'a mut Sdk);

impl strait_it::memory::LowerTarget for Internal<'_> {
    fn allocate(&mut self, size: u32, _tag: u32) -> Result<u32, strait_it::memory::LowerError> {
        Ok(self.0.alloc(size))
    }

    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        Ok(&mut self.0.memory)
    }
}
