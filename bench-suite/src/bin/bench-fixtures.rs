//! Writes the sweep fixtures for the Marine harness (`bench-suite/marine`): the modules as
//! wasm with their IT section embedded, and the digest of each argument value.
//!
//! `cargo run -p strait-bench --bin bench-fixtures -- <dir>` writes into `<dir>`:
//! `records_<leaves>.wasm` (`echo`) for each leaf count of the record sweep,
//! `record_array.wasm` (`echo_array`), and `fingerprints.txt` (`<fixture> <digest>` lines
//! for the arguments the benches call with).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on stdout and stderr"
)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use strait_bench::fixtures::{
    ARRAY_LENGTHS, RECORD_LEAVES, fingerprint, record_array_value, record_array_wat,
    record_tree_value, record_tree_wat, to_wasm,
};

fn write_all(dir: &PathBuf) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let mut fingerprints = String::new();
    for leaves in RECORD_LEAVES {
        let wat = record_tree_wat(leaves).ok_or("a leaf count of the sweep has no tree")?;
        write(&format!("records_{leaves}.wasm"), &to_wasm(&wat)?)?;
        let value = record_tree_value(leaves).ok_or("a leaf count of the sweep has no tree")?;
        let _ = writeln!(
            fingerprints,
            "records_{leaves} {:016x}",
            fingerprint(&value)
        );
    }
    write("record_array.wasm", &to_wasm(&record_array_wat())?)?;
    for len in ARRAY_LENGTHS {
        let value = record_array_value(len);
        let _ = writeln!(
            fingerprints,
            "record_array_{len} {:016x}",
            fingerprint(&value)
        );
    }
    write("fingerprints.txt", fingerprints.as_bytes())
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bench-fixtures <output dir>");
        return ExitCode::FAILURE;
    };
    match write_all(&dir) {
        Ok(()) => {
            println!("fixtures written to {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
