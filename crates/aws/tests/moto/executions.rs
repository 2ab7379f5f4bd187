//! Executions on AWS: the summaries the processor records in the message
//! table, and each history read back from the state machine's log group.

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use chrono::{DateTime, Duration, Utc};
use rez_aws::{AwsExecutionReader, DynamoExecutionStore, ExecutionLogGroup};
use rez_core::ports::{
    ExecutionQuery, ExecutionReader, ExecutionRecorder, ExecutionSummary, ListQuery, MessageStore,
};
use rez_core::{MessageType, Stage, Status};
use serde_json::{Value, json};

use crate::helpers::{TestResult, message_at, new_store, sdk_config, unique};

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:express:rez-agent-notification-dev";

/// A minute ago, in whole seconds: CloudWatch Logs refuses events older than
/// 14 days.
fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp() - 60, 0).unwrap()
}

fn summary(name: &str, message_id: &str, status: &str, offset_s: i64) -> ExecutionSummary {
    let started = start() + Duration::seconds(offset_s);
    let stopped = started + Duration::milliseconds(800);
    ExecutionSummary {
        execution_id: format!("{MACHINE}:{name}:0f1e"),
        name: name.to_owned(),
        message_id: Some(message_id.to_owned()),
        status: status.parse().expect("an execution status"),
        start_date: rez_core::time::format(started),
        stop_date: Some(rez_core::time::format(stopped)),
        duration_ms: Some(800),
        task_attempts: None,
        error: (status == "FAILED").then(|| "Ntfy.ServerError".to_owned()),
        cause: None,
    }
}

fn ids(items: &[ExecutionSummary]) -> Vec<&str> {
    items.iter().map(|s| s.name.as_str()).collect()
}

#[tokio::test]
async fn recorded_executions_list_newest_first_by_filter_and_cursor_and_stay_out_of_the_message_lists()
-> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let message = message_at(0, Stage::Dev, MessageType::Notification);
    store.create(&message, None).await?;
    let executions = DynamoExecutionStore::beside(&store);
    let recorded = [
        summary("e1", "m-a", "SUCCEEDED", 1),
        summary("e2", "m-b", "FAILED", 2),
        summary("e3", "m-b", "SUCCEEDED", 3),
        summary("e4", "m-a", "TIMED_OUT", 4),
        summary("e5", "m-b", "FAILED", 5),
    ];
    for s in &recorded {
        executions
            .record_execution(s, &json!({"message_id": s.message_id}), None)
            .await?;
    }

    let mut query = ExecutionQuery {
        limit: 2,
        ..ExecutionQuery::default()
    };
    let mut pages = Vec::new();
    loop {
        let page = executions.list(&query).await?;
        pages.push(ids(&page.items).join(","));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(pages, ["e5,e4", "e3,e2", "e1"]);

    let failed_of_b = executions
        .list(&ExecutionQuery {
            status: Some(rez_core::ports::ExecutionStatus::Failed),
            message_id: Some("m-b".into()),
            limit: 10,
            cursor: None,
        })
        .await?;
    assert_eq!(ids(&failed_of_b.items), ["e5", "e2"]);
    assert_eq!(failed_of_b.items[1], recorded[1]);
    assert_eq!(failed_of_b.next_cursor, None);

    let after_unknown = executions
        .list(&ExecutionQuery {
            limit: 10,
            cursor: Some(format!("{MACHINE}:nobody:0f1e")),
            ..ExecutionQuery::default()
        })
        .await?;
    assert!(after_unknown.items.is_empty());

    // The message lists, by stage and by status, show only the message.
    let listed = store.list(&ListQuery::default()).await?;
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].id, message.id);
    for status in [Status::Created, Status::Completed, Status::Failed] {
        let by_status = store
            .list(&ListQuery {
                status: Some(status),
                ..ListQuery::default()
            })
            .await?;
        assert!(by_status.items.iter().all(|m| m.id == message.id));
    }
    Ok(())
}

/// The log record Step Functions writes for one history event.
fn log_record(execution_arn: &str, id: u64, event_type: &str, details: Value) -> (i64, String) {
    let millis = start().timestamp_millis() + i64::try_from(id).unwrap() * 100;
    let record = json!({
        "id": id.to_string(),
        "type": event_type,
        "details": details,
        "previous_event_id": (id - 1).to_string(),
        "event_timestamp": millis.to_string(),
        "execution_arn": execution_arn,
        "redrive_count": "0",
    });
    (millis, record.to_string())
}

async fn put_logs(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
    records: Vec<(i64, String)>,
) -> TestResult {
    logs.create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await?;
    let events = records
        .into_iter()
        .map(|(timestamp, message)| {
            InputLogEvent::builder()
                .timestamp(timestamp)
                .message(message)
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_execution_reads_back_with_its_own_history_from_the_log_group() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let summaries = DynamoExecutionStore::beside(&store);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk_config());
    let group = format!("/aws/vendedlogs/states/{}", unique("notification"));
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await?;

    let retried = summary("e1", "m-a", "SUCCEEDED", 0);
    let arn = retried.execution_id.clone();
    // Another execution whose ARN holds the first one's: its events match
    // the quoted term too, and must not be counted.
    let mut longer = summary("e1", "m-b", "SUCCEEDED", 0);
    longer.execution_id = format!("{arn}2");
    let unlogged = summary("e3", "m-c", "FAILED", 2);
    for s in [&retried, &longer, &unlogged] {
        summaries
            .record_execution(
                s,
                &json!({"message_id": s.message_id}),
                Some(&json!({"ok": true})),
            )
            .await?;
    }
    let task =
        |name: &str| json!({"name": name, "input": "{}", "inputDetails": {"truncated": false}});
    put_logs(
        &logs,
        &group,
        "states/e1",
        vec![
            log_record(
                &arn,
                1,
                "ExecutionStarted",
                json!({"input": "{}", "roleArn": "arn:role"}),
            ),
            log_record(&arn, 2, "TaskStateEntered", task("SendNotification")),
            log_record(
                &arn,
                3,
                "TaskScheduled",
                json!({"resource": "invoke", "resourceType": "lambda"}),
            ),
            log_record(
                &arn,
                4,
                "TaskFailed",
                json!({"error": "Ntfy.ServerError", "cause": "503"}),
            ),
            log_record(
                &arn,
                5,
                "TaskScheduled",
                json!({"resource": "invoke", "resourceType": "lambda"}),
            ),
            log_record(&arn, 6, "ExecutionSucceeded", json!({"output": "{}"})),
        ],
    )
    .await?;
    put_logs(
        &logs,
        &group,
        "states/e1-2",
        vec![log_record(
            &longer.execution_id,
            1,
            "ExecutionStarted",
            json!({}),
        )],
    )
    .await?;
    let reader = AwsExecutionReader::new(summaries, ExecutionLogGroup::new(logs, &group));

    let record = reader.get_execution(&arn).await?.expect("recorded");
    let types: Vec<&str> = record
        .history
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskFailed",
            "TaskScheduled",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        record.history[3]["details"]["taskFailedEventDetails"]["error"],
        "Ntfy.ServerError"
    );
    assert_eq!(record.history[1]["previousEventId"], 1);
    assert_eq!(record.summary.task_attempts, Some(2));
    assert_eq!(record.input, json!({"message_id": "m-a"}));
    assert_eq!(record.output, Some(json!({"ok": true})));
    assert_eq!(
        ExecutionSummary {
            task_attempts: None,
            ..record.summary
        },
        retried
    );

    // Logs that never arrived: the summary, with no history and no count.
    let bare = reader
        .get_execution(&unlogged.execution_id)
        .await?
        .expect("recorded");
    assert!(bare.history.is_empty());
    assert_eq!(bare.summary.task_attempts, None);
    assert_eq!(bare.summary.error.as_deref(), Some("Ntfy.ServerError"));

    assert!(
        reader
            .get_execution(&format!("{MACHINE}:nobody:0f1e"))
            .await?
            .is_none()
    );
    // The list is the table's, without counts.
    let listed = reader
        .list_executions(&ExecutionQuery {
            limit: 10,
            ..ExecutionQuery::default()
        })
        .await?;
    assert_eq!(ids(&listed.items), ["e3", "e1", "e1"]);
    Ok(())
}
