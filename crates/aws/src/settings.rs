//! The typed configuration of a Lambda, read from its environment.

use rez_core::Stage;

use crate::SettingsError;
use crate::scheduler::ScheduleTarget;

/// `REZ_TABLE_NAME`: the DynamoDB message table (required).
pub const TABLE_NAME_VAR: &str = "REZ_TABLE_NAME";
/// `REZ_TOPIC_ARN`: the SNS topic messages are published to.
pub const TOPIC_ARN_VAR: &str = "REZ_TOPIC_ARN";
/// `REZ_STATE_MACHINE_ARN`: the Express state machine the processor runs.
pub const STATE_MACHINE_ARN_VAR: &str = "REZ_STATE_MACHINE_ARN";
/// `REZ_NTFY_URL_PARAMETER`: the SSM parameter holding the ntfy topic URL.
pub const NTFY_URL_PARAMETER_VAR: &str = "REZ_NTFY_URL_PARAMETER";
/// `REZ_NTFY_TOKEN_PARAMETER`: the SSM SecureString holding the ntfy token.
pub const NTFY_TOKEN_PARAMETER_VAR: &str = "REZ_NTFY_TOKEN_PARAMETER";
/// `REZ_API_KEY_PARAMETER`: the SSM SecureString holding the API key.
pub const API_KEY_PARAMETER_VAR: &str = "REZ_API_KEY_PARAMETER";
/// `REZ_QUEUE_URL`: the SQS queue the processor consumes (processor, API).
pub const QUEUE_URL_VAR: &str = "REZ_QUEUE_URL";
/// `REZ_DLQ_URL`: the queue's dead-letter queue (API).
pub const DLQ_URL_VAR: &str = "REZ_DLQ_URL";
/// `REZ_EXECUTION_LOG_GROUP`: the state machine's log group, where the API
/// reads an execution's history.
pub const EXECUTION_LOG_GROUP_VAR: &str = "REZ_EXECUTION_LOG_GROUP";
/// `REZ_CORS_ORIGINS`: the origins a browser may call the API from,
/// comma-separated (`*` allows any); unset turns CORS off.
pub const CORS_ORIGINS_VAR: &str = "REZ_CORS_ORIGINS";
/// `REZ_SCHEDULE_GROUP`: the schedule group the API creates the schedules
/// people define in.
pub const SCHEDULE_GROUP_VAR: &str = "REZ_SCHEDULE_GROUP";
/// `REZ_SCHEDULE_TARGET_ARN`: what those schedules invoke (the scheduler
/// function's `live` alias).
pub const SCHEDULE_TARGET_ARN_VAR: &str = "REZ_SCHEDULE_TARGET_ARN";
/// `REZ_SCHEDULE_ROLE_ARN`: the role Scheduler invokes it with.
pub const SCHEDULE_ROLE_ARN_VAR: &str = "REZ_SCHEDULE_ROLE_ARN";
/// `REZ_SCHEDULE_DLQ_ARN`: where Scheduler puts a fire it could not deliver.
pub const SCHEDULE_DLQ_ARN_VAR: &str = "REZ_SCHEDULE_DLQ_ARN";
/// `REZ_CONFIGURATION_SCHEDULE`: the expression of the deployment's own
/// daily schedule, which the API shows as a schedule configuration owns.
pub const CONFIGURATION_SCHEDULE_VAR: &str = "REZ_CONFIGURATION_SCHEDULE";
/// `REZ_STAGE`: `dev`, `stage` or `prod` (default `dev`).
pub const STAGE_VAR: &str = "REZ_STAGE";

/// Where a Lambda finds its AWS resources. Each function reads what it needs;
/// only the table is required of every one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// The DynamoDB message table, e.g. `rez-agent-messages-dev`.
    pub table_name: String,
    /// The SNS topic new messages are published to (API, scheduler).
    pub topic_arn: Option<String>,
    /// The notification state machine (processor).
    pub state_machine_arn: Option<String>,
    /// Name of the SSM parameter holding the ntfy URL.
    pub ntfy_url_parameter: Option<String>,
    /// Name of the SSM SecureString holding the ntfy access token.
    pub ntfy_token_parameter: Option<String>,
    /// Name of the SSM SecureString holding the API key.
    pub api_key_parameter: Option<String>,
    /// The queue the processor consumes: where it hides failed records
    /// and where the API sends dead letters back to.
    pub queue_url: Option<String>,
    /// The queue's dead-letter queue, which the API lists and redrives.
    pub dlq_url: Option<String>,
    /// The state machine's log group, which the API reads executions'
    /// histories from.
    pub execution_log_group: Option<String>,
    /// The origins a browser may call the API from (API).
    pub cors_origins: Vec<String>,
    /// Where the schedules people define run (API); `None` when none of
    /// its four variables is set.
    pub schedule_target: Option<ScheduleTarget>,
    /// The expression of the deployment's own daily schedule (API).
    pub configuration_schedule: Option<String>,
    /// The deployment stage; the table holds this stage's messages.
    pub stage: Stage,
}

impl AwsSettings {
    /// Reads the settings from the process environment.
    ///
    /// # Errors
    /// [`SettingsError::Missing`] when `REZ_TABLE_NAME` is unset,
    /// [`SettingsError::Invalid`] when `REZ_STAGE` is not a stage.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (a variable name to its value), so
    /// tests never touch the process environment. Empty values count as unset.
    ///
    /// # Errors
    /// As [`AwsSettings::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |var: &str| {
            lookup(var)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let table_name = get(TABLE_NAME_VAR).ok_or(SettingsError::Missing {
            var: TABLE_NAME_VAR,
        })?;
        let stage = match get(STAGE_VAR) {
            None => Stage::Dev,
            Some(text) => {
                text.parse()
                    .map_err(|e: rez_core::ValidationError| SettingsError::Invalid {
                        var: STAGE_VAR,
                        reason: e.message,
                    })?
            }
        };
        let schedule_target = schedule_target(&get)?;
        Ok(Self {
            table_name,
            topic_arn: get(TOPIC_ARN_VAR),
            state_machine_arn: get(STATE_MACHINE_ARN_VAR),
            ntfy_url_parameter: get(NTFY_URL_PARAMETER_VAR),
            ntfy_token_parameter: get(NTFY_TOKEN_PARAMETER_VAR),
            api_key_parameter: get(API_KEY_PARAMETER_VAR),
            queue_url: get(QUEUE_URL_VAR),
            dlq_url: get(DLQ_URL_VAR),
            execution_log_group: get(EXECUTION_LOG_GROUP_VAR),
            cors_origins: get(CORS_ORIGINS_VAR)
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|origin| !origin.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            schedule_target,
            configuration_schedule: get(CONFIGURATION_SCHEDULE_VAR),
            stage,
        })
    }

    /// The topic ARN, for the functions that publish.
    ///
    /// # Errors
    /// [`SettingsError::Missing`] naming `REZ_TOPIC_ARN`.
    pub fn require_topic_arn(&self) -> Result<&str, SettingsError> {
        self.topic_arn
            .as_deref()
            .ok_or(SettingsError::Missing { var: TOPIC_ARN_VAR })
    }

    /// The state machine ARN, for the processor.
    ///
    /// # Errors
    /// [`SettingsError::Missing`] naming `REZ_STATE_MACHINE_ARN`.
    pub fn require_state_machine_arn(&self) -> Result<&str, SettingsError> {
        self.state_machine_arn
            .as_deref()
            .ok_or(SettingsError::Missing {
                var: STATE_MACHINE_ARN_VAR,
            })
    }

    /// The queue's URL, for the processor and the API.
    ///
    /// # Errors
    /// [`SettingsError::Missing`] naming `REZ_QUEUE_URL`.
    pub fn require_queue_url(&self) -> Result<&str, SettingsError> {
        self.queue_url
            .as_deref()
            .ok_or(SettingsError::Missing { var: QUEUE_URL_VAR })
    }

    /// The dead-letter queue's URL, for the API.
    ///
    /// # Errors
    /// [`SettingsError::Missing`] naming `REZ_DLQ_URL`.
    pub fn require_dlq_url(&self) -> Result<&str, SettingsError> {
        self.dlq_url
            .as_deref()
            .ok_or(SettingsError::Missing { var: DLQ_URL_VAR })
    }

    /// The state machine's log group, for the API.
    ///
    /// # Errors
    /// [`SettingsError::Missing`] naming `REZ_EXECUTION_LOG_GROUP`.
    pub fn require_execution_log_group(&self) -> Result<&str, SettingsError> {
        self.execution_log_group
            .as_deref()
            .ok_or(SettingsError::Missing {
                var: EXECUTION_LOG_GROUP_VAR,
            })
    }
}

/// The schedule target from its four variables: all set, or none.
fn schedule_target(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<ScheduleTarget>, SettingsError> {
    let vars = [
        SCHEDULE_GROUP_VAR,
        SCHEDULE_TARGET_ARN_VAR,
        SCHEDULE_ROLE_ARN_VAR,
        SCHEDULE_DLQ_ARN_VAR,
    ];
    let values = vars.map(get);
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    let [group, function_arn, role_arn, dead_letter_arn] = values;
    let require =
        |value: Option<String>, var: &'static str| value.ok_or(SettingsError::Missing { var });
    Ok(Some(ScheduleTarget {
        group: require(group, SCHEDULE_GROUP_VAR)?,
        function_arn: require(function_arn, SCHEDULE_TARGET_ARN_VAR)?,
        role_arn: require(role_arn, SCHEDULE_ROLE_ARN_VAR)?,
        dead_letter_arn: require(dead_letter_arn, SCHEDULE_DLQ_ARN_VAR)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<AwsSettings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        AwsSettings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn only_the_table_is_required_and_the_stage_defaults_to_dev() {
        let s = settings(&[(TABLE_NAME_VAR, "rez-agent-messages-dev")]).unwrap();
        assert_eq!(s.table_name, "rez-agent-messages-dev");
        assert_eq!(s.stage, Stage::Dev);
        assert_eq!(s.topic_arn, None);
        assert_eq!(
            s.require_topic_arn().unwrap_err().to_string(),
            "environment variable REZ_TOPIC_ARN is required but not set"
        );
    }

    #[test]
    fn every_variable_is_read() {
        let s = settings(&[
            (TABLE_NAME_VAR, "t"),
            (TOPIC_ARN_VAR, "arn:topic"),
            (STATE_MACHINE_ARN_VAR, "arn:sm"),
            (NTFY_URL_PARAMETER_VAR, "/rez/prod/ntfy-url"),
            (NTFY_TOKEN_PARAMETER_VAR, "/rez/prod/ntfy-token"),
            (API_KEY_PARAMETER_VAR, "/rez/prod/api-key"),
            (QUEUE_URL_VAR, "https://sqs/q"),
            (DLQ_URL_VAR, "https://sqs/dlq"),
            (EXECUTION_LOG_GROUP_VAR, "/aws/vendedlogs/states/n"),
            (
                CORS_ORIGINS_VAR,
                "https://a.example, http://localhost:5173,",
            ),
            (STAGE_VAR, "prod"),
        ])
        .unwrap();
        assert_eq!(s.require_queue_url().unwrap(), "https://sqs/q");
        assert_eq!(s.require_dlq_url().unwrap(), "https://sqs/dlq");
        assert_eq!(
            s.require_execution_log_group().unwrap(),
            "/aws/vendedlogs/states/n"
        );
        assert_eq!(s.stage, Stage::Prod);
        assert_eq!(s.require_state_machine_arn().unwrap(), "arn:sm");
        assert_eq!(s.ntfy_url_parameter.as_deref(), Some("/rez/prod/ntfy-url"));
        assert_eq!(
            s.ntfy_token_parameter.as_deref(),
            Some("/rez/prod/ntfy-token")
        );
        assert_eq!(s.api_key_parameter.as_deref(), Some("/rez/prod/api-key"));
        assert_eq!(
            s.cors_origins,
            ["https://a.example", "http://localhost:5173"]
        );
    }

    #[test]
    fn the_schedule_target_is_all_four_variables_or_none() {
        let none = settings(&[(TABLE_NAME_VAR, "t")]).unwrap();
        assert_eq!(none.schedule_target, None);
        let all = settings(&[
            (TABLE_NAME_VAR, "t"),
            (SCHEDULE_GROUP_VAR, "rez-agent-schedules-dev"),
            (SCHEDULE_TARGET_ARN_VAR, "arn:fn:live"),
            (SCHEDULE_ROLE_ARN_VAR, "arn:role"),
            (SCHEDULE_DLQ_ARN_VAR, "arn:dlq"),
            (CONFIGURATION_SCHEDULE_VAR, "cron(0 12 * * ? *)"),
        ])
        .unwrap();
        assert_eq!(
            all.schedule_target,
            Some(ScheduleTarget {
                group: "rez-agent-schedules-dev".into(),
                function_arn: "arn:fn:live".into(),
                role_arn: "arn:role".into(),
                dead_letter_arn: "arn:dlq".into(),
            })
        );
        assert_eq!(
            all.configuration_schedule.as_deref(),
            Some("cron(0 12 * * ? *)")
        );
        let partial = settings(&[
            (TABLE_NAME_VAR, "t"),
            (SCHEDULE_GROUP_VAR, "g"),
            (SCHEDULE_TARGET_ARN_VAR, "arn:fn:live"),
        ]);
        assert_eq!(
            partial.unwrap_err().to_string(),
            "environment variable REZ_SCHEDULE_ROLE_ARN is required but not set"
        );
    }

    #[test]
    fn errors_name_the_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[],
                "environment variable REZ_TABLE_NAME is required but not set",
            ),
            (
                &[(TABLE_NAME_VAR, "  ")],
                "environment variable REZ_TABLE_NAME is required but not set",
            ),
            (
                &[(TABLE_NAME_VAR, "t"), (STAGE_VAR, "qa")],
                "environment variable REZ_STAGE is invalid: unknown stage 'qa': expected one of dev, stage, prod",
            ),
        ];
        for (vars, expected) in cases {
            assert_eq!(settings(vars).unwrap_err().to_string(), *expected);
        }
    }

    #[test]
    fn empty_optional_variables_count_as_unset() {
        let s = settings(&[(TABLE_NAME_VAR, "t"), (TOPIC_ARN_VAR, "")]).unwrap();
        assert_eq!(s.topic_arn, None);
        assert!(s.cors_origins.is_empty());
    }
}
