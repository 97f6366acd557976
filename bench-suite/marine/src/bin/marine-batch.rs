//! `marine-batch CONFIG`: `strait batch` on Marine 0.37, for process-level comparisons through
//! the same protocol. Loads the service of `CONFIG` once, then answers one JSON request per
//! stdin line (`{"module", "function", "args", "call_parameters"}`; `args` defaults to `[]`)
//! with one JSON line, `{"result": …}` or `{"error": "…"}`, flushed after each. Blank lines are
//! skipped. A service that fails to load is reported as one `{"error"}` line and exit code 1.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use serde_json::{json, Value};
use strait_bench_marine::marine::{CallParameters, Marine};
use strait_bench_marine::{block_on, load_config};

fn call(marine: &mut Marine, line: &str) -> Result<Value, String> {
    let request: Value =
        serde_json::from_str(line).map_err(|e| format!("invalid request line: {e}"))?;
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
    block_on(marine.call_with_json_async(module, function, args, parameters))
        .map_err(|e| e.to_string())
}

fn run() -> Result<(), String> {
    let config = std::env::args_os()
        .nth(1)
        .ok_or("usage: marine-batch CONFIG < requests.jsonl")?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut marine = match load_config(config.as_ref()) {
        Ok(marine) => marine,
        Err(error) => {
            let _ = writeln!(out, "{}", json!({ "error": error }));
            return Err("the service could not be loaded".into());
        }
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let reply = match call(&mut marine, &line) {
            Ok(result) => json!({ "result": result }),
            Err(error) => json!({ "error": error }),
        };
        writeln!(out, "{reply}")
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
