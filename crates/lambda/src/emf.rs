//! CloudWatch metrics as Embedded Metric Format (EMF) log lines.
//!
//! A Lambda function's stdout goes to CloudWatch Logs, which turns every
//! line holding an EMF document into metric data points: no PutMetricData
//! call, no extra latency, no IAM permission. [`sink_from_env`] is the
//! [`MetricsSink`] the mains use: [`EmfSink`] when the deployment opts in
//! to these custom metrics ([`CUSTOM_METRICS_VAR`]), else nothing is
//! written. [`document`] is the one place that knows
//! the format (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>).
//!
//! | event | metrics (namespace `rez-agent`, dimensions `stage`, `message_type`) |
//! |---|---|
//! | a message accepted | `MessagesCreated` (Count) |
//! | a delivery completed | `NotificationsDelivered` (Count), `DeliveryAttempts` (Count), `DeliveryLatencyMs` (Milliseconds) |
//! | a delivery failed | `NotificationsFailed` (Count), `DeliveryAttempts` (Count) |

use std::io::Write;
use std::sync::{Arc, Mutex};

use rez_core::ports::{MetricEvent, MetricsSink, NoMetrics};
use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every rez-agent metric.
pub const NAMESPACE: &str = "rez-agent";

/// Every metric name a document can hold: what CloudWatch bills as one custom
/// metric per combination of dimension values. The cost model reads their
/// number from `infrastructure/cost/counted.json`, which a test keeps equal.
pub const METRIC_NAMES: [&str; 5] = [
    "MessagesCreated",
    "NotificationsDelivered",
    "NotificationsFailed",
    "DeliveryAttempts",
    "DeliveryLatencyMs",
];

/// The dimension set every metric is published under.
const DIMENSIONS: [&str; 2] = ["stage", "message_type"];

/// One metric of a document: its name, unit and value.
struct Datum {
    name: &'static str,
    unit: &'static str,
    value: f64,
}

/// The metrics an event stands for, with its stage and type.
fn data(event: &MetricEvent) -> (&'static str, &'static str, Vec<Datum>) {
    let count = |name, value: u32| Datum {
        name,
        unit: "Count",
        value: f64::from(value),
    };
    match *event {
        MetricEvent::MessageCreated {
            stage,
            message_type,
        } => (
            stage.as_str(),
            message_type.as_str(),
            vec![count("MessagesCreated", 1)],
        ),
        MetricEvent::DeliveryFinished {
            stage,
            message_type,
            delivered,
            attempts,
            latency_ms,
        } => {
            let outcome = if delivered {
                "NotificationsDelivered"
            } else {
                "NotificationsFailed"
            };
            let mut data = vec![count(outcome, 1), count("DeliveryAttempts", attempts)];
            if let Some(ms) = latency_ms.filter(|_| delivered) {
                data.push(Datum {
                    name: "DeliveryLatencyMs",
                    unit: "Milliseconds",
                    value: ms.max(0) as f64,
                });
            }
            (stage.as_str(), message_type.as_str(), data)
        }
    }
}

/// The EMF document for `event` at `timestamp_ms` (milliseconds since the epoch).
pub fn document(event: &MetricEvent, timestamp_ms: i64) -> Value {
    let (stage, message_type, data) = data(event);
    let metrics: Vec<Value> = data
        .iter()
        .map(|d| json!({ "Name": d.name, "Unit": d.unit }))
        .collect();
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [DIMENSIONS],
                "Metrics": metrics,
            }],
        }),
    );
    root.insert("stage".into(), stage.into());
    root.insert("message_type".into(), message_type.into());
    for d in data {
        root.insert(d.name.into(), json!(d.value));
    }
    Value::Object(root)
}

/// A [`MetricsSink`] writing one EMF line per event.
pub struct EmfSink {
    out: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for EmfSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmfSink").finish_non_exhaustive()
    }
}

impl EmfSink {
    /// A sink writing to `out` (tests read the lines back).
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        Self {
            out: Mutex::new(out),
        }
    }

    /// A sink writing to the process's stdout, which Lambda sends to CloudWatch Logs.
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }
}

impl MetricsSink for EmfSink {
    fn record(&self, event: &MetricEvent) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let mut line = document(event, now).to_string();
        line.push('\n');
        // One write per line so lines from concurrent events never interleave;
        // a metric that cannot be written must not fail the delivery.
        if let Ok(mut out) = self.out.lock()
            && let Err(e) = out.write_all(line.as_bytes()).and_then(|()| out.flush())
        {
            tracing::warn!(error = %e, "could not write an EMF metrics line");
        }
    }
}

/// `REZ_CUSTOM_METRICS`: `true` turns the EMF lines on. CloudWatch bills
/// every metric they create as a custom metric ($0.30 a month each; five
/// names times each `message_type` in use), so a deployment opts in
/// (Pulumi config `customMetrics`); without them the same counts are in
/// `GET /api/metrics` and in AWS's own Step Functions and Lambda metrics.
pub const CUSTOM_METRICS_VAR: &str = "REZ_CUSTOM_METRICS";

/// Whether the variable's value (if set) turns the custom metrics on: `true` only.
pub fn custom_metrics_enabled(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The sink a main uses: [`EmfSink`] on stdout when `REZ_CUSTOM_METRICS` is
/// `true`, otherwise [`NoMetrics`], which writes nothing.
pub fn sink_from_env() -> Arc<dyn MetricsSink> {
    if custom_metrics_enabled(std::env::var(CUSTOM_METRICS_VAR).ok().as_deref()) {
        Arc::new(EmfSink::stdout())
    } else {
        Arc::new(NoMetrics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::captured::Captured;
    use rez_core::{MessageType, Stage};

    /// Checks one parsed line against the schema and the rules beside it:
    /// every dimension a string member of the root, every metric a number.
    fn assert_valid_emf(doc: &Value) {
        let schema: Value = serde_json::from_str(include_str!("emf.schema.json")).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{doc}: {errors:?}");
        for directive in doc["_aws"]["CloudWatchMetrics"].as_array().unwrap() {
            for set in directive["Dimensions"].as_array().unwrap() {
                for name in set.as_array().unwrap() {
                    assert!(doc[name.as_str().unwrap()].is_string(), "{doc}: {name}");
                }
            }
            for metric in directive["Metrics"].as_array().unwrap() {
                let name = metric["Name"].as_str().unwrap();
                assert!(doc[name].is_number(), "{doc}: {name}");
            }
        }
    }

    fn metric_names(doc: &Value) -> Vec<&str> {
        doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn every_event_becomes_one_valid_emf_line_with_its_metrics_and_dimensions() {
        let out = Captured::default();
        let sink = EmfSink::new(Box::new(out.clone()));
        let events = [
            MetricEvent::MessageCreated {
                stage: Stage::Prod,
                message_type: MessageType::Scheduled,
            },
            MetricEvent::DeliveryFinished {
                stage: Stage::Dev,
                message_type: MessageType::Notification,
                delivered: true,
                attempts: 2,
                latency_ms: Some(840),
            },
            MetricEvent::DeliveryFinished {
                stage: Stage::Dev,
                message_type: MessageType::Notification,
                delivered: false,
                attempts: 4,
                latency_ms: None,
            },
        ];
        for event in &events {
            sink.record(event);
        }
        let text = out.text();
        let lines: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "{text}");
        for doc in &lines {
            assert_valid_emf(doc);
            let directive = &doc["_aws"]["CloudWatchMetrics"][0];
            assert_eq!(directive["Namespace"], "rez-agent");
            assert_eq!(directive["Dimensions"], json!([["stage", "message_type"]]));
            assert!(doc["_aws"]["Timestamp"].as_i64().unwrap() > 1_700_000_000_000);
        }
        assert_eq!(metric_names(&lines[0]), ["MessagesCreated"]);
        assert_eq!(
            (&lines[0]["stage"], &lines[0]["message_type"]),
            (&json!("prod"), &json!("scheduled"))
        );
        assert_eq!(
            metric_names(&lines[1]),
            [
                "NotificationsDelivered",
                "DeliveryAttempts",
                "DeliveryLatencyMs"
            ]
        );
        assert_eq!(lines[1]["DeliveryAttempts"], 2.0);
        assert_eq!(lines[1]["DeliveryLatencyMs"], 840.0);
        assert_eq!(
            lines[1]["_aws"]["CloudWatchMetrics"][0]["Metrics"][2]["Unit"],
            "Milliseconds"
        );
        assert_eq!(
            metric_names(&lines[2]),
            ["NotificationsFailed", "DeliveryAttempts"]
        );
        assert_eq!(lines[2]["DeliveryAttempts"], 4.0);
    }

    #[test]
    fn the_schema_check_rejects_what_cloudwatch_would() {
        let schema: Value = serde_json::from_str(include_str!("emf.schema.json")).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let good = document(
            &MetricEvent::MessageCreated {
                stage: Stage::Dev,
                message_type: MessageType::Notification,
            },
            1,
        );
        assert!(validator.is_valid(&good));
        let mut bad_unit = good.clone();
        bad_unit["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = json!("Things");
        let mut no_timestamp = good.clone();
        no_timestamp["_aws"]
            .as_object_mut()
            .unwrap()
            .remove("Timestamp");
        let mut extra = good.clone();
        extra["_aws"]["CloudWatchMetrics"][0]["Extra"] = json!(1);
        for bad in [bad_unit, no_timestamp, extra] {
            assert!(!validator.is_valid(&bad), "{bad}");
        }
    }

    #[test]
    fn custom_metrics_are_on_only_when_the_variable_says_true() {
        assert!(custom_metrics_enabled(Some("true")));
        assert!(custom_metrics_enabled(Some("TRUE")));
        for off in [None, Some(""), Some("false"), Some("1"), Some("yes")] {
            assert!(!custom_metrics_enabled(off), "{off:?}");
        }
    }

    #[test]
    fn the_documents_use_exactly_the_metric_names_the_cost_model_counts() {
        let events = [
            MetricEvent::MessageCreated {
                stage: Stage::Prod,
                message_type: MessageType::Scheduled,
            },
            MetricEvent::DeliveryFinished {
                stage: Stage::Prod,
                message_type: MessageType::Notification,
                delivered: true,
                attempts: 1,
                latency_ms: Some(5),
            },
            MetricEvent::DeliveryFinished {
                stage: Stage::Prod,
                message_type: MessageType::Notification,
                delivered: false,
                attempts: 4,
                latency_ms: None,
            },
        ];
        let mut used: Vec<String> = events
            .iter()
            .flat_map(|e| {
                document(e, 0)["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["Name"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        used.sort();
        used.dedup();
        let mut names: Vec<String> = METRIC_NAMES.iter().map(|n| (*n).to_owned()).collect();
        names.sort();
        assert_eq!(used, names);

        let counted: Value =
            serde_json::from_str(include_str!("../../../infrastructure/cost/counted.json"))
                .unwrap();
        assert_eq!(counted["customMetricNames"], METRIC_NAMES.len());
        assert_eq!(counted["customMetricDimensions"], json!(DIMENSIONS));
    }
}
