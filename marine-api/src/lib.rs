//! # strait-marine
//!
//! The API of Marine (`marine-runtime` 0.37, crate name `marine`) on strait, so that a host
//! written against Marine moves to strait by changing its dependency:
//!
//! ```toml
//! marine = { package = "strait-marine", version = "0.1" }
//! ```
//!
//! and the backend imports: `marine_wasmtime_backend::WasmtimeWasmBackend` and
//! `marine_wasm_backend_traits::WasmBackend` are in [`backend`]. Renaming
//! [`WasmtimeWasmBackend`](backend::WasmtimeWasmBackend) to
//! [`WasmiWasmBackend`](backend::WasmiWasmBackend) switches the engine.
//!
//! ```no_run
//! use marine::backend::{WasmBackend, WasmiWasmBackend};
//! use marine::generic::Marine;
//! use marine::TomlMarineConfig;
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), marine::MarineError> {
//! let config = TomlMarineConfig::load("greeting/Config.toml")?;
//! let mut marine = Marine::with_raw_config(WasmiWasmBackend::new_async().unwrap(), config).await?;
//! let hi = marine
//!     .call_with_json_async("greeting", "greeting", json!(["Fluence"]), <_>::default())
//!     .await?;
//! assert_eq!(hi, json!("Hi, Fluence"));
//! # Ok(()) }
//! ```
//!
//! The crate README lists every item of Marine's API with its status here. Where strait fixes
//! a Marine defect (`spec/marine-defects.md`), this API has the fix: `[default]` applies to
//! every module (D31), listings are sorted (D39), the interface cache is per module (D30).
//!
//! ## Crate features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `wasmtime` | yes | [`backend::WasmtimeWasmBackend`], the [`wasmtime`] aliases (re-exported at the root, as in Marine) |
//! | `wasmi` | yes | [`backend::WasmiWasmBackend`], the [`wasmi`] aliases |
//! | `app-service` | yes | [`app_service`]: fluence-app-service 0.36's `AppService` |

mod config;
mod errors;
mod interface;
mod marine;
mod memory;
mod serde_bridge;
mod toml_config;
mod values;

#[cfg(feature = "app-service")]
pub mod app_service;
pub mod backend;

pub use config::{ConfigContext, HostAPIVersion, MarineWASIConfig, WithContext};
pub use errors::{HostImportError, ITJsonSeDeError, MError, MarineError, MarineResult};
pub use interface::{MarineFunctionSignature, MarineInterface, MarineModuleInterface};
pub use memory::{MemoryStats, ModuleMemoryStat};
pub use serde_bridge::{
    DeserializeError, SerializeError, from_interface_values, to_interface_value,
};
pub use strait::call_parameters::{CallParameters, ParticleParameters, SecurityTetraplet};
pub use toml_config::{
    MemoryLimit, TomlMarineConfig, TomlMarineModuleConfig, TomlMarineNamedModuleConfig, TomlValue,
    TomlValueTable, TomlWASIConfig,
};
pub use values::{
    EmptyRecord, IFunctionArg, IRecordFieldType, IRecordType, IType, IValue, MRecordTypes,
    itype_text_view, ne_vec,
};

/// The engine-generic types, for code generic over [`backend::WasmBackend`].
pub mod generic {
    pub use crate::config::{
        HostImportDescriptor, MarineConfig, MarineModuleConfig, ModuleDescriptor,
    };
    pub use crate::marine::Marine;
}

/// The types on Wasmtime, Marine's engine; re-exported at the crate root.
#[cfg(feature = "wasmtime")]
pub mod wasmtime {
    /// The backend.
    pub type WasmBackend = crate::backend::WasmtimeWasmBackend;
    /// [`Marine`](crate::generic::Marine), on Wasmtime unless another backend is named or
    /// inferred: `Marine::with_raw_config(WasmiWasmBackend::new_async()?, config)` is a
    /// `Marine<WasmiWasmBackend>`, so switching engines is renaming the backend type.
    pub type Marine<WB = WasmBackend> = crate::generic::Marine<WB>;
    /// [`MarineConfig`](crate::generic::MarineConfig) on Wasmtime.
    pub type MarineConfig = crate::generic::MarineConfig<WasmBackend>;
    /// [`MarineModuleConfig`](crate::generic::MarineModuleConfig) on Wasmtime.
    pub type MarineModuleConfig = crate::generic::MarineModuleConfig<WasmBackend>;
    /// [`ModuleDescriptor`](crate::generic::ModuleDescriptor) on Wasmtime.
    pub type ModuleDescriptor = crate::generic::ModuleDescriptor<WasmBackend>;
    /// [`HostImportDescriptor`](crate::generic::HostImportDescriptor) on Wasmtime.
    pub type HostImportDescriptor = crate::generic::HostImportDescriptor<WasmBackend>;
}

#[cfg(feature = "wasmtime")]
pub use wasmtime::*;

/// The types on wasmi (strait's addition: Marine has no second engine).
#[cfg(feature = "wasmi")]
pub mod wasmi {
    /// The backend.
    pub type WasmBackend = crate::backend::WasmiWasmBackend;
    /// [`Marine`](crate::generic::Marine) on wasmi.
    pub type Marine = crate::generic::Marine<WasmBackend>;
    /// [`MarineConfig`](crate::generic::MarineConfig) on wasmi.
    pub type MarineConfig = crate::generic::MarineConfig<WasmBackend>;
    /// [`MarineModuleConfig`](crate::generic::MarineModuleConfig) on wasmi.
    pub type MarineModuleConfig = crate::generic::MarineModuleConfig<WasmBackend>;
    /// [`ModuleDescriptor`](crate::generic::ModuleDescriptor) on wasmi.
    pub type ModuleDescriptor = crate::generic::ModuleDescriptor<WasmBackend>;
    /// [`HostImportDescriptor`](crate::generic::HostImportDescriptor) on wasmi.
    pub type HostImportDescriptor = crate::generic::HostImportDescriptor<WasmBackend>;
}
