//! JSON ⇄ interface values, with Marine's rules and error texts (`spec/service.md` §6).
//!
//! [`json_to_args`] turns the JSON arguments of a call into the function's [`IValue`]
//! arguments; [`ivalues_to_json`] turns its results into one JSON value. Both are driven by the
//! IT types of the function, and look record types up in the module's record table through
//! [`RecordLookup`].
//!
//! Errors carry only the detail text (the part after the colon in Marine's messages). The caller
//! names the module and the function: [`JsonArgError::in_call`] builds Marine's complete text,
//! ``arguments from json deserialization error in module "<m>", function "<f>": <detail>``.
//!
//! Neither direction panics, whatever the JSON or the values (D36): shapes that do not fit the
//! types are errors. Neither recurses either: arrays and records may nest [`MAX_DEPTH`] levels,
//! as deep as lifting and lowering go (D21), at the cost of heap frames, not host stack.
//! [`parse`] reads JSON text that deep, which serde_json's own parser refuses.

mod args;
mod results;
mod text;
mod write;

pub use text::{JsonTextError, MAX_TEXT_DEPTH, parse};
pub use write::{write_compact, write_results};

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::hash::BuildHasher;

use serde_json::Value;
use strait_it::{FunctionArg, IType, IValue, RecordType, TypeEntry};

/// How deep arrays and records may nest inside one argument or result: as deep as lifting and
/// lowering follow them (`strait_it::memory::MAX_DEPTH`, D21), so that every value a module can
/// take or return converts. An array or a record at nesting 1024 (the 1025th level) is refused.
pub const MAX_DEPTH: usize = strait_it::memory::MAX_DEPTH as usize;

/// Gives the record type of a record type id (`record N` in an [`IType`]).
///
/// Record ids are per module: they index the module's type list, in which function and record
/// types share one index space. Implemented for a type list (`[TypeEntry]`), for a dense table of
/// records (`[RecordType]`, index = id), and for maps from id to record.
pub trait RecordLookup {
    /// The record type with this id, or `None` if the id names no record.
    fn record(&self, id: u64) -> Option<&RecordType>;
}

impl RecordLookup for [TypeEntry] {
    fn record(&self, id: u64) -> Option<&RecordType> {
        match self.get(usize::try_from(id).ok()?)? {
            TypeEntry::Record(record) => Some(record),
            TypeEntry::Function(_) => None,
        }
    }
}

impl RecordLookup for Vec<TypeEntry> {
    fn record(&self, id: u64) -> Option<&RecordType> {
        self.as_slice().record(id)
    }
}

impl RecordLookup for [RecordType] {
    fn record(&self, id: u64) -> Option<&RecordType> {
        self.get(usize::try_from(id).ok()?)
    }
}

impl RecordLookup for Vec<RecordType> {
    fn record(&self, id: u64) -> Option<&RecordType> {
        self.as_slice().record(id)
    }
}

impl RecordLookup for BTreeMap<u64, RecordType> {
    fn record(&self, id: u64) -> Option<&RecordType> {
        self.get(&id)
    }
}

impl<S: BuildHasher> RecordLookup for hashbrown::HashMap<u64, RecordType, S> {
    fn record(&self, id: u64) -> Option<&RecordType> {
        self.get(&id)
    }
}

impl<T: RecordLookup + ?Sized> RecordLookup for &T {
    fn record(&self, id: u64) -> Option<&RecordType> {
        (**self).record(id)
    }
}

/// A record table without records, for signatures that use none.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRecords;

impl RecordLookup for NoRecords {
    fn record(&self, _id: u64) -> Option<&RecordType> {
        None
    }
}

/// Why JSON arguments do not fit a function's parameters.
///
/// `Display` gives the detail text exactly as Marine words it (D41 aside); wrap it with
/// [`JsonArgError::in_call`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonArgError {
    /// An array container, a record given as an array, or an object with extra keys, does not
    /// have as many entries as there are parameters (or fields).
    #[error("function requires {expected} arguments, {provided} provided")]
    ArgumentCount {
        /// Parameters (or record fields) expected.
        expected: usize,
        /// Entries provided.
        provided: usize,
    },
    /// An object container (or a record given as an object) lacks a parameter (or field).
    #[error("missing argument with name {name}")]
    MissingArgument {
        /// The parameter or field name.
        name: String,
    },
    /// `null` was passed to a function that has parameters.
    #[error(
        "the called function has the following signature: {signature}, but no arguments is provided"
    )]
    NoArguments {
        /// The parameters as Marine lists them: `[("name", String)]`.
        signature: String,
    },
    /// A bare value (neither array, object nor `null`) was passed to a function that does not
    /// have exactly one parameter.
    #[error(
        "called function has the following signature: '{signature}', and it isn't suitable for an argument '{argument}' provided"
    )]
    UnsuitableArgument {
        /// The parameters as Marine lists them: `[("a", S32), ("b", S32)]`.
        signature: String,
        /// The value, in serde_json's `Debug` form (`Number(1)`).
        argument: String,
    },
    /// A scalar or a string does not have the parameter's type or range.
    #[error(
        "error Error({message:?}, line: 0, column: 0) occurred while deserializing function arguments"
    )]
    Deserialize {
        /// serde's message, e.g. ``invalid value: integer `128`, expected i8``.
        message: String,
    },
    /// A `byte_array` parameter got something other than an array.
    #[error("expected bytearray, got {got}")]
    ExpectedByteArray {
        /// The value, in serde_json's `Debug` form (`String("AQID")`, `Null`).
        got: String,
    },
    /// An `array` parameter got something other than an array.
    #[error("expected array of {element:?} types, got {got}")]
    ExpectedArray {
        /// The element type.
        element: IType,
        /// The value, in serde_json's `Debug` form.
        got: String,
    },
    /// A record type id that the module's record table does not define.
    #[error("record with type id `{id}` wasn't found")]
    UnknownRecord {
        /// The record type id.
        id: u64,
    },
    /// A record parameter (or field) got something other than an object or an array. Marine
    /// names only the type id; strait names the record type too (D41).
    #[error("record {name} (type id `{id}`) should be encoded as array or map of fields")]
    RecordShape {
        /// The record type id.
        id: u64,
        /// The record type's name.
        name: String,
    },
    /// Arrays and records nest deeper than [`MAX_DEPTH`].
    #[error("arguments nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A record given as an object lacks a field (Marine says "missing argument").
    #[error("missing field `{field}` ({ty}) of record {record}")]
    MissingField {
        /// The record type's name.
        record: String,
        /// The field's name.
        field: String,
        /// The field's type, as the interface listing writes it.
        ty: String,
    },
    /// An error inside one argument, with where it is: ``argument 1 `name` (string)``, then
    /// the record fields and array indexes down to the value, e.g. ``argument 1 `rec`
    /// (TestRecord), field `num` (i32)``. serde's errors are given as serde's bare message.
    #[error("{location}: {}", detail(error))]
    At {
        /// Where the value is.
        location: String,
        /// What is wrong with it.
        error: Box<JsonArgError>,
    },
}

/// The text of an error inside a located one: serde's bare message rather than Marine's
/// wrapping of it, which would repeat that the arguments were being deserialized.
fn detail(error: &JsonArgError) -> String {
    match error {
        JsonArgError::Deserialize { message } => message.clone(),
        other => other.to_string(),
    }
}

/// Puts `error` at `location`, in front of any location it already has.
fn at(location: String, error: JsonArgError) -> JsonArgError {
    match error {
        JsonArgError::At {
            location: inner,
            error,
        } => JsonArgError::At {
            location: format!("{location}, {inner}"),
            error,
        },
        // Already says where it is and what is expected.
        error @ JsonArgError::TooDeep { .. } => error,
        error => JsonArgError::At {
            location,
            error: Box::new(error),
        },
    }
}

/// The type as the interface listing writes it (`string`, `[]u8`, a record's name).
fn listing(ty: &IType, records: &dyn RecordLookup) -> String {
    let name = |id: u64| records.record(id).map(|record| record.name.as_str());
    ty.listing(&name).to_string()
}

/// What a list of values stands for: a function's arguments or a record's fields.
#[derive(Clone, Copy)]
enum Entries<'a> {
    Arguments,
    Fields(&'a str),
}

impl Entries<'_> {
    /// Where entry `index` named `name` of type `ty` is, for messages.
    fn location(self, index: usize, name: &str, ty: &IType, records: &dyn RecordLookup) -> String {
        let ty = listing(ty, records);
        match self {
            Entries::Arguments => format!("argument {} `{name}` ({ty})", index + 1),
            Entries::Fields(_) => format!("field `{name}` ({ty})"),
        }
    }
}

impl JsonArgError {
    /// Marine's complete message for this error in a call of `function` of `module`:
    /// ``arguments from json deserialization error in module "<m>", function "<f>": <detail>``.
    pub fn in_call(&self, module: &str, function: &str) -> String {
        format!(
            "arguments from json deserialization error in module \"{module}\", function \"{function}\": {self}"
        )
    }
}

/// Why results cannot be turned into JSON.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonResultError {
    /// More than one result: JSON has room for one value (Marine panics here, D35).
    #[error("{count} results cannot be converted to JSON: at most one result is supported")]
    MultipleResults {
        /// The number of results.
        count: usize,
    },
    /// The number of values differs from the number of result types.
    #[error("{values} result values do not match {types} result types")]
    ResultCount {
        /// Values given.
        values: usize,
        /// Result types given.
        types: usize,
    },
    /// A value does not have its declared type.
    #[error("a value of kind {found} does not match the type {expected}")]
    TypeMismatch {
        /// The declared type.
        expected: IType,
        /// The value's kind ([`IValue::kind_name`]).
        found: &'static str,
    },
    /// A record type id that the module's record table does not define.
    #[error("record with type id `{id}` wasn't found")]
    UnknownRecord {
        /// The record type id.
        id: u64,
    },
    /// A record value with a number of fields other than its type's.
    #[error("record {name} has {expected} fields, but the value has {found}")]
    RecordArity {
        /// The record type's name.
        name: String,
        /// Fields of the type.
        expected: usize,
        /// Fields of the value.
        found: usize,
    },
    /// NaN or an infinity, which JSON cannot represent.
    #[error("the float {value} cannot be represented in JSON")]
    NonFiniteFloat {
        /// The value.
        value: f64,
    },
    /// Arrays and records nest deeper than [`MAX_DEPTH`].
    #[error("the result nests deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
}

/// Converts the JSON arguments of a call into the values of `params` (`spec/service.md` §6.1).
///
/// The container may be an array (positional), an object (by parameter name), `null` (no
/// parameters) or, for a one-parameter function, the argument itself. `records` resolves the
/// record types the parameters use. Arrays and records may nest [`MAX_DEPTH`] levels; the
/// conversion does not recurse, so no input exhausts the host stack.
pub fn json_to_args(
    args: &Value,
    params: &[FunctionArg],
    records: &dyn RecordLookup,
) -> Result<Vec<IValue>, JsonArgError> {
    args::json_to_args(Cow::Borrowed(args), params, records)
}

/// [`json_to_args`] for arguments the caller no longer needs: their strings move into the
/// values instead of being copied. Same rules, same errors.
///
/// ```
/// use strait::json::{NoRecords, json_into_args};
/// use strait::{FunctionArg, IType, IValue};
///
/// let params = [FunctionArg { name: "name".into(), ty: IType::String }];
/// let args = json_into_args(serde_json::json!(["World"]), &params, &NoRecords);
/// assert_eq!(args, Ok(vec![IValue::String("World".into())]));
/// ```
pub fn json_into_args(
    args: Value,
    params: &[FunctionArg],
    records: &dyn RecordLookup,
) -> Result<Vec<IValue>, JsonArgError> {
    args::json_to_args(Cow::Owned(args), params, records)
}

/// [`json_to_args`] or [`json_into_args`], as `args` is borrowed or owned.
pub(crate) fn json_cow_to_args(
    args: Cow<'_, Value>,
    params: &[FunctionArg],
    records: &dyn RecordLookup,
) -> Result<Vec<IValue>, JsonArgError> {
    args::json_to_args(args, params, records)
}

/// Converts a function's results into one JSON value (`spec/service.md` §6.3): no result is
/// `null`, one result is its value, more than one is an error (D35).
///
/// `types` are the function's result types; they give records their field names (records
/// become objects keyed by field name, in serde_json's sorted key order, as in Marine).
pub fn ivalues_to_json(
    values: &[IValue],
    types: &[IType],
    records: &dyn RecordLookup,
) -> Result<Value, JsonResultError> {
    match one_result(values.len(), types)? {
        None => Ok(Value::Null),
        Some(ty) => match values.first() {
            Some(value) => results::ivalue_to_json(Cow::Borrowed(value), ty, records),
            None => Ok(Value::Null),
        },
    }
}

/// [`ivalues_to_json`] for results the caller no longer needs: their strings move into the
/// JSON instead of being copied.
///
/// ```
/// use strait::json::{NoRecords, ivalues_into_json};
/// use strait::{IType, IValue};
///
/// let json = ivalues_into_json(vec![IValue::String("Hi".into())], &[IType::String], &NoRecords);
/// assert_eq!(json, Ok(serde_json::json!("Hi")));
/// ```
pub fn ivalues_into_json(
    mut values: Vec<IValue>,
    types: &[IType],
    records: &dyn RecordLookup,
) -> Result<Value, JsonResultError> {
    match one_result(values.len(), types)? {
        None => Ok(Value::Null),
        Some(ty) => match values.pop() {
            Some(value) => results::ivalue_to_json(Cow::Owned(value), ty, records),
            None => Ok(Value::Null),
        },
    }
}

/// The type of the one result of a call with `count` values of `types`, `None` for no result;
/// an error for more than one, or a count that does not match the types.
fn one_result(count: usize, types: &[IType]) -> Result<Option<&IType>, JsonResultError> {
    if count != types.len() {
        return Err(JsonResultError::ResultCount {
            values: count,
            types: types.len(),
        });
    }
    match types {
        [] => Ok(None),
        [ty] => Ok(Some(ty)),
        _ => Err(JsonResultError::MultipleResults { count }),
    }
}

/// Converts one value of type `ty` into JSON.
///
/// Integers stay exact over the whole i64/u64 range; floats become JSON numbers (`f32` widened
/// exactly with `f64::from`), NaN and infinities are errors; byte arrays and arrays of `u8`
/// become arrays of numbers. Arrays and records may nest [`MAX_DEPTH`] levels; the conversion
/// does not recurse.
pub fn ivalue_to_json(
    value: &IValue,
    ty: &IType,
    records: &dyn RecordLookup,
) -> Result<Value, JsonResultError> {
    results::ivalue_to_json(Cow::Borrowed(value), ty, records)
}

/// A value in serde_json's `Debug` form, as Marine's messages quote it. `Debug` recurses, so a
/// value nested deeper than JSON text can be (built in code) is quoted by its outer shape only.
fn debug(value: &Value) -> String {
    if nesting_exceeds(value, MAX_TEXT_DEPTH) {
        let shape = match value {
            Value::Array(_) => "Array",
            Value::Object(_) => "Object",
            _ => "Value",
        };
        return format!("{shape}(<nested deeper than {} levels>)", MAX_TEXT_DEPTH);
    }
    format!("{value:?}")
}

/// Whether arrays and objects in `value` nest deeper than `limit`, found without recursion.
fn nesting_exceeds(value: &Value, limit: usize) -> bool {
    let mut pending = alloc::vec![(value, 0usize)];
    while let Some((value, depth)) = pending.pop() {
        let depth = depth.saturating_add(1);
        match value {
            Value::Array(_) | Value::Object(_) if depth > limit => return true,
            Value::Array(items) => pending.extend(items.iter().map(|item| (item, depth))),
            Value::Object(map) => pending.extend(map.values().map(|item| (item, depth))),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::vec;
    use serde_json::json;
    use strait_it::RecordField;

    /// Both conversions of the arguments, borrowed and owned, which must agree.
    fn json_to_args(
        args: &Value,
        params: &[FunctionArg],
        records: &dyn RecordLookup,
    ) -> Result<Vec<IValue>, JsonArgError> {
        let borrowed = super::json_to_args(args, params, records);
        assert_eq!(json_into_args(args.clone(), params, records), borrowed);
        borrowed
    }

    /// Both conversions of the results, borrowed and owned, which must agree.
    fn ivalues_to_json(
        values: &[IValue],
        types: &[IType],
        records: &dyn RecordLookup,
    ) -> Result<Value, JsonResultError> {
        let borrowed = super::ivalues_to_json(values, types, records);
        // Compared as text: a NaN in an error is not equal to itself.
        assert_eq!(
            format!("{:?}", ivalues_into_json(values.to_vec(), types, records)),
            format!("{borrowed:?}")
        );
        // Written straight to text: the same text, or the same error with nothing written.
        let mut text = String::from("before");
        let written = write_results(values, types, records, &mut text);
        match &borrowed {
            Ok(json) => {
                assert_eq!(written, Ok(()));
                let mut expected = String::from("before");
                write_compact(&mut expected, json);
                assert_eq!(text, expected);
            }
            Err(error) => {
                assert_eq!(format!("{written:?}"), format!("{:?}", Err::<(), _>(error)));
                assert_eq!(text, "before");
            }
        }
        borrowed
    }

    /// [`ivalues_to_json`] of one value.
    fn ivalue_to_json(
        value: &IValue,
        ty: &IType,
        records: &dyn RecordLookup,
    ) -> Result<Value, JsonResultError> {
        let one = super::ivalue_to_json(value, ty, records);
        let all = ivalues_to_json(
            core::slice::from_ref(value),
            core::slice::from_ref(ty),
            records,
        );
        assert_eq!(format!("{all:?}"), format!("{one:?}"));
        one
    }

    fn arg(name: &str, ty: IType) -> FunctionArg {
        FunctionArg {
            name: name.into(),
            ty,
        }
    }

    /// `records_effector`'s type list up to `TestRecord` (id 10), as in its `.it.txt`.
    fn test_record_types() -> BTreeMap<u64, RecordType> {
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
        let record = RecordType {
            name: "TestRecord".into(),
            fields: types
                .into_iter()
                .enumerate()
                .map(|(i, ty)| RecordField {
                    name: format!("field_{i}"),
                    ty,
                })
                .collect(),
        };
        BTreeMap::from([(10, record)])
    }

    fn greeting() -> Vec<FunctionArg> {
        vec![arg("name", IType::String)]
    }

    fn greet(args: Value) -> Result<Vec<IValue>, String> {
        json_to_args(&args, &greeting(), &NoRecords).map_err(|e| e.to_string())
    }

    fn mutate(args: Value) -> Result<Vec<IValue>, String> {
        json_to_args(
            &args,
            &[arg("test_record", IType::Record(10))],
            &test_record_types(),
        )
        .map_err(|e| e.to_string())
    }

    fn record_json() -> Value {
        json!({"field_0": false, "field_1": 0, "field_2": 0, "field_3": 0, "field_4": 0,
               "field_5": 0, "field_6": 0, "field_7": 0, "field_8": 0, "field_9": 0,
               "field_10": 0, "field_11": "field", "field_12": [1]})
    }

    fn with_field(name: &str, value: Value) -> Value {
        let mut record = record_json();
        record[name] = value;
        json!([record])
    }

    #[test]
    fn argument_containers() {
        let hi = Ok(vec![IValue::String("Fluence".into())]);
        assert_eq!(greet(json!("Fluence")), hi);
        assert_eq!(greet(json!(["Fluence"])), hi);
        assert_eq!(greet(json!({"name": "Fluence"})), hi);
        assert_eq!(greet(json!([""])), Ok(vec![IValue::String("".into())]));
        // D57: a one-element array stands for its element.
        assert_eq!(greet(json!([["x"]])), Ok(vec![IValue::String("x".into())]));
        assert_eq!(
            greet(json!([[["x"]]])),
            Err(format!(
                "argument 1 `name` (string): {}",
                "invalid type: sequence, expected a string"
            ))
        );
        let nul = "a\u{0}\"\\\n\t😀日本語Привет";
        assert_eq!(greet(json!([nul])), Ok(vec![IValue::String(nul.into())]));
    }

    #[test]
    fn argument_container_errors() {
        // O11, word for word.
        assert_eq!(
            greet(json!([])),
            Err("function requires 1 arguments, 0 provided".into())
        );
        assert_eq!(
            greet(json!(["a", "b"])),
            Err("function requires 1 arguments, 2 provided".into())
        );
        assert_eq!(
            greet(json!({"extra": 1, "name": "x"})),
            Err("function requires 1 arguments, 2 provided".into())
        );
        assert_eq!(
            greet(json!({"nam": "x"})),
            Err("missing argument with name name".into())
        );
        assert_eq!(
            greet(json!({})),
            Err("missing argument with name name".into())
        );
        assert_eq!(
            greet(Value::Null),
            Err("the called function has the following signature: [(\"name\", String)], but no arguments is provided".into())
        );
        assert_eq!(
            greet(json!([1])),
            Err(format!(
                "argument 1 `name` (string): {}",
                "invalid type: integer `1`, expected a string"
            ))
        );
        assert_eq!(
            greet(json!(42)),
            Err(format!(
                "argument 1 `name` (string): {}",
                "invalid type: integer `42`, expected a string"
            ))
        );
        assert_eq!(
            greet(json!([true])),
            Err(format!(
                "argument 1 `name` (string): {}",
                "invalid type: boolean `true`, expected a string"
            ))
        );
        assert_eq!(
            greet(json!([null])),
            Err(format!(
                "argument 1 `name` (string): {}",
                "invalid type: null, expected a string"
            ))
        );
        assert_eq!(
            greet(json!([{"a": 1}])),
            Err(format!(
                "argument 1 `name` (string): {}",
                "invalid type: map, expected a string"
            ))
        );
    }

    #[test]
    fn nullary_functions() {
        // O12.
        for args in [json!([]), json!({}), Value::Null] {
            assert_eq!(json_to_args(&args, &[], &NoRecords), Ok(vec![]));
        }
        assert_eq!(
            json_to_args(&json!([1]), &[], &NoRecords)
                .unwrap_err()
                .to_string(),
            "function requires 0 arguments, 1 provided"
        );
        assert_eq!(
            json_to_args(&json!(1), &[], &NoRecords)
                .unwrap_err()
                .to_string(),
            "called function has the following signature: '[]', and it isn't suitable for an argument 'Number(1)' provided"
        );
    }

    #[test]
    fn signature_renders_like_marine() {
        let params = [
            arg("a", IType::Array(Box::new(IType::U8))),
            arg("r", IType::Record(6)),
            arg("b", IType::ByteArray),
        ];
        assert_eq!(
            json_to_args(&Value::Null, &params, &NoRecords)
                .unwrap_err()
                .to_string(),
            "the called function has the following signature: [(\"a\", Array(U8)), (\"r\", Record(6)), (\"b\", ByteArray)], but no arguments is provided"
        );
    }

    #[test]
    fn the_wrapped_message() {
        let error = json_to_args(&json!([]), &greeting(), &NoRecords).unwrap_err();
        assert_eq!(
            error.in_call("greeting", "greeting"),
            "arguments from json deserialization error in module \"greeting\", function \"greeting\": function requires 1 arguments, 0 provided"
        );
    }

    #[test]
    fn records_as_objects_and_arrays() {
        let expected = vec![IValue::Record(vec![
            IValue::Boolean(false),
            IValue::S8(0),
            IValue::S16(0),
            IValue::S32(0),
            IValue::S64(0),
            IValue::U8(0),
            IValue::U16(0),
            IValue::U32(0),
            IValue::U64(0),
            IValue::F32(0.0),
            IValue::F64(0.0),
            IValue::String("field".into()),
            IValue::ByteArray(vec![1]),
        ])];
        assert_eq!(
            mutate(json!({"test_record": record_json()})),
            Ok(expected.clone())
        );
        assert_eq!(mutate(json!([record_json()])), Ok(expected.clone()));
        assert_eq!(
            mutate(json!([[false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "field", [1]]])),
            Ok(expected.clone())
        );
        assert_eq!(
            mutate(json!({"test_record": [false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "field", [1]]})),
            Ok(expected)
        );
    }

    #[test]
    fn boundary_values() {
        // O13: boundaries pass, an integer is accepted for an f32.
        let mut record = record_json();
        record["field_1"] = json!(-128);
        record["field_4"] = json!(i64::MIN);
        record["field_8"] = json!(u64::MAX);
        record["field_7"] = json!(u32::MAX);
        record["field_9"] = json!(9);
        record["field_10"] = json!(f64::MAX);
        let out = mutate(json!([record])).unwrap();
        let IValue::Record(fields) = &out[0] else {
            panic!("not a record")
        };
        assert_eq!(fields[1], IValue::S8(-128));
        assert_eq!(fields[4], IValue::S64(i64::MIN));
        assert_eq!(fields[7], IValue::U32(u32::MAX));
        assert_eq!(fields[8], IValue::U64(u64::MAX));
        assert_eq!(fields[9], IValue::F32(9.0));
        assert_eq!(fields[10], IValue::F64(f64::MAX));
        let out = mutate(with_field("field_10", json!(-0.0))).unwrap();
        let IValue::Record(fields) = &out[0] else {
            panic!("not a record")
        };
        let IValue::F64(zero) = fields[10] else {
            panic!("not an f64")
        };
        assert!(zero == 0.0 && zero.is_sign_negative());
        let f32_max: Value = serde_json::from_str("3.4028234663852886e+38").unwrap();
        assert!(mutate(with_field("field_9", f32_max)).is_ok());
        assert!(mutate(with_field("field_1", json!(127))).is_ok());
        // Beyond f32's range: an error, not an infinity no JSON result could give back (a
        // fuzz finding).
        let error = mutate(with_field("field_9", json!(-1e39))).unwrap_err();
        assert!(
            error.to_string().contains("out of range for f32"),
            "{error}"
        );
    }

    #[test]
    fn value_errors() {
        // O13, word for word.
        let cases = [
            (
                "field_1",
                json!(128),
                "invalid value: integer `128`, expected i8",
            ),
            (
                "field_5",
                json!(-1),
                "invalid value: integer `-1`, expected u8",
            ),
            (
                "field_5",
                json!(256),
                "invalid value: integer `256`, expected u8",
            ),
            (
                "field_8",
                json!(-1),
                "invalid value: integer `-1`, expected u64",
            ),
            (
                "field_3",
                json!(1.5),
                "invalid type: floating point `1.5`, expected i32",
            ),
            (
                "field_0",
                json!(1),
                "invalid type: integer `1`, expected a boolean",
            ),
            (
                "field_0",
                json!("true"),
                "invalid type: string \"true\", expected a boolean",
            ),
            (
                "field_11",
                Value::Null,
                "invalid type: null, expected a string",
            ),
            (
                "field_12",
                json!([256]),
                "invalid value: integer `256`, expected u8",
            ),
            (
                "field_12",
                json!("AQID"),
                "expected bytearray, got String(\"AQID\")",
            ),
            ("field_12", Value::Null, "expected bytearray, got Null"),
        ];
        // Marine's detail, located: the argument, the field and its type, then the detail.
        for (field, value, expected) in cases {
            let error: String = mutate(with_field(field, value)).unwrap_err();
            let location = format!("argument 1 `test_record` (TestRecord), field `{field}` (");
            assert!(error.starts_with(&location), "{field}: {error}");
            assert!(
                error.ends_with(&format!(": {expected}")),
                "{field}: {error}"
            );
        }
        assert_eq!(
            mutate(with_field("field_12", json!([1, 256]))),
            Err("argument 1 `test_record` (TestRecord), field `field_12` ([]u8), index 1 (u8): invalid value: integer `256`, expected u8".into())
        );
    }

    #[test]
    fn record_shape_errors() {
        let mut missing = record_json();
        missing.as_object_mut().unwrap().remove("field_5");
        assert_eq!(
            mutate(json!([missing])),
            Err("argument 1 `test_record` (TestRecord): missing field `field_5` (u8) of record TestRecord".into())
        );
        assert_eq!(
            mutate(with_field("field_13", json!(1))),
            Err("argument 1 `test_record` (TestRecord): function requires 13 arguments, 14 provided".into())
        );
        assert_eq!(
            mutate(json!([[false, 0, 0]])),
            Err(
                "argument 1 `test_record` (TestRecord): function requires 13 arguments, 3 provided"
                    .into()
            )
        );
        // D41: Marine's phrase, with the record named.
        let null = mutate(json!([null])).unwrap_err();
        assert!(
            null.contains("should be encoded as array or map of fields"),
            "{null}"
        );
        assert!(null.contains("TestRecord"), "{null}");
        assert_eq!(
            json_to_args(&json!([{}]), &[arg("r", IType::Record(3))], &NoRecords)
                .unwrap_err()
                .to_string(),
            "argument 1 `r` (record 3): record with type id `3` wasn't found"
        );
    }

    #[test]
    fn repeated_names_are_taken_once() {
        let params = [arg("a", IType::S32), arg("a", IType::S32)];
        assert_eq!(
            json_to_args(&json!({"a": 1}), &params, &NoRecords)
                .unwrap_err()
                .to_string(),
            "missing argument with name a"
        );
    }

    #[test]
    fn arrays_and_byte_arrays() {
        let params = [
            arg("bytes", IType::ByteArray),
            arg("words", IType::Array(Box::new(IType::String))),
            arg("u8s", IType::Array(Box::new(IType::U8))),
        ];
        assert_eq!(
            json_to_args(
                &json!([[1, [2], 255], ["a", ["b"]], [7]]),
                &params,
                &NoRecords
            ),
            Ok(vec![
                IValue::ByteArray(vec![1, 2, 255]),
                IValue::Array(vec![IValue::String("a".into()), IValue::String("b".into())]),
                IValue::Array(vec![IValue::U8(7)]),
            ])
        );
        assert_eq!(
            json_to_args(&json!([[], "x", []]), &params, &NoRecords)
                .unwrap_err()
                .to_string(),
            "argument 2 `words` ([]string): expected array of String types, got String(\"x\")"
        );
    }

    #[test]
    fn every_scalar_type() {
        let params = [
            arg("a", IType::S16),
            arg("b", IType::U16),
            arg("c", IType::I32),
            arg("d", IType::I64),
            arg("e", IType::F32),
            arg("f", IType::F64),
            arg("g", IType::Boolean),
        ];
        assert_eq!(
            json_to_args(
                &json!([-3, [4], 5, -6, 1.5, [2], true]),
                &params,
                &NoRecords
            ),
            Ok(vec![
                IValue::S16(-3),
                IValue::U16(4),
                IValue::I32(5),
                IValue::I64(-6),
                IValue::F32(1.5),
                IValue::F64(2.0),
                IValue::Boolean(true),
            ])
        );
        assert_eq!(
            json_to_args(&json!([65536]), &[arg("b", IType::U16)], &NoRecords)
                .unwrap_err()
                .to_string(),
            "argument 1 `b` (u16): invalid value: integer `65536`, expected u16"
        );
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let mut ty = IType::S32;
        let mut value = json!(1);
        for _ in 0..=MAX_DEPTH + 1 {
            ty = IType::Array(Box::new(ty));
            value = json!([value]);
        }
        assert_eq!(
            json_to_args(&json!([value]), &[arg("deep", ty)], &NoRecords),
            Err(JsonArgError::TooDeep { limit: MAX_DEPTH })
        );
    }

    #[test]
    fn results() {
        let records = test_record_types();
        assert_eq!(ivalues_to_json(&[], &[], &records), Ok(Value::Null));
        assert_eq!(
            ivalues_to_json(&[IValue::String("Hi".into())], &[IType::String], &records),
            Ok(json!("Hi"))
        );
        let record = IValue::Record(vec![
            IValue::Boolean(true),
            IValue::S8(1),
            IValue::S16(2),
            IValue::S32(3),
            IValue::S64(i64::MIN),
            IValue::U8(5),
            IValue::U16(6),
            IValue::U32(7),
            IValue::U64(u64::MAX),
            IValue::F32(9.0),
            IValue::F64(10.0),
            IValue::String("field_11".into()),
            IValue::ByteArray(vec![19, 55]),
        ]);
        let out = ivalues_to_json(&[record], &[IType::Record(10)], &records).unwrap();
        // O14: keys sorted byte-wise, integral floats keep a fraction, u64/i64 exact.
        assert_eq!(
            serde_json::to_string(&out).unwrap(),
            "{\"field_0\":true,\"field_1\":1,\"field_10\":10.0,\"field_11\":\"field_11\",\
             \"field_12\":[19,55],\"field_2\":2,\"field_3\":3,\"field_4\":-9223372036854775808,\
             \"field_5\":5,\"field_6\":6,\"field_7\":7,\"field_8\":18446744073709551615,\
             \"field_9\":9.0}"
        );
    }

    #[test]
    fn results_written_as_text() {
        let field = |name: &str, ty: IType| RecordField {
            name: name.into(),
            ty,
        };
        // Names out of order, a repeated name (a map keeps the last), a nested record, and a
        // record too wide to be sorted on the stack.
        let records = vec![
            RecordType {
                name: "R".into(),
                fields: vec![
                    field("b", IType::String),
                    field("a", IType::U8),
                    field("b", IType::F32),
                    field("", IType::Record(1)),
                    field("z", IType::Array(Box::new(IType::U8))),
                ],
            },
            RecordType {
                name: "Wide".into(),
                fields: (0..70)
                    .map(|i| field(&format!("f{i}"), IType::S64))
                    .collect(),
            },
        ];
        let wide = IValue::Record((0..70).map(IValue::S64).collect());
        let record = IValue::Record(vec![
            IValue::String("x\n\"".into()),
            IValue::U8(7),
            IValue::F32(0.5),
            wide.clone(),
            IValue::Array(vec![IValue::U8(1), IValue::U8(2)]),
        ]);
        let out = ivalues_to_json(
            core::slice::from_ref(&record),
            &[IType::Record(0)],
            &records,
        )
        .unwrap();
        assert_eq!(out["b"], json!(0.5));
        let array = IType::Array(Box::new(IType::Record(0)));
        ivalues_to_json(
            &[IValue::Array(vec![record.clone(), record])],
            &[array],
            &records,
        )
        .unwrap();
        ivalues_to_json(&[wide], &[IType::Record(1)], &records).unwrap();
        // Errors: a NaN deep inside, a missing record type, a wrong kind.
        let nan = IValue::Record(vec![
            IValue::String(String::new()),
            IValue::U8(0),
            IValue::F32(f32::NAN),
            IValue::Record((0..70).map(IValue::S64).collect()),
            IValue::ByteArray(vec![]),
        ]);
        assert!(ivalues_to_json(&[nan], &[IType::Record(0)], &records).is_err());
        assert!(ivalues_to_json(&[IValue::Record(vec![])], &[IType::Record(5)], &records).is_err());
        assert!(ivalues_to_json(&[IValue::S8(1)], &[IType::U8], &records).is_err());
        ivalues_to_json(&[], &[], &records).unwrap();
    }

    #[test]
    fn result_arrays_and_bytes() {
        let u8s = IType::Array(Box::new(IType::U8));
        let cases = [
            (IValue::ByteArray(vec![1, 2]), IType::ByteArray),
            (IValue::ByteArray(vec![1, 2]), u8s.clone()),
            (
                IValue::Array(vec![IValue::U8(1), IValue::U8(2)]),
                IType::ByteArray,
            ),
            (IValue::Array(vec![IValue::U8(1), IValue::U8(2)]), u8s),
        ];
        for (value, ty) in cases {
            assert_eq!(ivalue_to_json(&value, &ty, &NoRecords), Ok(json!([1, 2])));
        }
        assert_eq!(
            ivalue_to_json(&IValue::F32(0.1), &IType::F32, &NoRecords),
            Ok(json!(f64::from(0.1f32)))
        );
    }

    #[test]
    fn result_errors_never_panic() {
        assert_eq!(
            ivalues_to_json(
                &[IValue::S32(1), IValue::S32(2)],
                &[IType::S32, IType::S32],
                &NoRecords
            ),
            Err(JsonResultError::MultipleResults { count: 2 })
        );
        assert_eq!(
            ivalues_to_json(&[IValue::S32(1)], &[], &NoRecords),
            Err(JsonResultError::ResultCount {
                values: 1,
                types: 0
            })
        );
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(matches!(
                ivalue_to_json(&IValue::F64(value), &IType::F64, &NoRecords),
                Err(JsonResultError::NonFiniteFloat { .. })
            ));
        }
        assert!(matches!(
            ivalue_to_json(&IValue::F32(f32::NAN), &IType::F32, &NoRecords),
            Err(JsonResultError::NonFiniteFloat { .. })
        ));
        assert_eq!(
            ivalue_to_json(&IValue::S32(1), &IType::U32, &NoRecords),
            Err(JsonResultError::TypeMismatch {
                expected: IType::U32,
                found: "S32"
            })
        );
        assert!(matches!(
            ivalue_to_json(
                &IValue::Array(vec![IValue::S8(1)]),
                &IType::ByteArray,
                &NoRecords
            ),
            Err(JsonResultError::TypeMismatch { .. })
        ));
        assert_eq!(
            ivalue_to_json(&IValue::Record(vec![]), &IType::Record(10), &NoRecords),
            Err(JsonResultError::UnknownRecord { id: 10 })
        );
        assert_eq!(
            ivalue_to_json(
                &IValue::Record(vec![IValue::Boolean(true)]),
                &IType::Record(10),
                &test_record_types()
            ),
            Err(JsonResultError::RecordArity {
                name: "TestRecord".into(),
                expected: 13,
                found: 1
            })
        );
        // A record that contains itself, with a value as deep as the limit allows.
        let records = vec![RecordType {
            name: "Loop".into(),
            fields: vec![RecordField {
                name: "next".into(),
                ty: IType::Record(0),
            }],
        }];
        let mut value = IValue::Record(vec![IValue::S32(0)]);
        for _ in 0..=MAX_DEPTH + 1 {
            value = IValue::Record(vec![value]);
        }
        assert_eq!(
            ivalue_to_json(&value, &IType::Record(0), &records),
            Err(JsonResultError::TooDeep { limit: MAX_DEPTH })
        );
    }

    /// Record types `R0 { v: s32 }` and `Rk { next: record k-1 }` up to `R{levels-1}`: a
    /// value of the last nests `levels` records deep.
    fn chain(levels: usize) -> Vec<RecordType> {
        (0..levels)
            .map(|k| RecordType {
                name: format!("R{k}"),
                fields: vec![match k {
                    0 => RecordField {
                        name: "v".into(),
                        ty: IType::S32,
                    },
                    _ => RecordField {
                        name: "next".into(),
                        ty: IType::Record(k as u64 - 1),
                    },
                }],
            })
            .collect()
    }

    /// The JSON and the value of a chain record `levels` deep holding `v`.
    fn chain_value(levels: usize, v: i32) -> (Value, IValue) {
        let mut json = json!({ "v": v });
        let mut value = IValue::Record(vec![IValue::S32(v)]);
        for _ in 1..levels {
            json = json!({ "next": json });
            value = IValue::Record(vec![value]);
        }
        (json, value)
    }

    #[test]
    fn records_as_deep_as_lifting_goes() {
        // As deep as lifting and lowering go (D21), in both directions, without recursion:
        // this runs on a test thread's 2 MiB stack.
        for levels in [1, 2, 500, MAX_DEPTH] {
            let records = chain(levels);
            let params = [arg("r", IType::Record(levels as u64 - 1))];
            let (json, value) = chain_value(levels, 7);
            let args = json_to_args(&json!([json]), &params, &records).unwrap();
            assert_eq!(args, vec![value.clone()], "{levels}");
            let back = ivalue_to_json(&value, &params[0].ty, &records).unwrap();
            assert_eq!(back, json, "{levels}");
            // Through text as well, the way the CLI takes arguments and prints results.
            assert_eq!(parse(&back.to_string()).unwrap(), back);
        }
        // One level more is refused both ways.
        let levels = MAX_DEPTH + 1;
        let records = chain(levels);
        let ty = IType::Record(levels as u64 - 1);
        let (json, value) = chain_value(levels, 7);
        assert_eq!(
            json_to_args(&json!([json]), &[arg("r", ty.clone())], &records),
            Err(JsonArgError::TooDeep { limit: MAX_DEPTH })
        );
        assert_eq!(
            ivalue_to_json(&value, &ty, &records),
            Err(JsonResultError::TooDeep { limit: MAX_DEPTH })
        );
        assert_eq!(
            JsonArgError::TooDeep { limit: MAX_DEPTH }.to_string(),
            "arguments nest deeper than 1024 levels"
        );
    }

    #[test]
    fn deep_errors_name_every_level() {
        let records = chain(3);
        let params = [arg("r", IType::Record(2))];
        let args = json!([{"next": {"next": {"v": "x"}}}]);
        assert_eq!(
            json_to_args(&args, &params, &records)
                .unwrap_err()
                .to_string(),
            "argument 1 `r` (R2), field `next` (R1), field `next` (R0), field `v` (i32): \
             invalid type: string \"x\", expected i32"
        );
        // A record's own error is placed by the levels around it.
        let args = json!([{"next": {"next": {}}}]);
        assert_eq!(
            json_to_args(&args, &params, &records)
                .unwrap_err()
                .to_string(),
            "argument 1 `r` (R2), field `next` (R1), field `next` (R0): missing field `v` (i32) of record R0"
        );
        let args = json!([{"next": {"next": {"v": 1, "w": 2}}}]);
        assert_eq!(
            json_to_args(&args, &params, &records)
                .unwrap_err()
                .to_string(),
            "argument 1 `r` (R2), field `next` (R1), field `next` (R0): function requires 1 arguments, 2 provided"
        );
        let nested = IType::Array(Box::new(IType::Array(Box::new(IType::U8))));
        assert_eq!(
            json_to_args(&json!([[[1], [2, "3"]]]), &[arg("a", nested)], &NoRecords)
                .unwrap_err()
                .to_string(),
            "argument 1 `a` ([][]u8), index 1 ([]u8), index 1 (u8): invalid type: string \"3\", expected u8"
        );
    }

    #[test]
    fn values_deeper_than_text_are_quoted_by_shape() {
        // Built in code, deeper than any text `parse` accepts: quoting it must not recurse.
        let mut deep = json!(1);
        for _ in 0..MAX_TEXT_DEPTH + 2 {
            deep = json!({ "a": deep });
        }
        let error = json_to_args(
            &deep,
            &[arg("a", IType::Array(Box::new(IType::S32)))],
            &NoRecords,
        );
        assert_eq!(
            error.unwrap_err().to_string(),
            format!(
                "argument 1 `a` ([]i32): expected array of S32 types, got Object(<nested deeper than {MAX_TEXT_DEPTH} levels>)"
            )
        );
        // Shallow values are quoted whole, as Marine does.
        assert_eq!(
            debug(&json!({"a": [1]})),
            format!("{:?}", json!({"a": [1]}))
        );
        assert!(!nesting_exceeds(&json!([[1]]), 2));
        assert!(nesting_exceeds(&json!([[[1]]]), 2));
        assert!(!nesting_exceeds(&json!(1), 0));
    }

    #[test]
    fn lookups() {
        let entries = vec![
            TypeEntry::Function(Default::default()),
            TypeEntry::Record(RecordType {
                name: "R".into(),
                fields: vec![],
            }),
        ];
        assert!(entries.record(0).is_none());
        assert_eq!(entries.record(1).map(|r| r.name.as_str()), Some("R"));
        assert!(entries.record(u64::MAX).is_none());
        let map: hashbrown::HashMap<u64, RecordType> = test_record_types().into_iter().collect();
        assert!(map.record(10).is_some());
        let by_ref: &dyn RecordLookup = &&map;
        assert!(by_ref.record(11).is_none());
    }
}
