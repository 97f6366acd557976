//! The built-in services of a Fluence node, with nox's semantics (`spec/aqua.md` §2): `op`,
//! `peer.timestamp_*`, `math`, `cmp`, `array`, `json`, `debug.stringify`, `run-console.print`
//! and `sig.get_peer_id`. Network-facing built-ins (`kad`, `srv`, `dist`, `peer.connect`, …)
//! have no meaning without a network and are not defined.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

/// What a built-in answered, as nox's `FunctionOutcome`.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    /// A value.
    Ok(Value),
    /// No value: answered as `""`.
    Empty,
    /// An error message: answered with ret_code 1.
    Err(String),
    /// No built-in has this name: try the local services.
    NotDefined,
}

impl From<Result<Value, String>> for Outcome {
    fn from(result: Result<Value, String>) -> Self {
        match result {
            Ok(value) => Outcome::Ok(value),
            Err(message) => Outcome::Err(message),
        }
    }
}

/// Calls built-in `service.function` with `args`; `peer_id` is the local peer.
pub(crate) fn call(service: &str, function: &str, args: &[Value], peer_id: &str) -> Outcome {
    match (service, function) {
        ("op", "noop") => Outcome::Empty,
        ("op", "identity") => match args {
            [] => Outcome::Empty,
            [value] => Outcome::Ok(value.clone()),
            _ => Outcome::Err(format!(
                "identity accepts up to 1 arguments, received {} arguments",
                args.len()
            )),
        },
        ("op", "array") => Outcome::Ok(Value::Array(args.to_vec())),
        ("op", "array_length") | ("array", "length") => array_length(args).into(),
        ("op", "concat") => concat(args).into(),
        ("op", "concat_strings") => concat_strings(args).into(),
        ("op", "string_to_b58") => unary(args, |s: String| Ok(bs58::encode(s).into_string())),
        ("op", "string_from_b58") => unary(args, |s: String| {
            let bytes = from_b58(&s)?;
            String::from_utf8(bytes).map_err(|e| format!("decoded base58 is not UTF-8: {e}"))
        }),
        ("op", "bytes_to_b58") => unary(args, |b: Vec<u8>| Ok(bs58::encode(b).into_string())),
        ("op", "bytes_from_b58") => unary(args, |s: String| from_b58(&s)),

        ("peer", "timestamp_ms") => Outcome::Ok(Value::from(
            u64::try_from(now().as_millis()).unwrap_or(u64::MAX),
        )),
        ("peer", "timestamp_sec") => Outcome::Ok(Value::from(now().as_secs())),
        ("sig", "get_peer_id") => Outcome::Ok(Value::from(peer_id)),

        ("debug", "stringify") => Outcome::Ok(Value::String(match args {
            [] => r#""<empty argument list>""#.to_owned(),
            [value] => value.to_string(),
            _ => Value::Array(args.to_vec()).to_string(),
        })),
        ("run-console", "print") => {
            log::info!(target: "run-console", "{}", Value::Array(args.to_vec()));
            Outcome::Empty
        }

        ("math", "add") => binary(args, |x: i64, y: i64| checked(x.checked_add(y), "add")),
        ("math", "sub") => binary(args, |x: i64, y: i64| checked(x.checked_sub(y), "sub")),
        ("math", "mul") => binary(args, |x: i64, y: i64| checked(x.checked_mul(y), "mul")),
        ("math", "fmul") => binary(args, |x: f64, y: f64| fmul_floor(x, y)),
        ("math", "div") => binary(args, |x: i64, y: i64| checked(x.checked_div(y), "div")),
        ("math", "rem") => binary(args, |x: i64, y: i64| checked(x.checked_rem(y), "rem")),
        ("math", "pow") => binary(args, |x: i64, y: u32| checked(x.checked_pow(y), "pow")),
        ("math", "log") => binary(args, |x: i64, y: i64| checked(y.checked_ilog(x), "log")),

        ("cmp", "gt") => binary(args, |x: i64, y: i64| Ok(x > y)),
        ("cmp", "gte") => binary(args, |x: i64, y: i64| Ok(x >= y)),
        ("cmp", "lt") => binary(args, |x: i64, y: i64| Ok(x < y)),
        ("cmp", "lte") => binary(args, |x: i64, y: i64| Ok(x <= y)),
        ("cmp", "cmp") => binary(args, |x: i64, y: i64| Ok(x.cmp(&y) as i8)),

        ("array", "sum") => unary(args, |xs: Vec<i64>| {
            xs.into_iter()
                .try_fold(0i64, i64::checked_add)
                .ok_or_else(|| "i64 add overflow".to_owned())
        }),
        ("array", "dedup") => unary(args, |xs: Vec<String>| {
            let mut seen = BTreeSet::new();
            Ok(xs
                .into_iter()
                .filter(|x| seen.insert(x.clone()))
                .collect::<Vec<_>>())
        }),
        // Sets come out sorted (nox's order is a hash set's, i.e. unspecified).
        ("array", "intersect") => binary(args, |xs: BTreeSet<String>, ys: BTreeSet<String>| {
            Ok(xs.intersection(&ys).cloned().collect::<Vec<_>>())
        }),
        ("array", "diff") => binary(args, |xs: BTreeSet<String>, ys: BTreeSet<String>| {
            Ok(xs.difference(&ys).cloned().collect::<Vec<_>>())
        }),
        ("array", "sdiff") => binary(args, |xs: BTreeSet<String>, ys: BTreeSet<String>| {
            Ok(xs.symmetric_difference(&ys).cloned().collect::<Vec<_>>())
        }),
        ("array", "slice") => array_slice(args).into(),

        ("json", "obj") => pairs_into(Map::new(), args).map(Value::Object).into(),
        ("json", "put") => json_put(args).into(),
        ("json", "puts") => match args.split_first() {
            Some((Value::Object(object), rest)) => {
                pairs_into(object.clone(), rest).map(Value::Object).into()
            }
            Some((other, _)) => Outcome::Err(format!(
                "argument `object`: expected an object, got {other}"
            )),
            None => Outcome::Err("json.puts needs an object".to_owned()),
        },
        ("json", "parse") => unary(args, |s: String| {
            serde_json::from_str::<Value>(&s).map_err(|e| format!("error parsing json {s}: {e}"))
        }),
        ("json", "stringify") => unary(args, |v: Value| Ok(v.to_string())),
        ("json", "obj_pairs") => unary(args, |pairs: Vec<(String, Value)>| {
            Ok(Value::Object(pairs.into_iter().collect()))
        }),
        ("json", "puts_pairs") => {
            binary(
                args,
                |object: Value, pairs: Vec<(String, Value)>| match object {
                    Value::Object(mut map) => {
                        map.extend(pairs);
                        Ok(Value::Object(map))
                    }
                    other => Err(format!("expected json object, got {other}")),
                },
            )
        }
        _ => Outcome::NotDefined,
    }
}

fn now() -> std::time::Duration {
    // A clock before 1970 reads as 0 rather than failing a script.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn checked<T>(value: Option<T>, op: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("i64 {op} overflow"))
}

fn fmul_floor(x: f64, y: f64) -> Result<i64, String> {
    let product = (x * y).floor();
    // i64::MIN and i64::MAX + 1 are exact f64 powers of two.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&product) {
        #[allow(clippy::cast_possible_truncation)]
        Ok(product as i64)
    } else {
        Err("i64 fmul overflow".to_owned())
    }
}

fn from_b58(text: &str) -> Result<Vec<u8>, String> {
    bs58::decode(text)
        .into_vec()
        .map_err(|e| format!("invalid base58: {e}"))
}

fn arg<T: DeserializeOwned>(value: &Value, name: &str) -> Result<T, String> {
    serde_json::from_value(value.clone()).map_err(|e| format!("argument `{name}` ({value}): {e}"))
}

fn unary<X, Out>(args: &[Value], f: impl FnOnce(X) -> Result<Out, String>) -> Outcome
where
    X: DeserializeOwned,
    Out: Into<Value>,
{
    match args {
        [x] => arg(x, "x").and_then(f).map(Into::into).into(),
        _ => Outcome::Err(format!("expected 1 arguments, got {}", args.len())),
    }
}

fn binary<X, Y, Out>(args: &[Value], f: impl FnOnce(X, Y) -> Result<Out, String>) -> Outcome
where
    X: DeserializeOwned,
    Y: DeserializeOwned,
    Out: Into<Value>,
{
    match args {
        [x, y] => arg(x, "x")
            .and_then(|x| Ok((x, arg(y, "y")?)))
            .and_then(|(x, y)| f(x, y))
            .map(Into::into)
            .into(),
        _ => Outcome::Err(format!("expected 2 arguments, got {}", args.len())),
    }
}

fn array_length(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Array(array)] => Ok(Value::from(array.len())),
        [_] => Err("op array_length's argument must be an array".to_owned()),
        _ => Err(format!(
            "op array_length accepts exactly 1 argument: {} found",
            args.len()
        )),
    }
}

fn concat(args: &[Value]) -> Result<Value, String> {
    let mut flat = Vec::new();
    for (i, value) in args.iter().enumerate() {
        match value {
            Value::Array(items) => flat.extend(items.iter().cloned()),
            _ => {
                return Err(format!(
                    "all arguments of 'concat' must be arrays: argument #{i} is not"
                ));
            }
        }
    }
    Ok(Value::Array(flat))
}

fn concat_strings(args: &[Value]) -> Result<Value, String> {
    let mut text = String::new();
    for (i, value) in args.iter().enumerate() {
        match value {
            Value::String(s) => text.push_str(s),
            _ => {
                return Err(format!(
                    "all arguments of 'concat_strings' must be strings: argument #{i} is not"
                ));
            }
        }
    }
    Ok(Value::String(text))
}

fn array_slice(args: &[Value]) -> Result<Value, String> {
    let [array, start, end] = args else {
        return Err(
            "invalid number of parameters. need array, start index and end index".to_owned(),
        );
    };
    let array = match array {
        Value::Array(items) => items,
        other => return Err(format!("first argument must be an array, was {other}")),
    };
    if array.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    let index = |value: &Value, what: &str| {
        value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| format!("{what} must be an unsigned integer, was {value}"))
    };
    let start = index(start, "second argument (start index)")?;
    let end = index(end, "third argument (end index)")?;
    if start > end || end > array.len() {
        return Err(format!(
            "slice indexes out of bounds. start index: {start}, end index: {end}, array length: {}",
            array.len()
        ));
    }
    Ok(Value::Array(array[start..end].to_vec()))
}

fn pairs_into(
    mut object: Map<String, Value>,
    args: &[Value],
) -> Result<Map<String, Value>, String> {
    for pair in args.chunks(2) {
        match pair {
            [Value::String(key), value] => {
                object.insert(key.clone(), value.clone());
            }
            [key] => {
                return Err(format!(
                    "Expected odd number of arguments, got even. No value for key '{key}'"
                ));
            }
            [key, value] => {
                return Err(format!(
                    "All keys must be of type string. Key of the following pair is of invalid type: ({key}, {value})"
                ));
            }
            _ => {}
        }
    }
    Ok(object)
}

fn json_put(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Object(object), Value::String(key), value] => {
            let mut object = object.clone();
            object.insert(key.clone(), value.clone());
            Ok(Value::Object(object))
        }
        [_, _, _] => Err("json.put takes an object, a string key and a value".to_owned()),
        _ => Err(format!("expected 3 arguments, got {}", args.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(service: &str, function: &str, args: Value) -> Outcome {
        let Value::Array(args) = args else {
            unreachable!("tests pass arrays")
        };
        call(service, function, &args, "peer")
    }

    #[test]
    fn op() {
        assert_eq!(run("op", "noop", json!([1])), Outcome::Empty);
        assert_eq!(run("op", "identity", json!([])), Outcome::Empty);
        assert_eq!(
            run("op", "identity", json!([{"a": 1}])),
            Outcome::Ok(json!({"a": 1}))
        );
        assert_eq!(
            run("op", "identity", json!([1, 2])),
            Outcome::Err("identity accepts up to 1 arguments, received 2 arguments".into())
        );
        assert_eq!(
            run("op", "array", json!([1, "a"])),
            Outcome::Ok(json!([1, "a"]))
        );
        assert_eq!(
            run("op", "concat", json!([[1], [], [2, 3]])),
            Outcome::Ok(json!([1, 2, 3]))
        );
        assert!(
            matches!(run("op", "concat", json!([[1], 2])), Outcome::Err(e) if e.contains("#1"))
        );
        assert_eq!(
            run("op", "concat_strings", json!(["a", "b"])),
            Outcome::Ok(json!("ab"))
        );
        assert_eq!(
            run("op", "array_length", json!([[1, 2]])),
            Outcome::Ok(json!(2))
        );
        let b58 = run("op", "string_to_b58", json!(["hi"]));
        let Outcome::Ok(Value::String(b58)) = b58 else {
            panic!("{b58:?}")
        };
        assert_eq!(
            run("op", "string_from_b58", json!([b58])),
            Outcome::Ok(json!("hi"))
        );
        assert!(matches!(
            run("op", "bytes_from_b58", json!(["0OIl"])),
            Outcome::Err(_)
        ));
    }

    #[test]
    fn math_and_cmp() {
        assert_eq!(run("math", "add", json!([2, 3])), Outcome::Ok(json!(5)));
        assert_eq!(run("math", "sub", json!([2, 3])), Outcome::Ok(json!(-1)));
        assert_eq!(run("math", "fmul", json!([1.5, 3])), Outcome::Ok(json!(4)));
        assert_eq!(run("math", "pow", json!([2, 10])), Outcome::Ok(json!(1024)));
        assert_eq!(run("math", "log", json!([2, 1024])), Outcome::Ok(json!(10)));
        assert_eq!(
            run("math", "div", json!([1, 0])),
            Outcome::Err("i64 div overflow".into())
        );
        assert_eq!(
            run("math", "add", json!([i64::MAX, 1])),
            Outcome::Err("i64 add overflow".into())
        );
        assert_eq!(
            run("math", "fmul", json!([1e300, 1e300])),
            Outcome::Err("i64 fmul overflow".into())
        );
        assert_eq!(
            run("math", "add", json!([1])),
            Outcome::Err("expected 2 arguments, got 1".into())
        );
        assert!(
            matches!(run("math", "add", json!(["a", 1])), Outcome::Err(e) if e.contains("argument `x`"))
        );
        assert_eq!(run("cmp", "cmp", json!([1, 2])), Outcome::Ok(json!(-1)));
        assert_eq!(run("cmp", "gte", json!([2, 2])), Outcome::Ok(json!(true)));
        assert_eq!(run("cmp", "lt", json!([2, 2])), Outcome::Ok(json!(false)));
    }

    #[test]
    fn arrays() {
        assert_eq!(
            run("array", "sum", json!([[1, 2, 3]])),
            Outcome::Ok(json!(6))
        );
        assert_eq!(
            run("array", "dedup", json!([["b", "a", "b"]])),
            Outcome::Ok(json!(["b", "a"]))
        );
        assert_eq!(
            run("array", "intersect", json!([["a", "b"], ["b", "c"]])),
            Outcome::Ok(json!(["b"]))
        );
        assert_eq!(
            run("array", "diff", json!([["a", "b"], ["b"]])),
            Outcome::Ok(json!(["a"]))
        );
        assert_eq!(
            run("array", "sdiff", json!([["a", "b"], ["b", "c"]])),
            Outcome::Ok(json!(["a", "c"]))
        );
        assert_eq!(
            run("array", "slice", json!([[1, 2, 3], 1, 3])),
            Outcome::Ok(json!([2, 3]))
        );
        assert!(
            matches!(run("array", "slice", json!([[1], 0, 5])), Outcome::Err(e) if e.contains("out of bounds"))
        );
        assert_eq!(run("array", "length", json!([[]])), Outcome::Ok(json!(0)));
    }

    #[test]
    fn json_functions() {
        assert_eq!(
            run("json", "obj", json!(["a", 1, "b", [2]])),
            Outcome::Ok(json!({"a": 1, "b": [2]}))
        );
        assert!(
            matches!(run("json", "obj", json!(["a"])), Outcome::Err(e) if e.contains("No value for key"))
        );
        assert!(
            matches!(run("json", "obj", json!([1, 2])), Outcome::Err(e) if e.contains("must be of type string"))
        );
        assert_eq!(
            run("json", "put", json!([{}, "k", 1])),
            Outcome::Ok(json!({"k": 1}))
        );
        assert_eq!(
            run("json", "puts", json!([{"a": 0}, "k", 1])),
            Outcome::Ok(json!({"a": 0, "k": 1}))
        );
        assert_eq!(
            run("json", "parse", json!(["[1]"])),
            Outcome::Ok(json!([1]))
        );
        assert!(matches!(
            run("json", "parse", json!(["[1"])),
            Outcome::Err(_)
        ));
        assert_eq!(
            run("json", "stringify", json!([{"a": 1}])),
            Outcome::Ok(json!("{\"a\":1}"))
        );
        assert_eq!(
            run("json", "obj_pairs", json!([[["a", 1]]])),
            Outcome::Ok(json!({"a": 1}))
        );
        assert_eq!(
            run("json", "puts_pairs", json!([{"b": 2}, [["a", 1]]])),
            Outcome::Ok(json!({"a": 1, "b": 2}))
        );
    }

    #[test]
    fn debug_peer_and_unknown() {
        assert_eq!(
            run("debug", "stringify", json!([])),
            Outcome::Ok(json!("\"<empty argument list>\""))
        );
        assert_eq!(
            run("debug", "stringify", json!(["a"])),
            Outcome::Ok(json!("\"a\""))
        );
        assert_eq!(
            run("debug", "stringify", json!([1, 2])),
            Outcome::Ok(json!("[1,2]"))
        );
        assert_eq!(run("run-console", "print", json!(["x"])), Outcome::Empty);
        assert_eq!(
            run("sig", "get_peer_id", json!([])),
            Outcome::Ok(json!("peer"))
        );
        assert!(matches!(
            run("peer", "timestamp_ms", json!([])),
            Outcome::Ok(Value::Number(_))
        ));
        assert_eq!(run("op", "nope", json!([])), Outcome::NotDefined);
        assert_eq!(run("kad", "neighborhood", json!([])), Outcome::NotDefined);
    }
}
