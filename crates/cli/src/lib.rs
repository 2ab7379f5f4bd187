//! The `rez-agent` command line: what people type, checked, and run.
//!
//! `main` only parses and dispatches; each command's logic is a function of
//! [`commands`] that writes to any `io::Write`, so tests read what a user
//! would see.
//!
//! | module | what it is |
//! |---|---|
//! | [`args`] | the commands and flags as clap reads them, and their checks |
//! | [`run`] | a parsed command, run: flags in, the command's request out |
//! | [`client`] | a typed client of the HTTP API, for the API commands |
//! | [`commands`] | the logic of the subcommands: `statemachine …`, `send`, `messages`, `executions`, `dlq`, `schedules` |
//!
//! `up` and `stepfunctions` run the embedded stack of `rez-local`.

pub mod args;
pub mod client;
pub mod commands;
pub mod run;
