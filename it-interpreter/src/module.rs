//! Finding the Marine custom sections in a wasm module (`spec/abi.md` §13).
//!
//! A Marine module carries its IT section in the custom section `interface-types` and the SDK
//! version in `__fluence_sdk_version`; the runtime requires exactly one of each. This module
//! only locates them (with wasmparser, which walks the section framing without decoding the
//! sections' contents); [`ModuleSections::it_section`] and [`ModuleSections::sdk_version`]
//! apply the "exactly one" rule with readable errors.

use crate::binary::DecodeError;
use crate::section::Section;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use wasmparser::{Encoding, Parser, Payload};

/// The name of the custom section that holds the IT section.
pub const IT_SECTION_NAME: &str = "interface-types";

/// The name of the custom section that holds marine-rs-sdk's version (an ASCII semver).
pub const SDK_VERSION_SECTION_NAME: &str = "__fluence_sdk_version";

/// The payloads of a module's Marine custom sections, borrowed from the module's bytes, in
/// module order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleSections<'a> {
    /// The payload of every `interface-types` custom section.
    pub it_sections: Vec<&'a [u8]>,
    /// The payload of every `__fluence_sdk_version` custom section.
    pub sdk_versions: Vec<&'a [u8]>,
}

/// Why a module's Marine sections are missing or unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleError {
    /// The bytes are not a wasm module (bad header or section framing).
    #[error("not a valid WebAssembly module: {message} (at byte {offset})")]
    Malformed {
        /// wasmparser's description of the problem.
        message: String,
        /// Offset of the problem in the module.
        offset: u64,
    },
    /// The bytes are a wasm component, not a core module.
    #[error("this is a WebAssembly component; Marine services are made of core modules")]
    Component,
    /// No `interface-types` custom section.
    #[error(
        "the module has no `interface-types` custom section: it was not built by the Fluence \
         toolchain (`marine build`), or the section was stripped"
    )]
    NoITSection,
    /// More than one `interface-types` custom section.
    #[error("the module has {count} `interface-types` custom sections; exactly one is allowed")]
    MultipleITSections {
        /// How many were found.
        count: usize,
    },
    /// The `interface-types` section does not decode.
    #[error("the module's `interface-types` section is malformed: {0}")]
    InvalidITSection(#[source] DecodeError),
    /// No `__fluence_sdk_version` custom section.
    #[error(
        "the module has no `__fluence_sdk_version` custom section: it was not built with \
         marine-rs-sdk, or the section was stripped"
    )]
    NoSdkVersion,
    /// More than one `__fluence_sdk_version` custom section.
    #[error(
        "the module has {count} `__fluence_sdk_version` custom sections; exactly one is allowed"
    )]
    MultipleSdkVersions {
        /// How many were found.
        count: usize,
    },
    /// The SDK version is not a UTF-8 semver.
    #[error("the module's SDK version {version:?} is not a valid semver: {reason}")]
    InvalidSdkVersion {
        /// The section's content (lossily decoded).
        version: String,
        /// Why it does not parse.
        reason: String,
    },
}

impl<'a> ModuleSections<'a> {
    /// Walks the module's sections and collects the Marine custom sections.
    pub fn read(wasm: &'a [u8]) -> Result<ModuleSections<'a>, ModuleError> {
        let mut sections = ModuleSections::default();
        for payload in Parser::new(0).parse_all(wasm) {
            let payload = payload.map_err(|error| ModuleError::Malformed {
                message: error.message().to_string(),
                offset: error.offset(),
            })?;
            match payload {
                Payload::Version {
                    encoding: Encoding::Component,
                    ..
                } => return Err(ModuleError::Component),
                Payload::CustomSection(custom) => match custom.name() {
                    IT_SECTION_NAME => sections.it_sections.push(custom.data()),
                    SDK_VERSION_SECTION_NAME => sections.sdk_versions.push(custom.data()),
                    _ => {}
                },
                _ => {}
            }
        }
        Ok(sections)
    }

    /// The payload of the one `interface-types` section.
    pub fn it_section(&self) -> Result<&'a [u8], ModuleError> {
        match self.it_sections.as_slice() {
            [] => Err(ModuleError::NoITSection),
            [only] => Ok(only),
            more => Err(ModuleError::MultipleITSections { count: more.len() }),
        }
    }

    /// The one `interface-types` section, decoded.
    pub fn decode_it_section(&self) -> Result<Section, ModuleError> {
        Section::decode(self.it_section()?).map_err(ModuleError::InvalidITSection)
    }

    /// The SDK version: exactly one `__fluence_sdk_version` section, a UTF-8 semver (returned
    /// verbatim).
    pub fn sdk_version(&self) -> Result<&'a str, ModuleError> {
        let bytes = match self.sdk_versions.as_slice() {
            [] => return Err(ModuleError::NoSdkVersion),
            [only] => *only,
            more => return Err(ModuleError::MultipleSdkVersions { count: more.len() }),
        };
        let invalid = |reason: String| ModuleError::InvalidSdkVersion {
            version: String::from_utf8_lossy(bytes).into_owned(),
            reason,
        };
        let text = core::str::from_utf8(bytes).map_err(|error| invalid(error.to_string()))?;
        semver::Version::parse(text).map_err(|error| invalid(error.to_string()))?;
        Ok(text)
    }
}
