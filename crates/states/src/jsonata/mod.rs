//! JSONata for `QueryLanguage: JSONata` states: a tokenizer ([`lexer`]),
//! a Pratt parser ([`parser`]), an evaluator ([`eval`]) and built-in
//! functions (`functions/`), covering the commonly used core of the
//! language plus Step Functions' additions; compiled templates also plan
//! their most common shapes of expression ([`direct`]) to evaluate those
//! on the arena without the evaluator.
//!
//! In a JSONata state, a string field is an expression only when it is
//! exactly `{% ... %}`; templates (objects and arrays) are walked and each
//! such string replaced by its value.

mod direct;
mod eval;
mod evaluate;
mod functions;
pub(crate) mod lexer;
pub(crate) mod parser;
mod states;
mod template;
mod templates;
mod value;

pub(crate) use states::{Scope, States, StatesContext};
pub(crate) use template::{JsonataTemplate, expression_text};
pub(crate) use templates::{compiled, compiled_in};
pub(crate) use value::type_name;

#[cfg(test)]
mod tests;
