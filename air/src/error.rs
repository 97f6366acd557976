//! The one error type of strait-air: what stops a run (as opposed to a failing service call,
//! which is answered to AquaVM and shows up in the script's `%last_error%`).

/// Why an AIR run (or its setup) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AirError {
    /// AquaVM could not be read, loaded or called.
    #[error("AquaVM: {message}{}", source.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    Interpreter {
        /// What was being done.
        message: String,
        /// The runtime's error, when there is one.
        #[source]
        source: Option<strait::Error>,
    },
    /// AquaVM answered something that is not an `InterpreterOutcome` or a call-request map.
    #[error("AquaVM returned {0}")]
    InvalidOutcome(String),
    /// A call result could not be encoded for AquaVM.
    #[error("cannot encode the call results for AquaVM: {0}")]
    Encode(String),
    /// A local service could not be loaded.
    #[error("cannot load service `{id}`: {source}")]
    Service {
        /// The service id the script calls it by.
        id: String,
        /// The runtime's error.
        #[source]
        source: strait::Error,
    },
    /// A service id is given twice.
    #[error("service id `{0}` is given twice: each service needs its own id")]
    DuplicateService(String),
    /// The script still had call requests after the allowed number of steps.
    #[error(
        "the script did not finish in {max_steps} steps ({pending} call requests pending): \
         raise the step limit if it is meant to run longer"
    )]
    MaxSteps {
        /// The limit.
        max_steps: u32,
        /// Call requests of the last outcome, unanswered.
        pending: usize,
    },
    /// The Ed25519 seed is not 32 bytes of hex.
    #[error("invalid seed: {0}")]
    InvalidSeed(String),
    /// The operating system gave no random bytes.
    #[error("no random bytes for a key or particle id: {0}")]
    Random(String),
}

impl AirError {
    pub(crate) fn interpreter(message: impl Into<String>, source: strait::Error) -> Self {
        Self::Interpreter {
            message: message.into(),
            source: Some(source),
        }
    }
}
