//! Strings and byte arrays: `string.*` and `byte_array.*`, with the fused `arg.get i;
//! string.size`, `arg.get i; string.lower_memory` and `dup; string.size`. Both are
//! (pointer, byte length) regions of memory.

use super::{Fault, Machine, Outcome, byte_length, invalid, length, memory_unavailable};
use crate::adapter::{AdapterHost, CoreType, InstructionErrorKind};
use crate::memory::LiftBudget;
use crate::types::IType;
use crate::values::IValue;
use alloc::string::String;
use alloc::vec::Vec;

impl<H: AdapterHost + ?Sized> Machine<'_, H> {
    /// `arg.get i; string.size`: the byte length of input `i`, without copying it.
    #[inline]
    pub(super) fn arg_string_size(&mut self, index: u32) -> Outcome {
        let value = self.input(index)?;
        let IValue::String(text) = value else {
            return Err(invalid(IType::String, value.clone()));
        };
        let len = length(text.len())?;
        self.stack.push(len);
        Ok(())
    }

    /// `arg.get i; string.lower_memory`: writes input `i` at the pointer on top.
    #[inline]
    pub(super) fn arg_string_lower(&mut self, index: u32) -> Outcome {
        let value = self.input(index)?;
        if self.stack.is_empty() {
            return Err(InstructionErrorKind::StackIsTooSmall { needed: 2 }.into());
        }
        let IValue::String(text) = value else {
            return Err(InstructionErrorKind::ToNative {
                from: value.clone(),
                to: "String",
            }
            .into());
        };
        let ptr = self.pop_u32()?;
        self.write_at(ptr, text.as_bytes())?;
        let len = length(text.len())?;
        self.stack.extend([IValue::I32(ptr.cast_signed()), len]);
        Ok(())
    }

    /// `arg.get i; string.size; i32.push 1; call-core 0; arg.get i; string.lower_memory`
    /// (`call-core 0` being `allocate`) in one step: input `i` written into a fresh
    /// allocation, `[ptr, len]` pushed. Each error is reported at the instruction of the
    /// sequence that would have raised it.
    #[inline]
    pub(super) fn arg_string_to_memory(&mut self, index: u32) -> Outcome {
        let (ptr, size) = self.arg_string_region(index)?;
        self.push_pair(ptr, size);
        Ok(())
    }

    /// `arg.get i; string.size; i32.push 1; call-core allocate; arg.get i;
    /// string.lower_memory; call-core f` in one step, `f` taking the pointer and length
    /// straight from the lowering rather than through the stack.
    #[inline]
    pub(super) fn arg_string_call(
        &mut self,
        index: u32,
        slot: u32,
        result: Option<CoreType>,
    ) -> Outcome {
        let (ptr, size) = self.arg_string_region(index).map_err(|fault| {
            let back = fault.back + 1;
            fault.back(back)
        })?;
        self.call_i32_args(slot, &[ptr.cast_signed(), size.cast_signed()], result)
    }

    /// The string argument `index` written into a fresh allocation: its pointer and size.
    #[inline(always)]
    fn arg_string_region(&mut self, index: u32) -> Outcome<(u32, u32)> {
        // Positions before `string.lower_memory`.
        const ARG_GET: u8 = 5;
        const SIZE: u8 = 4;
        const ALLOCATE: u8 = 2;
        let value = self.input(index).map_err(|fault| fault.back(ARG_GET))?;
        let IValue::String(text) = value else {
            return Err(invalid(IType::String, value.clone()).back(SIZE));
        };
        let size = byte_length(text.len()).map_err(|fault| fault.back(SIZE))?;
        // Once allocated and checked (D22), the region fits the string: writing it, the
        // part of `string.lower_memory`, cannot fail.
        let ptr = self
            .allocate_and_write(text.as_bytes(), 1)
            .map_err(|fault| fault.back(ALLOCATE))?;
        Ok((ptr, size))
    }

    /// `call-core p; call-core l; string.lift_memory` (`byte_array.lift_memory` when
    /// `bytes`) in one step: the string or bytes at the pointer and length the two getters
    /// return, pushed; then, with `release`, the `call-core` of that export.
    #[inline]
    pub(super) fn lift_result(
        &mut self,
        ptr: u32,
        len: u32,
        bytes: bool,
        release: Option<u32>,
    ) -> Outcome {
        self.result_step(release, |machine, back| {
            let ptr = machine.getter(ptr, back + 2)?;
            let len = machine.getter(len, back + 1)?;
            if bytes {
                machine.push_byte_array(ptr, len)
            } else {
                machine.push_string(ptr, len)
            }
            .map_err(|fault| fault.back(back))
        })
    }

    /// `string.lift_memory`: `[ptr, len]` to the string there.
    #[inline]
    pub(super) fn string_lift_memory(&mut self) -> Outcome {
        let (ptr, len) = self.pop_pair()?;
        self.push_string(ptr, len)
    }

    /// Pushes the string at (`ptr`, `len`).
    #[inline]
    fn push_string(&mut self, ptr: u32, len: u32) -> Outcome {
        let text = if len == 0 {
            String::new()
        } else {
            let bytes = self.lift_bytes(ptr, len)?;
            // Copied once, then validated once where it landed.
            String::from_utf8(bytes)
                .map_err(|error| InstructionErrorKind::String(error.utf8_error()))?
        };
        self.stack.push(IValue::String(text));
        Ok(())
    }

    /// `string.lower_memory`: `[ptr, string]` to `[ptr, len]`, the string written at `ptr`.
    #[inline]
    pub(super) fn string_lower_memory(&mut self) -> Outcome {
        self.need(2)?;
        let value = self.pop()?;
        let IValue::String(text) = value else {
            return Err(InstructionErrorKind::ToNative {
                from: value,
                to: "String",
            }
            .into());
        };
        let ptr = self.pop_u32()?;
        self.write_at(ptr, text.as_bytes())?;
        let len = length(text.len())?;
        self.stack.extend([IValue::I32(ptr.cast_signed()), len]);
        Ok(())
    }

    /// `string.size`: a string to its byte length.
    #[inline]
    pub(super) fn string_size(&mut self) -> Outcome {
        let value = self.pop()?;
        let IValue::String(text) = &value else {
            return Err(invalid(IType::String, value));
        };
        let len = length(text.len())?;
        self.stack.push(len);
        Ok(())
    }

    /// `dup; string.size`: pushes the byte length of the string on top, without copying it.
    #[inline]
    pub(super) fn peek_string_size(&mut self) -> Outcome {
        let top = self.stack.last().ok_or_else(|| Fault {
            kind: InstructionErrorKind::StackIsTooSmall { needed: 1 },
            back: 1,
        })?;
        let IValue::String(text) = top else {
            return Err(invalid(IType::String, top.clone()));
        };
        let len = length(text.len())?;
        self.stack.push(len);
        Ok(())
    }

    /// `byte_array.lift_memory`: `[ptr, len]` to the bytes there.
    #[inline]
    pub(super) fn byte_array_lift_memory(&mut self) -> Outcome {
        let (ptr, len) = self.pop_pair()?;
        self.push_byte_array(ptr, len)
    }

    /// Pushes the bytes at (`ptr`, `len`).
    #[inline]
    fn push_byte_array(&mut self, ptr: u32, len: u32) -> Outcome {
        let bytes = if len == 0 {
            Vec::new()
        } else {
            self.lift_bytes(ptr, len)?
        };
        self.stack.push(IValue::ByteArray(bytes));
        Ok(())
    }

    /// `byte_array.lower_memory`: `[ptr, bytes]` to `[ptr, len]`, the bytes written at `ptr`;
    /// an array of `u8` counts as bytes.
    #[inline]
    pub(super) fn byte_array_lower_memory(&mut self) -> Outcome {
        self.need(2)?;
        let value = self.pop()?;
        let ptr = self.pop_u32()?;
        let len = match &value {
            IValue::ByteArray(bytes) => {
                self.write_at(ptr, bytes)?;
                bytes.len()
            }
            IValue::Array(_) => match value.as_bytes() {
                Some(bytes) => {
                    self.write_at(ptr, &bytes)?;
                    bytes.len()
                }
                None => return Err(invalid(IType::ByteArray, value)),
            },
            _ => return Err(invalid(IType::ByteArray, value)),
        };
        let len = length(len)?;
        self.stack.extend([IValue::I32(ptr.cast_signed()), len]);
        Ok(())
    }

    /// `byte_array.size`: bytes (or an array of `u8`) to their length.
    #[inline]
    pub(super) fn byte_array_size(&mut self) -> Outcome {
        let value = self.pop()?;
        let len = match &value {
            IValue::ByteArray(bytes) => bytes.len(),
            // D13: every element must be a U8, not only the first.
            IValue::Array(items) if items.iter().all(|i| matches!(i, IValue::U8(_))) => items.len(),
            _ => return Err(invalid(IType::ByteArray, value)),
        };
        let len = length(len)?;
        self.stack.push(len);
        Ok(())
    }

    /// A copy of the `len` bytes at `ptr` (`len` > 0), bounds-checked and charged to the
    /// budget, in a buffer the host kept if it has one.
    fn lift_bytes(&mut self, ptr: u32, len: u32) -> Outcome<Vec<u8>> {
        let spare = self
            .host
            .spare_buffer(usize::try_from(len).unwrap_or(usize::MAX));
        let memory = self.host.memory().map_err(memory_unavailable)?;
        let bytes = lifted_region(memory, ptr, len, &mut self.budget)?;
        // Sized only now that the region is known to be inside memory.
        let mut buffer = spare.unwrap_or_else(|| Vec::with_capacity(bytes.len()));
        buffer.extend_from_slice(bytes);
        Ok(buffer)
    }

    /// Writes `bytes` at `ptr` for `string.lower_memory`/`byte_array.lower_memory`: the
    /// region is checked even when empty, as Marine does.
    fn write_at(&mut self, ptr: u32, bytes: &[u8]) -> Outcome {
        let memory = self.host.memory().map_err(memory_unavailable)?;
        let end = u64::from(ptr) + bytes.len() as u64;
        let length = memory.len() as u64;
        let target = (end <= length)
            .then(|| usize::try_from(ptr).ok().zip(usize::try_from(end).ok()))
            .flatten()
            .and_then(|(start, end)| memory.get_mut(start..end))
            .ok_or_else(|| InstructionErrorKind::MemoryOutOfBoundsAccess { index: end, length })?;
        target.copy_from_slice(bytes);
        Ok(())
    }
}

/// The bytes at (`ptr`, `len`) for `string.lift_memory` and `byte_array.lift_memory`: no
/// access at all for a zero length (D53), a bounds check otherwise.
fn lifted_region<'m>(
    memory: &'m [u8],
    ptr: u32,
    len: u32,
    budget: &mut LiftBudget,
) -> Outcome<&'m [u8]> {
    let end = u64::from(ptr) + u64::from(len);
    let out_of_bounds = || InstructionErrorKind::MemoryOutOfBoundsAccess {
        index: end,
        length: memory.len() as u64,
    };
    let range = usize::try_from(ptr)
        .ok()
        .zip(usize::try_from(end).ok())
        .filter(|_| end <= memory.len() as u64)
        .ok_or_else(out_of_bounds)?;
    let bytes = memory.get(range.0..range.1).ok_or_else(out_of_bounds)?;
    budget
        .charge(u64::from(len))
        .map_err(InstructionErrorKind::LiError)?;
    Ok(bytes)
}
