//! The functions' log lines, as Lambda's advanced logging controls read them.
//!
//! With `logFormat: JSON`, Lambda drops application lines below the
//! function's `applicationLogLevel` by each line's `level`, and it treats a
//! line without a valid RFC 3339 `timestamp` as INFO
//! (<https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html>).
//! `lambda_runtime`'s default subscriber writes no time, so a WARN or ERROR
//! setting would drop every line; this one writes the timestamp. Lambda
//! hands the level to the function as `AWS_LAMBDA_LOG_LEVEL`; `FATAL`, which
//! `tracing` has no level for, keeps ERROR lines.

use std::fmt;

use chrono::{SecondsFormat, Utc};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::xray::XRayLayer;

/// The variable Lambda sets from the function's `applicationLogLevel`.
pub const LOG_LEVEL_VAR: &str = "AWS_LAMBDA_LOG_LEVEL";
/// The variable Lambda sets from the function's `logFormat` (`JSON` or `Text`).
pub const LOG_FORMAT_VAR: &str = "AWS_LAMBDA_LOG_FORMAT";

/// UTC time as RFC 3339 with milliseconds, the `timestamp` Lambda filters by.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rfc3339Utc;

impl FormatTime for Rfc3339Utc {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        write!(
            w,
            "{}",
            Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
        )
    }
}

/// The level a Lambda log level names: TRACE … ERROR as `tracing` has them,
/// FATAL as ERROR, anything else (or nothing) as INFO, Lambda's default.
pub fn level_filter(lambda_level: Option<&str>) -> LevelFilter {
    match lambda_level.map(str::to_ascii_uppercase).as_deref() {
        Some("TRACE") => LevelFilter::TRACE,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some("WARN") => LevelFilter::WARN,
        Some("ERROR" | "FATAL") => LevelFilter::ERROR,
        _ => LevelFilter::INFO,
    }
}

/// Installs the process's subscriber, writing to stdout (which Lambda sends
/// to CloudWatch Logs) at the level and in the format Lambda's environment
/// names, and sending the handlers' spans to X-Ray when Lambda traces the
/// function ([`XRayLayer::from_env`]). Call it once, first thing in `main`.
pub fn init() {
    let level = level_filter(std::env::var(LOG_LEVEL_VAR).ok().as_deref());
    let json = std::env::var(LOG_FORMAT_VAR).is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    install(level, json, std::io::stdout, XRayLayer::from_env());
}

/// [`init`] with its settings, writer and X-Ray layer given.
pub fn install<W>(level: LevelFilter, json: bool, writer: W, xray: Option<XRayLayer>)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .parse_lossy("");
    let lines = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_timer(Rfc3339Utc)
        .with_writer(writer);
    let lines = if json {
        lines.json().boxed()
    } else {
        lines.boxed()
    };
    // A second install in one process (a test) keeps the first.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(lines)
        .with(xray)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::captured::Captured;

    #[test]
    fn lambda_levels_map_onto_tracing_levels_fatal_as_error() {
        assert_eq!(level_filter(Some("TRACE")), LevelFilter::TRACE);
        assert_eq!(level_filter(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level_filter(Some("INFO")), LevelFilter::INFO);
        assert_eq!(level_filter(Some("WARN")), LevelFilter::WARN);
        assert_eq!(level_filter(Some("ERROR")), LevelFilter::ERROR);
        assert_eq!(level_filter(Some("FATAL")), LevelFilter::ERROR);
        assert_eq!(level_filter(Some("loud")), LevelFilter::INFO);
        assert_eq!(level_filter(None), LevelFilter::INFO);
    }

    #[test]
    fn a_json_line_has_the_level_a_timestamp_and_its_error_span_and_lines_below_the_level_are_dropped()
     {
        let lines = Captured::default();
        install(LevelFilter::WARN, true, lines.clone(), None);
        tracing::info!(message_id = "m-1", "not written at WARN");
        let handler = tracing::error_span!("handle", message_id = "m-2");
        handler.in_scope(|| tracing::warn!(attempt = 2, "written"));
        let text = lines.text();
        let written: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(written.len(), 1, "{text}");
        assert_eq!(written[0]["level"], "WARN");
        assert_eq!(written[0]["fields"]["attempt"], 2);
        // An ERROR-level span's fields stay on the line at WARN, as the
        // functions' handler spans carry message_id.
        assert_eq!(written[0]["span"]["message_id"], "m-2", "{text}");
        let timestamp = written[0]["timestamp"].as_str().unwrap();
        let parsed = chrono::DateTime::parse_from_rfc3339(timestamp).unwrap();
        assert!(
            (Utc::now() - parsed.with_timezone(&Utc))
                .num_seconds()
                .abs()
                < 60
        );
    }
}
