//! AquaVM, the AIR interpreter, as a strait service: its `invoke` export with IT values in
//! and out (byte arrays cross as bytes), `RunParameters` and `InterpreterOutcome` as Rust
//! structs (`spec/aqua.md` §1).

use crate::error::AirError;
use std::path::Path;
use strait::{Backend, IValue, ModuleSettings, Service, ServiceOptions};

/// The name AquaVM is loaded under inside its service.
const MODULE: &str = "avm";

/// The size limits the JS client sends (4 GiB each, soft): AquaVM only flags an excess.
const JS_CLIENT_SIZE_LIMIT: u64 = 4_294_967_296;

/// AquaVM's `RunParameters` (`spec/aqua.md` §1), field for field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunParameters {
    /// The peer that created the particle.
    pub init_peer_id: String,
    /// The peer running the interpreter; must be the PeerId of `secret_key_bytes`.
    pub current_peer_id: String,
    /// Particle creation time, milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Particle time to live, milliseconds.
    pub ttl: u32,
    /// 0 = Ed25519 (the only format the wasm build and the JS client use).
    pub key_format: u8,
    /// The Ed25519 seed (32 bytes).
    pub secret_key_bytes: Vec<u8>,
    /// The particle id (also the salt of the signatures).
    pub particle_id: String,
    /// Size limit of the script, bytes.
    pub air_size_limit: u64,
    /// Size limit of the particle data, bytes.
    pub particle_size_limit: u64,
    /// Size limit of one call result, bytes.
    pub call_result_size_limit: u64,
    /// Whether exceeding a limit is an error (else only flagged in the outcome).
    pub hard_limit_enabled: bool,
}

impl RunParameters {
    /// The parameters the JS client sends for a particle run by `key` (Ed25519, 4 GiB soft
    /// limits), with `init_peer_id` = the current peer.
    ///
    /// ```
    /// let key = strait_air::KeyPair::from_seed([1; 32]);
    /// let params = strait_air::RunParameters::new(&key, "particle-1", 1_700_000_000_000, 120_000);
    /// assert_eq!(params.init_peer_id, params.current_peer_id);
    /// assert_eq!(params.secret_key_bytes, [1; 32]);
    /// ```
    pub fn new(key: &crate::KeyPair, particle_id: &str, timestamp: u64, ttl: u32) -> Self {
        Self {
            init_peer_id: key.peer_id().to_owned(),
            current_peer_id: key.peer_id().to_owned(),
            timestamp,
            ttl,
            key_format: 0,
            secret_key_bytes: key.seed().to_vec(),
            particle_id: particle_id.to_owned(),
            air_size_limit: JS_CLIENT_SIZE_LIMIT,
            particle_size_limit: JS_CLIENT_SIZE_LIMIT,
            call_result_size_limit: JS_CLIENT_SIZE_LIMIT,
            hard_limit_enabled: false,
        }
    }

    /// The IT record, fields in declaration order.
    fn to_ivalue(&self) -> IValue {
        IValue::Record(vec![
            IValue::String(self.init_peer_id.clone()),
            IValue::String(self.current_peer_id.clone()),
            IValue::U64(self.timestamp),
            IValue::U32(self.ttl),
            IValue::U8(self.key_format),
            IValue::ByteArray(self.secret_key_bytes.clone()),
            IValue::String(self.particle_id.clone()),
            IValue::U64(self.air_size_limit),
            IValue::U64(self.particle_size_limit),
            IValue::U64(self.call_result_size_limit),
            IValue::Boolean(self.hard_limit_enabled),
        ])
    }
}

/// AquaVM's `InterpreterOutcome`: the result of one `invoke`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InterpreterOutcome {
    /// 0 on success; AquaVM's error code otherwise.
    pub ret_code: i64,
    /// Empty on success.
    pub error_message: String,
    /// The new particle data: stored as the next `prev_data` whatever `ret_code` is.
    pub data: Vec<u8>,
    /// The peers the particle would be sent to next.
    pub next_peer_pks: Vec<String>,
    /// The call requests, msgpack with a multicodec prefix
    /// ([`decode_call_requests`](crate::decode_call_requests) reads them).
    pub call_requests: Vec<u8>,
    /// The script exceeded `air_size_limit`.
    pub air_size_limit_exceeded: bool,
    /// The data exceeded `particle_size_limit`.
    pub particle_size_limit_exceeded: bool,
    /// A call result exceeded `call_result_size_limit`.
    pub call_result_size_limit_exceeded: bool,
}

impl InterpreterOutcome {
    fn from_ivalues(mut values: Vec<IValue>) -> Result<Self, AirError> {
        let invalid = |what: String| AirError::InvalidOutcome(what);
        let fields = match (values.pop(), values.is_empty()) {
            (Some(IValue::Record(fields)), true) => fields,
            (value, _) => {
                return Err(invalid(format!(
                    "{} instead of one InterpreterOutcome record",
                    value.map_or("no value", |v| v.kind_name())
                )));
            }
        };
        let count = fields.len();
        let mut fields = fields.into_iter();
        let mut next = |name: &str| {
            fields.next().ok_or_else(|| {
                invalid(format!(
                    "an InterpreterOutcome of {count} fields, without `{name}`"
                ))
            })
        };
        let field_error = |name: &str, value: &IValue| {
            invalid(format!("a `{}` `{name}` field", value.kind_name()))
        };
        let ret_code = match next("ret_code")? {
            IValue::S64(code) | IValue::I64(code) => code,
            other => return Err(field_error("ret_code", &other)),
        };
        let string = |name: &str, value: IValue| match value {
            IValue::String(text) => Ok(text),
            other => Err(field_error(name, &other)),
        };
        let bytes = |name: &str, value: IValue| match value {
            IValue::ByteArray(bytes) => Ok(bytes),
            other => match other.as_bytes() {
                Some(bytes) => Ok(bytes.into_owned()),
                None => Err(field_error(name, &other)),
            },
        };
        let flag = |name: &str, value: IValue| match value {
            IValue::Boolean(flag) => Ok(flag),
            other => Err(field_error(name, &other)),
        };
        let error_message = string("error_message", next("error_message")?)?;
        let data = bytes("data", next("data")?)?;
        let next_peer_pks = match next("next_peer_pks")? {
            IValue::Array(items) => items
                .into_iter()
                .map(|item| string("next_peer_pks", item))
                .collect::<Result<_, _>>()?,
            other => return Err(field_error("next_peer_pks", &other)),
        };
        let call_requests = bytes("call_requests", next("call_requests")?)?;
        Ok(Self {
            ret_code,
            error_message,
            data,
            next_peer_pks,
            call_requests,
            air_size_limit_exceeded: flag(
                "air_size_limit_exceeded",
                next("air_size_limit_exceeded")?,
            )?,
            particle_size_limit_exceeded: flag(
                "particle_size_limit_exceeded",
                next("particle_size_limit_exceeded")?,
            )?,
            call_result_size_limit_exceeded: flag(
                "call_result_size_limit_exceeded",
                next("call_result_size_limit_exceeded")?,
            )?,
        })
    }
}

/// AquaVM (`@fluencelabs/avm`'s `avm.wasm`, a Marine module) loaded on engine `B`.
///
/// ```no_run
/// # fn main() -> Result<(), strait_air::AirError> {
/// use strait_air::{AquaVm, KeyPair, RunParameters, encode_call_results};
/// let mut vm = AquaVm::<strait::DefaultBackend>::from_file(
///     "avm.wasm".as_ref(),
///     strait::ServiceOptions::default(),
/// )?;
/// let key = KeyPair::from_seed([1; 32]);
/// let params = RunParameters::new(&key, "p1", 0, 120_000);
/// let none = encode_call_results(&Default::default())?;
/// let outcome = vm.invoke("(null)", Vec::new(), Vec::new(), &params, none)?;
/// assert_eq!(outcome.ret_code, 0);
/// # Ok(()) }
/// ```
pub struct AquaVm<B: Backend> {
    service: Service<B>,
}

impl<B: Backend> core::fmt::Debug for AquaVm<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AquaVm")
            .field("engine", &B::NAME)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> AquaVm<B> {
    /// Loads AquaVM from its wasm bytes; refuses a module without AquaVM's `invoke`.
    pub fn new(wasm: &[u8], options: ServiceOptions) -> Result<Self, AirError> {
        let mut service = Service::<B>::new(options)
            .map_err(|e| AirError::interpreter("cannot create its service", e))?;
        service
            .load_module(MODULE, wasm, &ModuleSettings::default())
            .map_err(|e| AirError::interpreter("cannot load the interpreter module", e))?;
        let interface = service.interface();
        let invoke = interface
            .modules
            .get(MODULE)
            .and_then(|m| m.function_signatures.iter().find(|f| f.name == "invoke"));
        match invoke {
            Some(f) if f.arguments.len() == 5 && f.outputs.len() == 1 => Ok(Self { service }),
            _ => Err(AirError::Interpreter {
                message: "the module has no `invoke(air, prev_data, data, params, call_results) \
                          -> InterpreterOutcome`: is it avm.wasm from @fluencelabs/avm?"
                    .to_owned(),
                source: None,
            }),
        }
    }

    /// Reads and loads AquaVM from a file; its compiled code is cached by default (Wasmtime), as
    /// for any service loaded from files (`strait::EngineConfig::for_files`).
    pub fn from_file(path: &Path, mut options: ServiceOptions) -> Result<Self, AirError> {
        let wasm = std::fs::read(path).map_err(|e| AirError::Interpreter {
            message: format!("cannot read {}: {e}", path.display()),
            source: None,
        })?;
        options.engine = options.engine.for_files();
        Self::new(&wasm, options)
    }

    /// One `invoke`: runs `air` over `prev_data` (what this peer stored last time) and `data`
    /// (what arrived), answering earlier call requests with `call_results` (encoded by
    /// [`encode_call_results`](crate::encode_call_results)). The buffers are moved into the
    /// call rather than copied: the data grows with every step.
    pub fn invoke(
        &mut self,
        air: &str,
        prev_data: Vec<u8>,
        data: Vec<u8>,
        params: &RunParameters,
        call_results: Vec<u8>,
    ) -> Result<InterpreterOutcome, AirError> {
        let args = [
            IValue::String(air.to_owned()),
            IValue::ByteArray(prev_data),
            IValue::ByteArray(data),
            params.to_ivalue(),
            IValue::ByteArray(call_results),
        ];
        let values = self
            .service
            .call(MODULE, "invoke", &args)
            .map_err(|e| AirError::interpreter("`invoke` failed", e))?;
        InterpreterOutcome::from_ivalues(values)
    }

    /// The engine's name.
    pub fn engine_name(&self) -> &'static str {
        B::NAME
    }
}
