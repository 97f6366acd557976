//! Exercises strait-backend and strait-wasmi without std (filled in by the engines work).

/// Runs the backend check.
pub(crate) fn run() -> bool {
    true
}
