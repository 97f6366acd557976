//! `strait air`: run an AIR script (e.g. compiled Aqua) through AquaVM against the built-ins
//! and local services, with no Fluence node (strait-air's particle loop).

use crate::error::{CliError, Context};
use clap::Args;
use clap::builder::PossibleValuesParser;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use strait::{Backend, ServiceOptions};
use strait_air::{
    AirRunner, AquaVm, CallRecord, DEFAULT_MAX_STEPS, DEFAULT_TTL, KeyPair, LocalService, Particle,
    RunReport,
};

#[derive(Args)]
pub(crate) struct AirArgs {
    /// The AIR script.
    script: PathBuf,
    /// AquaVM's wasm (`dist/avm.wasm` of npm @fluencelabs/avm 0.62.0).
    #[arg(long, value_name = "AVM.wasm")]
    interpreter: PathBuf,
    /// A local service the script calls by ID: its Config.toml (calls go to its last module).
    #[arg(long = "service", value_name = "ID=CONFIG.toml")]
    services: Vec<String>,
    /// What `getDataSrv.NAME` answers (the arguments of an Aqua function), as JSON.
    #[arg(long = "arg", value_name = "NAME=JSON")]
    args: Vec<String>,
    /// The 32-byte Ed25519 seed of the local peer, in hex; a random key (printed) by default.
    #[arg(long, value_name = "HEX64")]
    seed: Option<String>,
    /// The particle id; random by default.
    #[arg(long)]
    particle_id: Option<String>,
    /// The particle's creation time in milliseconds since the Unix epoch; now by default.
    #[arg(long, value_name = "MS")]
    timestamp: Option<u64>,
    /// The particle's time to live in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_TTL)]
    ttl: u32,
    /// The most `invoke` steps before the run is stopped as an error.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_STEPS)]
    max_steps: u32,
    /// The engine: one of the engines this build has, the first the default.
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(strait::BACKENDS),
        default_value = strait::BACKENDS[0]
    )]
    backend: String,
    /// Print one JSON object: ret_code, error_message, steps, responses, errors,
    /// next_peer_pks, calls.
    #[arg(long)]
    json: bool,
    /// Print every call (service, function, arguments, result) as it happens (on stderr with
    /// `--json`).
    #[arg(long)]
    trace: bool,
}

pub(crate) fn run(args: &AirArgs, out: &mut dyn Write) -> Result<(), CliError> {
    strait::select_backend!(args.backend.as_str(), run_on(args, out))
        .unwrap_or_else(|| Err(CliError::new(format!("unknown engine `{}`", args.backend))))
}

/// Service options with the CLI's compiled-module cache (AquaVM is 5.9 MB of wasm).
fn cached() -> ServiceOptions {
    ServiceOptions {
        engine: crate::compile::engine_config(),
        ..ServiceOptions::default()
    }
}

fn split<'a>(text: &'a str, flag: &str, shape: &str) -> Result<(&'a str, &'a str), CliError> {
    text.split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| CliError::new(format!("--{flag} `{text}`: expected {shape}")))
}

fn run_on<B: Backend>(args: &AirArgs, out: &mut dyn Write) -> Result<(), CliError> {
    // Everything the user typed is checked before the slow AquaVM load.
    let script = std::fs::read_to_string(&args.script)
        .context(|| format!("cannot read the script {}", args.script.display()))?;
    let data = args
        .args
        .iter()
        .map(|text| {
            let (name, json) = split(text, "arg", "NAME=JSON")?;
            let value: Value = serde_json::from_str(json)
                .context(|| format!("--arg {name}: the value is not valid JSON"))?;
            Ok((name.to_owned(), value))
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let (key, random_key) = match &args.seed {
        Some(seed) => (KeyPair::from_hex(seed).map_err(CliError::new)?, false),
        None => (KeyPair::random().map_err(CliError::new)?, true),
    };
    let mut particle = Particle::now().map_err(CliError::new)?;
    if let Some(id) = &args.particle_id {
        particle.id.clone_from(id);
    }
    if let Some(timestamp) = args.timestamp {
        particle.timestamp = timestamp;
    }
    particle.ttl = args.ttl;
    let progress = crate::progress::Progress::start(format!("loading services on {}", B::NAME));
    let mut services = Vec::new();
    for text in &args.services {
        let (id, config) = split(text, "service", "ID=CONFIG.toml")?;
        let service = LocalService::<B>::from_config_file(config.as_ref(), cached())
            .context(|| format!("--service {id}"))?;
        services.push((id.to_owned(), service));
    }

    progress.set_message(format!(
        "loading AquaVM {} on {}",
        args.interpreter.display(),
        B::NAME
    ));
    let vm = AquaVm::<B>::from_file(&args.interpreter, cached()).map_err(CliError::new)?;
    drop(progress);
    let mut runner = AirRunner::new(vm, key.clone());
    runner.set_max_steps(args.max_steps);
    for (id, service) in services {
        runner.add_service(id, service).map_err(CliError::new)?;
    }
    for (name, value) in data {
        runner.set_arg(name, value);
    }

    if !args.json {
        if random_key {
            writeln!(
                out,
                "peer id: {} (random key; --seed {} repeats it)",
                key.peer_id(),
                key.seed_hex()
            )?;
        } else {
            writeln!(out, "peer id: {}", key.peer_id())?;
        }
    }
    let mut trace_error = None;
    let report = {
        let mut on_call = |call: &CallRecord| {
            if !args.trace {
                return;
            }
            let line = trace_line(call);
            let written = if args.json {
                writeln!(std::io::stderr().lock(), "{line}")
            } else {
                writeln!(out, "{line}")
            };
            if let Err(error) = written {
                trace_error.get_or_insert(error);
            }
        };
        runner
            .run_with(&script, &particle, &mut on_call)
            .map_err(CliError::new)?
    };
    if let Some(error) = trace_error {
        return Err(error.into());
    }
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&report).map_err(CliError::new)?
        )?;
    } else {
        print_human(&report, out)?;
    }
    outcome(&report)
}

fn trace_line(call: &CallRecord) -> String {
    let args = Value::Array(call.args.clone());
    let status = if call.ret_code == 0 { "->" } else { "-> error" };
    format!(
        "call {}.{}({}) {status} {}",
        call.service_id, call.function_name, args, call.result
    )
}

fn print_human(report: &RunReport, out: &mut dyn Write) -> Result<(), CliError> {
    for response in &report.responses {
        writeln!(out, "response: {}", Value::Array(response.clone()))?;
    }
    for error in &report.errors {
        writeln!(out, "error: {}", Value::Array(error.clone()))?;
    }
    write!(out, "ret_code: {}", report.ret_code)?;
    if report.error_message.is_empty() {
        writeln!(out)?;
    } else {
        writeln!(out, " ({})", report.error_message)?;
    }
    writeln!(out, "steps: {}", report.steps)?;
    if !report.next_peer_pks.is_empty() {
        writeln!(
            out,
            "the particle would be sent to: {}",
            report.next_peer_pks.join(", ")
        )?;
    }
    Ok(())
}

/// A run whose script failed, or reported errors through `errorHandlingSrv`, exits with 1.
fn outcome(report: &RunReport) -> Result<(), CliError> {
    if report.ret_code != 0 {
        return Err(CliError::new(format!(
            "the script failed: AquaVM ret_code {}: {}",
            report.ret_code, report.error_message
        )));
    }
    if !report.errors.is_empty() {
        return Err(CliError::new(format!(
            "the script reported {} error(s) through errorHandlingSrv",
            report.errors.len()
        )));
    }
    Ok(())
}
