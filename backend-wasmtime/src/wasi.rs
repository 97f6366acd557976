//! WASI preview1 through wasmtime-wasi's synchronous p1 API.

use std::boxed::Box;
use std::format;
use std::pin::Pin;
use std::task::{Context, Poll};

use strait_backend::{BackendError, OutputCapture, Stdio, WasiConfig, preopen_name};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// The WASI context of one store.
pub(crate) fn context(config: &WasiConfig) -> Result<WasiP1Ctx, BackendError> {
    let mut b = WasiCtxBuilder::new();
    // Synchronous embedding: do blocking file operations on the calling thread instead of
    // bouncing through tokio's blocking pool.
    b.allow_blocking_current_thread(true);
    b.args(&config.args);
    b.envs(&config.envs);
    match &config.stdout {
        Stdio::Inherit => {
            b.inherit_stdout();
        }
        Stdio::Null => {}
        Stdio::Capture(c) => {
            b.stdout(CaptureStream(c.clone()));
        }
    }
    match &config.stderr {
        Stdio::Inherit => {
            b.inherit_stderr();
        }
        Stdio::Null => {}
        Stdio::Capture(c) => {
            b.stderr(CaptureStream(c.clone()));
        }
    }
    for (alias, host) in &config.mapped_dirs {
        b.preopened_dir(host, preopen_name(alias), FsPerms::ReadWrite)
            .map_err(|e| {
                BackendError::Wasi(format!(
                    "cannot map host directory `{}` as `{alias}`: {}",
                    host.display(),
                    e.root_cause()
                ))
            })?;
    }
    Ok(b.build_p1())
}

/// A context with nothing in it.
pub(crate) fn empty_context() -> WasiP1Ctx {
    WasiCtxBuilder::new().build_p1()
}

/// A guest output stream that appends to an [`OutputCapture`].
#[derive(Clone)]
struct CaptureStream(OutputCapture);

impl IsTerminal for CaptureStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CaptureStream {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CaptureStream {
    async fn ready(&mut self) {}
}

impl OutputStream for CaptureStream {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.0.write(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Any size is fine: the capture drops what exceeds its limit.
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for CaptureStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
