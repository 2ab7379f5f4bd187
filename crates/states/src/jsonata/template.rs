//! JSONata templates (every JSONata field: `Arguments`, `Output`, `Assign`,
//! `Items`, a Wait's `Seconds`, ...) compiled once, when the
//! definition is read: each `{% %}` string parsed, each key interned, and
//! each part without an expression kept as the JSON it is. Building one in
//! an execution's arena then walks a ready tree, with no lookup of an
//! expression by its text and no key copied.

use std::sync::Arc;

use serde_json::Value;

use super::direct::{Direct, plan};
use super::parser::{Node, parse};
use crate::definition::compiled::{Compile, Compiled};
use crate::history::Name;

/// A JSONata template as written, with its compiled form.
pub(crate) type JsonataTemplate = Compiled<Part>;

/// One part of a compiled template.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// A `{% %}` string: its expression text and its parse (or the
    /// parser's message, reported when the template is evaluated, as AWS
    /// reports it).
    Expression {
        text: Box<str>,
        parsed: Result<Arc<Node>, String>,
        /// Its plan, when it has one of the shapes evaluated directly.
        direct: Option<Direct>,
    },
    /// An object holding an expression somewhere: each key with its part.
    Object(Vec<(Name, Part)>),
    /// An array holding an expression somewhere.
    Array(Vec<Part>),
    /// JSON with no expression in it, copied as it is.
    Literal(Value),
}

impl Compile for Part {
    fn compile(raw: &Value) -> Part {
        compile(raw)
    }
}

/// The expression inside a `{% ... %}` string, if `value` is one.
pub(crate) fn expression_text(value: &Value) -> Option<&str> {
    value
        .as_str()?
        .strip_prefix("{%")?
        .strip_suffix("%}")
        .map(str::trim)
}

fn compile(value: &Value) -> Part {
    if let Some(text) = expression_text(value) {
        let parsed = parse(text).map(Arc::new);
        let direct = parsed.as_deref().ok().and_then(plan);
        return Part::Expression {
            text: text.into(),
            parsed,
            direct,
        };
    }
    match value {
        Value::Object(map) => {
            let fields: Vec<(Name, Part)> = map
                .iter()
                .map(|(key, item)| (Name::new(key), compile(item)))
                .collect();
            if fields
                .iter()
                .all(|(_, part)| matches!(part, Part::Literal(_)))
            {
                Part::Literal(value.clone())
            } else {
                Part::Object(fields)
            }
        }
        Value::Array(items) => {
            let parts: Vec<Part> = items.iter().map(compile).collect();
            if parts.iter().all(|part| matches!(part, Part::Literal(_))) {
                Part::Literal(value.clone())
            } else {
                Part::Array(parts)
            }
        }
        other => Part::Literal(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parts_without_expressions_stay_json_and_bad_expressions_keep_their_message()
    -> Result<(), String> {
        let template = JsonataTemplate::new(json!({
            "fixed": {"a": [1, "{ % not % }"]},
            "id": "{% $states.input.id %}",
            "bad": "{% $states.input. %}",
        }));
        let Part::Object(fields) = template.compiled() else {
            return Err("an object with expressions is compiled field by field".into());
        };
        let kinds: Vec<(&str, &str)> = fields
            .iter()
            .map(|(name, part)| {
                let kind = match part {
                    Part::Literal(_) => "literal",
                    Part::Expression { parsed: Ok(_), .. } => "expression",
                    Part::Expression { parsed: Err(_), .. } => "invalid",
                    Part::Object(_) | Part::Array(_) => "nested",
                };
                (&**name, kind)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("fixed", "literal"),
                ("id", "expression"),
                ("bad", "invalid")
            ]
        );
        assert_eq!(
            *template,
            json!({"fixed": {"a": [1, "{ % not % }"]}, "id": "{% $states.input.id %}", "bad": "{% $states.input. %}"})
        );
        Ok(())
    }
}
