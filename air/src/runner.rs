//! The particle loop of a Fluence node, in-process (`spec/aqua.md` §2): `invoke` → call
//! requests → service calls → call results → `invoke` …, with the built-ins, the JS-client
//! conventions (`getDataSrv`, `callbackSrv`, `errorHandlingSrv`) and local services.

use crate::builtins::{self, Outcome};
use crate::codec::{CallRequest, CallServiceResult, decode_call_requests, encode_call_results};
use crate::error::AirError;
use crate::interpreter::{AquaVm, RunParameters};
use crate::keys::{KeyPair, random_particle_id};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use strait::call_parameters::{ParticleParameters, SecurityTetraplet};
use strait::{Backend, CallParameters, Service, ServiceOptions};

/// The particle TTL when none is given (what the JS client uses), milliseconds.
pub const DEFAULT_TTL: u32 = 120_000;
/// The step limit when none is set.
pub const DEFAULT_MAX_STEPS: u32 = 1000;

/// A Marine service the script can call by its service id: calls go to its facade module
/// (the last module of its config), with JSON arguments, as nox calls app services.
pub struct LocalService<B: Backend> {
    service: Service<B>,
    facade: String,
    /// The facade functions without a result: they answer `""`, not `null`.
    unit_functions: BTreeSet<String>,
}

impl<B: Backend> core::fmt::Debug for LocalService<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LocalService")
            .field("facade", &self.facade)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> LocalService<B> {
    /// Wraps a loaded service; calls go to module `facade`, which must be loaded.
    pub fn new(service: Service<B>, facade: impl Into<String>) -> Result<Self, strait::Error> {
        let facade = facade.into();
        let interface = service.interface();
        let module = interface.modules.get(&facade).ok_or_else(|| {
            strait::Error::new(
                strait::ErrorKind::NoSuchModule,
                format!("the facade module \"{facade}\" is not loaded"),
            )
        })?;
        let unit_functions = module
            .function_signatures
            .iter()
            .filter(|f| f.outputs.is_empty())
            .map(|f| f.name.clone())
            .collect();
        Ok(Self {
            service,
            facade,
            unit_functions,
        })
    }

    /// Loads a service from its `Config.toml`; its last module is the facade.
    pub fn from_config_file(path: &Path, options: ServiceOptions) -> Result<Self, strait::Error> {
        let config = strait::config::ServiceConfig::from_file(path).map_err(|e| {
            strait::Error::with_source(
                strait::ErrorKind::Config,
                format!("invalid config {}", path.display()),
                e,
            )
        })?;
        let facade = config
            .modules
            .last()
            .map(|m| m.name.clone())
            .ok_or_else(|| {
                strait::Error::new(
                    strait::ErrorKind::Config,
                    format!("the config {} lists no module", path.display()),
                )
            })?;
        Self::new(Service::from_config(&config, options)?, facade)
    }

    /// The facade module's name.
    pub fn facade(&self) -> &str {
        &self.facade
    }

    fn call(&mut self, function: &str, args: &Value, params: CallParameters) -> Outcome {
        match self.service.call_json(&self.facade, function, args, params) {
            Ok(Value::Null) if self.unit_functions.contains(function) => Outcome::Empty,
            Ok(value) => Outcome::Ok(value),
            Err(error) => Outcome::Err(error.to_string()),
        }
    }
}

/// The particle a script runs in: its id, creation time and TTL (AquaVM's `%timestamp%` and
/// `%ttl%`; nothing expires locally).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Particle {
    /// The particle id (also the salt of AquaVM's signatures).
    pub id: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Time to live, milliseconds.
    pub ttl: u32,
}

impl Particle {
    /// A particle with a random id, created now, with the default TTL.
    ///
    /// ```
    /// let particle = strait_air::Particle::now().unwrap();
    /// assert_eq!(particle.ttl, strait_air::DEFAULT_TTL);
    /// assert!(particle.timestamp > 1_600_000_000_000);
    /// ```
    pub fn now() -> Result<Self, AirError> {
        Ok(Self {
            id: random_particle_id()?,
            timestamp: now_ms(),
            ttl: DEFAULT_TTL,
        })
    }
}

/// Milliseconds since the Unix epoch (0 for a clock before 1970).
pub fn now_ms() -> u64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

/// One answered call request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRecord {
    /// The called service.
    pub service_id: String,
    /// The called function.
    pub function_name: String,
    /// Its arguments.
    pub args: Vec<Value>,
    /// 0, or 1 for an error.
    pub ret_code: i32,
    /// The value answered (on error, the message as a JSON string).
    pub result: Value,
    /// For each argument, where its values came from (as AquaVM sent them).
    #[serde(skip)]
    pub tetraplets: Vec<Vec<SecurityTetraplet>>,
}

/// What a run produced. Serializes as the `strait air --json` object.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct RunReport {
    /// The last outcome's ret_code (0 = success).
    pub ret_code: i64,
    /// The last outcome's error message.
    pub error_message: String,
    /// The number of `invoke` calls.
    pub steps: u32,
    /// The arguments of every `callbackSrv.response` call, in order.
    pub responses: Vec<Vec<Value>>,
    /// The arguments of every `errorHandlingSrv.error` call, in order.
    pub errors: Vec<Vec<Value>>,
    /// Every peer the particle would have been sent to, in first-seen order.
    pub next_peer_pks: Vec<String>,
    /// Every call answered, in order.
    pub calls: Vec<CallRecord>,
    /// The particle data after the last step.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// Time spent inside AquaVM's `invoke`, all steps together.
    #[serde(skip)]
    pub interpreter_time: Duration,
}

/// Runs AIR scripts as the current and initiating peer, against the built-ins and local
/// services (`spec/aqua.md` §2).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use strait_air::{AirRunner, AquaVm, KeyPair, LocalService, Particle};
/// let options = strait::ServiceOptions::default();
/// let vm = AquaVm::<strait::DefaultBackend>::from_file("avm.wasm".as_ref(), options.clone())?;
/// let mut runner = AirRunner::new(vm, KeyPair::from_seed([1; 32]));
/// let greeting = LocalService::from_config_file("examples/greeting/Config.toml".as_ref(), options)?;
/// runner.add_service("greeting", greeting)?;
/// let script = r#"(seq
///     (call %init_peer_id% ("greeting" "greeting") ["world"] r)
///     (call %init_peer_id% ("callbackSrv" "response") [r]))"#;
/// let report = runner.run(script, &Particle::now()?)?;
/// assert_eq!(report.responses, [[serde_json::json!("Hi, world")]]);
/// # Ok(()) }
/// ```
pub struct AirRunner<B: Backend> {
    vm: AquaVm<B>,
    key: KeyPair,
    services: BTreeMap<String, LocalService<B>>,
    data: BTreeMap<String, Value>,
    max_steps: u32,
}

impl<B: Backend> core::fmt::Debug for AirRunner<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AirRunner")
            .field("peer_id", &self.key.peer_id())
            .field("services", &self.services.keys().collect::<Vec<_>>())
            .field("max_steps", &self.max_steps)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> AirRunner<B> {
    /// A runner with no services, no arguments and [`DEFAULT_MAX_STEPS`].
    pub fn new(vm: AquaVm<B>, key: KeyPair) -> Self {
        Self {
            vm,
            key,
            services: BTreeMap::new(),
            data: BTreeMap::new(),
            max_steps: DEFAULT_MAX_STEPS,
        }
    }

    /// The local peer id (init and current peer of every particle).
    pub fn peer_id(&self) -> &str {
        self.key.peer_id()
    }

    /// Makes `service` callable as service id `id`.
    pub fn add_service(
        &mut self,
        id: impl Into<String>,
        service: LocalService<B>,
    ) -> Result<(), AirError> {
        let id = id.into();
        if self.services.contains_key(&id) {
            return Err(AirError::DuplicateService(id));
        }
        self.services.insert(id, service);
        Ok(())
    }

    /// Sets what `getDataSrv.<name>` answers.
    pub fn set_arg(&mut self, name: impl Into<String>, value: Value) {
        self.data.insert(name.into(), value);
    }

    /// Sets the most `invoke` calls one run may take.
    pub fn set_max_steps(&mut self, max_steps: u32) {
        self.max_steps = max_steps;
    }

    /// The AquaVM the runner drives, for single `invoke` calls outside the loop.
    pub fn interpreter_mut(&mut self) -> &mut AquaVm<B> {
        &mut self.vm
    }

    /// Gives AquaVM back, e.g. to reuse it (loading it is the slow part).
    pub fn into_interpreter(self) -> AquaVm<B> {
        self.vm
    }

    /// Runs `script` in `particle` until an outcome has no call requests.
    pub fn run(&mut self, script: &str, particle: &Particle) -> Result<RunReport, AirError> {
        self.run_with(script, particle, &mut |_| {})
    }

    /// [`run`](Self::run), calling `on_call` after each call is answered (for tracing).
    ///
    /// Step n > 1 is `invoke(script, stored data, [], params, results)` as nox runs it: the
    /// data of every outcome is kept whatever its ret_code, and all call requests of one
    /// outcome are answered, in request-id order, in the next `invoke`.
    pub fn run_with(
        &mut self,
        script: &str,
        particle: &Particle,
        on_call: &mut dyn FnMut(&CallRecord),
    ) -> Result<RunReport, AirError> {
        let params = RunParameters::new(&self.key, &particle.id, particle.timestamp, particle.ttl);
        let peer_id = self.key.peer_id();
        let template = CallParameters {
            particle: ParticleParameters {
                id: particle.id.clone(),
                init_peer_id: peer_id.to_owned(),
                timestamp: particle.timestamp,
                ttl: particle.ttl,
                script: script.to_owned(),
                signature: Vec::new(),
                token: String::new(),
            },
            service_id: String::new(),
            service_creator_peer_id: peer_id.to_owned(),
            host_id: peer_id.to_owned(),
            worker_id: peer_id.to_owned(),
            tetraplets: Vec::new(),
        };
        let mut report = RunReport::default();
        let mut data = Vec::new();
        let mut results = BTreeMap::new();
        loop {
            if report.steps >= self.max_steps {
                return Err(AirError::MaxSteps {
                    max_steps: self.max_steps,
                    pending: results.len(),
                });
            }
            let encoded = encode_call_results(&results)?;
            let started = Instant::now();
            let outcome = self.vm.invoke(
                script,
                core::mem::take(&mut data),
                Vec::new(),
                &params,
                encoded,
            )?;
            report.interpreter_time += started.elapsed();
            report.steps += 1;
            data = outcome.data;
            for peer in outcome.next_peer_pks {
                if !report.next_peer_pks.contains(&peer) {
                    report.next_peer_pks.push(peer);
                }
            }
            report.ret_code = outcome.ret_code;
            report.error_message = outcome.error_message;
            let requests = decode_call_requests(&outcome.call_requests)?;
            if requests.is_empty() {
                report.data = data;
                return Ok(report);
            }
            results = requests
                .into_iter()
                .map(|(id, request)| {
                    let record = self.answer(request, &template, &mut report);
                    on_call(&record);
                    let result = CallServiceResult {
                        ret_code: record.ret_code,
                        result: record.result.clone(),
                    };
                    report.calls.push(record);
                    (id, result)
                })
                .collect();
        }
    }

    /// Answers one call request: the JS-client conventions first, then the built-ins, then
    /// the local services (nox's order: built-ins before app services).
    fn answer(
        &mut self,
        request: CallRequest,
        template: &CallParameters,
        report: &mut RunReport,
    ) -> CallRecord {
        let CallRequest {
            service_id,
            function_name,
            arguments,
            tetraplets,
        } = request;
        let outcome = match (service_id.as_str(), function_name.as_str()) {
            ("getDataSrv", "-relay-") => Outcome::Ok(Value::from(self.key.peer_id())),
            ("getDataSrv", name) => match self.data.get(name) {
                Some(value) => Outcome::Ok(value.clone()),
                None => Outcome::Err(format!(
                    "getDataSrv has no argument `{name}`: give the script's argument `{name}` \
                     a value (strait air --arg {name}=JSON)"
                )),
            },
            ("callbackSrv", "response") => {
                report.responses.push(arguments.clone());
                Outcome::Empty
            }
            ("errorHandlingSrv", "error") => {
                report.errors.push(arguments.clone());
                Outcome::Empty
            }
            (service, function) => {
                match builtins::call(service, function, &arguments, self.key.peer_id()) {
                    Outcome::NotDefined => match self.services.get_mut(service) {
                        Some(local) => {
                            let mut params = template.clone();
                            params.service_id = service_id.clone();
                            params.tetraplets = tetraplets.clone();
                            let args = Value::Array(arguments);
                            let outcome = local.call(function, &args, params);
                            // Taken back out of the array built above, for the record.
                            let arguments = match args {
                                Value::Array(arguments) => arguments,
                                _ => Vec::new(),
                            };
                            return record(
                                service_id,
                                function_name,
                                arguments,
                                tetraplets,
                                outcome,
                            );
                        }
                        None => Outcome::Err(format!(
                            "Service with id '{service}' not found (function {function})"
                        )),
                    },
                    outcome => outcome,
                }
            }
        };
        record(service_id, function_name, arguments, tetraplets, outcome)
    }
}

fn record(
    service_id: String,
    function_name: String,
    args: Vec<Value>,
    tetraplets: Vec<Vec<SecurityTetraplet>>,
    outcome: Outcome,
) -> CallRecord {
    let (ret_code, result) = match outcome {
        Outcome::Ok(value) => (0, value),
        Outcome::Empty => (0, Value::String(String::new())),
        Outcome::Err(message) => (1, Value::String(message)),
        // `answer` resolves NotDefined before recording.
        Outcome::NotDefined => (
            1,
            Value::String(format!(
                "Service with id '{service_id}' not found (function {function_name})"
            )),
        ),
    };
    CallRecord {
        service_id,
        function_name,
        args,
        ret_code,
        result,
        tetraplets,
    }
}
