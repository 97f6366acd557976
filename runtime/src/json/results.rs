//! Interface values → JSON, walked with an explicit stack of frames: results nested down to
//! [`MAX_DEPTH`] (as deep as lifting goes, D21) cost heap, never host stack.
//!
//! Values come borrowed or owned ([`Cow`]): owned strings move into the JSON, borrowed ones are
//! copied.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Number, Value};
use strait_it::{IType, IValue, RecordField};

use super::{JsonResultError, MAX_DEPTH, RecordLookup};

/// The entries of an array or a record, borrowed or owned.
enum Items<'a> {
    Borrowed(core::slice::Iter<'a, IValue>),
    Owned(alloc::vec::IntoIter<IValue>),
}

impl<'a> Items<'a> {
    fn of(values: Cow<'a, [IValue]>) -> Self {
        match values {
            Cow::Borrowed(values) => Items::Borrowed(values.iter()),
            Cow::Owned(values) => Items::Owned(values.into_iter()),
        }
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = Cow<'a, IValue>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Items::Borrowed(items) => items.next().map(Cow::Borrowed),
            Items::Owned(items) => items.next().map(Cow::Owned),
        }
    }
}

/// An array or a record being converted, with the JSON made of its entries so far.
enum Frame<'a> {
    Array {
        items: Items<'a>,
        element: &'a IType,
        out: Vec<Value>,
    },
    Record {
        fields: core::iter::Zip<Items<'a>, core::slice::Iter<'a, RecordField>>,
        /// The field being converted.
        name: &'a str,
        out: Map<String, Value>,
    },
}

impl<'a> Frame<'a> {
    /// The next entry and its type; `None` once every entry is done.
    fn entry(&mut self) -> Option<(Cow<'a, IValue>, &'a IType)> {
        match self {
            Frame::Array { items, element, .. } => items.next().map(|item| (item, *element)),
            Frame::Record { fields, name, .. } => fields.next().map(|(value, field)| {
                *name = &field.name;
                (value, &field.ty)
            }),
        }
    }

    /// Keeps the JSON of the entry [`Frame::entry`] gave last.
    fn push(&mut self, json: Value) {
        match self {
            Frame::Array { out, .. } => out.push(json),
            Frame::Record { name, out, .. } => {
                out.insert((*name).into(), json);
            }
        }
    }

    fn finish(self) -> Value {
        match self {
            Frame::Array { out, .. } => Value::Array(out),
            Frame::Record { out, .. } => Value::Object(out),
        }
    }
}

/// What converting one value gives: JSON, or a frame to fill first.
enum Step<'a> {
    Done(Value),
    Open(Frame<'a>),
}

/// Converts one value (see [`ivalue_to_json`](super::ivalue_to_json)).
pub(super) fn ivalue_to_json(
    value: Cow<'_, IValue>,
    ty: &IType,
    records: &dyn RecordLookup,
) -> Result<Value, JsonResultError> {
    let mut stack = match open(value, ty, records, 0)? {
        Step::Done(json) => return Ok(json),
        Step::Open(frame) => alloc::vec![frame],
    };
    while let Some(top) = stack.last_mut() {
        let json = match top.entry() {
            // The frames on the stack nest: the entries of the top one sit at its length.
            Some((value, ty)) => match open(value, ty, records, stack.len())? {
                Step::Done(json) => json,
                Step::Open(frame) => {
                    stack.push(frame);
                    continue;
                }
            },
            None => {
                let Some(frame) = stack.pop() else { break };
                let json = frame.finish();
                if stack.is_empty() {
                    return Ok(json);
                }
                json
            }
        };
        if let Some(top) = stack.last_mut() {
            top.push(json);
        }
    }
    Ok(Value::Null)
}

fn float(value: f64) -> Result<Value, JsonResultError> {
    Number::from_f64(value)
        .map(Value::Number)
        .ok_or(JsonResultError::NonFiniteFloat { value })
}

fn bytes_to_json(bytes: &[u8]) -> Value {
    Value::Array(bytes.iter().map(|byte| Value::from(*byte)).collect())
}

/// Fails when an array or record at nesting `depth` would go past [`MAX_DEPTH`].
fn deeper(depth: usize) -> Result<(), JsonResultError> {
    if depth >= MAX_DEPTH {
        return Err(JsonResultError::TooDeep { limit: MAX_DEPTH });
    }
    Ok(())
}

/// Converts `value` of type `ty` at nesting `depth`, or opens the frame for its entries.
fn open<'a>(
    value: Cow<'a, IValue>,
    ty: &'a IType,
    records: &'a dyn RecordLookup,
    depth: usize,
) -> Result<Step<'a>, JsonResultError> {
    let mismatch = |value: &IValue| JsonResultError::TypeMismatch {
        expected: ty.clone(),
        found: value.kind_name(),
    };
    // An owned string moves into the JSON.
    let value = match (value, ty) {
        (Cow::Owned(IValue::String(text)), IType::String) => {
            return Ok(Step::Done(Value::String(text)));
        }
        (value, _) => value,
    };
    Ok(Step::Done(match (&*value, ty) {
        (IValue::Boolean(v), IType::Boolean) => Value::Bool(*v),
        (IValue::S8(v), IType::S8) => Value::from(*v),
        (IValue::S16(v), IType::S16) => Value::from(*v),
        (IValue::S32(v), IType::S32) | (IValue::I32(v), IType::I32) => Value::from(*v),
        (IValue::S64(v), IType::S64) | (IValue::I64(v), IType::I64) => Value::from(*v),
        (IValue::U8(v), IType::U8) => Value::from(*v),
        (IValue::U16(v), IType::U16) => Value::from(*v),
        (IValue::U32(v), IType::U32) => Value::from(*v),
        (IValue::U64(v), IType::U64) => Value::from(*v),
        (IValue::F32(v), IType::F32) => float(f64::from(*v))?,
        (IValue::F64(v), IType::F64) => float(*v)?,
        (IValue::String(text), IType::String) => Value::String(text.clone()),
        (IValue::ByteArray(bytes), IType::ByteArray) => bytes_to_json(bytes),
        (IValue::ByteArray(bytes), IType::Array(element)) if **element == IType::U8 => {
            bytes_to_json(bytes)
        }
        (IValue::Array(_), IType::ByteArray) => {
            // Interchangeable with a byte array only when every element is a u8.
            bytes_to_json(&value.as_bytes().ok_or_else(|| mismatch(&value))?)
        }
        (IValue::Array(items), IType::Array(element)) => {
            deeper(depth)?;
            let out = Vec::with_capacity(items.len());
            return Ok(Step::Open(Frame::Array {
                items: Items::of(entries(value)),
                element,
                out,
            }));
        }
        (IValue::Record(fields), IType::Record(id)) => {
            deeper(depth)?;
            let record = records
                .record(*id)
                .ok_or(JsonResultError::UnknownRecord { id: *id })?;
            if fields.len() != record.fields.len() {
                return Err(JsonResultError::RecordArity {
                    name: record.name.clone(),
                    expected: record.fields.len(),
                    found: fields.len(),
                });
            }
            return Ok(Step::Open(Frame::Record {
                fields: Items::of(entries(value)).zip(record.fields.iter()),
                name: "",
                out: Map::new(),
            }));
        }
        (value, _) => return Err(mismatch(value)),
    }))
}

/// The entries of an array or a record value (none for any other value).
fn entries(value: Cow<'_, IValue>) -> Cow<'_, [IValue]> {
    match value {
        Cow::Owned(IValue::Array(items) | IValue::Record(items)) => Cow::Owned(items),
        Cow::Borrowed(IValue::Array(items) | IValue::Record(items)) => Cow::Borrowed(items),
        _ => Cow::Borrowed(&[]),
    }
}
