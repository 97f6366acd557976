//! Encoding: [`Section`] → bytes, in the layout Marine's encoder uses.

use super::error::{EncodeError, EncodeProblem};
use super::writer::Writer;
use super::{entry, kind};
use crate::instructions::Instruction;
use crate::section::Section;
use crate::types::TypeEntry;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

impl Section {
    /// Encodes the section as the payload of an `interface-types` custom section.
    ///
    /// The layout is Marine's: the version first, then types, imports, adapters, exports and
    /// implementations, each only when non-empty. Anything Marine's decoder would misread is
    /// refused with an error naming the item (D1–D5): lists of 128 or more items, strings over
    /// 255 bytes, negative `i64.push`, records without fields, and an invalid version.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut writer = Writer::default();
        self.encode_version(&mut writer)?;
        if !self.types.is_empty() {
            writer.byte(kind::TYPES);
            writer.section_count(self.types.len());
            for (index, entry) in self.types.iter().enumerate() {
                encode_type_entry(&mut writer, index, entry)?;
            }
        }
        if !self.imports.is_empty() {
            writer.byte(kind::IMPORTS);
            writer.section_count(self.imports.len());
            for (index, import) in self.imports.iter().enumerate() {
                writer.string(&import.namespace, || format!("namespace of import {index}"))?;
                writer.string(&import.name, || format!("name of import {index}"))?;
                writer.uleb(u64::from(import.function_type));
            }
        }
        if !self.adapters.is_empty() {
            writer.byte(kind::ADAPTERS);
            writer.section_count(self.adapters.len());
            for adapter in &self.adapters {
                let ty = adapter.function_type;
                writer.uleb(u64::from(ty));
                writer.list_count(adapter.instructions.len(), "instructions", || {
                    format!("adapter for type {ty}")
                })?;
                for (position, instruction) in adapter.instructions.iter().enumerate() {
                    encode_instruction(&mut writer, instruction, &|| {
                        format!(
                            "instruction {position} (`{instruction}`) of the adapter for type {ty}"
                        )
                    })?;
                }
            }
        }
        if !self.exports.is_empty() {
            writer.byte(kind::EXPORTS);
            writer.section_count(self.exports.len());
            for (index, export) in self.exports.iter().enumerate() {
                writer.string(&export.name, || format!("name of export {index}"))?;
                writer.uleb(u64::from(export.function_type));
            }
        }
        if !self.implementations.is_empty() {
            writer.byte(kind::IMPLEMENTATIONS);
            writer.section_count(self.implementations.len());
            for implementation in &self.implementations {
                writer.uleb(u64::from(implementation.core_function_type));
                writer.uleb(u64::from(implementation.adapter_function_type));
            }
        }
        Ok(writer.finish())
    }

    fn encode_version(&self, writer: &mut Writer) -> Result<(), EncodeError> {
        semver::Version::parse(&self.version).map_err(|error| EncodeError {
            item: "the IT version".into(),
            problem: EncodeProblem::InvalidVersion {
                version: self.version.clone(),
                reason: error.to_string(),
            },
        })?;
        writer.byte(kind::VERSION);
        writer.string(&self.version, || "the IT version".into())
    }
}

fn encode_type_entry(
    writer: &mut Writer,
    index: usize,
    entry: &TypeEntry,
) -> Result<(), EncodeError> {
    match entry {
        TypeEntry::Function(function) => {
            writer.byte(entry::FUNCTION);
            let item = || format!("function type {index}");
            writer.list_count(function.params.len(), "parameters", item)?;
            for (position, param) in function.params.iter().enumerate() {
                let item = || format!("parameter {position} of function type {index}");
                writer.string(&param.name, || format!("name of {}", item()))?;
                writer.itype(&param.ty, item)?;
            }
            writer.list_count(function.results.len(), "results", item)?;
            for (position, result) in function.results.iter().enumerate() {
                writer.itype(result, || {
                    format!("result {position} of function type {index}")
                })?;
            }
        }
        TypeEntry::Record(record) => {
            writer.byte(entry::RECORD);
            let item = || format!("record type {index} ({})", record.name);
            if record.fields.is_empty() {
                return Err(EncodeError {
                    item: item(),
                    problem: EncodeProblem::EmptyRecord,
                });
            }
            writer.string(&record.name, || format!("name of record type {index}"))?;
            writer.list_count(record.fields.len(), "fields", item)?;
            for (position, field) in record.fields.iter().enumerate() {
                let item = || format!("field {position} of record type {index}");
                writer.string(&field.name, || format!("name of {}", item()))?;
                writer.itype(&field.ty, item)?;
            }
        }
    }
    Ok(())
}

/// Writes one immediate of the kind named in the instruction table.
macro_rules! encode_immediate {
    ($writer:ident, $item:ident, U32, $value:ident) => {
        $writer.uleb(u64::from(*$value))
    };
    // A negative i32 is written as the uleb of its 32-bit pattern: at most 5 bytes, and
    // Marine's truncation to 32 bits reads it back (D3).
    ($writer:ident, $item:ident, I32, $value:ident) => {
        $writer.uleb(u64::from($value.cast_unsigned()))
    };
    // A negative i64 would need 64 bits, more than Marine's decoder reads (D3).
    ($writer:ident, $item:ident, I64, $value:ident) => {
        match u64::try_from(*$value) {
            Ok(value) => $writer.uleb(value),
            Err(_) => {
                return Err(EncodeError {
                    item: $item(),
                    problem: EncodeProblem::NegativeI64Push { value: *$value },
                });
            }
        }
    };
    ($writer:ident, $item:ident, IType, $value:ident) => {
        $writer.itype($value, $item)?
    };
}

/// Generates `encode_instruction` from the instruction table: opcode byte, then immediates.
macro_rules! define_encode_instruction {
    ($(
        $opcode:literal $variant:ident $({ $($field:ident : $kind:ident),* })?
        $text:literal => $sem:ident $(($($sem_args:tt)*))?
    )*) => {
        fn encode_instruction(
            writer: &mut Writer,
            instruction: &Instruction,
            item: &dyn Fn() -> String,
        ) -> Result<(), EncodeError> {
            match instruction {
                $(
                    Instruction::$variant $({ $($field),* })? => {
                        writer.byte($opcode);
                        $($( encode_immediate!(writer, item, $kind, $field); )*)?
                    }
                )*
            }
            Ok(())
        }
    };
}

crate::for_each_instruction!(define_encode_instruction);
