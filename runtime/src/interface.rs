//! The interface of a service as Marine lists it (`spec/service.md` §12): the records reachable
//! from exported signatures and the exported functions of every module.
//!
//! [`ServiceInterface`] is plain data built from each module's exported functions and type list.
//! Its `Display` is the text `mrepl interface` prints and its `Serialize` gives the JSON form of
//! Marine's `MarineInterface`. Unlike Marine, every listing is in a fixed order (D39): modules,
//! functions and records sorted by name.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use strait_it::{FunctionArg, FunctionType, IType, RecordType, TypeEntry};

use crate::json::RecordLookup;

/// The ABI exports every module has (`spec/abi.md` §2); they are not part of its interface.
const ABI_EXPORTS: [&str; 6] = [
    "allocate",
    "release_objects",
    "get_result_size",
    "get_result_ptr",
    "set_result_size",
    "set_result_ptr",
];

/// What the interface of one module is built from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleInput {
    /// The module's service name.
    pub name: String,
    /// The exported functions and their IT types. The six ABI exports may be included: they
    /// are left out of the interface.
    pub functions: Vec<(String, FunctionType)>,
    /// The module's IT type list, in which record ids are indices.
    pub types: Vec<TypeEntry>,
}

/// One exported function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSignature {
    /// The function name.
    pub name: String,
    /// The named parameters.
    pub arguments: Vec<FunctionArg>,
    /// The result types (at most one in toolchain-built modules).
    pub outputs: Vec<IType>,
}

/// The interface of one module: its exported functions, sorted by name, and the record types
/// they reach, by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleInterface {
    /// Exported functions, sorted by name.
    pub function_signatures: Vec<FunctionSignature>,
    /// The records reachable from those signatures (through arrays and record fields), by id.
    pub record_types: BTreeMap<u64, RecordType>,
}

impl ModuleInterface {
    /// The interface of a module exporting `functions`, whose record ids `records` resolves.
    ///
    /// The six ABI exports are left out. Record ids that `records` does not know are left out
    /// of `record_types` (and rendered as `record N`).
    pub fn new(
        functions: impl IntoIterator<Item = (String, FunctionType)>,
        records: &dyn RecordLookup,
    ) -> Self {
        let mut function_signatures: Vec<FunctionSignature> = functions
            .into_iter()
            .filter(|(name, _)| !ABI_EXPORTS.contains(&name.as_str()))
            .map(|(name, ty)| FunctionSignature {
                name,
                arguments: ty.params,
                outputs: ty.results,
            })
            .collect();
        function_signatures.sort_by(|a, b| a.name.cmp(&b.name));

        let mut record_types = BTreeMap::new();
        let mut pending: Vec<IType> = function_signatures
            .iter()
            .flat_map(|f| f.arguments.iter().map(|a| &a.ty).chain(&f.outputs))
            .cloned()
            .collect();
        // Each record is taken once, when first reached, so self-references terminate.
        while let Some(ty) = pending.pop() {
            match ty {
                IType::Array(element) => pending.push(*element),
                IType::Record(id) if !record_types.contains_key(&id) => {
                    if let Some(record) = records.record(id) {
                        pending.extend(record.fields.iter().map(|f| f.ty.clone()));
                        record_types.insert(id, record.clone());
                    }
                }
                _ => {}
            }
        }
        Self {
            function_signatures,
            record_types,
        }
    }

    fn record_name(&self, id: u64) -> Option<&str> {
        self.record_types.get(&id).map(|r| r.name.as_str())
    }
}

/// The interface of a whole service.
///
/// `Display` renders Marine's text listing; `Serialize` gives
/// `{"modules": {"<module>": {"function_signatures": [...], "record_types": {"<id>": ...}}}}`
/// with types in IType's externally tagged serde form (`"S32"`, `{"Array": "U8"}`,
/// `{"Record": 6}`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceInterface {
    /// Each module's interface, by module name.
    pub modules: BTreeMap<String, ModuleInterface>,
}

impl ServiceInterface {
    /// The interface of a service made of `modules`.
    pub fn new(modules: impl IntoIterator<Item = ModuleInput>) -> Self {
        let modules = modules
            .into_iter()
            .map(|module| {
                let interface = ModuleInterface::new(module.functions, &module.types);
                (module.name, interface)
            })
            .collect();
        Self { modules }
    }
}

impl fmt::Display for ServiceInterface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "exported data types (combined from all modules):")?;
        // Records are combined over modules: one entry per distinct rendering, since ids differ
        // between modules while the same record is usually defined in several of them.
        let mut blocks = BTreeSet::new();
        for module in self.modules.values() {
            let names = |id: u64| module.record_name(id);
            for record in module.record_types.values() {
                let mut block = String::new();
                fmt::write(&mut block, format_args!("data {}:\n", record.name))?;
                for field in &record.fields {
                    fmt::write(
                        &mut block,
                        format_args!("  {}: {}\n", field.name, field.ty.listing(&names)),
                    )?;
                }
                blocks.insert((record.name.as_str(), block));
            }
        }
        if blocks.is_empty() {
            writeln!(f, "<no exported data types>")?;
        }
        for (_, block) in &blocks {
            f.write_str(block)?;
        }
        writeln!(f)?;

        writeln!(f, "exported functions:")?;
        for (name, module) in &self.modules {
            writeln!(f, "{name}:")?;
            if module.function_signatures.is_empty() {
                writeln!(f, "<no exported functions>")?;
                continue;
            }
            let names = |id: u64| module.record_name(id);
            for function in &module.function_signatures {
                write!(f, "  func {}(", function.name)?;
                for (i, arg) in function.arguments.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {}", arg.name, arg.ty.listing(&names))?;
                }
                f.write_str(")")?;
                match function.outputs.as_slice() {
                    [] => {}
                    [output] => write!(f, " -> {}", output.listing(&names))?,
                    // Marine cannot list these (it hits `unimplemented!()`); a tuple is clear.
                    outputs => {
                        f.write_str(" -> (")?;
                        for (i, output) in outputs.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            write!(f, "{}", output.listing(&names))?;
                        }
                        f.write_str(")")?;
                    }
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

/// An [`IType`] in its serde form: externally tagged, as Marine's `IType` derives it.
struct SerIType<'a>(&'a IType);

impl Serialize for SerIType<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const NAME: &str = "IType";
        let unit = |index: u32, variant: &'static str| (index, variant);
        let (index, variant) = match self.0 {
            IType::Boolean => unit(0, "Boolean"),
            IType::S8 => unit(1, "S8"),
            IType::S16 => unit(2, "S16"),
            IType::S32 => unit(3, "S32"),
            IType::S64 => unit(4, "S64"),
            IType::U8 => unit(5, "U8"),
            IType::U16 => unit(6, "U16"),
            IType::U32 => unit(7, "U32"),
            IType::U64 => unit(8, "U64"),
            IType::F32 => unit(9, "F32"),
            IType::F64 => unit(10, "F64"),
            IType::String => unit(11, "String"),
            IType::ByteArray => unit(12, "ByteArray"),
            IType::Array(element) => {
                return serializer.serialize_newtype_variant(NAME, 13, "Array", &SerIType(element));
            }
            IType::I32 => unit(14, "I32"),
            IType::I64 => unit(15, "I64"),
            IType::Record(id) => {
                return serializer.serialize_newtype_variant(NAME, 16, "Record", id);
            }
        };
        serializer.serialize_unit_variant(NAME, index, variant)
    }
}

/// A named, typed entry: a function argument or a record field (`{"name", "ty"}`).
struct SerNamed<'a> {
    name: &'a str,
    ty: &'a IType,
}

impl Serialize for SerNamed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entry = serializer.serialize_struct("IFunctionArg", 2)?;
        entry.serialize_field("name", self.name)?;
        entry.serialize_field("ty", &SerIType(self.ty))?;
        entry.end()
    }
}

/// A sequence serialized from an iterator that can be restarted.
struct SerSeq<F>(F);

impl<F, I, T> Serialize for SerSeq<F>
where
    F: Fn() -> I,
    I: ExactSizeIterator<Item = T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = (self.0)();
        let mut seq = serializer.serialize_seq(Some(items.len()))?;
        for item in items {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

struct SerRecord<'a>(&'a RecordType);

impl Serialize for SerRecord<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut record = serializer.serialize_struct("IRecordType", 2)?;
        record.serialize_field("name", &self.0.name)?;
        record.serialize_field(
            "fields",
            &SerSeq(|| {
                self.0.fields.iter().map(|field| SerNamed {
                    name: &field.name,
                    ty: &field.ty,
                })
            }),
        )?;
        record.end()
    }
}

impl Serialize for FunctionSignature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut function = serializer.serialize_struct("MarineFunctionSignature", 3)?;
        function.serialize_field("name", &self.name)?;
        function.serialize_field(
            "arguments",
            &SerSeq(|| {
                self.arguments.iter().map(|arg| SerNamed {
                    name: &arg.name,
                    ty: &arg.ty,
                })
            }),
        )?;
        function.serialize_field("outputs", &SerSeq(|| self.outputs.iter().map(SerIType)))?;
        function.end()
    }
}

struct SerRecords<'a>(&'a BTreeMap<u64, RecordType>);

impl Serialize for SerRecords<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, record) in self.0 {
            map.serialize_entry(id, &SerRecord(record))?;
        }
        map.end()
    }
}

impl Serialize for ModuleInterface {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut module = serializer.serialize_struct("MarineModuleInterface", 2)?;
        module.serialize_field("function_signatures", &self.function_signatures)?;
        module.serialize_field("record_types", &SerRecords(&self.record_types))?;
        module.end()
    }
}

impl Serialize for ServiceInterface {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut service = serializer.serialize_struct("MarineInterface", 1)?;
        service.serialize_field("modules", &self.modules)?;
        service.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::string::ToString;
    use alloc::vec;
    use strait_it::RecordField;

    fn func(params: &[(&str, IType)], results: &[IType]) -> FunctionType {
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

    fn record(name: &str, fields: &[(&str, IType)]) -> TypeEntry {
        TypeEntry::Record(RecordType {
            name: name.into(),
            fields: fields
                .iter()
                .map(|(name, ty)| RecordField {
                    name: (*name).into(),
                    ty: ty.clone(),
                })
                .collect(),
        })
    }

    fn array(ty: IType) -> IType {
        IType::Array(Box::new(ty))
    }

    /// The ABI functions every module exports, as the first six entries of its type list.
    fn abi_types() -> Vec<TypeEntry> {
        vec![
            TypeEntry::Function(func(&[("size", IType::I32)], &[IType::I32])),
            TypeEntry::Function(func(&[], &[])),
            TypeEntry::Function(func(&[], &[IType::I32])),
            TypeEntry::Function(func(&[], &[IType::I32])),
            TypeEntry::Function(func(&[("result_size", IType::I32)], &[])),
            TypeEntry::Function(func(&[("result_ptr", IType::I32)], &[])),
        ]
    }

    fn abi_exports(types: &[TypeEntry]) -> Vec<(String, FunctionType)> {
        ABI_EXPORTS
            .iter()
            .zip(types)
            .map(|(name, entry)| match entry {
                TypeEntry::Function(ty) => (name.to_string(), ty.clone()),
                TypeEntry::Record(_) => unreachable!(),
            })
            .collect()
    }

    /// The SDK's records every module carries, reachable or not (ids 7–10 in
    /// `greeting-record.it.txt`).
    fn sdk_records() -> Vec<TypeEntry> {
        vec![
            record(
                "SecurityTetraplet",
                &[
                    ("peer_pk", IType::String),
                    ("service_id", IType::String),
                    ("function_name", IType::String),
                    ("json_path", IType::String),
                ],
            ),
            record(
                "CallParameters",
                &[
                    ("init_peer_id", IType::String),
                    ("service_id", IType::String),
                    ("service_creator_peer_id", IType::String),
                    ("host_id", IType::String),
                    ("worker_id", IType::String),
                    ("particle_id", IType::String),
                    ("tetraplets", array(array(IType::Record(7)))),
                ],
            ),
            record(
                "MountedBinaryResult",
                &[
                    ("ret_code", IType::S32),
                    ("error", IType::String),
                    ("stdout", IType::ByteArray),
                    ("stderr", IType::ByteArray),
                ],
            ),
            record(
                "MountedBinaryStringResult",
                &[
                    ("ret_code", IType::S32),
                    ("error", IType::String),
                    ("stdout", IType::String),
                    ("stderr", IType::String),
                ],
            ),
        ]
    }

    /// `greeting-record.wasm`, from `greeting-record.it.txt`.
    fn greeting_record() -> ModuleInput {
        let mut types = abi_types();
        types.push(record(
            "GreetingRecord",
            &[("str", IType::String), ("num", IType::S32)],
        ));
        types.extend(sdk_records());
        let mut functions = abi_exports(&types);
        functions.push(("greeting_record".into(), func(&[], &[IType::Record(6)])));
        for name in [
            "log_info",
            "log_warn",
            "log_error",
            "log_debug",
            "log_trace",
            "void_fn",
        ] {
            functions.push((name.into(), func(&[], &[])));
        }
        ModuleInput {
            name: "greeting-record".into(),
            functions,
            types,
        }
    }

    fn test_record() -> TypeEntry {
        let types = [
            IType::Boolean,
            IType::S8,
            IType::S16,
            IType::S32,
            IType::S64,
            IType::U8,
            IType::U16,
            IType::U32,
            IType::U64,
            IType::F32,
            IType::F64,
            IType::String,
            IType::ByteArray,
        ];
        let fields: Vec<(String, IType)> = types
            .into_iter()
            .enumerate()
            .map(|(i, ty)| (alloc::format!("field_{i}"), ty))
            .collect();
        let fields: Vec<(&str, IType)> = fields
            .iter()
            .map(|(name, ty)| (name.as_str(), ty.clone()))
            .collect();
        record("TestRecord", &fields)
    }

    /// `records_effector.wasm` and `records_pure.wasm`, from their `.it.txt`: both define
    /// `TestRecord` as record 10, after the SDK's records 6–9.
    fn records() -> Vec<ModuleInput> {
        let mut types = abi_types();
        types.extend(sdk_records());
        types.push(test_record());
        let mut effector = abi_exports(&types);
        effector.push((
            "mutate_struct".into(),
            func(&[("test_record", IType::Record(10))], &[IType::Record(10)]),
        ));
        let mut pure = abi_exports(&types);
        pure.push(("invoke".into(), func(&[], &[IType::Record(10)])));
        vec![
            ModuleInput {
                name: "records_effector".into(),
                functions: effector,
                types: types.clone(),
            },
            ModuleInput {
                name: "records_pure".into(),
                functions: pure,
                types,
            },
        ]
    }

    /// `call_parameters.wasm`, from its `.it.txt` (v3 records 6–8).
    fn call_parameters() -> ModuleInput {
        let mut types = abi_types();
        types.push(record(
            "SecurityTetraplet",
            &[
                ("peer_pk", IType::String),
                ("service_id", IType::String),
                ("function_name", IType::String),
                ("lens", IType::String),
            ],
        ));
        types.push(record(
            "ParticleParameters",
            &[
                ("id", IType::String),
                ("init_peer_id", IType::String),
                ("timestamp", IType::U64),
                ("ttl", IType::U32),
                ("script", IType::String),
                ("signature", IType::ByteArray),
                ("token", IType::String),
            ],
        ));
        types.push(record(
            "CallParameters",
            &[
                ("particle", IType::Record(7)),
                ("service_id", IType::String),
                ("service_creator_peer_id", IType::String),
                ("host_id", IType::String),
                ("worker_id", IType::String),
                ("tetraplets", array(array(IType::Record(6)))),
            ],
        ));
        let mut functions = abi_exports(&types);
        functions.push(("call_parameters".into(), func(&[], &[IType::Record(8)])));
        ModuleInput {
            name: "call_parameters".into(),
            functions,
            types,
        }
    }

    /// The three url-downloader modules: strings and byte arrays only.
    fn url_downloader() -> Vec<ModuleInput> {
        let module = |name: &str, functions: Vec<(&str, FunctionType)>| {
            let mut all = abi_exports(&abi_types());
            all.extend(functions.into_iter().map(|(n, ty)| (n.to_string(), ty)));
            ModuleInput {
                name: name.into(),
                functions: all,
                types: abi_types(),
            }
        };
        vec![
            module(
                "local_storage",
                vec![
                    (
                        "put",
                        func(
                            &[("name", IType::String), ("file_content", IType::ByteArray)],
                            &[IType::String],
                        ),
                    ),
                    (
                        "get",
                        func(&[("file_name", IType::String)], &[IType::ByteArray]),
                    ),
                ],
            ),
            module(
                "facade",
                vec![(
                    "get_n_save",
                    func(
                        &[("url", IType::String), ("file_name", IType::String)],
                        &[IType::String],
                    ),
                )],
            ),
            module(
                "curl_adapter",
                vec![(
                    "download",
                    func(&[("url", IType::String)], &[IType::String]),
                )],
            ),
        ]
    }

    fn greeting() -> ModuleInput {
        let mut functions = abi_exports(&abi_types());
        functions.push((
            "greeting".into(),
            func(&[("name", IType::String)], &[IType::String]),
        ));
        ModuleInput {
            name: "greeting".into(),
            functions,
            types: abi_types(),
        }
    }

    /// Compares with `golden/<scenario>.interface.{txt,json}`: the text byte for byte, the
    /// JSON as a value. Skips when the golden folder is absent, except under CI.
    #[cfg(feature = "std")]
    fn check_golden(scenario: &str, modules: Vec<ModuleInput>) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/golden/");
        let read = |ext: &str| std::fs::read_to_string(alloc::format!("{dir}{scenario}.{ext}"));
        let (Ok(text), Ok(json)) = (read("interface.txt"), read("interface.json")) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "golden interface files of {scenario} missing under CI"
            );
            std::eprintln!("skipping: golden interface files of {scenario} not found in {dir}");
            return;
        };
        let interface = ServiceInterface::new(modules);
        assert_eq!(interface.to_string(), text, "{scenario}.interface.txt");
        let expected: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            serde_json::to_value(&interface).unwrap(),
            expected,
            "{scenario}.interface.json"
        );
    }

    #[cfg(feature = "std")]
    #[test]
    fn golden_greeting_record() {
        check_golden("greeting_record", vec![greeting_record()]);
    }

    #[cfg(feature = "std")]
    #[test]
    fn golden_records() {
        check_golden("records", records());
    }

    #[cfg(feature = "std")]
    #[test]
    fn golden_call_parameters() {
        check_golden("call_parameters", vec![call_parameters()]);
    }

    #[cfg(feature = "std")]
    #[test]
    fn golden_url_downloader() {
        check_golden("url-downloader", url_downloader());
    }

    #[cfg(feature = "std")]
    #[test]
    fn golden_greeting() {
        check_golden("greeting", vec![greeting()]);
    }

    #[test]
    fn text_without_records_or_functions() {
        let empty = ModuleInput {
            name: "empty".into(),
            functions: abi_exports(&abi_types()),
            types: abi_types(),
        };
        let interface = ServiceInterface::new([greeting(), empty]);
        assert_eq!(
            interface.to_string(),
            "exported data types (combined from all modules):\n\
             <no exported data types>\n\
             \n\
             exported functions:\n\
             empty:\n\
             <no exported functions>\n\
             greeting:\n  \
             func greeting(name: string) -> string\n"
        );
        assert_eq!(
            serde_json::to_value(&interface).unwrap()["modules"]["empty"],
            serde_json::json!({"function_signatures": [], "record_types": {}})
        );
        assert_eq!(
            ServiceInterface::default().to_string(),
            "exported data types (combined from all modules):\n<no exported data types>\n\n\
             exported functions:\n"
        );
    }

    #[test]
    fn reachability_follows_arrays_and_fields() {
        let module = ModuleInput {
            name: "m".into(),
            functions: vec![(
                "f".into(),
                func(
                    &[("xs", array(IType::Record(1))), ("n", IType::Record(9))],
                    &[IType::U8, IType::I64],
                ),
            )],
            types: vec![
                record("Inner", &[("b", IType::Boolean)]),
                record("Outer", &[("inner", array(array(IType::Record(0))))]),
                record("Unused", &[("x", IType::F64)]),
            ],
        };
        let interface = ServiceInterface::new([module]);
        let m = &interface.modules["m"];
        assert_eq!(m.record_types.keys().copied().collect::<Vec<_>>(), [0, 1]);
        assert_eq!(
            interface.to_string(),
            "exported data types (combined from all modules):\n\
             data Inner:\n  b: bool\n\
             data Outer:\n  inner: [][]Inner\n\
             \n\
             exported functions:\n\
             m:\n  func f(xs: []Outer, n: record 9) -> (u8, i64)\n"
        );
        assert_eq!(
            serde_json::to_value(m).unwrap()["function_signatures"][0],
            serde_json::json!({
                "name": "f",
                "arguments": [{"name": "xs", "ty": {"Array": {"Record": 1}}},
                              {"name": "n", "ty": {"Record": 9}}],
                "outputs": ["U8", "I64"]
            })
        );
    }

    #[test]
    fn self_referencing_records_terminate() {
        let module = ModuleInput {
            name: "m".into(),
            functions: vec![("f".into(), func(&[], &[IType::Record(0)]))],
            types: vec![
                record(
                    "Node",
                    &[
                        ("next", array(IType::Record(0))),
                        ("other", IType::Record(1)),
                    ],
                ),
                record("Leaf", &[("v", IType::S16)]),
            ],
        };
        let interface = ServiceInterface::new([module]);
        assert_eq!(interface.modules["m"].record_types.len(), 2);
    }

    #[test]
    fn same_name_different_fields_are_both_listed() {
        let module = |name: &str, ty: IType| ModuleInput {
            name: name.into(),
            functions: vec![("f".into(), func(&[], &[IType::Record(0)]))],
            types: vec![record("R", &[("x", ty)])],
        };
        let text = ServiceInterface::new([module("a", IType::S32), module("b", IType::String)])
            .to_string();
        assert!(text.contains("data R:\n  x: i32\n"), "{text}");
        assert!(text.contains("data R:\n  x: string\n"), "{text}");
    }
}
