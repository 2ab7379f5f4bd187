//! The logic of `rez-agent` subcommands other than `up`; `cli` only
//! parses and dispatches here.
//!
//! | module | command |
//! |---|---|
//! | [`statemachine`] | `rez-agent statemachine validate / test / run` |

pub mod statemachine;
