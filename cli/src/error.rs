//! The error every command returns: a message for the user, shown by `main` on stderr.

use std::fmt;

/// A command failure, already phrased for the user (what failed and why).
#[derive(Debug)]
pub(crate) struct CliError(String);

impl CliError {
    pub(crate) fn new(message: impl fmt::Display) -> Self {
        CliError(message.to_string())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writing the output failed (a closed pipe, a full disk).
impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError(format!("cannot write the output: {error}"))
    }
}

/// Prefixes an error with what was being done, e.g. the file name.
pub(crate) trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, CliError>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, CliError> {
        self.map_err(|error| CliError(format!("{}: {error}", what())))
    }
}
