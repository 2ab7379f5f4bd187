//! EventBridge Scheduler expressions (cron, rate, at): parsing and next fire times.
