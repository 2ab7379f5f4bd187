//! X-Ray annotations for the handlers' spans: each span that carries a
//! message id becomes, when it closes, one subsegment of the invocation's
//! trace with the ids as annotations, so that X-Ray can be searched by
//! message (`annotation.message_id = "…"`).
//!
//! Lambda writes the function's own segment, and function code can only add
//! subsegments to it. They go as UDP datagrams to the X-Ray daemon Lambda
//! runs beside a traced function (`AWS_XRAY_DAEMON_ADDRESS`), each a header
//! line and a segment document, under the trace and the parent that the
//! invocation's `_X_AMZN_TRACE_ID` names, and only for a sampled invocation
//! (`Sampled=1`): with active tracing off nothing is sent
//! (<https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html>,
//! "Sending segment documents to the X-Ray daemon"; the subsegment fields are
//! in "AWS X-Ray segment documents"). A datagram that is lost loses the
//! annotation, never the invocation.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// The variable Lambda sets to the daemon's `host:port` when it traces.
pub const DAEMON_ADDRESS_VAR: &str = "AWS_XRAY_DAEMON_ADDRESS";
/// The variable the runtime sets to each invocation's trace header.
pub const TRACE_HEADER_VAR: &str = "_X_AMZN_TRACE_ID";
/// The span fields written as annotations; a span without any is not sent.
pub const ANNOTATED_FIELDS: [&str; 2] = ["message_id", "execution_id"];
/// The line before each document, as the daemon expects it.
const DAEMON_HEADER: &str = "{\"format\": \"json\", \"version\": 1}\n";

/// Where the invocation's trace header comes from: the environment in a
/// function, a fixed value in a test.
type TraceHeaderSource = Box<dyn Fn() -> Option<String> + Send + Sync>;

/// The [`Layer`] that sends the subsegments.
pub struct XRayLayer {
    socket: UdpSocket,
    daemon: SocketAddr,
    trace_header: TraceHeaderSource,
}

impl XRayLayer {
    /// The layer for a function Lambda traces: `None` when
    /// `AWS_XRAY_DAEMON_ADDRESS` is unset or names no address.
    pub fn from_env() -> Option<Self> {
        let address = std::env::var(DAEMON_ADDRESS_VAR).ok()?;
        let daemon = address.to_socket_addrs().ok()?.next()?;
        Self::new(daemon, Box::new(|| std::env::var(TRACE_HEADER_VAR).ok())).ok()
    }

    /// A layer sending to `daemon`, reading each invocation's trace header
    /// from `trace_header`.
    ///
    /// # Errors
    /// No local UDP socket could be bound.
    pub fn new(daemon: SocketAddr, trace_header: TraceHeaderSource) -> std::io::Result<Self> {
        let local: SocketAddr = if daemon.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        Ok(Self {
            socket: UdpSocket::bind(local)?,
            daemon,
            trace_header,
        })
    }
}

/// What an open span with annotated fields has gathered.
struct Open {
    started: f64,
    annotations: BTreeMap<&'static str, String>,
}

/// Collects the annotated fields of a span's attributes or record.
struct Annotations<'a>(&'a mut BTreeMap<&'static str, String>);

impl Visit for Annotations<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if ANNOTATED_FIELDS.contains(&field.name()) {
            self.0.insert(field.name(), value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` fields arrive here, their Debug being their Display.
        if ANNOTATED_FIELDS.contains(&field.name()) {
            self.0.insert(field.name(), format!("{value:?}"));
        }
    }
}

impl<S> Layer<S> for XRayLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let fields = attrs.metadata().fields();
        if !ANNOTATED_FIELDS
            .iter()
            .any(|name| fields.field(name).is_some())
        {
            return;
        }
        let mut open = Open {
            started: epoch_seconds(),
            annotations: BTreeMap::new(),
        };
        attrs.record(&mut Annotations(&mut open.annotations));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(open);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(open) = span.extensions_mut().get_mut::<Open>()
        {
            values.record(&mut Annotations(&mut open.annotations));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(open) = span.extensions_mut().remove::<Open>() else {
            return;
        };
        if open.annotations.is_empty() {
            return;
        }
        let Some(trace) = (self.trace_header)()
            .as_deref()
            .and_then(SampledTrace::parse)
        else {
            return;
        };
        let name = format!("{}::{}", span.metadata().target(), span.name());
        let document = subsegment(&name, &trace, &open, epoch_seconds());
        let datagram = format!("{DAEMON_HEADER}{document}");
        // Best effort, as the X-Ray SDKs send: a lost datagram loses only
        // the annotation.
        let _ = self.socket.send_to(datagram.as_bytes(), self.daemon);
    }
}

/// The trace and parent of a sampled invocation, from its trace header
/// (`Root=1-…;Parent=…;Sampled=1`).
#[derive(Debug, PartialEq, Eq)]
struct SampledTrace {
    root: String,
    parent: String,
}

impl SampledTrace {
    fn parse(header: &str) -> Option<Self> {
        let (mut root, mut parent, mut sampled) = (None, None, false);
        for part in header.split(';') {
            match part.trim().split_once('=') {
                Some(("Root", v)) => root = Some(v.to_owned()),
                Some(("Parent", v)) => parent = Some(v.to_owned()),
                Some(("Sampled", v)) => sampled = v == "1",
                _ => {}
            }
        }
        sampled
            .then_some(())
            .and(root.zip(parent))
            .map(|(root, parent)| Self { root, parent })
    }
}

/// The segment document of one closed span.
fn subsegment(name: &str, trace: &SampledTrace, open: &Open, ended: f64) -> serde_json::Value {
    let id = uuid::Uuid::new_v4().simple().to_string();
    json!({
        "name": name,
        "id": &id[..16],
        "trace_id": trace.root,
        "parent_id": trace.parent,
        "type": "subsegment",
        "start_time": open.started,
        "end_time": ended,
        "annotations": open.annotations,
    })
}

/// Now, as the fractional epoch seconds segment documents use.
fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    const HEADER: &str =
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:0";

    /// A daemon on loopback and a subscriber whose layer sends to it with
    /// the trace header `header`.
    fn daemon_and_subscriber(header: &'static str) -> (UdpSocket, impl Subscriber) {
        let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
        daemon
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let layer = XRayLayer::new(
            daemon.local_addr().unwrap(),
            Box::new(move || Some(header.into())),
        )
        .unwrap();
        (daemon, tracing_subscriber::registry().with(layer))
    }

    fn received(daemon: &UdpSocket) -> Option<String> {
        let mut buf = [0u8; 65_536];
        let n = daemon.recv(&mut buf).ok()?;
        Some(String::from_utf8_lossy(&buf[..n]).into_owned())
    }

    #[test]
    fn a_handler_span_becomes_a_subsegment_annotated_with_its_ids() {
        let (daemon, subscriber) = daemon_and_subscriber(HEADER);
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::error_span!(
                "handle",
                message_id = "0193a1b2-0000-7000-8000-000000000001",
                execution_id = tracing::field::Empty,
                attempt = 2
            );
            span.record("execution_id", "arn:aws:states:us-east-1:1:express:m:e");
            span.in_scope(|| tracing::error!("inside"));
        });
        let datagram = received(&daemon).expect("one datagram");
        let (header, document) = datagram.split_once('\n').expect("a header line");
        assert_eq!(format!("{header}\n"), DAEMON_HEADER);
        let doc: serde_json::Value = serde_json::from_str(document).unwrap();
        assert_eq!(doc["type"], "subsegment");
        assert_eq!(doc["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(doc["parent_id"], "53995c3f42cd8ad8");
        assert_eq!(doc["name"], "rez_lambda::xray::tests::handle");
        let id = doc["id"].as_str().unwrap();
        assert!(
            id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
        assert!(doc["end_time"].as_f64() >= doc["start_time"].as_f64());
        assert_eq!(
            doc["annotations"],
            json!({
                "message_id": "0193a1b2-0000-7000-8000-000000000001",
                "execution_id": "arn:aws:states:us-east-1:1:express:m:e",
            }),
            "attempt is not an annotated field"
        );
    }

    #[test]
    fn nothing_is_sent_for_an_unsampled_invocation_or_a_span_without_ids() {
        let (daemon, subscriber) = daemon_and_subscriber(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
        );
        tracing::subscriber::with_default(subscriber, || {
            tracing::error_span!("handle", message_id = "m-1").in_scope(|| {});
        });
        assert_eq!(received(&daemon), None, "Sampled=0");

        let (daemon, subscriber) = daemon_and_subscriber(HEADER);
        tracing::subscriber::with_default(subscriber, || {
            tracing::error_span!("handle", fire_time = "t").in_scope(|| {});
            tracing::error_span!("handle", message_id = tracing::field::Empty).in_scope(|| {});
        });
        assert_eq!(received(&daemon), None, "no ids");
    }

    #[test]
    fn the_trace_header_is_read_as_lambda_writes_it() {
        assert_eq!(
            SampledTrace::parse(HEADER),
            Some(SampledTrace {
                root: "1-5759e988-bd862e3fe1be46a994272793".into(),
                parent: "53995c3f42cd8ad8".into()
            })
        );
        assert_eq!(
            SampledTrace::parse("Root=1-a-b;Sampled=1"),
            None,
            "no parent"
        );
        assert_eq!(SampledTrace::parse(""), None);
    }
}
