//! WASI preview1 configuration of one module's store (std only: it names host paths).

use std::path::PathBuf;
use std::string::String;
use std::vec::Vec;

use crate::capture::OutputCapture;

/// Where a guest's stdout or stderr goes.
#[derive(Debug, Clone, Default)]
pub enum Stdio {
    /// The host process's own stream (Marine's behaviour).
    #[default]
    Inherit,
    /// Discarded.
    Null,
    /// Into a shared buffer the runtime reads.
    Capture(OutputCapture),
}

/// WASI preview1 for one module: arguments, environment, mapped directories and output.
/// There is no stdin.
///
/// The environment is exactly `envs`: nothing is inherited from the host, and mapped
/// directories are not added as variables (the runtime layer does that when it wants to).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WasiConfig {
    /// `argv`, program name included if the guest expects one.
    pub args: Vec<String>,
    /// Environment variables, in order.
    pub envs: Vec<(String, String)>,
    /// Mapped directories: (guest alias, host directory). Each host directory is opened
    /// (pre-opened) at instantiation; a missing one fails instantiation.
    pub mapped_dirs: Vec<(String, PathBuf)>,
    /// The guest's stdout.
    pub stdout: Stdio,
    /// The guest's stderr.
    pub stderr: Stdio,
}

impl WasiConfig {
    /// An empty configuration: no args, no envs, no directories, inherited stdout/stderr.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `argv`.
    #[must_use]
    pub fn with_args(mut self, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an environment variable.
    #[must_use]
    pub fn with_env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Maps host directory `host` into the guest as `alias` (`sites` or `/sites`).
    #[must_use]
    pub fn with_mapped_dir(mut self, alias: impl Into<String>, host: impl Into<PathBuf>) -> Self {
        self.mapped_dirs.push((alias.into(), host.into()));
        self
    }

    /// Sets where stdout goes.
    #[must_use]
    pub fn with_stdout(mut self, stdout: Stdio) -> Self {
        self.stdout = stdout;
        self
    }

    /// Sets where stderr goes.
    #[must_use]
    pub fn with_stderr(mut self, stderr: Stdio) -> Self {
        self.stderr = stderr;
        self
    }
}

/// The preopen name the guest sees for a mapped-directory alias.
///
/// wasi-libc (and so Rust's std on wasm32-wasi) strips leading `/` and `./` from both
/// preopen names and paths before matching, so `sites` and `/sites` already behave alike
/// there; guests that compare names literally see one spelling only: the absolute one,
/// `/sites`, which is how guests spell the paths (`/sites/file`). `.` and `/` stay as
/// given.
pub fn preopen_name(alias: &str) -> String {
    let mut rest = alias;
    loop {
        if let Some(r) = rest.strip_prefix("./") {
            rest = r;
        } else if let Some(r) = rest.strip_prefix('/') {
            rest = r;
        } else {
            break;
        }
    }
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return if alias.starts_with('/') {
            "/".into()
        } else {
            ".".into()
        };
    }
    if rest == "." {
        return ".".into();
    }
    std::format!("/{rest}")
}

/// Checks that every mapped host directory exists and is a directory, with the same
/// message on every engine (the OS's, e.g. `No such file or directory (os error 2)`).
pub fn check_mapped_dirs(config: &WasiConfig) -> Result<(), crate::BackendError> {
    for (alias, host) in &config.mapped_dirs {
        let fail = |why: &dyn core::fmt::Display| {
            crate::BackendError::Wasi(std::format!(
                "cannot map host directory `{}` as `{alias}`: {why}",
                host.display()
            ))
        };
        match std::fs::metadata(host) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(fail(&"not a directory")),
            Err(e) => return Err(fail(&e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::preopen_name;

    #[test]
    fn both_spellings_give_one_name() {
        assert_eq!(preopen_name("sites"), "/sites");
        assert_eq!(preopen_name("/sites"), "/sites");
        assert_eq!(preopen_name("./sites/"), "/sites");
        assert_eq!(preopen_name("//a/b"), "/a/b");
        assert_eq!(preopen_name("."), ".");
        assert_eq!(preopen_name("/"), "/");
    }
}
