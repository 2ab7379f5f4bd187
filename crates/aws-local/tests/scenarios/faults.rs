//! The faults the harness injects, each seen to happen and to end where the
//! deployment's own retries and catchers take it. (What the deployment
//! promises under faults is RELIABILITY.md's; these tests show the faults
//! are real.)

use std::time::Duration;

use rez_aws_local::faults::InjectedError;
use serde_json::json;

use crate::support::{
    assert_none_published_after_completion, eventually, function_name, no_execution_running, send,
    settled, start, start_visible_after, step_functions,
};

fn injected(operation: &str, count: u32, error_type: &str, message: &str) -> InjectedError {
    InjectedError {
        operation: operation.to_owned(),
        count,
        status: 400,
        error_type: error_type.to_owned(),
        message: message.to_owned(),
        details: serde_json::Map::new(),
        delay_ms: 0,
    }
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_function_killed_mid_invocation_fails_its_task_with_runtime_exit_error() {
    let local = start().await;
    let sender = function_name(&local, "send-notification");
    local
        .ntfy()
        .expect("the stub")
        .answer_with(&[200], Duration::from_secs(5));
    let (_, sent) = send(&local, &json!({"message": "crash while sending"})).await;
    let id = sent["id"].as_str().expect("an id").to_owned();
    eventually("send-notification running", || async {
        (local.lambda().running(&sender).unwrap_or(0) > 0).then_some(())
    })
    .await;
    assert_eq!(local.lambda().kill_running(&sender), Ok(1));

    let message = settled(&local, &id).await;
    assert_eq!(message.status.as_str(), "failed", "{message:?}");
    let execution = message.execution_id.clone().expect("an execution");
    let events = crate::support::history(&local, &execution).await;
    let failure = events
        .iter()
        .find(|e| e["type"] == "TaskFailed")
        .expect("the killed task failed");
    assert_eq!(
        failure["taskFailedEventDetails"]["error"], "Runtime.ExitError",
        "{failure}"
    );
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_throttled_start_sync_execution_leaves_the_record_to_come_back_and_deliver() {
    // Every queue's visibility timeout is 2 s instead of the declared 30 min.
    let local = start_visible_after(Some(2)).await;
    let processor = function_name(&local, "processor");
    // The SDK's standard retry makes three attempts: all three are throttled.
    local.faults().inject(injected(
        "AWSStepFunctions.StartSyncExecution",
        3,
        "ThrottlingException",
        "Rate exceeded",
    ));
    let text = "after a throttle";
    let (_, sent) = send(&local, &json!({"message": text})).await;
    let id = sent["id"].as_str().expect("an id").to_owned();

    let message = settled(&local, &id).await;
    assert_none_published_after_completion(&local, &message, text);
    assert!(
        local
            .faults()
            .take_error("AWSStepFunctions.StartSyncExecution")
            .is_none()
    );
    let invocations = local.lambda().invocations(&processor).unwrap_or(0);
    assert!(
        invocations >= 2,
        "the record came back for a second invocation, got {invocations}"
    );
    assert_eq!(local.ntfy().expect("the stub").received().len(), 1);
    no_execution_running(&local).await;
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_dynamodb_transaction_conflict_is_tried_again_and_the_message_is_delivered() {
    let local = start().await;
    let mut conflict = injected(
        "DynamoDB_20120810.TransactWriteItems",
        1,
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]",
    );
    conflict.details.insert(
        "CancellationReasons".to_owned(),
        json!([{"Code": "TransactionConflict"}, {"Code": "None"}]),
    );
    local.faults().inject(conflict);
    let text = "after a conflict";
    let (status, sent) = send(&local, &json!({"message": text})).await;
    assert_eq!(status, 202, "{sent}");
    assert!(
        local
            .faults()
            .take_error("DynamoDB_20120810.TransactWriteItems")
            .is_none()
    );
    let message = settled(&local, sent["id"].as_str().expect("an id")).await;
    assert_none_published_after_completion(&local, &message, text);
    assert_eq!(local.ntfy().expect("the stub").received().len(), 1);
    no_execution_running(&local).await;
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn the_processor_killed_mid_batch_loses_nothing_and_publishes_nothing_after_completion() {
    // Every queue's visibility timeout is 2 s: the killed batch's record
    // comes back in seconds.
    let local = start_visible_after(Some(2)).await;
    let processor = function_name(&local, "processor");
    // ntfy answers after 2 s, so the processor is still waiting on the
    // execution when it is killed.
    local
        .ntfy()
        .expect("the stub")
        .answer_with(&[200], Duration::from_secs(2));
    let text = "kill the processor";
    let (status, sent) = send(&local, &json!({"message": text})).await;
    assert_eq!(status, 202, "{sent}");
    eventually("the processor running", || async {
        (local.lambda().running(&processor).unwrap_or(0) > 0).then_some(())
    })
    .await;
    assert_eq!(local.lambda().kill_running(&processor), Ok(1));

    let message = settled(&local, sent["id"].as_str().expect("an id")).await;
    // The killed invocation's execution runs on and may complete the message
    // before the record's visibility timeout brings it back: wait for that
    // second invocation to have run.
    eventually("the killed batch's record back and processed", || async {
        (local.lambda().invocations(&processor).unwrap_or(0) >= 2
            && local.lambda().running(&processor).unwrap_or(1) == 0)
            .then_some(())
    })
    .await;
    assert_none_published_after_completion(&local, &message, text);
    // The killed invocation's execution ran on and delivered; the record's
    // next execution found the claim or the delivery and published nothing.
    assert_eq!(local.ntfy().expect("the stub").received().len(), 1);
    no_execution_running(&local).await;
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_duplicated_sqs_delivery_invokes_the_processor_twice_with_the_same_record() {
    let local = start().await;
    let processor = function_name(&local, "processor");
    local.faults().duplicate_deliveries(1);
    let (_, sent) = send(&local, &json!({"message": "delivered twice"})).await;
    let id = sent["id"].as_str().expect("an id").to_owned();
    let message = settled(&local, &id).await;
    eventually("both invocations", || async {
        (local.lambda().invocations(&processor).unwrap_or(0) == 2
            && local.lambda().running(&processor).unwrap_or(1) == 0)
            .then_some(())
    })
    .await;
    assert_eq!(message.status.as_str(), "completed", "{message:?}");
    let listed = step_functions(
        &local,
        "ListExecutions",
        &json!({"stateMachineArn": local.declared().state_machines[0].arn}),
    )
    .await;
    let executions = listed["executions"].as_array().map_or(0, Vec::len);
    assert!(executions >= 1, "{listed}");
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_record_that_keeps_failing_moves_to_the_dlq_after_max_receive_count() {
    // Every queue's visibility timeout is 1 s instead of the declared 30 min.
    let local = start_visible_after(Some(1)).await;
    local.faults().inject(injected(
        "AWSStepFunctions.StartSyncExecution",
        1000,
        "ThrottlingException",
        "Rate exceeded",
    ));
    let (_, sent) = send(&local, &json!({"message": "never started"})).await;
    assert!(sent["id"].is_string(), "{sent}");
    let dlq = local
        .declared()
        .queues
        .iter()
        .find(|q| q.redrive_policy.is_none())
        .expect("the DLQ is declared")
        .name
        .clone();
    let sqs = local.clients().sqs.clone();
    let url = sqs
        .get_queue_url()
        .queue_name(&dlq)
        .send()
        .await
        .expect("the DLQ exists")
        .queue_url
        .expect("a URL");
    let dead = eventually("the record in the DLQ", || async {
        sqs.receive_message()
            .queue_url(&url)
            .send()
            .await
            .ok()
            .and_then(|out| out.messages)
            .filter(|m| !m.is_empty())
    })
    .await;
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0]
            .body
            .as_deref()
            .unwrap_or_default()
            .contains(sent["id"].as_str().unwrap_or("?")),
        "{dead:?}"
    );
    local.shutdown().await;
}
