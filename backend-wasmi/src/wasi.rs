//! WASI preview1 through wasmi_wasi (wasi-common, synchronous).

use std::boxed::Box;
use std::format;
use std::string::String;

use strait_backend::{BackendError, Stdio, WasiConfig, preopen_name};
use wasmi_wasi::wasi_common::pipe::WritePipe;
use wasmi_wasi::{WasiCtx, WasiCtxBuilder, ambient_authority};

fn wasi_error(what: &str, e: impl core::fmt::Display) -> BackendError {
    BackendError::Wasi(format!("{what}: {e}"))
}

/// The WASI context of one store.
pub(crate) fn context(config: &WasiConfig) -> Result<WasiCtx, BackendError> {
    let mut b = WasiCtxBuilder::new();
    let args: std::vec::Vec<String> = config.args.clone();
    b.args(&args).map_err(|e| wasi_error("args", e))?;
    for (k, v) in &config.envs {
        b.env(k, v).map_err(|e| wasi_error("environment", e))?;
    }
    match &config.stdout {
        Stdio::Inherit => {
            b.inherit_stdout();
        }
        Stdio::Null => {
            b.stdout(Box::new(WritePipe::new(std::io::sink())));
        }
        Stdio::Capture(c) => {
            b.stdout(Box::new(WritePipe::new(c.clone())));
        }
    }
    match &config.stderr {
        Stdio::Inherit => {
            b.inherit_stderr();
        }
        Stdio::Null => {
            b.stderr(Box::new(WritePipe::new(std::io::sink())));
        }
        Stdio::Capture(c) => {
            b.stderr(Box::new(WritePipe::new(c.clone())));
        }
    }
    for (alias, host) in &config.mapped_dirs {
        let fail = |e: &dyn core::fmt::Display| {
            BackendError::Wasi(format!(
                "cannot map host directory `{}` as `{alias}`: {e}",
                host.display()
            ))
        };
        let dir =
            wasmi_wasi::Dir::open_ambient_dir(host, ambient_authority()).map_err(|e| fail(&e))?;
        b.preopened_dir(dir, preopen_name(alias))
            .map_err(|e| fail(&e))?;
    }
    Ok(b.build())
}

/// A context with nothing in it.
pub(crate) fn empty_context() -> WasiCtx {
    WasiCtxBuilder::new().build()
}
