//! The Marine 0.37 side of strait's benches: the services and argument values of strait's
//! `bench-suite` built on Fluence's `marine-runtime`, so both runtimes run the same inputs.
//!
//! - [`load_config`] loads a service from its `Config.toml`; [`load_modules`] from wasm bytes
//!   (the sweep fixtures strait's `bench-fixtures` writes, IT section embedded).
//! - [`record_tree_value`], [`record_array_value`] build the arguments exactly as strait's
//!   `strait_bench::fixtures` does; [`fingerprint`] is the same digest, checked against the
//!   `fingerprints.txt` strait writes beside the fixtures.
//! - [`chain`] is strait's `strait_bench::chain`: Marine's url-downloader with `curl` served
//!   in process.
//!
//! Marine's API is async; [`block_on`] runs a call to completion on the current thread (Marine
//! runs the wasm on a fiber of its async Wasmtime either way).

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};

use marine::{
    CallParameters, HostImportDescriptor, IType, IValue, Marine, MarineConfig, TomlMarineConfig,
    TomlMarineModuleConfig, TomlMarineNamedModuleConfig, TomlWASIConfig,
};
use marine_wasm_backend_traits::WasmBackend as _;

pub use marine;

/// Fields of a leaf record (strait_bench::fixtures::LEAF_FIELDS).
pub const LEAF_FIELDS: usize = 64;
/// Records per inner record (strait_bench::fixtures::FAN_OUT).
pub const FAN_OUT: usize = 4;
/// The leaf counts of the record sweep.
pub const RECORD_LEAVES: [usize; 7] = [13, 64, 256, 1024, 4096, 16384, 65536];
/// The element counts of the array-of-records sweep.
pub const ARRAY_LENGTHS: [usize; 5] = [1, 10, 100, 1000, 10_000];
/// The string sizes of the string sweep (bytes).
pub const STRING_SIZES: [usize; 6] = [1, 16, 256, 4096, 65536, 1 << 20];
/// The body sizes of the chain sweep (bytes).
pub const CHAIN_BODY_SIZES: [usize; 4] = [16, 1024, 65536, 1 << 20];
/// The url and file name of the chain's call.
pub const CHAIN_URL: &str = "file:///bench/body.txt";
/// The file name the chain stores the body under.
pub const CHAIN_FILE: &str = "body.txt";

/// Runs a future to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    futures::executor::block_on(future)
}

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// The `shared` folder beside the repository (Marine's artifacts).
pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Where strait's `bench-fixtures` wrote the sweep fixtures: `$STRAIT_BENCH_FIXTURES`, else
/// the repository's `target/bench-fixtures`.
pub fn fixtures_dir() -> PathBuf {
    std::env::var_os("STRAIT_BENCH_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-fixtures")
        })
}

/// Marine's Wasmtime backend with its default configuration.
pub fn backend() -> Result<marine::WasmBackend, String> {
    marine::WasmBackend::new_async().map_err(text)
}

/// Loads the service of a `Config.toml`, as `mrepl` and Marine's embedders do.
pub fn load_config(path: &Path) -> Result<Marine, String> {
    let config = TomlMarineConfig::load(path).map_err(text)?;
    block_on(Marine::with_raw_config(backend()?, config)).map_err(text)
}

/// Loads `modules` (name, wasm bytes) in order, with Marine's default module settings and no
/// memory limit.
pub fn load_modules(modules: Vec<(String, Vec<u8>)>) -> Result<Marine, String> {
    let config = TomlMarineConfig {
        module: modules
            .iter()
            .map(|(name, _)| TomlMarineNamedModuleConfig {
                name: name.clone(),
                ..TomlMarineNamedModuleConfig::default()
            })
            .collect(),
        ..TomlMarineConfig::default()
    };
    let modules: HashMap<String, Vec<u8>> = modules.into_iter().collect();
    block_on(Marine::with_modules(backend()?, modules, config)).map_err(text)
}

/// Calls `module.function` with IT values and default call parameters.
pub fn call(
    marine: &mut Marine,
    module: &str,
    function: &str,
    args: &[IValue],
) -> Result<Vec<IValue>, String> {
    block_on(marine.call_with_ivalues_async(module, function, args, CallParameters::default()))
        .map_err(text)
}

/// A record value (never empty).
fn record(fields: Vec<IValue>) -> IValue {
    IValue::Record(marine::ne_vec::NEVec::new(fields).expect("a record has fields"))
}

/// The value of leaf field `k` (strait_bench::fixtures::leaf_value).
pub fn leaf_value(k: usize) -> IValue {
    match k % 13 {
        0 => IValue::Boolean(k % 2 == 1),
        1 => IValue::S8((k as i8).wrapping_neg()),
        2 => IValue::S16((k as i16).wrapping_neg()),
        3 => IValue::S32((k as i32).wrapping_neg()),
        4 => IValue::S64((k as i64).wrapping_neg()),
        5 => IValue::U8(k as u8),
        6 => IValue::U16(k as u16),
        7 => IValue::U32(k as u32),
        8 => IValue::U64(k as u64),
        9 => IValue::F32(k as f32 + 0.5),
        10 => IValue::F64(k as f64 + 0.25),
        11 => IValue::I32(k as i32),
        _ => IValue::I64(k as i64),
    }
}

/// The leaf field count and tree levels of `leaves` (strait_bench::fixtures::tree_shape).
pub fn tree_shape(leaves: usize) -> Option<(usize, u32)> {
    if (1..=LEAF_FIELDS).contains(&leaves) {
        return Some((leaves, 0));
    }
    let mut size = LEAF_FIELDS;
    let mut levels = 0;
    while size < leaves {
        size = size.checked_mul(FAN_OUT)?;
        levels += 1;
    }
    (size == leaves).then_some((LEAF_FIELDS, levels))
}

/// The argument of the record sweep (strait_bench::fixtures::record_tree_value).
pub fn record_tree_value(leaves: usize) -> Option<IValue> {
    let (leaf_fields, levels) = tree_shape(leaves)?;
    let mut value = record((0..leaf_fields).map(leaf_value).collect());
    for _ in 0..levels {
        value = record(vec![value; FAN_OUT]);
    }
    Some(value)
}

/// Element `i` of the array sweep (strait_bench::fixtures::test_record).
pub fn test_record(i: usize) -> IValue {
    let mut fields: Vec<IValue> = (0..11).map(|k| leaf_value(i * 13 + k)).collect();
    fields.push(IValue::String(format!("record {i}")));
    fields.push(IValue::ByteArray((0..4).map(|b| (i + b) as u8).collect()));
    record(fields)
}

/// The argument of the array sweep (strait_bench::fixtures::record_array_value).
pub fn record_array_value(len: usize) -> IValue {
    IValue::Array((0..len).map(test_record).collect())
}

/// strait_bench::fixtures::fingerprint over Marine's values.
pub fn fingerprint(value: &IValue) -> u64 {
    fn bytes(hash: &mut u64, bytes: &[u8]) {
        for byte in bytes {
            *hash = (*hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn tagged(hash: &mut u64, tag: u8, data: &[u8]) {
        bytes(hash, &[tag]);
        bytes(hash, data);
    }
    fn walk(hash: &mut u64, value: &IValue) {
        match value {
            IValue::Boolean(v) => tagged(hash, 0, &[u8::from(*v)]),
            IValue::S8(v) => tagged(hash, 1, &v.to_le_bytes()),
            IValue::S16(v) => tagged(hash, 2, &v.to_le_bytes()),
            IValue::S32(v) => tagged(hash, 3, &v.to_le_bytes()),
            IValue::S64(v) => tagged(hash, 4, &v.to_le_bytes()),
            IValue::U8(v) => tagged(hash, 5, &v.to_le_bytes()),
            IValue::U16(v) => tagged(hash, 6, &v.to_le_bytes()),
            IValue::U32(v) => tagged(hash, 7, &v.to_le_bytes()),
            IValue::U64(v) => tagged(hash, 8, &v.to_le_bytes()),
            IValue::F32(v) => tagged(hash, 9, &v.to_bits().to_le_bytes()),
            IValue::F64(v) => tagged(hash, 10, &v.to_bits().to_le_bytes()),
            IValue::I32(v) => tagged(hash, 11, &v.to_le_bytes()),
            IValue::I64(v) => tagged(hash, 12, &v.to_le_bytes()),
            IValue::String(v) => {
                tagged(hash, 13, &(v.len() as u64).to_le_bytes());
                bytes(hash, v.as_bytes());
            }
            IValue::ByteArray(v) => {
                tagged(hash, 14, &(v.len() as u64).to_le_bytes());
                bytes(hash, v);
            }
            IValue::Array(items) => {
                tagged(hash, 15, &(items.len() as u64).to_le_bytes());
                items.iter().for_each(|item| walk(hash, item));
            }
            IValue::Record(fields) => {
                tagged(hash, 16, &(fields.len() as u64).to_le_bytes());
                fields.iter().for_each(|field| walk(hash, field));
            }
        }
    }
    let mut hash = 0xcbf2_9ce4_8422_2325;
    walk(&mut hash, value);
    hash
}

/// Checks this harness's argument values against the digests strait wrote beside the
/// fixtures (`fingerprints.txt`); the error names the first value that differs.
pub fn check_fingerprints(dir: &Path) -> Result<(), String> {
    let path = dir.join("fingerprints.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {} ({e}); write the fixtures first with \
             `cargo run -p strait-bench --bin bench-fixtures -- {}`",
            path.display(),
            dir.display()
        )
    })?;
    let ours = RECORD_LEAVES
        .iter()
        .map(|&n| (format!("records_{n}"), record_tree_value(n)))
        .chain(
            ARRAY_LENGTHS
                .iter()
                .map(|&n| (format!("record_array_{n}"), Some(record_array_value(n)))),
        );
    for (name, value) in ours {
        let value = value.ok_or_else(|| format!("no value for {name}"))?;
        let expected = text
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .ok_or_else(|| format!("{} has no line for {name}", path.display()))?;
        let got = format!("{:016x}", fingerprint(&value));
        if got != expected.trim() {
            return Err(format!(
                "{name}: this harness builds a different value than strait ({got} vs {expected})"
            ));
        }
    }
    Ok(())
}

/// A fresh directory for `local_storage`'s `/sites` (strait_bench::chain::sites_dir): in
/// `/dev/shm` where it exists, else in the temporary directory.
pub fn sites_dir(tag: &str) -> Result<PathBuf, String> {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("strait-bench-sites-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// The body of the chain sweep (strait_bench::chain::chain_body).
pub fn chain_body(len: usize) -> Vec<u8> {
    (b'a'..=b'z').cycle().take(len).collect()
}

/// The in-process `curl`: `body` as the standard output of a process that exited with 0.
fn curl(body: Vec<u8>) -> HostImportDescriptor {
    HostImportDescriptor {
        host_exported_func: Box::new(move |_ctx, _args| {
            Some(record(vec![
                IValue::S32(0),
                IValue::String(String::new()),
                IValue::ByteArray(body.clone()),
                IValue::ByteArray(Vec::new()),
            ]))
        }),
        argument_types: vec![IType::Array(Box::new(IType::String))],
        // Marine's own mounted binaries declare their result this way.
        output_type: Some(IType::Record(0)),
        error_handler: None,
    }
}

/// Marine's url-downloader (`artifacts`: the shared `artifacts/url-downloader` folder) with
/// `curl` answering `body` and `local_storage`'s `/sites` mapped to `sites`
/// (strait_bench::chain::chain_service).
pub fn chain(artifacts: &Path, sites: &Path, body: Vec<u8>) -> Result<Marine, String> {
    let module = |name: &str, wasi: Option<TomlWASIConfig>| TomlMarineNamedModuleConfig {
        name: name.into(),
        load_from: None,
        file_name: Some(format!("{name}.wasm")),
        config: TomlMarineModuleConfig {
            logger_enabled: Some(true),
            wasi,
            ..TomlMarineModuleConfig::default()
        },
    };
    let mut mapped_dirs = marine::TomlValueTable::new();
    mapped_dirs.insert(
        "sites".into(),
        marine::TomlValue::String(sites.display().to_string()),
    );
    let toml = TomlMarineConfig {
        modules_dir: Some(artifacts.to_path_buf()),
        module: vec![
            module(
                "local_storage",
                Some(TomlWASIConfig {
                    envs: None,
                    mapped_dirs: Some(mapped_dirs),
                }),
            ),
            module("curl_adapter", None),
            module("facade", None),
        ],
        ..TomlMarineConfig::default()
    };
    let mut config = MarineConfig::try_from(toml).map_err(text)?;
    let curl_adapter = config
        .modules_config
        .iter_mut()
        .find(|m| m.import_name == "curl_adapter")
        .ok_or("no curl_adapter in the config")?;
    for imports in curl_adapter.config.host_imports.values_mut() {
        imports.insert("curl".into(), curl(body.clone()));
    }
    block_on(Marine::with_raw_config(backend()?, config)).map_err(text)
}

/// The arguments of the chain's call: `get_n_save(CHAIN_URL, CHAIN_FILE)`.
pub fn chain_args() -> [IValue; 2] {
    [
        IValue::String(CHAIN_URL.into()),
        IValue::String(CHAIN_FILE.into()),
    ]
}
