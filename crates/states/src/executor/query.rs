//! JSONata helpers for one attempt: `$states`, templates, `Output` and `Assign`.

use serde_json::Value;

use super::Attempt;
use super::env::Variables;
use crate::errors::StatesError;
use crate::jsonata::{self, States};

impl Attempt<'_> {
    /// `$states` with the state's raw input and the context object.
    pub(crate) fn ja_states(&self, input: &Value) -> States {
        States {
            input: input.clone(),
            context: self.context.clone(),
            ..States::default()
        }
    }

    /// Evaluate a template field (objects/arrays with `{% %}` strings).
    pub(crate) fn ja_template(
        &self,
        value: &Value,
        field: &str,
        states: &States,
    ) -> Result<Value, StatesError> {
        jsonata::template(value, field, states, self.variables)
    }

    /// `Output`: the template's value, or `default` when the state has none.
    pub(crate) fn ja_output(
        &self,
        output: Option<&Value>,
        default: Value,
        states: &States,
    ) -> Result<Value, StatesError> {
        match output {
            Some(template) => self.ja_template(template, "Output", states),
            None => Ok(default),
        }
    }

    /// `Assign`: each field evaluated against the same `$states` as `Output`.
    pub(crate) fn ja_assign(
        &self,
        assign: Option<&Value>,
        states: &States,
    ) -> Result<Option<Variables>, StatesError> {
        match assign {
            None => Ok(None),
            Some(template) => match self.ja_template(template, "Assign", states)? {
                Value::Object(map) => Ok(Some(map)),
                other => Err(StatesError::runtime(format!(
                    "Assign must be an object, but was {other}"
                ))),
            },
        }
    }
}
