//! `strait repl` driven through stdin (every command, on both engines, and the error cases:
//! the session goes on after each), and through a pseudo-terminal (prompt, history,
//! completion); plus the messages of `call`, `batch` and `info` that came with it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const STRAIT: &str = env!("CARGO_BIN_EXE_strait");
/// The engines of this build, from the one engine list.
const ENGINES: &[&str] = strait::BACKENDS;
const ARTIFACTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/artifacts");

fn example(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(path)
}

/// An artifact, or `None` (after saying so) when `../shared` is missing outside CI.
// The skip must be visible in the test output.
#[allow(clippy::print_stdout)]
fn artifact(path: &str) -> Option<PathBuf> {
    let root = PathBuf::from(ARTIFACTS);
    if root.is_dir() {
        return Some(root.join(path));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{ARTIFACTS} is missing: CI must run with ../shared beside the repository"
    );
    println!("SKIPPED: {ARTIFACTS} is missing (not under CI, so the test passes vacuously)");
    None
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("strait-repl-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `strait ARGS` with `input` on stdin and the environment changes `env`.
fn run_with(args: &[&dyn AsRef<std::ffi::OsStr>], input: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(STRAIT);
    command
        .args(args.iter().map(|arg| arg.as_ref()))
        .env_remove("RUST_LOG")
        .env_remove("WASM_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `strait repl ARGS` with the script `input`: its stdout, after checking it ended well.
fn repl(args: &[&dyn AsRef<std::ffi::OsStr>], input: &str) -> (String, String) {
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"repl"];
    all.extend_from_slice(args);
    let output = run_with(&all, input, &[]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    // The failing module prints its own panic through WASI stderr; strait must not panic.
    assert!(
        stderr
            .lines()
            .all(|line| !line.contains("panicked") || line.contains("examples/failing")),
        "{stderr}"
    );
    (stdout, stderr)
}

/// Asserts that `parts` appear in `text` in this order.
fn assert_in_order(text: &str, parts: &[&str]) {
    let mut rest = text;
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => panic!("expected {part:?} after the earlier parts in:\n{text}"),
        }
    }
}

/// The answer lines starting with `error: `.
fn errors(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect()
}

#[test]
fn every_command_on_the_greeting_example() {
    let config = example("greeting/Config.toml");
    let wat = example("greeting/greeting.wat");
    for &engine in ENGINES {
        let other = ENGINES.iter().find(|e| **e != engine).unwrap();
        let script = format!(
            "interface\n\
             call greeting greeting [\"World\"]\n\
             c greeting greeting {{\"name\": \"strait\"}} {{\"service_id\": \"s\"}}\n\
             c greeting greeting -nr [\"hidden\"]\n\
             stats\n\
             st\n\
             envs greeting\n\
             fs greeting\n\
             u greeting\n\
             i\n\
             l greeting {wat}\n\
             call greeting greeting [\"again\"]\n\
             time on\n\
             engine {other}\n\
             call greeting greeting [\"there\"]\n\
             time off\n\
             n\n\
             interface\n\
             new {config}\n\
             fuel 100000000\n\
             call greeting greeting [\"fuelled\"]\n\
             fuel off\n\
             help\n\
             quit\n\
             call greeting greeting [\"after quit\"]\n",
            wat = wat.display(),
            config = config.display(),
        );
        let (out, _) = repl(&[&"--backend", &engine, &config], &script);
        assert!(errors(&out).is_empty(), "{engine}: {out}");
        assert_in_order(
            &out,
            &[
                &format!("service created on {engine} with 1 module (greeting)\nelapsed time: "),
                "exported functions:\ngreeting:\n  func greeting(name: string) -> string\n",
                "result: \"Hi, World\"\nelapsed time: ",
                "result: \"Hi, strait\"\nelapsed time: ",
                "elapsed time: ",
                "greeting - 0.1 MB\nAllocation rejects - 0\nTotal - 0.1 MB (of the limit 10.5 MB)\n",
                "greeting - 0.1 MB\n",
                "<no environment variables>\n",
                "<no mapped directories>\n",
                "module \"greeting\" unloaded\nelapsed time: ",
                "exported functions:\n",
                &format!(
                    "module \"greeting\" loaded from {}\nelapsed time: ",
                    wat.display()
                ),
                "result: \"Hi, again\"\n",
                "time on\n",
                "  loaded greeting in ",
                &format!(
                    "service reloaded on {other} with 1 module (greeting) (fuel off, deadline off)\n"
                ),
                "result: \"Hi, there\"\n",
                "time off\n",
                &format!("service created on {other} with no modules\n"),
                "exported functions:\n",
                &format!("service created on {other} with 1 module (greeting)\n"),
                &format!(
                    "service reloaded with the new fuel on {other} with 1 module (greeting) (fuel 100000000, deadline off)\n"
                ),
                "result: \"Hi, fuelled\"\n",
                "(fuel off, deadline off)\n",
                "Commands:\n  c/call <module> <func>",
                "q/quit, Ctrl-D",
            ],
        );
        assert!(!out.contains("hidden"), "-nr hides the result: {out}");
        assert!(!out.contains("after quit"), "{out}");
        // Neither a prompt nor a banner when stdin is not a terminal.
        assert!(!out.contains("1> ") && !out.contains("Welcome"), "{out}");
    }
}

#[test]
fn errors_are_one_line_and_the_session_goes_on() {
    let config = example("greeting/Config.toml");
    let junk = scratch("junk.wasm");
    std::fs::write(&junk, "this is not a module").unwrap();
    for &engine in ENGINES {
        let script = format!(
            "bogus\n\
             interfce\n\
             call greeting greeting [\"World\"\n\
             call greeting greeting [] {{oops}}\n\
             call greeting greting [\"x\"]\n\
             call greetin greeting [\"x\"]\n\
             call greeting greeting [42]\n\
             call greeting greeting [\"x\"] {{\"servce_id\": \"s\"}}\n\
             envs nothere\n\
             unload nothere\n\
             load junk {junk}\n\
             load greeting {missing}\n\
             new {missing}\n\
             engine v8\n\
             fuel lots\n\
             fuel 1\n\
             call greeting greeting [\"x\"]\n\
             fuel off\n\
             call greeting greeting [\"still here\"]\n",
            junk = junk.display(),
            missing = scratch("missing.toml").display(),
        );
        let (out, _) = repl(&[&"--backend", &engine, &config], &script);
        let errors = errors(&out);
        assert_eq!(errors.len(), 16, "{engine}: {out}");
        let expected = [
            "error: unknown command `bogus`",
            "error: unknown command `interfce` (did you mean `interface`?)",
            "error: the arguments are not valid JSON",
            "error: the call parameters are not valid JSON",
            "error: call failed: ",
            "error: call failed: ",
            "error: call failed: ",
            "error: invalid call parameters: unknown field `servce_id`",
            "error: ",
            "error: ",
            "error: ",
            "error: cannot read module \"greeting\" from ",
            "error: invalid config ",
            "error: unknown engine `v8`; this build has: wasmtime, wasmi",
            "error: `lots` is not a non-negative whole number or `off`",
            "error: call failed: ",
        ];
        for (line, start) in errors.iter().zip(expected) {
            assert!(
                line.starts_with(start),
                "{engine}: {line:?} should start with {start:?}"
            );
        }
        assert!(
            errors[4].contains("greting") && errors[4].contains("greeting"),
            "{}",
            errors[4]
        );
        assert!(errors[5].contains("greetin"), "{}", errors[5]);
        assert!(errors[6].contains("42"), "{}", errors[6]);
        assert!(errors[8].contains("nothere") && errors[9].contains("nothere"));
        assert!(
            errors[10].contains("neither a wasm module") && errors[10].contains("junk.wasm"),
            "{}",
            errors[10]
        );
        assert!(errors[15].to_lowercase().contains("fuel"), "{}", errors[15]);
        assert_in_order(
            &out,
            &["(fuel 1, deadline off)", "result: \"Hi, still here\"\n"],
        );
    }
}

#[test]
fn a_trap_is_an_error_and_the_service_stays() {
    let Some(config) = artifact("failing/Config.toml") else {
        return;
    };
    for &engine in ENGINES {
        let (out, _) = repl(
            &[&"--backend", &engine, &config],
            "call failing failing []\ncall failing failing []\ninterface\n",
        );
        let errors = errors(&out);
        assert_eq!(errors.len(), 2, "{engine}: {out}");
        assert!(
            errors[0].starts_with("error: call failed: "),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("failing"), "{}", errors[0]);
        assert!(
            errors[0].ends_with("wasm `unreachable` instruction executed"),
            "{}",
            errors[0]
        );
        assert!(out.contains("func failing()"), "{out}");
    }
}

#[test]
fn deadlines_on_wasmtime_and_what_wasmi_offers_instead() {
    let config = example("greeting/Config.toml");
    let (out, _) = repl(
        &[&"--backend", &"wasmtime", &config],
        "deadline 5000\ncall greeting greeting [\"in time\"]\ndeadline off\n",
    );
    assert_in_order(
        &out,
        &[
            "(fuel off, deadline 5000 ms)",
            "result: \"Hi, in time\"",
            "(fuel off, deadline off)",
        ],
    );
    let (out, _) = repl(
        &[&"--backend", &"wasmi", &config],
        "deadline 5000\ncall greeting greeting [\"still\"]\n",
    );
    let errors = errors(&out);
    assert_eq!(errors.len(), 1, "{out}");
    assert!(
        errors[0].contains("not available on wasmi"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("bound calls with fuel instead"),
        "{}",
        errors[0]
    );
    assert!(out.contains("result: \"Hi, still\""), "{out}");
    // The same from the command line.
    for command in ["call", "batch", "repl"] {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
            &command,
            &"--backend",
            &"wasmi",
            &"--timeout",
            &"100",
            &config,
        ];
        if command == "call" {
            args.extend([
                &"greeting" as &dyn AsRef<std::ffi::OsStr>,
                &"greeting",
                &"[\"x\"]",
            ]);
        }
        let output = run_with(&args, "", &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{command}: {stdout} {stderr}"
        );
        // `batch` answers its error as a JSON line, the others on stderr.
        assert!(
            stderr.contains("bound calls with fuel instead (`--fuel N`")
                || stdout.contains("bound calls with fuel instead (`--fuel N`"),
            "{command}: {stdout} {stderr}"
        );
    }
    let output = run_with(
        &[
            &"call",
            &"--timeout",
            &"5000",
            &config,
            &"greeting",
            &"greeting",
            &"[\"x\"]",
        ],
        "",
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "\"Hi, x\"\n");
}

#[test]
fn envs_fs_and_stats_of_the_url_downloader() {
    let config = example("url-downloader/Config.toml");
    let dir = scratch("url-downloader-wd");
    std::fs::create_dir_all(dir.join("sites")).unwrap();
    let sites = dir.join("./sites");
    for &engine in ENGINES {
        let (out, _) = repl(
            &[&"--backend", &engine, &"--working-dir", &dir, &config],
            "envs local_storage\nfs local_storage\nfs facade\nenvs facade\n\
             call local_storage put [\"hello.txt\", [104, 105]]\n\
             call local_storage get [\"hello.txt\"]\nstats\n",
        );
        assert!(errors(&out).is_empty(), "{engine}: {out}");
        assert_in_order(
            &out,
            &[
                "service created on",
                "with 3 modules (local_storage, curl_adapter, facade)",
                // The host path is the working directory joined to the configured one.
                &format!("sites={}\n", sites.display()),
                &format!("sites -> {}\n", sites.display()),
                "<no mapped directories>\n",
                "<no environment variables>\n",
                "result: [\n  104,\n  105\n]\n",
                "curl_adapter - ",
                "facade - ",
                "local_storage - ",
                "Allocation rejects - 0\nTotal - ",
                "(of the limit 67.1 MB)",
            ],
        );
    }
}

#[test]
fn host_wasm_log_reaches_the_modules() {
    let Some(config) = artifact("greeting_record/Config.toml") else {
        return;
    };
    for &engine in ENGINES {
        let output = run_with(
            &[&"repl", &"--backend", &engine, &config],
            "call greeting-record log_debug []\nenvs greeting-record\n",
            &[("WASM_LOG", "debug")],
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stdout.contains("WASM_LOG=debug\n"), "{engine}: {stdout}");
        assert!(stderr.contains("[greeting-record] "), "{engine}: {stderr}");
        // Without it the module logs at its default level, info.
        let output = run_with(
            &[&"repl", &"--backend", &engine, &config],
            "call greeting-record log_debug []\n",
            &[],
        );
        assert!(
            !String::from_utf8_lossy(&output.stderr).contains("[greeting-record] "),
            "{engine}"
        );
    }
}

#[test]
fn help_documents_the_logging_variables() {
    for command in ["call", "batch", "repl"] {
        let output = run_with(&[&command, &"--help"], "", &[]);
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(
            help.contains("RUST_LOG=strait=debug,info"),
            "{command}: {help}"
        );
        assert!(
            help.contains("WASM_LOG   the level a module logs at"),
            "{command}: {help}"
        );
        assert!(help.contains("--timeout <MS>"), "{command}: {help}");
    }
}

#[test]
fn rust_log_filters_by_target() {
    let config = example("greeting/Config.toml");
    let call: [&dyn AsRef<std::ffi::OsStr>; 5] =
        [&"call", &config, &"greeting", &"greeting", &"[\"x\"]"];
    // `debug` does not flood the output with the engine's internals.
    let output = run_with(&call, "", &[("RUST_LOG", "debug")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        !stderr.contains("[cranelift") && !stderr.contains("[wasmtime"),
        "{stderr}"
    );
    assert!(stderr.lines().count() < 50, "{stderr}");
    let output = run_with(&call, "", &[("RUST_LOG", "strait=loud,info")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("RUST_LOG directive `strait=loud` is not"),
        "{stderr}"
    );
}

#[test]
fn unknown_call_parameter_fields_are_rejected() {
    let config = example("greeting/Config.toml");
    let output = run_with(
        &[
            &"call",
            &config,
            &"greeting",
            &"greeting",
            &"[\"x\"]",
            &"--call-parameters",
            &r#"{"particle": {"idd": "p"}}"#,
        ],
        "",
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("invalid call parameters: unknown field `idd`"),
        "{stderr}"
    );
    let output = run_with(
        &[&"batch", &config],
        "{\"module\": \"greeting\", \"function\": \"greeting\", \"args\": [\"x\"], \
         \"call_parameters\": {\"host\": \"h\"}}\n",
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("invalid call parameters: unknown field `host`"),
        "{stdout}"
    );
}

#[test]
fn call_reads_its_arguments_from_a_file_or_stdin() {
    let config = example("greeting/Config.toml");
    let file = scratch("args.json");
    let big = "y".repeat(300_000);
    std::fs::write(&file, format!("[\"{big}\"]")).unwrap();
    let output = run_with(
        &[
            &"call",
            &config,
            &"greeting",
            &"greeting",
            &"--args-file",
            &file,
        ],
        "",
        &[],
    );
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("\"Hi, {big}\"\n")
    );
    let output = run_with(
        &[
            &"call",
            &config,
            &"greeting",
            &"greeting",
            &"--args-file",
            &"-",
        ],
        "{\"name\": \"stdin\"}",
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "\"Hi, stdin\"\n");
    let output = run_with(
        &[
            &"call",
            &config,
            &"greeting",
            &"greeting",
            &"--args-file",
            &scratch("nope.json"),
        ],
        "",
        &[],
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the arguments from"));
}

#[test]
fn unknown_config_keys_are_warned_about_with_their_line() {
    let dir = scratch("typo-config");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(example("greeting/greeting.wat"), dir.join("greeting.wat")).unwrap();
    let config = dir.join("Config.toml");
    std::fs::write(
        &config,
        "modules_dir = \".\"\ntotal_memory_limit = \"10 MiB\"\n\n[[module]]\n\
         name = \"greeting\"\nfile_name = \"greeting.wat\"\nloger_enabled = false\n\
         mem_pages_count = 100\n",
    )
    .unwrap();
    let output = run_with(
        &[&"call", &config, &"greeting", &"greeting", &"[\"typo\"]"],
        "",
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "\"Hi, typo\"\n");
    assert!(
        stderr.contains(&format!(
            "{}: warning: unknown key `loger_enabled` ([[module]] \"greeting\", line 7) is \
             ignored; did you mean `logger_enabled`?",
            config.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "note: key `mem_pages_count` ([[module]] \"greeting\", line 8) is no longer read"
        ),
        "{stderr}"
    );
    // The REPL warns too, on `new` as at start-up.
    let (_, stderr) = repl(&[&config], &format!("new {}\n", config.display()));
    assert_eq!(
        stderr.matches("unknown key `loger_enabled`").count(),
        2,
        "{stderr}"
    );
}

#[test]
fn info_on_a_file_that_is_neither_wasm_nor_wat() {
    let junk = scratch("junk-info.wasm");
    std::fs::write(&junk, [0x7f, b'E', b'L', b'F', 0, 1, 2]).unwrap();
    let output = run_with(&[&"info", &junk], "", &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr,
        format!(
            "error: {} is neither a wasm module (no `\\0asm` header) nor WAT text\n",
            junk.display()
        )
    );
    let output = run_with(&[&"info", &example("greeting/greeting.wat")], "", &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("greeting.wat is WAT text, not a wasm module"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn prompt_history_and_completion_on_a_terminal() {
    use expectrl::{Eof, Expect, Session};
    let config = example("greeting/Config.toml");
    let data = scratch("pty-data-home");
    let _ = std::fs::remove_dir_all(&data);
    let spawn = || {
        let mut command = Command::new(STRAIT);
        command
            .arg("repl")
            .arg(&config)
            .env("XDG_DATA_HOME", &data)
            .env("TERM", "xterm")
            .env_remove("RUST_LOG")
            .env_remove("WASM_LOG");
        let mut session = Session::spawn(command).unwrap();
        session.set_expect_timeout(Some(std::time::Duration::from_secs(60)));
        session
    };

    let mut session = spawn();
    session.expect("Welcome to the strait REPL").unwrap();
    session.expect("service created on wasmtime").unwrap();
    session.expect("1> ").unwrap();
    session
        .send_line("call greeting greeting [\"pty\"]")
        .unwrap();
    session.expect("result: \"Hi, pty\"").unwrap();
    session.expect("2> ").unwrap();
    // A command name, then a module and a function name, completed with Tab.
    session.send("inter\t").unwrap();
    session.send("\r").unwrap();
    session
        .expect("func greeting(name: string) -> string")
        .unwrap();
    session.expect("3> ").unwrap();
    session.send("c gree\tgr\t[\"tab\"]\r").unwrap();
    session.expect("result: \"Hi, tab\"").unwrap();
    session.expect("4> ").unwrap();
    session.send_line("quit").unwrap();
    session.expect(Eof).unwrap();

    let history = std::fs::read_to_string(data.join("strait/repl_history")).unwrap();
    assert!(
        history.contains("call greeting greeting [\"pty\"]"),
        "{history}"
    );
    assert!(
        history.contains("c greeting greeting [\"tab\"]"),
        "{history}"
    );

    // The next session starts with that history: Up twice is the completed call.
    let mut session = spawn();
    session.expect("1> ").unwrap();
    session.send("\x1b[A\x1b[A\r").unwrap();
    session.expect("result: \"Hi, tab\"").unwrap();
    session.expect("2> ").unwrap();
    session.send("\x04").unwrap();
    session.expect(Eof).unwrap();
}

/// A module whose one function never returns.
const SPIN: &str = r#"(module
  (memory (export "memory") 1)
  (func $spin (export "spin") (loop $forever (br $forever)))
  (@custom "__fluence_sdk_version" "0.14.0")
  (@interface it_version "0.28.0")
  (@interface type (func))   ;; 0
  (@interface func (type 0)
    call-core 0)
  (@interface export "spin" (func 0))
  (@interface implement (func 0) (func 0))
)"#;

#[test]
fn limits_hit_are_errors_and_the_session_goes_on() {
    let spin = scratch("spin.wat");
    std::fs::write(&spin, SPIN).unwrap();
    for &engine in ENGINES {
        let (out, _) = repl(
            &[&"--backend", &engine, &"--fuel", &"1000000"],
            &format!(
                "load spin {}\ncall spin spin []\ncall spin spin []\ninterface\n",
                spin.display()
            ),
        );
        let errors = errors(&out);
        assert_eq!(errors.len(), 2, "{engine}: {out}");
        for error in errors {
            assert!(
                error.ends_with(
                    "(the call used up its fuel, 1000000 per call: `fuel off` or `fuel <more>`)"
                ),
                "{engine}: {error}"
            );
        }
        assert!(out.contains("  func spin()\n"), "{out}");
    }
    let (out, _) = repl(
        &[&"--backend", &"wasmtime", &"--timeout", &"100"],
        &format!(
            "load spin {}\ncall spin spin []\ninterface\n",
            spin.display()
        ),
    );
    let errors = errors(&out);
    assert_eq!(errors.len(), 1, "{out}");
    assert!(
        errors[0].ends_with(
            "(the call ran past its deadline of 100 ms: `deadline off` or `deadline <more>`)"
        ),
        "{}",
        errors[0]
    );
    assert!(out.contains("  func spin()\n"), "{out}");
}

#[test]
fn a_config_that_fails_at_start_up_leaves_an_empty_service() {
    let missing = scratch("no-such-config.toml");
    let greeting = example("greeting/Config.toml");
    for &engine in ENGINES {
        let (out, _) = repl(
            &[&"--backend", &engine, &missing],
            &format!(
                "time\ninterface\nnew {}\ncall greeting greeting [\"late\"]\n",
                greeting.display()
            ),
        );
        assert_in_order(
            &out,
            &[
                &format!("error: invalid config {}: ", missing.display()),
                "(starting with an empty service; `new <config>` loads one)\n",
                "time off\n",
                "exported functions:\n",
                &format!("service created on {engine} with 1 module (greeting)\n"),
                "result: \"Hi, late\"\n",
            ],
        );
    }
}

/// A load that takes longer than half a second (AquaVM, 5.9 MB, compiled afresh) shows a spinner
/// naming what loads, on a terminal only; piped, stderr stays empty (every other test).
#[test]
fn a_slow_load_shows_progress_on_a_terminal() {
    use expectrl::{Eof, Expect, Session};
    let avm = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/aquavm/avm-0.62.0.wasm");
    if !avm.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "AquaVM is missing: .ci/run fetches it with air/fetch-avm.sh"
        );
        return;
    }
    let dir = scratch("progress");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("Config.toml");
    std::fs::write(
        &config,
        format!(
            "modules_dir = \"{}\"\ntotal_memory_limit = \"Infinity\"\n\
             [[module]]\nname = \"avm\"\nfile_name = \"avm-0.62.0.wasm\"\n",
            avm.parent().unwrap().display()
        ),
    )
    .unwrap();
    let mut command = Command::new(STRAIT);
    command
        .arg("interface")
        .arg(&config)
        .args(["--backend", strait::BACKENDS[0], "--no-cache"])
        .env("TERM", "xterm");
    let mut session = Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(std::time::Duration::from_secs(120)));
    session
        .expect(format!("loading {}", config.display()).as_str())
        .unwrap();
    session.expect("func invoke").unwrap();
    session.expect(Eof).unwrap();
}
