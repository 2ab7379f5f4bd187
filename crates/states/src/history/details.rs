//! [`Details`]: an event's AWS-shaped details, recorded as typed fields and
//! written out as JSON only when something reads them.

use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::Name;
use super::json_text::{self, Text};
use crate::value::{Arena, NodeId};

/// The `details` of a [`HistoryEvent`](super::HistoryEvent): a JSON object
/// with one AWS-named member, e.g. `{"stateEnteredEventDetails": {"name": ..,
/// "input": ..}}`.
///
/// It dereferences to that [`Value`], which is built the first time it is
/// read: recording an event only stores its fields (names, resource, and
/// payloads). `Value::into()` makes a ready one.
#[derive(Clone)]
pub struct Details {
    /// Boxed: a `Value` map is 80 bytes and most events are never read.
    value: OnceLock<Box<Value>>,
    fields: Option<Fields>,
}

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
    /// `mapIterationStartedEventDetails` and the other iteration events:
    /// the Map state's name and the item's index (`key` is the details'
    /// member name). Typed because a Map records two per item.
    MapIteration {
        key: &'static str,
        name: Name,
        index: usize,
    },
}

/// A payload for an event: a value of the execution's arena or of a Map
/// iteration's arena kept with the history, whose JSON text is written
/// only when the history is first read ([`super::History`]; the values
/// never change, so a state's output and the next state's input are one
/// id), or text (written then, or when the event was recorded in a
/// Parallel branch, whose arena ends with it).
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// Text written when the event was recorded.
    Text(Text),
    /// A value of the execution's arena.
    Node(NodeId),
    /// A value of the arena a branch left in a slot of the history's
    /// kept arenas ([`super::KeptArena`]).
    Kept(u32, NodeId),
}

impl Payload {
    /// The JSON text. A history hands out events only once their values
    /// are written as text ([`Details::write_payloads`]).
    fn text(&self) -> &str {
        match self {
            Payload::Text(text) => text,
            Payload::Node(_) | Payload::Kept(..) => "null",
        }
    }

    /// Write a value's text, so that the payload no longer needs its arena
    /// (`arena`, or the slot of `kept` it names).
    fn write(&mut self, arena: &Arena, kept: &[Option<Arena>]) {
        let (arena, id) = match *self {
            Payload::Text(_) => return,
            Payload::Node(id) => (Some(arena), id),
            Payload::Kept(slot, id) => (
                usize::try_from(slot)
                    .ok()
                    .and_then(|slot| kept.get(slot))
                    .and_then(Option::as_ref),
                id,
            ),
        };
        *self = match arena {
            Some(arena) => Payload::Text(json_text::of_value(arena.get(id))),
            None => Payload::Text(Text::from("null")),
        };
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
    /// Every payload of these fields.
    fn payloads_mut(&mut self) -> impl Iterator<Item = &mut Payload> {
        let payloads: [Option<&mut Payload>; 1] = [match self {
            Fields::ExecutionStarted(started) => Some(&mut started.input),
            Fields::ExecutionSucceeded { output }
            | Fields::StateExited { output, .. }
            | Fields::TaskSucceeded { output, .. } => Some(output),
            Fields::StateEntered { input, .. } => Some(input),
            Fields::TaskScheduled { parameters, .. } => Some(parameters),
            Fields::TaskStarted { .. } | Fields::MapIteration { .. } => None,
        }];
        payloads.into_iter().flatten()
    }

    /// The AWS-shaped JSON of these fields.
    fn to_value(&self) -> Value {
        match self {
            Fields::ExecutionStarted(started) => json!({"executionStartedEventDetails": {
                "input": started.input.text(),
                "roleArn": started.role_arn,
                "stateMachineArn": started.state_machine_arn,
            }}),
            Fields::ExecutionSucceeded { output } => {
                json!({"executionSucceededEventDetails": {"output": output.text()}})
            }
            Fields::StateEntered { name, input } => {
                json!({"stateEnteredEventDetails": {"name": &**name, "input": input.text()}})
            }
            Fields::StateExited {
                name,
                output,
                assigned,
            } => state_exited(name, output.text(), assigned.as_deref()),
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
                    "parameters": parameters.text(),
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
            Fields::MapIteration { key, name, index } => {
                json!({*key: {"name": &**name, "index": index}})
            }
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

    /// Write the payloads that are values of `arena` (or of an arena in
    /// `kept`) as text.
    pub(crate) fn write_payloads(&mut self, arena: &Arena, kept: &[Option<Arena>]) {
        if let Some(fields) = &mut self.fields {
            for payload in fields.payloads_mut() {
                payload.write(arena, kept);
            }
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
