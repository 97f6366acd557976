//! The IT instruction set, defined once.
//!
//! [`for_each_instruction!`](crate::for_each_instruction) holds the whole instruction table of
//! `spec/it-section.md` §3.2: opcode, variant name, immediates, text name and semantics. Every
//! piece of code that needs the list (the [`Instruction`] enum, decoding, encoding, printing,
//! parsing, the adapter compiler and interpreter) is generated from it by a macro of its own,
//! in the style of wasmparser's `for_each_operator!`. Adding an instruction is one row here
//! (plus, for a new kind of semantics, the code that gives that kind a meaning); the tests
//! write instructions in the text format, so a new row needs no test-side list either.
//!
//! A row reads `opcode Variant { immediate: Kind, … } "text.name" => semantics`:
//! - immediate kinds: `U32` (uleb, at most `u32::MAX`), `I32` (`i32.push`: uleb truncated to
//!   32 bits), `I64` (`i64.push`: uleb as a 64-bit pattern), `IType` (an encoded type);
//! - semantics: `convert(From -> To, mode)` for the numeric conversions, with `mode` one of
//!   `checked` (range-checked), `reinterpret` (same width, bit pattern kept: D9) and `nonzero`
//!   (`v != 0`); or a single identifier naming a behaviour the interpreter implements.

use crate::types::{IType, for_each_scalar_type};
use core::fmt;

/// Calls `$mac!` with the whole instruction table (see the module documentation).
#[macro_export]
macro_rules! for_each_instruction {
    ($mac:ident) => {
        $mac! {
            0x00 ArgGet { index: U32 } "arg.get" => arg_get
            0x01 CallCore { function_index: U32 } "call-core" => call_core
            0x02 S8FromI32 "s8.from_i32" => convert(I32 -> S8, checked)
            0x03 S8FromI64 "s8.from_i64" => convert(I64 -> S8, checked)
            0x04 S16FromI32 "s16.from_i32" => convert(I32 -> S16, checked)
            0x05 S16FromI64 "s16.from_i64" => convert(I64 -> S16, checked)
            0x06 S32FromI32 "s32.from_i32" => convert(I32 -> S32, checked)
            0x07 S32FromI64 "s32.from_i64" => convert(I64 -> S32, checked)
            0x08 S64FromI32 "s64.from_i32" => convert(I32 -> S64, checked)
            0x09 S64FromI64 "s64.from_i64" => convert(I64 -> S64, checked)
            0x0a I32FromS8 "i32.from_s8" => convert(S8 -> I32, checked)
            0x0b I32FromS16 "i32.from_s16" => convert(S16 -> I32, checked)
            0x0c I32FromS32 "i32.from_s32" => convert(S32 -> I32, checked)
            0x0d I32FromS64 "i32.from_s64" => convert(S64 -> I32, checked)
            0x0e I64FromS8 "i64.from_s8" => convert(S8 -> I64, checked)
            0x0f I64FromS16 "i64.from_s16" => convert(S16 -> I64, checked)
            0x10 I64FromS32 "i64.from_s32" => convert(S32 -> I64, checked)
            0x11 I64FromS64 "i64.from_s64" => convert(S64 -> I64, checked)
            0x12 U8FromI32 "u8.from_i32" => convert(I32 -> U8, checked)
            0x13 U8FromI64 "u8.from_i64" => convert(I64 -> U8, checked)
            0x14 U16FromI32 "u16.from_i32" => convert(I32 -> U16, checked)
            0x15 U16FromI64 "u16.from_i64" => convert(I64 -> U16, checked)
            0x16 U32FromI32 "u32.from_i32" => convert(I32 -> U32, reinterpret)
            0x17 U32FromI64 "u32.from_i64" => convert(I64 -> U32, checked)
            0x18 U64FromI32 "u64.from_i32" => convert(I32 -> U64, checked)
            0x19 U64FromI64 "u64.from_i64" => convert(I64 -> U64, reinterpret)
            0x1a I32FromU8 "i32.from_u8" => convert(U8 -> I32, checked)
            0x1b I32FromU16 "i32.from_u16" => convert(U16 -> I32, checked)
            0x1c I32FromU32 "i32.from_u32" => convert(U32 -> I32, reinterpret)
            0x1d I32FromU64 "i32.from_u64" => convert(U64 -> I32, checked)
            0x1e I64FromU8 "i64.from_u8" => convert(U8 -> I64, checked)
            0x1f I64FromU16 "i64.from_u16" => convert(U16 -> I64, checked)
            0x20 I64FromU32 "i64.from_u32" => convert(U32 -> I64, checked)
            0x21 I64FromU64 "i64.from_u64" => convert(U64 -> I64, reinterpret)
            0x22 StringLiftMemory "string.lift_memory" => string_lift_memory
            0x23 StringLowerMemory "string.lower_memory" => string_lower_memory
            0x24 StringSize "string.size" => string_size
            0x34 Dup "dup" => dup
            0x35 Swap2 "swap2" => swap2
            0x37 ArrayLiftMemory { value_type: IType } "array.lift_memory" => array_lift_memory
            0x38 ArrayLowerMemory { value_type: IType } "array.lower_memory" => array_lower_memory
            0x3a RecordLiftMemory { record_type_id: U32 } "record.lift_memory" => record_lift_memory
            0x3b RecordLowerMemory { record_type_id: U32 } "record.lower_memory" => record_lower_memory
            0x3e BoolFromI32 "bool.from_i32" => convert(I32 -> Boolean, nonzero)
            0x3f I32FromBool "i32.from_bool" => convert(Boolean -> I32, checked)
            0x40 I32Push { value: I32 } "i32.push" => i32_push
            0x41 I64Push { value: I64 } "i64.push" => i64_push
            0x43 ByteArrayLiftMemory "byte_array.lift_memory" => byte_array_lift_memory
            0x44 ByteArrayLowerMemory "byte_array.lower_memory" => byte_array_lower_memory
            0x45 ByteArraySize "byte_array.size" => byte_array_size
        }
    };
}

/// The Rust type of an immediate kind of the instruction table.
#[macro_export]
#[doc(hidden)]
macro_rules! immediate_type {
    (U32) => {
        u32
    };
    (I32) => {
        i32
    };
    (I64) => {
        i64
    };
    (IType) => {
        $crate::IType
    };
}

/// Generates [`ScalarKind`] from the integer-like rows of the scalar list
/// (`for_each_scalar_type!` in `types.rs`): every scalar but the floats.
macro_rules! define_scalar_kind {
    (
        interface { $( $(#[$idoc:meta])* $interface:ident $itext:literal, )* }
        float { $( $(#[$fdoc:meta])* $float:ident $ftext:literal, )* }
        core { $( $(#[$cdoc:meta])* $core:ident $ctext:literal, )* }
    ) => {
        /// The scalar kinds that numeric conversions read and produce: the integer-like
        /// scalars of [`IType`] (all but the floats).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ScalarKind {
            $( $(#[$idoc])* $interface, )*
            $( $(#[$cdoc])* $core, )*
        }

        impl ScalarKind {
            /// The interface type of this kind.
            pub fn itype(self) -> IType {
                match self {
                    $( ScalarKind::$interface => IType::$interface, )*
                    $( ScalarKind::$core => IType::$core, )*
                }
            }
        }
    };
}

for_each_scalar_type!(define_scalar_kind);

/// How a numeric conversion treats values (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversionMode {
    /// The value must lie in the target's range; otherwise `LoweringLifting`.
    Checked,
    /// Same width, different signedness: the bit pattern is kept (D9).
    Reinterpret,
    /// `value != 0`.
    NonZero,
}

/// A numeric conversion instruction's meaning: `[from] -> [to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    /// The variant popped.
    pub from: ScalarKind,
    /// The variant pushed.
    pub to: ScalarKind,
    /// Range handling.
    pub mode: ConversionMode,
}

/// Maps a row's semantics to `Option<Conversion>`.
macro_rules! conversion_of {
    (convert($from:ident -> $to:ident, checked)) => {
        Some(Conversion {
            from: ScalarKind::$from,
            to: ScalarKind::$to,
            mode: ConversionMode::Checked,
        })
    };
    (convert($from:ident -> $to:ident, reinterpret)) => {
        Some(Conversion {
            from: ScalarKind::$from,
            to: ScalarKind::$to,
            mode: ConversionMode::Reinterpret,
        })
    };
    (convert($from:ident -> $to:ident, nonzero)) => {
        Some(Conversion {
            from: ScalarKind::$from,
            to: ScalarKind::$to,
            mode: ConversionMode::NonZero,
        })
    };
    ($other:ident) => {
        None
    };
}

macro_rules! define_instruction {
    ($(
        $opcode:literal $variant:ident $({ $($field:ident : $kind:ident),* })?
        $text:literal => $sem:ident $(($($sem_args:tt)*))?
    )*) => {
        /// One IT instruction with its immediates (`spec/it-section.md` §3.2).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Instruction {
            $(
                #[doc = concat!("`", $text, "` (opcode `", stringify!($opcode), "`)")]
                $variant $({ $(
                    #[doc = concat!("immediate `", stringify!($field), "`")]
                    $field: $crate::immediate_type!($kind)
                ),* })?,
            )*
        }

        impl Instruction {
            /// The opcode byte.
            pub fn opcode(&self) -> u8 {
                match self {
                    $( Instruction::$variant { .. } => $opcode, )*
                }
            }

            /// The text name (`arg.get`, `call-core`, …), shared by printing and parsing.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Instruction::$variant { .. } => $text, )*
                }
            }

            /// The conversion this instruction performs, if it is a numeric conversion.
            pub fn conversion(&self) -> Option<Conversion> {
                match self {
                    $( Instruction::$variant { .. } => conversion_of!($sem $(($($sem_args)*))?), )*
                }
            }
        }

        /// Prints the instruction in the IT text format: its name, then its immediates.
        impl fmt::Display for Instruction {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(
                        Instruction::$variant $({ $($field),* })? => {
                            f.write_str($text)?;
                            $($( write!(f, " {}", $field)?; )*)?
                            Ok(())
                        }
                    )*
                }
            }
        }

        /// Every opcode of the table, in table order.
        pub const OPCODES: &[u8] = &[$($opcode),*];

        /// Every text name of the table, in table order.
        pub const NAMES: &[&str] = &[$($text),*];
    };
}

for_each_instruction!(define_instruction);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::string::ToString;

    #[test]
    fn opcodes_and_names_are_unique() {
        for (i, a) in OPCODES.iter().enumerate() {
            assert!(!OPCODES[i + 1..].contains(a), "opcode {a:#x} twice");
        }
        for (i, a) in NAMES.iter().enumerate() {
            assert!(!NAMES[i + 1..].contains(a), "name {a} twice");
        }
        assert_eq!(OPCODES.len(), 50);
    }

    #[test]
    fn display_includes_immediates() {
        assert_eq!(Instruction::ArgGet { index: 3 }.to_string(), "arg.get 3");
        assert_eq!(
            Instruction::I32Push { value: -5 }.to_string(),
            "i32.push -5"
        );
        let lift = Instruction::ArrayLiftMemory {
            value_type: IType::Array(Box::new(IType::U8)),
        };
        assert_eq!(lift.to_string(), "array.lift_memory array (u8)");
        assert_eq!(Instruction::Swap2.to_string(), "swap2");
        assert_eq!(Instruction::Swap2.opcode(), 0x35);
    }

    #[test]
    fn conversions_come_from_the_table() {
        let conversion = Instruction::U32FromI32.conversion();
        assert_eq!(
            conversion,
            Some(Conversion {
                from: ScalarKind::I32,
                to: ScalarKind::U32,
                mode: ConversionMode::Reinterpret
            })
        );
        assert_eq!(Instruction::Dup.conversion(), None);
        assert_eq!(
            Instruction::BoolFromI32.conversion().map(|c| c.mode),
            Some(ConversionMode::NonZero)
        );
    }
}
