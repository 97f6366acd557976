//! The REPL's command line: mrepl's commands and short names, and strait's own (`engine`,
//! `time`, `fuel`, `deadline`).

use serde_json::Value;
use std::path::PathBuf;

/// One parsed REPL line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// A blank line or a `#` comment.
    Nothing,
    /// `call MODULE FUNC [-nr] [ARGS] [CALL_PARAMS]`.
    Call {
        module: String,
        function: String,
        args: Value,
        call_parameters: Option<Value>,
        /// `-nr`: do not print the result (mrepl's flag).
        hide_result: bool,
    },
    /// `interface`.
    Interface,
    /// `new [CONFIG]`: a service from a config, or an empty one.
    New(Option<PathBuf>),
    /// `load NAME PATH`.
    Load { name: String, path: PathBuf },
    /// `unload NAME`.
    Unload(String),
    /// `envs MODULE`.
    Envs(String),
    /// `fs MODULE`.
    Fs(String),
    /// `stats`.
    Stats,
    /// `engine NAME`.
    Engine(String),
    /// `time on|off`; `None` shows the setting.
    Time(Option<bool>),
    /// `fuel N|off`; `None` inside is `off`.
    Fuel(Option<u64>),
    /// `deadline MS|off`, in milliseconds.
    Deadline(Option<u64>),
    /// `help`.
    Help,
    /// `quit`.
    Quit,
}

/// Every command name and short name, for completion.
pub(crate) const NAMES: &[&str] = &[
    "call",
    "c",
    "interface",
    "i",
    "new",
    "n",
    "load",
    "l",
    "unload",
    "u",
    "envs",
    "e",
    "fs",
    "f",
    "stats",
    "st",
    "s",
    "engine",
    "time",
    "fuel",
    "deadline",
    "help",
    "h",
    "quit",
    "q",
];

/// The `help` text.
pub(crate) const HELP: &str = "\
Commands:
  c/call <module> <func> [-nr] [json args] [json call parameters]
                                  call a function (args: array, object by name or one value;
                                  -nr hides the result)
  i/interface                     print the interface of all loaded modules
  n/new [config]                  replace the service with one from a config (or an empty one)
  l/load <name> <path>            load a module (.wasm or .wat) with the [default] settings
  u/unload <name>                 unload a module
  e/envs <module>                 print the WASI environment variables of a module
  f/fs <module>                   print the WASI mapped directories of a module
  st/stats                        memory per module and in total, against the limit
  engine wasmtime|wasmi           reload the same service on the other engine
  time on|off                     also print the load time of each module
  fuel <n>|off                    fuel per call into each module (reloads the service)
  deadline <ms>|off               wall-clock deadline per call, wasmtime only (reloads)
  h/help                          print this message
  q/quit, Ctrl-D                  exit";

/// The first whitespace-separated word of `text` and the rest, trimmed.
fn word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(end) => (&text[..end], text[end..].trim_start()),
        None => (text, ""),
    }
}

/// One required word argument; nothing may follow it.
fn one(rest: &str, usage: &str) -> Result<String, String> {
    match word(rest) {
        ("", _) => Err(format!("missing argument; usage: {usage}")),
        (arg, "") => Ok(arg.to_owned()),
        (_, extra) => Err(format!("unexpected `{extra}`; usage: {usage}")),
    }
}

fn on_off(rest: &str, usage: &str) -> Result<Option<bool>, String> {
    match rest.trim() {
        "" => Ok(None),
        "on" => Ok(Some(true)),
        "off" => Ok(Some(false)),
        other => Err(format!(
            "expected `on` or `off`, not `{other}`; usage: {usage}"
        )),
    }
}

fn limit(rest: &str, usage: &str) -> Result<Option<u64>, String> {
    match rest.trim() {
        "off" => Ok(None),
        "" => Err(format!("missing argument; usage: {usage}")),
        number => number.parse::<u64>().map(Some).map_err(|_| {
            format!("`{number}` is not a non-negative whole number or `off`; usage: {usage}")
        }),
    }
}

/// The JSON values of `text`, one after another (`["a"] {"service_id": "x"}`).
fn json_values(text: &str) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let offset = stream.byte_offset();
        match stream.next() {
            None => return Ok(values),
            Some(Ok(value)) => values.push(value),
            Some(Err(error)) => {
                let what = if values.is_empty() {
                    "the arguments"
                } else {
                    "the call parameters"
                };
                let at = text.get(offset..).map_or("", str::trim_start);
                let at: String = at.chars().take(30).collect();
                return Err(format!("{what} are not valid JSON ({error}) at `{at}`"));
            }
        }
    }
}

const CALL_USAGE: &str = "call <module> <func> [-nr] [json args] [json call parameters]";

fn call(rest: &str) -> Result<Command, String> {
    let (module, rest) = word(rest);
    let (function, mut rest) = word(rest);
    if module.is_empty() || function.is_empty() {
        return Err(format!("missing module or function; usage: {CALL_USAGE}"));
    }
    let mut hide_result = false;
    if let ("-nr", after) = word(rest) {
        hide_result = true;
        rest = after;
    }
    let mut values = json_values(rest)?.into_iter();
    let args = values.next().unwrap_or(Value::Array(Vec::new()));
    let call_parameters = values.next();
    if values.next().is_some() {
        return Err(format!(
            "more than two JSON values after the function; usage: {CALL_USAGE}"
        ));
    }
    Ok(Command::Call {
        module: module.to_owned(),
        function: function.to_owned(),
        args,
        call_parameters,
        hide_result,
    })
}

/// Parses one line.
pub(crate) fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Command::Nothing);
    }
    let (name, rest) = word(line);
    let none = |command: Command| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(format!("`{name}` takes no arguments, got `{rest}`"))
        }
    };
    match name {
        "c" | "call" => call(rest),
        "i" | "interface" => none(Command::Interface),
        "n" | "new" => Ok(Command::New(
            (!rest.is_empty()).then(|| PathBuf::from(rest)),
        )),
        "l" | "load" => {
            let (module, path) = word(rest);
            if module.is_empty() || path.is_empty() {
                return Err("missing argument; usage: load <name> <path>".to_owned());
            }
            Ok(Command::Load {
                name: module.to_owned(),
                path: PathBuf::from(path),
            })
        }
        "u" | "unload" => one(rest, "unload <name>").map(Command::Unload),
        "e" | "envs" => one(rest, "envs <module>").map(Command::Envs),
        "f" | "fs" => one(rest, "fs <module>").map(Command::Fs),
        "s" | "st" | "stats" => none(Command::Stats),
        "engine" => one(rest, "engine wasmtime|wasmi").map(Command::Engine),
        "time" => on_off(rest, "time on|off").map(Command::Time),
        "fuel" => limit(rest, "fuel <n>|off").map(Command::Fuel),
        "deadline" => limit(rest, "deadline <ms>|off").map(Command::Deadline),
        "h" | "help" => Ok(Command::Help),
        "q" | "quit" | "exit" => none(Command::Quit),
        other => {
            let near = strait::nearest::nearest(other, NAMES.iter().copied());
            let hint = near.map_or(String::new(), |near| format!(" (did you mean `{near}`?)"));
            Err(format!(
                "unknown command `{other}`{hint}; type `help` for the commands"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(module: &str, function: &str, args: Value, params: Option<Value>) -> Command {
        Command::Call {
            module: module.into(),
            function: function.into(),
            args,
            call_parameters: params,
            hide_result: false,
        }
    }

    #[test]
    fn calls() {
        assert_eq!(
            parse("call greeting greeting [\"World\"]"),
            Ok(call("greeting", "greeting", json!(["World"]), None))
        );
        assert_eq!(parse("  c  m f"), Ok(call("m", "f", json!([]), None)));
        assert_eq!(
            parse(r#"c m f {"name": "x y"} {"service_id": "s"}"#),
            Ok(call(
                "m",
                "f",
                json!({"name": "x y"}),
                Some(json!({"service_id": "s"}))
            ))
        );
        assert_eq!(
            parse("c m f -nr [1]"),
            Ok(Command::Call {
                module: "m".into(),
                function: "f".into(),
                args: json!([1]),
                call_parameters: None,
                hide_result: true,
            })
        );
        assert_eq!(
            parse("c m f \"bare\""),
            Ok(call("m", "f", json!("bare"), None))
        );
    }

    #[test]
    fn call_errors() {
        assert!(
            parse("call")
                .unwrap_err()
                .starts_with("missing module or function")
        );
        assert!(
            parse("call m")
                .unwrap_err()
                .starts_with("missing module or function")
        );
        let bad = parse("call m f [\"x\"").unwrap_err();
        assert!(bad.starts_with("the arguments are not valid JSON"), "{bad}");
        let bad = parse("call m f [] {oops}").unwrap_err();
        assert!(
            bad.starts_with("the call parameters are not valid JSON"),
            "{bad}"
        );
        assert!(bad.contains("at `{oops}`"), "{bad}");
        assert!(
            parse("call m f [] {} []")
                .unwrap_err()
                .starts_with("more than two")
        );
    }

    #[test]
    fn the_other_commands_and_their_short_names() {
        assert_eq!(parse("i"), Ok(Command::Interface));
        assert_eq!(parse("interface"), Ok(Command::Interface));
        assert_eq!(parse("n"), Ok(Command::New(None)));
        assert_eq!(
            parse("new dir/Config.toml"),
            Ok(Command::New(Some("dir/Config.toml".into())))
        );
        assert_eq!(
            parse("l m a b.wasm"),
            Ok(Command::Load {
                name: "m".into(),
                path: "a b.wasm".into()
            })
        );
        assert_eq!(parse("u m"), Ok(Command::Unload("m".into())));
        assert_eq!(parse("e m"), Ok(Command::Envs("m".into())));
        assert_eq!(parse("fs m"), Ok(Command::Fs("m".into())));
        assert_eq!(parse("st"), Ok(Command::Stats));
        assert_eq!(parse("s"), Ok(Command::Stats));
        assert_eq!(parse("engine wasmi"), Ok(Command::Engine("wasmi".into())));
        assert_eq!(parse("time on"), Ok(Command::Time(Some(true))));
        assert_eq!(parse("time off"), Ok(Command::Time(Some(false))));
        assert_eq!(parse("time"), Ok(Command::Time(None)));
        assert_eq!(parse("fuel 1000"), Ok(Command::Fuel(Some(1000))));
        assert_eq!(parse("fuel off"), Ok(Command::Fuel(None)));
        assert_eq!(parse("deadline 50"), Ok(Command::Deadline(Some(50))));
        assert_eq!(parse("h"), Ok(Command::Help));
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(parse(""), Ok(Command::Nothing));
        assert_eq!(parse("# a comment"), Ok(Command::Nothing));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        assert_eq!(
            parse("interfce"),
            Err(
                "unknown command `interfce` (did you mean `interface`?); type `help` for the \
                 commands"
                    .to_owned()
            )
        );
        assert!(
            parse("load m")
                .unwrap_err()
                .contains("usage: load <name> <path>")
        );
        assert!(
            parse("unload a b")
                .unwrap_err()
                .starts_with("unexpected `b`")
        );
        assert!(parse("fuel lots").unwrap_err().starts_with("`lots` is not"));
        assert!(parse("fuel -1").unwrap_err().starts_with("`-1` is not"));
        assert!(
            parse("time maybe")
                .unwrap_err()
                .starts_with("expected `on` or `off`")
        );
        assert!(
            parse("stats now")
                .unwrap_err()
                .contains("takes no arguments")
        );
    }
}
