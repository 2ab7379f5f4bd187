//! From an ASL definition (`serde_json::Value`) to a [`Scope`], checking only
//! what the drawing needs: objects where objects belong, every transition's
//! target, and that non-terminal states transition somewhere.

use serde_json::{Map, Value};

use crate::choice::{catch_label, rule_label};
use crate::error::GraphError;
use crate::model::{Branch, Edge, EdgeKind, Endpoint, Node, Scope};

/// The eight state types of the Amazon States Language.
const STATE_TYPES: [&str; 8] = [
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Parses a whole definition; the top level is drawn with Start and End terminals.
pub(crate) fn definition(definition: &Value) -> Result<Scope, GraphError> {
    scope(definition, "", true)
}

/// Parses one object with `StartAt` and `States` found at `at`.
fn scope(value: &Value, at: &str, terminals: bool) -> Result<Scope, GraphError> {
    let object = as_object(value, at)?;
    let start_at = string_field(object, at, "StartAt")?;
    let states_at = format!("{at}/States");
    let states = match object.get("States") {
        None => {
            return Err(GraphError::MissingField {
                at: at.to_owned(),
                field: "States",
            });
        }
        Some(states) => as_object(states, &states_at)?,
    };
    if states.is_empty() {
        return Err(GraphError::NoStates { at: states_at });
    }
    let names: Vec<&str> = states.keys().map(String::as_str).collect();
    let index_of = |name: &str| names.iter().position(|candidate| *candidate == name);
    let start = index_of(start_at).ok_or_else(|| GraphError::UnknownStartAt {
        at: format!("{at}/StartAt"),
        target: start_at.to_owned(),
    })?;

    let mut nodes = Vec::with_capacity(states.len());
    let mut edges = Vec::new();
    if terminals {
        edges.push(Edge {
            from: Endpoint::Start,
            to: Endpoint::State(start),
            kind: EdgeKind::Start,
            label: None,
            title: None,
        });
    }
    for (index, (name, state)) in states.iter().enumerate() {
        let state_at = format!("{states_at}/{}", pointer_token(name));
        let state = as_object(state, &state_at)?;
        let kind = string_field(state, &state_at, "Type")?;
        if !STATE_TYPES.contains(&kind) {
            return Err(GraphError::UnknownType {
                at: format!("{state_at}/Type"),
                found: kind.to_owned(),
            });
        }
        let target = |field_at: String, target: &str| {
            index_of(target)
                .map(Endpoint::State)
                .ok_or_else(|| GraphError::UnknownNext {
                    at: field_at,
                    target: target.to_owned(),
                })
        };
        let from = Endpoint::State(index);
        let mut push = |to, kind, label: Option<(String, String)>| {
            let (label, title) = match label {
                Some((label, title)) => (Some(label), Some(title)),
                None => (None, None),
            };
            edges.push(Edge {
                from,
                to,
                kind,
                label,
                title,
            });
        };

        if kind == "Choice" {
            let choices_at = format!("{state_at}/Choices");
            for (rule_index, rule) in array_field(state, &state_at, "Choices")?.iter().enumerate() {
                let rule_at = format!("{choices_at}/{rule_index}");
                let rule_object = as_object(rule, &rule_at)?;
                let next = string_field(rule_object, &rule_at, "Next")?;
                let to = target(format!("{rule_at}/Next"), next)?;
                push(to, EdgeKind::Choice, Some(rule_label(rule_object)));
            }
            if let Some(default) = optional_string(state, &state_at, "Default")? {
                let to = target(format!("{state_at}/Default"), default)?;
                let label = ("Default".to_owned(), "Default: no rule matched".to_owned());
                push(to, EdgeKind::Default, Some(label));
            }
        } else if kind == "Succeed" || kind == "Fail" {
            if terminals {
                push(Endpoint::End, EdgeKind::End, None);
            }
        } else {
            let next = optional_string(state, &state_at, "Next")?;
            let end = state.get("End").and_then(Value::as_bool).unwrap_or(false);
            match next {
                Some(next) => {
                    let to = target(format!("{state_at}/Next"), next)?;
                    push(to, EdgeKind::Next, None);
                }
                None if end => {
                    if terminals {
                        push(Endpoint::End, EdgeKind::End, None);
                    }
                }
                None => return Err(GraphError::NoTransition { at: state_at }),
            }
        }

        if let Some(catchers) = optional_array(state, &state_at, "Catch")? {
            for (catch_index, catcher) in catchers.iter().enumerate() {
                let catch_at = format!("{state_at}/Catch/{catch_index}");
                let catcher = as_object(catcher, &catch_at)?;
                let next = string_field(catcher, &catch_at, "Next")?;
                let to = target(format!("{catch_at}/Next"), next)?;
                push(to, EdgeKind::Catch, Some(catch_label(catcher)));
            }
        }

        let retries = match optional_array(state, &state_at, "Retry")? {
            Some(retriers) => retriers
                .iter()
                .filter_map(Value::as_object)
                .map(crate::choice::retry_summary)
                .collect(),
            None => Vec::new(),
        };

        nodes.push(Node {
            name: name.clone(),
            kind: kind.to_owned(),
            comment: state
                .get("Comment")
                .and_then(Value::as_str)
                .map(str::to_owned),
            retries,
            branches: branches(state, &state_at, kind)?,
        });
    }
    Ok(Scope {
        nodes,
        edges,
        start,
        terminals,
    })
}

/// The nested scopes of a Parallel (`Branches`) or Map (`ItemProcessor`, or
/// the older `Iterator`) state.
fn branches(state: &Map<String, Value>, at: &str, kind: &str) -> Result<Vec<Branch>, GraphError> {
    match kind {
        "Parallel" => array_field(state, at, "Branches")?
            .iter()
            .enumerate()
            .map(|(index, branch)| {
                Ok(Branch {
                    label: format!("Branch {}", index + 1),
                    scope: scope(branch, &format!("{at}/Branches/{index}"), false)?,
                })
            })
            .collect(),
        "Map" => {
            let (field, processor) = match (state.get("ItemProcessor"), state.get("Iterator")) {
                (Some(processor), _) => ("ItemProcessor", processor),
                (None, Some(iterator)) => ("Iterator", iterator),
                (None, None) => {
                    return Err(GraphError::MissingField {
                        at: at.to_owned(),
                        field: "ItemProcessor",
                    });
                }
            };
            Ok(vec![Branch {
                label: "Item processor".to_owned(),
                scope: scope(processor, &format!("{at}/{field}"), false)?,
            }])
        }
        _ => Ok(Vec::new()),
    }
}

fn as_object<'v>(value: &'v Value, at: &str) -> Result<&'v Map<String, Value>, GraphError> {
    value
        .as_object()
        .ok_or_else(|| GraphError::NotAnObject { at: at.to_owned() })
}

fn string_field<'v>(
    object: &'v Map<String, Value>,
    at: &str,
    field: &'static str,
) -> Result<&'v str, GraphError> {
    optional_string(object, at, field)?.ok_or_else(|| GraphError::MissingField {
        at: at.to_owned(),
        field,
    })
}

fn optional_string<'v>(
    object: &'v Map<String, Value>,
    at: &str,
    field: &'static str,
) -> Result<Option<&'v str>, GraphError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(GraphError::WrongType {
            at: format!("{at}/{field}"),
            expected: "a string",
        }),
    }
}

fn array_field<'v>(
    object: &'v Map<String, Value>,
    at: &str,
    field: &'static str,
) -> Result<&'v [Value], GraphError> {
    optional_array(object, at, field)?.ok_or_else(|| GraphError::MissingField {
        at: at.to_owned(),
        field,
    })
}

fn optional_array<'v>(
    object: &'v Map<String, Value>,
    at: &str,
    field: &'static str,
) -> Result<Option<&'v [Value]>, GraphError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(_) => Err(GraphError::WrongType {
            at: format!("{at}/{field}"),
            expected: "an array",
        }),
    }
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
