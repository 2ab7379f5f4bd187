//! AWS Step Functions Local's mock configuration file (`MockConfigFile.json`,
//! AWS Step Functions developer guide, "Configuration file for mocked service
//! integrations"), so existing mock files run here unchanged:
//!
//! ```json
//! {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<State>": "<MockedResponse>"}}}},
//!  "MockedResponses": {"<MockedResponse>": {
//!     "0": {"Return": {"StatusCode": 200}},
//!     "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "timed out"}}}}}
//! ```
//!
//! A mocked response maps invocation indexes (`"0"`, or an inclusive range
//! `"1-2"`) of a state to exactly one of `Return` (the task result) or
//! `Throw` (a task failure). Invocations count from 0 per state name over
//! the whole execution, retries and Map iterations included.
//!
//! Where Step Functions Local would call the real service, [`MockHandler`]
//! calls its fallback handler, or fails the task with [`MOCK_NOT_MOCKED`] /
//! [`MOCK_NO_RESPONSE`] when it has none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use crate::handler::{TaskContext, TaskFailure, TaskHandler};

/// Error name of a Task state the test case does not mock (and no fallback handler).
pub const MOCK_NOT_MOCKED: &str = "Mock.NotMocked";
/// Error name of an invocation index no range of the mocked response covers.
pub const MOCK_NO_RESPONSE: &str = "Mock.NoResponseForInvocation";

/// A mock configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The file could not be read.
    #[error("cannot read mock config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a mock configuration.
    #[error("invalid mock config: {0}")]
    Invalid(String),
    /// No such state machine or test case in the file.
    #[error("mock config has no test case '{test_case}' for state machine '{state_machine}'")]
    UnknownTestCase {
        /// The state machine asked for.
        state_machine: String,
        /// The test case asked for.
        test_case: String,
    },
}

/// What one invocation returns: a result or a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum MockedResult {
    /// `{"Return": <value>}`: the task result.
    Return(Value),
    /// `{"Throw": {"Error": .., "Cause": ..}}`: a task failure.
    Throw(TaskFailure),
}

/// One entry of `MockedResponses`: results by invocation index range.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockedResponse {
    /// `(first, last, result)`, inclusive ranges.
    ranges: Vec<(u64, u64, MockedResult)>,
}

impl MockedResponse {
    /// A response that gives `result` to every invocation.
    pub fn always(result: MockedResult) -> Self {
        MockedResponse {
            ranges: vec![(0, u64::MAX, result)],
        }
    }

    /// Add `result` for invocations `first..=last`.
    pub fn with_range(mut self, first: u64, last: u64, result: MockedResult) -> Self {
        self.ranges.push((first, last, result));
        self
    }

    /// The result of invocation `index` (from 0), if a range covers it.
    pub fn at(&self, index: u64) -> Option<&MockedResult> {
        self.ranges
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&index))
            .map(|(_, _, result)| result)
    }

    fn from_raw(name: &str, raw: &serde_json::Map<String, Value>) -> Result<Self, MockError> {
        let invalid = |what: String| MockError::Invalid(format!("MockedResponses.{name}: {what}"));
        let mut response = MockedResponse::default();
        for (key, entry) in raw {
            let (first, last) = match key.split_once('-') {
                Some((a, b)) => (a.trim().parse::<u64>(), b.trim().parse::<u64>()),
                None => (key.trim().parse::<u64>(), key.trim().parse::<u64>()),
            };
            let (Ok(first), Ok(last)) = (first, last) else {
                return Err(invalid(format!(
                    "'{key}' is not an invocation index or range like \"0\" or \"1-2\""
                )));
            };
            if first > last {
                return Err(invalid(format!("range '{key}' is empty")));
            }
            let result = match (entry.get("Return"), entry.get("Throw")) {
                (Some(value), None) => MockedResult::Return(value.clone()),
                (None, Some(Value::Object(throw))) => {
                    let field = |f: &str| throw.get(f).and_then(Value::as_str).map(str::to_string);
                    let error = field("Error")
                        .ok_or_else(|| invalid(format!("'{key}': Throw needs a string Error")))?;
                    MockedResult::Throw(TaskFailure::new(error, field("Cause")))
                }
                _ => {
                    return Err(invalid(format!(
                        "'{key}' must have exactly one of Return or Throw (an object with Error and Cause)"
                    )));
                }
            };
            response.ranges.push((first, last, result));
        }
        Ok(response)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawConfig {
    #[serde(default)]
    state_machines: HashMap<String, RawMachine>,
    #[serde(default)]
    mocked_responses: HashMap<String, serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawMachine {
    #[serde(default)]
    test_cases: HashMap<String, HashMap<String, String>>,
}

/// A parsed mock configuration file.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// machine → test case → state → mocked response name.
    state_machines: HashMap<String, HashMap<String, HashMap<String, String>>>,
    responses: HashMap<String, MockedResponse>,
}

impl MockConfig {
    /// Read a mock configuration file.
    ///
    /// # Errors
    ///
    /// [`MockError::Read`] if it cannot be read, [`MockError::Invalid`] if it
    /// is not a mock configuration.
    pub fn load(path: &Path) -> Result<MockConfig, MockError> {
        let text = std::fs::read_to_string(path).map_err(|source| MockError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        MockConfig::from_json(&text)
    }

    /// Parse a mock configuration from JSON text.
    ///
    /// # Errors
    ///
    /// [`MockError::Invalid`]: not JSON, a bad invocation range, a response
    /// without exactly one of `Return` / `Throw`, or a test case naming a
    /// mocked response that does not exist.
    pub fn from_json(text: &str) -> Result<MockConfig, MockError> {
        let raw: RawConfig =
            serde_json::from_str(text).map_err(|e| MockError::Invalid(e.to_string()))?;
        let responses = raw
            .mocked_responses
            .iter()
            .map(|(name, entries)| Ok((name.clone(), MockedResponse::from_raw(name, entries)?)))
            .collect::<Result<HashMap<_, _>, MockError>>()?;
        let mut state_machines = HashMap::new();
        for (machine, raw_machine) in raw.state_machines {
            for (case, states) in &raw_machine.test_cases {
                if let Some((state, missing)) =
                    states.iter().find(|(_, r)| !responses.contains_key(*r))
                {
                    return Err(MockError::Invalid(format!(
                        "StateMachines.{machine}.TestCases.{case}.{state} names the mocked response '{missing}', which MockedResponses does not define"
                    )));
                }
            }
            state_machines.insert(machine, raw_machine.test_cases);
        }
        Ok(MockConfig {
            state_machines,
            responses,
        })
    }

    /// The test case names of a state machine, sorted.
    pub fn test_cases(&self, state_machine: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .state_machines
            .get(state_machine)
            .map(|cases| cases.keys().map(String::as_str).collect())
            .unwrap_or_default();
        names.sort_unstable();
        names
    }

    /// A [`TaskHandler`] answering the Task states of `test_case` of
    /// `state_machine` with their mocked responses. Use one per execution:
    /// it counts invocations.
    ///
    /// # Errors
    ///
    /// [`MockError::UnknownTestCase`] if the file has no such test case.
    pub fn handler(&self, state_machine: &str, test_case: &str) -> Result<MockHandler, MockError> {
        let states = self
            .state_machines
            .get(state_machine)
            .and_then(|cases| cases.get(test_case))
            .ok_or_else(|| MockError::UnknownTestCase {
                state_machine: state_machine.to_string(),
                test_case: test_case.to_string(),
            })?;
        let mocks = states
            .iter()
            .filter_map(|(state, name)| Some((state.clone(), self.responses.get(name)?.clone())))
            .collect();
        Ok(MockHandler::new(mocks))
    }
}

/// Answers Task states by state name and invocation index; see the module docs.
pub struct MockHandler {
    mocks: HashMap<String, MockedResponse>,
    invocations: Mutex<HashMap<String, u64>>,
    fallback: Option<Arc<dyn TaskHandler>>,
}

impl std::fmt::Debug for MockHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockHandler")
            .field("mocks", &self.mocks)
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

impl MockHandler {
    /// Mock the states named in `mocks` (per-state mocked task results).
    pub fn new(mocks: HashMap<String, MockedResponse>) -> Self {
        MockHandler {
            mocks,
            invocations: Mutex::new(HashMap::new()),
            fallback: None,
        }
    }

    /// Send Task states that are not mocked to `handler`.
    pub fn with_fallback(mut self, handler: Arc<dyn TaskHandler>) -> Self {
        self.fallback = Some(handler);
        self
    }

    fn next_invocation(&self, state: &str) -> u64 {
        let mut invocations = match self.invocations.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = invocations.entry(state.to_string()).or_insert(0);
        *n += 1;
        *n - 1
    }
}

#[async_trait]
impl TaskHandler for MockHandler {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        let state = &*context.state_name;
        let Some(response) = self.mocks.get(state) else {
            return match &self.fallback {
                Some(fallback) => fallback.invoke(resource, input, context).await,
                None => Err(TaskFailure::new(
                    MOCK_NOT_MOCKED,
                    Some(format!(
                        "the test case has no mocked response for state '{state}'"
                    )),
                )),
            };
        };
        let index = self.next_invocation(state);
        match response.at(index) {
            Some(MockedResult::Return(value)) => Ok(value.clone()),
            Some(MockedResult::Throw(failure)) => Err(failure.clone()),
            None => Err(TaskFailure::new(
                MOCK_NO_RESPONSE,
                Some(format!(
                    "the mocked response for state '{state}' has nothing for invocation {index}"
                )),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
