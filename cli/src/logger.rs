//! Log records on stderr, as `[target] message` (what Marine's REPL prints): a module's own
//! records have its service name as target.
//!
//! `RUST_LOG` takes env_logger-style directives, comma separated: a bare level (`debug`) sets
//! the default, `target=level` the level of every target starting with `target` (the longest
//! match wins), a bare `target` turns it to `trace`. `info` by default. The engines' internals
//! (Cranelift, Wasmtime, wasmi, the wasm parsers) stay at `info` under a bare default level:
//! they log only when a directive names them (`RUST_LOG=cranelift_codegen=debug`).
//!
//! Which records a module emits at all is the module's own choice, set with its `WASM_LOG` env
//! var (`spec/abi.md` §12); the host's `WASM_LOG` reaches every module (the runtime passes it
//! on). As in mrepl, a host `WASM_LOG` other than `off` with no `RUST_LOG` lets every level
//! through, so the module's debug and trace records are printed.

use std::io::Write;
use std::sync::OnceLock;

use log::LevelFilter;

/// Target prefixes of the engines' internals, quiet unless a directive names them.
const INTERNALS: &[&str] = &[
    "cranelift",
    "wasmtime",
    "wasmi",
    "regalloc2",
    "wasmparser",
    "wasm_encoder",
    "wat",
    "wast",
    "object",
    "gimli",
    "pulley",
    "rustyline",
];

/// A parsed `RUST_LOG`: the default level and the per-target ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    default: LevelFilter,
    targets: Vec<(String, LevelFilter)>,
}

impl Filter {
    /// Parses env_logger-style directives; the ones that do not parse are returned, to be
    /// reported, and skipped.
    pub(crate) fn parse(spec: &str) -> (Self, Vec<String>) {
        let mut filter = Filter {
            default: LevelFilter::Info,
            targets: Vec::new(),
        };
        let mut bad = Vec::new();
        for directive in spec.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            match directive.split_once('=') {
                Some((target, level)) => match level.trim().parse::<LevelFilter>() {
                    Ok(level) if !target.trim().is_empty() => {
                        filter.targets.push((target.trim().to_owned(), level));
                    }
                    _ => bad.push(directive.to_owned()),
                },
                None => match directive.parse::<LevelFilter>() {
                    Ok(level) => filter.default = level,
                    // env_logger reads a bare word that is not a level as a target at trace.
                    Err(_) => filter
                        .targets
                        .push((directive.to_owned(), LevelFilter::Trace)),
                },
            }
        }
        (filter, bad)
    }

    /// The filter for the process's `RUST_LOG` and `WASM_LOG`.
    fn from_env() -> (Self, Vec<String>) {
        match std::env::var("RUST_LOG") {
            Ok(spec) => Self::parse(&spec),
            Err(_) => {
                let wasm_log = std::env::var("WASM_LOG").unwrap_or_default();
                let level = if wasm_log.trim().is_empty() || wasm_log.trim() == "off" {
                    "info"
                } else {
                    "trace"
                };
                Self::parse(level)
            }
        }
    }

    /// The level records of `target` pass at.
    pub(crate) fn level(&self, target: &str) -> LevelFilter {
        let named = self
            .targets
            .iter()
            .filter(|(prefix, _)| target.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len());
        if let Some((_, level)) = named {
            return *level;
        }
        let internal = |prefix: &&str| {
            target.strip_prefix(prefix).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with("::") || rest.starts_with('_')
            })
        };
        if INTERNALS.iter().any(internal) {
            return self.default.min(LevelFilter::Info);
        }
        self.default
    }

    /// The most verbose level any target passes at (the `log` crate's fast-path bound).
    fn max(&self) -> LevelFilter {
        self.targets
            .iter()
            .map(|(_, level)| *level)
            .fold(self.default, Ord::max)
    }
}

struct StderrLogger;

static FILTER: OnceLock<Filter> = OnceLock::new();

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        FILTER
            .get()
            .is_some_and(|filter| metadata.level() <= filter.level(metadata.target()))
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

/// Installs the logger with the filter of `RUST_LOG` (see the module documentation); a
/// directive that does not parse is reported on stderr and skipped.
pub(crate) fn init() {
    let (filter, bad) = Filter::from_env();
    for directive in bad {
        let _ = writeln!(
            std::io::stderr().lock(),
            "warning: RUST_LOG directive `{directive}` is not `level`, `target` or \
             `target=level` (levels: off, error, warn, info, debug, trace); ignored"
        );
    }
    let max = filter.max();
    if FILTER.set(filter).is_ok() && log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let (filter, bad) = Filter::parse("strait=debug, info,greeting-record=trace,facade");
        assert!(bad.is_empty());
        assert_eq!(filter.level("strait::service"), LevelFilter::Debug);
        assert_eq!(filter.level("greeting-record"), LevelFilter::Trace);
        assert_eq!(filter.level("facade"), LevelFilter::Trace);
        assert_eq!(filter.level("other"), LevelFilter::Info);
        assert_eq!(filter.max(), LevelFilter::Trace);
    }

    #[test]
    fn the_longest_prefix_wins() {
        let (filter, _) = Filter::parse("a=warn,a::b=trace");
        assert_eq!(filter.level("a::b::c"), LevelFilter::Trace);
        assert_eq!(filter.level("a::x"), LevelFilter::Warn);
    }

    #[test]
    fn engine_internals_need_their_target_named() {
        let (filter, _) = Filter::parse("debug");
        assert_eq!(filter.level("cranelift_codegen::isa"), LevelFilter::Info);
        assert_eq!(filter.level("wasmtime::runtime"), LevelFilter::Info);
        assert_eq!(filter.level("greeting"), LevelFilter::Debug);
        let (filter, _) = Filter::parse("debug,cranelift_codegen=trace");
        assert_eq!(filter.level("cranelift_codegen::isa"), LevelFilter::Trace);
        let (filter, _) = Filter::parse("warn");
        assert_eq!(filter.level("wasmtime::runtime"), LevelFilter::Warn);
    }

    #[test]
    fn bad_directives_are_reported_and_skipped() {
        let (filter, bad) = Filter::parse("strait=loud,=debug,warn");
        assert_eq!(bad, ["strait=loud", "=debug"]);
        assert_eq!(filter.level("strait"), LevelFilter::Warn);
    }
}
