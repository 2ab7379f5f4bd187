//! The one error type of this crate: why a definition could not be drawn, and where.

/// Why a definition could not be turned into a [`StateGraph`](crate::StateGraph).
///
/// `at` is a JSON pointer into the definition (`/States/LoadMessage/Next`), so
/// the message says where to look.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The definition (or a state, or a branch) is not a JSON object.
    #[error("{at}: expected a JSON object")]
    NotAnObject {
        /// Where the non-object was found (`""` is the definition itself).
        at: String,
    },
    /// A required field is absent.
    #[error("{at}: missing required field {field}")]
    MissingField {
        /// The object that lacks the field.
        at: String,
        /// The field's name, e.g. `StartAt`.
        field: &'static str,
    },
    /// A field is present but has the wrong JSON type.
    #[error("{at}: expected {expected}")]
    WrongType {
        /// The field's pointer.
        at: String,
        /// What it should have been, e.g. `a string`.
        expected: &'static str,
    },
    /// `States` has no states in it.
    #[error("{at}: States is empty; a state machine needs at least one state")]
    NoStates {
        /// The `States` object's pointer.
        at: String,
    },
    /// `StartAt` names a state that does not exist in its scope.
    #[error("{at}: StartAt names '{target}', which is not a state here")]
    UnknownStartAt {
        /// The `StartAt` field's pointer.
        at: String,
        /// The missing state's name.
        target: String,
    },
    /// A `Next` or `Default` names a state that does not exist in its scope.
    #[error("{at}: '{target}' is not a state here (Next must name a state in the same States)")]
    UnknownNext {
        /// The transition's pointer.
        at: String,
        /// The missing state's name.
        target: String,
    },
    /// `Type` is not one of the eight state types.
    #[error(
        "{at}: unknown state type '{found}' (expected Task, Pass, Choice, Wait, Succeed, Fail, Parallel or Map)"
    )]
    UnknownType {
        /// The `Type` field's pointer.
        at: String,
        /// The type as written.
        found: String,
    },
    /// A state that must transition has neither `Next` nor `End: true`.
    #[error("{at}: state has neither Next nor End: true")]
    NoTransition {
        /// The state's pointer.
        at: String,
    },
}
