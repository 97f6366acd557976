//! `strait call`, `strait batch` and `strait interface`: run a service from its Config.toml.

use crate::error::CliError;
use clap::Args;
use clap::builder::PossibleValuesParser;
use serde_json::{Value, json};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use strait::{Backend, CallParameters, Service, ServiceOptions};

/// The engine and the per-call limits, for every command that loads a service.
#[derive(Args, Clone)]
pub(crate) struct EngineArgs {
    /// The engine: one of the engines this build has (`wasmtime`, `wasmi`), the first
    /// the default.
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(strait::BACKENDS),
        default_value = strait::BACKENDS[0]
    )]
    pub(crate) backend: String,
    /// Fuel per call into each module (bounds endless loops, on every engine); unlimited
    /// when absent.
    #[arg(long, value_name = "N")]
    pub(crate) fuel: Option<u64>,
    /// Wall-clock deadline per call into each module, in milliseconds (Wasmtime epochs,
    /// 10 ms ticks). wasmi has no deadlines: bound calls with `--fuel` there.
    #[arg(long, value_name = "MS")]
    pub(crate) timeout: Option<u64>,
    /// Relative WASI mapped directories resolve against this directory (default: the
    /// current directory, as in Marine).
    #[arg(long, value_name = "DIR")]
    pub(crate) working_dir: Option<PathBuf>,
}

/// What every service command takes.
#[derive(Args)]
pub(crate) struct ServiceArgs {
    #[command(flatten)]
    engine: EngineArgs,
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
    #[arg(conflicts_with = "args_file")]
    args: Option<String>,
    /// Read the JSON arguments from this file (`-` for stdin) instead of the command line,
    /// for arguments too large for argv.
    #[arg(long, value_name = "PATH")]
    args_file: Option<PathBuf>,
    /// Call parameters as JSON (any subset of Marine's v3 fields; an unknown field is an
    /// error).
    #[arg(long)]
    call_parameters: Option<String>,
}

/// The service options the engine arguments ask for.
pub(crate) fn options(args: &EngineArgs) -> ServiceOptions {
    ServiceOptions {
        fuel_per_call: args.fuel,
        deadline_per_call: args.timeout.map(Duration::from_millis),
        working_dir: args.working_dir.clone(),
        engine: crate::compile::engine_config(),
        ..ServiceOptions::default()
    }
}

/// A service error, with what to do instead when it is a deadline on an engine without them.
pub(crate) fn service_error(error: &strait::Error, engine: &str) -> String {
    let text = one_line(&error.to_string());
    if text.contains("deadline_per_call is not available") {
        format!(
            "{text}; {engine} has no wall-clock deadlines: bound calls with fuel instead \
             (`--fuel N`, or `fuel N` in the REPL), or use --backend wasmtime"
        )
    } else {
        text
    }
}

/// An error message on one line: engine errors can carry a multi-line wasm backtrace, which
/// is left out (what failed and where is in the text before it).
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (line, backtrace) = match line.find("wasm backtrace") {
            Some(at) => (&line[..at], true),
            None => (line, false),
        };
        let line = line
            .trim_end()
            .trim_end_matches("error while executing at")
            .trim_end();
        if !line.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(line);
        }
        if backtrace {
            break;
        }
    }
    out
}

/// Warns on `err` about the keys of the config at `path` that strait does not read.
pub(crate) fn warn_unknown_keys(path: &Path, err: &mut dyn Write) {
    // An unreadable or invalid file is reported by the loader itself.
    if let Ok(text) = std::fs::read_to_string(path) {
        for key in strait::config::unknown_keys(&text) {
            let _ = writeln!(err, "{}: {key}", path.display());
        }
    }
}

fn load<B: Backend>(args: &ServiceArgs) -> Result<Service<B>, CliError> {
    warn_unknown_keys(&args.config, &mut io::stderr().lock());
    let _progress = crate::progress::Progress::start(format!(
        "loading {} on {}",
        args.config.display(),
        B::NAME
    ));
    Service::<B>::from_config_file(&args.config, options(&args.engine))
        .map_err(|e| CliError::new(service_error(&e, B::NAME)))
}

fn parse_json(text: &str, what: &str) -> Result<Value, CliError> {
    // strait's parser takes arguments as deep as interface values nest (serde_json's stops at 128).
    strait::json::parse(text).map_err(|e| CliError::new(format!("{what} are not valid JSON: {e}")))
}

/// Call parameters from JSON text; an unknown field is an error naming it.
pub(crate) fn parse_call_parameters(value: Value) -> Result<CallParameters, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid call parameters: {e}"))
}

fn call_parameters(text: Option<&str>) -> Result<CallParameters, CliError> {
    match text {
        None => Ok(CallParameters::default()),
        Some(text) => {
            parse_call_parameters(parse_json(text, "call parameters")?).map_err(CliError::new)
        }
    }
}

/// The call's JSON arguments: from the command line, from `--args-file`, or none.
fn call_arguments(args: &CallArgs) -> Result<Value, CliError> {
    let text = match (&args.args, &args.args_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::new(format!("cannot read the arguments from stdin: {e}")))?;
            text
        }
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            CliError::new(format!(
                "cannot read the arguments from {}: {e}",
                path.display()
            ))
        })?,
        (None, None) => return Ok(Value::Array(Vec::new())),
    };
    parse_json(&text, "arguments")
}

/// Runs `f` with a service on the engine the arguments choose.
macro_rules! with_engine {
    ($args:expr, $f:ident ( $($rest:expr),* )) => {
        strait::select_backend!($args.engine.backend.as_str(), $f($($rest),*)).unwrap_or_else(|| {
            Err(CliError::new(format!("unknown engine `{}`", $args.engine.backend)))
        })
    };
}

pub(crate) fn call(args: &CallArgs, out: &mut dyn Write) -> Result<(), CliError> {
    with_engine!(args.service, call_on(args, out))
}

fn call_on<B: Backend>(args: &CallArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let arguments = call_arguments(args)?;
    let parameters = call_parameters(args.call_parameters.as_deref())?;
    let mut service = load::<B>(&args.service)?;
    let result = service
        .call_json(&args.module, &args.function, &arguments, parameters)
        .map_err(|e| CliError::new(one_line(&e.to_string())))?;
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&result).map_err(CliError::new)?
    )?;
    Ok(())
}

/// How much of stdin `batch` reads at once.
pub(crate) const BATCH_READ: usize = 256 << 10;

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
    // The line and the reply are kept from call to call, and large strings in between move
    // through buffers the service keeps: a large payload is not allocated afresh each time.
    let mut line = Vec::new();
    let mut reply = String::new();
    loop {
        line.clear();
        if read_line(input, &mut line)? == 0 {
            return Ok(());
        }
        reply.clear();
        reply.push_str("{\"result\":");
        let call = match core::str::from_utf8(&line) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => batch_call(&mut service, text, &mut reply),
            Err(error) => Err(format!(
                "invalid request line: not UTF-8 (byte {} of the line); send JSON text",
                error.valid_up_to()
            )),
        };
        match call {
            Ok(()) => reply.push('}'),
            Err(error) => {
                reply.clear();
                strait::json::write_compact(&mut reply, &json!({ "error": error }));
            }
        }
        reply.push('\n');
        out.write_all(reply.as_bytes())?;
        out.flush()?;
    }
}

/// Appends the next line of `input` (up to and with its `\n`) to `line`, as
/// `BufRead::read_until` does, finding the newline with memchr's vectorised search: a large
/// request is scanned once at memory speed, and its UTF-8 is checked once, by the caller.
/// Returns how many bytes it appended: 0 at the end of the input.
fn read_line(input: &mut dyn BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    let start = line.len();
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let (used, done) = match memchr::memchr(b'\n', available) {
            Some(end) => (end + 1, true),
            None => (available.len(), available.is_empty()),
        };
        line.extend_from_slice(available.get(..used).unwrap_or_default());
        input.consume(used);
        if done {
            return Ok(line.len() - start);
        }
    }
}

/// Runs the call of one request line, appending its result's JSON text to `out`.
fn batch_call<B: Backend>(
    service: &mut Service<B>,
    line: &str,
    out: &mut String,
) -> Result<(), String> {
    let mut request = service
        .parse_json(line)
        .map_err(|e| format!("invalid request line: {e}"))?;
    // The arguments and call parameters are taken out of the request, not copied.
    let mut take = |name: &str| {
        request
            .as_object_mut()
            .and_then(|fields| fields.remove(name))
    };
    let args = take("args").unwrap_or(Value::Array(Vec::new()));
    let parameters = take("call_parameters");
    let field = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("the request has no string `{name}`"))
    };
    let (module, function) = (field("module")?, field("function")?);
    let parameters = match parameters {
        None | Some(Value::Null) => CallParameters::default(),
        Some(value) => parse_call_parameters(value)?,
    };
    service
        .call_json_text(module, function, args, parameters, out)
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

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn errors_lose_their_wasm_backtrace() {
        let wasmtime = "call failed: wasm trap: wasm `unreachable` instruction executed error \
                        while executing at wasm backtrace:\n    0:   0x7889 - <unknown>!rust_panic\n\
                        1:   0x241f - <unknown>!h";
        assert_eq!(
            one_line(wasmtime),
            "call failed: wasm trap: wasm `unreachable` instruction executed"
        );
        assert_eq!(one_line("a\n  b\n\nc"), "a b c");
    }
}
