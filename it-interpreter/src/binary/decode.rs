//! Decoding: bytes → [`Section`].

use super::error::{DecodeError, DecodeErrorKind};
use super::reader::Reader;
use super::{ARRAY_CODE, MAX_TYPE_NESTING, RECORD_CODE, entry, kind, leaf_type};
use crate::instructions::Instruction;
use crate::section::{Adapter, Export, Implementation, Import, Section};
use crate::types::{FunctionArg, FunctionType, IType, RecordField, RecordType, TypeEntry};
use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec::Vec;

impl Section {
    /// Decodes the payload of an `interface-types` custom section (`spec/it-section.md` §2).
    ///
    /// Sections may come in any order and repeat (repeats are concatenated); exactly one
    /// version, a valid semver kept verbatim, is required. The whole input must be consumed.
    pub fn decode(bytes: &[u8]) -> Result<Section, DecodeError> {
        let mut reader = Reader::new(bytes);
        let mut section = Section::default();
        let mut version = None;
        while !reader.is_empty() {
            let kind_offset = reader.offset();
            match reader.byte("section kind")? {
                kind::TYPES => {
                    for _ in 0..reader.count("types")? {
                        let entry = type_entry(&mut reader, section.types.len())?;
                        section.types.push(entry);
                    }
                }
                kind::IMPORTS => {
                    for _ in 0..reader.count("imports")? {
                        section.imports.push(Import {
                            namespace: reader.string("import namespace")?,
                            name: reader.string("import name")?,
                            function_type: reader.u32("import function type")?,
                        });
                    }
                }
                kind::ADAPTERS => {
                    for _ in 0..reader.count("adapters")? {
                        let function_type = reader.u32("adapter function type")?;
                        let mut instructions = Vec::new();
                        for _ in 0..reader.count("adapter instructions")? {
                            instructions.push(decode_instruction(&mut reader)?);
                        }
                        section.adapters.push(Adapter {
                            function_type,
                            instructions,
                        });
                    }
                }
                kind::EXPORTS => {
                    for _ in 0..reader.count("exports")? {
                        section.exports.push(Export {
                            name: reader.string("export name")?,
                            function_type: reader.u32("export function type")?,
                        });
                    }
                }
                kind::IMPLEMENTATIONS => {
                    for _ in 0..reader.count("implementations")? {
                        section.implementations.push(Implementation {
                            core_function_type: reader.u32("implementation core function type")?,
                            adapter_function_type: reader
                                .u32("implementation adapter function type")?,
                        });
                    }
                }
                kind::VERSION => {
                    let text = reader.string("version")?;
                    if version.is_some() {
                        return Err(Reader::error(
                            kind_offset,
                            DecodeErrorKind::DuplicateVersion,
                        ));
                    }
                    check_version(&text).map_err(|kind| Reader::error(kind_offset + 1, kind))?;
                    version = Some(text);
                }
                other => {
                    return Err(Reader::error(
                        kind_offset,
                        DecodeErrorKind::UnknownSectionKind(other),
                    ));
                }
            }
        }
        section.version =
            version.ok_or_else(|| Reader::error(bytes.len(), DecodeErrorKind::MissingVersion))?;
        Ok(section)
    }
}

/// The version must be a semver; it is kept verbatim, not normalised.
fn check_version(text: &str) -> Result<(), DecodeErrorKind> {
    semver::Version::parse(text)
        .map(drop)
        .map_err(|error| DecodeErrorKind::InvalidVersion {
            version: text.into(),
            reason: error.to_string(),
        })
}

fn type_entry(reader: &mut Reader<'_>, type_index: usize) -> Result<TypeEntry, DecodeError> {
    let offset = reader.offset();
    match reader.byte("type entry kind")? {
        entry::FUNCTION => {
            let mut params = Vec::new();
            for _ in 0..reader.count("function parameters")? {
                params.push(FunctionArg {
                    name: reader.string("parameter name")?,
                    ty: itype(reader)?,
                });
            }
            let mut results = Vec::new();
            for _ in 0..reader.count("function results")? {
                results.push(itype(reader)?);
            }
            Ok(TypeEntry::Function(FunctionType { params, results }))
        }
        entry::RECORD => {
            let name = reader.string("record name")?;
            let fields_offset = reader.offset();
            let mut fields = Vec::new();
            for _ in 0..reader.count("record fields")? {
                fields.push(RecordField {
                    name: reader.string("record field name")?,
                    ty: itype(reader)?,
                });
            }
            if fields.is_empty() {
                return Err(Reader::error(
                    fields_offset,
                    DecodeErrorKind::EmptyRecord { type_index },
                ));
            }
            Ok(TypeEntry::Record(RecordType { name, fields }))
        }
        other => Err(Reader::error(
            offset,
            DecodeErrorKind::UnknownTypeEntryKind(other),
        )),
    }
}

/// Reads an encoded type. Array prefixes are counted in a loop rather than by recursion, and
/// bounded, so `36 36 36 …` can neither overflow the stack nor build a huge type (D67).
pub(super) fn itype(reader: &mut Reader<'_>) -> Result<IType, DecodeError> {
    let start = reader.offset();
    let mut depth = 0usize;
    let leaf = loop {
        let offset = reader.offset();
        match reader.byte("type code")? {
            ARRAY_CODE => {
                depth += 1;
                if depth > MAX_TYPE_NESTING {
                    return Err(Reader::error(start, DecodeErrorKind::TypeTooDeep));
                }
            }
            RECORD_CODE => break IType::Record(reader.uleb("record type index")?),
            code => {
                break leaf_type(code).ok_or_else(|| {
                    Reader::error(offset, DecodeErrorKind::UnknownTypeCode(code))
                })?;
            }
        }
    };
    Ok((0..depth).fold(leaf, |inner, _| IType::Array(Box::new(inner))))
}

/// Reads one immediate of the kind named in the instruction table.
macro_rules! decode_immediate {
    ($reader:ident, U32, $text:literal, $field:ident) => {
        $reader.u32(concat!($text, " ", stringify!($field)))?
    };
    // Marine truncates the uleb to 32 bits; strait keeps that, so negative pushes encoded as
    // their 32-bit pattern read back (D3).
    ($reader:ident, I32, $text:literal, $field:ident) => {
        truncate_to_i32($reader.uleb("i32.push immediate")?)
    };
    ($reader:ident, I64, $text:literal, $field:ident) => {
        $reader.uleb("i64.push immediate")?.cast_signed()
    };
    ($reader:ident, IType, $text:literal, $field:ident) => {
        itype($reader)?
    };
}

/// Generates `decode_instruction` from the instruction table: opcode byte, then immediates.
macro_rules! define_decode_instruction {
    ($(
        $opcode:literal $variant:ident $({ $($field:ident : $kind:ident),* })?
        $text:literal => $sem:ident $(($($sem_args:tt)*))?
    )*) => {
        /// Reads one instruction; an opcode outside the table is an error naming it.
        fn decode_instruction(reader: &mut Reader<'_>) -> Result<Instruction, DecodeError> {
            let offset = reader.offset();
            match reader.byte("instruction opcode")? {
                $(
                    $opcode => Ok(Instruction::$variant $({ $(
                        $field: decode_immediate!(reader, $kind, $text, $field)
                    ),* })?),
                )*
                other => Err(Reader::error(offset, DecodeErrorKind::UnknownOpcode(other))),
            }
        }
    };
}

crate::for_each_instruction!(define_decode_instruction);

fn truncate_to_i32(value: u64) -> i32 {
    let low = value & u64::from(u32::MAX);
    u32::try_from(low).unwrap_or_default().cast_signed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i32_push_truncates_like_marine() {
        assert_eq!(truncate_to_i32(5), 5);
        assert_eq!(truncate_to_i32(0xffff_fffb), -5);
        assert_eq!(truncate_to_i32(0x1_0000_0007), 7);
    }

    #[test]
    fn deep_types_are_rejected_without_recursion() {
        let mut bytes = alloc::vec![ARRAY_CODE; 100_000];
        bytes.push(0x04);
        let error = itype(&mut Reader::new(&bytes)).unwrap_err();
        assert_eq!(error.kind, DecodeErrorKind::TypeTooDeep);
        let mut bytes = alloc::vec![ARRAY_CODE; MAX_TYPE_NESTING];
        bytes.push(0x04);
        assert!(itype(&mut Reader::new(&bytes)).is_ok());
    }
}
