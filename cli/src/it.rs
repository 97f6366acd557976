//! `strait it show` and `strait it set`: the IT section as text, out of and into a module.

use crate::error::{CliError, Context};
use crate::input;
use clap::Subcommand;
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use strait_it::module::IT_SECTION_NAME;
use wasm_encoder::{CustomSection, Encode, Section as _};
use wasmparser::{Encoding, Parser, Payload};

#[derive(Subcommand)]
pub(crate) enum ItCommand {
    /// Print the module's IT section in the IT text format.
    Show {
        /// The wasm module.
        module: PathBuf,
    },
    /// Replace the module's IT section with one parsed from an IT text file; every other
    /// section is kept as it is.
    Set {
        /// The wasm module.
        module: PathBuf,
        /// The IT text (as `strait it show` prints it).
        interface: PathBuf,
        /// Where to write the new module.
        #[arg(short, long)]
        output: PathBuf,
    },
}

pub(crate) fn run(command: ItCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match command {
        ItCommand::Show { module } => show(&module, out),
        ItCommand::Set {
            module,
            interface,
            output,
        } => set(&module, &interface, &output),
    }
}

fn show(path: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let wasm = input::read_bytes(path)?;
    let sections = input::module_sections(path, &wasm)?;
    let section = input::it_section(path, &sections)?;
    out.write_all(strait_it::text::print(&section).as_bytes())?;
    Ok(())
}

fn set(path: &Path, interface: &Path, output: &Path) -> Result<(), CliError> {
    let wasm = input::read_bytes(path)?;
    let section = input::parse_it_text(interface)?;
    let payload = section
        .encode()
        .context(|| format!("`{}`", interface.display()))?;
    let rebuilt =
        replace_it_section(&wasm, &payload).context(|| format!("`{}`", path.display()))?;
    // Check the result the way the runtime will read it before writing anything.
    let sections = input::module_sections(output, &rebuilt)?;
    if input::it_section(output, &sections)? != section {
        return Err(CliError::new(
            "internal error: the written IT section does not read back",
        ));
    }
    std::fs::write(output, rebuilt).context(|| format!("cannot write `{}`", output.display()))
}

/// Copies every section of `wasm` except its `interface-types` sections; the new one takes the
/// place of the first old one, or goes at the end. Sections are copied as raw byte spans,
/// headers included, so that even their size fields keep their original (possibly padded)
/// encoding: `set` with the text `show` printed gives back the identical file.
fn replace_it_section(wasm: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
    let new_section = CustomSection {
        name: Cow::Borrowed(IT_SECTION_NAME),
        data: Cow::Borrowed(payload),
    };
    let write_new_section = |out: &mut Vec<u8>| {
        out.push(new_section.id());
        new_section.encode(out);
    };
    let mut out = Vec::with_capacity(wasm.len() + payload.len());
    // End of what has been handled so far: the next section's header starts there.
    let mut handled = 0;
    let mut inserted = false;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|error| {
            format!(
                "not a valid WebAssembly module: {} (at byte {})",
                error.message(),
                error.offset()
            )
        })?;
        let end = match &payload {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return Err("this is a WebAssembly component, not a core module".into()),
            Payload::Version { range, .. } => range.end,
            _ => match payload.as_section() {
                Some((_, range)) => range.end,
                // Function bodies (inside the code section, already copied) and the end.
                None => continue,
            },
        };
        let end = usize::try_from(end).map_err(|_| "the module is too large")?;
        let bytes = wasm
            .get(handled..end)
            .ok_or("a section lies outside the module")?;
        handled = end;
        if let Payload::CustomSection(custom) = &payload
            && custom.name() == IT_SECTION_NAME
        {
            if !inserted {
                write_new_section(&mut out);
                inserted = true;
            }
            continue;
        }
        out.extend_from_slice(bytes);
    }
    if !inserted {
        write_new_section(&mut out);
    }
    Ok(out)
}
