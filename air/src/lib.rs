//! # strait-air
//!
//! Run Aqua/AIR scripts locally, with no Fluence node: AquaVM (the AIR interpreter, itself a
//! Marine module) and Marine-compatible services run on strait, in one process, and
//! [`AirRunner`] drives the particle loop a node runs around them (`spec/aqua.md`):
//!
//! 1. `invoke(script, stored data, [], params, call results)` on AquaVM;
//! 2. the outcome's data is stored, whatever its ret_code;
//! 3. each call request is answered — by the JS-client conventions (`getDataSrv`,
//!    `callbackSrv.response`, `errorHandlingSrv.error`), a node built-in (`op`, `math`, `cmp`,
//!    `array`, `json`, `peer.timestamp_*`, `debug.stringify`, `run-console.print`), or a local
//!    service's facade module — and all answers go into the next `invoke`;
//! 4. the run ends when an outcome has no call requests (or fails at the step limit).
//!
//! The local peer is both the initiating and the current peer; its PeerId is derived from an
//! Ed25519 seed ([`KeyPair`]), as AquaVM's signature checks require.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use strait_air::{AirRunner, AquaVm, KeyPair, Particle};
//! let vm = AquaVm::<strait::DefaultBackend>::from_file(
//!     "avm.wasm".as_ref(),
//!     strait::ServiceOptions::default(),
//! )?;
//! let mut runner = AirRunner::new(vm, KeyPair::random()?);
//! let script = r#"(seq
//!     (call %init_peer_id% ("op" "concat_strings") ["Hi, " "world"] r)
//!     (call %init_peer_id% ("callbackSrv" "response") [r]))"#;
//! let report = runner.run(script, &Particle::now()?)?;
//! assert_eq!(report.ret_code, 0);
//! assert_eq!(report.responses, [[serde_json::json!("Hi, world")]]);
//! # Ok(()) }
//! ```
//!
//! AquaVM itself is not part of this crate (it is AGPL-3.0): use `avm.wasm` from npm
//! `@fluencelabs/avm` 0.62.0 (`fetch-avm.sh` beside this crate's manifest fetches and checks it).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod builtins;
mod codec;
mod error;
mod interpreter;
mod keys;
mod runner;

pub use codec::{CallRequest, CallServiceResult, decode_call_requests, encode_call_results};
pub use error::AirError;
pub use interpreter::{AquaVm, InterpreterOutcome, RunParameters};
pub use keys::{KeyPair, random_particle_id};
pub use runner::{
    AirRunner, CallRecord, DEFAULT_MAX_STEPS, DEFAULT_TTL, LocalService, Particle, RunReport,
    now_ms,
};
