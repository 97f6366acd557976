//! `strait batch` with large strings, growing and shrinking from call to call, with escapes
//! and failed calls in between: the buffers a service keeps between calls never leak one
//! call's bytes into another's answer, on both engines. A line that is not UTF-8 gets an error
//! and the next line is answered; the last line may end without a newline.

use serde_json::{Value, json};
use strait_conformance::golden::shared_dir;

/// A text of `size` bytes with characters JSON escapes, and multi-byte ones, along the way.
fn text(size: usize, seed: usize) -> String {
    let pieces = ["ab", "\"", "\\", "\n", "\u{1}", "é", "🦀", "xyz"];
    let mut text = String::new();
    let mut i = seed;
    while text.len() < size {
        text.push_str(pieces[i % pieces.len()]);
        text.push(
            "abcdefghijklmnopqrstuvwxyz"
                .chars()
                .nth(i % 26)
                .unwrap_or('a'),
        );
        i += 7;
    }
    text
}

fn replay(backend: &str) {
    let Some(shared) = shared_dir() else { return };
    let config = shared.join("artifacts/greeting/Config.toml");
    let sizes = [
        5_000,
        70_000,
        300_000,
        10,
        70_000,
        1 << 20,
        4_096,
        300_000,
        0,
    ];
    let mut input = Vec::new();
    let mut expected = Vec::new();
    for (index, size) in sizes.into_iter().enumerate() {
        let name = text(size, index);
        input.extend_from_slice(
            json!({"module": "greeting", "function": "greeting", "args": [name]})
                .to_string()
                .as_bytes(),
        );
        input.push(b'\n');
        expected.push(json!({ "result": format!("Hi, {name}") }).to_string());
        // A failed call and a line that is not JSON in between change nothing.
        input.extend_from_slice(
            json!({"module": "greeting", "function": "greet", "args": [name]})
                .to_string()
                .as_bytes(),
        );
        input.extend_from_slice(
            b"\n{\"module\": \"greeting\", \"function\": \"greeting\", \"args\": [\"x\n",
        );
        // Not UTF-8.
        input.extend_from_slice(
            b"{\"module\": \"greeting\", \"function\": \"greeting\", \"args\": [\"\xff\"]}\n",
        );
        expected.extend([String::new(), String::new(), String::new()]);
    }
    input.extend_from_slice(br#"{"module": "greeting", "function": "greeting", "args": ["end"]}"#);
    expected.push(json!({ "result": "Hi, end" }).to_string());
    let (output, written) = super::run_batch(
        &["--backend".as_ref(), backend.as_ref(), config.as_os_str()],
        input,
    );
    written.expect("write the requests");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), expected.len());
    for (line, expected) in lines.iter().zip(&expected) {
        if expected.is_empty() {
            let reply: Value = serde_json::from_str(line).expect("a JSON line");
            assert!(reply["error"].is_string(), "{line}");
        } else {
            // Byte for byte what serde_json writes.
            assert!(
                line == expected,
                "{backend}: a reply of {} bytes differs",
                line.len()
            );
        }
    }
}

#[test]
fn large_strings_on_wasmtime() {
    replay("wasmtime");
}

#[test]
fn large_strings_on_wasmi() {
    replay("wasmi");
}
