//! The LoadMessage task: read a message by id and mark it processing.
