//! [`Details`]: an event's AWS-shaped details, recorded as typed fields and
//! written out as JSON only when something reads them.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::Name;
use crate::value::{Arena, NodeId};

/// The `details` of a [`HistoryEvent`](super::HistoryEvent): a JSON object
/// with one AWS-named member, e.g. `{"stateEnteredEventDetails": {"name": ..,
/// "input": ..}}`.
///
/// It dereferences to that [`Value`], which is built the first time it is
/// read: recording an event only stores its fields (names, resource, and
/// payloads as values of the execution's arena), so an execution whose
/// history nobody reads never writes a payload's text. `Value::into()`
/// makes a ready one.
#[derive(Clone)]
pub struct Details {
    /// Boxed: a `Value` map is 80 bytes and most events are never read.
    value: OnceLock<Box<Value>>,
    fields: Option<Fields>,
    /// The execution's arena, for the payloads that are values in it
    /// (attached when the execution ends).
    arena: Option<Arc<Arena>>,
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
    ExecutionSucceeded { output: Payload },
    /// `stateEnteredEventDetails`.
    StateEntered { name: Name, input: Payload },
    /// `stateExitedEventDetails`, with the variables the state assigned.
    StateExited {
        name: Name,
        output: Payload,
        assigned: Option<Box<Map<String, Value>>>,
    },
    /// `taskScheduledEventDetails`.
    TaskScheduled {
        resource: Name,
        parameters: Payload,
        /// Boxed: rarely set, and every event is as large as the largest fields.
        limits: Option<Box<TaskLimits>>,
    },
    /// `taskStartedEventDetails`.
    TaskStarted { resource: Name },
    /// `taskSucceededEventDetails`.
    TaskSucceeded { resource: Name, output: Payload },
}

/// A payload for an event: a value of the execution's arena, whose JSON
/// text is written only when the event is read (the values never change,
/// so a state's output and the next state's input are one id), or text
/// written when the event was recorded (a Parallel branch or a Map
/// iteration, whose arena ends with it).
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// Text written when the event was recorded.
    Text(Text),
    /// A value of the execution's arena.
    Node(NodeId),
}

impl Payload {
    /// The JSON text, written now for a value of `arena`.
    fn text<'a>(&'a self, arena: Option<&Arena>) -> Cow<'a, str> {
        match (self, arena) {
            (Payload::Text(text), _) => Cow::Borrowed(text),
            (Payload::Node(id), Some(arena)) => Cow::Owned(arena.get(*id).to_text()),
            // Attached by `execute` before anyone can read the event.
            (Payload::Node(_), None) => Cow::Borrowed("null"),
        }
    }
}

impl From<Text> for Payload {
    fn from(text: Text) -> Payload {
        Payload::Text(text)
    }
}

impl From<&str> for Payload {
    fn from(text: &str) -> Payload {
        Payload::Text(Text::from(text))
    }
}

/// An `ExecutionStarted` event's details.
#[derive(Debug, Clone)]
pub(crate) struct ExecutionStarted {
    /// The execution input (shared with the first state's event).
    pub(crate) input: Payload,
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
    /// Whether a payload is a value of the execution's arena.
    fn reads_arena(&self) -> bool {
        let node = |payload: &Payload| matches!(payload, Payload::Node(_));
        match self {
            Fields::ExecutionStarted(started) => node(&started.input),
            Fields::ExecutionSucceeded { output }
            | Fields::StateExited { output, .. }
            | Fields::TaskSucceeded { output, .. } => node(output),
            Fields::StateEntered { input, .. } => node(input),
            Fields::TaskScheduled { parameters, .. } => node(parameters),
            Fields::TaskStarted { .. } => false,
        }
    }

    /// The AWS-shaped JSON of these fields; payloads that are values are
    /// read in `arena`.
    fn to_value(&self, arena: Option<&Arena>) -> Value {
        match self {
            Fields::ExecutionStarted(started) => json!({"executionStartedEventDetails": {
                "input": started.input.text(arena),
                "roleArn": started.role_arn,
                "stateMachineArn": started.state_machine_arn,
            }}),
            Fields::ExecutionSucceeded { output } => {
                json!({"executionSucceededEventDetails": {"output": output.text(arena)}})
            }
            Fields::StateEntered { name, input } => {
                json!({"stateEnteredEventDetails": {"name": &**name, "input": input.text(arena)}})
            }
            Fields::StateExited {
                name,
                output,
                assigned,
            } => state_exited(name, &output.text(arena), assigned.as_deref()),
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
                    "parameters": parameters.text(arena),
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
                "output": output.text(arena),
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
            arena: None,
        }
    }

    /// Give the details the execution's arena, when a payload is a value in it.
    pub(crate) fn attach(&mut self, arena: &Arc<Arena>) {
        if self.fields.as_ref().is_some_and(Fields::reads_arena) {
            self.arena = Some(Arc::clone(arena));
        }
    }

    /// The details as JSON.
    pub fn as_value(&self) -> &Value {
        self.value.get_or_init(|| {
            Box::new(match &self.fields {
                Some(fields) => fields.to_value(self.arena.as_deref()),
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
            arena: None,
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
