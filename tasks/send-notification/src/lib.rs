//! The SendNotification task: publish a message to ntfy and raise named errors.
