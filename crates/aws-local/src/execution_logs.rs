//! Step Functions' log delivery for Express executions: once an execution
//! has ended, its history goes to the state machine's log group in moto,
//! one log event per history event, in the record shape AWS writes at level
//! `ALL` with execution data:
//!
//! ```json
//! {"id": "3", "type": "TaskScheduled", "details": {…}, "previous_event_id": "2",
//!  "event_timestamp": "1765101600123", "execution_arn": "…", "redrive_count": "0"}
//! ```
//!
//! The history comes from the Step Functions endpoint's
//! `GetExecutionHistory`, which `rez-agent stepfunctions` answers for
//! Express executions too (AWS does not: that is why the deployment reads
//! the log group). AWS delivers these logs best-effort and asynchronously;
//! the harness delivers them just after it relays `StartSyncExecution`'s
//! answer, so a test waits for them as a user would.

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use serde_json::{Value, json};

use crate::AwsLocalError;

/// Most history pages one delivery reads.
const MAX_PAGES: usize = 20;

/// Delivers executions' histories to one log group.
#[derive(Debug, Clone)]
pub struct ExecutionLogs {
    logs: aws_sdk_cloudwatchlogs::Client,
    log_group: String,
    http: reqwest::Client,
}

impl ExecutionLogs {
    /// Delivers to `log_group` through `logs` (moto's CloudWatch Logs).
    pub fn new(logs: aws_sdk_cloudwatchlogs::Client, log_group: impl Into<String>) -> Self {
        Self {
            logs,
            log_group: log_group.into(),
            http: reqwest::Client::new(),
        }
    }

    /// Reads the history of `execution_arn` from the Step Functions
    /// endpoint at `step_functions` and writes it to the log group, in a
    /// stream of its own.
    ///
    /// # Errors
    /// [`AwsLocalError::StepFunctions`] when the history cannot be read or
    /// the log events cannot be written.
    pub async fn deliver(
        &self,
        step_functions: &str,
        execution_arn: &str,
    ) -> Result<(), AwsLocalError> {
        let events = self.history(step_functions, execution_arn).await?;
        let mut records = events
            .iter()
            .map(|event| log_record(event, execution_arn))
            .collect::<Result<Vec<_>, _>>()?;
        // PutLogEvents takes a batch in time order.
        records.sort_by_key(|(timestamp, _)| *timestamp);
        let stream = log_stream_name(execution_arn);
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            AwsLocalError::StepFunctions(format!(
                "delivering the logs of {execution_arn}: {what}: {e}"
            ))
        };
        self.logs
            .create_log_stream()
            .log_group_name(&self.log_group)
            .log_stream_name(&stream)
            .send()
            .await
            .map_err(|e| {
                fail(
                    "CreateLogStream",
                    &aws_sdk_cloudwatchlogs::error::DisplayErrorContext(e),
                )
            })?;
        let batch = records
            .into_iter()
            .map(|(timestamp, message)| {
                InputLogEvent::builder()
                    .timestamp(timestamp)
                    .message(message)
                    .build()
                    .map_err(|e| fail("a log event", &e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.logs
            .put_log_events()
            .log_group_name(&self.log_group)
            .log_stream_name(&stream)
            .set_log_events(Some(batch))
            .send()
            .await
            .map_err(|e| {
                fail(
                    "PutLogEvents",
                    &aws_sdk_cloudwatchlogs::error::DisplayErrorContext(e),
                )
            })?;
        Ok(())
    }

    /// Every event of the execution, in `GetExecutionHistory`'s shape.
    async fn history(
        &self,
        step_functions: &str,
        execution_arn: &str,
    ) -> Result<Vec<Value>, AwsLocalError> {
        let fail = |why: String| {
            AwsLocalError::StepFunctions(format!("reading the history of {execution_arn}: {why}"))
        };
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut request = json!({"executionArn": execution_arn, "maxResults": 1000});
            if let Some(token) = token.take() {
                request["nextToken"] = token.into();
            }
            let answer = self
                .http
                .post(step_functions)
                .header("x-amz-target", "AWSStepFunctions.GetExecutionHistory")
                .header("content-type", "application/x-amz-json-1.0")
                .body(request.to_string())
                .send()
                .await
                .map_err(|e| fail(e.to_string()))?;
            let status = answer.status();
            let body: Value = answer.json().await.map_err(|e| fail(e.to_string()))?;
            if !status.is_success() {
                return Err(fail(format!("{status}: {body}")));
            }
            if let Some(page) = body["events"].as_array() {
                events.extend(page.iter().cloned());
            }
            token = body["nextToken"].as_str().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        Ok(events)
    }
}

/// A `GetExecutionHistory` event as Step Functions logs it: its time in
/// epoch milliseconds and the log record's text.
fn log_record(event: &Value, execution_arn: &str) -> Result<(i64, String), AwsLocalError> {
    let malformed =
        || AwsLocalError::StepFunctions(format!("a history event without its members: {event}"));
    let seconds = event["timestamp"].as_f64().ok_or_else(malformed)?;
    // Whole milliseconds: the float's product is rounded, not truncated.
    #[allow(clippy::cast_possible_truncation)]
    let millis = (seconds * 1000.0).round() as i64;
    let id = event["id"].as_u64().ok_or_else(malformed)?;
    let previous = event["previousEventId"].as_u64().unwrap_or(0);
    let event_type = event["type"].as_str().ok_or_else(malformed)?;
    let details = event
        .as_object()
        .and_then(|members| {
            members
                .iter()
                .find(|(name, _)| name.ends_with("EventDetails"))
                .map(|(_, details)| details.clone())
        })
        .unwrap_or_else(|| json!({}));
    let record = json!({
        "id": id.to_string(),
        "type": event_type,
        "details": details,
        "previous_event_id": previous.to_string(),
        "event_timestamp": millis.to_string(),
        "execution_arn": execution_arn,
        "redrive_count": "0",
    });
    Ok((millis, record.to_string()))
}

/// The stream an execution's events go to: its name, after the machine's.
fn log_stream_name(execution_arn: &str) -> String {
    // arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>
    let parts: Vec<&str> = execution_arn.split(':').collect();
    match parts.as_slice() {
        [.., machine, name, id] => format!("states/{machine}/{name}/{id}"),
        _ => format!("states/{}", execution_arn.replace(':', "/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:states:us-east-1:1:express:notification:m-1-ab:0f1e";

    #[test]
    fn a_history_event_becomes_the_record_step_functions_logs_and_reads_back_the_same() {
        let event = json!({
            "timestamp": 1_765_101_600.123,
            "type": "TaskStateEntered",
            "id": 2,
            "previousEventId": 1,
            "stateEnteredEventDetails": {"name": "LoadMessage", "input": "{}"},
        });
        let (millis, text) = log_record(&event, ARN).unwrap();
        assert_eq!(millis, 1_765_101_600_123);
        let record: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            record,
            json!({
                "id": "2",
                "type": "TaskStateEntered",
                "details": {"name": "LoadMessage", "input": "{}"},
                "previous_event_id": "1",
                "event_timestamp": "1765101600123",
                "execution_arn": ARN,
                "redrive_count": "0",
            })
        );
        // What the deployment's reader makes of it is the API's event.
        let read = rez_aws::logs::history_event(&record).unwrap();
        assert_eq!(
            read["details"]["stateEnteredEventDetails"],
            event["stateEnteredEventDetails"]
        );
        assert_eq!(read["timestamp"], "2025-12-07T10:00:00.123Z");
        assert_eq!(read["id"], 2);
        assert_eq!(read["previousEventId"], 1);
    }

    #[test]
    fn each_execution_has_its_own_stream() {
        assert_eq!(log_stream_name(ARN), "states/notification/m-1-ab/0f1e");
    }
}
