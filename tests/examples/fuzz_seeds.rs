//! Writes the fuzz targets' seed corpus (`strait_conformance::fuzz::seed_corpus`) under the
//! directory given, one folder per target: `cargo run -p strait-conformance --example
//! fuzz_seeds -- fuzz/corpus`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map(std::path::PathBuf::from)
        .ok_or("usage: fuzz_seeds OUT_DIR")?;
    let shared = strait_conformance::golden::shared_dir()
        .ok_or("../shared (Marine's artifacts) is missing beside the repository")?;
    for (target, seeds) in strait_conformance::fuzz::seed_corpus(&shared) {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir)?;
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:03}")), seed)?;
        }
    }
    Ok(())
}
