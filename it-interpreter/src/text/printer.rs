//! The printer (§4.3): Marine's layout, with `boolean` and `byte_array` so that the output
//! always re-parses to the same section (D6, D7).

use super::lexer::is_idchar;
use crate::binary::peel_arrays;
use crate::instructions::Instruction;
use crate::section::Section;
use crate::types::{FunctionType, IType, RecordType, TypeEntry};
use alloc::string::String;
use core::fmt::Write;

/// Prints a section in the IT text format (`spec/it-section.md` §4.3, §4.4).
pub fn print(section: &Section) -> String {
    let mut out = String::new();
    out.push_str("(@interface it_version ");
    write_string(&mut out, &section.version);
    out.push_str(")\n");

    if !section.types.is_empty() {
        out.push_str("\n;; Types\n");
        for (index, entry) in section.types.iter().enumerate() {
            out.push_str("(@interface type (");
            match entry {
                TypeEntry::Function(function) => write_function(&mut out, function),
                TypeEntry::Record(record) => write_record(&mut out, record),
            }
            // Writing to a String cannot fail.
            let _ = writeln!(out, "))   ;; {index}");
        }
    }
    if !section.imports.is_empty() {
        out.push_str("\n;; Imports\n");
        for import in &section.imports {
            out.push_str("(@interface import ");
            write_string(&mut out, &import.namespace);
            out.push(' ');
            write_string(&mut out, &import.name);
            let _ = writeln!(out, " (func (type {})))", import.function_type);
        }
    }
    if !section.adapters.is_empty() {
        out.push_str("\n;; Adapters\n");
        for adapter in &section.adapters {
            let _ = write!(out, "(@interface func (type {})", adapter.function_type);
            for instruction in &adapter.instructions {
                out.push_str("\n  ");
                write_instruction(&mut out, instruction);
            }
            out.push_str(")\n");
        }
    }
    if !section.exports.is_empty() {
        out.push_str("\n;; Exports\n");
        for export in &section.exports {
            out.push_str("(@interface export ");
            write_string(&mut out, &export.name);
            let _ = writeln!(out, " (func {}))", export.function_type);
        }
    }
    if !section.implementations.is_empty() {
        out.push_str("\n;; Implementations\n");
        for implementation in &section.implementations {
            let _ = writeln!(
                out,
                "(@interface implement (func {}) (func {}))",
                implementation.core_function_type, implementation.adapter_function_type
            );
        }
    }
    out
}

fn write_function(out: &mut String, function: &FunctionType) {
    out.push_str("func");
    if !function.params.is_empty() {
        out.push_str("\n  (param");
        for param in &function.params {
            out.push(' ');
            write_field_name(out, &param.name);
            out.push(' ');
            write_itype(out, &param.ty);
        }
        out.push(')');
    }
    if !function.results.is_empty() {
        out.push_str("\n  (result");
        for result in &function.results {
            out.push(' ');
            write_itype(out, result);
        }
        out.push(')');
    }
}

fn write_record(out: &mut String, record: &RecordType) {
    out.push_str("record ");
    // The parser strips one trailing `:` from an id, so such names print as strings.
    if is_plain_id(&record.name) && !record.name.ends_with(':') {
        out.push('$');
        out.push_str(&record.name);
    } else {
        write_string(out, &record.name);
    }
    out.push_str(" (\n");
    for field in &record.fields {
        out.push_str(" field ");
        write_field_name(out, &field.name);
        out.push(' ');
        write_itype(out, &field.ty);
        out.push('\n');
    }
    out.push(')');
}

/// A parameter or field name followed by `:`, as `$name:` (the parser strips exactly one
/// trailing `:`, so `$:` is the empty name and `$a::` is `a:`) or, for names that are not
/// WAT ids, as `"name":`.
fn write_field_name(out: &mut String, name: &str) {
    if is_plain_id(name) || name.is_empty() {
        out.push('$');
        out.push_str(name);
    } else {
        write_string(out, name);
    }
    out.push(':');
}

fn is_plain_id(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_idchar)
}

/// A WAT string literal: printable ASCII and non-ASCII characters as they are, `"` and `\`
/// escaped, control characters as `\hh`.
pub(super) fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let mut buf = [0; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\{byte:02x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A type in the text format, written without recursion (a hand-built type may be deep).
pub(super) fn write_itype(out: &mut String, ty: &IType) {
    let (depth, leaf) = peel_arrays(ty);
    for _ in 0..depth {
        out.push_str("array (");
    }
    // `peel_arrays` leaves no array, so this does not recurse.
    let _ = write!(out, "{leaf}");
    for _ in 0..depth {
        out.push(')');
    }
}

/// Writes one immediate of the kind named in the instruction table.
macro_rules! print_immediate {
    ($out:ident, IType, $value:ident) => {
        write_itype($out, $value)
    };
    ($out:ident, $kind:ident, $value:ident) => {{
        let _ = write!($out, "{}", $value);
    }};
}

/// Generates `write_instruction` from the instruction table: the text name, then each
/// immediate after a space.
macro_rules! define_print_instruction {
    ($(
        $opcode:literal $variant:ident $({ $($field:ident : $kind:ident),* })?
        $text:literal => $sem:ident $(($($sem_args:tt)*))?
    )*) => {
        pub(super) fn write_instruction(out: &mut String, instruction: &Instruction) {
            match instruction {
                $(
                    Instruction::$variant $({ $($field),* })? => {
                        out.push_str($text);
                        $($(
                            out.push(' ');
                            print_immediate!(out, $kind, $field);
                        )*)?
                    }
                )*
            }
        }
    };
}

crate::for_each_instruction!(define_print_instruction);
