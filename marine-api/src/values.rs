//! Marine's value and type vocabulary (`IValue`, `IType`, `IRecordType`, `IFunctionArg`) and
//! its conversion to strait's.
//!
//! `IValue`, `IType`, `IRecordType` and `NEVec` are the very types Marine uses (from
//! `fluence-it-types`, which Marine re-exports through `wasmer-it`), so values built for Marine
//! compare equal here. strait's own values differ only in holding record fields in a plain
//! `Vec`; the conversions below run at the API boundary, once per argument and result.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

pub use fluence_it_types::{IRecordFieldType, IRecordType, IType, IValue};

/// Marine's non-empty vector: the fields of a record value or record type.
///
/// ```
/// use marine::ne_vec::NEVec;
/// use marine::IValue;
///
/// let record = IValue::Record(NEVec::new(vec![IValue::U8(1)]).unwrap());
/// assert!(NEVec::<IValue>::new(vec![]).is_err());
/// # let _ = record;
/// ```
pub mod ne_vec {
    pub use fluence_it_types::ne_vec::{EmptyVec, NEVec};
}

use ne_vec::NEVec;

/// A named parameter of an exported function (Marine's `IFunctionArg`).
///
/// ```
/// let arg = marine::IFunctionArg { name: "name".into(), ty: marine::IType::String };
/// assert_eq!(arg.ty, marine::IType::String);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IFunctionArg {
    /// The parameter name.
    pub name: String,
    /// The parameter type.
    pub ty: IType,
}

/// The record types of a module, by id (Marine's `MRecordTypes`).
pub type MRecordTypes = HashMap<u64, Arc<IRecordType>>;

/// Why a strait value or type has no Marine form: a record without fields, which Marine's
/// `NEVec` cannot hold (strait refuses such records when it loads a module, so this is only
/// reachable through host code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a record without fields has no Marine representation (Marine records are non-empty)")]
pub struct EmptyRecord;

/// The text Marine's interface listing shows for a type: `string`, `[]u8`, `[]Record`, `i32`.
///
/// A record id missing from `record_types` shows as `record <id>` (Marine panics there).
///
/// ```
/// use marine::{itype_text_view, IType, MRecordTypes};
///
/// let none = MRecordTypes::new();
/// assert_eq!(itype_text_view(&IType::Array(Box::new(IType::S32)), &none), "[]i32");
/// assert_eq!(itype_text_view(&IType::ByteArray, &none), "[]u8");
/// assert_eq!(itype_text_view(&IType::Boolean, &none), "bool");
/// ```
pub fn itype_text_view(ty: &IType, record_types: &MRecordTypes) -> String {
    match ty {
        IType::Record(id) => match record_types.get(id) {
            Some(record) => record.name.clone(),
            None => format!("record {id}"),
        },
        IType::Array(element) => format!("[]{}", itype_text_view(element, record_types)),
        IType::ByteArray => "[]u8".to_owned(),
        other => scalar_text(other).to_owned(),
    }
}

fn scalar_text(ty: &IType) -> &'static str {
    match ty {
        IType::Boolean => "bool",
        IType::S8 => "i8",
        IType::S16 => "i16",
        IType::S32 | IType::I32 => "i32",
        IType::S64 | IType::I64 => "i64",
        IType::U8 => "u8",
        IType::U16 => "u16",
        IType::U32 => "u32",
        IType::U64 => "u64",
        IType::F32 => "f32",
        IType::F64 => "f64",
        IType::String => "string",
        IType::ByteArray | IType::Array(_) | IType::Record(_) => "",
    }
}

/// Marine's value as strait's (arguments are borrowed, so they are copied).
pub(crate) fn to_strait(value: &IValue) -> strait::IValue {
    use strait::IValue as S;
    match value {
        IValue::Boolean(v) => S::Boolean(*v),
        IValue::S8(v) => S::S8(*v),
        IValue::S16(v) => S::S16(*v),
        IValue::S32(v) => S::S32(*v),
        IValue::S64(v) => S::S64(*v),
        IValue::U8(v) => S::U8(*v),
        IValue::U16(v) => S::U16(*v),
        IValue::U32(v) => S::U32(*v),
        IValue::U64(v) => S::U64(*v),
        IValue::F32(v) => S::F32(*v),
        IValue::F64(v) => S::F64(*v),
        IValue::I32(v) => S::I32(*v),
        IValue::I64(v) => S::I64(*v),
        IValue::String(v) => S::String(v.clone()),
        IValue::ByteArray(v) => S::ByteArray(v.clone()),
        IValue::Array(items) => S::Array(items.iter().map(to_strait).collect()),
        IValue::Record(fields) => S::Record(fields.iter().map(to_strait).collect()),
    }
}

/// strait's value as Marine's (results are owned, so they are moved).
pub(crate) fn from_strait(value: strait::IValue) -> Result<IValue, EmptyRecord> {
    use strait::IValue as S;
    Ok(match value {
        S::Boolean(v) => IValue::Boolean(v),
        S::S8(v) => IValue::S8(v),
        S::S16(v) => IValue::S16(v),
        S::S32(v) => IValue::S32(v),
        S::S64(v) => IValue::S64(v),
        S::U8(v) => IValue::U8(v),
        S::U16(v) => IValue::U16(v),
        S::U32(v) => IValue::U32(v),
        S::U64(v) => IValue::U64(v),
        S::F32(v) => IValue::F32(v),
        S::F64(v) => IValue::F64(v),
        S::I32(v) => IValue::I32(v),
        S::I64(v) => IValue::I64(v),
        S::String(v) => IValue::String(v),
        S::ByteArray(v) => IValue::ByteArray(v),
        S::Array(items) => IValue::Array(
            items
                .into_iter()
                .map(from_strait)
                .collect::<Result<_, _>>()?,
        ),
        S::Record(fields) => {
            let fields = fields
                .into_iter()
                .map(from_strait)
                .collect::<Result<Vec<_>, _>>()?;
            IValue::Record(NEVec::new(fields).map_err(|_| EmptyRecord)?)
        }
    })
}

/// strait's type as Marine's (the variants are the same).
pub(crate) fn itype_from_strait(ty: &strait::IType) -> IType {
    use strait::IType as S;
    match ty {
        S::Boolean => IType::Boolean,
        S::S8 => IType::S8,
        S::S16 => IType::S16,
        S::S32 => IType::S32,
        S::S64 => IType::S64,
        S::U8 => IType::U8,
        S::U16 => IType::U16,
        S::U32 => IType::U32,
        S::U64 => IType::U64,
        S::F32 => IType::F32,
        S::F64 => IType::F64,
        S::I32 => IType::I32,
        S::I64 => IType::I64,
        S::String => IType::String,
        S::ByteArray => IType::ByteArray,
        S::Array(element) => IType::Array(Box::new(itype_from_strait(element))),
        S::Record(id) => IType::Record(*id),
    }
}

/// strait's record type as Marine's.
pub(crate) fn record_from_strait(record: &strait::RecordType) -> Result<IRecordType, EmptyRecord> {
    let fields = record
        .fields
        .iter()
        .map(|field| IRecordFieldType {
            name: field.name.clone(),
            ty: itype_from_strait(&field.ty),
        })
        .collect();
    Ok(IRecordType {
        name: record.name.clone(),
        fields: NEVec::new(fields).map_err(|_| EmptyRecord)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let value = IValue::Record(
            NEVec::new(vec![
                IValue::Boolean(true),
                IValue::Array(vec![IValue::S64(-4), IValue::F32(1.5)]),
                IValue::ByteArray(vec![1, 2]),
                IValue::String("s".into()),
            ])
            .unwrap(),
        );
        assert_eq!(from_strait(to_strait(&value)), Ok(value));
        assert_eq!(
            from_strait(strait::IValue::Record(vec![])),
            Err(EmptyRecord)
        );
    }

    #[test]
    fn types_convert() {
        let ty = IType::Array(Box::new(IType::Record(3)));
        let strait_ty = strait::IType::Array(Box::new(strait::IType::Record(3)));
        assert_eq!(itype_from_strait(&strait_ty), ty);
        let mut records = MRecordTypes::new();
        records.insert(
            3,
            Arc::new(IRecordType {
                name: "Rec".into(),
                fields: NEVec::new(vec![IRecordFieldType {
                    name: "a".into(),
                    ty: IType::U8,
                }])
                .unwrap(),
            }),
        );
        assert_eq!(itype_text_view(&ty, &records), "[]Rec");
        assert_eq!(itype_text_view(&IType::Record(9), &records), "record 9");
    }
}
