//! Value/type compatibility (`spec/it-section.md` §1.4), for values and for types.
//!
//! Values are checked before they are lowered (D12–D14) and when they cross `call-core`;
//! types are checked by the adapter compiler's stack simulation and, across modules, by the
//! runtime's link-time signature check (D29). Records are structural at run time: only field
//! count and field types matter, never names.

use crate::records::{FieldLayout, MAX_DEPTH, RecordTable};
use crate::types::{FunctionType, IType};
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
    let mut checker = Checker::new(records);
    checker.visit(value, ty)?;
    checker.finish()
}

/// Checks that `value` is an `array (element)` value: an `Array` of compatible elements, or
/// a `ByteArray` when `element` is `u8`. Same as [`check_value`] with `Array(element)`,
/// without building that type.
pub fn check_array(
    value: &IValue,
    element: &IType,
    records: &RecordTable,
) -> Result<(), CompatError> {
    let mut checker = Checker::new(records);
    match value {
        IValue::Array(items) => checker.items(element, items)?,
        IValue::ByteArray(_) if *element == IType::U8 => {}
        _ => {
            return Err(CompatError::Mismatch {
                expected: IType::Array(alloc::boxed::Box::new(element.clone())),
                received: value.clone(),
            });
        }
    }
    checker.finish()
}

/// Checks that `fields` are the field values of record type `record_type_id`.
pub fn check_record(
    fields: &[IValue],
    record_type_id: u64,
    records: &RecordTable,
) -> Result<(), CompatError> {
    let mut checker = Checker::new(records);
    if !checker.fields(record_type_id, fields)? {
        // The caller holds the whole record: report it rather than a bare field list.
        return Err(CompatError::Mismatch {
            expected: IType::Record(record_type_id),
            received: IValue::Record(fields.to_vec()),
        });
    }
    checker.finish()
}

/// Walks a value with an explicit stack of the arrays and records it is inside, so that
/// deep values cost heap, never host stack (D21).
struct Checker<'a> {
    records: &'a RecordTable,
    stack: Vec<Pending<'a>>,
}

/// The rest of an array or record still to check.
enum Pending<'a> {
    Items {
        element: &'a IType,
        items: core::slice::Iter<'a, IValue>,
    },
    Fields {
        fields: core::slice::Iter<'a, FieldLayout>,
        values: core::slice::Iter<'a, IValue>,
    },
}

impl<'a> Checker<'a> {
    fn new(records: &'a RecordTable) -> Self {
        Self {
            records,
            stack: Vec::new(),
        }
    }

    /// Checks everything still pending.
    fn finish(mut self) -> Result<(), CompatError> {
        loop {
            let next = match self.stack.last_mut() {
                None => return Ok(()),
                Some(Pending::Items { element, items }) => {
                    let element: &'a IType = element;
                    items.next().map(|item| (item, element))
                }
                Some(Pending::Fields { fields, values }) => fields
                    .next()
                    .zip(values.next())
                    .map(|(field, value)| (value, &field.ty)),
            };
            match next {
                Some((value, ty)) => self.visit(value, ty)?,
                None => {
                    self.stack.pop();
                }
            }
        }
    }

    /// Checks the outside of `value`; what it contains is queued.
    fn visit(&mut self, value: &'a IValue, ty: &'a IType) -> Result<(), CompatError> {
        match (ty, value) {
            (IType::Array(element), IValue::Array(items)) => self.items(element, items),
            (IType::Array(element), IValue::ByteArray(_)) if **element == IType::U8 => Ok(()),
            (IType::ByteArray, IValue::ByteArray(_)) | (IType::String, IValue::String(_)) => Ok(()),
            (IType::ByteArray, IValue::Array(items)) => {
                match items.iter().find(|item| !matches!(item, IValue::U8(_))) {
                    None => Ok(()),
                    Some(item) => Err(CompatError::Mismatch {
                        expected: IType::U8,
                        received: item.clone(),
                    }),
                }
            }
            (IType::Record(id), IValue::Record(fields)) => {
                if self.fields(*id, fields)? {
                    Ok(())
                } else {
                    Err(CompatError::Mismatch {
                        expected: ty.clone(),
                        received: value.clone(),
                    })
                }
            }
            (IType::Record(id), _) if self.records.get(*id).is_none() => {
                Err(CompatError::RecordTypeMissing {
                    record_type_id: *id,
                })
            }
            _ if ty.is_scalar() && scalar_matches(ty, value) => Ok(()),
            _ => Err(CompatError::Mismatch {
                expected: ty.clone(),
                received: value.clone(),
            }),
        }
    }

    fn enter(&self) -> Result<(), CompatError> {
        if self.stack.len() >= MAX_DEPTH as usize {
            return Err(CompatError::TooDeep { limit: MAX_DEPTH });
        }
        Ok(())
    }

    fn items(&mut self, element: &'a IType, items: &'a [IValue]) -> Result<(), CompatError> {
        self.enter()?;
        if element.is_scalar() {
            // Scalar elements need no queueing: one tight loop.
            return match items.iter().find(|item| !scalar_matches(element, item)) {
                None => Ok(()),
                Some(item) => Err(CompatError::Mismatch {
                    expected: element.clone(),
                    received: item.clone(),
                }),
            };
        }
        self.stack.push(Pending::Items {
            element,
            items: items.iter(),
        });
        Ok(())
    }

    /// Queues the fields of a record of type `id`; `false` when the field count differs.
    fn fields(&mut self, id: u64, values: &'a [IValue]) -> Result<bool, CompatError> {
        let records: &'a RecordTable = self.records;
        let layout = records
            .get(id)
            .ok_or(CompatError::RecordTypeMissing { record_type_id: id })?;
        if layout.fields.len() != values.len() {
            return Ok(false);
        }
        self.enter()?;
        if layout.is_flat() {
            // No field queues anything: checked now, in the order `finish` would take.
            for (field, value) in layout.fields.iter().zip(values) {
                self.visit(value, &field.ty)?;
            }
            return Ok(true);
        }
        self.stack.push(Pending::Fields {
            fields: layout.fields.iter(),
            values: values.iter(),
        });
        Ok(true)
    }
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

/// True when `value` has the outer shape of `ty` (its variant), without looking inside
/// arrays or records: what `call-core` checks before a cross-module call, since the callee's
/// lowering checks the inside anyway.
#[inline]
pub(crate) fn shape_matches(ty: &IType, value: &IValue) -> bool {
    match (ty, value) {
        (IType::String, IValue::String(_))
        | (IType::ByteArray, IValue::ByteArray(_) | IValue::Array(_))
        | (IType::Array(_), IValue::Array(_))
        | (IType::Record(_), IValue::Record(_)) => true,
        (IType::Array(element), IValue::ByteArray(_)) => **element == IType::U8,
        _ => scalar_matches(ty, value),
    }
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
    let same_table = core::ptr::eq(records_a, records_b);
    // Every pair on the worklist must be compatible; a record pair met again is assumed
    // compatible (a cycle back to it is consistent), which also bounds the walk.
    let mut pending: Vec<(&IType, &IType)> = alloc::vec![(a, b)];
    let mut assumed: Vec<(u64, u64)> = Vec::new();
    while let Some((a, b)) = pending.pop() {
        match (a, b) {
            (IType::ByteArray, IType::ByteArray) => {}
            (IType::ByteArray, IType::Array(x)) | (IType::Array(x), IType::ByteArray) => {
                if **x != IType::U8 {
                    return false;
                }
            }
            (IType::Array(x), IType::Array(y)) => pending.push((x, y)),
            (IType::Record(i), IType::Record(j)) => {
                if same_table && i == j || assumed.contains(&(*i, *j)) {
                    continue;
                }
                let (Some(record_a), Some(record_b)) = (records_a.get(*i), records_b.get(*j))
                else {
                    return false;
                };
                if record_a.fields.len() != record_b.fields.len() {
                    return false;
                }
                assumed.push((*i, *j));
                pending.extend(
                    record_a
                        .fields
                        .iter()
                        .zip(&record_b.fields)
                        .map(|(x, y)| (&x.ty, &y.ty)),
                );
            }
            (IType::ByteArray | IType::Array(_) | IType::Record(_), _)
            | (_, IType::ByteArray | IType::Array(_) | IType::Record(_)) => return false,
            // Scalars and strings: no widening, `s32` is not `i32`.
            _ => {
                if a != b {
                    return false;
                }
            }
        }
    }
    true
}

/// The link-time check of D29: an importer's IT-level signature `importer` (with its record
/// types) accepts the exporter's `exporter`: same arity, and parameters and results
/// compatible pairwise by [`types_compatible`] (names of records, fields and parameters
/// ignored; `byte_array` ≡ `array (u8)`).
pub fn functions_compatible(
    importer: &FunctionType,
    importer_records: &RecordTable,
    exporter: &FunctionType,
    exporter_records: &RecordTable,
) -> bool {
    importer.params.len() == exporter.params.len()
        && importer.results.len() == exporter.results.len()
        && importer
            .params
            .iter()
            .zip(&exporter.params)
            .all(|(a, b)| types_compatible(&a.ty, importer_records, &b.ty, exporter_records))
        && importer
            .results
            .iter()
            .zip(&exporter.results)
            .all(|(a, b)| types_compatible(a, importer_records, b, exporter_records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{FunctionArg, RecordField, RecordType, TypeEntry};
    use alloc::boxed::Box;
    use alloc::string::String;
    use alloc::vec;

    fn table(records: &[(&str, &[IType])]) -> RecordTable {
        let types: Vec<TypeEntry> = records
            .iter()
            .map(|(name, fields)| {
                TypeEntry::Record(RecordType {
                    name: (*name).into(),
                    fields: fields
                        .iter()
                        .map(|ty| RecordField {
                            name: String::new(),
                            ty: ty.clone(),
                        })
                        .collect(),
                })
            })
            .collect();
        RecordTable::new(&types).unwrap()
    }

    #[test]
    fn records_compare_structurally_across_modules() {
        // Module A: Node = record 0 { children: array (record 0), label: string }.
        let a = table(&[(
            "Node",
            &[IType::Array(Box::new(IType::Record(0))), IType::String],
        )]);
        // Module B puts an unrelated record first; its Node is record 1, fields renamed.
        let b = table(&[
            ("Other", &[IType::U8]),
            (
                "Tree",
                &[IType::Array(Box::new(IType::Record(1))), IType::String],
            ),
        ]);
        assert!(types_compatible(
            &IType::Record(0),
            &a,
            &IType::Record(1),
            &b
        ));
        assert!(!types_compatible(
            &IType::Record(0),
            &a,
            &IType::Record(0),
            &b
        ));
        let bytes = IType::Array(Box::new(IType::U8));
        assert!(types_compatible(&IType::ByteArray, &a, &bytes, &b));
        assert!(!types_compatible(&IType::S32, &a, &IType::I32, &b));

        let function = |ty: IType, result: IType| FunctionType {
            params: vec![FunctionArg {
                name: "x".into(),
                ty,
            }],
            results: vec![result],
        };
        assert!(functions_compatible(
            &function(IType::Record(0), IType::ByteArray),
            &a,
            &function(IType::Record(1), bytes.clone()),
            &b
        ));
        assert!(!functions_compatible(
            &function(IType::Record(0), IType::ByteArray),
            &a,
            &function(IType::Record(1), IType::String),
            &b
        ));
    }
}
