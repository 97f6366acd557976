//! `strait call`, `strait batch` and `strait interface`: run a service from its Config.toml.

use crate::error::CliError;
use clap::Args;
use clap::builder::PossibleValuesParser;
use serde_json::{Value, json};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use strait::{Backend, CallParameters, Service, ServiceOptions};

/// What every service command takes.
#[derive(Args)]
pub(crate) struct ServiceArgs {
    /// The engine: one of the engines this build has (`wasmtime`, `wasmi`), the first
    /// the default.
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(strait::BACKENDS),
        default_value = strait::BACKENDS[0]
    )]
    backend: String,
    /// Fuel per call into each module (bounds endless loops); unlimited when absent.
    #[arg(long)]
    fuel: Option<u64>,
    /// Relative WASI mapped directories resolve against this directory (default: the
    /// current directory, as in Marine).
    #[arg(long)]
    working_dir: Option<PathBuf>,
    /// The service's Config.toml.
    config: PathBuf,
}

#[derive(Args)]
pub(crate) struct CallArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// The module to call.
    module: String,
    /// The function to call.
    function: String,
    /// The arguments as JSON (an array, an object by name, or a bare value); none by default.
    args: Option<String>,
    /// Call parameters as JSON (any subset of Marine's v3 fields).
    #[arg(long)]
    call_parameters: Option<String>,
}

fn options(args: &ServiceArgs) -> ServiceOptions {
    ServiceOptions {
        fuel_per_call: args.fuel,
        working_dir: args.working_dir.clone(),
        ..ServiceOptions::default()
    }
}

fn load<B: Backend>(args: &ServiceArgs) -> Result<Service<B>, CliError> {
    Service::<B>::from_config_file(&args.config, options(args)).map_err(CliError::new)
}

fn parse_json(text: &str, what: &str) -> Result<Value, CliError> {
    // strait's parser takes arguments as deep as interface values nest (serde_json's stops at 128).
    strait::json::parse(text).map_err(|e| CliError::new(format!("{what} are not valid JSON: {e}")))
}

fn call_parameters(text: Option<&str>) -> Result<CallParameters, CliError> {
    match text {
        None => Ok(CallParameters::default()),
        Some(text) => serde_json::from_value(parse_json(text, "call parameters")?)
            .map_err(|e| CliError::new(format!("invalid call parameters: {e}"))),
    }
}

/// Runs `f` with a service on the engine the arguments choose.
macro_rules! with_engine {
    ($args:expr, $f:ident ( $($rest:expr),* )) => {
        strait::select_backend!($args.backend.as_str(), $f($($rest),*))
            .unwrap_or_else(|| Err(CliError::new(format!("unknown engine `{}`", $args.backend))))
    };
}

pub(crate) fn call(args: &CallArgs, out: &mut dyn Write) -> Result<(), CliError> {
    with_engine!(args.service, call_on(args, out))
}

fn call_on<B: Backend>(args: &CallArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let arguments = match &args.args {
        Some(text) => parse_json(text, "arguments")?,
        None => Value::Array(Vec::new()),
    };
    let parameters = call_parameters(args.call_parameters.as_deref())?;
    let mut service = load::<B>(&args.service)?;
    let result = service
        .call_json(&args.module, &args.function, &arguments, parameters)
        .map_err(CliError::new)?;
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&result).map_err(CliError::new)?
    )?;
    Ok(())
}

pub(crate) fn batch(
    args: &ServiceArgs,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    with_engine!(args, batch_on(args, input, out))
}

/// Loads once, then one JSON line out per JSON line in: `{"result":…}` or `{"error":"…"}`.
fn batch_on<B: Backend>(
    args: &ServiceArgs,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut service = match load::<B>(args) {
        Ok(service) => service,
        Err(error) => {
            writeln!(out, "{}", json!({ "error": error.to_string() }))?;
            return Err(CliError::new("the service could not be loaded"));
        }
    };
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let reply = match batch_call(&mut service, &line) {
            Ok(result) => json!({ "result": result }),
            Err(error) => json!({ "error": error }),
        };
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
}

fn batch_call<B: Backend>(service: &mut Service<B>, line: &str) -> Result<Value, String> {
    let request: Value =
        strait::json::parse(line).map_err(|e| format!("invalid request line: {e}"))?;
    let field = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("the request has no string `{name}`"))
    };
    let (module, function) = (field("module")?, field("function")?);
    let args = request
        .get("args")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    let parameters = match request.get("call_parameters") {
        None | Some(Value::Null) => CallParameters::default(),
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|e| format!("invalid call parameters: {e}"))?,
    };
    service
        .call_json(module, function, &args, parameters)
        .map_err(|e| e.to_string())
}

pub(crate) fn interface(args: &ServiceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    with_engine!(args, interface_on(args, out))
}

fn interface_on<B: Backend>(args: &ServiceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let service = load::<B>(args)?;
    writeln!(out, "{}", service.interface())?;
    Ok(())
}
