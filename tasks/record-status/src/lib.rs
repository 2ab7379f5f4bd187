//! The RecordSuccess / RecordFailure tasks: write a message's final delivery status.
