//! The logic of `rez-agent` subcommands other than `up`; `cli` only
//! parses and dispatches here.
//!
//! | module | command |
//! |---|---|
//! | [`statemachine`] | `rez-agent statemachine validate / test / run / graph` |
//! | [`send`] | `rez-agent send TEXT [--wait]`: `POST /api/messages`, then follow it |
//! | [`messages`] | `rez-agent messages [ID]`: a page of messages, or one message |
//! | [`executions`] | `rez-agent executions [ID]`: a page of executions, or one with its history |
//! | [`dlq`] | `rez-agent dlq list / redrive`: the dead-letter queue |
//! | [`schedules`] | `rez-agent schedules list / add / show / pause / resume / rm`: the schedules people define |
//! | [`output`] | tables and `--json` for the API commands |
//!
//! The API commands talk through [`crate::client::ApiClient`] and print to
//! the writer they are given; a failure is returned, and `main` prints it
//! on one line.

pub mod dlq;
pub mod executions;
pub mod messages;
pub mod output;
mod progress;
pub mod schedules;
pub mod send;
pub mod statemachine;
