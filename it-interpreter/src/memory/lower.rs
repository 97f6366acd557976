//! Lowering: [`IValue`] → memory (`spec/it-section.md` §6.5). Calls the module's `allocate`.
//!
//! Every entry point checks the whole value against its type first (§1.4, D14), so nothing
//! is allocated for a value that turns out to be ill-typed. Buffers are built host-side and
//! written once; `allocate` is called in Marine's order: depth-first, fields in declaration
//! order, a record's children before the record, an array's outer buffer before its elements.

use crate::compat;
use crate::convert::{self, to_core};
use crate::memory::bounds::region;
use crate::memory::image::{INLINE_RECORD, RecordImage, crosses_as_image};
use crate::memory::{LowerError, LowerTarget};
use crate::records::{FieldLayout, MAX_DEPTH, RecordLayout, RecordTable};
use crate::types::IType;
use crate::values::IValue;
use alloc::vec::Vec;
use arrayvec::ArrayVec;

/// The `allocate` type tag of string, byte-array and record buffers (D55).
const BYTES_TAG: u32 = 1;

/// A lowered value in its flattened form (`spec/abi.md` §4).
#[derive(Debug, Clone, PartialEq)]
pub enum Lowered {
    /// A scalar as its core value (`I32`, `I64`, `F32` or `F64`).
    Scalar(IValue),
    /// A string, byte array or array: pointer and length (bytes, or elements for arrays).
    Slice {
        /// Offset of the buffer.
        ptr: u32,
        /// Byte length, or element count for arrays.
        len: u32,
    },
    /// A record: pointer to its packed fields.
    Record {
        /// Offset of the record.
        ptr: u32,
    },
}

impl Lowered {
    /// Appends the flattened core values (one or two).
    pub fn push_core(&self, out: &mut Vec<IValue>) {
        match self {
            Lowered::Scalar(value) => out.push(value.clone()),
            Lowered::Slice { ptr, len } => {
                out.push(IValue::I32(ptr.cast_signed()));
                out.push(IValue::I32(len.cast_signed()));
            }
            Lowered::Record { ptr } => out.push(IValue::I32(ptr.cast_signed())),
        }
    }
}

/// Allocates `allocate(len, 1)` (also for an empty string, D52), writes the bytes and
/// returns (pointer, byte length).
pub fn lower_string<T: LowerTarget + ?Sized>(
    target: &mut T,
    value: &str,
) -> Result<(u32, u32), LowerError> {
    Lowerer {
        target,
        records: None,
    }
    .bytes(value.as_bytes())
}

/// As [`lower_string`], for raw bytes.
pub fn lower_byte_array<T: LowerTarget + ?Sized>(
    target: &mut T,
    value: &[u8],
) -> Result<(u32, u32), LowerError> {
    Lowerer {
        target,
        records: None,
    }
    .bytes(value)
}

/// Lowers an array value (an `Array`, or a `ByteArray` when `element` is `u8`) with elements
/// of type `element`; returns (pointer, element count). An empty `Array` gives (0, 0) without
/// calling `allocate`; a `ByteArray` is always allocated, even when empty (Marine's sequence).
pub fn lower_array<T: LowerTarget + ?Sized>(
    target: &mut T,
    element: &IType,
    value: &IValue,
    records: &RecordTable,
) -> Result<(u32, u32), LowerError> {
    compat::check_array(value, element, records)?;
    lower_array_typed(target, element, value, records)
}

/// [`lower_array`] for a value known to have the type: one an adapter produced (lifted, or
/// returned by another module through its typed adapters), which the value check would
/// only confirm. A value that does not fit is still refused, possibly after allocations.
pub(crate) fn lower_array_typed<T: LowerTarget + ?Sized>(
    target: &mut T,
    element: &IType,
    value: &IValue,
    records: &RecordTable,
) -> Result<(u32, u32), LowerError> {
    Lowerer {
        target,
        records: Some(records),
    }
    .array_value(element, value, 0)
}

/// Lowers the fields of a record of type `record_type_id`; returns the record's pointer.
pub fn lower_record<T: LowerTarget + ?Sized>(
    target: &mut T,
    record_type_id: u64,
    fields: &[IValue],
    records: &RecordTable,
) -> Result<u32, LowerError> {
    compat::check_record(fields, record_type_id, records)?;
    lower_record_typed(target, record_type_id, fields, records)
}

/// [`lower_record`] for fields known to have the record's type (see
/// [`lower_array_typed`]).
pub(crate) fn lower_record_typed<T: LowerTarget + ?Sized>(
    target: &mut T,
    record_type_id: u64,
    fields: &[IValue],
    records: &RecordTable,
) -> Result<u32, LowerError> {
    Lowerer {
        target,
        records: Some(records),
    }
    .record(record_type_id, fields, 0)
}

/// Lowers the record `image` holds as a record of layout `layout` (the layout it was lifted
/// with, or one it [fits](crate::memory::image_fits)); returns the record's pointer.
///
/// The `allocate` calls and the bytes written are those of lowering the record's value
/// ([`lower_record`]): each string and byte array in field order, then the record, its
/// booleans written as 0 or 1.
pub fn lower_record_image<T: LowerTarget + ?Sized>(
    target: &mut T,
    layout: &RecordLayout,
    image: &RecordImage,
) -> Result<u32, LowerError> {
    Lowerer {
        target,
        records: None,
    }
    .record_image(layout, image)
}

/// Lowers `value` as type `ty` into its flattened form: the core value of a scalar (no
/// memory access), or a buffer written into memory.
pub fn lower_value<T: LowerTarget + ?Sized>(
    target: &mut T,
    value: &IValue,
    ty: &IType,
    records: &RecordTable,
) -> Result<Lowered, LowerError> {
    compat::check_value(value, ty, records)?;
    let mut lowerer = Lowerer {
        target,
        records: Some(records),
    };
    match (ty, value) {
        (IType::String, IValue::String(text)) => lowerer.bytes(text.as_bytes()),
        (IType::ByteArray, _) => lowerer.byte_array_value(value),
        (IType::Array(element), _) => lowerer.array_value(element, value, 0),
        (IType::Record(id), IValue::Record(fields)) => {
            return lowerer
                .record(*id, fields, 0)
                .map(|ptr| Lowered::Record { ptr });
        }
        (IType::F32 | IType::F64, _) => return Ok(Lowered::Scalar(value.clone())),
        _ => {
            return to_core(ty)
                .and_then(|conversion| convert::convert(conversion, value).ok())
                .map(Lowered::Scalar)
                .ok_or_else(|| mismatch(ty, value));
        }
    }
    .map(|(ptr, len)| Lowered::Slice { ptr, len })
}

fn mismatch(ty: &IType, value: &IValue) -> LowerError {
    LowerError::Incompatible(compat::CompatError::Mismatch {
        expected: ty.clone(),
        received: value.clone(),
    })
}

fn deeper(depth: u32) -> Result<(), LowerError> {
    if depth >= MAX_DEPTH {
        return Err(LowerError::TooDeep { limit: MAX_DEPTH });
    }
    Ok(())
}

fn buffer_size(count: usize, element_size: u32) -> Result<u32, LowerError> {
    let size = (count as u64)
        .checked_mul(u64::from(element_size))
        .ok_or(LowerError::TooLarge { size: u64::MAX })?;
    u32::try_from(size).map_err(|_| LowerError::TooLarge { size })
}

fn length(len: usize) -> Result<u32, LowerError> {
    u32::try_from(len).map_err(|_| LowerError::TooLarge { size: len as u64 })
}

struct Lowerer<'a, T: ?Sized> {
    target: &'a mut T,
    /// `None` only for strings and byte arrays, which need no record types.
    records: Option<&'a RecordTable>,
}

impl<'a, T: LowerTarget + ?Sized> Lowerer<'a, T> {
    /// Calls `allocate(size, tag)` and checks its result (D22).
    fn allocate(&mut self, size: u32, tag: u32) -> Result<u32, LowerError> {
        self.allocation(size, tag).map(|(ptr, _)| ptr)
    }

    /// Calls `allocate(len, tag)` for `bytes`, checks its result (D22) and writes them there:
    /// one look at memory where [`allocate`](Self::allocate) and [`write`](Self::write) take
    /// two.
    fn allocate_write(&mut self, bytes: &[u8], tag: u32) -> Result<u32, LowerError> {
        let (ptr, region) = self.allocation(length(bytes.len())?, tag)?;
        // The region is exactly `bytes.len()` long.
        region.copy_from_slice(bytes);
        Ok(ptr)
    }

    /// Calls `allocate(size, tag)`, checks its result (D22) and returns it with the `size`
    /// bytes of memory it stands for.
    fn allocation(&mut self, size: u32, tag: u32) -> Result<(u32, &mut [u8]), LowerError> {
        let ptr = self.target.allocate(size, tag)?;
        if ptr == 0 && size > 0 {
            return Err(LowerError::AllocateNull { size, tag });
        }
        let memory = self
            .target
            .memory()
            .map_err(|reason| LowerError::Memory { reason })?;
        let memory_size = memory.len() as u64;
        match region(memory.len(), ptr, u64::from(size))
            .ok()
            .and_then(|range| memory.get_mut(range))
        {
            Some(region) => Ok((ptr, region)),
            None => Err(LowerError::AllocateOutOfBounds {
                ptr,
                size,
                tag,
                memory_size,
            }),
        }
    }

    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), LowerError> {
        if bytes.is_empty() {
            return Ok(());
        }
        let memory = self
            .target
            .memory()
            .map_err(|reason| LowerError::Memory { reason })?;
        let memory_size = memory.len() as u64;
        let out_of_bounds = || LowerError::OutOfBounds {
            offset: u64::from(ptr),
            size: bytes.len() as u64,
            memory_size,
        };
        let range = region(memory.len(), ptr, bytes.len() as u64).map_err(|_| out_of_bounds())?;
        memory
            .get_mut(range)
            .ok_or_else(out_of_bounds)?
            .copy_from_slice(bytes);
        Ok(())
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<(u32, u32), LowerError> {
        let len = length(bytes.len())?;
        let ptr = self.allocate_write(bytes, BYTES_TAG)?;
        Ok((ptr, len))
    }

    /// A `byte_array` value: a `ByteArray`, or an `Array` of `U8` (§1.4).
    fn byte_array_value(&mut self, value: &IValue) -> Result<(u32, u32), LowerError> {
        match value {
            IValue::ByteArray(bytes) => self.bytes(bytes),
            IValue::Array(items) => {
                let bytes = items
                    .iter()
                    .map(|item| match item {
                        IValue::U8(byte) => Ok(*byte),
                        other => Err(mismatch(&IType::U8, other)),
                    })
                    .collect::<Result<Vec<u8>, _>>()?;
                self.bytes(&bytes)
            }
            other => Err(mismatch(&IType::ByteArray, other)),
        }
    }

    /// An `array (element)` value: an `Array`, or a `ByteArray` when `element` is `u8`.
    fn array_value(
        &mut self,
        element: &IType,
        value: &IValue,
        depth: u32,
    ) -> Result<(u32, u32), LowerError> {
        match value {
            IValue::ByteArray(bytes) if *element == IType::U8 => self.bytes(bytes),
            IValue::Array(items) => match self.open_array(element, items, depth)? {
                None => Ok((0, 0)),
                Some(frame) => self.run(frame, depth).map(Closed::pair),
            },
            other => Err(mismatch(
                &IType::Array(alloc::boxed::Box::new(element.clone())),
                other,
            )),
        }
    }

    fn record(&mut self, id: u64, fields: &[IValue], depth: u32) -> Result<u32, LowerError> {
        let layout = self.record_layout(id, fields, depth)?;
        if let Some(ptr) = self.flat_record(layout, fields)? {
            return Ok(ptr);
        }
        let frame = record_frame(layout, fields);
        self.run(frame, depth).map(|closed| closed.pair().0)
    }

    /// Opens a non-empty array: its outer buffer is allocated now, before any element
    /// (Marine's order), and written when the frame closes. `None` for an empty array.
    fn open_array<'x>(
        &mut self,
        element: &'x IType,
        items: &'x [IValue],
        depth: u32,
    ) -> Result<Option<Frame<'x>>, LowerError> {
        if items.is_empty() {
            return Ok(None);
        }
        deeper(depth)?;
        let count = length(items.len())?;
        let size = buffer_size(items.len(), element.memory_size())?;
        let ptr = self.allocate(size, element.allocation_tag())?;
        Ok(Some(Frame {
            buffer: Vec::with_capacity(capacity(size)),
            kind: FrameKind::Array {
                element,
                items: items.iter(),
                ptr,
                count,
            },
        }))
    }

    /// The layout of record type `id` for `fields`, a record opened at nesting `depth`.
    fn record_layout(
        &self,
        id: u64,
        fields: &[IValue],
        depth: u32,
    ) -> Result<&'a RecordLayout, LowerError> {
        deeper(depth)?;
        let records: Option<&'a RecordTable> = self.records;
        let layout =
            records
                .and_then(|records| records.get(id))
                .ok_or(LowerError::Incompatible(
                    compat::CompatError::RecordTypeMissing { record_type_id: id },
                ))?;
        if layout.fields.len() != fields.len() {
            return Err(mismatch(
                &IType::Record(id),
                &IValue::Record(fields.to_vec()),
            ));
        }
        Ok(layout)
    }

    /// Lowers everything `root` (opened at nesting `depth`) contains, with an explicit stack
    /// of frames rather than recursion (see the lifter), and closes it. The frame being
    /// filled is kept apart from its ancestors, so the stack allocates only for nesting.
    fn run<'x>(&mut self, root: Frame<'x>, depth: u32) -> Result<Closed, LowerError>
    where
        'a: 'x,
    {
        let mut ancestors: Vec<Frame<'x>> = Vec::new();
        let mut top = root;
        loop {
            let level = depth + 1 + u32::try_from(ancestors.len()).unwrap_or(u32::MAX);
            let next = match &mut top.kind {
                FrameKind::Array { element, items, .. } => {
                    let element: &'x IType = element;
                    items.next().map(|item| (element, item))
                }
                FrameKind::Record { layout, values, .. } => {
                    match (layout.split_first(), values.split_first()) {
                        (Some((field, fields)), Some((value, rest))) => {
                            *layout = fields;
                            *values = rest;
                            Some((&field.ty, value))
                        }
                        _ => None,
                    }
                }
            };
            match next {
                Some((ty, value)) => {
                    if let Some(child) = self.encode(ty, value, &mut top.buffer, level)? {
                        ancestors.push(core::mem::replace(&mut top, child));
                    }
                }
                None => {
                    let Some(parent) = ancestors.pop() else {
                        return self.close(top);
                    };
                    let done = core::mem::replace(&mut top, parent);
                    match self.close(done)? {
                        Closed::Slice(ptr, len) => push_pair(&mut top.buffer, (ptr, len))?,
                        Closed::Record(ptr) => top.buffer.extend_from_slice(&ptr.to_le_bytes()),
                    }
                }
            }
        }
    }

    /// Writes a finished frame: an array's elements into its buffer, or a record into a
    /// buffer allocated now.
    fn close(&mut self, frame: Frame<'_>) -> Result<Closed, LowerError> {
        match frame.kind {
            FrameKind::Array { ptr, count, .. } => {
                self.write(ptr, &frame.buffer)?;
                Ok(Closed::Slice(ptr, count))
            }
            FrameKind::Record { size, .. } => {
                let ptr = self.allocate(size, BYTES_TAG)?;
                self.write(ptr, &frame.buffer)?;
                Ok(Closed::Record(ptr))
            }
        }
    }

    /// Appends the in-memory form of `value` (a field or an element of type `ty`) to
    /// `buffer`. Strings and byte arrays are lowered at once; an array or a record becomes
    /// a frame to lower first.
    fn encode<'x>(
        &mut self,
        ty: &'x IType,
        value: &'x IValue,
        buffer: &mut Vec<u8>,
        level: u32,
    ) -> Result<Option<Frame<'x>>, LowerError>
    where
        'a: 'x,
    {
        if self.leaf(ty, value, buffer)? {
            return Ok(None);
        }
        match (ty, value) {
            (IType::Array(element), IValue::ByteArray(bytes)) if **element == IType::U8 => {
                let pair = self.bytes(bytes)?;
                push_pair(buffer, pair)?;
            }
            (IType::Array(element), IValue::Array(items)) => {
                match self.open_array(element, items, level)? {
                    Some(frame) => return Ok(Some(frame)),
                    None => push_pair(buffer, (0, 0))?,
                }
            }
            (IType::Record(id), IValue::Record(fields)) => {
                let layout = self.record_layout(*id, fields, level)?;
                if let Some(ptr) = self.flat_record(layout, fields)? {
                    buffer.put(&ptr.to_le_bytes())?;
                } else {
                    return Ok(Some(record_frame(layout, fields)));
                }
            }
            _ => return Err(mismatch(ty, value)),
        }
        Ok(None)
    }

    /// Appends the in-memory form of a value that holds no array or record (a scalar, a
    /// string or a byte array, lowered at once) to `buffer`; `false`, with nothing done, for
    /// an array or a record.
    #[inline]
    fn leaf(
        &mut self,
        ty: &IType,
        value: &IValue,
        buffer: &mut impl Sink,
    ) -> Result<bool, LowerError> {
        match (ty, value) {
            (IType::Boolean, IValue::Boolean(v)) => buffer.put(&[u8::from(*v)])?,
            (IType::S8, IValue::S8(v)) => buffer.put(&v.to_le_bytes())?,
            (IType::U8, IValue::U8(v)) => buffer.put(&[*v])?,
            (IType::S16, IValue::S16(v)) => buffer.put(&v.to_le_bytes())?,
            (IType::U16, IValue::U16(v)) => buffer.put(&v.to_le_bytes())?,
            (IType::S32, IValue::S32(v)) | (IType::I32, IValue::I32(v)) => {
                buffer.put(&v.to_le_bytes())?;
            }
            (IType::U32, IValue::U32(v)) => buffer.put(&v.to_le_bytes())?,
            (IType::F32, IValue::F32(v)) => buffer.put(&v.to_le_bytes())?,
            (IType::S64, IValue::S64(v)) | (IType::I64, IValue::I64(v)) => {
                buffer.put(&v.to_le_bytes())?;
            }
            (IType::U64, IValue::U64(v)) => buffer.put(&v.to_le_bytes())?,
            (IType::F64, IValue::F64(v)) => buffer.put(&v.to_le_bytes())?,
            (IType::String, IValue::String(text)) => {
                let pair = self.bytes(text.as_bytes())?;
                push_pair(buffer, pair)?;
            }
            (IType::ByteArray, _) => {
                let pair = self.byte_array_value(value)?;
                push_pair(buffer, pair)?;
            }
            (IType::Array(_) | IType::Record(_), _) => return Ok(false),
            _ => return Err(mismatch(ty, value)),
        }
        Ok(true)
    }

    /// Lowers a flat record (no array or record inside) of at most [`INLINE_RECORD`] bytes
    /// straight from its fields, its bytes gathered on the stack; `None` for other records,
    /// which take the frame path. Allocations happen in the same order: the fields'
    /// strings and byte arrays, then the record.
    fn flat_record(
        &mut self,
        layout: &RecordLayout,
        fields: &[IValue],
    ) -> Result<Option<u32>, LowerError> {
        if !layout.is_flat() || capacity(layout.size) > INLINE_RECORD {
            return Ok(None);
        }
        let mut buffer = ArrayVec::<u8, INLINE_RECORD>::new();
        for (field, value) in layout.fields.iter().zip(fields) {
            if !self.leaf(&field.ty, value, &mut buffer)? {
                // A flat layout has no array or record field.
                return Err(mismatch(&field.ty, value));
            }
        }
        let ptr = self.allocate_write(&buffer, BYTES_TAG)?;
        Ok(Some(ptr))
    }
}

impl<T: LowerTarget + ?Sized> Lowerer<'_, T> {
    /// See [`lower_record_image`].
    fn record_image(
        &mut self,
        layout: &RecordLayout,
        image: &RecordImage,
    ) -> Result<u32, LowerError> {
        let mismatch = || LowerError::ImageMismatch {
            record: layout.name.clone(),
        };
        let size = usize::try_from(layout.size).map_err(|_| mismatch())?;
        let (record, mut payloads) = match image.bytes.split_at_checked(size) {
            Some(parts) if image.filled && crosses_as_image(layout) => parts,
            _ => return Err(mismatch()),
        };
        let mut buffer = ArrayVec::<u8, INLINE_RECORD>::new();
        buffer
            .try_extend_from_slice(record)
            .map_err(|_| mismatch())?;
        for &offset in &layout.indirect.booleans {
            let byte = buffer.get_mut(index(offset)).ok_or_else(mismatch)?;
            *byte = u8::from(*byte != 0);
        }
        for &(offset, _) in &layout.indirect.payloads {
            let at = index(offset);
            let pair = buffer
                .get_mut(at..at.saturating_add(8))
                .ok_or_else(mismatch)?;
            let len = pair
                .get(4..)
                .and_then(|len| <[u8; 4]>::try_from(len).ok())
                .map(u32::from_le_bytes)
                .ok_or_else(mismatch)?;
            let (payload, rest) = payloads.split_at_checked(index(len)).ok_or_else(mismatch)?;
            payloads = rest;
            let (ptr, _) = self.bytes(payload)?;
            pair.get_mut(..4)
                .ok_or_else(mismatch)?
                .copy_from_slice(&ptr.to_le_bytes());
        }
        let ptr = self.allocate_write(&buffer, BYTES_TAG)?;
        Ok(ptr)
    }
}

/// Where the bytes of a record or an array's elements are gathered: a growing buffer, or a
/// fixed one on the stack for small flat records.
trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]) -> Result<(), LowerError>;
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), LowerError> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

impl<const N: usize> Sink for ArrayVec<u8, N> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), LowerError> {
        // The fields' sizes add up to the record's, which fits: a layout bug, not a panic.
        self.try_extend_from_slice(bytes)
            .map_err(|_| LowerError::TooLarge {
                size: (self.len() + bytes.len()) as u64,
            })
    }
}

/// A finished array (pointer, count) or record (pointer).
enum Closed {
    Slice(u32, u32),
    Record(u32),
}

impl Closed {
    /// (pointer, count); a record has no count.
    fn pair(self) -> (u32, u32) {
        match self {
            Closed::Slice(ptr, len) => (ptr, len),
            Closed::Record(ptr) => (ptr, 0),
        }
    }
}

/// An array or record being lowered: the bytes of its elements or fields so far.
struct Frame<'x> {
    buffer: Vec<u8>,
    kind: FrameKind<'x>,
}

enum FrameKind<'x> {
    Array {
        element: &'x IType,
        items: core::slice::Iter<'x, IValue>,
        /// The outer buffer, allocated when the frame opened.
        ptr: u32,
        count: u32,
    },
    Record {
        layout: &'x [FieldLayout],
        values: &'x [IValue],
        size: u32,
    },
}

fn push_pair(buffer: &mut impl Sink, (ptr, len): (u32, u32)) -> Result<(), LowerError> {
    buffer.put(&ptr.to_le_bytes())?;
    buffer.put(&len.to_le_bytes())
}

/// Opens a record: it is allocated when the frame closes, after its children.
fn record_frame<'x>(layout: &'x RecordLayout, fields: &'x [IValue]) -> Frame<'x> {
    Frame {
        buffer: Vec::with_capacity(capacity(layout.size)),
        kind: FrameKind::Record {
            layout: &layout.fields,
            values: fields,
            size: layout.size,
        },
    }
}

/// An offset or length read from a layout or an image as an index (past the end, and so
/// refused, where it does not fit).
fn index(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

fn capacity(size: u32) -> usize {
    usize::try_from(size).unwrap_or(0)
}
