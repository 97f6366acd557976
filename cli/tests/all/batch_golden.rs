//! `strait batch` replays every visible golden scenario of Marine 0.37 on both engines:
//! one JSON line in per call, one `{"result"}` or `{"error"}` line out, matched as
//! `golden/README.md` says. A failed load writes one `{"error"}` line and exits 1.

use serde_json::{Value, json};
use strait_conformance::golden::{
    Expected, WorkingCopy, expand_generators, match_result, read_scenario, scenario_names,
    shared_dir, substitute_data,
};

fn replay(backend: &str) {
    let Some(shared) = shared_dir() else { return };
    let mut failures = Vec::new();
    let mut calls = 0;
    for name in scenario_names(&shared) {
        let scenario = read_scenario(&shared, &name);
        let copy = WorkingCopy::new(&shared).expect("working copy");
        let config = copy.root().join(&scenario.load.config);
        let data = copy.data_dir().display().to_string();
        let mut input = String::new();
        for call in &scenario.calls {
            let mut request = json!({
                "module": call.module,
                "function": call.function,
                "args": expand_generators(&substitute_data(&call.args, &data)),
            });
            if let Some(parameters) = &call.call_parameters {
                request["call_parameters"] = substitute_data(parameters, &data);
            }
            input.push_str(&request.to_string());
            input.push('\n');
        }
        // A failed load stops reading: how the writing went does not matter.
        let (output, _) = super::run_batch(
            &[
                "--backend".as_ref(),
                backend.as_ref(),
                "--working-dir".as_ref(),
                config.parent().expect("config folder").as_os_str(),
                config.as_os_str(),
            ],
            input.into_bytes(),
        );
        let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
        let lines: Vec<Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        if !scenario.load.ok {
            let failed_load =
                !output.status.success() && lines.len() == 1 && lines[0].get("error").is_some();
            if !failed_load {
                failures.push(format!("{name}: the load should fail with one error line"));
            }
            continue;
        }
        if lines.len() != scenario.calls.len() {
            failures.push(format!(
                "{name}: {} lines for {} calls",
                lines.len(),
                scenario.calls.len()
            ));
            continue;
        }
        for (index, (call, line)) in scenario.calls.iter().zip(&lines).enumerate() {
            calls += 1;
            let what = format!("{name} call {index}");
            match (&call.expected, line.get("result"), line.get("error")) {
                (Expected::Result(_), Some(actual), None) if call.host_dependent => {
                    if !actual.is_string() {
                        failures.push(format!("{what}: not a string"));
                    }
                }
                (Expected::Result(expected), Some(actual), None) => {
                    if let Err(e) = match_result(&substitute_data(expected, &data), actual) {
                        failures.push(format!("{what}: {e}"));
                    }
                }
                (Expected::Error(_), None, Some(_)) => {}
                _ => failures.push(format!("{what}: unexpected {line}")),
            }
        }
    }
    assert!(failures.is_empty(), "{backend}: {}", failures.join("\n"));
    assert!(calls > 100, "only {calls} calls were replayed");
}

/// One test per engine of this build: `golden_batch::wasmtime`, `golden_batch::wasmi`.
macro_rules! golden_batch {
    ([] $($engine:ident $ty:path;)*) => {
        mod golden_batch {
            $(
                #[test]
                fn $engine() {
                    super::replay(stringify!($engine));
                }
            )*
        }
    };
}
strait::for_each_backend! { golden_batch }
