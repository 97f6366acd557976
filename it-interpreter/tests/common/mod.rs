//! Shared helpers of the integration tests: locating the Marine artifacts.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use strait_it::{
    Adapter, Export, FunctionArg, FunctionType, IType, Implementation, Instruction, RecordField,
    RecordType, Section, TypeEntry,
};

/// `../shared/artifacts`, beside the repository.
pub const ARTIFACTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/artifacts");

/// One valid Marine module of the artifacts.
pub struct Artifact {
    /// Path relative to the artifacts folder, e.g. `greeting/greeting.wasm`.
    pub name: String,
    /// The module's bytes.
    pub wasm: Vec<u8>,
    /// Marine's text print of its IT section (`<module>.it.txt`), when present.
    pub marine_text: Option<String>,
}

/// Every `.wasm` under the artifacts folder except `corrupted/`, sorted by path. Returns
/// `None` (after saying so) when the folder is missing outside CI; under `CI=true` a missing
/// folder fails the test.
// The skip must be visible in the test output, which is what stderr is for here.
#[allow(clippy::print_stderr)]
pub fn artifacts() -> Option<Vec<Artifact>> {
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
pub fn corrupted() -> Vec<PathBuf> {
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

/// A string as the format writes it: one length byte, then the bytes.
pub fn s(text: &str) -> Vec<u8> {
    let mut out = vec![u8::try_from(text.len()).unwrap()];
    out.extend_from_slice(text.as_bytes());
    out
}

pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `05 06 "0.28.0"`
pub fn version() -> Vec<u8> {
    cat(&[&[0x05], &s("0.28.0")])
}

/// The 236-byte section of §2.4.
pub fn annotated_example() -> Vec<u8> {
    cat(&[
        &version(),
        &[0x00, 0x09],
        &cat(&[&[0x00, 0x01], &s("size"), &[0x0c, 0x01, 0x0c]]),
        &[0x00, 0x00, 0x00],
        &[0x00, 0x00, 0x01, 0x0c],
        &[0x00, 0x00, 0x01, 0x0c],
        &cat(&[&[0x00, 0x01], &s("result_size"), &[0x0c, 0x00]]),
        &cat(&[&[0x00, 0x01], &s("result_ptr"), &[0x0c, 0x00]]),
        &cat(&[
            &[0x01],
            &s("Rec"),
            &[0x02],
            &s("a"),
            &[0x0b],
            &s("b"),
            &[0x36, 0x0a],
        ]),
        &cat(&[
            &[0x00, 0x02],
            &s("name"),
            &[0x0a],
            &s("r"),
            &[0x0e, 0x06, 0x01, 0x3c],
        ]),
        &cat(&[
            &[0x00, 0x02],
            &s("name"),
            &[0x0a],
            &s("r"),
            &[0x0e, 0x06, 0x01, 0x3c],
        ]),
        &[0x02, 0x01, 0x07, 0x0d],
        &[0x00, 0x00, 0x24, 0x40, 0x01, 0x01, 0x00, 0x00, 0x00, 0x23],
        &[0x00, 0x01, 0x3b, 0x06],
        &[0x01, 0x06],
        &[0x01, 0x03, 0x01, 0x02, 0x43],
        &[0x01, 0x01],
        &[0x03, 0x07],
        &cat(&[&s("allocate"), &[0x00], &s("release_objects"), &[0x01]]),
        &cat(&[
            &s("get_result_size"),
            &[0x02],
            &s("get_result_ptr"),
            &[0x03],
        ]),
        &cat(&[
            &s("set_result_size"),
            &[0x04],
            &s("set_result_ptr"),
            &[0x05],
        ]),
        &cat(&[&s("greet"), &[0x08]]),
        &[0x04, 0x01, 0x08, 0x07],
    ])
}

pub fn func(params: &[(&str, IType)], results: &[IType]) -> TypeEntry {
    TypeEntry::Function(FunctionType {
        params: params
            .iter()
            .map(|(name, ty)| FunctionArg {
                name: (*name).into(),
                ty: ty.clone(),
            })
            .collect(),
        results: results.to_vec(),
    })
}

pub fn export(name: &str, function_type: u32) -> Export {
    Export {
        name: name.into(),
        function_type,
    }
}

pub fn annotated_model() -> Section {
    let greet = func(
        &[("name", IType::String), ("r", IType::Record(6))],
        &[IType::ByteArray],
    );
    use Instruction::*;
    Section {
        version: "0.28.0".into(),
        types: vec![
            func(&[("size", IType::I32)], &[IType::I32]),
            func(&[], &[]),
            func(&[], &[IType::I32]),
            func(&[], &[IType::I32]),
            func(&[("result_size", IType::I32)], &[]),
            func(&[("result_ptr", IType::I32)], &[]),
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
pub struct Immediates {
    /// For `U32` immediates.
    pub u32: u32,
    /// For `I32` immediates.
    pub i32: i32,
    /// For `I64` immediates.
    pub i64: i64,
    /// For `IType` immediates.
    pub itype: IType,
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
        pub fn instruction_with(opcode: u8, immediates: &Immediates) -> Option<Instruction> {
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
