//! `rez-agent statemachine …`: work with an ASL definition on its own,
//! without the rest of the stack.
//!
//! | module | command |
//! |---|---|
//! | [`validate`] | `validate FILE…`: every problem, one per line, like `ValidateStateMachineDefinition` |
//! | [`test`](mod@test) | `test FILE_OR_DIR…`: run cases in the conformance corpus schema, `N passed, M failed` |
//! | [`run`] | `run FILE --input JSON [--mock-config FILE --test-case NAME]`: one execution and its history |
//! | [`graph`] | `graph FILE [--format dot\|svg] [--output PATH]`: the definition drawn with `rez-graph` |
//!
//! Each writes its report to the given writer (stdout in the binary) and
//! returns an error when the exit status must be non-zero.

pub mod graph;
pub mod run;
pub mod test;
pub mod validate;

/// `text` cut to `max` characters, with `…` when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}
