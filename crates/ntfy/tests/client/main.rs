//! The ntfy client against a wiremock ntfy on loopback: what it sends, and how
//! it classifies each kind of answer.

mod failures;
mod helpers;
mod publish;
mod secrets;
