//! [`Details`]: an event's AWS-shaped details, recorded as typed fields and
//! written out as JSON only when something reads them.

use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::Name;

/// The `details` of a [`HistoryEvent`](super::HistoryEvent): a JSON object
/// with one AWS-named member, e.g. `{"stateEnteredEventDetails": {"name": ..,
/// "input": ..}}`.
///
/// It dereferences to that [`Value`], which is built the first time it is
/// read: recording an event only stores its fields (names, resource, payload
/// texts), so an execution whose history nobody reads never builds it.
/// `Value::into()` makes a ready one.
#[derive(Clone)]
pub struct Details {
    /// Boxed: a `Value` map is 80 bytes and most events are never read.
    value: OnceLock<Box<Value>>,
    fields: Option<Fields>,
}

/// A payload as JSON text, shared by the events that show it (a state's
/// output is the next state's input). `triomphe`'s `Arc` has no weak
/// count, so dropping the last reference is one atomic instruction, not two.
pub(crate) type Text = triomphe::Arc<str>;

/// The fields of the frequent events, written out by [`Fields::to_value`].
#[derive(Debug, Clone)]
pub(crate) enum Fields {
    /// `executionStartedEventDetails` (boxed: one per execution).
    ExecutionStarted(Box<ExecutionStarted>),
    /// `executionSucceededEventDetails`.
    ExecutionSucceeded { output: Text },
    /// `stateEnteredEventDetails`.
    StateEntered { name: Name, input: Text },
    /// `stateExitedEventDetails`, with the variables the state assigned.
    StateExited {
        name: Name,
        output: Text,
        assigned: Option<Box<Map<String, Value>>>,
    },
    /// `taskScheduledEventDetails`.
    TaskScheduled {
        resource: Name,
        parameters: Text,
        /// Boxed: rarely set, and every event is as large as the largest fields.
        limits: Option<Box<TaskLimits>>,
    },
    /// `taskStartedEventDetails`.
    TaskStarted { resource: Name },
    /// `taskSucceededEventDetails`.
    TaskSucceeded { resource: Name, output: Payload },
}

/// A payload for an event: its JSON text, or the value itself when the
/// execution had no further use for it (a Task's raw result once its
/// `ResultSelector` has read it, or that `ResultPath: null` discards),
/// written out only when the event is read: a history nobody reads never
/// writes it. A kept value takes more memory than its text until the
/// execution is dropped; it was going to be dropped at that point anyway.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// The text, written when the event was recorded.
    Text(Text),
    /// The value (boxed: a `Value` is 80 bytes, and every event is as large
    /// as the largest fields).
    Value(Box<Value>),
}

impl Payload {
    /// The JSON text (written now for a value).
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Payload::Text(text) => std::borrow::Cow::Borrowed(text),
            Payload::Value(value) => std::borrow::Cow::Owned(super::payload(value)),
        }
    }
}

/// An `ExecutionStarted` event's details.
#[derive(Debug, Clone)]
pub(crate) struct ExecutionStarted {
    /// The execution input as JSON text (shared with the first state's event).
    pub(crate) input: Text,
    pub(crate) role_arn: String,
    pub(crate) state_machine_arn: String,
}

/// A Task's `timeoutInSeconds` and `heartbeatInSeconds` in its TaskScheduled event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TaskLimits {
    pub(crate) timeout: Option<f64>,
    pub(crate) heartbeat: Option<f64>,
}

impl TaskLimits {
    /// The limits, boxed, or `None` when neither is set.
    pub(crate) fn boxed(timeout: Option<f64>, heartbeat: Option<f64>) -> Option<Box<TaskLimits>> {
        (timeout.is_some() || heartbeat.is_some())
            .then(|| Box::new(TaskLimits { timeout, heartbeat }))
    }
}

impl Fields {
    /// The AWS-shaped JSON of these fields.
    fn to_value(&self) -> Value {
        match self {
            Fields::ExecutionStarted(started) => json!({"executionStartedEventDetails": {
                "input": &*started.input,
                "roleArn": started.role_arn,
                "stateMachineArn": started.state_machine_arn,
            }}),
            Fields::ExecutionSucceeded { output } => {
                json!({"executionSucceededEventDetails": {"output": &**output}})
            }
            Fields::StateEntered { name, input } => {
                json!({"stateEnteredEventDetails": {"name": &**name, "input": &**input}})
            }
            Fields::StateExited {
                name,
                output,
                assigned,
            } => state_exited(name, output, assigned.as_deref()),
            Fields::TaskScheduled {
                resource,
                parameters,
                limits,
            } => {
                let (timeout, heartbeat) = limits
                    .as_deref()
                    .map_or((None, None), |l| (l.timeout, l.heartbeat));
                let mut scheduled = json!({
                    "resource": &**resource,
                    "resourceType": resource_type(resource),
                    "region": region(resource),
                    "parameters": &**parameters,
                });
                if let Some(obj) = scheduled.as_object_mut() {
                    if let Some(t) = timeout {
                        obj.insert("timeoutInSeconds".into(), json!(t));
                    }
                    if let Some(h) = heartbeat {
                        obj.insert("heartbeatInSeconds".into(), json!(h));
                    }
                }
                json!({"taskScheduledEventDetails": scheduled})
            }
            Fields::TaskStarted { resource } => json!({"taskStartedEventDetails": {
                "resource": &**resource,
                "resourceType": resource_type(resource),
            }}),
            Fields::TaskSucceeded { resource, output } => json!({"taskSucceededEventDetails": {
                "resource": &**resource,
                "resourceType": resource_type(resource),
                "output": output.text(),
            }}),
        }
    }
}

fn state_exited(name: &str, output: &str, assigned: Option<&Map<String, Value>>) -> Value {
    let mut details = json!({"name": name, "output": output});
    if let (Some(assigned), Some(obj)) = (assigned, details.as_object_mut()) {
        let texts: Map<String, Value> = assigned
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(super::payload(v))))
            .collect();
        obj.insert("assignedVariables".into(), Value::Object(texts));
        obj.insert(
            "assignedVariablesDetails".into(),
            json!({"truncated": false}),
        );
    }
    json!({"stateExitedEventDetails": details})
}

/// AWS's `resourceType` for history: `lambda` for Lambda ARNs, the service
/// name for `arn:aws:states:::<service>:<action>` integrations.
fn resource_type(resource: &str) -> &str {
    // Same as matching the split parts as a slice, without collecting them.
    let mut parts = resource.split(':').skip(2);
    match parts.next() {
        Some("states") => match parts.nth(2) {
            Some(service) => service,
            None => "states",
        },
        Some(service) => service,
        None => "local",
    }
}

/// The region of an ARN, `local` when it has none.
fn region(resource: &str) -> &str {
    resource
        .split(':')
        .nth(3)
        .filter(|r| !r.is_empty())
        .unwrap_or("local")
}

impl Details {
    /// Details kept as typed fields until read.
    pub(crate) fn fields(fields: Fields) -> Self {
        Details {
            value: OnceLock::new(),
            fields: Some(fields),
        }
    }

    /// The details as JSON.
    pub fn as_value(&self) -> &Value {
        self.value.get_or_init(|| {
            Box::new(match &self.fields {
                Some(fields) => fields.to_value(),
                None => Value::Object(Map::new()),
            })
        })
    }
}

impl From<Value> for Details {
    fn from(value: Value) -> Self {
        Details {
            value: OnceLock::from(Box::new(value)),
            fields: None,
        }
    }
}

impl From<Fields> for Details {
    fn from(fields: Fields) -> Self {
        Details::fields(fields)
    }
}

impl std::ops::Deref for Details {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.as_value()
    }
}

impl std::fmt::Debug for Details {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_value().fmt(f)
    }
}

impl PartialEq for Details {
    fn eq(&self, other: &Self) -> bool {
        self.as_value() == other.as_value()
    }
}

impl Serialize for Details {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Details::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_type_reads_lambda_and_service_integrations() {
        assert_eq!(
            resource_type("arn:aws:lambda:us-east-1:1:function:f"),
            "lambda"
        );
        assert_eq!(resource_type("arn:aws:states:::lambda:invoke"), "lambda");
        assert_eq!(resource_type("local-task"), "local");
        assert_eq!(resource_type("arn:aws:states:us-east-1"), "states");
        assert_eq!(resource_type("arn:aws:states:::sqs"), "sqs");
        assert_eq!(resource_type("a:b:c"), "c");
    }

    #[test]
    fn typed_fields_read_as_aws_json() {
        let scheduled = Details::fields(Fields::TaskScheduled {
            resource: "arn:aws:lambda:eu-west-1:1:function:f".into(),
            parameters: "{}".into(),
            limits: TaskLimits::boxed(Some(5.0), None),
        });
        assert_eq!(
            *scheduled,
            json!({"taskScheduledEventDetails": {
                "resource": "arn:aws:lambda:eu-west-1:1:function:f",
                "resourceType": "lambda", "region": "eu-west-1",
                "parameters": "{}", "timeoutInSeconds": 5.0}})
        );
        let mut assigned = Map::new();
        assigned.insert("x".into(), json!([1]));
        let exited = Details::fields(Fields::StateExited {
            name: "S".into(),
            output: "{}".into(),
            assigned: Some(Box::new(assigned)),
        });
        assert_eq!(
            exited["stateExitedEventDetails"]["assignedVariables"]["x"],
            "[1]"
        );
        assert_eq!(exited, Details::from(exited.as_value().clone()));
    }
}
