//! The API driven through its Router with `oneshot`: no sockets.
// A test binary: a failed unwrap is a failed test with a useful message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod bad_input;
mod create_message;
mod executions;
mod helpers;
mod layers;
mod list_messages;
mod observe;
mod openapi;
mod read_routes;
mod schedules;
