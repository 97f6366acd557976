//! The WASI sandbox: a guest cannot leave its mapped directory — not by `..`, an absolute
//! path, a symlink pointing outside, nor through a mapped directory that is itself a
//! symlink — and a module without mapped directories sees none. Written once, run on
//! every engine, with the url-downloader example's `local_storage` module
//! (`put(name, bytes) -> string`, `get(name) -> bytes`).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use strait::{Backend, CallParameters, ModuleSettings, Service, ServiceOptions};

/// A host tree: `root/sites` (mapped), `root/outside/secret.txt`, symlinks out of
/// `sites`, and `root/sites-link` → `root/sites`.
struct Tree {
    root: PathBuf,
}

impl Tree {
    fn new(engine: &str, case: &str) -> Self {
        let root = std::env::temp_dir().join(format!(
            "strait-sandbox-{engine}-{case}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("sites/sub")).expect("sites");
        std::fs::create_dir_all(root.join("outside")).expect("outside");
        std::fs::write(root.join("outside/secret.txt"), "secret").expect("secret");
        std::fs::write(root.join("sites/inside.txt"), "inside").expect("inside");
        std::os::unix::fs::symlink(root.join("outside"), root.join("sites/dirlink"))
            .expect("dir symlink");
        std::os::unix::fs::symlink("../outside/secret.txt", root.join("sites/filelink"))
            .expect("file symlink");
        std::os::unix::fs::symlink(root.join("sites"), root.join("sites-link"))
            .expect("mapped-dir symlink");
        Self { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn local_storage<B: Backend>(mapped: Option<&Path>) -> Service<B> {
    let wat =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/url-downloader/local_storage.wat");
    let bytes = std::fs::read(wat).expect("local_storage.wat");
    let mut settings = ModuleSettings::default();
    if let Some(dir) = mapped {
        settings.mapped_dirs = vec![("sites".into(), dir.to_path_buf())];
    }
    let mut service = Service::<B>::new(ServiceOptions::default()).expect("service");
    service
        .load_module("local_storage", &bytes, &settings)
        .expect("load");
    service
}

fn put<B: Backend>(service: &mut Service<B>, name: &str) -> Value {
    service
        .call_json(
            "local_storage",
            "put",
            &json!([name, [104, 105]]),
            CallParameters::default(),
        )
        .expect("put answers")
}

fn get<B: Backend>(service: &mut Service<B>, name: &str) -> Value {
    service
        .call_json(
            "local_storage",
            "get",
            &json!([name]),
            CallParameters::default(),
        )
        .expect("get answers")
}

/// `get`'s answer when the file cannot be read.
fn unreadable() -> Value {
    json!(b"error while reading file".to_vec())
}

/// Every way out of the mapped directory is refused, and nothing is written outside it.
fn guest_cannot_leave_mapped_dir<B: Backend>() {
    let tree = Tree::new(B::NAME, "escape");
    for mapped in ["sites", "sites-link"] {
        let mut service = local_storage::<B>(Some(&tree.path(mapped)));
        // Inside works, through the symlinked mapped directory too.
        assert_eq!(put(&mut service, "ok.txt"), json!("Ok"), "{mapped}");
        assert_eq!(std::fs::read(tree.path("sites/ok.txt")).expect("ok"), b"hi");
        assert_eq!(get(&mut service, "inside.txt"), json!(b"inside".to_vec()));
        assert_eq!(put(&mut service, "sub/../sub/deep.txt"), json!("Ok"));
        assert!(tree.path("sites/sub/deep.txt").exists());

        for escape in [
            "../escape.txt",
            "sub/../../escape.txt",
            "/escape.txt",
            &tree.path("escape.txt").display().to_string(),
            "dirlink/escape.txt",
        ] {
            let answer = put(&mut service, escape);
            assert_ne!(answer, json!("Ok"), "put({escape:?}) via {mapped}");
            assert!(answer.as_str().is_some(), "{answer}");
        }
        assert!(!tree.path("escape.txt").exists());
        assert!(!tree.path("outside/escape.txt").exists());
        assert!(!Path::new("/escape.txt").exists());

        for secret in [
            "../outside/secret.txt",
            "filelink",
            "dirlink/secret.txt",
            &tree.path("outside/secret.txt").display().to_string(),
        ] {
            assert_eq!(get(&mut service, secret), unreadable(), "get({secret:?})");
        }
        // A refused path leaves the service working.
        assert_eq!(get(&mut service, "ok.txt"), json!(b"hi".to_vec()));
        std::fs::remove_file(tree.path("sites/ok.txt")).expect("clean");
    }
    assert_eq!(
        std::fs::read(tree.path("outside/secret.txt")).expect("secret"),
        b"secret"
    );
}

/// A module without mapped directories has no pre-opened directory at all.
fn no_mapped_dirs_sees_none<B: Backend>() {
    let tree = Tree::new(B::NAME, "none");
    let mut service = local_storage::<B>(None);
    let answer = put(&mut service, "ok.txt");
    assert_ne!(answer, json!("Ok"));
    assert!(
        answer.as_str().is_some_and(|s| s.contains("sites")),
        "{answer}"
    );
    assert_eq!(get(&mut service, "inside.txt"), unreadable());
    assert!(!tree.path("sites/ok.txt").exists());
}

strait_conformance::on_every_engine!(guest_cannot_leave_mapped_dir, no_mapped_dirs_sees_none);
