//! The rez-agent domain: what a message is, how it is validated and identified,
//! and the ports (traits) through which the handlers reach the outside world.
//!
//! | module | what it holds |
//! |---|---|
//! | [`message`] | [`Message`], [`Stage`], [`Status`], [`MessageType`], [`MessageId`] |
//! | [`notification`] | the ntfy notification a message carries, its [`Priority`] and limits |
//! | [`request`] | the API's create request and its validation into a new [`Message`] |
//! | [`schedule`] | [`schedule::Schedule`]s that people define, their requests and the message of one fire |
//! | [`time`] | the fixed, sortable timestamp format every store uses |
//! | [`cursor`] | the opaque list cursor shared by every store |
//! | [`idempotency`] | [`IdempotencyKey`]: a client's or the scheduler's key, in separate namespaces |
//! | [`ports`] | `MessageStore`, `ScheduleStore`, `ScheduleRunner`, `Publisher`, `Notifier`, `WorkflowStarter`, `Clock`, `ExecutionReader`, `DeadLetterQueue`, `AtomicSubmitter` |
//! | [`error_names`] | the stable States error names raised by the task functions |
//! | [`memory`] | in-memory `MessageStore`, `ScheduleStore` and `Publisher`, the ports' reference behaviour |
//! | [`reconcile`] | the reconciler: finds the messages nothing else will move on and sends them round again |
//! | [`submit`](mod@submit) | the [`Submitter`]: store `queued` then publish ([`StoreThenPublish`]), or one write where the stack has one ([`OneWrite`]), shared by the API and the schedulers |
//! | [`task`] | [`FunctionError`], the error a task function reports (Lambda's `errorType`/`errorMessage`), and [`task::invoke`], a typed handler run over JSON |
//! | [`error`] | the validation error |

pub mod cursor;
pub mod error;
pub mod error_names;
pub mod idempotency;
pub mod memory;
pub mod message;
pub mod notification;
pub mod ports;
pub mod reconcile;
pub mod request;
pub mod schedule;
pub mod submit;
pub mod task;
pub mod time;

pub use cursor::Cursor;
pub use error::ValidationError;
pub use idempotency::IdempotencyKey;
pub use message::{Message, MessageId, MessageType, Stage, Status};
pub use notification::{Notification, Priority};
pub use ports::StoreError;
pub use request::CreateMessageRequest;
pub use submit::{OneWrite, StoreThenPublish, SubmitError, Submitted, Submitter};
pub use task::FunctionError;
