//! An Amazon States Language engine: parse, validate and run state machines with an AWS-style execution history.
