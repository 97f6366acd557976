//! The fuzz targets' checks (`strait_conformance::fuzz`) in the normal test suite: over the
//! seed corpus made from `../shared` (IT sections and texts of Marine's modules, configs),
//! over every input a fuzz run once failed on (`tests/fuzz-regressions/<target>/`), and over
//! a fixed stream of pseudo-random inputs, so a check that no longer holds fails here.

use std::path::{Path, PathBuf};
use strait_conformance::fuzz;
use strait_conformance::golden::shared_dir;

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 7] = [
    ("it_section", fuzz::it_section),
    ("it_text", fuzz::it_text),
    ("lift", fuzz::lift),
    ("adapters", fuzz::adapters),
    ("differential", fuzz::differential),
    ("service_config", fuzz::service_config),
    ("real_services", fuzz::real_services),
];

fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz-regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("regression input");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Pseudo-random inputs (xorshift), the same on every run.
fn stream(seed: u64, count: usize, len: usize) -> impl Iterator<Item = Vec<u8>> {
    let mut state = seed | 1;
    (0..count).map(move |_| {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect()
    })
}

#[test]
fn kept_crash_inputs_pass() {
    for (target, check) in TARGETS {
        for (path, bytes) in regressions(target) {
            eprintln!("{target}: {}", path.display());
            check(&bytes);
        }
    }
}

#[test]
fn seed_corpus_passes() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipped: ../shared is missing");
        return;
    };
    for (target, seeds) in fuzz::seed_corpus(&shared) {
        let check = TARGETS
            .iter()
            .find(|(name, _)| *name == target)
            .map(|(_, check)| *check)
            .expect("a seed for a known target");
        assert!(!seeds.is_empty(), "no seeds for {target}");
        for seed in seeds {
            check(&seed);
        }
    }
}

#[test]
fn random_inputs_pass() {
    for (i, (_, check)) in TARGETS.iter().enumerate() {
        for input in stream(0x5eed + i as u64, 300, 512) {
            check(&input);
        }
    }
}

/// The generators make programs the compiler accepts, so `adapters` reaches the engines.
#[test]
fn adapter_generator_reaches_the_engines() {
    let accepted = stream(7, 2000, 256)
        .filter(|input| fuzz::adapter_compiles(input))
        .count();
    assert!(accepted > 0, "no generated adapter compiles");
}
