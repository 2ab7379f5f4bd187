//! [`Runtime`]: the services of one execution that every state may use
//! (task handler, options, history, the execution's facts, and the run loop
//! for nested runs through [`RunMachine`]). Below both the run loop and
//! the states.

use chrono::{DateTime, Utc};

use super::env::Variables;
use super::join::Branch;
use crate::context::ExecutionInfo;
use crate::definition::Machine;
use crate::errors::StatesError;
use crate::handler::TaskHandler;
use crate::history::{Cursor, Details, EventType, Payload, Recorder};
use crate::options::ExecutionOptions;
use crate::value::{Arena, NodeId};

/// The last state of a run, as the run loop reports it.
#[derive(Debug, Default)]
pub(crate) struct LastExit {
    /// Its output's payload for the history, when it exited normally.
    pub(crate) payload: Option<Payload>,
    /// When it exited.
    pub(crate) at: Option<DateTime<Utc>>,
}

/// Shared services of one execution.
pub(crate) struct Runtime<'a> {
    pub(crate) tasks: &'a dyn TaskHandler,
    pub(crate) options: &'a ExecutionOptions,
    pub(crate) history: &'a Recorder,
    pub(crate) info: &'a ExecutionInfo<'a>,
    /// Whether states without their own `QueryLanguage` use JSONata.
    pub(crate) default_jsonata: bool,
    /// The run loop, for Parallel branches and Map iterations.
    machines: &'a dyn RunMachine,
}

impl<'a> Runtime<'a> {
    pub(crate) fn new(
        tasks: &'a dyn TaskHandler,
        options: &'a ExecutionOptions,
        history: &'a Recorder,
        info: &'a ExecutionInfo<'a>,
        machines: &'a dyn RunMachine,
    ) -> Self {
        Runtime {
            tasks,
            options,
            history,
            info,
            default_jsonata: false,
            machines,
        }
    }

    /// Record an event after `cursor`.
    pub(crate) fn record(
        &self,
        cursor: &mut Cursor,
        event_type: EventType,
        details: impl Into<Details>,
    ) -> u64 {
        self.history.record(cursor, event_type, details)
    }

    /// Record an event after `cursor` at `timestamp`.
    pub(crate) fn record_at(
        &self,
        cursor: &mut Cursor,
        event_type: EventType,
        details: impl Into<Details>,
        timestamp: DateTime<Utc>,
    ) -> u64 {
        self.history
            .record_at(cursor, event_type, details, timestamp)
    }

    /// Wait `seconds` of specification time (scaled; no wait at scale 0).
    ///
    /// The timer is boxed: tokio's is large and cache-line aligned, and
    /// held inline it would make every future that may wait (the run
    /// loop's, for a Retry) as large and as aligned, paid by every state.
    pub(crate) async fn sleep(&self, seconds: f64) {
        if let Some(duration) = self.options.scaled(seconds) {
            Box::pin(tokio::time::sleep(duration)).await;
        }
    }

    /// An empty arena for a Parallel branch or a Map iteration, with the
    /// execution's value limit. A branch runs apart from its parent (its
    /// future must be `Send`), so it cannot borrow the parent's arena: its
    /// input is copied in and its output copied back.
    pub(crate) fn branch_arena(&self) -> Arena {
        let mut arena = Arena::new();
        arena.set_limit(self.options.value_limit_bytes);
        arena
    }

    /// [`Runtime::branch_arena`] for one Map iteration, which the history
    /// keeps once it ends: small tables.
    pub(crate) fn iteration_arena(&self) -> Arena {
        Arena::small(self.options.value_limit_bytes)
    }

    /// Run a branch or an item processor from its start state to its end
    /// on `input`, a value of `arena`; its first state enters at
    /// `began_at` when the caller has just read the time (and awaits
    /// nothing before the run), and `last_exit` receives the last state's
    /// exit.
    pub(crate) fn run_branch<'s>(
        &'s self,
        machine: &'s Machine,
        (arena, input, began_at): (&'s mut Arena, NodeId, Option<DateTime<Utc>>),
        variables: Variables,
        cursor: &'s mut Cursor,
        last_exit: Option<&'s mut LastExit>,
    ) -> Branch<'s, Result<NodeId, StatesError>> {
        self.machines.run(
            self,
            machine,
            (arena, input, began_at),
            variables,
            cursor,
            last_exit,
        )
    }
}

/// The run loop as the states that start runs of their own (Parallel
/// branches, Map iterations) reach it. The executor implements it, so
/// the states never import the loop that calls them.
pub(crate) trait RunMachine: Sync {
    /// Run `machine` from its start state to its end on `input`, a value of
    /// `arena`, as [`Runtime::run_branch`] describes. Boxed (and `Send`)
    /// because a run may start runs of its own.
    fn run<'s>(
        &self,
        rt: &'s Runtime<'s>,
        machine: &'s Machine,
        input: (&'s mut Arena, NodeId, Option<DateTime<Utc>>),
        variables: Variables,
        cursor: &'s mut Cursor,
        last_exit: Option<&'s mut LastExit>,
    ) -> Branch<'s, Result<NodeId, StatesError>>;
}
