//! JSONata helpers for one attempt: `$states`, templates, `Output` and `Assign`.
//!
//! `$states.input`, `$states.result` and `$states.errorOutput` are values of
//! the attempt's arena, read in place by every expression of the state.
//! A template built into the arena shares what its expressions reach there
//! by id; one evaluated to `serde_json::Value` (a Choice `Condition`, a Wait's
//! `Seconds`, `Assign`) copies out only what it yields. A state without an
//! `Output` passes its value on by id.

use serde_json::Value;

use super::attempt::Attempt;
use super::env::Variables;
use crate::definition::QueryTemplate;
use crate::errors::StatesError;
use crate::jsonata::{self, JsonataTemplate, Scope, States, StatesContext};
use crate::value::{Arena, NodeId};

impl<'a> Attempt<'a> {
    /// `$states` with the state's raw input (a value of the arena) and the
    /// context object (built only if an expression reads it).
    pub(crate) fn ja_states_in(&self, input: NodeId) -> States<'_> {
        States {
            context: StatesContext::Lazy(&self.context),
            ..States::of_input(input)
        }
    }

    /// `states` with `$states.result` set to `result` (a value of `arena`).
    pub(crate) fn ja_with_result<'s>(&self, states: States<'s>, result: NodeId) -> States<'s> {
        States {
            result: Some(result),
            ..states
        }
    }

    /// A compiled template evaluated to JSON (a Choice `Condition`, a
    /// Wait's `Seconds`, `Assign`);
    /// `arena` holds the values of `states`.
    pub(crate) fn ja_compiled(
        &self,
        arena: &Arena,
        template: &JsonataTemplate,
        field: &str,
        states: &States<'_>,
    ) -> Result<Value, StatesError> {
        jsonata::compiled(arena, template, field, self.scope(states))
    }

    /// A compiled template (`Arguments`, `Output`) into `arena`.
    pub(crate) fn ja_compiled_in(
        &self,
        arena: &mut Arena,
        template: &JsonataTemplate,
        field: &str,
        states: &States<'_>,
    ) -> Result<NodeId, StatesError> {
        jsonata::compiled_in(arena, template, field, self.scope(states))
    }

    /// `Output` into `arena`: the template's value, or `default` (a value of
    /// `arena`) when the state has none.
    pub(crate) fn ja_output_in(
        &self,
        arena: &mut Arena,
        output: Option<&JsonataTemplate>,
        default: NodeId,
        states: &States<'_>,
    ) -> Result<NodeId, StatesError> {
        match output {
            Some(template) => self.ja_compiled_in(arena, template, "Output", states),
            None => Ok(default),
        }
    }

    /// What this attempt's expressions read: `states` and its variables.
    fn scope<'s>(&'s self, states: &'s States<'s>) -> Scope<'s, 's> {
        Scope {
            states,
            variables: self.variables,
        }
    }

    /// `Assign`: each field evaluated against the same `$states` as `Output`.
    pub(crate) fn ja_assign(
        &self,
        arena: &Arena,
        assign: Option<&QueryTemplate>,
        states: &States<'_>,
    ) -> Result<Option<Variables>, StatesError> {
        match assign {
            None => Ok(None),
            Some(template) => {
                match self.ja_compiled(arena, template.jsonata(), "Assign", states)? {
                    Value::Object(map) => Ok(Some(map)),
                    other => Err(StatesError::runtime(format!(
                        "Assign must be an object, but was {other}"
                    ))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{run, run_ok};
    use serde_json::json;

    #[tokio::test]
    async fn jsonata_catch_output_sees_the_error_and_assign_sets_variables() -> Result<(), String> {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "fail:Boom", "Next": "Done",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                             "Assign": {"failed": "{% $states.errorOutput.Error %}"},
                             "Output": {"in": "{% $states.input.x %}", "err": "{% $states.errorOutput.Error %}"}}]},
            "Done": {"Type": "Pass", "Output": {"seen": "{% $failed %}", "was": "{% $states.input %}"}, "End": true}}});
        assert_eq!(
            run_ok(def, json!({"x": 1})).await?,
            json!({"seen": "Boom", "was": {"in": 1, "err": "Boom"}})
        );
        Ok(())
    }

    #[tokio::test]
    async fn an_undefined_output_is_a_query_evaluation_error() -> Result<(), String> {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Output": {"r": "{% $nope %}"}, "End": true}}});
        let execution = run(def, json!({})).await?;
        assert_eq!(
            execution.error.as_deref(),
            Some("States.QueryEvaluationError")
        );
        assert!(
            execution
                .cause
                .unwrap_or_default()
                .contains("for the field 'Output/r' returned nothing (undefined)")
        );
        Ok(())
    }
}
