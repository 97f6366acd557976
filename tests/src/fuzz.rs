//! What each fuzz target checks, as plain functions of the input bytes: `fuzz/` calls them
//! from libFuzzer, and `tests/fuzz_regressions.rs` runs them over the seed corpus and every
//! kept crash input in the normal test suite. A failed check panics.

use arbitrary::{Result as Arb, Unstructured};
use serde_json::Value;
use strait::json::{
    ivalue_to_json, ivalues_into_json, json_into_args, json_to_args, write_compact, write_results,
};
use strait_it::binary::{EncodeProblem, MAX_ENCODED_LIST_LEN};
use strait_it::memory::{
    HostError, LiftBudget, LowerError, LowerTarget, RecordImage, lift_flat, lift_record_image,
    lower_record, lower_record_image,
};
use strait_it::records::RecordTable;
use strait_it::{FunctionArg, IType, IValue, RecordField, RecordType, Section, TypeEntry};

/// How deep generated types nest.
const MAX_TYPE_DEPTH: u32 = 4;

/// `it_section`: bytes → section decode. A decoded section encodes; its encoding decodes
/// to the same section and re-encodes to the same bytes; its text prints and parses back
/// to the same section.
pub fn it_section(data: &[u8]) {
    let Ok(section) = Section::decode(data) else {
        return;
    };
    round_trip(&section);
}

/// `it_text`: text → parse. A parsed section prints and re-parses to the same section,
/// prints the same text again, and round-trips through the binary format.
pub fn it_text(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(section) = strait_it::text::parse(text) else {
        return;
    };
    round_trip(&section);
}

fn round_trip(section: &Section) {
    let bytes = match section.encode() {
        Ok(bytes) => bytes,
        // D1: list counts decode as uleb (lists of 128 or more items included), but the
        // encoder refuses such lists, which Marine would misread; the text has no such limit.
        Err(error)
            if matches!(error.problem, EncodeProblem::ListTooLong { .. })
                && longest_list(section) > MAX_ENCODED_LIST_LEN =>
        {
            text_round_trip(section);
            return;
        }
        Err(error) => panic!("a decoded or parsed section encodes: {error:?}"),
    };
    let decoded = Section::decode(&bytes).expect("an encoded section decodes");
    assert_eq!(&decoded, section, "binary round trip");
    assert_eq!(
        decoded.encode().expect("encodes again"),
        bytes,
        "stable encoding"
    );
    text_round_trip(section);
}

fn text_round_trip(section: &Section) {
    let text = strait_it::text::print(section);
    let parsed = strait_it::text::parse(&text)
        .unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{text}"));
    assert_eq!(&parsed, section, "text round trip of\n{text}");
    assert_eq!(strait_it::text::print(&parsed), text, "stable text");
}

/// The most items of any list the binary format writes with a count (D1): parameters,
/// results, record fields, adapter instructions.
fn longest_list(section: &Section) -> usize {
    let types = section.types.iter().map(|entry| match entry {
        TypeEntry::Function(f) => f.params.len().max(f.results.len()),
        TypeEntry::Record(r) => r.fields.len(),
    });
    let adapters = section.adapters.iter().map(|a| a.instructions.len());
    types.chain(adapters).max().unwrap_or(0)
}

/// A random type over `records` record ids (`0..records`), at most `depth` levels deep.
pub fn any_itype(u: &mut Unstructured<'_>, records: u64, depth: u32) -> Arb<IType> {
    let scalars = [
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
        IType::I32,
        IType::I64,
        IType::String,
        IType::ByteArray,
    ];
    let compound = if depth == 0 { 0 } else { 2 };
    let pick = u.int_in_range(0..=scalars.len() + compound - 1)?;
    Ok(match scalars.get(pick) {
        Some(ty) => ty.clone(),
        None if pick == scalars.len() => IType::Array(Box::new(any_itype(u, records, depth - 1)?)),
        None if records > 0 => IType::Record(u.int_in_range(0..=records - 1)?),
        None => IType::String,
    })
}

/// A random record table: up to four records whose fields may name any record, themselves
/// included (cycles are the table's to refuse).
pub fn any_records(u: &mut Unstructured<'_>) -> Arb<Vec<TypeEntry>> {
    let count = u.int_in_range(0..=4u64)?;
    let mut types = Vec::new();
    for i in 0..count {
        let fields = (0..u.int_in_range(1..=4)?)
            .map(|f| {
                Ok(RecordField {
                    name: format!("f{f}"),
                    ty: any_itype(u, count, MAX_TYPE_DEPTH)?,
                })
            })
            .collect::<Arb<Vec<_>>>()?;
        types.push(TypeEntry::Record(RecordType {
            name: format!("R{i}"),
            fields,
        }));
    }
    Ok(types)
}

/// `lift`: random guest memory, a random type and random core values → lifting never
/// panics and never yields more than the budget allows; errors say where.
pub fn lift(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((types, ty, core)) = lift_input(&mut u) else {
        return;
    };
    let memory = u.take_rest();
    let Ok(records) = RecordTable::new(&types) else {
        return;
    };
    // What a memory of this size can honestly lift to, with room for many small values.
    let limit = 64 * (memory.len() as u64) + 4096;
    let mut budget = LiftBudget::new(limit);
    match lift_flat(memory, &ty, &core, &records, &mut budget) {
        Ok(value) => {
            assert!(budget.used() <= limit);
            assert!(
                footprint(&value) <= budget.used() + size_of::<IValue>() as u64,
                "lifted {} bytes, charged {}",
                footprint(&value),
                budget.used()
            );
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    record_image_like_value(memory, &ty, &core, &records, limit);
}

/// A record that crosses as an image lifts with the same outcome and charge as its value,
/// and lowers with the same `allocate` calls and bytes.
fn record_image_like_value(
    memory: &[u8],
    ty: &IType,
    core: &[IValue],
    records: &RecordTable,
    limit: u64,
) {
    let (IType::Record(id), [IValue::I32(ptr)]) = (ty, core) else {
        return;
    };
    let Some(layout) = records.get(*id) else {
        return;
    };
    let ptr = ptr.cast_unsigned();
    let mut value_budget = LiftBudget::new(limit);
    let value = strait_it::memory::lift_record(memory, *id, ptr, records, &mut value_budget);
    let mut image = RecordImage::new();
    let mut image_budget = LiftBudget::new(limit);
    match (
        lift_record_image(memory, layout, ptr, &mut image_budget, &mut image),
        value,
    ) {
        (Ok(false), _) => assert!(!strait_it::memory::crosses_as_image(layout)),
        (Ok(true), Ok(fields)) => {
            assert_eq!(image_budget.used(), value_budget.used());
            let mut through_value = Bump::new(memory.len());
            let mut through_image = Bump::new(memory.len());
            let value_ptr = lower_record(&mut through_value, *id, &fields, records);
            let image_ptr = lower_record_image(&mut through_image, layout, &image);
            assert_eq!(
                value_ptr.map_err(|e| e.to_string()),
                image_ptr.map_err(|e| e.to_string())
            );
            assert_eq!(through_value.log, through_image.log);
            assert!(through_value.memory == through_image.memory);
        }
        (Err(image), Err(value)) => assert_eq!(image.to_string(), value.to_string()),
        (image, value) => panic!("image {image:?}, value {value:?}"),
    }
}

/// A module's side of lowering: a memory of the lifted one's size and a bump allocator
/// that logs its calls and hands out offsets past the memory once it is full, which
/// lowering refuses.
struct Bump {
    memory: Vec<u8>,
    next: u32,
    log: Vec<(u32, u32)>,
}

impl Bump {
    fn new(size: usize) -> Self {
        Self {
            memory: vec![0; size.clamp(64, 1 << 20)],
            next: 8,
            log: Vec::new(),
        }
    }
}

impl LowerTarget for Bump {
    fn allocate(&mut self, size: u32, tag: u32) -> Result<u32, LowerError> {
        self.log.push((size, tag));
        let ptr = self.next;
        self.next = self.next.saturating_add(size);
        Ok(ptr)
    }

    fn memory(&mut self) -> Result<&mut [u8], HostError> {
        Ok(&mut self.memory)
    }
}

fn lift_input(u: &mut Unstructured<'_>) -> Arb<(Vec<TypeEntry>, IType, Vec<IValue>)> {
    let types = any_records(u)?;
    let ty = any_itype(u, types.len() as u64, MAX_TYPE_DEPTH)?;
    let core = (0..u.int_in_range(0..=2)?)
        .map(|_| {
            Ok(match u.int_in_range(0..=3)? {
                0 => IValue::I32(u.arbitrary()?),
                1 => IValue::I64(u.arbitrary()?),
                2 => IValue::F32(u.arbitrary()?),
                // Pointers and lengths near the memory's size are the interesting ones.
                _ => IValue::I32(i32::from(u.arbitrary::<u16>()?)),
            })
        })
        .collect::<Arb<Vec<_>>>()?;
    Ok((types, ty, core))
}

/// The bytes a lifted value holds, counted as the lift budget counts them.
fn footprint(value: &IValue) -> u64 {
    let each = size_of::<IValue>() as u64;
    match value {
        IValue::String(s) => s.len() as u64,
        IValue::ByteArray(b) => b.len() as u64,
        IValue::Array(items) | IValue::Record(items) => {
            items.iter().map(|v| each + footprint(v)).sum()
        }
        _ => 0,
    }
}

/// `service_config`: random text as a Config.toml, and random JSON as the arguments of a
/// random signature → values or errors, never a panic; converted values convert back to
/// JSON.
pub fn service_config(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        if let Ok(text) = core::str::from_utf8(rest) {
            let _ = strait::config::ServiceConfig::from_toml_str(text, std::path::Path::new("."));
        }
        return;
    }
    let mut u = Unstructured::new(rest);
    let Ok(types) = any_records(&mut u) else {
        return;
    };
    let Ok(params) = (0..u.int_in_range(0..=3).unwrap_or(0))
        .map(|i| {
            Ok(FunctionArg {
                name: format!("a{i}"),
                ty: any_itype(&mut u, types.len() as u64, MAX_TYPE_DEPTH)?,
            })
        })
        .collect::<Arb<Vec<_>>>()
    else {
        return;
    };
    let Ok(json) = serde_json::from_slice::<Value>(u.take_rest()) else {
        return;
    };
    if RecordTable::new(&types).is_err() {
        return;
    }
    let converted = json_to_args(&json, &params, &types);
    // Arguments given by value (their strings moved) convert the same.
    assert_eq!(json_into_args(json, &params, &types), converted);
    if let Ok(values) = converted {
        assert_eq!(values.len(), params.len());
        for (value, param) in values.iter().zip(&params) {
            let json = ivalue_to_json(value, &param.ty, &types)
                .unwrap_or_else(|e| panic!("a converted value converts back: {e}"));
            let ty = core::slice::from_ref(&param.ty);
            // Written straight to text, the same text.
            let mut text = String::new();
            write_results(core::slice::from_ref(value), ty, &types, &mut text)
                .unwrap_or_else(|e| panic!("a converted value is written: {e}"));
            let mut expected = String::new();
            write_compact(&mut expected, &json);
            assert_eq!(text, expected);
            assert_eq!(ivalues_into_json(vec![value.clone()], ty, &types), Ok(json));
        }
    }
}

/// The core module under the `adapters` target (its IT section is generated per input).
pub const FUZZ_CORE_WAT: &str = include_str!("../fixtures/fuzz_core.wat");

/// The record-image fixtures the differential target's services include: `record_caller`'s
/// `pass` reaches `record_echo`'s `echo` with the record crossing as an image.
const RECORD_ECHO_WAT: &[u8] = include_bytes!("../fixtures/record_echo.wat");
/// See [`RECORD_ECHO_WAT`].
const RECORD_CALLER_WAT: &[u8] = include_bytes!("../fixtures/record_caller.wat");

/// The core exports of [`FUZZ_CORE_WAT`] an adapter may call, with their core types.
const CORE_EXPORTS: [(&str, &[IType], &[IType]); 5] = [
    ("id_i32", &[IType::I32], &[IType::I32]),
    ("id_i64", &[IType::I64], &[IType::I64]),
    ("echo", &[IType::I32, IType::I32], &[]),
    ("noop", &[], &[]),
    ("add", &[IType::I32, IType::I32], &[IType::I32]),
];

/// The instructions random adapters are made of, as text with `{}` for an immediate.
const INSTRUCTIONS: [&str; 30] = [
    "arg.get {}",
    "call-core {}",
    "i32.push {}",
    "i64.push {}",
    "dup",
    "swap2",
    "string.lift_memory",
    "string.lower_memory",
    "string.size",
    "byte_array.lift_memory",
    "byte_array.lower_memory",
    "byte_array.size",
    "array.lift_memory {t}",
    "array.lower_memory {t}",
    "record.lift_memory {}",
    "record.lower_memory {}",
    "i32.from_s32",
    "s32.from_i32",
    "i32.from_u32",
    "u32.from_i32",
    "i64.from_u64",
    "u64.from_i64",
    "i32.from_u8",
    "u8.from_i32",
    "i64.from_s64",
    "s64.from_i64",
    "bool.from_i32",
    "i32.from_bool",
    "i32.from_s8",
    "s8.from_i32",
];

/// A random IT section for [`FUZZ_CORE_WAT`]: the ABI types, up to two records, one adapter
/// of a random type made of random instructions, exported under a core function's name.
/// Returns the section and the adapter's parameter types.
pub fn any_adapter_section(u: &mut Unstructured<'_>) -> Arb<(Section, Vec<FunctionArg>)> {
    let abi = "(@interface it_version \"0.28.0\")
        (@interface type (func (param $size: i32) (result i32)))
        (@interface type (func))
        (@interface type (func (result i32)))
        (@interface type (func (result i32)))
        (@interface type (func (param $result_size: i32)))
        (@interface type (func (param $result_ptr: i32)))
        (@interface export \"allocate\" (func 0))
        (@interface export \"release_objects\" (func 1))
        (@interface export \"get_result_size\" (func 2))
        (@interface export \"get_result_ptr\" (func 3))
        (@interface export \"set_result_size\" (func 4))
        (@interface export \"set_result_ptr\" (func 5))";
    let Ok(mut section) = strait_it::text::parse(abi) else {
        return Err(arbitrary::Error::IncorrectFormat);
    };
    // Records first in the random part, so record ids are 6 and 7.
    let records = u.int_in_range(0..=2u64)?;
    for r in 0..records {
        let fields = (0..u.int_in_range(1..=3)?)
            .map(|f| {
                Ok(RecordField {
                    name: format!("f{f}"),
                    ty: shift_records(any_itype(u, records, 2)?, 6),
                })
            })
            .collect::<Arb<Vec<_>>>()?;
        section.types.push(TypeEntry::Record(RecordType {
            name: format!("R{r}"),
            fields,
        }));
    }
    let params = (0..u.int_in_range(0..=2)?)
        .map(|i| {
            Ok(FunctionArg {
                name: format!("a{i}"),
                ty: shift_records(any_itype(u, records, 2)?, 6),
            })
        })
        .collect::<Arb<Vec<_>>>()?;
    let results = (0..u.int_in_range(0..=1)?)
        .map(|_| Ok(shift_records(any_itype(u, records, 2)?, 6)))
        .collect::<Arb<Vec<_>>>()?;
    let adapter_type = u32::try_from(section.types.len()).unwrap_or(u32::MAX);
    section
        .types
        .push(TypeEntry::Function(strait_it::FunctionType {
            params: params.clone(),
            results,
        }));
    // The core function type: usually the export's own, so that more programs compile.
    let (export, core_params, core_results) = *u.choose(&CORE_EXPORTS)?;
    let core_type = u32::try_from(section.types.len()).unwrap_or(u32::MAX);
    section
        .types
        .push(TypeEntry::Function(strait_it::FunctionType {
            params: core_params
                .iter()
                .enumerate()
                .map(|(i, ty)| FunctionArg {
                    name: format!("c{i}"),
                    ty: ty.clone(),
                })
                .collect(),
            results: core_results.to_vec(),
        }));
    let mut body = String::new();
    for _ in 0..u.int_in_range(0..=12)? {
        let template = *u.choose(&INSTRUCTIONS)?;
        let immediate = match template {
            "call-core {}" => u.int_in_range(0..=11u32)?.to_string(),
            "i64.push {}" => u.arbitrary::<i64>()?.to_string(),
            "i32.push {}" => u.arbitrary::<i32>()?.to_string(),
            "record.lift_memory {}" | "record.lower_memory {}" => {
                u.int_in_range(5..=8u32)?.to_string()
            }
            _ => u.int_in_range(0..=2u32)?.to_string(),
        };
        let element = shift_records(any_itype(u, records, 1)?, 6);
        body.push_str(
            &template
                .replace("{}", &immediate)
                .replace("{t}", &element.to_string()),
        );
        body.push('\n');
    }
    let Ok(instructions) = strait_it::text::parse_instructions(&body) else {
        return Err(arbitrary::Error::IncorrectFormat);
    };
    section.adapters.push(strait_it::Adapter {
        function_type: adapter_type,
        instructions,
    });
    section.exports.push(strait_it::Export {
        name: export.into(),
        function_type: core_type,
    });
    section.implementations.push(strait_it::Implementation {
        core_function_type: core_type,
        adapter_function_type: adapter_type,
    });
    Ok((section, params))
}

/// `ty` with its record ids moved up by `by` (records generated as `0..n` live at `by..`).
fn shift_records(ty: IType, by: u64) -> IType {
    match ty {
        IType::Record(id) => IType::Record(id + by),
        IType::Array(inner) => IType::Array(Box::new(shift_records(*inner, by))),
        other => other,
    }
}

/// A random value of type `ty`; records resolved in `types`.
pub fn any_ivalue(
    u: &mut Unstructured<'_>,
    ty: &IType,
    types: &[TypeEntry],
    depth: u32,
) -> Arb<IValue> {
    Ok(match ty {
        IType::Boolean => IValue::Boolean(u.arbitrary()?),
        IType::S8 => IValue::S8(u.arbitrary()?),
        IType::S16 => IValue::S16(u.arbitrary()?),
        IType::S32 => IValue::S32(u.arbitrary()?),
        IType::S64 => IValue::S64(u.arbitrary()?),
        IType::U8 => IValue::U8(u.arbitrary()?),
        IType::U16 => IValue::U16(u.arbitrary()?),
        IType::U32 => IValue::U32(u.arbitrary()?),
        IType::U64 => IValue::U64(u.arbitrary()?),
        IType::F32 => IValue::F32(u.arbitrary()?),
        IType::F64 => IValue::F64(u.arbitrary()?),
        IType::I32 => IValue::I32(u.arbitrary()?),
        IType::I64 => IValue::I64(u.arbitrary()?),
        IType::String => IValue::String(u.arbitrary()?),
        IType::ByteArray => IValue::ByteArray(u.arbitrary()?),
        IType::Array(element) if depth > 0 => IValue::Array(
            (0..u.int_in_range(0..=4)?)
                .map(|_| any_ivalue(u, element, types, depth - 1))
                .collect::<Arb<Vec<_>>>()?,
        ),
        IType::Record(id) if depth > 0 => {
            let Some(TypeEntry::Record(record)) =
                types.get(usize::try_from(*id).unwrap_or(usize::MAX))
            else {
                return Err(arbitrary::Error::IncorrectFormat);
            };
            IValue::Record(
                record
                    .fields
                    .iter()
                    .map(|f| any_ivalue(u, &f.ty, types, depth - 1))
                    .collect::<Arb<Vec<_>>>()?,
            )
        }
        _ => return Err(arbitrary::Error::IncorrectFormat),
    })
}

/// One engine's service, type-erased so that the checks compare engines in a loop.
pub trait Engine: Send {
    /// The engine's name.
    fn name(&self) -> &'static str;
    /// Calls `module.function(args)`; an error as its kind and text.
    fn call(
        &mut self,
        module: &str,
        function: &str,
        args: &[IValue],
    ) -> Result<Vec<IValue>, (strait::ErrorKind, String)>;
}

struct OnEngine<B: strait::Backend>(strait::Service<B>);

impl<B: strait::Backend> Engine for OnEngine<B> {
    fn name(&self) -> &'static str {
        B::NAME
    }
    fn call(
        &mut self,
        module: &str,
        function: &str,
        args: &[IValue],
    ) -> Result<Vec<IValue>, (strait::ErrorKind, String)> {
        self.0
            .call(module, function, args)
            .map_err(|e| (e.kind(), e.to_string()))
    }
}

/// One engine's service, or why it did not load.
type Loaded = Result<Box<dyn Engine>, (strait::ErrorKind, String)>;

/// A service of `modules` (name, wasm or WAT bytes) on every engine; `Err` if any engine
/// refuses them, with every engine's answer agreeing on whether it loads.
pub fn on_every_engine(modules: &[(&str, &[u8])]) -> Result<Vec<Box<dyn Engine>>, String> {
    fn load<B: strait::Backend>(modules: &[(&str, &[u8])], out: &mut Vec<Loaded>) {
        let loaded = (|| {
            let mut service = strait::Service::<B>::new(strait::ServiceOptions {
                // No fuel: engines count it differently (an engine-difference note), and
                // every function these checks call ends.
                total_memory_limit: Some(64 << 20),
                ..strait::ServiceOptions::default()
            })
            .map_err(|e| (e.kind(), e.to_string()))?;
            for (name, bytes) in modules {
                service
                    .load_module(name, bytes, &strait::ModuleSettings::default())
                    .map_err(|e| (e.kind(), e.to_string()))?;
            }
            Ok(Box::new(OnEngine(service)) as Box<dyn Engine>)
        })();
        out.push(loaded);
    }
    let mut loaded = Vec::new();
    strait::each_backend!(load(modules, &mut loaded));
    let kinds: Vec<_> = loaded
        .iter()
        .map(|r| r.as_ref().err().map(|(kind, _)| *kind))
        .collect();
    assert!(
        kinds.windows(2).all(|w| w[0] == w[1]),
        "engines disagree on loading: {:?}",
        loaded.iter().map(|r| r.as_ref().err()).collect::<Vec<_>>()
    );
    loaded
        .into_iter()
        .map(|r| r.map_err(|(_, text)| text))
        .collect()
}

/// One engine's answer to a call: its values, or its error's kind and text.
type Answer = Result<Vec<IValue>, (strait::ErrorKind, String)>;

/// Calls `module.function(args)` on every engine: all give the same values, or errors of
/// the same kind. Returns the common result.
pub fn same_on_every_engine(
    engines: &mut [Box<dyn Engine>],
    module: &str,
    function: &str,
    args: &[IValue],
) -> Result<Vec<IValue>, strait::ErrorKind> {
    let answers = answers_of_every_engine(engines, module, function, args);
    assert_agree(&format!("{module}.{function}"), &answers, same_values);
    let Some((_, first)) = answers.into_iter().next() else {
        return Err(strait::ErrorKind::Engine);
    };
    first.map_err(|(kind, _)| kind)
}

/// Every engine's answer to `module.function(args)`, with the engine's name.
fn answers_of_every_engine(
    engines: &mut [Box<dyn Engine>],
    module: &str,
    function: &str,
    args: &[IValue],
) -> Vec<(&'static str, Answer)> {
    engines
        .iter_mut()
        .map(|e| (e.name(), e.call(module, function, args)))
        .collect()
}

/// Asserts that every answer agrees with the first: values that `same` accepts, or errors
/// of the same kind. `call` names the call in the message.
fn assert_agree(
    call: &str,
    answers: &[(&'static str, Answer)],
    same: impl Fn(&[IValue], &[IValue]) -> bool,
) {
    let Some(((first_name, first), rest)) = answers.split_first() else {
        return;
    };
    for (name, answer) in rest {
        match (first, answer) {
            (Ok(a), Ok(b)) => assert!(
                same(a, b),
                "{call}: {first_name} gives {}, {name} gives {}",
                short(&a),
                short(&b)
            ),
            (Err((a, _)), Err((b, _))) => assert_eq!(
                a,
                b,
                "{call}: {first_name} fails with {}, {name} with {}",
                short(first),
                short(answer)
            ),
            _ => panic!(
                "{call}: {first_name} gives {}, {name} gives {}",
                short(first),
                short(answer)
            ),
        }
    }
}

/// The start of a value's debug form, for messages about values that may be megabytes.
fn short(value: &impl core::fmt::Debug) -> String {
    let text = format!("{value:?}");
    match text.char_indices().nth(600) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Values equal, NaNs equal to NaNs of the same bits.
fn same_values(a: &[IValue], b: &[IValue]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (IValue::F32(x), IValue::F32(y)) => x.to_bits() == y.to_bits(),
            (IValue::F64(x), IValue::F64(y)) => x.to_bits() == y.to_bits(),
            (IValue::Array(x), IValue::Array(y)) | (IValue::Record(x), IValue::Record(y)) => {
                same_values(x, y)
            }
            _ => x == y,
        })
}

/// Whether `data` makes an adapter section the compiler accepts (how often the `adapters`
/// target reaches the engines).
pub fn adapter_compiles(data: &[u8]) -> bool {
    let mut u = Unstructured::new(data);
    any_adapter_section(&mut u)
        .is_ok_and(|(section, _)| strait_it::adapter::compile(&section, &fuzz_core_exports).is_ok())
}

/// The core signatures of [`FUZZ_CORE_WAT`]'s exports.
fn fuzz_core_exports(name: &str) -> Option<strait_it::adapter::CoreSignature> {
    CORE_EXPORTS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, p, r)| core_signature(p, r))
        .or_else(|| abi_signature(name))
}

/// `adapters`: a random adapter over [`FUZZ_CORE_WAT`] → the compiler accepts it or
/// rejects it with an error; an accepted one loads and runs on every engine without a
/// panic, with the same result or the same kind of error everywhere.
pub fn adapters(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((section, params)) = any_adapter_section(&mut u) else {
        return;
    };
    if strait_it::adapter::compile(&section, &fuzz_core_exports).is_err() {
        return;
    }
    let wat = format!("{FUZZ_CORE_WAT}\n{}", strait_it::text::print(&section));
    let mut engines = on_every_engine(&[("m", wat.as_bytes())])
        .unwrap_or_else(|e| panic!("a compiled adapter section does not load: {e}\n{wat}"));
    let export = section.exports[section.exports.len() - 1].name.clone();
    for _ in 0..3 {
        let Ok(args) = params
            .iter()
            .map(|p| any_ivalue(&mut u, &p.ty, &section.types, 3))
            .collect::<Arb<Vec<_>>>()
        else {
            return;
        };
        let _ = same_on_every_engine(&mut engines, "m", &export, &args);
        // A failed call leaves the service working.
        let _ = same_on_every_engine(&mut engines, "m", &export, &args);
    }
}

/// The core signature of core-typed `params -> results` (only scalars are listed).
fn core_signature(params: &[IType], results: &[IType]) -> strait_it::adapter::CoreSignature {
    let core = |t: &IType| strait_it::adapter::CoreType::of_scalar(t);
    strait_it::adapter::CoreSignature::new(
        params.iter().filter_map(core).collect::<Vec<_>>(),
        results.iter().filter_map(core).collect::<Vec<_>>(),
    )
}

fn abi_signature(name: &str) -> Option<strait_it::adapter::CoreSignature> {
    use IType::I32;
    Some(match name {
        "allocate" => core_signature(&[I32, I32], &[I32]),
        "release_objects" => core_signature(&[], &[]),
        "get_result_size" | "get_result_ptr" => core_signature(&[], &[I32]),
        "set_result_size" | "set_result_ptr" => core_signature(&[I32], &[]),
        _ => return None,
    })
}

/// A function a differential check calls: its module, name, parameters and the module's
/// record types.
type Function = (String, String, Vec<FunctionArg>, Vec<TypeEntry>);

/// The functions of `interface`'s modules that `skip` does not leave out.
fn interface_functions(
    interface: strait::interface::ServiceInterface,
    skip: impl Fn(&str, &str) -> bool,
) -> Vec<Function> {
    let mut functions = Vec::new();
    for (module, interface) in interface.modules {
        let types: Vec<TypeEntry> = (0..=interface.record_types.keys().max().copied().unwrap_or(0))
            .map(|id| match interface.record_types.get(&id) {
                Some(record) => TypeEntry::Record(record.clone()),
                None => TypeEntry::Function(Default::default()),
            })
            .collect();
        for f in interface.function_signatures {
            if !skip(&module, &f.name) {
                functions.push((module.clone(), f.name, f.arguments, types.clone()));
            }
        }
    }
    functions
}

/// A random function of `functions` and random values of its parameter types.
fn any_call<'f>(
    u: &mut Unstructured<'_>,
    functions: &'f [Function],
) -> Option<(&'f Function, Vec<IValue>)> {
    let function = u.choose(functions).ok()?;
    let args = function
        .2
        .iter()
        .map(|p| any_ivalue(u, &p.ty, &function.3, 6))
        .collect::<Arb<Vec<_>>>()
        .ok()?;
    Some((function, args))
}

/// The services of the `differential` target, loaded once per process: Marine's
/// records_passing and greeting modules on every engine, and what their functions take.
struct Differential {
    engines: Vec<Box<dyn Engine>>,
    functions: Vec<Function>,
}

fn differential_services() -> Option<&'static std::sync::Mutex<Differential>> {
    static SERVICES: std::sync::OnceLock<Option<std::sync::Mutex<Differential>>> =
        std::sync::OnceLock::new();
    SERVICES
        .get_or_init(|| {
            let artifacts = crate::golden::shared_dir()?.join("artifacts");
            let read = |path: &str| std::fs::read(artifacts.join(path)).ok();
            let modules = [
                (
                    "records_passing_effector",
                    read("records_passing/records_passing_effector_renamed.wasm")?,
                ),
                (
                    "records_passing_pure",
                    read("records_passing/records_passing_pure.wasm")?,
                ),
                ("greeting", read("greeting/greeting.wasm")?),
                // A flat record crossing modules as an image (and, for `pass_plain`, as a
                // value).
                ("record_echo", RECORD_ECHO_WAT.to_vec()),
                ("record_caller", RECORD_CALLER_WAT.to_vec()),
            ];
            let named: Vec<(&str, &[u8])> =
                modules.iter().map(|(n, b)| (*n, b.as_slice())).collect();
            let engines = on_every_engine(&named).ok()?;
            // The functions and their types, from one engine's view of the interface.
            let mut service =
                strait::Service::<strait::DefaultBackend>::new(Default::default()).ok()?;
            for (name, bytes) in &named {
                service.load_module(name, bytes, &Default::default()).ok()?;
            }
            // Stateful calls would make results depend on the inputs run before.
            let functions = interface_functions(service.interface(), |_, name| {
                ["get_drop_count", "pass_droppable_record"].contains(&name)
            });
            Some(std::sync::Mutex::new(Differential { engines, functions }))
        })
        .as_ref()
}

/// `differential`: random values of a random function's parameter types through Marine's
/// records_passing and greeting modules → every engine gives the same values or the same
/// kind of error, and `greeting(name)` is `Hi, <name>`. Needs `../shared`.
pub fn differential(data: &[u8]) {
    let Some(services) = differential_services() else {
        return;
    };
    let mut services = services
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Differential { engines, functions } = &mut *services;
    let mut u = Unstructured::new(data);
    let Some(((module, function, ..), args)) = any_call(&mut u, functions) else {
        return;
    };
    let result = same_on_every_engine(engines, module, function, &args);
    // greeting(name) transforms its argument in a known way.
    if let ("greeting", "greeting", [IValue::String(name)]) =
        (module.as_str(), function.as_str(), args.as_slice())
    {
        assert_eq!(result, Ok(vec![IValue::String(format!("Hi, {name}"))]));
    }
}

/// Fuel each module gets per call in the `real_services` check: more than the services'
/// functions need on inputs of a fuzz run's size, and little enough that a guest that loops
/// for ever (sqlite3 given a random handle can) stops within seconds on wasmi.
const REAL_FUEL: u64 = 1_000_000_000;

/// Calls after which the `real_services` check loads a service afresh, so a long fuzz run
/// does not grow its databases without bound.
const REAL_RELOAD_AFTER: u32 = 2_000;

/// One production service on every engine, each engine's copy in a directory of its own
/// (its databases land there), and what its functions take.
struct RealOnEngines {
    service: strait_real_services::RealService,
    engines: Vec<Box<dyn Engine>>,
    functions: Vec<Function>,
    calls: u32,
}

/// Functions whose results differ from run to run: registry's merges order records by a
/// `HashMap`, which the guest seeds from WASI's `random_get`.
fn nondeterministic(module: &str, function: &str) -> bool {
    module == "registry" && function.starts_with("merge")
}

/// `service` written afresh for every engine under `root` and loaded from its config there,
/// with [`REAL_FUEL`] per call; and the functions its modules export.
fn real_on_every_engine(
    root: &std::path::Path,
    service: &strait_real_services::RealService,
) -> Result<RealOnEngines, String> {
    type Loaded = Result<(Box<dyn Engine>, strait::interface::ServiceInterface), String>;
    fn load<B: strait::Backend>(
        root: &std::path::Path,
        service: &strait_real_services::RealService,
        out: &mut Vec<Loaded>,
    ) {
        let loaded = (|| {
            let parent = root.join(B::NAME);
            let _ = std::fs::remove_dir_all(parent.join(service.name));
            let dir = strait_real_services::write(&parent, service)
                .map_err(|e| format!("cannot write {}: {e}", service.name))?;
            let options = strait::ServiceOptions {
                fuel_per_call: Some(REAL_FUEL),
                working_dir: Some(dir.clone()),
                ..strait::ServiceOptions::default()
            };
            let loaded = strait::Service::<B>::from_config_file(&dir.join("Config.toml"), options)
                .map_err(|e| format!("{} does not load on {}: {e}", service.name, B::NAME))?;
            let interface = loaded.interface();
            Ok((Box::new(OnEngine(loaded)) as Box<dyn Engine>, interface))
        })();
        out.push(loaded);
    }
    let mut loaded = Vec::new();
    strait::each_backend!(load(root, service, &mut loaded));
    let mut engines = Vec::new();
    let mut interface = None;
    for each in loaded {
        let (engine, its_interface) = each?;
        engines.push(engine);
        interface.get_or_insert(its_interface);
    }
    let functions = interface
        .map(|interface| interface_functions(interface, nondeterministic))
        .unwrap_or_default();
    Ok(RealOnEngines {
        service: service.clone(),
        engines,
        functions,
        calls: 0,
    })
}

/// Where the `real_services` check's services live, and the services.
type RealLoaded = (std::path::PathBuf, Vec<RealOnEngines>);

/// The `real_services` target's services, loaded once per process under
/// `<temp>/strait-real-services/<pid>/`; the directories of processes that have ended are
/// removed first (on systems with `/proc`).
fn real_services_loaded() -> &'static std::sync::Mutex<RealLoaded> {
    static SERVICES: std::sync::OnceLock<std::sync::Mutex<RealLoaded>> = std::sync::OnceLock::new();
    SERVICES.get_or_init(|| {
        let parent = std::env::temp_dir().join("strait-real-services");
        let proc = std::path::Path::new("/proc");
        if proc.join("self").exists() {
            for entry in std::fs::read_dir(&parent).into_iter().flatten().flatten() {
                if !proc.join(entry.file_name()).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let root = parent.join(std::process::id().to_string());
        let services = strait_real_services::services()
            .iter()
            .map(|service| real_on_every_engine(&root, service).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        std::sync::Mutex::new((root, services))
    })
}

/// Whether two values are the same, or both read the wall clock: integers within a month
/// of `now` (Unix seconds; the values in seconds or milliseconds) that are at most a minute
/// apart, as two engines' calls made one after the other read it.
fn same_or_clock(a: &[IValue], b: &[IValue], now: i128) -> bool {
    let clock = |value: &IValue| -> Option<i128> {
        let v = match value {
            IValue::U64(v) => i128::from(*v),
            IValue::S64(v) | IValue::I64(v) => i128::from(*v),
            IValue::U32(v) => i128::from(*v),
            _ => return None,
        };
        let month = 31 * 24 * 3600;
        if (now - month..now + month).contains(&v) {
            Some(v)
        } else if ((now - month) * 1000..(now + month) * 1000).contains(&v) {
            Some(v / 1000)
        } else {
            None
        }
    };
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (IValue::Array(x), IValue::Array(y)) | (IValue::Record(x), IValue::Record(y)) => {
                same_or_clock(x, y, now)
            }
            _ => {
                same_values(core::slice::from_ref(x), core::slice::from_ref(y))
                    || matches!((clock(x), clock(y)), (Some(p), Some(q)) if (p - q).abs() <= 60)
            }
        })
}

/// `real_services`: random values of a random function's parameter types through Fluence's
/// production services (spell, registry, trust-graph and aqua-ipfs, sqlite3's exports
/// included) → no panic, and every engine gives the same values or the same kind of error.
/// Calls change the services' state the same way on every engine; a call that runs out of
/// fuel or memory on any engine ends that comparison, and the service is loaded afresh.
pub fn real_services(data: &[u8]) {
    let mut loaded = real_services_loaded()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (root, services) = &mut *loaded;
    let mut u = Unstructured::new(data);
    let Ok(index) = u.choose_index(services.len()) else {
        return;
    };
    let real = &mut services[index];
    let Some(((module, function, ..), args)) = any_call(&mut u, &real.functions) else {
        return;
    };
    let answers = answers_of_every_engine(&mut real.engines, module, function, &args);
    real.calls += 1;
    // Running out of fuel inside a core call is an instruction error naming the fuel.
    let limited = answers.iter().any(|(_, answer)| match answer {
        Err((kind, text)) => {
            *kind == strait::ErrorKind::Limits || text.to_lowercase().contains("fuel")
        }
        Ok(_) => false,
    });
    if !limited {
        let call = format!(
            "{}: {module}.{function}({})",
            real.service.name,
            short(&args)
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i128::from(d.as_secs()));
        assert_agree(&call, &answers, |a, b| same_or_clock(a, b, now));
    }
    if limited || real.calls >= REAL_RELOAD_AFTER {
        *real = real_on_every_engine(root, &real.service).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The seed corpus of every target, made from `shared` (`../shared`): the IT sections and
/// texts of Marine's modules, their configs and some JSON arguments.
pub fn seed_corpus(shared: &std::path::Path) -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let artifacts = shared.join("artifacts");
    let mut wasm = Vec::new();
    let mut texts = Vec::new();
    let mut configs = Vec::new();
    let mut dirs = vec![artifacts.clone(), shared.join("golden/configs")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            let name = path.to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if name.ends_with(".wasm") {
                    wasm.push(bytes);
                } else if name.ends_with(".it.txt") {
                    texts.push(bytes);
                } else if name.ends_with(".toml") {
                    configs.push([&[0u8][..], &bytes].concat());
                }
            }
        }
    }
    let sections: Vec<Vec<u8>> = wasm
        .iter()
        .filter_map(|w| {
            let sections = strait_it::module::ModuleSections::read(w).ok()?;
            Some(sections.it_section().ok()?.to_vec())
        })
        .collect();
    let prefixes: Vec<Vec<u8>> = wasm
        .iter()
        .map(|w| w[..w.len().min(4096)].to_vec())
        .collect();
    for json in [
        &b"[\"x\"]"[..],
        b"{\"name\": \"x\"}",
        b"[{\"field_0\": 1, \"field_1\": \"s\", \"field_2\": [1, 2]}]",
        b"[[1, 2, 3], 4294967295, -1, 1e300, null, true]",
    ] {
        configs.push([&[1u8, 3, 7, 1, 2][..], json].concat());
    }
    vec![
        ("it_section", sections),
        ("it_text", texts.clone()),
        ("lift", prefixes.clone()),
        ("adapters", texts.clone()),
        ("differential", prefixes.clone()),
        ("service_config", configs),
        ("real_services", prefixes),
    ]
}
