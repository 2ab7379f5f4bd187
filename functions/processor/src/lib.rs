//! The processor function: turn queue records into state machine executions.
