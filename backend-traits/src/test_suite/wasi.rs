//! WASI preview1: output capture, args and environment, mapped directories, errno values.

use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::path::PathBuf;

use alloc::string::ToString;

use super::{engine, instance_with, wasm};
use crate::{
    AsContextMut, Backend, BackendError, EngineConfig, OutputCapture, Stdio, Store, StoreConfig,
    TypedFunc, WValue, WasiConfig,
};

const GUEST: &str = r#"(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
    (import "wasi_snapshot_preview1" "path_open"
        (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $prestat_dir_name (param i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "write") (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $len))
        (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (func (export "open") (param $p i32) (param $l i32) (param $oflags i32) (param $rights i64) (result i32 i32)
        (call $path_open (i32.const 3) (i32.const 1) (local.get $p) (local.get $l) (local.get $oflags)
            (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 12))
        (i32.load (i32.const 12)))
    (func (export "read") (param $fd i32) (param $ptr i32) (param $len i32) (result i32 i32)
        (i32.store (i32.const 16) (local.get $ptr))
        (i32.store (i32.const 20) (local.get $len))
        (call $fd_read (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))
        (i32.load (i32.const 24)))
    (func (export "close") (param i32) (result i32) (call $fd_close (local.get 0)))
    (func (export "prestat_name") (param $fd i32) (param $buf i32) (result i32 i32)
        (local $e i32)
        (local.set $e (call $prestat_get (local.get $fd) (i32.const 32)))
        (if (local.get $e) (then (return (local.get $e) (i32.const 0))))
        (call $prestat_dir_name (local.get $fd) (local.get $buf) (i32.load (i32.const 36)))
        (i32.load (i32.const 36)))
    (func (export "environ") (param $ptrs i32) (param $buf i32) (result i32 i32 i32)
        (drop (call $environ_sizes_get (i32.const 40) (i32.const 44)))
        (call $environ_get (local.get $ptrs) (local.get $buf))
        (i32.load (i32.const 40))
        (i32.load (i32.const 44)))
    (func (export "args") (param $ptrs i32) (param $buf i32) (result i32 i32 i32)
        (drop (call $args_sizes_get (i32.const 48) (i32.const 52)))
        (call $args_get (local.get $ptrs) (local.get $buf))
        (i32.load (i32.const 48))
        (i32.load (i32.const 52))))"#;

const PATH_AT: usize = 1024;
const DATA_AT: usize = 2048;
const BUF_AT: usize = 4096;
const BUF: i32 = 4096;
const O_CREAT: i32 = 1;
const O_TRUNC: i32 = 8;
const RIGHT_READ: i64 = 1 << 1;
const RIGHT_WRITE: i64 = 1 << 6;

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(std::format!(
        "strait-backend-{tag}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn guest<B: Backend>(b: &B, wasi: WasiConfig) -> Store<B> {
    instance_with(b, StoreConfig::default().with_wasi(Some(wasi)), GUEST, &[])
}

fn put<B: Backend>(store: &mut Store<B>, at: usize, bytes: &[u8]) -> [WValue; 2] {
    store.main_memory().unwrap()[at..at + bytes.len()].copy_from_slice(bytes);
    [
        WValue::I32(i32::try_from(at).unwrap()),
        WValue::I32(i32::try_from(bytes.len()).unwrap()),
    ]
}

fn i32s<const N: usize>(out: [WValue; N]) -> [i32; N] {
    out.map(|v| v.as_i32().unwrap())
}

/// Writes a region to `fd`: errno.
fn write<B: Backend>(s: &mut Store<B>, fd: i32, p: WValue, l: WValue) -> i32 {
    let write = s.func("write").unwrap();
    let mut out = [WValue::I32(0)];
    s.call(&write, &[WValue::I32(fd), p, l], &mut out).unwrap();
    out[0].as_i32().unwrap()
}

/// Opens `path` under the first preopen: (errno, fd).
fn open<B: Backend>(s: &mut Store<B>, path: &str, oflags: i32, rights: i64) -> [i32; 2] {
    let [p, l] = put::<B>(s, PATH_AT, path.as_bytes());
    let open = s.func("open").unwrap();
    let mut out = [WValue::I32(0); 2];
    s.call(
        &open,
        &[p, l, WValue::I32(oflags), WValue::I64(rights)],
        &mut out,
    )
    .unwrap();
    i32s(out)
}

fn write_file<B: Backend>(s: &mut Store<B>, path: &str, data: &[u8]) -> i32 {
    let [errno, fd] = open::<B>(s, path, O_CREAT | O_TRUNC, RIGHT_WRITE | RIGHT_READ);
    if errno != 0 {
        return errno;
    }
    let [dp, dl] = put::<B>(s, DATA_AT, data);
    assert_eq!(write::<B>(s, fd, dp, dl), 0);
    TypedFunc::<B, i32, i32>::from_export(&mut *s, "close")
        .unwrap()
        .call(s, fd)
        .unwrap()
}

fn read_file<B: Backend>(s: &mut Store<B>, path: &str) -> Result<Vec<u8>, i32> {
    let [errno, fd] = open::<B>(s, path, 0, RIGHT_READ);
    if errno != 0 {
        return Err(errno);
    }
    let read = s.func("read").unwrap();
    let mut out = [WValue::I32(0); 2];
    s.call(
        &read,
        &[WValue::I32(fd), WValue::I32(BUF), WValue::I32(4096)],
        &mut out,
    )
    .unwrap();
    let [errno, n] = i32s(out);
    assert_eq!(errno, 0);
    let n = usize::try_from(n).unwrap();
    Ok(s.main_memory().unwrap()[BUF_AT..BUF_AT + n].to_vec())
}

/// Strings of a WASI `*_get` call: NUL-terminated, back to back.
fn strings(mem: &[u8], count: i32, size: i32) -> Vec<String> {
    let bytes = &mem[BUF_AT..BUF_AT + usize::try_from(size).unwrap()];
    let list: Vec<String> = bytes
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8(s.to_vec()).unwrap())
        .collect();
    assert_eq!(list.len(), usize::try_from(count).unwrap());
    list
}

/// stdout and stderr go to captures the runtime reads.
pub fn wasi_stdout_stderr_capture<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let (out, err) = (OutputCapture::new(), OutputCapture::new());
    let wasi = WasiConfig::new()
        .with_stdout(Stdio::Capture(out.clone()))
        .with_stderr(Stdio::Capture(err.clone()));
    let mut s = guest(&b, wasi);
    let [p, l] = put::<B>(&mut s, DATA_AT, b"hello\n");
    assert_eq!(write::<B>(&mut s, 1, p, l), 0);
    assert_eq!(write::<B>(&mut s, 1, p, l), 0);
    let [p, l] = put::<B>(&mut s, DATA_AT, b"oops");
    assert_eq!(write::<B>(&mut s, 2, p, l), 0);
    assert_eq!(out.take(), b"hello\nhello\n");
    assert_eq!(err.contents(), b"oops");
    // No stdin: reading fd 0 reads nothing (never blocks), on every engine.
    let read = s.func("read").unwrap();
    let mut res = [WValue::I32(0); 2];
    s.call(
        &read,
        &[WValue::I32(0), WValue::I32(BUF), WValue::I32(16)],
        &mut res,
    )
    .unwrap();
    assert_eq!(i32s(res), [0, 0], "{}: stdin must read nothing", B::NAME);
    // Null discards.
    let mut s = guest(&b, WasiConfig::new().with_stdout(Stdio::Null));
    let [p, l] = put::<B>(&mut s, DATA_AT, b"gone");
    assert_eq!(write::<B>(&mut s, 1, p, l), 0);
}

/// The guest sees exactly the configured args and environment (nothing of the host's).
pub fn wasi_args_and_environ<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let wasi = WasiConfig::new()
        .with_args(["prog", "--flag"])
        .with_env("A", "1")
        .with_env("sites", "/tmp/x")
        .with_env("WASM_LOG", "info");
    let mut s = guest(&b, wasi);
    let environ = s.func("environ").unwrap();
    let mut out = [WValue::I32(0); 3];
    s.call(&environ, &[WValue::I32(512), WValue::I32(BUF)], &mut out)
        .unwrap();
    let [errno, count, size] = i32s(out);
    assert_eq!(errno, 0);
    assert_eq!(
        strings(s.main_memory().unwrap(), count, size),
        ["A=1", "sites=/tmp/x", "WASM_LOG=info"]
    );
    let args = s.func("args").unwrap();
    s.call(&args, &[WValue::I32(512), WValue::I32(BUF)], &mut out)
        .unwrap();
    let [errno, count, size] = i32s(out);
    assert_eq!(errno, 0);
    assert_eq!(
        strings(s.main_memory().unwrap(), count, size),
        ["prog", "--flag"]
    );

    let mut s = guest(&b, WasiConfig::new());
    let environ = s.func("environ").unwrap();
    s.call(&environ, &[WValue::I32(512), WValue::I32(BUF)], &mut out)
        .unwrap();
    assert_eq!(i32s(out), [0, 0, 0]);
}

/// A file written through a mapped directory lands in the host directory and reads back;
/// `sites` and `/sites` both give the guest the preopen `/sites`.
pub fn wasi_mapped_dir_round_trip<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    for alias in ["sites", "/sites"] {
        let dir = temp_dir("round-trip");
        let mut s = guest(&b, WasiConfig::new().with_mapped_dir(alias, &dir));
        let prestat = s.func("prestat_name").unwrap();
        let mut out = [WValue::I32(0); 2];
        s.call(&prestat, &[WValue::I32(3), WValue::I32(BUF)], &mut out)
            .unwrap();
        let [errno, len] = i32s(out);
        assert_eq!(errno, 0);
        let name = &s.main_memory().unwrap()[BUF_AT..BUF_AT + usize::try_from(len).unwrap()];
        assert_eq!(name, b"/sites", "{}: alias {alias}", B::NAME);
        // fd 4 is not a preopen: EBADF (8).
        s.call(&prestat, &[WValue::I32(4), WValue::I32(BUF)], &mut out)
            .unwrap();
        assert_eq!(i32s(out)[0], 8);

        let content = "ünïcødé content\n".repeat(10);
        assert_eq!(write_file::<B>(&mut s, "a.txt", content.as_bytes()), 0);
        assert_eq!(
            std::fs::read(dir.join("a.txt")).unwrap(),
            content.as_bytes()
        );
        assert_eq!(read_file::<B>(&mut s, "a.txt").unwrap(), content.as_bytes());
        assert_eq!(write_file::<B>(&mut s, "empty.txt", b""), 0);
        assert_eq!(read_file::<B>(&mut s, "empty.txt").unwrap(), b"");
        std::fs::write(dir.join("from-host.txt"), "host").unwrap();
        assert_eq!(read_file::<B>(&mut s, "from-host.txt").unwrap(), b"host");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The errno values Marine's guests saw (wasmtime 13 / wasi-common): `..` escapes EPERM
/// (63), a missing subdirectory ENOENT (44), the directory itself for writing EISDIR (31).
pub fn wasi_errno_values<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let dir = temp_dir("errno");
    let mut s = guest(&b, WasiConfig::new().with_mapped_dir("/sites", &dir));
    assert_eq!(
        write_file::<B>(&mut s, "../escape.txt", b"x"),
        63,
        "{}: escape",
        B::NAME
    );
    assert!(!dir.parent().unwrap().join("escape.txt").exists());
    assert_eq!(
        read_file::<B>(&mut s, "../escape.txt"),
        Err(63),
        "{}: escape read",
        B::NAME
    );
    assert_eq!(
        write_file::<B>(&mut s, "missing/x.txt", b"x"),
        44,
        "{}: missing dir",
        B::NAME
    );
    assert_eq!(
        read_file::<B>(&mut s, "nope.txt"),
        Err(44),
        "{}: missing file",
        B::NAME
    );
    assert_eq!(
        write_file::<B>(&mut s, ".", b"x"),
        31,
        "{}: the directory itself",
        B::NAME
    );
    // And the store goes on.
    assert_eq!(write_file::<B>(&mut s, "ok.txt", b"ok"), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A mapped host directory that does not exist fails instantiation with the OS's message.
pub fn wasi_missing_host_dir_fails<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let missing = temp_dir("missing").join("does-not-exist");
    let m = b.compile(&wasm(GUEST)).unwrap();
    let wasi = WasiConfig::new().with_mapped_dir("sites", &missing);
    let mut s = b
        .new_store(StoreConfig::default().with_wasi(Some(wasi)))
        .unwrap();
    let err = s.instantiate(&m, &[]).unwrap_err();
    assert!(matches!(err, BackendError::Wasi(_)), "{}: {err}", B::NAME);
    assert!(
        err.to_string()
            .contains("No such file or directory (os error 2)"),
        "{}: {err}",
        B::NAME
    );
}

/// Without a WASI configuration, WASI imports are unknown imports.
pub fn wasi_imports_need_wasi<B: Backend>() {
    let b: B = engine(EngineConfig::default());
    let m = b.compile(&wasm(GUEST)).unwrap();
    let err = b
        .new_store(StoreConfig::default())
        .unwrap()
        .instantiate(&m, &[])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown import: `wasi_snapshot_preview1::fd_write` has not been defined"
    );
}
