//! JSON arguments → interface values, walked with an explicit stack of frames: arguments nested
//! down to [`MAX_DEPTH`] (as deep as lowering goes, D21) cost heap, never host stack.
//!
//! An error is located on the way out: every frame still open names the entry it was converting
//! (``argument 1 `r` (Rec)``, ``field `next` (Rec)``, ``index 3 (u8)``), innermost last, as the
//! recursive conversion Marine uses would. A frame's own errors (a missing field, leftover keys)
//! are located by the frames around it only.
//!
//! The arguments come borrowed or owned ([`Cow`]): owned strings move into the values, borrowed
//! ones are copied.

use alloc::borrow::Cow;
use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Deserialize;
use serde_json::{Map, Value};
use strait_it::{FunctionArg, IType, IValue, RecordField};

use super::{Entries, JsonArgError, MAX_DEPTH, RecordLookup, at, debug, listing};

/// The named entries a frame fills: a function's parameters or a record's fields.
#[derive(Clone, Copy)]
enum Fields<'a> {
    Params(&'a [FunctionArg]),
    Record(&'a [RecordField]),
}

impl<'a> Fields<'a> {
    fn get(self, index: usize) -> Option<(&'a str, &'a IType)> {
        match self {
            Fields::Params(params) => params
                .get(index)
                .map(|param| (param.name.as_str(), &param.ty)),
            Fields::Record(fields) => fields
                .get(index)
                .map(|field| (field.name.as_str(), &field.ty)),
        }
    }

    fn len(self) -> usize {
        match self {
            Fields::Params(params) => params.len(),
            Fields::Record(fields) => fields.len(),
        }
    }
}

/// The items of an array, borrowed or owned, taken in order.
enum Items<'a> {
    Borrowed(core::slice::Iter<'a, Value>),
    Owned(alloc::vec::IntoIter<Value>),
}

impl<'a> Items<'a> {
    /// The items of `value` if it is an array; else the value, given back.
    fn of(value: Cow<'a, Value>) -> Result<Self, Cow<'a, Value>> {
        match value {
            Cow::Borrowed(Value::Array(items)) => Ok(Items::Borrowed(items.iter())),
            Cow::Owned(Value::Array(items)) => Ok(Items::Owned(items.into_iter())),
            other => Err(other),
        }
    }

    fn next(&mut self) -> Option<Cow<'a, Value>> {
        match self {
            Items::Borrowed(items) => items.next().map(Cow::Borrowed),
            Items::Owned(items) => items.next().map(Cow::Owned),
        }
    }
}

/// Where a frame's entries come from.
enum Source<'a> {
    /// From an object, by name. Like Marine, each name is taken out once (a repeated name is
    /// then missing), and leftover keys are reported after every named value converted.
    Named {
        map: &'a Map<String, Value>,
        taken: BTreeSet<&'a str>,
    },
    /// The same from an object the conversion owns: a value taken is removed from it.
    NamedOwned { map: Map<String, Value> },
    /// From an array, in order; its length was checked when the frame opened.
    Positional(Items<'a>),
}

enum Kind<'a> {
    /// The call's arguments (the bottom frame) or a record's fields.
    Fields {
        entries: Entries<'a>,
        fields: Fields<'a>,
        source: Source<'a>,
    },
    /// An array's elements.
    Elements {
        element: &'a IType,
        items: Items<'a>,
    },
}

/// An array, a record or the argument list being converted.
struct Frame<'a> {
    kind: Kind<'a>,
    /// The entry being converted; the values before it are in `values`.
    next: usize,
    /// The nesting of this frame's entries: 0 for the arguments themselves.
    depth: usize,
    values: Vec<IValue>,
}

/// What converting one value gives: a value, or a frame to fill first.
enum Step<'a> {
    Done(IValue),
    Open(Frame<'a>),
}

impl<'a> Frame<'a> {
    /// The next entry to convert and its type, `None` when every entry is done. Called once
    /// per entry, in order.
    fn entry(
        &mut self,
        records: &dyn RecordLookup,
    ) -> Result<Option<(Cow<'a, Value>, &'a IType)>, JsonArgError> {
        match &mut self.kind {
            Kind::Elements { element, items } => Ok(items.next().map(|item| (item, *element))),
            Kind::Fields {
                entries,
                fields,
                source,
            } => {
                let Some((name, ty)) = fields.get(self.next) else {
                    return Ok(None);
                };
                let missing = || match entries {
                    Entries::Arguments => JsonArgError::MissingArgument {
                        name: name.to_string(),
                    },
                    Entries::Fields(record) => JsonArgError::MissingField {
                        record: record.to_string(),
                        field: name.to_string(),
                        ty: listing(ty, records),
                    },
                };
                let value = match source {
                    Source::Positional(items) => items.next(),
                    Source::Named { map, taken } => {
                        let value = taken.insert(name).then(|| map.get(name)).flatten();
                        Some(Cow::Borrowed(value.ok_or_else(missing)?))
                    }
                    Source::NamedOwned { map } => {
                        Some(Cow::Owned(map.remove(name).ok_or_else(missing)?))
                    }
                };
                Ok(value.map(|value| (value, ty)))
            }
        }
    }

    /// Where the entry being converted is, for messages.
    fn location(&self, records: &dyn RecordLookup) -> String {
        match &self.kind {
            Kind::Elements { element, .. } => {
                format!("index {} ({})", self.next, listing(element, records))
            }
            Kind::Fields {
                entries, fields, ..
            } => match fields.get(self.next) {
                Some((name, ty)) => entries.location(self.next, name, ty, records),
                None => format!("entry {}", self.next),
            },
        }
    }

    /// The frame's values once every entry is done: an array, a record, or (for the bottom
    /// frame) the arguments.
    fn finish(self) -> Result<(bool, Vec<IValue>), JsonArgError> {
        match self.kind {
            Kind::Elements { .. } => Ok((false, self.values)),
            Kind::Fields { source, .. } => {
                let leftover = match source {
                    Source::Named { map, taken } => map.len().saturating_sub(taken.len()),
                    // Every value taken was removed.
                    Source::NamedOwned { map } => map.len(),
                    Source::Positional(_) => 0,
                };
                if leftover > 0 {
                    return Err(JsonArgError::ArgumentCount {
                        expected: self.values.len(),
                        provided: self.values.len().saturating_add(leftover),
                    });
                }
                Ok((true, self.values))
            }
        }
    }
}

/// A frame over `value` for the entries `fields`; an array must have one item per entry. A
/// value that is neither an object nor an array is given back.
fn fields_frame<'a>(
    entries: Entries<'a>,
    fields: Fields<'a>,
    value: Cow<'a, Value>,
    depth: usize,
) -> Result<Result<Frame<'a>, JsonArgError>, Cow<'a, Value>> {
    if let Value::Array(items) = &*value
        && items.len() != fields.len()
    {
        return Ok(Err(JsonArgError::ArgumentCount {
            expected: fields.len(),
            provided: items.len(),
        }));
    }
    let source = match value {
        Cow::Borrowed(Value::Object(map)) => Source::Named {
            map,
            taken: BTreeSet::new(),
        },
        Cow::Owned(Value::Object(map)) => Source::NamedOwned { map },
        array => Source::Positional(Items::of(array)?),
    };
    Ok(Ok(Frame {
        kind: Kind::Fields {
            entries,
            fields,
            source,
        },
        next: 0,
        depth,
        values: Vec::with_capacity(fields.len()),
    }))
}

/// Converts the JSON arguments of a call (see [`json_to_args`](super::json_to_args)).
pub(super) fn json_to_args(
    args: Cow<'_, Value>,
    params: &[FunctionArg],
    records: &dyn RecordLookup,
) -> Result<Vec<IValue>, JsonArgError> {
    let unsuitable = |args: &Value| JsonArgError::UnsuitableArgument {
        signature: signature(params),
        argument: debug(args),
    };
    let root = match (&*args, params) {
        (Value::Null, []) => return Ok(Vec::new()),
        (Value::Null, _) => {
            return Err(JsonArgError::NoArguments {
                signature: signature(params),
            });
        }
        (Value::Object(_) | Value::Array(_), _) => {
            fields_frame(Entries::Arguments, Fields::Params(params), args, 0)
                .map_err(|other| unsuitable(&other))?
        }
        // A bare value stands for the only argument.
        (_, [_]) => {
            let bare = match args {
                Cow::Borrowed(bare) => Items::Borrowed(core::slice::from_ref(bare).iter()),
                Cow::Owned(bare) => Items::Owned(alloc::vec![bare].into_iter()),
            };
            Ok(Frame {
                kind: Kind::Fields {
                    entries: Entries::Arguments,
                    fields: Fields::Params(params),
                    source: Source::Positional(bare),
                },
                next: 0,
                depth: 0,
                values: Vec::with_capacity(1),
            })
        }
        (other, _) => return Err(unsuitable(other)),
    };
    run(root?, records)
}

/// Fills `root` and every frame opened inside it, depth first.
fn run<'a>(root: Frame<'a>, records: &'a dyn RecordLookup) -> Result<Vec<IValue>, JsonArgError> {
    let mut stack = alloc::vec![root];
    while let Some(top) = stack.last_mut() {
        let depth = top.depth;
        let value = match top.entry(records) {
            Err(error) => {
                stack.pop();
                return Err(locate(error, &stack, records));
            }
            Ok(Some((value, ty))) => match open(value, ty, records, depth) {
                Ok(Step::Open(frame)) => {
                    stack.push(frame);
                    continue;
                }
                Ok(Step::Done(value)) => value,
                Err(error) => return Err(locate(error, &stack, records)),
            },
            Ok(None) => {
                let Some(frame) = stack.pop() else { break };
                let (record, values) = match frame.finish() {
                    Ok(done) => done,
                    Err(error) => return Err(locate(error, &stack, records)),
                };
                if stack.is_empty() {
                    return Ok(values);
                }
                if record {
                    IValue::Record(values)
                } else {
                    IValue::Array(values)
                }
            }
        };
        if let Some(top) = stack.last_mut() {
            top.values.push(value);
            top.next = top.next.saturating_add(1);
        }
    }
    Ok(Vec::new())
}

/// Puts `error` at the entries the open frames are converting, outermost first.
fn locate(error: JsonArgError, stack: &[Frame<'_>], records: &dyn RecordLookup) -> JsonArgError {
    stack
        .iter()
        .rev()
        .fold(error, |error, frame| at(frame.location(records), error))
}

/// Fails when an array or record at nesting `depth` would go past [`MAX_DEPTH`]: lowering
/// would refuse it (D21).
fn deeper(depth: usize) -> Result<(), JsonArgError> {
    if depth >= MAX_DEPTH {
        return Err(JsonArgError::TooDeep { limit: MAX_DEPTH });
    }
    Ok(())
}

/// Converts `value` of type `ty` at nesting `depth`, or opens the frame its entries go to.
fn open<'a>(
    value: Cow<'a, Value>,
    ty: &'a IType,
    records: &'a dyn RecordLookup,
    depth: usize,
) -> Result<Step<'a>, JsonArgError> {
    Ok(Step::Done(match ty {
        IType::Boolean => IValue::Boolean(scalar(&value)?),
        IType::S8 => IValue::S8(scalar(&value)?),
        IType::S16 => IValue::S16(scalar(&value)?),
        IType::S32 => IValue::S32(scalar(&value)?),
        IType::S64 => IValue::S64(scalar(&value)?),
        IType::U8 => IValue::U8(scalar(&value)?),
        IType::U16 => IValue::U16(scalar(&value)?),
        IType::U32 => IValue::U32(scalar(&value)?),
        IType::U64 => IValue::U64(scalar(&value)?),
        IType::F32 => IValue::F32(narrow_f32(scalar(&value)?)?),
        IType::F64 => IValue::F64(scalar(&value)?),
        IType::I32 => IValue::I32(scalar(&value)?),
        IType::I64 => IValue::I64(scalar(&value)?),
        IType::String => IValue::String(string(value)?),
        IType::ByteArray => match &*value {
            // Each element follows the u8 rules, one-element unwrapping included, as in Marine.
            Value::Array(items) => IValue::ByteArray(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        scalar::<u8>(item).map_err(|error| at(format!("index {index} (u8)"), error))
                    })
                    .collect::<Result<Vec<u8>, _>>()?,
            ),
            other => {
                return Err(JsonArgError::ExpectedByteArray { got: debug(other) });
            }
        },
        IType::Array(element) => {
            deeper(depth)?;
            let count = match &*value {
                Value::Array(items) => items.len(),
                _ => 0,
            };
            let items = Items::of(value).map_err(|other| JsonArgError::ExpectedArray {
                element: (**element).clone(),
                got: debug(&other),
            })?;
            return Ok(Step::Open(Frame {
                kind: Kind::Elements { element, items },
                next: 0,
                depth: depth.saturating_add(1),
                values: Vec::with_capacity(count),
            }));
        }
        IType::Record(id) => {
            deeper(depth)?;
            let record = records
                .record(*id)
                .ok_or(JsonArgError::UnknownRecord { id: *id })?;
            let frame = fields_frame(
                Entries::Fields(&record.name),
                Fields::Record(&record.fields),
                value,
                depth.saturating_add(1),
            );
            return match frame {
                Ok(frame) => frame.map(Step::Open),
                Err(_) => Err(JsonArgError::RecordShape {
                    id: *id,
                    name: record.name.clone(),
                }),
            };
        }
    }))
}

/// A string argument: an owned one moves, a borrowed one is copied (through serde, as
/// [`scalar`] does, and with its errors).
fn string(value: Cow<'_, Value>) -> Result<String, JsonArgError> {
    match value {
        Cow::Owned(Value::String(text)) => Ok(text),
        // D57: a one-element array stands for its element.
        Cow::Owned(Value::Array(items)) => match <[Value; 1]>::try_from(items) {
            Ok([Value::String(text)]) => Ok(text),
            Ok(single) => scalar(&Value::Array(single.into())),
            Err(items) => scalar(&Value::Array(items)),
        },
        other => scalar(&other),
    }
}

/// A scalar or a string through serde, as Marine does, so that the error texts are serde's.
/// A one-element array stands for its element (D57, kept).
fn scalar<'v, T: Deserialize<'v>>(value: &'v Value) -> Result<T, JsonArgError> {
    let value = match value {
        Value::Array(items) => match items.as_slice() {
            [single] => single,
            _ => value,
        },
        _ => value,
    };
    T::deserialize(value).map_err(|error| JsonArgError::Deserialize {
        message: error.to_string(),
    })
}

/// A JSON number as an `f32`: rounded to the nearest, as serde does, but a finite number
/// beyond `f32`'s range is refused instead of becoming an infinity (which no JSON result
/// could give back), as integers out of their type's range are.
fn narrow_f32(value: f64) -> Result<f32, JsonArgError> {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "rounding to f32 is the conversion"
    )]
    let narrow = value as f32;
    if narrow.is_finite() || !value.is_finite() {
        Ok(narrow)
    } else {
        Err(JsonArgError::Deserialize {
            message: format!("invalid value: floating point `{value}`, out of range for f32"),
        })
    }
}

/// The parameter list as Marine prints it: the `Debug` form of `(name, IType)` pairs.
fn signature(params: &[FunctionArg]) -> String {
    let pairs: Vec<(&str, &IType)> = params
        .iter()
        .map(|param| (param.name.as_str(), &param.ty))
        .collect();
    format!("{pairs:?}")
}
