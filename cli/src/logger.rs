//! Module log records on stderr, as `[module] message` (what Marine's REPL prints).
//!
//! The level comes from `RUST_LOG` (`off`, `error`, `warn`, `info`, `debug`, `trace`);
//! `info` by default. Which records a module emits at all is the module's own choice, set
//! with its `WASM_LOG` env var (`spec/abi.md` §12).

use std::io::Write;

struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "[{}] {}",
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

/// Installs the logger; the level is `RUST_LOG`'s, `info` by default.
pub(crate) fn init() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|value| value.trim().parse::<log::LevelFilter>().ok())
        .unwrap_or(log::LevelFilter::Info);
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
