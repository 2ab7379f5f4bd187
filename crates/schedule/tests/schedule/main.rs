//! Integration tests for rez-schedule, one binary; each module is one area.

mod cron_next;
mod helpers;
mod parse_errors;
mod properties;
mod rate_and_at;
mod round_trip;
mod zones;
