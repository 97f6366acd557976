//! Lifting: memory → [`IValue`] (`spec/it-section.md` §6.4). Reads only; never calls the
//! module.

use crate::convert::{self, from_core};
use crate::memory::bounds::{Reader, region};
use crate::memory::image::{RecordImage, crosses_as_image};
use crate::memory::{LiftBudget, LiftError};
use crate::records::{FieldLayout, MAX_DEPTH, RecordLayout, RecordTable};
use crate::types::IType;
use crate::values::{IValue, push_value};
use alloc::string::String;
use alloc::vec::Vec;

/// What one lifted array element or record field costs against the [`LiftBudget`].
const VALUE_COST: u64 = size_of::<IValue>() as u64;

/// Lifts the string at (`ptr`, `len`): `len` bytes of UTF-8. A zero length reads nothing and
/// ignores `ptr` (D53).
pub fn lift_string(
    memory: &[u8],
    ptr: u32,
    len: u32,
    budget: &mut LiftBudget,
) -> Result<String, LiftError> {
    bytes(memory, ptr, len, budget).and_then(|bytes| utf8(bytes, ptr))
}

/// Lifts the byte array at (`ptr`, `len`). A zero length reads nothing and ignores `ptr`.
pub fn lift_byte_array(
    memory: &[u8],
    ptr: u32,
    len: u32,
    budget: &mut LiftBudget,
) -> Result<Vec<u8>, LiftError> {
    bytes(memory, ptr, len, budget).map(<[u8]>::to_vec)
}

/// Lifts `count` elements of type `element` stored contiguously at `ptr`. A zero count reads
/// nothing. `byte_array` elements (and `u8` elements) come back as `Array` of `U8` (D54).
pub fn lift_array(
    memory: &[u8],
    element: &IType,
    ptr: u32,
    count: u32,
    records: &RecordTable,
    budget: &mut LiftBudget,
) -> Result<Vec<IValue>, LiftError> {
    Lifter {
        memory,
        records,
        budget,
    }
    .array(element, ptr, count, 0)
}

/// Lifts the record of type `record_type_id` at `ptr` and returns its field values.
pub fn lift_record(
    memory: &[u8],
    record_type_id: u64,
    ptr: u32,
    records: &RecordTable,
    budget: &mut LiftBudget,
) -> Result<Vec<IValue>, LiftError> {
    Lifter {
        memory,
        records,
        budget,
    }
    .record(record_type_id, ptr, 0)
}

/// Lifts the flat record of layout `layout` at `ptr` into `image` (see
/// [`RecordImage`]), with the checks and budget charges of [`lift_record`] in the same
/// order, so it fails exactly where lifting the record would. Returns `false`, with nothing
/// read or charged, for a layout that does not [cross as an image](crate::memory::crosses_as_image).
pub fn lift_record_image(
    memory: &[u8],
    layout: &RecordLayout,
    ptr: u32,
    budget: &mut LiftBudget,
    image: &mut RecordImage,
) -> Result<bool, LiftError> {
    if !crosses_as_image(layout) {
        return Ok(false);
    }
    image.clear();
    let record = slice(memory, ptr, u64::from(layout.size))?;
    budget.charge(layout.fields.len() as u64 * VALUE_COST)?;
    image.bytes.extend_from_slice(record);
    for &(offset, string) in &layout.indirect.payloads {
        let mut reader = Reader::new(record, ptr);
        reader.skip(offset)?;
        let (ptr, len) = (reader.u32()?, reader.u32()?);
        let payload = bytes(memory, ptr, len, budget)?;
        if string {
            core::str::from_utf8(payload).map_err(|error| LiftError::InvalidUtf8String {
                offset: u64::from(ptr),
                error,
            })?;
        }
        image.bytes.extend_from_slice(payload);
    }
    image.filled = true;
    Ok(true)
}

/// Lifts a value of type `ty` from its flattened core values (`spec/abi.md` §4): one core
/// value for a scalar (same-width values reinterpreted, narrower ones range-checked, as
/// adapters do), (`ptr`, `len`) for strings, byte arrays and arrays, a pointer for records.
/// This is how the runtime reads the arguments of IT-typed host imports.
pub fn lift_flat(
    memory: &[u8],
    ty: &IType,
    core: &[IValue],
    records: &RecordTable,
    budget: &mut LiftBudget,
) -> Result<IValue, LiftError> {
    let bad_shape = || LiftError::CoreValues {
        ty: ty.clone(),
        count: core.len(),
    };
    let pointer = |value: &IValue| match value {
        IValue::I32(v) => Ok(v.cast_unsigned()),
        _ => Err(bad_shape()),
    };
    match (ty, core) {
        (IType::F32, [value @ IValue::F32(_)]) | (IType::F64, [value @ IValue::F64(_)]) => {
            Ok(value.clone())
        }
        (IType::String, [ptr, len]) => {
            lift_string(memory, pointer(ptr)?, pointer(len)?, budget).map(IValue::String)
        }
        (IType::ByteArray, [ptr, len]) => {
            lift_byte_array(memory, pointer(ptr)?, pointer(len)?, budget).map(IValue::ByteArray)
        }
        (IType::Array(element), [ptr, count]) => lift_array(
            memory,
            element,
            pointer(ptr)?,
            pointer(count)?,
            records,
            budget,
        )
        .map(IValue::Array),
        (IType::Record(id), [ptr]) => {
            lift_record(memory, *id, pointer(ptr)?, records, budget).map(IValue::Record)
        }
        (_, [value]) => {
            let conversion = from_core(ty).ok_or_else(bad_shape)?;
            convert::convert(conversion, value).map_err(|error| match error {
                convert::ConvertError::WrongVariant => bad_shape(),
                convert::ConvertError::OutOfRange => LiftError::OutOfRange {
                    ty: ty.clone(),
                    value: alloc::format!("{value:?}"),
                },
            })
        }
        _ => Err(bad_shape()),
    }
}

/// The bytes at (`ptr`, `len`), bounds-checked and charged to the budget.
fn bytes<'m>(
    memory: &'m [u8],
    ptr: u32,
    len: u32,
    budget: &mut LiftBudget,
) -> Result<&'m [u8], LiftError> {
    if len == 0 {
        return Ok(&[]);
    }
    let bytes = slice(memory, ptr, u64::from(len))?;
    budget.charge(u64::from(len))?;
    Ok(bytes)
}

fn slice(memory: &[u8], ptr: u32, size: u64) -> Result<&[u8], LiftError> {
    let range = region(memory.len(), ptr, size)?;
    memory.get(range).ok_or(LiftError::OutOfBounds {
        offset: u64::from(ptr),
        size,
        memory_size: memory.len() as u64,
    })
}

fn utf8(bytes: &[u8], ptr: u32) -> Result<String, LiftError> {
    core::str::from_utf8(bytes)
        .map(String::from)
        .map_err(|error| LiftError::InvalidUtf8String {
            offset: u64::from(ptr),
            error,
        })
}

/// Fails when a frame opened at nesting `depth` would exceed [`MAX_DEPTH`] (D21).
fn deeper(depth: u32) -> Result<(), LiftError> {
    if depth >= MAX_DEPTH {
        return Err(LiftError::TooDeep { limit: MAX_DEPTH });
    }
    Ok(())
}

fn capacity(count: u32) -> usize {
    // Only called after `count` elements were found inside memory, so this is bounded by the
    // memory size; a 16-bit target that cannot even address it simply does not reserve.
    usize::try_from(count).unwrap_or(0)
}

/// Lifts nested values with an explicit stack of frames instead of recursion, so that a
/// deep (or cyclic, D21) structure costs heap frames bounded by [`MAX_DEPTH`], never host
/// stack.
struct Lifter<'a> {
    memory: &'a [u8],
    records: &'a RecordTable,
    budget: &'a mut LiftBudget,
}

/// An array or record being lifted: where it is read from and what was lifted so far.
struct Frame<'a> {
    reader: Reader<'a>,
    kind: FrameKind<'a>,
    values: Vec<IValue>,
}

enum FrameKind<'a> {
    Array { element: &'a IType, remaining: u32 },
    Record { fields: &'a [FieldLayout] },
}

/// What to do after reading the next value of the top frame.
enum Next<'a> {
    /// The value was pushed onto the frame's values.
    Pushed,
    Open(Frame<'a>),
    Close,
}

impl<'a> Lifter<'a> {
    fn array(
        &mut self,
        element: &'a IType,
        ptr: u32,
        count: u32,
        depth: u32,
    ) -> Result<Vec<IValue>, LiftError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let frame = self.array_frame(element, ptr, count, depth)?;
        self.run(frame, depth)
    }

    fn record(&mut self, id: u64, ptr: u32, depth: u32) -> Result<Vec<IValue>, LiftError> {
        let layout = self.record_layout(id, depth)?;
        if layout.is_flat() {
            return self.flat_record(layout, ptr, depth);
        }
        let frame = self.record_frame(layout, ptr)?;
        self.run(frame, depth)
    }

    /// The layout of record type `id`, for a record opened at nesting `depth`.
    fn record_layout(&self, id: u64, depth: u32) -> Result<&'a RecordLayout, LiftError> {
        deeper(depth)?;
        let records: &'a RecordTable = self.records;
        records
            .get(id)
            .ok_or(LiftError::RecordNotFound { record_type_id: id })
    }

    /// The fields of a flat record (no record or array inside) at `ptr`: read in one pass
    /// at their offsets, with no frame.
    fn flat_record(
        &mut self,
        layout: &'a RecordLayout,
        ptr: u32,
        depth: u32,
    ) -> Result<Vec<IValue>, LiftError> {
        let bytes = slice(self.memory, ptr, u64::from(layout.size))?;
        self.budget
            .charge(layout.fields.len() as u64 * VALUE_COST)?;
        let mut reader = Reader::new(bytes, ptr);
        let mut values = Vec::with_capacity(layout.fields.len());
        for field in &layout.fields {
            // A flat layout has no array or record field; were it to have one, the general
            // path would lift the record correctly.
            if !self.leaf(&field.ty, &mut reader, false, &mut values)? {
                let frame = self.record_frame(layout, ptr)?;
                return self.run(frame, depth);
            }
        }
        Ok(values)
    }

    fn array_frame(
        &mut self,
        element: &'a IType,
        ptr: u32,
        count: u32,
        depth: u32,
    ) -> Result<Frame<'a>, LiftError> {
        deeper(depth)?;
        // The element size is 8 for every (pointer, length) element (D20).
        let size = u64::from(count) * u64::from(element.memory_size());
        let bytes = slice(self.memory, ptr, size)?;
        self.budget.charge(u64::from(count) * VALUE_COST)?;
        Ok(Frame {
            reader: Reader::new(bytes, ptr),
            kind: FrameKind::Array {
                element,
                remaining: count,
            },
            values: Vec::with_capacity(capacity(count)),
        })
    }

    fn record_frame(&mut self, layout: &'a RecordLayout, ptr: u32) -> Result<Frame<'a>, LiftError> {
        let bytes = slice(self.memory, ptr, u64::from(layout.size))?;
        self.budget
            .charge(layout.fields.len() as u64 * VALUE_COST)?;
        Ok(Frame {
            reader: Reader::new(bytes, ptr),
            kind: FrameKind::Record {
                fields: &layout.fields,
            },
            values: Vec::with_capacity(layout.fields.len()),
        })
    }

    /// Lifts everything `root` (at nesting `depth`) contains and returns its values.
    ///
    /// The frame being filled is kept apart from the stack of its ancestors, so the stack
    /// allocates only when values actually nest.
    fn run(&mut self, root: Frame<'a>, depth: u32) -> Result<Vec<IValue>, LiftError> {
        let mut ancestors: Vec<Frame<'a>> = Vec::new();
        let mut top = root;
        loop {
            let level = depth + 1 + u32::try_from(ancestors.len()).unwrap_or(u32::MAX);
            let next = match &mut top.kind {
                FrameKind::Array { element, remaining } if *remaining > 0 => {
                    *remaining -= 1;
                    let element: &'a IType = element;
                    self.next(element, &mut top.reader, &mut top.values, level, true)?
                }
                FrameKind::Record { fields } => match fields.split_first() {
                    Some((field, rest)) => {
                        *fields = rest;
                        self.next(&field.ty, &mut top.reader, &mut top.values, level, false)?
                    }
                    None => Next::Close,
                },
                FrameKind::Array { .. } => Next::Close,
            };
            match next {
                Next::Pushed => {}
                Next::Open(frame) => ancestors.push(core::mem::replace(&mut top, frame)),
                Next::Close => {
                    let Some(parent) = ancestors.pop() else {
                        return Ok(top.values);
                    };
                    let done = core::mem::replace(&mut top, parent);
                    push_value(&mut top.values, || match done.kind {
                        FrameKind::Array { .. } => IValue::Array(done.values),
                        FrameKind::Record { .. } => IValue::Record(done.values),
                    });
                }
            }
        }
    }

    /// Reads the next value of type `ty` of a frame at nesting `level` onto `values`, or
    /// opens a frame to lift first.
    fn next(
        &mut self,
        ty: &'a IType,
        reader: &mut Reader<'_>,
        values: &mut Vec<IValue>,
        level: u32,
        in_array: bool,
    ) -> Result<Next<'a>, LiftError> {
        if self.leaf(ty, reader, in_array, values)? {
            return Ok(Next::Pushed);
        }
        Ok(match ty {
            IType::Array(element) => {
                let (ptr, count) = (reader.u32()?, reader.u32()?);
                if count == 0 {
                    push_value(values, || IValue::Array(Vec::new()));
                    Next::Pushed
                } else {
                    Next::Open(self.array_frame(element, ptr, count, level)?)
                }
            }
            IType::Record(id) => {
                let ptr = reader.u32()?;
                let layout = self.record_layout(*id, level)?;
                if layout.is_flat() {
                    let fields = self.flat_record(layout, ptr, level)?;
                    push_value(values, || IValue::Record(fields));
                    Next::Pushed
                } else {
                    Next::Open(self.record_frame(layout, ptr)?)
                }
            }
            // `leaf` took every other type.
            _ => Next::Close,
        })
    }

    /// Reads a value that holds no array or record (a scalar, a string or a byte array)
    /// onto `values`; `false`, with nothing read, for an array or a record, which
    /// [`next`](Self::next) opens as a frame.
    #[inline(always)]
    fn leaf(
        &mut self,
        ty: &IType,
        reader: &mut Reader<'_>,
        in_array: bool,
        values: &mut Vec<IValue>,
    ) -> Result<bool, LiftError> {
        // Each value is made where it is stored (see [`push_value`]).
        macro_rules! scalar {
            ($variant:ident, $ty:ty) => {{
                let value = <$ty>::from_le_bytes(reader.array()?);
                push_value(values, || IValue::$variant(value));
            }};
        }
        match ty {
            IType::Boolean => {
                let value = reader.array::<1>()? != [0];
                push_value(values, || IValue::Boolean(value));
            }
            IType::S8 => scalar!(S8, i8),
            IType::U8 => scalar!(U8, u8),
            IType::S16 => scalar!(S16, i16),
            IType::U16 => scalar!(U16, u16),
            IType::S32 => scalar!(S32, i32),
            IType::U32 => scalar!(U32, u32),
            IType::I32 => scalar!(I32, i32),
            IType::F32 => scalar!(F32, f32),
            IType::S64 => scalar!(S64, i64),
            IType::U64 => scalar!(U64, u64),
            IType::I64 => scalar!(I64, i64),
            IType::F64 => scalar!(F64, f64),
            IType::String => {
                let (ptr, len) = (reader.u32()?, reader.u32()?);
                let bytes = bytes(self.memory, ptr, len, self.budget)?;
                let text = utf8(bytes, ptr)?;
                push_value(values, || IValue::String(text));
            }
            IType::ByteArray if in_array => {
                // D54: a byte array inside an array is lifted as an array of u8.
                let (ptr, len) = (reader.u32()?, reader.u32()?);
                let bytes = bytes(self.memory, ptr, len, self.budget)?;
                self.budget.charge(u64::from(len) * (VALUE_COST - 1))?;
                let elements = bytes.iter().map(|byte| IValue::U8(*byte)).collect();
                push_value(values, || IValue::Array(elements));
            }
            IType::ByteArray => {
                let (ptr, len) = (reader.u32()?, reader.u32()?);
                let bytes = bytes(self.memory, ptr, len, self.budget)?.to_vec();
                push_value(values, || IValue::ByteArray(bytes));
            }
            IType::Array(_) | IType::Record(_) => return Ok(false),
        }
        Ok(true)
    }
}
