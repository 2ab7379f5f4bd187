//! Tests of the SendNotification task with a scripted notifier.

use super::*;
use rez_core::ports::{Delivery, NotifyError, SystemClock};
use rez_core::task::attempts_from_message;
use rez_core::{Message, MessageType, Stage};
use std::sync::Mutex;

/// The task as its Lambda and the local engine run it: JSON in, JSON out.
async fn invoke(
    deps: &Deps,
    input: serde_json::Value,
) -> Result<serde_json::Value, rez_core::FunctionError> {
    rez_core::task::invoke(input, |input| handle(deps, input)).await
}

struct Scripted(
    Mutex<Vec<Result<Delivery, NotifyError>>>,
    Mutex<Vec<MessageId>>,
);

#[async_trait::async_trait]
impl Notifier for Scripted {
    async fn notify(&self, id: &MessageId, _: &Notification) -> Result<Delivery, NotifyError> {
        self.1.lock().unwrap().push(id.clone());
        self.0.lock().unwrap().remove(0)
    }
}

fn deps(answer: Result<Delivery, NotifyError>) -> (Deps, Arc<Scripted>) {
    let notifier = Arc::new(Scripted(Mutex::new(vec![answer]), Mutex::new(vec![])));
    (
        Deps {
            notifier: notifier.clone(),
            clock: Arc::new(SystemClock),
            time_scale: 0.0,
        },
        notifier,
    )
}

fn input(attempt: u32) -> serde_json::Value {
    let msg = Message::new(
        Utc::now(),
        "t",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("hi"),
    );
    serde_json::json!({"message": msg, "attempt": attempt})
}

#[tokio::test]
async fn an_accepted_publish_returns_ntfy_id_and_attempt_count() -> Result<(), FunctionError> {
    let (deps, notifier) = deps(Ok(Delivery {
        ntfy_id: "abc".into(),
        time: Utc::now(),
    }));
    let input = input(2);
    let out = invoke(&deps, input.clone()).await?;
    assert_eq!(out["ntfy_id"], "abc");
    assert_eq!(out["attempts"], 3);
    assert_eq!(
        notifier.1.lock().unwrap()[0].as_str(),
        input["message"]["id"]
    );
    Ok(())
}

#[tokio::test]
async fn the_id_and_payload_alone_are_enough_to_publish() -> Result<(), FunctionError> {
    let (deps, notifier) = deps(Ok(Delivery {
        ntfy_id: "abc".into(),
        time: Utc::now(),
    }));
    let whole = input(0);
    let trimmed = serde_json::json!({
        "message": {"id": whole["message"]["id"], "payload": whole["message"]["payload"]},
    });
    let out = invoke(&deps, trimmed).await?;
    assert_eq!(out["ntfy_id"], "abc");
    assert_eq!(
        notifier.1.lock().unwrap()[0].as_str(),
        whole["message"]["id"]
    );
    Ok(())
}

#[tokio::test]
async fn each_failure_kind_raises_its_states_name_with_the_attempt() {
    for (kind, name) in [
        (NotifyErrorKind::RateLimited, "Ntfy.RateLimited"),
        (NotifyErrorKind::QuotaExceeded, "Ntfy.QuotaExceeded"),
        (NotifyErrorKind::ServerError, "Ntfy.ServerError"),
        (NotifyErrorKind::Unreachable, "Ntfy.Unreachable"),
        (NotifyErrorKind::Rejected, "Ntfy.Rejected"),
    ] {
        let (deps, _) = deps(Err(NotifyError {
            kind,
            message: "boom".into(),
            retry_after: Some(Duration::from_secs(30)),
        }));
        let err = invoke(&deps, input(0)).await.unwrap_err();
        assert_eq!(err.error_type, name);
        assert_eq!(attempts_from_message(&err.error_message), Some(1));
    }
}
