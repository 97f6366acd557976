//! strait-cli's integration tests, in one binary (one link step, since each binary links both
//! engines): the command line on the Marine artifacts ([`cli`]), the golden scenarios replayed
//! through `strait batch` ([`batch_golden`]), the REPL ([`repl`]), `strait air` ([`air`]) and
//! the compiled-module cache ([`cache`]).

mod air;
mod batch_golden;
mod cache;
mod cli;
mod repl;
