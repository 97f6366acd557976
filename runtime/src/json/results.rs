//! Interface values → JSON, walked with an explicit stack of frames: results nested down to
//! [`MAX_DEPTH`] (as deep as lifting goes, D21) cost heap, never host stack.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Number, Value};
use strait_it::{IType, IValue, RecordField};

use super::{JsonResultError, MAX_DEPTH, RecordLookup};

/// An array or a record being converted, with the JSON made of its entries so far.
enum Frame<'a> {
    Array {
        items: core::slice::Iter<'a, IValue>,
        element: &'a IType,
        out: Vec<Value>,
    },
    Record {
        fields: core::iter::Zip<core::slice::Iter<'a, IValue>, core::slice::Iter<'a, RecordField>>,
        /// The field being converted.
        name: &'a str,
        out: Map<String, Value>,
    },
}

impl<'a> Frame<'a> {
    /// The next entry and its type; `None` once every entry is done.
    fn entry(&mut self) -> Option<(&'a IValue, &'a IType)> {
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
    value: &IValue,
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
    value: &'a IValue,
    ty: &'a IType,
    records: &'a dyn RecordLookup,
    depth: usize,
) -> Result<Step<'a>, JsonResultError> {
    let mismatch = || JsonResultError::TypeMismatch {
        expected: ty.clone(),
        found: value.kind_name(),
    };
    Ok(Step::Done(match (value, ty) {
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
        (IValue::String(v), IType::String) => Value::String(v.clone()),
        (IValue::ByteArray(bytes), IType::ByteArray) => bytes_to_json(bytes),
        (IValue::ByteArray(bytes), IType::Array(element)) if **element == IType::U8 => {
            bytes_to_json(bytes)
        }
        (IValue::Array(_), IType::ByteArray) => {
            // Interchangeable with a byte array only when every element is a u8.
            bytes_to_json(&value.as_bytes().ok_or_else(mismatch)?)
        }
        (IValue::Array(items), IType::Array(element)) => {
            deeper(depth)?;
            return Ok(Step::Open(Frame::Array {
                items: items.iter(),
                element,
                out: Vec::with_capacity(items.len()),
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
                fields: fields.iter().zip(&record.fields),
                name: "",
                out: Map::new(),
            }));
        }
        _ => return Err(mismatch()),
    }))
}
