//! `strait info`: a module's IT and SDK versions and its exported interface, rendered as the
//! interface listing renders them (`spec/service.md` §12).

use crate::error::CliError;
use crate::input;
use clap::Args;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use strait_it::{FunctionType, IType, RecordType, Section, TypeEntry};

#[derive(Args)]
pub(crate) struct InfoArgs {
    /// The wasm module.
    module: PathBuf,
}

/// Why a file without the wasm header cannot be shown, in one line naming it.
fn not_wasm(path: &std::path::Path, bytes: &[u8]) -> String {
    let wat = std::str::from_utf8(bytes).is_ok_and(|text| {
        text.lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with(";;"))
            .is_some_and(|line| line.starts_with('('))
    });
    if wat {
        format!(
            "{} is WAT text, not a wasm module: `strait info` reads compiled modules; build it \
             with `wat2wasm`, or call it through a service (strait loads .wat modules)",
            path.display()
        )
    } else {
        format!(
            "{} is neither a wasm module (no `\\0asm` header) nor WAT text",
            path.display()
        )
    }
}

pub(crate) fn run(args: &InfoArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = &args.module;
    let wasm = input::read_bytes(path)?;
    if !wasm.starts_with(b"\0asm") {
        return Err(CliError::new(not_wasm(path, &wasm)));
    }
    let sections = input::module_sections(path, &wasm)?;
    let section = input::it_section(path, &sections)?;
    let sdk_version = sections
        .sdk_version()
        .map_err(|error| CliError::new(format!("`{}`: {error}", path.display())))?;

    writeln!(out, "it version:  {}", section.version)?;
    writeln!(out, "sdk version: {sdk_version}")?;

    let functions = exported_functions(&section);
    let records = reachable_records(&section, functions.iter().map(|(_, f)| *f));
    let record_name = |id: u64| record(&section, id).map(|record| record.name.as_str());

    writeln!(out, "\nexported data types:")?;
    if records.is_empty() {
        writeln!(out, "<no exported data types>")?;
    }
    for record in records {
        writeln!(out, "data {}:", record.name)?;
        for field in &record.fields {
            writeln!(out, "  {}: {}", field.name, field.ty.listing(&record_name))?;
        }
    }

    writeln!(out, "\nexported functions:")?;
    if functions.is_empty() {
        writeln!(out, "<no exported functions>")?;
    }
    for (name, function) in functions {
        let params: Vec<String> = function
            .params
            .iter()
            .map(|param| format!("{}: {}", param.name, param.ty.listing(&record_name)))
            .collect();
        write!(out, "func {name}({})", params.join(", "))?;
        let results: Vec<String> = function
            .results
            .iter()
            .map(|ty| ty.listing(&record_name).to_string())
            .collect();
        match results.as_slice() {
            [] => writeln!(out)?,
            [one] => writeln!(out, " -> {one}")?,
            more => writeln!(out, " -> ({})", more.join(", "))?,
        }
    }
    Ok(())
}

fn record(section: &Section, id: u64) -> Option<&RecordType> {
    match section.types.get(usize::try_from(id).ok()?)? {
        TypeEntry::Record(record) => Some(record),
        TypeEntry::Function(_) => None,
    }
}

/// The user-visible functions (`spec/it-section.md` §5.1): exports whose type is the core type
/// of an implementation, with the adapter's signature; sorted by name (D39). The six ABI
/// exports have no implementation and are left out.
fn exported_functions(section: &Section) -> Vec<(&str, &FunctionType)> {
    let mut functions: Vec<_> = section
        .exports
        .iter()
        .filter_map(|export| {
            let implementation = section
                .implementations
                .iter()
                .find(|i| i.core_function_type == export.function_type)?;
            let index = usize::try_from(implementation.adapter_function_type).ok()?;
            match section.types.get(index)? {
                TypeEntry::Function(function) => Some((export.name.as_str(), function)),
                TypeEntry::Record(_) => None,
            }
        })
        .collect();
    functions.sort_by(|a, b| a.0.cmp(b.0));
    functions
}

/// The records that the given signatures use, directly or through other records' fields,
/// sorted by name (then id, as names need not be unique).
fn reachable_records<'a>(
    section: &'a Section,
    functions: impl Iterator<Item = &'a FunctionType>,
) -> Vec<&'a RecordType> {
    let mut pending: Vec<&IType> = Vec::new();
    for function in functions {
        pending.extend(function.params.iter().map(|param| &param.ty));
        pending.extend(&function.results);
    }
    let mut seen = BTreeSet::new();
    while let Some(mut ty) = pending.pop() {
        while let IType::Array(inner) = ty {
            ty = inner;
        }
        if let IType::Record(id) = ty
            && let Some(record) = record(section, *id)
            && seen.insert(*id)
        {
            pending.extend(record.fields.iter().map(|field| &field.ty));
        }
    }
    let mut records: Vec<(u64, &RecordType)> = seen
        .into_iter()
        .filter_map(|id| Some((id, record(section, id)?)))
        .collect();
    records.sort_by(|a, b| a.1.name.cmp(&b.1.name).then(a.0.cmp(&b.0)));
    records.into_iter().map(|(_, record)| record).collect()
}
