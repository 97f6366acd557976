//! JSON values → compact text, byte for byte what serde_json writes (`to_string`, `Display`),
//! for large strings at about the cost of copying them: serde_json looks every byte of a
//! string up in its escape table one at a time; here blocks with nothing to escape are checked
//! whole (a loop the compiler turns into vector instructions) and copied in runs.
//!
//! Arrays and objects are walked with an explicit stack, so no value exhausts the host stack.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use arrayvec::ArrayVec;
use serde_json::{Number, Value};
use strait_it::{IType, IValue, RecordField};

use super::{JsonResultError, MAX_DEPTH, RecordLookup};

/// Bytes checked at once for something to escape.
const BLOCK: usize = 32;

/// Appends `value` to `out` as compact JSON text, exactly as `serde_json::to_string` writes it.
///
/// ```
/// let value = serde_json::json!({"result": "Hi, \"x\"\n", "n": [1, -2.5, null]});
/// let mut text = String::new();
/// strait::json::write_compact(&mut text, &value);
/// assert_eq!(text, serde_json::to_string(&value).unwrap());
/// ```
pub fn write_compact(out: &mut String, value: &Value) {
    let mut open: Vec<Open<'_>> = Vec::new();
    let mut next = Some(value);
    loop {
        if let Some(value) = next.take() {
            match value {
                Value::Null => out.push_str("null"),
                Value::Bool(true) => out.push_str("true"),
                Value::Bool(false) => out.push_str("false"),
                // `Number`'s `Display` is serde_json's own number formatting (itoa, zmij).
                Value::Number(number) => {
                    let _ = write!(out, "{number}");
                }
                Value::String(text) => write_str(out, text),
                Value::Array(items) => {
                    out.push('[');
                    open.push(Open::Array(items.iter(), true));
                }
                Value::Object(map) => {
                    out.push('{');
                    open.push(Open::Object(map.iter(), true));
                }
            }
        }
        let Some(top) = open.last_mut() else {
            return;
        };
        match top {
            Open::Array(items, first) => match items.next() {
                Some(item) => {
                    if !core::mem::take(first) {
                        out.push(',');
                    }
                    next = Some(item);
                }
                None => {
                    out.push(']');
                    open.pop();
                }
            },
            Open::Object(entries, first) => match entries.next() {
                Some((key, item)) => {
                    if !core::mem::take(first) {
                        out.push(',');
                    }
                    write_str(out, key);
                    out.push(':');
                    next = Some(item);
                }
                None => {
                    out.push('}');
                    open.pop();
                }
            },
        }
    }
}

/// Appends the JSON text of a call's results to `out`: exactly
/// `write_compact(&ivalues_to_json(values, types, records)?)`, written straight from the values,
/// without building the JSON value (records' field names sorted as serde_json's map sorts
/// them). On an error `out` is as it was and the error is [`ivalues_to_json`]'s.
///
/// ```
/// use strait::json::{NoRecords, write_results};
/// use strait::{IType, IValue};
///
/// let mut text = String::new();
/// let values = [IValue::Array(vec![IValue::String("a\"b".into()), IValue::String("c".into())])];
/// write_results(&values, &[IType::Array(Box::new(IType::String))], &NoRecords, &mut text).unwrap();
/// assert_eq!(text, r#"["a\"b","c"]"#);
/// ```
///
/// [`ivalues_to_json`]: super::ivalues_to_json
pub fn write_results(
    values: &[IValue],
    types: &[IType],
    records: &dyn RecordLookup,
    out: &mut String,
) -> Result<(), JsonResultError> {
    let start = out.len();
    let written = match (values, types) {
        ([], []) => {
            out.push_str("null");
            Some(())
        }
        ([value], [ty]) => write_value(value, ty, records, out),
        _ => None,
    };
    if written.is_none() {
        // Whatever stopped it, the conversion itself says why (or, for shapes this writer
        // leaves to it, writes the same text).
        out.truncate(start);
        let json = super::ivalues_to_json(values, types, records)?;
        write_compact(out, &json);
    }
    Ok(())
}

/// Record fields written in key order at most this many; larger records go the long way.
const MAX_SORTED_FIELDS: usize = 64;

/// An array or record being written from interface values.
enum Entries<'a> {
    Array {
        items: core::slice::Iter<'a, IValue>,
        element: &'a IType,
        first: bool,
    },
    Record {
        values: &'a [IValue],
        fields: &'a [RecordField],
        /// Field indexes in the order of their names, the last of each name only.
        order: ArrayVec<u8, MAX_SORTED_FIELDS>,
        next: usize,
    },
}

/// Writes one value of type `ty`; `None` for anything the conversion would refuse, or that
/// this writer leaves to it.
fn write_value(
    value: &IValue,
    ty: &IType,
    records: &dyn RecordLookup,
    out: &mut String,
) -> Option<()> {
    let mut open: Vec<Entries<'_>> = Vec::new();
    let mut next = Some((value, ty));
    loop {
        if let Some((value, ty)) = next.take()
            && let Some(entries) = write_scalar_or_open(value, ty, records, open.len(), out)?
        {
            open.push(entries);
        }
        let Some(top) = open.last_mut() else {
            return Some(());
        };
        match top {
            Entries::Array {
                items,
                element,
                first,
            } => match items.next() {
                Some(item) => {
                    if !core::mem::take(first) {
                        out.push(',');
                    }
                    next = Some((item, *element));
                }
                None => {
                    out.push(']');
                    open.pop();
                }
            },
            Entries::Record {
                values,
                fields,
                order,
                next: at,
            } => match order.get(*at) {
                Some(&index) => {
                    let index = usize::from(index);
                    if *at > 0 {
                        out.push(',');
                    }
                    *at += 1;
                    let field = fields.get(index)?;
                    write_str(out, &field.name);
                    out.push(':');
                    next = Some((values.get(index)?, &field.ty));
                }
                None => {
                    out.push('}');
                    open.pop();
                }
            },
        }
    }
}

/// Writes a scalar, a string or bytes whole, or opens an array or record (written `[` or
/// `{`) at nesting `depth` and returns its entries.
fn write_scalar_or_open<'a>(
    value: &'a IValue,
    ty: &'a IType,
    records: &'a dyn RecordLookup,
    depth: usize,
    out: &mut String,
) -> Option<Option<Entries<'a>>> {
    match (value, ty) {
        (IValue::Boolean(v), IType::Boolean) => out.push_str(if *v { "true" } else { "false" }),
        (IValue::S8(v), IType::S8) => number(out, *v),
        (IValue::S16(v), IType::S16) => number(out, *v),
        (IValue::S32(v), IType::S32) | (IValue::I32(v), IType::I32) => number(out, *v),
        (IValue::S64(v), IType::S64) | (IValue::I64(v), IType::I64) => number(out, *v),
        (IValue::U8(v), IType::U8) => number(out, *v),
        (IValue::U16(v), IType::U16) => number(out, *v),
        (IValue::U32(v), IType::U32) => number(out, *v),
        (IValue::U64(v), IType::U64) => number(out, *v),
        (IValue::F32(v), IType::F32) => number(out, Number::from_f64(f64::from(*v))?),
        (IValue::F64(v), IType::F64) => number(out, Number::from_f64(*v)?),
        (IValue::String(text), IType::String) => write_str(out, text),
        (IValue::ByteArray(bytes), IType::ByteArray) => write_bytes(out, bytes),
        (IValue::ByteArray(bytes), IType::Array(element)) if **element == IType::U8 => {
            write_bytes(out, bytes);
        }
        (IValue::Array(items), IType::Array(element)) if depth < MAX_DEPTH => {
            out.push('[');
            return Some(Some(Entries::Array {
                items: items.iter(),
                element,
                first: true,
            }));
        }
        (IValue::Record(values), IType::Record(id)) if depth < MAX_DEPTH => {
            let record = records.record(*id)?;
            if values.len() != record.fields.len() || values.len() > MAX_SORTED_FIELDS {
                return None;
            }
            let fields = record.fields.as_slice();
            let mut order: ArrayVec<u8, MAX_SORTED_FIELDS> = (0..fields.len())
                .filter_map(|i| u8::try_from(i).ok())
                .collect();
            // Stable: of fields with one name, the last is the one a map keeps.
            order.sort_by(|a, b| {
                fields[usize::from(*a)]
                    .name
                    .cmp(&fields[usize::from(*b)].name)
            });
            let mut kept = ArrayVec::<u8, MAX_SORTED_FIELDS>::new();
            for (i, index) in order.iter().enumerate() {
                let name = &fields[usize::from(*index)].name;
                let last = order
                    .get(i + 1)
                    .is_none_or(|after| fields[usize::from(*after)].name != *name);
                if last {
                    kept.push(*index);
                }
            }
            out.push('{');
            return Some(Some(Entries::Record {
                values,
                fields,
                order: kept,
                next: 0,
            }));
        }
        // An array of u8 as bytes, mismatches, records past the depth: the long way.
        _ => return None,
    }
    Some(None)
}

fn number(out: &mut String, value: impl core::fmt::Display) {
    let _ = write!(out, "{value}");
}

fn write_bytes(out: &mut String, bytes: &[u8]) {
    out.push('[');
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        number(out, *byte);
    }
    out.push(']');
}

/// An array or object being written, and whether its first entry is still to come.
enum Open<'a> {
    Array(core::slice::Iter<'a, Value>, bool),
    Object(serde_json::map::Iter<'a>, bool),
}

/// Whether serde_json escapes `byte` in a string: control characters, `"` and `\`.
#[inline(always)]
fn escaped(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Appends `text` as a JSON string: quoted, escaped as serde_json escapes.
fn write_str(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    // `run` starts the bytes not yet written; `at` is the byte looked at.
    let (mut run, mut at) = (0, 0);
    while at < bytes.len() {
        if let Some(block) = bytes.get(at..at + BLOCK) {
            // No early exit, so the check is a few vector instructions per block.
            if !block.iter().fold(false, |any, &byte| any | escaped(byte)) {
                at += BLOCK;
                continue;
            }
        }
        let end = (at + BLOCK).min(bytes.len());
        while at < end {
            let byte = bytes[at];
            if escaped(byte) {
                // `run` and `at` sit before or after ASCII bytes: both are char boundaries.
                out.push_str(text.get(run..at).unwrap_or_default());
                push_escape(out, byte);
                run = at + 1;
            }
            at += 1;
        }
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

/// The escape serde_json writes for `byte`: a short one where JSON has it, else `\u00XX` in
/// lowercase hex.
fn push_escape(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match byte {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        0x08 => out.push_str("\\b"),
        0x09 => out.push_str("\\t"),
        0x0a => out.push_str("\\n"),
        0x0c => out.push_str("\\f"),
        0x0d => out.push_str("\\r"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use serde_json::json;

    fn same(value: &Value) {
        let mut text = String::new();
        write_compact(&mut text, value);
        assert_eq!(text, serde_json::to_string(value).unwrap(), "{value:?}");
    }

    #[test]
    fn every_byte_and_every_position() {
        // Each ASCII character, alone and at every offset around a block's edges, inside
        // non-ASCII text.
        for byte in 0u8..0x80 {
            let c = char::from(byte);
            for at in [0, 1, 31, 32, 33, 63, 64, 65, 100] {
                let mut text: String = "é€a".chars().cycle().take(at).collect();
                text.push(c);
                text.push_str("tail ünïcode 🦀");
                same(&Value::String(text));
            }
            same(&Value::String(c.to_string().repeat(70)));
        }
        same(&json!(""));
        same(&json!("\u{7f}\u{80}\u{2028}\u{10ffff}"));
    }

    #[test]
    fn every_kind_of_value() {
        same(&json!(null));
        same(&json!([
            true,
            false,
            null,
            0,
            -1,
            u64::MAX,
            i64::MIN,
            0.1,
            -2.5e300,
            1.0
        ]));
        same(&json!(f64::from(0.1f32)));
        same(&json!({"b": {"a\n": []}, "a": [{}, [[]], "x"], "": -0.0}));
        same(&json!([[[1, [2, {"k": [3]}]], 4], {}]));
    }

    #[test]
    fn deep_values_take_no_host_stack() {
        let mut value = json!(1);
        for level in 0..100_000 {
            // Built by hand: `json!` would serialize `value` again, recursively.
            value = if level % 2 == 0 {
                Value::Array(alloc::vec![value])
            } else {
                Value::Object([("k".to_string(), value)].into_iter().collect())
            };
        }
        let mut text = String::new();
        write_compact(&mut text, &value);
        // 50,000 arrays `[…]`, 50,000 objects `{"k":…}` and the `1` inside.
        assert_eq!(text.len(), 50_000 * 2 + 50_000 * 6 + 1);
        assert!(text.starts_with(r#"{"k":[{"k":["#));
        // serde_json's drop recurses: take the value apart level by level.
        let mut pending = alloc::vec![value];
        while let Some(value) = pending.pop() {
            match value {
                Value::Array(items) => pending.extend(items),
                Value::Object(map) => pending.extend(map.into_iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    }
}
