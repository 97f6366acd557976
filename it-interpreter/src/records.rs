//! Record layouts resolved once per module: field offsets and record sizes are computed when
//! the table is built, so lifting and lowering never walk a type list or sum field sizes.
//!
//! This is type-level knowledge, the layer right above [`types`](crate::types): the
//! compatibility check ([`compat`](crate::compat)), lifting and lowering
//! ([`memory`](crate::memory), which re-exports these items) and the adapter compiler all build
//! on it. [`MAX_DEPTH`] bounds how deep any of them follows records and arrays.

use crate::types::{IType, RecordType, TypeEntry};
use alloc::string::String;
use alloc::vec::Vec;

/// The deepest nesting of records and arrays that lifting, lowering and value checks follow
/// (D21). The adapter compiler applies the same bound to record types.
pub const MAX_DEPTH: u32 = 1024;

/// A module's record types, indexed by type index (`record N` refers to entry `N` of the
/// module's type list, `spec/it-section.md` §1.2).
///
/// Built by [`RecordTable::new`], which checks that every record has fields, that every
/// `record N` inside a field type names a record, and that sizes fit in 32 bits. It does not
/// reject cyclic record types: the adapter compiler rejects those where adapters can reach
/// them, and lifting and lowering bound their depth anyway (D21).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordTable {
    /// One slot per type index; `None` for function types.
    slots: Vec<Option<RecordLayout>>,
}

/// A record type with its packed layout (`spec/abi.md` §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLayout {
    /// The record's (informational) name.
    pub name: String,
    /// The fields in declaration order, with their offsets.
    pub fields: Vec<FieldLayout>,
    /// The packed size in bytes: the sum of the field sizes.
    pub size: u32,
    /// Whether every field is a scalar, a string or a byte array: the record holds no
    /// record or array, so it is lifted, checked and lowered field by field at fixed
    /// offsets, without the nesting machinery.
    flat: bool,
    /// The fields a byte copy of the record does not carry as they are.
    pub(crate) indirect: Indirect,
}

/// The fields of a record whose packed bytes are not the whole story: booleans, whose byte
/// is read as "not zero" and written as 0 or 1, and strings and byte arrays, whose bytes lie
/// elsewhere. Found once per record type, so that copying a flat record as bytes
/// ([`RecordImage`](crate::memory::RecordImage)) visits only these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Indirect {
    /// Offsets of the boolean fields.
    pub(crate) booleans: Vec<u32>,
    /// Offsets of the (pointer, length) pairs of the string and byte-array fields, in field
    /// order, each with whether it is a string (whose bytes must be UTF-8).
    pub(crate) payloads: Vec<(u32, bool)>,
}

impl RecordLayout {
    /// Whether every field is a scalar, a string or a byte array (no record or array
    /// inside): such records take a direct path through lifting, checking and lowering.
    pub fn is_flat(&self) -> bool {
        self.flat
    }
}

/// One field of a [`RecordLayout`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLayout {
    /// The field name (may be empty).
    pub name: String,
    /// The field type.
    pub ty: IType,
    /// Byte offset of the field inside the packed record.
    pub offset: u32,
}

/// Why a type list cannot give a [`RecordTable`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordTableError {
    /// A record type without fields (D5).
    #[error("record type {type_index} has no fields")]
    EmptyRecord {
        /// The record's type index.
        type_index: u32,
    },
    /// A field refers to a type that does not exist or is not a record.
    #[error(
        "field `{field}` of record type {type_index} refers to type {referenced}, which is not a record type"
    )]
    NotARecord {
        /// The record's type index.
        type_index: u32,
        /// The field's name.
        field: String,
        /// The type index the field names.
        referenced: u64,
    },
    /// The packed size does not fit in 32 bits.
    #[error("record type {type_index} is larger than 4 GiB")]
    TooLarge {
        /// The record's type index.
        type_index: u32,
    },
}

impl RecordTable {
    /// Resolves the record types of a module's type list.
    pub fn new(types: &[TypeEntry]) -> Result<Self, RecordTableError> {
        let mut slots = Vec::with_capacity(types.len());
        for (index, entry) in types.iter().enumerate() {
            let type_index = u32::try_from(index).map_err(|_| RecordTableError::TooLarge {
                type_index: u32::MAX,
            })?;
            slots.push(match entry {
                TypeEntry::Function(_) => None,
                TypeEntry::Record(record) => Some(layout(type_index, record, types)?),
            });
        }
        Ok(Self { slots })
    }

    /// The record type with type index `id`, if that entry is a record.
    #[inline]
    pub fn get(&self, id: u64) -> Option<&RecordLayout> {
        let index = usize::try_from(id).ok()?;
        self.slots.get(index)?.as_ref()
    }

    /// The first record type named `name`, with its type index (names need not be unique;
    /// host imports use this to find SDK records such as `CallParameters`).
    pub fn find(&self, name: &str) -> Option<(u64, &RecordLayout)> {
        self.iter().find(|(_, layout)| layout.name == name)
    }

    /// The number of type indices the table covers (records and function types).
    pub fn type_count(&self) -> usize {
        self.slots.len()
    }

    /// Iterates over `(type index, layout)` of every record.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &RecordLayout)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| Some((u64::try_from(index).ok()?, slot.as_ref()?)))
    }
}

fn layout(
    type_index: u32,
    record: &RecordType,
    types: &[TypeEntry],
) -> Result<RecordLayout, RecordTableError> {
    if record.fields.is_empty() {
        return Err(RecordTableError::EmptyRecord { type_index });
    }
    let mut offset: u32 = 0;
    let mut fields = Vec::with_capacity(record.fields.len());
    for field in &record.fields {
        if let Some(referenced) = first_non_record_reference(&field.ty, types) {
            return Err(RecordTableError::NotARecord {
                type_index,
                field: field.name.clone(),
                referenced,
            });
        }
        fields.push(FieldLayout {
            name: field.name.clone(),
            ty: field.ty.clone(),
            offset,
        });
        offset = offset
            .checked_add(field.ty.memory_size())
            .ok_or(RecordTableError::TooLarge { type_index })?;
    }
    let flat = fields
        .iter()
        .all(|field| !matches!(field.ty, IType::Array(_) | IType::Record(_)));
    let mut indirect = Indirect::default();
    for field in &fields {
        match field.ty {
            IType::Boolean => indirect.booleans.push(field.offset),
            IType::String => indirect.payloads.push((field.offset, true)),
            IType::ByteArray => indirect.payloads.push((field.offset, false)),
            _ => {}
        }
    }
    Ok(RecordLayout {
        name: record.name.clone(),
        fields,
        size: offset,
        flat,
        indirect,
    })
}

/// The first `record N` inside `ty` (through arrays) whose `N` is not a record type.
fn first_non_record_reference(ty: &IType, types: &[TypeEntry]) -> Option<u64> {
    // Arrays nest iteratively here: a type nested very deeply must not overflow the stack.
    let mut ty = ty;
    loop {
        match ty {
            IType::Array(inner) => ty = inner,
            IType::Record(id) => {
                let is_record = usize::try_from(*id)
                    .ok()
                    .and_then(|index| types.get(index))
                    .is_some_and(|entry| matches!(entry, TypeEntry::Record(_)));
                return (!is_record).then_some(*id);
            }
            _ => return None,
        }
    }
}
