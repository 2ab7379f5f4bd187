//! What paths can see besides the state input: the context object (`$$`)
//! and the workflow variables (`$name`).

use serde_json::{Map, Value};

use crate::context::LazyContext;
use crate::errors::StatesError;
use crate::paths;

/// Workflow variables visible in a scope (ASL "Variables": a Map iteration
/// or Parallel branch starts with a copy of its parent's variables).
pub(crate) type Variables = Map<String, Value>;

/// The context object and variables a path may read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    pub(crate) context: &'a LazyContext<'a>,
    pub(crate) variables: &'a Variables,
}

impl<'a> Env<'a> {
    /// Read `path` from `input`, from `$$` (`$$.…`) or from a variable (`$name…`).
    pub(crate) fn read(&self, path: &str, input: &Value) -> Result<Value, StatesError> {
        let result = match path.strip_prefix('$') {
            Some(rest) if rest.starts_with('$') => paths::select(rest, self.context.get()),
            Some(rest) if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') => {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let (name, tail) = rest.split_at(end);
                match self.variables.get(name) {
                    Some(value) => paths::select(&format!("${tail}"), value),
                    None => Err(paths::PathError {
                        message: format!(
                            "Invalid path '{path}' : the variable '{name}' is not defined"
                        ),
                    }),
                }
            }
            _ => paths::select(path, input),
        };
        result.map_err(|e| StatesError::runtime(e.message))
    }

    /// The same variables with another context object (Map items).
    pub(crate) fn with_context<'b>(&self, context: &'b LazyContext<'b>) -> Env<'b>
    where
        'a: 'b,
    {
        Env {
            context,
            variables: self.variables,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_input_context_and_variables() -> Result<(), StatesError> {
        let context = LazyContext::ready(json!({"State": {"Name": "S"}}));
        let mut variables = Variables::new();
        variables.insert("answer".into(), json!({"n": [42]}));
        let env = Env {
            context: &context,
            variables: &variables,
        };
        let input = json!({"a": 1});
        assert_eq!(env.read("$.a", &input)?, json!(1));
        assert_eq!(env.read("$$.State.Name", &input)?, json!("S"));
        assert_eq!(env.read("$answer.n[0]", &input)?, json!(42));
        assert_eq!(env.read("$answer", &input)?, json!({"n": [42]}));
        assert!(env.read("$missing", &input).is_err());
        Ok(())
    }
}
