//! What a state's action receives and returns: the [`Attempt`] it runs
//! (name, context object, variables, query language) and the [`Outcome`] it
//! decides. Below both the run loop and the states, which import it.

use chrono::{DateTime, Utc};

use super::env::{Env, Variables};
use crate::context::LazyContext;
use crate::definition::State;
use crate::history::Name;
use crate::value::NodeId;

/// What one state decided. The output is a value of the arena the state ran in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome<'d, O = NodeId> {
    /// The next state (borrowed from the definition); `None` ends the (sub-)machine.
    pub(crate) next: Option<&'d str>,
    /// The state's output.
    pub(crate) output: O,
    /// Variables the state assigned (`Assign`); boxed, as most states assign
    /// none and the outcome is moved through the run loop.
    pub(crate) assigned: Option<Box<Variables>>,
    /// When the state's work finished (a Task's TaskSucceeded), which is
    /// also when it exits, as nothing is awaited in between.
    pub(crate) finished_at: Option<DateTime<Utc>>,
}

impl<'d, O> Outcome<'d, O> {
    /// Go to `next` with `output`.
    pub(crate) fn next(next: &'d str, output: O) -> Outcome<'d, O> {
        Outcome {
            next: Some(next),
            output,
            assigned: None,
            finished_at: None,
        }
    }

    /// End the (sub-)machine with `output`.
    pub(crate) fn end(output: O) -> Outcome<'d, O> {
        Outcome {
            next: None,
            output,
            assigned: None,
            finished_at: None,
        }
    }

    /// Follow the state's `Next` / `End` with `output`.
    pub(crate) fn follow(state: &'d State, output: O) -> Outcome<'d, O> {
        match &state.common().next {
            Some(next) => Outcome::next(next, output),
            None => Outcome::end(output),
        }
    }

    /// The state's work finished at `time`: it exits then too.
    pub(crate) fn finished_at(mut self, time: DateTime<Utc>) -> Outcome<'d, O> {
        self.finished_at = Some(time);
        self
    }

    /// Record the variables the state assigns.
    #[inline] // mostly none, at every state
    pub(crate) fn with_assigned(mut self, assigned: Option<Variables>) -> Outcome<'d, O> {
        self.assigned = assigned.map(Box::new);
        self
    }
}

/// Everything a state's action may need about the current attempt.
#[derive(Debug, Clone)]
pub(crate) struct Attempt<'a> {
    /// The state's name, shared with the definition and the history.
    pub(crate) name: &'a Name,
    pub(crate) entered_id: u64,
    /// When this attempt began: the state's entered time on the first
    /// attempt, the time the retry began on later ones.
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) retry_count: u32,
    /// The context object `$$` for this attempt, built when first read.
    pub(crate) context: LazyContext<'a>,
    /// The variables in scope.
    pub(crate) variables: &'a Variables,
    /// Whether the state uses JSONata (its own `QueryLanguage`, else the machine's).
    pub(crate) jsonata: bool,
}

impl Attempt<'_> {
    /// What paths may read besides the input.
    pub(crate) fn env(&self) -> Env<'_> {
        Env::new(&self.context, self.variables)
    }
}
