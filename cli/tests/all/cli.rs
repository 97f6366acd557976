//! Runs the built `strait` binary on the Marine artifacts: `it show`, `it set`, `info`, and
//! the error cases (message on stderr, exit status 1, no panic).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasmparser::{Parser, Payload};

const STRAIT: &str = env!("CARGO_BIN_EXE_strait");
const ARTIFACTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/artifacts");

/// The artifacts folder, or `None` (after saying so) when it is missing outside CI.
// The skip must be visible in the test output.
#[allow(clippy::print_stdout)]
fn artifacts() -> Option<PathBuf> {
    let root = PathBuf::from(ARTIFACTS);
    if root.is_dir() {
        return Some(root);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{ARTIFACTS} is missing: CI must run with ../shared beside the repository"
    );
    println!("SKIPPED: {ARTIFACTS} is missing (not under CI, so the test passes vacuously)");
    None
}

/// Every valid module of the artifacts, sorted.
fn modules(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() || dir.ends_with("corrupted") {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "wasm") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert_eq!(out.len(), 13);
    out
}

fn strait(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(STRAIT)
        .args(args.iter().map(|arg| arg.as_ref()))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "strait failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Asserts a clean failure (see [`super::assert_clean_failure`]) that printed nothing on
/// stdout.
fn assert_fails(output: &Output, message: &str) {
    super::assert_clean_failure(output, message);
    assert!(output.stdout.is_empty());
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("strait-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Marine's printout with its whitespace quirks removed (trailing blanks, `(func  )`,
/// runs of blank lines, no final newline) and its D6/D7 spellings replaced by strait's. The
/// real modules use `array (u8)` only for byte arrays, so the replacement is exact for them.
fn normalise_marine(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines() {
        let line = line
            .trim_end()
            .replace("(func  )", "(func)")
            .replace(") ))", ")))")
            .replace("array (u8)", "byte_array")
            .replace(": bool ", ": boolean ")
            .replace(": bool)", ": boolean)");
        let line = match line.strip_suffix(": bool") {
            Some(head) => format!("{head}: boolean"),
            None => line,
        };
        if line.is_empty() {
            if blank {
                continue;
            }
            blank = true;
        } else {
            blank = false;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One section of a module: its custom-section name, its raw bytes (header included) and its
/// payload (a custom section's data, or the contents).
struct RawSection {
    name: Option<String>,
    raw: Vec<u8>,
    payload: Vec<u8>,
}

fn raw_sections(wasm: &[u8]) -> Vec<RawSection> {
    let mut out = Vec::new();
    let mut handled = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.unwrap();
        let Some((_, range)) = payload.as_section() else {
            if let Payload::Version { range, .. } = payload {
                handled = usize::try_from(range.end).unwrap();
            }
            continue;
        };
        let start = usize::try_from(range.start).unwrap();
        let end = usize::try_from(range.end).unwrap();
        let (name, data) = match &payload {
            Payload::CustomSection(custom) => (Some(custom.name().to_string()), custom.data()),
            _ => (None, &wasm[start..end]),
        };
        out.push(RawSection {
            name,
            raw: wasm[handled..end].to_vec(),
            payload: data.to_vec(),
        });
        handled = end;
    }
    out
}

fn is_it_section(section: &RawSection) -> bool {
    section.name.as_deref() == Some("interface-types")
}

#[test]
fn it_show_prints_what_marine_prints_with_strait_spellings() {
    let Some(root) = artifacts() else {
        return;
    };
    for module in modules(&root) {
        let shown = stdout(&strait(&[&"it", &"show", &module]));
        let marine = std::fs::read_to_string(module.with_extension("it.txt")).unwrap();
        assert_eq!(shown, normalise_marine(&marine), "{}", module.display());
    }
}

#[test]
fn it_show_greeting_exactly() {
    let Some(root) = artifacts() else {
        return;
    };
    let shown = stdout(&strait(&[
        &"it",
        &"show",
        &root.join("greeting/greeting.wasm"),
    ]));
    assert_eq!(shown, include_str!("expected/greeting.it"));
}

#[test]
fn it_set_with_the_shown_text_keeps_every_section() {
    let Some(root) = artifacts() else {
        return;
    };
    for module in modules(&root) {
        let name = module.file_stem().unwrap().to_string_lossy().into_owned();
        let text = scratch(&format!("{name}.it"));
        let out = scratch(&format!("{name}.same.wasm"));
        std::fs::write(&text, stdout(&strait(&[&"it", &"show", &module]))).unwrap();
        stdout(&strait(&[&"it", &"set", &module, &text, &"-o", &out]));
        let before = std::fs::read(&module).unwrap();
        let after = std::fs::read(&out).unwrap();
        let (before, after) = (raw_sections(&before), raw_sections(&after));
        assert_eq!(before.len(), after.len(), "{name}");
        for (a, b) in before.iter().zip(&after) {
            assert_eq!(a.name, b.name);
            if is_it_section(a) {
                // Same payload; only a padded size field may have become minimal.
                assert!(a.payload == b.payload, "{name}: IT section changed");
            } else {
                assert!(a.raw == b.raw, "{name}: section {:?} changed", a.name);
            }
        }
    }
    // Modules written by current toolchains have minimal size fields: identical files.
    let module = root.join("greeting/greeting.wasm");
    let text = scratch("greeting-identical.it");
    let out = scratch("greeting-identical.wasm");
    std::fs::write(&text, stdout(&strait(&[&"it", &"show", &module]))).unwrap();
    stdout(&strait(&[&"it", &"set", &module, &text, &"-o", &out]));
    assert!(std::fs::read(&module).unwrap() == std::fs::read(&out).unwrap());
}

#[test]
fn it_set_then_show_round_trips_an_edited_section() {
    let Some(root) = artifacts() else {
        return;
    };
    let module = root.join("greeting/greeting.wasm");
    let original = stdout(&strait(&[&"it", &"show", &module]));
    let edited = original
        .replace("$name: string", "\"user name\": string")
        .replace(
            "(@interface export \"greeting\"",
            "(@interface export \"greet\"",
        )
        + ";; a trailing comment\n";
    let text = scratch("greeting-edited.it");
    let out = scratch("greeting-edited.wasm");
    std::fs::write(&text, &edited).unwrap();
    stdout(&strait(&[&"it", &"set", &module, &text, &"-o", &out]));
    let shown = stdout(&strait(&[&"it", &"show", &out]));
    assert_eq!(shown, edited.replace(";; a trailing comment\n", ""));
    assert!(shown.contains("(param \"user name\": string)"));
    // Everything but the IT section is unchanged.
    let before = raw_sections(&std::fs::read(&module).unwrap());
    let after = raw_sections(&std::fs::read(&out).unwrap());
    let others = |sections: Vec<RawSection>| -> Vec<Vec<u8>> {
        sections
            .into_iter()
            .filter(|section| !is_it_section(section))
            .map(|section| section.raw)
            .collect()
    };
    assert!(others(before) == others(after));
}

#[test]
fn it_set_adds_a_section_to_a_module_without_one() {
    let empty = scratch("empty.wasm");
    std::fs::write(&empty, b"\0asm\x01\0\0\0").unwrap();
    assert_fails(
        &strait(&[&"it", &"show", &empty]),
        "has no `interface-types` custom section",
    );
    let text = scratch("minimal.it");
    std::fs::write(
        &text,
        "(@interface it_version \"0.28.0\")\n(@interface type (func (param $size: i32) (result i32)))\n\
         (@interface export \"allocate\" (func 0))\n",
    )
    .unwrap();
    let out = scratch("minimal.wasm");
    stdout(&strait(&[&"it", &"set", &empty, &text, &"-o", &out]));
    let shown = stdout(&strait(&[&"it", &"show", &out]));
    assert!(shown.contains("(@interface export \"allocate\" (func 0))"));
    // The smallest valid blob of §2.4, in a custom section after the header.
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0");
    assert!(
        bytes.ends_with(
            b"\x05\x060.28.0\x00\x01\x00\x01\x04size\x0c\x01\x0c\x03\x01\x08allocate\x00"
        )
    );
}

#[test]
fn info_prints_versions_functions_and_records() {
    let Some(root) = artifacts() else {
        return;
    };
    let info = stdout(&strait(&[
        &"info",
        &root.join("greeting_record/greeting-record.wasm"),
    ]));
    assert_eq!(
        info,
        "it version:  0.27.0\nsdk version: 0.11.0\n\nexported data types:\ndata GreetingRecord:\n  \
         str: string\n  num: i32\n\nexported functions:\nfunc greeting_record() -> \
         GreetingRecord\nfunc log_debug()\nfunc log_error()\nfunc log_info()\nfunc log_trace()\n\
         func log_warn()\nfunc void_fn()\n"
    );
    let info = stdout(&strait(&[
        &"info",
        &root.join("url-downloader/local_storage.wasm"),
    ]));
    assert!(info.contains("<no exported data types>"));
    assert!(info.contains("func get(file_name: string) -> []u8\n"));
    assert!(info.contains("func put(name: string, file_content: []u8) -> string\n"));
    let info = stdout(&strait(&[
        &"info",
        &root.join("call_parameters/call_parameters.wasm"),
    ]));
    assert!(info.contains("  tetraplets: [][]SecurityTetraplet\n"));
    assert!(info.contains("data ParticleParameters:\n"));
}

#[test]
fn errors_exit_1_with_a_message() {
    let missing = scratch("does-not-exist.wasm");
    assert_fails(&strait(&[&"it", &"show", &missing]), "cannot read");
    assert_fails(&strait(&[&"info", &missing]), "cannot read");

    let not_wasm = scratch("not-wasm.wasm");
    std::fs::write(&not_wasm, "(module)").unwrap();
    assert_fails(
        &strait(&[&"it", &"show", &not_wasm]),
        "not a valid WebAssembly module",
    );

    let empty = scratch("no-sections.wasm");
    std::fs::write(&empty, b"\0asm\x01\0\0\0").unwrap();
    assert_fails(&strait(&[&"info", &empty]), "no `interface-types`");

    // A malformed IT section: unknown opcode 0x25 in an adapter.
    let bad = scratch("bad-it.wasm");
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    let payload = b"\x05\x060.28.0\x02\x01\x00\x01\x25";
    wasm.push(0);
    wasm.push(u8::try_from(1 + 15 + payload.len()).unwrap());
    wasm.push(15);
    wasm.extend_from_slice(b"interface-types");
    wasm.extend_from_slice(payload);
    std::fs::write(&bad, &wasm).unwrap();
    assert_fails(
        &strait(&[&"it", &"show", &bad]),
        "unknown instruction opcode 0x25",
    );

    // A bad IT text: file, line and column.
    let text = scratch("bad.it");
    std::fs::write(
        &text,
        "(@interface it_version \"0.28.0\")\n(@interface type (func (param $a: i33)))\n",
    )
    .unwrap();
    let out = scratch("never-written.wasm");
    let output = strait(&[&"it", &"set", &empty, &text, &"-o", &out]);
    assert_fails(&output, "bad.it:2:35: expected a type, found `i33`");
    assert!(!out.exists());

    // A text Marine could not read back.
    std::fs::write(
        &text,
        "(@interface it_version \"0.28.0\")\n(@interface func (type 0) i64.push -1)\n",
    )
    .unwrap();
    assert_fails(
        &strait(&[&"it", &"set", &empty, &text, &"-o", &out]),
        "negative i64",
    );

    assert_fails(&strait(&[&"bogus"]), "unrecognized subcommand");
    assert_fails(&strait(&[&"it", &"set", &empty]), "required");
}

#[test]
fn corrupted_modules_are_rejected_cleanly() {
    let Some(root) = artifacts() else {
        return;
    };
    for entry in std::fs::read_dir(root.join("corrupted")).unwrap() {
        let path = entry.unwrap().path();
        assert_fails(
            &strait(&[&"it", &"show", &path]),
            "not a valid WebAssembly module",
        );
        assert_fails(&strait(&[&"info", &path]), "not a valid WebAssembly module");
    }
}

/// A record argument nested 500 levels (deeper than serde_json's own parser goes) crosses
/// `strait call` both ways on every engine, from the command line and from `--args-file`;
/// JSON text past the depth limit is refused with the byte offset, not a stack overflow.
#[test]
fn call_with_a_deep_record() {
    use strait_conformance::deep::{deep_record, deep_record_module};
    let dir = scratch("deep");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("deep.wat"), deep_record_module(500)).unwrap();
    let config = dir.join("Config.toml");
    std::fs::write(
        &config,
        "modules_dir = \".\"\ntotal_memory_limit = \"10 MiB\"\n[[module]]\nname = \"deep\"\nfile_name = \"deep.wat\"\n",
    )
    .unwrap();
    let (text, _) = deep_record(500, 42);
    let args = format!("[{text}]");
    let args_file = dir.join("args.json");
    std::fs::write(&args_file, &args).unwrap();
    let (too_deep, _) = deep_record(strait::json::MAX_TEXT_DEPTH, 1);
    for engine in strait::BACKENDS {
        let common: [&dyn AsRef<std::ffi::OsStr>; 7] = [
            &"--no-cache",
            &"call",
            &"--backend",
            engine,
            &config,
            &"deep",
            &"echo",
        ];
        // The result is pretty-printed; the record holds no strings, so all whitespace goes.
        let compact = |output: &Output| stdout(output).split_whitespace().collect::<String>();
        let inline = strait(&[&common[..], &[&args]].concat());
        assert_eq!(compact(&inline), text, "{engine}");
        let from_file = strait(&[&common[..], &[&"--args-file", &args_file]].concat());
        assert_eq!(compact(&from_file), text, "{engine}");
        let refused = strait(&[&common[..], &[&format!("[{too_deep}]")]].concat());
        assert_fails(
            &refused,
            &format!(
                "arguments are not valid JSON: JSON text nests deeper than {} levels",
                strait::json::MAX_TEXT_DEPTH
            ),
        );
    }
}
