//! The rez-agent task functions, called in-process for the placeholders
//! of `statemachine/notification.asl.json`.

use async_trait::async_trait;
use rez_core::task::invoke;
use rez_states::{StateMachine, TaskContext, TaskHandler};

use super::UnsupportedResource;

/// The placeholder of the LoadMessage function in the definition.
pub const LOAD_MESSAGE_RESOURCE: &str = "${LoadMessageFunctionArn}";
/// The placeholder of the SendNotification function in the definition.
pub const SEND_NOTIFICATION_RESOURCE: &str = "${SendNotificationFunctionArn}";
/// The placeholder of the record-status function in the definition.
pub const RECORD_STATUS_RESOURCE: &str = "${RecordStatusFunctionArn}";
/// Every placeholder the local runtime knows how to run.
pub const KNOWN_RESOURCES: &[&str] = &[
    LOAD_MESSAGE_RESOURCE,
    SEND_NOTIFICATION_RESOURCE,
    RECORD_STATUS_RESOURCE,
];

/// The three task functions, called in-process.
#[derive(Clone)]
pub struct LocalTasks {
    /// LoadMessage's dependencies.
    pub load: rez_load_message::Deps,
    /// SendNotification's dependencies.
    pub send: rez_send_notification::Deps,
    /// record-status's dependencies.
    pub record: rez_record_status::Deps,
}

impl LocalTasks {
    /// Checks that every Task of `machine` names one of [`KNOWN_RESOURCES`].
    ///
    /// # Errors
    /// [`UnsupportedResource`] naming the first other resource.
    pub fn check(machine: &StateMachine) -> Result<(), UnsupportedResource> {
        match machine
            .task_resources()
            .into_iter()
            .find(|r| !KNOWN_RESOURCES.contains(r))
        {
            Some(unknown) => Err(UnsupportedResource {
                resource: unknown.to_owned(),
                supported: KNOWN_RESOURCES.join(", "),
            }),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl TaskHandler for LocalTasks {
    async fn invoke(
        &self,
        resource: &str,
        input: serde_json::Value,
        _context: &TaskContext<'_>,
    ) -> Result<serde_json::Value, rez_states::TaskFailure> {
        let result = match resource {
            LOAD_MESSAGE_RESOURCE => {
                invoke(input, |i| rez_load_message::handle(&self.load, i)).await
            }
            SEND_NOTIFICATION_RESOURCE => {
                invoke(input, |i| rez_send_notification::handle(&self.send, i)).await
            }
            RECORD_STATUS_RESOURCE => {
                invoke(input, |i| rez_record_status::handle(&self.record, i)).await
            }
            other => Err(rez_core::FunctionError::new(
                "Lambda.ResourceNotFoundException",
                format!("no local function for resource {other}"),
            )),
        };
        // Lambda reports a function error's Cause as the JSON of
        // {errorType, errorMessage}; do the same so Catchers see what AWS shows.
        result.map_err(|f| rez_states::TaskFailure {
            error: f.error_type.clone(),
            cause: Some(f.to_cause()),
        })
    }
}
