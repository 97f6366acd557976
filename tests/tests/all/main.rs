//! The conformance scenarios, one test binary: each module is one group of scenarios, and every
//! scenario runs on both engines. One binary instead of one per file keeps the test build small
//! (each binary links both engines).

use std::path::{Path, PathBuf};

/// The repository root: the examples and fixtures are used in place.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A private copy of the url-downloader example in a fresh `dir` (with an empty `sites/`),
/// so each service writes into its own mapped directory.
fn url_downloader_copy(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("sites")).expect("sites");
    let source = repo().join("examples/url-downloader");
    for file in [
        "Config.toml",
        "facade.wat",
        "curl_adapter.wat",
        "local_storage.wat",
    ] {
        std::fs::copy(source.join(file), dir.join(file)).expect("copy");
    }
}

mod backend;
mod fuzz_regressions;
mod golden;
mod no_std_module;
mod record_images;
mod service;
mod threads;
mod wasi_sandbox;
