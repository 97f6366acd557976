//! A spinner on stderr while a service loads (Cranelift compiling a large module takes
//! seconds). It appears only after half a second and only when stderr is a terminal, so
//! quick loads, pipes, scripts and tests see nothing.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a load may take before the spinner shows.
const DELAY: Duration = Duration::from_millis(500);

/// The spinner of one load; it goes away (and clears its line) when dropped.
pub(crate) struct Progress {
    bar: ProgressBar,
    done: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts timing a load described by `message` (e.g. "loading Config.toml on wasmtime").
    pub(crate) fn start(message: impl Into<String>) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.into());
        let mut progress = Self {
            bar,
            done: None,
            thread: None,
        };
        if !std::io::stderr().is_terminal() {
            return progress;
        }
        let (done, wait) = mpsc::channel::<()>();
        let bar = progress.bar.clone();
        // The bar is drawn from its own thread: the loading thread is busy compiling.
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                if wait.recv_timeout(DELAY) == Err(RecvTimeoutError::Timeout) {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(100));
                    // Until the load ends (the sender is dropped).
                    let _ = wait.recv();
                }
            });
        // Without a thread there is no spinner, and the load goes on all the same.
        if let Ok(thread) = thread {
            progress.done = Some(done);
            progress.thread = Some(thread);
        }
        progress
    }

    /// What is loading now (e.g. "compiling module avm").
    pub(crate) fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.bar.finish_and_clear();
    }
}
