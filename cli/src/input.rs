//! Reading the files commands take: wasm modules and IT texts.

use crate::error::{CliError, Context};
use std::path::Path;
use strait_it::Section;
use strait_it::module::ModuleSections;

pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).context(|| format!("cannot read `{}`", path.display()))
}

pub(crate) fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).context(|| format!("cannot read `{}`", path.display()))
}

/// The module's Marine custom sections; `path` names the module in errors.
pub(crate) fn module_sections<'a>(
    path: &Path,
    wasm: &'a [u8],
) -> Result<ModuleSections<'a>, CliError> {
    ModuleSections::read(wasm).context(|| format!("`{}`", path.display()))
}

/// The module's one IT section, decoded.
pub(crate) fn it_section(path: &Path, sections: &ModuleSections<'_>) -> Result<Section, CliError> {
    sections
        .decode_it_section()
        .context(|| format!("`{}`", path.display()))
}

/// An IT text file, parsed; errors read `file:line:column: message`.
pub(crate) fn parse_it_text(path: &Path) -> Result<Section, CliError> {
    let text = read_text(path)?;
    strait_it::text::parse(&text).map_err(|error| {
        CliError::new(format!(
            "{}:{}:{}: {}",
            path.display(),
            error.line,
            error.column,
            error.message
        ))
    })
}
