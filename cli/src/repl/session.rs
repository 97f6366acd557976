//! The REPL's state: the service, the modules it was built from (so it can be rebuilt on
//! another engine or with other limits), and the settings; and the execution of one command.
//!
//! Every command either succeeds or leaves the session as it was: a new service (`new`,
//! `engine`, `fuel`, `deadline`) is built completely before it replaces the old one, and a
//! failed `load` leaves the service without the module.

use super::command::{Command, HELP};
use crate::service::{one_line, parse_call_parameters, service_error, warn_unknown_keys};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use strait::config::ServiceConfig;
use strait::interface::ServiceInterface;
use strait::{
    Backend, CallParameters, LoadEvent, MemoryStats, ModuleSettings, ModuleSource, ModuleWasi,
    Service, ServiceOptions,
};

/// A service on any engine: what the REPL uses of [`Service`], object-safe so that the
/// engine can change at run time.
trait AnyService {
    fn engine_name(&self) -> &'static str;
    fn call_json(
        &mut self,
        module: &str,
        function: &str,
        args: &Value,
        call_parameters: CallParameters,
    ) -> Result<Value, strait::Error>;
    fn interface(&self) -> ServiceInterface;
    fn load_module(
        &mut self,
        name: &str,
        bytes: &[u8],
        settings: &ModuleSettings,
        origin: &str,
    ) -> Result<(), strait::Error>;
    fn unload_module(&mut self, name: &str) -> Result<(), strait::Error>;
    fn memory_stats(&self) -> MemoryStats;
    fn module_wasi(&self, name: &str) -> Result<ModuleWasi, strait::Error>;
}

impl<B: Backend> AnyService for Service<B> {
    fn engine_name(&self) -> &'static str {
        B::NAME
    }
    fn call_json(
        &mut self,
        module: &str,
        function: &str,
        args: &Value,
        call_parameters: CallParameters,
    ) -> Result<Value, strait::Error> {
        Service::call_json(self, module, function, args, call_parameters)
    }
    fn interface(&self) -> ServiceInterface {
        Service::interface(self)
    }
    fn load_module(
        &mut self,
        name: &str,
        bytes: &[u8],
        settings: &ModuleSettings,
        origin: &str,
    ) -> Result<(), strait::Error> {
        // Through `load_modules`, whose errors name the file.
        let source = ModuleSource {
            name,
            bytes,
            settings,
            origin: Some(origin),
        };
        self.load_modules(&[source], |_| {})
    }
    fn unload_module(&mut self, name: &str) -> Result<(), strait::Error> {
        Service::unload_module(self, name)
    }
    fn memory_stats(&self) -> MemoryStats {
        Service::memory_stats(self)
    }
    fn module_wasi(&self, name: &str) -> Result<ModuleWasi, strait::Error> {
        Service::module_wasi(self, name).cloned()
    }
}

/// A module of the service as it was loaded, kept to rebuild the service.
#[derive(Clone)]
struct Module {
    name: String,
    bytes: Arc<Vec<u8>>,
    settings: ModuleSettings,
    origin: String,
}

/// What a service is built from.
#[derive(Clone)]
struct Recipe {
    engine: String,
    modules: Vec<Module>,
    total_memory_limit: Option<u64>,
    fuel: Option<u64>,
    deadline: Option<u64>,
}

/// A built service and how long each module took to load.
struct Built {
    service: Box<dyn AnyService>,
    load_times: Vec<(String, Duration)>,
}

fn build_on<B: Backend>(recipe: &Recipe, working_dir: Option<&Path>) -> Result<Built, String> {
    let options = ServiceOptions {
        total_memory_limit: recipe.total_memory_limit,
        fuel_per_call: recipe.fuel,
        deadline_per_call: recipe.deadline.map(Duration::from_millis),
        working_dir: working_dir.map(Path::to_path_buf),
        engine: crate::compile::engine_config(),
        ..ServiceOptions::default()
    };
    let mut service = Service::<B>::new(options).map_err(|e| service_error(&e, B::NAME))?;
    let sources: Vec<ModuleSource<'_>> = recipe
        .modules
        .iter()
        .map(|module| ModuleSource {
            name: &module.name,
            bytes: &module.bytes,
            settings: &module.settings,
            origin: Some(&module.origin),
        })
        .collect();
    let mut load_times = Vec::new();
    let mut started = Instant::now();
    let progress = crate::progress::Progress::start(format!("loading on {}", B::NAME));
    service
        .load_modules(&sources, |event| match event {
            LoadEvent::Loading(name) => {
                progress.set_message(format!("loading module {name} on {}", B::NAME));
                started = Instant::now();
            }
            LoadEvent::Loaded(name) => load_times.push((name.to_owned(), started.elapsed())),
            _ => {}
        })
        .map_err(|e| service_error(&e, B::NAME))?;
    Ok(Built {
        service: Box::new(service),
        load_times,
    })
}

fn build(recipe: &Recipe, working_dir: Option<&Path>) -> Result<Built, String> {
    strait::select_backend!(recipe.engine.as_str(), build_on(recipe, working_dir)).unwrap_or_else(
        || {
            Err(format!(
                "unknown engine `{}`; this build has: {}",
                recipe.engine,
                strait::BACKENDS.join(", ")
            ))
        },
    )
}

/// The settings `strait repl` starts with.
pub(crate) struct Start {
    pub(crate) engine: String,
    pub(crate) fuel: Option<u64>,
    pub(crate) deadline: Option<u64>,
    pub(crate) working_dir: Option<PathBuf>,
}

/// What a command asks of the loop.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Quit,
}

/// The REPL's state.
pub(crate) struct Session {
    service: Box<dyn AnyService>,
    recipe: Recipe,
    /// The settings `load` gives a module: the config's `[default]`.
    defaults: ModuleSettings,
    working_dir: Option<PathBuf>,
    time: bool,
}

fn elapsed(text: &mut String, started: Instant) {
    let _ = writeln!(text, "elapsed time: {:?}", started.elapsed());
}

fn megabytes(bytes: u64) -> String {
    // Decimal megabytes with one decimal, as the memory statistics print them.
    let tenths = (bytes + 50_000) / 100_000;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

impl Session {
    /// An empty session on `start.engine`.
    pub(crate) fn new(start: Start) -> Result<Self, String> {
        let recipe = Recipe {
            engine: start.engine,
            modules: Vec::new(),
            total_memory_limit: None,
            fuel: start.fuel,
            deadline: start.deadline,
        };
        let built = build(&recipe, start.working_dir.as_deref())?;
        Ok(Self {
            service: built.service,
            recipe,
            defaults: ModuleSettings::default(),
            working_dir: start.working_dir,
            time: false,
        })
    }

    /// The loaded modules' names, in load order.
    pub(crate) fn module_names(&self) -> Vec<String> {
        self.recipe.modules.iter().map(|m| m.name.clone()).collect()
    }

    /// Per module, the names of its exported functions.
    pub(crate) fn function_names(&self) -> Vec<(String, Vec<String>)> {
        self.service
            .interface()
            .modules
            .into_iter()
            .map(|(name, module)| {
                let functions = module
                    .function_signatures
                    .into_iter()
                    .map(|f| f.name)
                    .collect();
                (name, functions)
            })
            .collect()
    }

    /// Runs one command: its answer, or an error message of one line.
    pub(crate) fn run(&mut self, command: Command) -> (Result<String, String>, Flow) {
        let mut text = String::new();
        let result = match command {
            Command::Nothing => Ok(()),
            Command::Quit => return (Ok(String::new()), Flow::Quit),
            Command::Help => {
                text.push_str(HELP);
                text.push('\n');
                Ok(())
            }
            Command::Call {
                module,
                function,
                args,
                call_parameters,
                hide_result,
            } => self.call(
                &module,
                &function,
                &args,
                call_parameters,
                hide_result,
                &mut text,
            ),
            Command::Interface => {
                let _ = writeln!(text, "{}", self.service.interface());
                Ok(())
            }
            Command::New(path) => self.new_service(path.as_deref(), &mut text),
            Command::Load { name, path } => self.load(&name, &path, &mut text),
            Command::Unload(name) => self.unload(&name, &mut text),
            Command::Envs(module) => self.envs(&module, &mut text),
            Command::Fs(module) => self.fs(&module, &mut text),
            Command::Stats => {
                self.stats(&mut text);
                Ok(())
            }
            Command::Engine(engine) => {
                let recipe = Recipe {
                    engine,
                    ..self.recipe.clone()
                };
                self.rebuild(recipe, "reloaded on", &mut text)
            }
            Command::Time(setting) => {
                if let Some(on) = setting {
                    self.time = on;
                }
                let state = if self.time { "on" } else { "off" };
                let _ = writeln!(text, "time {state}");
                Ok(())
            }
            Command::Fuel(fuel) => {
                let recipe = Recipe {
                    fuel,
                    ..self.recipe.clone()
                };
                self.rebuild(recipe, "reloaded with the new fuel on", &mut text)
            }
            Command::Deadline(deadline) => {
                let recipe = Recipe {
                    deadline,
                    ..self.recipe.clone()
                };
                self.rebuild(recipe, "reloaded with the new deadline on", &mut text)
            }
        };
        (result.map(|()| text), Flow::Continue)
    }

    fn call(
        &mut self,
        module: &str,
        function: &str,
        args: &Value,
        call_parameters: Option<Value>,
        hide_result: bool,
        text: &mut String,
    ) -> Result<(), String> {
        let call_parameters = match call_parameters {
            Some(value) => parse_call_parameters(value)?,
            None => CallParameters::default(),
        };
        let started = Instant::now();
        let result = self
            .service
            .call_json(module, function, args, call_parameters)
            .map_err(|e| {
                let text = one_line(&e.to_string());
                let hint = self.limit_hint(&text);
                format!("call failed: {text}{hint}")
            })?;
        let took = started.elapsed();
        if !hide_result {
            let pretty = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
            let _ = writeln!(text, "result: {pretty}");
        }
        let _ = writeln!(text, "elapsed time: {took:?}");
        Ok(())
    }

    /// Which limit a failed call hit, and how to lift it.
    fn limit_hint(&self, error: &str) -> String {
        match (self.recipe.fuel, self.recipe.deadline) {
            (Some(fuel), _) if error.contains("fuel consumed") => format!(
                " (the call used up its fuel, {fuel} per call: `fuel off` or `fuel <more>`)"
            ),
            (_, Some(deadline)) if error.ends_with("interrupt") => format!(
                " (the call ran past its deadline of {deadline} ms: `deadline off` or \
                 `deadline <more>`)"
            ),
            _ => String::new(),
        }
    }

    /// Reads a config and every module file it names.
    fn read_config(path: &Path) -> Result<(ServiceConfig, Vec<Module>), String> {
        warn_unknown_keys(path, &mut std::io::stderr().lock());
        let config = ServiceConfig::from_file(path)
            .map_err(|e| one_line(&format!("invalid config {}: {e}", path.display())))?;
        let modules = config
            .modules
            .iter()
            .map(|module| {
                let bytes = std::fs::read(&module.file).map_err(|e| {
                    format!(
                        "cannot read module \"{}\" from {}: {e}",
                        module.name,
                        module.file.display()
                    )
                })?;
                Ok(Module {
                    name: module.name.clone(),
                    bytes: Arc::new(bytes),
                    settings: module.settings.clone(),
                    origin: module.file.display().to_string(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok((config, modules))
    }

    /// `new`: a service from `path` (or an empty one) replaces the current one.
    pub(crate) fn new_service(
        &mut self,
        path: Option<&Path>,
        text: &mut String,
    ) -> Result<(), String> {
        let started = Instant::now();
        let (config, modules) = match path {
            Some(path) => Self::read_config(path)?,
            None => (ServiceConfig::default(), Vec::new()),
        };
        let recipe = Recipe {
            modules,
            total_memory_limit: config.total_memory_limit,
            ..self.recipe.clone()
        };
        let built = build(&recipe, self.working_dir.as_deref())?;
        let names = self.install(built, recipe, text);
        self.defaults = config.defaults.settings;
        let _ = writeln!(
            text,
            "service created on {} with {}",
            self.service.engine_name(),
            names
        );
        elapsed(text, started);
        Ok(())
    }

    /// Replaces the service by `built` (made from `recipe`); says which modules it has.
    fn install(&mut self, built: Built, recipe: Recipe, text: &mut String) -> String {
        if self.time {
            for (name, took) in &built.load_times {
                let _ = writeln!(text, "  loaded {name} in {took:?}");
            }
        }
        self.service = built.service;
        self.recipe = recipe;
        match self.recipe.modules.len() {
            0 => "no modules".to_owned(),
            count => format!(
                "{count} module{} ({})",
                if count == 1 { "" } else { "s" },
                self.module_names().join(", ")
            ),
        }
    }

    fn rebuild(&mut self, recipe: Recipe, what: &str, text: &mut String) -> Result<(), String> {
        let started = Instant::now();
        let built = build(&recipe, self.working_dir.as_deref())?;
        let names = self.install(built, recipe, text);
        let limit = |value: Option<u64>, unit: &str| {
            value.map_or("off".to_owned(), |v| format!("{v}{unit}"))
        };
        let _ = writeln!(
            text,
            "service {what} {} with {names} (fuel {}, deadline {})",
            self.service.engine_name(),
            limit(self.recipe.fuel, ""),
            limit(self.recipe.deadline, " ms"),
        );
        elapsed(text, started);
        Ok(())
    }

    fn load(&mut self, name: &str, path: &Path, text: &mut String) -> Result<(), String> {
        let started = Instant::now();
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read module \"{name}\" from {}: {e}", path.display()))?;
        let origin = path.display().to_string();
        self.service
            .load_module(name, &bytes, &self.defaults, &origin)
            .map_err(|e| one_line(&e.to_string()))?;
        self.recipe.modules.push(Module {
            name: name.to_owned(),
            bytes: Arc::new(bytes),
            settings: self.defaults.clone(),
            origin,
        });
        let _ = writeln!(text, "module \"{name}\" loaded from {}", path.display());
        elapsed(text, started);
        Ok(())
    }

    fn unload(&mut self, name: &str, text: &mut String) -> Result<(), String> {
        let started = Instant::now();
        self.service
            .unload_module(name)
            .map_err(|e| one_line(&e.to_string()))?;
        self.recipe.modules.retain(|m| m.name != name);
        let _ = writeln!(text, "module \"{name}\" unloaded");
        elapsed(text, started);
        Ok(())
    }

    fn envs(&self, module: &str, text: &mut String) -> Result<(), String> {
        let wasi = self
            .service
            .module_wasi(module)
            .map_err(|e| one_line(&e.to_string()))?;
        if wasi.envs.is_empty() {
            let _ = writeln!(text, "<no environment variables>");
        }
        for (key, value) in &wasi.envs {
            let _ = writeln!(text, "{key}={value}");
        }
        Ok(())
    }

    fn fs(&self, module: &str, text: &mut String) -> Result<(), String> {
        let wasi = self
            .service
            .module_wasi(module)
            .map_err(|e| one_line(&e.to_string()))?;
        if wasi.mapped_dirs.is_empty() {
            let _ = writeln!(text, "<no mapped directories>");
        }
        for (alias, host) in &wasi.mapped_dirs {
            let _ = writeln!(text, "{alias} -> {}", host.display());
        }
        Ok(())
    }

    fn stats(&self, text: &mut String) {
        let stats = self.service.memory_stats();
        let total: u64 = stats
            .modules
            .iter()
            .map(|(_, size)| u64::try_from(*size).unwrap_or(u64::MAX))
            .sum();
        let _ = writeln!(text, "{stats}");
        let limit = match self.recipe.total_memory_limit {
            Some(limit) => format!("of the limit {}", megabytes(limit)),
            None => "no limit".to_owned(),
        };
        let _ = writeln!(text, "Total - {} ({limit})", megabytes(total));
    }
}
