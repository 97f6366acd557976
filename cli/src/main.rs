//! `strait`: the command line of strait.
//!
//! One module per command family (`it`, `info`); the runtime commands (`call`, `batch`,
//! `interface`, `repl`) join as sibling modules. Every command writes its output to the locked
//! stdout handle it is given and returns errors as values: `main` prints them on stderr and
//! exits with status 1, so no input can make the binary panic.

mod air;
mod compile;
mod error;
mod info;
mod input;
mod it;
mod logger;
mod progress;
mod repl;
mod service;

use clap::{Parser, Subcommand};
use std::io::{self, Write};
use std::process::ExitCode;

/// strait, a runtime for Marine services: call services on Wasmtime or wasmi, and inspect
/// and edit the interface-types section of Marine modules.
#[derive(Parser)]
#[command(name = "strait", version, after_long_help = LOGGING_HELP, after_help = LOGGING_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    compile: compile::CompileArgs,
}

/// How logging is set, after the options of `--help`.
const LOGGING_HELP: &str = "\
Logging (records on stderr as `[target] message`; a module's records have its name as target):
  RUST_LOG   env_logger-style filters: a default level and `target=level` directives, e.g.
             `RUST_LOG=warn`, `RUST_LOG=strait=debug,info`, `RUST_LOG=greeting=trace`
             (levels: off, error, warn, info, debug, trace; default info). Engine internals
             (cranelift, wasmtime, wasmi) log only when a directive names their target.
  WASM_LOG   the level a module logs at (the module's own `WASM_LOG` env var): `debug`, or
             `module=level` per module, comma separated; it overrides `[module.wasi].envs`.
             With WASM_LOG set (not `off`) and RUST_LOG unset, every level is printed, as in
             Marine's mrepl.
  RUST_BACKTRACE  with it set, wasmi's WASI captures a native backtrace for every errno it
             returns (a fifth of a SQLite-backed call); add RUST_LIB_BACKTRACE=0 to keep
             panic backtraces without that cost.";

#[derive(Subcommand)]
enum Command {
    /// Load a service from its Config.toml and call one function with JSON arguments;
    /// prints the JSON result.
    #[command(after_help = LOGGING_HELP)]
    Call(service::CallArgs),
    /// Load a service once, then answer one JSON call per stdin line
    /// (`{"module", "function", "args", "call_parameters"}`) with `{"result"}` or `{"error"}`.
    #[command(after_help = LOGGING_HELP)]
    Batch(service::ServiceArgs),
    /// Print the interface (records and functions) of a service.
    Interface(service::ServiceArgs),
    /// Show or replace the interface-types (IT) section of a module.
    #[command(subcommand)]
    It(it::ItCommand),
    /// Print a module's IT version, SDK version and exported interface.
    Info(info::InfoArgs),
    /// Marine's REPL (mrepl) on strait: load a service, call its functions with JSON, load
    /// and unload modules, switch engines. Reads commands from stdin when it is not a terminal
    /// (no prompt, same answers), so it can be scripted; `help` lists the commands.
    #[command(after_help = LOGGING_HELP)]
    Repl(repl::ReplArgs),
    /// Run an AIR script (compiled Aqua) through AquaVM against the built-in and local
    /// services, with no Fluence node.
    Air(air::AirArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` also arrive here, as "errors" printed on stdout.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    logger::init();
    compile::init(&cli.compile);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Call(args) => service::call(&args, &mut out),
        Command::Batch(args) => {
            // Large requests come in large reads (stdin's own buffer is 8 KiB).
            let mut input = io::BufReader::with_capacity(service::BATCH_READ, io::stdin().lock());
            service::batch(&args, &mut input, &mut out)
        }
        Command::Interface(args) => service::interface(&args, &mut out),
        Command::Repl(args) => repl::run(&args, &mut out),
        Command::It(command) => it::run(command, &mut out),
        Command::Info(args) => info::run(&args, &mut out),
        Command::Air(args) => air::run(&args, &mut out),
    };
    let result = result.and_then(|()| out.flush().map_err(error::CliError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr().lock(), "error: {error}");
            ExitCode::FAILURE
        }
    }
}
