//! Serde types for an Amazon States Language definition.
//!
//! A [`State`] enum is tagged by `Type`; field groups shared by several state
//! types (transition, I/O paths, result handling, error handling) are
//! flattened into each variant. Validation lives in [`validate`].

pub(crate) mod choice;
pub(crate) mod compiled;
pub(crate) mod fields;
pub(crate) mod query_language;
pub(crate) mod query_template;
pub(crate) mod result_path;
pub(crate) mod template;
pub(crate) mod validate;

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::fnv::{FnvBuild, WordHashBuild};
use crate::history::{EventType, Name};
use crate::jsonata::JsonataTemplate;

pub(crate) use choice::{ChoiceRule, Comparison, Condition, Operand};
pub(crate) use fields::*;
pub(crate) use query_template::QueryTemplate;

/// A set of states with a start state: the whole machine, a Parallel branch
/// or a Map item processor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Machine {
    /// Interned, as `Next` targets are: the run loop finds the start
    /// state by the name's address too.
    pub(crate) start_at: Name,
    pub(crate) states: States,
    #[serde(default)]
    pub(crate) timeout_seconds: Option<Value>,
    #[serde(default)]
    pub(crate) query_language: Option<String>,
}

/// States in definition order, with a name index.
#[derive(Debug, Clone)]
pub(crate) struct States {
    pub(crate) ordered: Vec<(String, State)>,
    /// The names again, shared with the history events that carry them.
    shared: Vec<Name>,
    index: HashMap<String, usize, FnvBuild>,
    /// The states whose names are interned, by the address of the text.
    /// `Next`, `Default` and Catch targets are interned names too, so the
    /// run loop finds the next state by that address: hashing one word
    /// instead of the name's bytes, and no string comparison.
    by_address: HashMap<usize, usize, WordHashBuild>,
}

impl States {
    pub(crate) fn get(&self, name: &str) -> Option<&State> {
        self.index
            .get(name)
            .and_then(|i| self.ordered.get(*i))
            .map(|(_, s)| s)
    }
    /// The state called `name` and its name as a shared string.
    pub(crate) fn entry(&self, name: &str) -> Option<(&Name, &State)> {
        let by_address = self
            .by_address
            .get(&(name.as_ptr() as usize))
            .filter(|&&i| self.shared.get(i).is_some_and(|n| n.len() == name.len()));
        // Same address and length: the same text.
        let i = match by_address {
            Some(&i) => i,
            None => *self.index.get(name)?,
        };
        Some((self.shared.get(i)?, &self.ordered.get(i)?.1))
    }
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
}

impl<'de> Deserialize<'de> for States {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let mut ordered = Vec::with_capacity(map.len());
        let mut index = HashMap::with_capacity_and_hasher(map.len(), FnvBuild::default());
        let mut shared = Vec::with_capacity(map.len());
        for (name, value) in map {
            let state = State::deserialize(value)
                .map_err(|e| serde::de::Error::custom(format!("state '{name}': {e}")))?;
            index.insert(name.clone(), ordered.len());
            shared.push(Name::new(&name));
            ordered.push((name, state));
        }
        let by_address = shared
            .iter()
            .enumerate()
            .filter_map(|(i, name)| match name {
                Name::Interned(text) => Some((text.as_ptr() as usize, i)),
                Name::Counted(_) => None,
            })
            .collect();
        Ok(States {
            ordered,
            shared,
            index,
            by_address,
        })
    }
}

/// One state, tagged by its `Type` field.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "Type")]
pub(crate) enum State {
    Task(Box<TaskState>),
    Pass(Box<PassState>),
    Choice(Box<ChoiceState>),
    Wait(Box<WaitState>),
    Succeed(Box<SucceedState>),
    Fail(Box<FailState>),
    Parallel(Box<ParallelState>),
    Map(Box<MapState>),
}

impl State {
    /// The shared fields every state has.
    pub(crate) fn common(&self) -> &Common {
        match self {
            State::Task(s) => &s.common,
            State::Pass(s) => &s.common,
            State::Choice(s) => &s.common,
            State::Wait(s) => &s.common,
            State::Succeed(s) => &s.common,
            State::Fail(s) => &s.common,
            State::Parallel(s) => &s.common,
            State::Map(s) => &s.common,
        }
    }

    /// AWS's event-name stem for this state type (`Task`, `Choice`, ...).
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            State::Task(_) => "Task",
            State::Pass(_) => "Pass",
            State::Choice(_) => "Choice",
            State::Wait(_) => "Wait",
            State::Succeed(_) => "Succeed",
            State::Fail(_) => "Fail",
            State::Parallel(_) => "Parallel",
            State::Map(_) => "Map",
        }
    }

    /// Its `<Type>StateEntered` event.
    pub(crate) fn entered_event(&self) -> EventType {
        match self {
            State::Task(_) => EventType::TaskStateEntered,
            State::Pass(_) => EventType::PassStateEntered,
            State::Choice(_) => EventType::ChoiceStateEntered,
            State::Wait(_) => EventType::WaitStateEntered,
            State::Succeed(_) => EventType::SucceedStateEntered,
            State::Fail(_) => EventType::FailStateEntered,
            State::Parallel(_) => EventType::ParallelStateEntered,
            State::Map(_) => EventType::MapStateEntered,
        }
    }

    /// Its `<Type>StateExited` event; `None` for Fail, which has none.
    pub(crate) fn exited_event(&self) -> Option<EventType> {
        Some(match self {
            State::Task(_) => EventType::TaskStateExited,
            State::Pass(_) => EventType::PassStateExited,
            State::Choice(_) => EventType::ChoiceStateExited,
            State::Wait(_) => EventType::WaitStateExited,
            State::Succeed(_) => EventType::SucceedStateExited,
            State::Fail(_) => return None,
            State::Parallel(_) => EventType::ParallelStateExited,
            State::Map(_) => EventType::MapStateExited,
        })
    }

    /// Retry and Catch rules, where the type has them.
    pub(crate) fn error_handling(&self) -> Option<&ErrorHandling> {
        match self {
            State::Task(s) => Some(&s.errors),
            State::Parallel(s) => Some(&s.errors),
            State::Map(s) => Some(&s.errors),
            _ => None,
        }
    }
}

/// `Type: Task`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TaskState {
    #[serde(flatten)]
    pub(crate) common: Common,
    #[serde(flatten)]
    pub(crate) results: ResultFields,
    #[serde(flatten)]
    pub(crate) errors: ErrorHandling,
    /// Shared with the Task events of the history.
    pub(crate) resource: Name,
    #[serde(default)]
    pub(crate) timeout_seconds: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) timeout_seconds_path: Option<String>,
    #[serde(default)]
    pub(crate) heartbeat_seconds: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) heartbeat_seconds_path: Option<String>,
}

/// `Type: Pass`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PassState {
    #[serde(flatten)]
    pub(crate) common: Common,
    #[serde(flatten)]
    pub(crate) results: ResultFields,
    #[serde(default, deserialize_with = "present")]
    pub(crate) result: Option<Value>,
}

/// `Type: Choice`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ChoiceState {
    #[serde(flatten)]
    pub(crate) common: Common,
    pub(crate) choices: Vec<ChoiceRule>,
    #[serde(default)]
    pub(crate) default: Option<Name>,
}

/// `Type: Wait`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WaitState {
    #[serde(flatten)]
    pub(crate) common: Common,
    #[serde(default)]
    pub(crate) seconds: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) seconds_path: Option<String>,
    #[serde(default)]
    pub(crate) timestamp: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) timestamp_path: Option<String>,
}

/// `Type: Succeed`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SucceedState {
    #[serde(flatten)]
    pub(crate) common: Common,
}

/// `Type: Fail`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FailState {
    #[serde(flatten)]
    pub(crate) common: Common,
    #[serde(default)]
    pub(crate) error: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) error_path: Option<String>,
    #[serde(default)]
    pub(crate) cause: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) cause_path: Option<String>,
}

/// `Type: Parallel`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ParallelState {
    #[serde(flatten)]
    pub(crate) common: Common,
    #[serde(flatten)]
    pub(crate) results: ResultFields,
    #[serde(flatten)]
    pub(crate) errors: ErrorHandling,
    pub(crate) branches: Vec<Machine>,
}

/// `Type: Map`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MapState {
    #[serde(flatten)]
    pub(crate) common: Common,
    #[serde(flatten)]
    pub(crate) results: ResultFields,
    #[serde(flatten)]
    pub(crate) errors: ErrorHandling,
    #[serde(default, alias = "Iterator")]
    pub(crate) item_processor: Option<Machine>,
    #[serde(default)]
    pub(crate) items_path: Option<String>,
    #[serde(default)]
    pub(crate) items: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) item_selector: Option<QueryTemplate>,
    #[serde(default)]
    pub(crate) max_concurrency: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) max_concurrency_path: Option<String>,
    #[serde(default)]
    pub(crate) tolerated_failure_count: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) tolerated_failure_count_path: Option<String>,
    #[serde(default)]
    pub(crate) tolerated_failure_percentage: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) tolerated_failure_percentage_path: Option<String>,
    #[serde(default)]
    pub(crate) item_reader: Option<Value>,
    #[serde(default)]
    pub(crate) item_batcher: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_found_by_its_next_name_and_by_its_text() -> Result<(), String> {
        let machine: Machine = serde_json::from_value(serde_json::json!({
            "StartAt": "First",
            "States": {
                "First": {"Type": "Pass", "Next": "Second"},
                "Second": {"Type": "Pass", "Next": "Sec"},
                "Sec": {"Type": "Succeed"}
            }
        }))
        .map_err(|e| e.to_string())?;
        let states = &machine.states;
        let next = |name: &str| -> Result<String, String> {
            let (_, state) = states.entry(name).ok_or(format!("no state {name}"))?;
            Ok(state.common().next.as_deref().unwrap_or("").to_string())
        };
        // By a `Next` (an interned name: found by address).
        let (found, _) = states.entry("First").ok_or("no First")?;
        assert_eq!(&**found, "First");
        let second = states
            .get("First")
            .and_then(|s| s.common().next.clone())
            .ok_or("no Next")?;
        assert_eq!(next(&second)?, "Sec");
        // By text that is not interned, and by a prefix of an interned name
        // (same address, other length).
        assert_eq!(next(&String::from("Second"))?, "Sec");
        let (prefix, _) = states.entry(&second[..3]).ok_or("no Sec")?;
        assert_eq!(&**prefix, "Sec");
        assert!(states.entry("Nope").is_none());
        Ok(())
    }
}
