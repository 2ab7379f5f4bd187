//! The stable States error names the task functions raise.
//!
//! A Lambda function's `errorType` becomes the States error name that `Retry`
//! and `Catch` match in `statemachine/notification.asl.json`, so these names
//! are an API: changing one silently changes how the workflow retries.

/// ntfy answered 429 with code 42901: too many requests; retry no sooner than 5 s.
pub const NTFY_RATE_LIMITED: &str = "Ntfy.RateLimited";
/// ntfy answered 429 with code 42908: the daily quota is used up (permanent).
pub const NTFY_QUOTA_EXCEEDED: &str = "Ntfy.QuotaExceeded";
/// ntfy answered 5xx: a transient server fault.
pub const NTFY_SERVER_ERROR: &str = "Ntfy.ServerError";
/// ntfy could not be reached or did not answer in time.
pub const NTFY_UNREACHABLE: &str = "Ntfy.Unreachable";
/// ntfy rejected the publish with another 4xx (permanent, never retried).
pub const NTFY_REJECTED: &str = "Ntfy.Rejected";
/// The message named in the execution input is not in the store (permanent).
pub const MESSAGE_NOT_FOUND: &str = "Message.NotFound";
/// The task input or the stored message is malformed (permanent).
pub const MESSAGE_INVALID: &str = "Message.Invalid";
/// The message store could not be reached or refused the write (transient).
pub const STORE_UNAVAILABLE: &str = "Store.Unavailable";
/// The message is in a status that forbids this step (permanent).
pub const MESSAGE_CONFLICT: &str = "Message.Conflict";
/// The reconciler gave up on a message taken up too many times without an
/// outcome (recorded as its `error_message`, never raised by a task).
pub const DELIVERY_ABANDONED: &str = "Delivery.Abandoned";
/// The message's queue record went to the dead-letter queue (recorded as
/// its `error_message` by the queue or the reconciler, never raised by a task).
pub const QUEUE_DEAD_LETTERED: &str = "Queue.DeadLettered";
/// Another execution holds the message's claim and delivers it: this one
/// ends without publishing (the definition catches it into a Succeed state).
pub const MESSAGE_CLAIMED: &str = "Message.Claimed";

/// Every name above, for tests that check the definition only uses known names.
pub const ALL: &[&str] = &[
    NTFY_RATE_LIMITED,
    NTFY_QUOTA_EXCEEDED,
    NTFY_SERVER_ERROR,
    NTFY_UNREACHABLE,
    NTFY_REJECTED,
    MESSAGE_NOT_FOUND,
    MESSAGE_INVALID,
    STORE_UNAVAILABLE,
    MESSAGE_CONFLICT,
    MESSAGE_CLAIMED,
];

/// Errors after which delivering the same message again cannot succeed.
pub const PERMANENT: &[&str] = &[
    NTFY_QUOTA_EXCEEDED,
    NTFY_REJECTED,
    MESSAGE_NOT_FOUND,
    MESSAGE_INVALID,
    MESSAGE_CONFLICT,
];

/// Whether an execution that failed with `error` should be left alone (true)
/// or its queue record redelivered later (false).
pub fn is_permanent(error: &str) -> bool {
    PERMANENT.contains(&error)
}
