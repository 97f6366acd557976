//! AIR scripts run through the particle loop on every engine, against built-ins, the
//! JS-client conventions and real Marine services (`../shared/artifacts`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use strait::Backend;
use strait_air::{AirError, AirRunner, KeyPair};
use support::{artifact, particle};

fn run<B: Backend>(runner: &mut AirRunner<B>, script: &str) -> strait_air::RunReport {
    let report = runner.run(script, &particle()).expect("the loop runs");
    assert_eq!(
        report.ret_code, 0,
        "script failed: {} (calls: {:?})",
        report.error_message, report.calls
    );
    report
}

/// The spec's worked example: one call request, answered in the second `invoke`.
fn single_call<B: Backend>(runner: &mut AirRunner<B>) {
    let report = run(
        runner,
        r#"(call %init_peer_id% ("op" "identity") ["hello"] r)"#,
    );
    assert_eq!(report.steps, 2);
    assert_eq!(report.calls.len(), 1);
    let call = &report.calls[0];
    assert_eq!(
        (call.service_id.as_str(), call.function_name.as_str()),
        ("op", "identity")
    );
    assert_eq!(call.args, [json!("hello")]);
    assert_eq!((call.ret_code, &call.result), (0, &json!("hello")));
    assert!(report.next_peer_pks.is_empty());
    assert!(!report.data.is_empty());
}

/// `par` branches are requested together and answered in one step; `xor` catches a failing
/// built-in and runs its second branch.
fn seq_par_xor<B: Backend>(runner: &mut AirRunner<B>) {
    let script = r#"
        (seq
            (par
                (call %init_peer_id% ("op" "identity") ["a"] a)
                (call %init_peer_id% ("op" "concat_strings") ["b" "c"] b))
            (xor
                (call %init_peer_id% ("math" "div") [1 0] d)
                (call %init_peer_id% ("callbackSrv" "response") [a b])))"#;
    let report = run(runner, script);
    assert_eq!(report.responses, [vec![json!("a"), json!("bc")]]);
    let names: Vec<_> = report
        .calls
        .iter()
        .map(|c| c.function_name.as_str())
        .collect();
    assert_eq!(names, ["identity", "concat_strings", "div", "response"]);
    // par: both calls in step 1; div in step 2; response in step 3; nothing left in step 4.
    assert_eq!(report.steps, 4);
    assert_eq!(report.calls[2].ret_code, 1);
    assert_eq!(report.calls[2].result, json!("i64 div overflow"));
}

/// A stream filled by `fold`, fixed by `canon`, passed as an array.
fn fold_and_canon<B: Backend>(runner: &mut AirRunner<B>) {
    let script = r#"
        (seq
            (seq
                (call %init_peer_id% ("op" "array") ["x" "y" "z"] items)
                (fold items i
                    (seq
                        (call %init_peer_id% ("op" "concat_strings") [i "!"] $out)
                        (next i))))
            (seq
                (canon %init_peer_id% $out #out)
                (call %init_peer_id% ("callbackSrv" "response") [#out #out.length])))"#;
    let report = run(runner, script);
    assert_eq!(
        report.responses,
        [vec![json!(["x!", "y!", "z!"]), json!(3)]]
    );
    assert_eq!(report.steps, 6);
}

/// `%last_error%` after a trapping Marine service and after an unknown service: the service
/// error is answered as ret_code 1 and AquaVM reports it with error code 10000.
fn last_error<B: Backend>(runner: &mut AirRunner<B>) {
    runner.add_service("failing", artifact("failing")).unwrap();
    let script = r#"
        (seq
            (xor
                (call %init_peer_id% ("failing" "failing") [] r)
                (call %init_peer_id% ("errorHandlingSrv" "error") [%last_error% 1]))
            (xor
                (call %init_peer_id% ("nope" "missing") ["x"] r2)
                (call %init_peer_id% ("errorHandlingSrv" "error") [%last_error%.$.message 2])))"#;
    let report = run(runner, script);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    let first = &report.errors[0];
    assert_eq!(first[1], json!(1));
    assert_eq!(first[0]["error_code"], json!(10000));
    let message = first[0]["message"].as_str().unwrap();
    assert!(message.contains("failing"), "{message}");
    assert_eq!(report.calls[0].ret_code, 1);
    let unknown = report.errors[1][0].as_str().unwrap();
    assert!(
        unknown.contains("Service with id 'nope' not found (function missing)"),
        "{unknown}"
    );
}

/// A call addressed to another peer is not requested locally: the particle would go there.
fn call_to_another_peer<B: Backend>(runner: &mut AirRunner<B>) {
    let other = KeyPair::from_seed([2; 32]);
    let script = format!(
        r#"(seq
            (call %init_peer_id% ("op" "noop") [])
            (call "{}" ("op" "identity") ["far"] r))"#,
        other.peer_id()
    );
    let report = run(runner, &script);
    assert_eq!(report.steps, 2);
    assert_eq!(report.calls.len(), 1);
    assert_eq!(report.calls[0].result, json!(""));
    assert_eq!(report.next_peer_pks, [other.peer_id()]);
}

/// `getDataSrv` answers the run's arguments (and `-relay-` the local peer); the response
/// goes to `callbackSrv`: the shape of Aqua-compiled functions.
fn get_data_and_callback<B: Backend>(runner: &mut AirRunner<B>) {
    runner.set_arg("name", json!("world"));
    runner.set_arg("count", json!({"n": 2}));
    let script = r#"
        (seq
            (seq
                (call %init_peer_id% ("getDataSrv" "-relay-") [] -relay-)
                (call %init_peer_id% ("getDataSrv" "name") [] name))
            (seq
                (call %init_peer_id% ("getDataSrv" "count") [] count)
                (call %init_peer_id% ("callbackSrv" "response") [name count.$.n -relay-])))"#;
    let report = run(runner, script);
    let peer = runner.peer_id().to_owned();
    assert_eq!(
        report.responses,
        [vec![json!("world"), json!(2), json!(peer)]]
    );
    assert_eq!(report.steps, 5);
}

/// A missing argument is an error answer, caught by the script's `xor` as Aqua compiles it.
fn missing_argument<B: Backend>(runner: &mut AirRunner<B>) {
    let script = r#"
        (xor
            (seq
                (call %init_peer_id% ("getDataSrv" "name") [] name)
                (call %init_peer_id% ("callbackSrv" "response") [name]))
            (call %init_peer_id% ("errorHandlingSrv" "error") [%last_error% 1]))"#;
    let report = run(runner, script);
    assert!(report.responses.is_empty());
    assert_eq!(report.errors.len(), 1);
    let message = report.errors[0][0]["message"].as_str().unwrap();
    assert!(
        message.contains("getDataSrv has no argument `name`"),
        "{message}"
    );
}

/// Aqua's hello world (as the Aqua compiler emits it for `Greeting.greeting(name)`) against
/// the greeting artifact: the spec's five steps.
fn aqua_hello_world<B: Backend>(runner: &mut AirRunner<B>) {
    runner
        .add_service("greeting", artifact("greeting"))
        .unwrap();
    runner.set_arg("name", json!("world"));
    let script =
        std::fs::read_to_string(support::repo().join("examples/greeting/hello.air")).unwrap();
    let report = run(runner, &script);
    assert_eq!(report.responses, [[json!("Hi, world")]]);
    assert!(report.errors.is_empty());
    assert_eq!(report.steps, 5);
}

/// Lambdas over a record result: `r.$.field`.
fn record_lambda<B: Backend>(runner: &mut AirRunner<B>) {
    runner
        .add_service("rec", artifact("greeting_record"))
        .unwrap();
    let script = r#"
        (seq
            (call %init_peer_id% ("rec" "greeting_record") [] r)
            (call %init_peer_id% ("callbackSrv" "response") [r.$.str r.$.num r]))"#;
    let report = run(runner, script);
    let record = report.calls[0].result.clone();
    assert_eq!(
        report.responses,
        [vec![
            record["str"].clone(),
            record["num"].clone(),
            record.clone()
        ]]
    );
    assert!(
        record["str"].is_string() && record["num"].is_number(),
        "{record}"
    );
}

/// A service function without a result answers `""` (nox's `FunctionOutcome::Empty`).
fn unit_function<B: Backend>(runner: &mut AirRunner<B>) {
    runner
        .add_service("rec", artifact("greeting_record"))
        .unwrap();
    let script = r#"
        (seq
            (call %init_peer_id% ("rec" "void_fn") [] v)
            (call %init_peer_id% ("callbackSrv" "response") [v]))"#;
    let report = run(runner, script);
    assert_eq!(report.responses, [[json!("")]]);
}

/// The call parameters a module sees are nox's: particle, service id, the local peer as
/// host/worker/creator, and the tetraplets of the arguments.
fn call_parameters_reach_the_module<B: Backend>(runner: &mut AirRunner<B>) {
    runner
        .add_service("params", artifact("call_parameters"))
        .unwrap();
    let script = r#"
        (seq
            (call %init_peer_id% ("op" "identity") ["hi"] x)
            (call %init_peer_id% ("params" "call_parameters") [] p))"#;
    let report = run(runner, script);
    let params = &report.calls[1].result;
    let peer = runner.peer_id();
    let particle = &params["particle"];
    assert_eq!(particle["id"], json!("test-particle"));
    assert_eq!(particle["init_peer_id"], json!(peer));
    assert_eq!(particle["timestamp"], json!(1_700_000_000_000u64));
    assert_eq!(particle["ttl"], json!(120_000));
    assert!(
        particle["script"]
            .as_str()
            .unwrap()
            .contains("call_parameters")
    );
    assert_eq!(params["service_id"], json!("params"));
    for field in ["host_id", "worker_id", "service_creator_peer_id"] {
        assert_eq!(params[field], json!(peer), "{field}");
    }
    assert_eq!(params["tetraplets"], json!([]));
}

/// The tetraplets AquaVM sends with a request (where each argument came from) reach the
/// service call: they are recorded and passed on in its call parameters.
fn tetraplets_of_arguments<B: Backend>(runner: &mut AirRunner<B>) {
    runner
        .add_service("greeting", artifact("greeting"))
        .unwrap();
    let script = r#"
        (seq
            (call %init_peer_id% ("json" "obj") ["name" "x"] x)
            (call %init_peer_id% ("greeting" "greeting") [x.$.name] g))"#;
    let report = run(runner, script);
    assert_eq!(report.calls[1].result, json!("Hi, x"));
    let tetraplets = &report.calls[1].tetraplets;
    assert_eq!(tetraplets.len(), 1, "{tetraplets:?}");
    let tetraplet = &tetraplets[0][0];
    assert_eq!(tetraplet.peer_pk, runner.peer_id());
    assert_eq!(
        (
            tetraplet.service_id.as_str(),
            tetraplet.function_name.as_str()
        ),
        ("json", "obj")
    );
    assert_eq!(tetraplet.lens, ".$.name");
}

/// The ret_code-9 pitfall: a current peer id that is not the key's own passes the first
/// steps and fails when signed data comes back; the runner's derived id does not.
fn made_up_peer_id_fails_on_the_third_step<B: Backend>(runner: &mut AirRunner<B>) {
    let script = r#"
        (seq
            (call %init_peer_id% ("op" "identity") ["a"] a)
            (call %init_peer_id% ("op" "identity") ["b"] b))"#;
    let mut params = strait_air::RunParameters::new(&support::key(), "p", 0, 120_000);
    params.init_peer_id = "12D3KooWinit".to_owned();
    params.current_peer_id = "12D3KooWinit".to_owned();
    let answer = |id: u32, value: &str| {
        strait_air::encode_call_results(
            &[(
                id,
                strait_air::CallServiceResult {
                    ret_code: 0,
                    result: json!(value),
                },
            )]
            .into(),
        )
        .unwrap()
    };
    let vm = runner.interpreter_mut();
    let none = strait_air::encode_call_results(&Default::default()).unwrap();
    let first = vm
        .invoke(script, Vec::new(), Vec::new(), &params, none)
        .unwrap();
    assert_eq!(first.ret_code, 0, "{}", first.error_message);
    let second = vm
        .invoke(script, first.data, Vec::new(), &params, answer(1, "a"))
        .unwrap();
    assert_eq!(second.ret_code, 0, "{}", second.error_message);
    let third = vm
        .invoke(script, second.data, Vec::new(), &params, answer(2, "b"))
        .unwrap();
    assert_eq!(third.ret_code, 9, "{}", third.error_message);
    let report = run(runner, script);
    assert_eq!(report.steps, 3);
}

/// An AIR syntax error is AquaVM's error outcome, reported (not a panic, not a loop error).
fn air_syntax_error<B: Backend>(runner: &mut AirRunner<B>) {
    let report = runner
        .run("(seq (call %init_peer_id% (", &particle())
        .unwrap();
    assert_ne!(report.ret_code, 0);
    assert!(
        report.error_message.contains("air"),
        "{}",
        report.error_message
    );
    assert_eq!(report.steps, 1);
    assert!(report.calls.is_empty());
}

/// A script that keeps requesting calls stops at the step limit with an error.
fn max_steps_exceeded<B: Backend>(runner: &mut AirRunner<B>) {
    runner.set_max_steps(3);
    let script = r#"
        (seq
            (call %init_peer_id% ("op" "array") [1 2 3 4 5] xs)
            (fold xs x
                (seq
                    (call %init_peer_id% ("op" "identity") [x] $s)
                    (next x))))"#;
    let error = runner.run(script, &particle()).unwrap_err();
    assert!(
        matches!(
            error,
            AirError::MaxSteps {
                max_steps: 3,
                pending: 1
            }
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains("did not finish in 3 steps"),
        "{error}"
    );
    // The same runner still works.
    runner.set_max_steps(10);
    assert_eq!(run(runner, script).steps, 7);
}

/// Built-ins answer with nox's values and errors.
fn builtins_through_aquavm<B: Backend>(runner: &mut AirRunner<B>) {
    let script = r#"
        (seq
            (seq
                (call %init_peer_id% ("math" "add") [2 3] sum)
                (call %init_peer_id% ("json" "obj") ["k" sum] obj))
            (seq
                (call %init_peer_id% ("op" "identity") [1 2] bad)
                (call %init_peer_id% ("callbackSrv" "response") [obj])))"#;
    let report = runner.run(script, &particle()).unwrap();
    let results: Vec<(i32, Value)> = report
        .calls
        .iter()
        .map(|c| (c.ret_code, c.result.clone()))
        .collect();
    assert_eq!(results[0], (0, json!(5)));
    assert_eq!(results[1], (0, json!({"k": 5})));
    assert_eq!(
        results[2],
        (
            1,
            json!("identity accepts up to 1 arguments, received 2 arguments")
        )
    );
    // The failed call is not caught: the script ends with AquaVM's error for it.
    assert_ne!(report.ret_code, 0);
    assert!(report.responses.is_empty());
}

/// A real production service, Fluence's spell (spell.wasm + sqlite3.wasm, its shipped
/// config): a value stored by one call is read back by a later one, and a list is built up.
/// The calls carry nox's call parameters, so the spell's own access rules apply: the init
/// peer is the host, which may write the `hw_` keys and not the spell's own.
fn spell_service<B: Backend>(runner: &mut AirRunner<B>) {
    runner.add_service("spell", support::spell::<B>()).unwrap();
    let script = r#"
        (seq
            (seq
                (call %init_peer_id% ("spell" "set_string") ["hw_greeting" "hello"] set)
                (seq
                    (call %init_peer_id% ("spell" "list_push_string") ["hw_names" "a"] p1)
                    (call %init_peer_id% ("spell" "list_push_string") ["hw_names" "b"] p2)))
            (seq
                (seq
                    (call %init_peer_id% ("spell" "get_string") ["hw_greeting"] got)
                    (call %init_peer_id% ("spell" "list_get_strings") ["hw_names"] names))
                (seq
                    (call %init_peer_id% ("spell" "set_string") ["greeting" "no"] denied)
                    (call %init_peer_id% ("callbackSrv" "response") [got.$.value got.$.absent names.$.value]))))"#;
    let report = run(runner, script);
    assert_eq!(
        report.responses,
        [vec![json!("hello"), json!(false), json!(["a", "b"])]],
        "calls: {:?}",
        report.calls
    );
    assert_eq!(report.calls[0].result["success"], json!(true));
    let denied = &report.calls[5].result;
    assert_eq!(denied["success"], json!(false));
    assert!(
        denied["error"].as_str().unwrap().contains("forbidden"),
        "{denied}"
    );
    assert_eq!(report.calls.len(), 7);
}

/// The spell service (SQLite, SIMD, WASI files) loads and answers on Wasmtime's Winch compiler
/// as on Cranelift, with the spell's access rules applied to nox's call parameters.
#[test]
fn spell_on_winch() {
    use strait::{CallParameters, Compiler, EngineConfig, Service, ServiceOptions, Wasmtime};
    let dir = support::spell_dir();
    let options = ServiceOptions {
        working_dir: Some(dir.clone()),
        engine: EngineConfig::default().with_compiler(Compiler::Winch),
        ..ServiceOptions::default()
    };
    let mut spell = Service::<Wasmtime>::from_config_file(&dir.join("Config.toml"), options)
        .unwrap_or_else(|e| panic!("cannot load the spell service on Winch: {e}"));
    let host = CallParameters {
        host_id: "host".into(),
        particle: strait::call_parameters::ParticleParameters {
            init_peer_id: "host".into(),
            ..Default::default()
        },
        ..CallParameters::default()
    };
    let mut call = |function: &str, args: Value| {
        spell
            .call_json("spell", function, &args, host.clone())
            .unwrap_or_else(|e| panic!("{function}: {e}"))
    };
    assert_eq!(
        call("set_string", json!(["hw_greeting", "hello"]))["success"],
        json!(true)
    );
    let got = call("get_string", json!(["hw_greeting"]));
    assert_eq!(
        (&got["value"], &got["absent"]),
        (&json!("hello"), &json!(false))
    );
    let denied = call("set_string", json!(["greeting", "no"]));
    assert_eq!(denied["success"], json!(false));
}

air_scenarios!(
    spell_service,
    single_call,
    seq_par_xor,
    fold_and_canon,
    last_error,
    call_to_another_peer,
    get_data_and_callback,
    missing_argument,
    aqua_hello_world,
    record_lambda,
    unit_function,
    call_parameters_reach_the_module,
    tetraplets_of_arguments,
    made_up_peer_id_fails_on_the_third_step,
    air_syntax_error,
    max_steps_exceeded,
    builtins_through_aquavm,
);
