//! `strait air` through the built binary, on every engine: Aqua's hello world against
//! `examples/greeting` (human output, `--trace`, `--json`), a script that leaves for another
//! peer, and bad input — each a one-line error with exit status 1, never a panic.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STRAIT: &str = env!("CARGO_BIN_EXE_strait");
/// The spec's worked-example seed: the peer id below is derived from it.
const SEED: &str = "0101010101010101010101010101010101010101010101010101010101010101";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// AquaVM (`air/fetch-avm.sh`), or `None` after saying so when it is missing outside CI.
// The skip must be visible in the test output.
#[allow(clippy::print_stdout)]
fn avm() -> Option<PathBuf> {
    let path = std::env::var_os("STRAIT_AVM_WASM").map_or_else(
        || repo().join("target/aquavm/avm-0.62.0.wasm"),
        PathBuf::from,
    );
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "AquaVM is missing at {}: .ci/run fetches it with air/fetch-avm.sh",
        path.display()
    );
    println!(
        "SKIPPED: AquaVM not at {} (run air/fetch-avm.sh)",
        path.display()
    );
    None
}

fn greeting() -> PathBuf {
    repo().join("examples/greeting")
}

/// `strait air SCRIPT --interpreter AVM --backend ENGINE --seed SEED ARGS…`.
fn air(engine: &str, avm: &Path, script: &Path, args: &[&str]) -> Output {
    Command::new(STRAIT)
        .arg("air")
        .arg(script)
        .arg("--interpreter")
        .arg(avm)
        .args(["--backend", engine, "--seed", SEED])
        .args(["--particle-id", "cli-test", "--timestamp", "1700000000000"])
        .args(args)
        .output()
        .unwrap()
}

fn hello(engine: &str, avm: &Path, extra: &[&str]) -> Output {
    let service = format!("greeting={}", greeting().join("Config.toml").display());
    let mut args = vec!["--service", &service, "--arg", r#"name="world""#];
    args.extend_from_slice(extra);
    air(engine, avm, &greeting().join("hello.air"), &args)
}

fn stdout(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "strait air failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

use super::assert_clean_failure as assert_fails;

fn script(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("strait-cli-air");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The human output: the peer id, each call as it happens (`--trace`), the response, the
/// final ret_code and the number of `invoke` steps.
fn hello_world_human(engine: &str) {
    let Some(avm) = avm() else { return };
    let out = stdout(&hello(engine, &avm, &["--trace"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "peer id: 12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5",
            "call getDataSrv.-relay-([]) -> \"12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5\"",
            "call getDataSrv.name([]) -> \"world\"",
            "call greeting.greeting([\"world\"]) -> \"Hi, world\"",
            "call callbackSrv.response([\"Hi, world\"]) -> \"\"",
            "response: [\"Hi, world\"]",
            "ret_code: 0",
            "steps: 5",
        ],
        "{out}"
    );
}

/// `--json`: one object with everything a caller needs, and nothing else on stdout.
fn hello_world_json(engine: &str) {
    let Some(avm) = avm() else { return };
    let out = stdout(&hello(engine, &avm, &["--json"]));
    let report: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["ret_code"], json!(0));
    assert_eq!(report["error_message"], json!(""));
    assert_eq!(report["steps"], json!(5));
    assert_eq!(report["responses"], json!([["Hi, world"]]));
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["next_peer_pks"], json!([]));
    let calls: Vec<(&str, &str, &Value, &Value)> = report["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| {
            assert_eq!(call["ret_code"], json!(0));
            (
                call["service_id"].as_str().unwrap(),
                call["function_name"].as_str().unwrap(),
                &call["args"],
                &call["result"],
            )
        })
        .collect();
    assert_eq!(
        calls[2],
        (
            "greeting",
            "greeting",
            &json!(["world"]),
            &json!("Hi, world")
        )
    );
    assert_eq!(calls.len(), 4);
}

/// A call on another peer ends the local run; the output names where the particle goes.
fn leaves_for_another_peer(engine: &str) {
    let Some(avm) = avm() else { return };
    let other = "12D3KooWJankP2PcEDYCZDARWjxzgNTqwZ6AUmtPKYszx2EqVrn3";
    let path = script(
        "another_peer.air",
        &format!(
            r#"(seq (call %init_peer_id% ("op" "noop") []) (call "{other}" ("op" "noop") []))"#
        ),
    );
    let out = stdout(&air(engine, &avm, &path, &[]));
    assert!(
        out.contains(&format!("the particle would be sent to: {other}")),
        "{out}"
    );
}

/// An AIR syntax error is AquaVM's ret_code, named, with exit status 1.
fn syntax_error(engine: &str) {
    let Some(avm) = avm() else { return };
    let path = script(
        "syntax.air",
        r#"(seq (call %init_peer_id% ("op" "noop") [])"#,
    );
    assert_fails(
        &air(engine, &avm, &path, &[]),
        "error: the script failed: AquaVM ret_code",
    );
}

/// `getDataSrv` without its `--arg`: the script's `xor` reports it through
/// `errorHandlingSrv`, so the run fails and says so.
fn missing_arg(engine: &str) {
    let Some(avm) = avm() else { return };
    let service = format!("greeting={}", greeting().join("Config.toml").display());
    let output = air(
        engine,
        &avm,
        &greeting().join("hello.air"),
        &["--service", &service],
    );
    assert_fails(
        &output,
        "error: the script reported 1 error(s) through errorHandlingSrv",
    );
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains("error: ["), "{out}");
    assert!(out.contains("name"), "the error names the argument: {out}");
}

/// `--max-steps` bounds the loop; hitting it is an error naming the bound.
fn max_steps(engine: &str) {
    let Some(avm) = avm() else { return };
    let output = hello(engine, &avm, &["--max-steps", "2"]);
    assert_fails(&output, "did not finish in 2 steps");
}

/// Input checked before AquaVM loads: a missing service config, a bad `--arg`, a bad seed,
/// a missing script or interpreter.
fn bad_input(engine: &str) {
    let avm = avm().unwrap_or_else(|| repo().join("target/aquavm/avm-0.62.0.wasm"));
    let hello_air = greeting().join("hello.air");
    assert_fails(
        &air(
            engine,
            &avm,
            &hello_air,
            &["--service", "greeting=/nonexistent/Config.toml"],
        ),
        "error: --service greeting",
    );
    assert_fails(
        &air(engine, &avm, &hello_air, &["--arg", "name=world"]),
        "error: --arg name: the value is not valid JSON",
    );
    assert_fails(
        &air(engine, &avm, &hello_air, &["--arg", "=1"]),
        "expected NAME=JSON",
    );
    assert_fails(
        &air(engine, &avm, &hello_air, &["--service", "Config.toml"]),
        "expected ID=CONFIG.toml",
    );
    let output = Command::new(STRAIT)
        .args(["air", "--interpreter"])
        .arg(&avm)
        .arg(&hello_air)
        .args(["--backend", engine, "--seed", "12"])
        .output()
        .unwrap();
    assert_fails(&output, "seed");
    assert_fails(
        &air(engine, &avm, Path::new("/nonexistent/script.air"), &[]),
        "cannot read the script /nonexistent/script.air",
    );
    assert_fails(
        &air(engine, Path::new("/nonexistent/avm.wasm"), &hello_air, &[]),
        "/nonexistent/avm.wasm",
    );
}

/// One test per scenario and engine of this build (`air::wasmtime::hello_world_human`, …).
macro_rules! air_tests {
    ([$($name:ident),*] $engine:ident $ty:path; $($rest:tt)*) => {
        mod $engine {
            $( #[test] fn $name() { super::$name(stringify!($engine)) } )*
        }
        air_tests!([$($name),*] $($rest)*);
    };
    ([$($name:ident),*]) => {};
}

strait::for_each_backend! {
    air_tests,
    hello_world_human,
    hello_world_json,
    leaves_for_another_peer,
    syntax_error,
    missing_arg,
    max_steps,
    bad_input
}
