//! At-least-once delivery of queue records never reaches a phone twice.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn the_same_queue_record_delivered_twice_publishes_once() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let id = app.send(json!({"message": "only once"})).await;
    app.wait_for_status(&id, &["completed"]).await;

    // SNS/SQS may deliver the same event again: send the identical body.
    let stack = app.stack.as_ref().ok_or("no stack")?;
    let body =
        json!({"message_id": id, "stage": "dev", "message_type": "notification"}).to_string();
    stack.queue.send(body).await?;

    let executions = eventually(std::time::Duration::from_millis(20), async || {
        let executions = app.executions_of(&id).await;
        match executions.len() == 2 && executions.iter().all(|e| e["status"] != "RUNNING") {
            true => Ok(executions),
            false => Err(format!("second delivery never ran: {executions:?}")),
        }
    })
    .await;
    assert_eq!(app.publishes().await.len(), 1);
    let second = app
        .execution(executions[0]["execution_id"].as_str().ok_or("no id")?)
        .await;
    assert_eq!(second["status"], "SUCCEEDED");
    assert_eq!(
        states_entered(&second),
        ["LoadMessage", "AlreadyDelivered?", "AlreadyDone"]
    );
    assert_eq!(app.message(&id).await["status"], "completed");
    app.shutdown().await;
    Ok(())
}
