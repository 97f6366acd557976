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

mod air;
mod batch_golden;
mod batch_payloads;
mod cache;
mod cli;
mod repl;
