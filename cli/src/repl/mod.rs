//! `strait repl`: Marine's mrepl on strait (`spec/service.md` §14, D43).
//!
//! On a terminal, lines are read with rustyline (history in the user's data directory, line
//! editing, completion of commands, module and function names and paths); otherwise they are
//! read from stdin one by one and answered the same way, without prompt or banner, so that
//! the REPL can be scripted. Answers and errors go to stdout, in order; module logs and
//! config warnings to stderr. An error is one line starting with `error:` and never ends the
//! session.

mod command;
mod session;

use crate::error::CliError;
use crate::service::EngineArgs;
use clap::Args;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use session::{Flow, Session, Start};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

/// `strait repl` arguments.
#[derive(Args)]
pub(crate) struct ReplArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Print no banner and no message when the start-up service is created.
    #[arg(long, short)]
    quiet: bool,
    /// The service's Config.toml; an empty service when absent.
    config: Option<PathBuf>,
}

/// Runs the REPL on stdin until `quit` or the end of input.
pub(crate) fn run(args: &ReplArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let started = Instant::now();
    let mut session = Session::new(Start {
        engine: args.engine.backend.clone(),
        fuel: args.engine.fuel,
        deadline: args.engine.timeout,
        working_dir: args.engine.working_dir.clone(),
    })
    .map_err(CliError::new)?;
    let interactive = std::io::stdin().is_terminal();
    if interactive && !args.quiet {
        writeln!(
            out,
            "Welcome to the strait REPL (version {}), a Marine-compatible runtime\n\
             Minimal supported versions\n  sdk: 0.6.0\n  interface-types: 0.20.0\n\
             Type `help` for the commands.\n",
            env!("CARGO_PKG_VERSION")
        )?;
    }
    if let Some(config) = &args.config {
        let mut text = String::new();
        match session.new_service(Some(config), &mut text) {
            Ok(()) if !args.quiet => write!(out, "{text}")?,
            Ok(()) => {}
            Err(error) => writeln!(
                out,
                "error: {error}\n(starting with an empty service; `new <config>` loads one)"
            )?,
        }
    } else if !args.quiet {
        writeln!(out, "empty service created on {}", args.engine.backend)?;
    }
    log::debug!(target: "strait", "ready after {:?}", started.elapsed());
    out.flush()?;
    if interactive {
        interactive_loop(&mut session, out)
    } else {
        script_loop(&mut session, &mut std::io::stdin().lock(), out)
    }
}

/// Runs one line; says whether to go on.
fn answer(session: &mut Session, line: &str, out: &mut dyn Write) -> Result<Flow, CliError> {
    let (result, flow) = match command::parse(line) {
        Ok(command) => session.run(command),
        Err(error) => (Err(error), Flow::Continue),
    };
    match result {
        Ok(text) => write!(out, "{text}")?,
        Err(error) => writeln!(out, "error: {error}")?,
    }
    out.flush()?;
    Ok(flow)
}

/// Commands from a pipe or file, one per line.
fn script_loop(
    session: &mut Session,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut line = String::new();
    loop {
        line.clear();
        let read = input
            .read_line(&mut line)
            .map_err(|e| CliError::new(format!("cannot read the commands: {e}")))?;
        if read == 0 || answer(session, &line, out)? == Flow::Quit {
            return Ok(());
        }
    }
}

/// The history file: `$XDG_DATA_HOME/strait/repl_history`, else
/// `~/.local/share/strait/repl_history`; `None` when neither variable is set.
fn history_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share"))
        })?;
    Some(data.join("strait").join("repl_history"))
}

fn interactive_loop(session: &mut Session, out: &mut dyn Write) -> Result<(), CliError> {
    let config = Config::builder()
        .auto_add_history(true)
        .completion_type(CompletionType::List)
        .max_history_size(10_000)
        .map_err(|e| CliError::new(format!("cannot set up line editing: {e}")))?
        .build();
    let mut editor: Editor<ReplHelper, FileHistory> = Editor::with_config(config)
        .map_err(|e| CliError::new(format!("cannot set up line editing: {e}")))?;
    let history = history_path();
    if let Some(path) = &history {
        // A first run has no history yet.
        let _ = editor.load_history(path);
    }
    let mut helper = ReplHelper::default();
    helper.refresh(session);
    editor.set_helper(Some(helper));
    let mut count = 1;
    let result = loop {
        let line = match editor.readline(&format!("{count}> ")) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break Ok(()),
            Err(error) => break Err(CliError::new(format!("cannot read the commands: {error}"))),
        };
        count += 1;
        match answer(session, &line, out) {
            Ok(Flow::Continue) => {}
            Ok(Flow::Quit) => break Ok(()),
            Err(error) => break Err(error),
        }
        if let Some(helper) = editor.helper_mut() {
            helper.refresh(session);
        }
    };
    if let Some(path) = &history {
        let saved = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(ReadlineError::from)
            .and_then(|()| editor.save_history(path));
        if let Err(error) = saved {
            writeln!(
                out,
                "warning: cannot save the history to {}: {error}",
                path.display()
            )?;
        }
    }
    result
}

/// Completion of commands, module names, function names and paths.
#[derive(Default)]
struct ReplHelper {
    modules: Vec<(String, Vec<String>)>,
    files: FilenameCompleter,
}

impl ReplHelper {
    fn refresh(&mut self, session: &Session) {
        let mut modules = session.function_names();
        for name in session.module_names() {
            if !modules.iter().any(|(m, _)| *m == name) {
                modules.push((name, Vec::new()));
            }
        }
        self.modules = modules;
    }

    /// The candidates for word number `index` (0 is the command) of a line starting `words`.
    fn words(&self, words: &[&str], index: usize) -> Option<Vec<String>> {
        let modules = || self.modules.iter().map(|(m, _)| m.clone()).collect();
        match (index, words.first().copied()) {
            (0, _) => Some(command::NAMES.iter().map(|n| (*n).to_owned()).collect()),
            (1, Some("c" | "call" | "u" | "unload" | "e" | "envs" | "f" | "fs")) => Some(modules()),
            (1, Some("engine")) => Some(strait::BACKENDS.iter().map(|n| (*n).to_owned()).collect()),
            (1, Some("time")) => Some(vec!["on".to_owned(), "off".to_owned()]),
            (2, Some("c" | "call")) => {
                let module = words.get(1)?;
                let (_, functions) = self.modules.iter().find(|(m, _)| m == module)?;
                Some(functions.clone())
            }
            _ => None,
        }
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let words: Vec<&str> = before.split_whitespace().collect();
        let index = if start == before.len() {
            words.len()
        } else {
            words.len().saturating_sub(1)
        };
        let partial = before.get(start..).unwrap_or("");
        let paths = matches!(
            (index, words.first().copied()),
            (1, Some("n" | "new")) | (2, Some("l" | "load"))
        );
        if paths {
            return self.files.complete(line, pos, ctx);
        }
        let candidates = self
            .words(&words, index)
            .unwrap_or_default()
            .into_iter()
            .filter(|word| word.starts_with(partial))
            .map(|word| Pair {
                display: word.clone(),
                replacement: format!("{word} "),
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ReplHelper {
        ReplHelper {
            modules: vec![
                ("facade".into(), vec!["get_n_save".into()]),
                ("local_storage".into(), vec!["get".into(), "put".into()]),
            ],
            files: FilenameCompleter::new(),
        }
    }

    fn complete(line: &str) -> (usize, Vec<String>) {
        let history = rustyline::history::DefaultHistory::new();
        let ctx = Context::new(&history);
        let (start, pairs) = helper().complete(line, line.len(), &ctx).unwrap();
        (start, pairs.into_iter().map(|p| p.display).collect())
    }

    #[test]
    fn completes_commands_modules_and_functions() {
        assert_eq!(complete("inter"), (0, vec!["interface".to_owned()]));
        assert_eq!(complete("call lo"), (5, vec!["local_storage".to_owned()]));
        assert_eq!(
            complete("call local_storage "),
            (19, vec!["get".to_owned(), "put".to_owned()])
        );
        assert_eq!(complete("c facade g"), (9, vec!["get_n_save".to_owned()]));
        assert_eq!(complete("envs f"), (5, vec!["facade".to_owned()]));
        assert_eq!(complete("time o").1, ["on", "off"]);
        assert!(complete("call nothere ").1.is_empty());
        assert!(complete("stats ").1.is_empty());
    }
}
