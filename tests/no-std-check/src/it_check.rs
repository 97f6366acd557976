//! Exercises strait-it without std (filled in by the IT-core work).

/// Runs the strait-it check.
pub(crate) fn run() -> bool {
    true
}
