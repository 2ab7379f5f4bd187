//! [`ExecutionOptions`]: how to run one execution (its names, ids, time
//! scale and limits). Below the run loop and the context object, which both
//! read it.

use std::time::Duration;

/// How to run one execution.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionOptions {
    /// The execution's name (`$$.Execution.Name`).
    pub execution_name: String,
    /// The execution's id, e.g. `arn:aws:states:local:000000000000:express:notification:<name>`.
    pub execution_id: String,
    /// `$$.StateMachine.Id`.
    pub state_machine_id: String,
    /// `$$.StateMachine.Name`.
    pub state_machine_name: String,
    /// `$$.Execution.RoleArn`.
    pub role_arn: String,
    /// Multiplies every real wait: Wait, Retry intervals, TimeoutSeconds.
    /// 1.0 is real time; 0.0 means no waiting at all, and then timeouts never fire.
    pub time_scale: f64,
    /// Longest the execution may run (scaled by `time_scale`), e.g. 5 minutes for Express.
    pub max_duration: Option<Duration>,
    /// Most bytes the execution's values may take in its arena
    /// ([`crate::value::Arena`]), every intermediate value included: past
    /// it the execution fails with `States.Runtime`. Each payload is also
    /// limited to AWS's 256 KiB (`States.DataLimitExceeded`); this bounds
    /// what a long or looping execution accumulates.
    pub value_limit_bytes: usize,
}

/// Default state machine name in [`ExecutionOptions::default`].
pub const DEFAULT_STATE_MACHINE_NAME: &str = "local";

impl Default for ExecutionOptions {
    fn default() -> Self {
        let name = uuid::Uuid::new_v4().to_string();
        ExecutionOptions {
            execution_id: format!(
                "arn:aws:states:local:000000000000:execution:{DEFAULT_STATE_MACHINE_NAME}:{name}"
            ),
            execution_name: name,
            state_machine_id: format!(
                "arn:aws:states:local:000000000000:stateMachine:{DEFAULT_STATE_MACHINE_NAME}"
            ),
            state_machine_name: DEFAULT_STATE_MACHINE_NAME.to_string(),
            role_arn: "arn:aws:iam::000000000000:role/local-states".to_string(),
            time_scale: 1.0,
            max_duration: None,
            value_limit_bytes: crate::value::DEFAULT_LIMIT_BYTES,
        }
    }
}

impl ExecutionOptions {
    /// Set the execution name (the id keeps its prefix and takes the new name).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if let Some((prefix, _)) = self.execution_id.rsplit_once(':') {
            self.execution_id = format!("{prefix}:{name}");
        }
        self.execution_name = name;
        self
    }
    /// Set the execution id.
    pub fn with_execution_id(mut self, id: impl Into<String>) -> Self {
        self.execution_id = id.into();
        self
    }
    /// Set the state machine id and name.
    pub fn with_state_machine(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.state_machine_id = id.into();
        self.state_machine_name = name.into();
        self
    }
    /// Set the role ARN.
    pub fn with_role_arn(mut self, role_arn: impl Into<String>) -> Self {
        self.role_arn = role_arn.into();
        self
    }
    /// Set the time scale (0.0 = never wait).
    pub fn with_time_scale(mut self, time_scale: f64) -> Self {
        self.time_scale = time_scale;
        self
    }
    /// Set the maximum duration.
    pub fn with_max_duration(mut self, max: Option<Duration>) -> Self {
        self.max_duration = max;
        self
    }

    /// Set [`ExecutionOptions::value_limit_bytes`].
    pub fn with_value_limit(mut self, bytes: usize) -> Self {
        self.value_limit_bytes = bytes;
        self
    }

    /// `seconds` of specification time as real time, or `None` when time is
    /// not scaled (`time_scale` 0) or the value is not a usable duration.
    pub(crate) fn scaled(&self, seconds: f64) -> Option<Duration> {
        if self.time_scale <= 0.0 || !self.time_scale.is_finite() {
            return None;
        }
        Duration::try_from_secs_f64(seconds * self.time_scale).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_name_keeps_the_id_prefix() {
        let options = ExecutionOptions::default()
            .with_execution_id("arn:aws:states:local:0:express:n:old")
            .with_name("new");
        assert_eq!(options.execution_id, "arn:aws:states:local:0:express:n:new");
        assert_eq!(options.execution_name, "new");
    }

    #[test]
    fn time_scale_zero_means_no_waiting_at_all() {
        let options = ExecutionOptions::default().with_time_scale(0.0);
        assert_eq!(options.scaled(10.0), None);
        let options = ExecutionOptions::default().with_time_scale(0.01);
        assert_eq!(options.scaled(10.0), Some(Duration::from_millis(100)));
        assert_eq!(options.scaled(f64::INFINITY), None);
    }
}
