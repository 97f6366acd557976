//! strait-cli's integration tests, in one binary (one link step): the command line on the
//! Marine artifacts ([`cli`]) and the golden scenarios replayed through `strait batch`
//! ([`batch_golden`]).

mod air;
mod batch_golden;
mod cli;
mod repl;
