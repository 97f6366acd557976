//! The compiled-module cache: on by default, in `--cache-dir` when given, off with
//! `--no-cache`; a cached start gives the same answers.

use std::path::{Path, PathBuf};
use std::process::Command;

const STRAIT: &str = env!("CARGO_BIN_EXE_strait");

fn greeting() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/greeting/Config.toml")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("strait-cli-cache")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Files below `dir`, recursively.
fn files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() { files(&path) } else { 1 }
        })
        .sum()
}

fn call(args: &[&str], env: &[(&str, &Path)]) -> String {
    let mut command = Command::new(STRAIT);
    command
        .args(args)
        .arg("call")
        .arg(greeting())
        .args(["greeting", "greeting", r#"["cache"]"#]);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// Wasmtime writes the compiled module to the cache on the first start and the second start
/// answers the same.
#[test]
fn cache_dir_holds_compiled_modules() {
    if !strait::BACKENDS.contains(&"wasmtime") {
        return;
    }
    let dir = scratch("explicit");
    let dir_arg = dir.display().to_string();
    let first = call(&["--cache-dir", &dir_arg], &[]);
    assert_eq!(first.trim(), r#""Hi, cache""#);
    assert!(files(&dir) > 0, "nothing cached in {}", dir.display());
    let second = call(&["--cache-dir", &dir_arg], &[]);
    assert_eq!(second, first);
}

/// By default the cache is `$STRAIT_CACHE_DIR` (else the user's cache directory); `--no-cache`
/// writes nothing, whichever comes first on the command line.
#[test]
fn default_cache_and_no_cache() {
    if !strait::BACKENDS.contains(&"wasmtime") {
        return;
    }
    let dir = scratch("default");
    call(&[], &[("STRAIT_CACHE_DIR", &dir)]);
    assert!(files(&dir) > 0, "nothing cached in {}", dir.display());

    let off = scratch("off");
    call(&["--no-cache"], &[("STRAIT_CACHE_DIR", &off)]);
    assert_eq!(files(&off), 0);
    let output = Command::new(STRAIT)
        .arg("call")
        .arg(greeting())
        .args(["greeting", "greeting", r#"["x"]"#, "--no-cache"])
        .env("STRAIT_CACHE_DIR", &off)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(files(&off), 0);
}
