//! strait-cli's integration tests, in one binary (one link step, since each binary links both
//! engines): the command line on the Marine artifacts ([`cli`]), the golden scenarios replayed
//! through `strait batch` ([`batch_golden`]) and large payloads through it
//! ([`batch_payloads`]), the REPL ([`repl`]), `strait air` ([`air`]) and the compiled-module
//! cache ([`cache`]).

/// Asserts a clean failure: exit status 1, `error: …` on stderr containing `message`, no
/// panic.
fn assert_clean_failure(output: &std::process::Output, message: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains(message),
        "expected {message:?} in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Runs `strait batch ARGS`, writing `input` to its stdin from another thread (a large input
/// would fill the pipe before strait's replies are read). Returns its output and how the
/// writing went: a service that fails to load stops reading early.
fn run_batch(
    args: &[&std::ffi::OsStr],
    input: Vec<u8>,
) -> (std::process::Output, std::io::Result<()>) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_strait"))
        .arg("batch")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run strait");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("strait output");
    let written = writer.join().expect("the writer thread");
    (output, written)
}

mod air;
mod batch_golden;
mod batch_payloads;
mod cache;
mod cli;
mod repl;
