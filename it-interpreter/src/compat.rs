//! Value/type compatibility (`spec/it-section.md` §1.4), for values and for types.
//!
//! Values are checked before they are lowered (D12–D14) and when they cross `call-core`;
//! types are checked by the adapter compiler's stack simulation and, across modules, by the
//! runtime's link-time signature check (D29). Records are structural at run time: only field
//! count and field types matter, never names.

use crate::memory::{MAX_DEPTH, RecordTable};
use crate::types::IType;
use crate::values::IValue;
use alloc::vec::Vec;

/// A value does not fit a type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompatError {
    /// The value (or a part of it) has the wrong shape for the type (or the part of it).
    #[error("value `{received:?}` is not compatible with type `{expected}`")]
    Mismatch {
        /// The type (or element or field type) that was expected.
        expected: IType,
        /// The value (or element or field) found.
        received: IValue,
    },
    /// The type names a record type the module does not have.
    #[error("type with `{record_type_id}` is missing in a Wasm binary")]
    RecordTypeMissing {
        /// The type index.
        record_type_id: u64,
    },
    /// The value nests deeper than the limit (D21).
    #[error("value nesting exceeds {limit} levels")]
    TooDeep {
        /// The nesting limit.
        limit: u32,
    },
}

/// Checks that `value` is compatible with `ty`, recursively (§1.4).
pub fn check_value(value: &IValue, ty: &IType, records: &RecordTable) -> Result<(), CompatError> {
    check(value, ty, records, 0)
}

/// Checks that `value` is an `array (element)` value: an `Array` of compatible elements, or
/// a `ByteArray` when `element` is `u8`. Same as [`check_value`] with `Array(element)`,
/// without building that type.
pub fn check_array(
    value: &IValue,
    element: &IType,
    records: &RecordTable,
) -> Result<(), CompatError> {
    match value {
        IValue::Array(items) if element.is_scalar() => {
            match items.iter().find(|item| !scalar_matches(element, item)) {
                None => Ok(()),
                Some(item) => Err(CompatError::Mismatch {
                    expected: element.clone(),
                    received: item.clone(),
                }),
            }
        }
        IValue::Array(items) => items
            .iter()
            .try_for_each(|item| check(item, element, records, 1)),
        IValue::ByteArray(_) if *element == IType::U8 => Ok(()),
        _ => Err(CompatError::Mismatch {
            expected: IType::Array(alloc::boxed::Box::new(element.clone())),
            received: value.clone(),
        }),
    }
}

/// Checks that `fields` are the field values of record type `record_type_id`.
pub fn check_record(
    fields: &[IValue],
    record_type_id: u64,
    records: &RecordTable,
) -> Result<(), CompatError> {
    check_fields(fields, record_type_id, records, 0).map_err(|error| match error {
        // The caller holds the whole record: report it rather than a bare field list.
        FieldsError::Count => CompatError::Mismatch {
            expected: IType::Record(record_type_id),
            received: IValue::Record(fields.to_vec()),
        },
        FieldsError::Compat(error) => error,
    })
}

enum FieldsError {
    Count,
    Compat(CompatError),
}

fn check(value: &IValue, ty: &IType, records: &RecordTable, depth: u32) -> Result<(), CompatError> {
    let mismatch = || CompatError::Mismatch {
        expected: ty.clone(),
        received: value.clone(),
    };
    match (ty, value) {
        (IType::Array(element), IValue::Array(items)) => {
            let depth = deeper(depth)?;
            if element.is_scalar() {
                // Scalar elements need no recursion: one tight loop.
                match items.iter().find(|item| !scalar_matches(element, item)) {
                    None => Ok(()),
                    Some(item) => Err(CompatError::Mismatch {
                        expected: (**element).clone(),
                        received: item.clone(),
                    }),
                }
            } else {
                items
                    .iter()
                    .try_for_each(|item| check(item, element, records, depth))
            }
        }
        (IType::Array(element), IValue::ByteArray(_)) if **element == IType::U8 => Ok(()),
        (IType::ByteArray, IValue::ByteArray(_)) => Ok(()),
        (IType::ByteArray, IValue::Array(items)) => {
            match items.iter().find(|item| !matches!(item, IValue::U8(_))) {
                None => Ok(()),
                Some(item) => Err(CompatError::Mismatch {
                    expected: IType::U8,
                    received: item.clone(),
                }),
            }
        }
        (IType::String, IValue::String(_)) => Ok(()),
        (IType::Record(id), IValue::Record(fields)) => {
            match check_fields(fields, *id, records, deeper(depth)?) {
                Ok(()) => Ok(()),
                Err(FieldsError::Count) => Err(mismatch()),
                Err(FieldsError::Compat(error)) => Err(error),
            }
        }
        (IType::Record(id), _) if records.get(*id).is_none() => {
            Err(CompatError::RecordTypeMissing {
                record_type_id: *id,
            })
        }
        _ if ty.is_scalar() && scalar_matches(ty, value) => Ok(()),
        _ => Err(mismatch()),
    }
}

fn check_fields(
    fields: &[IValue],
    id: u64,
    records: &RecordTable,
    depth: u32,
) -> Result<(), FieldsError> {
    let layout = records
        .get(id)
        .ok_or(FieldsError::Compat(CompatError::RecordTypeMissing {
            record_type_id: id,
        }))?;
    if layout.fields.len() != fields.len() {
        return Err(FieldsError::Count);
    }
    layout
        .fields
        .iter()
        .zip(fields)
        .try_for_each(|(field, value)| check(value, &field.ty, records, depth))
        .map_err(FieldsError::Compat)
}

fn deeper(depth: u32) -> Result<u32, CompatError> {
    if depth >= MAX_DEPTH {
        return Err(CompatError::TooDeep { limit: MAX_DEPTH });
    }
    Ok(depth + 1)
}

/// True when `value` is the scalar variant of the scalar type `ty` (no widening).
#[inline]
pub(crate) fn scalar_matches(ty: &IType, value: &IValue) -> bool {
    matches!(
        (ty, value),
        (IType::Boolean, IValue::Boolean(_))
            | (IType::S8, IValue::S8(_))
            | (IType::S16, IValue::S16(_))
            | (IType::S32, IValue::S32(_))
            | (IType::S64, IValue::S64(_))
            | (IType::U8, IValue::U8(_))
            | (IType::U16, IValue::U16(_))
            | (IType::U32, IValue::U32(_))
            | (IType::U64, IValue::U64(_))
            | (IType::F32, IValue::F32(_))
            | (IType::F64, IValue::F64(_))
            | (IType::I32, IValue::I32(_))
            | (IType::I64, IValue::I64(_))
    )
}

/// True when a value of type `a` (with the record types of `records_a`) is accepted where
/// type `b` (with `records_b`) is expected: equal scalars, `byte_array` ≡ `array (u8)`,
/// arrays of compatible elements, records with the same number of fields and compatible
/// field types (names ignored; recursive records compared coinductively).
///
/// Within one module pass the same table twice.
pub fn types_compatible(
    a: &IType,
    records_a: &RecordTable,
    b: &IType,
    records_b: &RecordTable,
) -> bool {
    TypeComparison {
        records_a,
        records_b,
        assumed: Vec::new(),
    }
    .compatible(a, b, 0)
}

struct TypeComparison<'a> {
    records_a: &'a RecordTable,
    records_b: &'a RecordTable,
    /// Record pairs already assumed equal: a cycle back to one of them is consistent.
    assumed: Vec<(u64, u64)>,
}

impl TypeComparison<'_> {
    fn compatible(&mut self, a: &IType, b: &IType, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match (a, b) {
            (IType::ByteArray, IType::ByteArray) => true,
            (IType::ByteArray, IType::Array(x)) | (IType::Array(x), IType::ByteArray) => {
                **x == IType::U8
            }
            (IType::Array(x), IType::Array(y)) => self.compatible(x, y, depth + 1),
            (IType::Record(i), IType::Record(j)) => self.records_compatible(*i, *j, depth),
            (IType::ByteArray | IType::Array(_) | IType::Record(_), _)
            | (_, IType::ByteArray | IType::Array(_) | IType::Record(_)) => false,
            // Scalars and strings: no widening, `s32` is not `i32`.
            _ => a == b,
        }
    }

    fn records_compatible(&mut self, i: u64, j: u64, depth: u32) -> bool {
        let (Some(record_a), Some(record_b)) = (self.records_a.get(i), self.records_b.get(j))
        else {
            return false;
        };
        if core::ptr::eq(self.records_a, self.records_b) && i == j || self.assumed.contains(&(i, j))
        {
            return true;
        }
        self.assumed.push((i, j));
        record_a.fields.len() == record_b.fields.len()
            && record_a
                .fields
                .iter()
                .zip(&record_b.fields)
                .all(|(x, y)| self.compatible(&x.ty, &y.ty, depth + 1))
    }
}
