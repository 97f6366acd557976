//! The three-module chain of the sweeps: Marine's url-downloader (`facade.get_n_save(url,
//! file_name)` → `curl_adapter.download(url)` → `local_storage.put(file_name, bytes)`), with
//! `curl` served in-process instead of the mounted binary, so a call crosses the three modules
//! and writes one file but runs no process. The Marine harness builds the same service.

use std::path::{Path, PathBuf};

use strait::{
    Backend, FunctionArg, FunctionType, HostFunction, IType, IValue, ModuleSettings, RecordField,
    RecordType, Service, ServiceOptions,
};

/// The body sizes of the chain sweep (bytes), 16 B to 1 MiB.
pub const CHAIN_BODY_SIZES: [usize; 4] = [16, 1024, 65536, 1 << 20];

/// The url `get_n_save` is called with (the in-process `curl` ignores it).
pub const CHAIN_URL: &str = "file:///bench/body.txt";

/// The file name `get_n_save` stores the body under.
pub const CHAIN_FILE: &str = "body.txt";

/// A fresh directory for `local_storage`'s `/sites`, named by `tag` and the process: in
/// `/dev/shm` where it exists (a memory file system, so the chain measures the runtime rather
/// than the disk), else in the temporary directory.
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

/// The body of the chain sweep: `len` bytes of printable ASCII (it becomes a string).
pub fn chain_body(len: usize) -> Vec<u8> {
    (b'a'..=b'z').cycle().take(len).collect()
}

/// The `curl` host function: returns `body` as the standard output of a process that exited
/// with code 0, whatever the arguments (the `MountedBinaryResult` of `spec/abi.md` §11).
fn curl(body: Vec<u8>) -> Result<HostFunction, strait::Error> {
    let field = |name: &str, ty: IType| RecordField {
        name: name.into(),
        ty,
    };
    let result = RecordType {
        name: "MountedBinaryResult".into(),
        fields: vec![
            field("ret_code", IType::S32),
            field("error", IType::String),
            field("stdout", IType::ByteArray),
            field("stderr", IType::ByteArray),
        ],
    };
    let ty = FunctionType {
        params: vec![FunctionArg {
            name: "args".into(),
            ty: IType::Array(Box::new(IType::String)),
        }],
        results: vec![IType::Record(0)],
    };
    HostFunction::new(ty, vec![result], move |_args| {
        Ok(vec![IValue::Record(vec![
            IValue::S32(0),
            IValue::String(String::new()),
            IValue::ByteArray(body.clone()),
            IValue::ByteArray(Vec::new()),
        ])])
    })
}

/// The url-downloader service of `artifacts` (the shared `artifacts/url-downloader` folder)
/// with `curl` answering `body` and `local_storage`'s `/sites` mapped to `sites`.
pub fn chain_service<B: Backend>(
    artifacts: &Path,
    sites: &Path,
    body: Vec<u8>,
) -> Result<Service<B>, String> {
    let text = |e: strait::Error| e.to_string();
    let mut service = Service::<B>::new(ServiceOptions::default()).map_err(text)?;
    service.register_host_function("__marine_host_api_v1", "curl", curl(body).map_err(text)?);
    let storage = ModuleSettings {
        mapped_dirs: vec![("sites".into(), sites.to_path_buf())],
        ..ModuleSettings::default()
    };
    for (name, settings) in [
        ("local_storage", storage),
        ("curl_adapter", ModuleSettings::default()),
        ("facade", ModuleSettings::default()),
    ] {
        let file = artifacts.join(format!("{name}.wasm"));
        let bytes =
            std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        service.load_module(name, &bytes, &settings).map_err(text)?;
    }
    Ok(service)
}

/// The arguments of the chain's call: `get_n_save(CHAIN_URL, CHAIN_FILE)`.
pub fn chain_args() -> [IValue; 2] {
    [
        IValue::String(CHAIN_URL.into()),
        IValue::String(CHAIN_FILE.into()),
    ]
}
