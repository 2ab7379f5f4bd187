//! The SQS adapters: the processor's [`SqsRedelivery`] (a failed record's
//! next delivery, by `ChangeMessageVisibility`) and the API's
//! [`SqsDeadLetterQueue`] (the dead letters listed, counted and redriven).
//!
//! | module | what it holds |
//! |---|---|
//! | [`visibility`] | [`SqsRedelivery`] and [`queue_visibility_timeout`] |
//! | [`dead_letters`] | [`SqsDeadLetterQueue`]: list and depth over ReceiveMessage and GetQueueAttributes |
//! | [`redrive`] | how dead letters go back: ReceiveMessage, SendMessageBatch, DeleteMessageBatch |
//! | `port.rs` | the `DeadLetterQueue` port over those two |
//! | [`body`] | the message id a record's body names |

pub mod body;
pub mod dead_letters;
mod port;
pub mod redrive;
pub mod visibility;

pub use dead_letters::SqsDeadLetterQueue;
pub use visibility::{SqsRedelivery, queue_visibility_timeout};

#[cfg(test)]
mod tests;
