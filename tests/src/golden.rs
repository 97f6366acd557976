//! Marine's golden outputs (`../shared/golden`): reading scenarios, preparing a working copy,
//! expanding arguments and matching results, exactly as `golden/README.md` describes.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The load line of a scenario.
#[derive(Debug, Clone)]
pub struct LoadLine {
    /// The config path relative to the `shared/` folder.
    pub config: String,
    /// Module names in load order.
    pub modules: Vec<String>,
    /// True when Marine loaded the service.
    pub ok: bool,
}

/// What Marine returned for a call.
#[derive(Debug, Clone)]
pub enum Expected {
    /// A result value (maybe a `$large` digest).
    Result(Value),
    /// An error with Marine's message.
    Error(String),
}

/// One call line.
#[derive(Debug, Clone)]
pub struct CallLine {
    /// The module called.
    pub module: String,
    /// The function called.
    pub function: String,
    /// The JSON arguments, with `${DATA}` and generators still in place.
    pub args: Value,
    /// The call parameters, if the line has them.
    pub call_parameters: Option<Value>,
    /// Marine's outcome.
    pub expected: Expected,
    /// Only a string result is required (the host's `curl --version`).
    pub host_dependent: bool,
}

/// A whole scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file stem, e.g. `greeting.limit_2MiB`.
    pub name: String,
    /// The load line.
    pub load: LoadLine,
    /// The calls in order.
    pub calls: Vec<CallLine>,
}

/// The `shared/` folder beside the repository, or `None` when it is absent.
///
/// Under `CI=true` a missing folder is a test failure (the panic says so); elsewhere the
/// caller skips with a message.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.join("golden").is_dir() {
        return Some(dir.canonicalize().unwrap_or(dir));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "../shared (Marine artifacts and golden outputs) is missing beside the repository"
    );
    eprintln!("skipped: ../shared is not beside the repository");
    None
}

/// Reads `golden/<name>.jsonl`.
pub fn read_scenario(shared: &Path, name: &str) -> Scenario {
    let path = shared.join("golden").join(format!("{name}.jsonl"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut load = None;
    let mut calls = Vec::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), number + 1));
        match value.get("op").and_then(Value::as_str) {
            Some("load") => {
                load = Some(LoadLine {
                    config: value["config"].as_str().expect("config").to_owned(),
                    modules: value["modules"]
                        .as_array()
                        .map(|m| {
                            m.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                    ok: value.get("result").and_then(Value::as_str) == Some("ok"),
                });
            }
            Some(_) => {}
            None => {
                let expected = match (value.get("result"), value.get("error")) {
                    (Some(result), None) => Expected::Result(result.clone()),
                    (None, Some(error)) => Expected::Error(error.as_str().unwrap_or("").to_owned()),
                    _ => panic!(
                        "{}:{}: needs exactly one of result/error",
                        path.display(),
                        number + 1
                    ),
                };
                calls.push(CallLine {
                    module: value["module"].as_str().expect("module").to_owned(),
                    function: value["function"].as_str().expect("function").to_owned(),
                    args: value.get("args").cloned().unwrap_or(Value::Null),
                    call_parameters: value.get("call_parameters").cloned(),
                    expected,
                    host_dependent: value.get("host_dependent").is_some(),
                });
            }
        }
    }
    Scenario {
        name: name.to_owned(),
        load: load.expect("a load line"),
        calls,
    }
}

/// Every scenario name in `golden/` (the `.jsonl` stems), sorted.
pub fn scenario_names(shared: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(shared.join("golden"))
        .expect("golden dir")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".jsonl").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// A fresh, writable copy of `artifacts/`, `golden/data` and `golden/configs` (golden README,
/// "Running a scenario", step 1). Removed on drop.
pub struct WorkingCopy {
    root: PathBuf,
}

impl WorkingCopy {
    /// Makes the copy under the system temp directory.
    pub fn new(shared: &Path) -> io::Result<Self> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "strait-golden-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        if root.exists() {
            fs::remove_dir_all(&root)?;
        }
        copy_dir(&shared.join("artifacts"), &root.join("artifacts"))?;
        copy_dir(&shared.join("golden/data"), &root.join("golden/data"))?;
        copy_dir(&shared.join("golden/configs"), &root.join("golden/configs"))?;
        Ok(Self { root })
    }

    /// The copy's root (stands for `shared/`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute `golden/data` folder, the value of `${DATA}`.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("golden/data")
    }
}

impl Drop for WorkingCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Copies a tree, making every copy writable (the shared originals are read-only).
fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
            let mut permissions = fs::metadata(&target)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            fs::set_permissions(&target, permissions)?;
        }
    }
    let mut permissions = fs::metadata(to)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    fs::set_permissions(to, permissions)
}

/// Replaces `${DATA}` inside every JSON string of `value` (after parsing, never in the text).
pub fn substitute_data(value: &Value, data: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("${DATA}", data)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute_data(v, data)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute_data(v, data)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// Expands the argument generators `{"$str": S, "$n": N}` and `{"$bytes": N, "$fill": B}`.
pub fn expand_generators(value: &Value) -> Value {
    match value {
        Value::Object(map) if map.contains_key("$str") => {
            let s = map["$str"].as_str().expect("$str is a string");
            let n = map["$n"].as_u64().expect("$n is a count");
            Value::String(s.repeat(usize::try_from(n).expect("fits")))
        }
        Value::Object(map) if map.contains_key("$bytes") => {
            let n = map["$bytes"].as_u64().expect("$bytes is a count");
            let fill = map["$fill"].as_u64().expect("$fill is a number");
            Value::Array(
                (0..n)
                    .map(|i| Value::from(if fill == 256 { i % 256 } else { fill }))
                    .collect(),
            )
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), expand_generators(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(expand_generators).collect()),
        other => other.clone(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares an actual result with an expected one as the golden README's "Matching" says:
/// numbers by value (`10.0` equals `10`, integers exact), `$large` digests by hash.
/// Returns a description of the first difference.
pub fn match_result(expected: &Value, actual: &Value) -> Result<(), String> {
    if let Some(large) = expected.get("$large") {
        return match_large(large, actual);
    }
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            let equal = match (a.as_i64(), a.as_u64(), b.as_i64(), b.as_u64()) {
                (Some(x), _, Some(y), _) => x == y,
                (_, Some(x), _, Some(y)) => x == y,
                _ if a.is_f64() || b.is_f64() => a.as_f64() == b.as_f64(),
                _ => false,
            };
            if equal {
                Ok(())
            } else {
                Err(format!("number {a} != {b}"))
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("array length {} != {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                match_result(x, y).map_err(|e| format!("[{i}]: {e}"))?;
            }
            Ok(())
        }
        (Value::Object(a), Value::Object(b)) => {
            if a.len() != b.len() || a.keys().any(|k| !b.contains_key(k)) {
                return Err(format!(
                    "keys {:?} != {:?}",
                    a.keys().collect::<Vec<_>>(),
                    b.keys().collect::<Vec<_>>()
                ));
            }
            for (k, x) in a {
                match_result(x, &b[k]).map_err(|e| format!(".{k}: {e}"))?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{} != {}", short(a), short(b))),
    }
}

fn match_large(large: &Value, actual: &Value) -> Result<(), String> {
    if large["kind"] == "string" {
        let s = actual
            .as_str()
            .ok_or_else(|| format!("expected a large string, got {}", short(actual)))?;
        let want_len = large["str_len_bytes"].as_u64().unwrap_or(u64::MAX);
        if s.len() as u64 != want_len {
            return Err(format!("string length {} != {want_len}", s.len()));
        }
        return check_digest(&sha256_hex(s.as_bytes()), &large["str_sha256"]);
    }
    if let Some(digest) = large.get("bytes_sha256") {
        let items = actual.as_array().ok_or("expected a byte array")?;
        let bytes: Option<Vec<u8>> = items
            .iter()
            .map(|v| v.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect();
        let bytes = bytes.ok_or("expected numbers 0-255")?;
        if Some(bytes.len() as u64) != large["array_len"].as_u64() {
            return Err(format!(
                "array length {} != {}",
                bytes.len(),
                large["array_len"]
            ));
        }
        return check_digest(&sha256_hex(&bytes), digest);
    }
    let canonical = serde_json::to_string(actual).map_err(|e| e.to_string())?;
    check_digest(&sha256_hex(canonical.as_bytes()), &large["json_sha256"])
}

fn check_digest(actual: &str, expected: &Value) -> Result<(), String> {
    if expected.as_str() == Some(actual) {
        Ok(())
    } else {
        Err(format!("sha256 {actual} != {expected}"))
    }
}

fn short(value: &Value) -> String {
    let mut text = value.to_string();
    if text.len() > 200 {
        let mut cut = 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value() {
        assert!(match_result(&json!(10.0), &json!(10)).is_ok());
        assert!(match_result(&json!(u64::MAX), &json!(u64::MAX)).is_ok());
        assert!(match_result(&json!(u64::MAX), &json!(u64::MAX - 1)).is_err());
        assert!(match_result(&json!(true), &json!(1)).is_err());
        assert!(match_result(&json!({"a": [1, 2]}), &json!({"a": [1, 2]})).is_ok());
        assert!(match_result(&json!({"a": [1, 2]}), &json!({"a": [1, 3]})).is_err());
    }

    #[test]
    fn generators_expand() {
        let v = expand_generators(&json!([{"$str": "ab", "$n": 2}, {"$bytes": 3, "$fill": 7}]));
        assert_eq!(v, json!(["abab", [7, 7, 7]]));
        let v = expand_generators(&json!({"$bytes": 258, "$fill": 256}));
        assert_eq!(v[257], json!(1));
    }

    #[test]
    fn large_digests() {
        let s = "x".repeat(10);
        let large = json!({"$large": {"kind": "string", "str_len_bytes": 10,
            "str_sha256": sha256_hex(s.as_bytes())}});
        assert!(match_result(&large, &json!(s)).is_ok());
        assert!(match_result(&large, &json!("y".repeat(10))).is_err());
    }
}
