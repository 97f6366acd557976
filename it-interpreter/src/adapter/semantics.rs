//! The meaning of each instruction, generated from the instruction table.
//!
//! [`semantics`] maps an [`Instruction`] to a [`Semantics`] through the semantics column of
//! [`for_each_instruction!`](crate::for_each_instruction): a row whose semantics has no arm
//! in `meaning!` below fails to compile, so the checker and the code generator, which match
//! on [`Semantics`] without a wildcard, cannot silently miss an instruction.

use crate::instructions::{Conversion, ConversionMode, Instruction, ScalarKind};
use crate::types::IType;

/// What an instruction does, with its immediates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Semantics<'a> {
    ArgGet(u32),
    CallCore(u32),
    Convert(Conversion),
    StringLiftMemory,
    StringLowerMemory,
    StringSize,
    Dup,
    Swap2,
    ArrayLiftMemory(&'a IType),
    ArrayLowerMemory(&'a IType),
    RecordLiftMemory(u32),
    RecordLowerMemory(u32),
    I32Push(i32),
    I64Push(i64),
    ByteArrayLiftMemory,
    ByteArrayLowerMemory,
    ByteArraySize,
}

macro_rules! mode {
    (checked) => {
        ConversionMode::Checked
    };
    (reinterpret) => {
        ConversionMode::Reinterpret
    };
    (nonzero) => {
        ConversionMode::NonZero
    };
}

macro_rules! meaning {
    (convert($from:ident -> $to:ident, $mode:ident);) => {
        Semantics::Convert(Conversion {
            from: ScalarKind::$from,
            to: ScalarKind::$to,
            mode: mode!($mode),
        })
    };
    (arg_get; $index:ident) => {
        Semantics::ArgGet(*$index)
    };
    (call_core; $index:ident) => {
        Semantics::CallCore(*$index)
    };
    (string_lift_memory;) => {
        Semantics::StringLiftMemory
    };
    (string_lower_memory;) => {
        Semantics::StringLowerMemory
    };
    (string_size;) => {
        Semantics::StringSize
    };
    (dup;) => {
        Semantics::Dup
    };
    (swap2;) => {
        Semantics::Swap2
    };
    (array_lift_memory; $ty:ident) => {
        Semantics::ArrayLiftMemory($ty)
    };
    (array_lower_memory; $ty:ident) => {
        Semantics::ArrayLowerMemory($ty)
    };
    (record_lift_memory; $id:ident) => {
        Semantics::RecordLiftMemory(*$id)
    };
    (record_lower_memory; $id:ident) => {
        Semantics::RecordLowerMemory(*$id)
    };
    (i32_push; $value:ident) => {
        Semantics::I32Push(*$value)
    };
    (i64_push; $value:ident) => {
        Semantics::I64Push(*$value)
    };
    (byte_array_lift_memory;) => {
        Semantics::ByteArrayLiftMemory
    };
    (byte_array_lower_memory;) => {
        Semantics::ByteArrayLowerMemory
    };
    (byte_array_size;) => {
        Semantics::ByteArraySize
    };
}

macro_rules! define_semantics {
    ($(
        $opcode:literal $variant:ident $({ $($field:ident : $kind:ident),* })?
        $text:literal => $sem:ident $(($($sem_args:tt)*))?
    )*) => {
        /// The meaning of `instruction`.
        pub(crate) fn semantics(instruction: &Instruction) -> Semantics<'_> {
            match instruction {
                $(
                    Instruction::$variant $({ $($field),* })? => {
                        meaning!($sem $(($($sem_args)*))?; $($($field),*)?)
                    }
                )*
            }
        }
    };
}

crate::for_each_instruction!(define_semantics);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantics_agree_with_the_table() {
        assert_eq!(
            semantics(&Instruction::U32FromI32),
            Semantics::Convert(Instruction::U32FromI32.conversion().unwrap())
        );
        assert_eq!(
            semantics(&Instruction::CallCore { function_index: 7 }),
            Semantics::CallCore(7)
        );
        assert_eq!(semantics(&Instruction::Swap2), Semantics::Swap2);
    }
}
