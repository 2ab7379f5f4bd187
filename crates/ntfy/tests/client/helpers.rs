//! A mock ntfy server, a client pointed at it, and the notifications sent.

use std::time::Duration;

use rez_core::{Notification, Priority};
use rez_ntfy::{AccessToken, NtfyClient, NtfyConfig};
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

/// Every test returns this so it can use `?`.
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The access token configured where a test needs one.
pub(crate) const TOKEN: &str = "tk_7eevizlsiwf9yi4uxsrs83r4352o0";
/// The sequence id every publish carries (a message id).
pub(crate) const SEQUENCE_ID: &str = "0192f0c4-7a1b-7c3d-8e9f-0123456789ab";
/// The id the mock ntfy gives the message.
pub(crate) const NTFY_ID: &str = "sPs71M8A2T";
/// The receive time the mock ntfy answers, in Unix seconds.
pub(crate) const NTFY_TIME: i64 = 1_764_492_547;

/// How a test client is set up.
pub(crate) struct Setup {
    pub(crate) path: &'static str,
    pub(crate) token: bool,
    pub(crate) timeout: Duration,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            path: "/mytopic",
            token: false,
            timeout: Duration::from_secs(5),
        }
    }
}

/// A client for `server` as `setup` says.
pub(crate) fn client(
    server: &MockServer,
    setup: Setup,
) -> Result<NtfyClient, Box<dyn std::error::Error>> {
    let mut config = NtfyConfig::new(format!("{}{}", server.uri(), setup.path).parse()?)
        .with_timeout(setup.timeout);
    if setup.token {
        config = config.with_token(AccessToken::new(TOKEN)?);
    }
    Ok(NtfyClient::new(config)?)
}

/// A notification with every field set, in non-ASCII text.
pub(crate) fn rich_notification() -> Notification {
    Notification {
        title: Some("🚀 Déploiement réussi".into()),
        message: "La version 1.2 est en ligne ✅ — merci !".into(),
        priority: Some(Priority::High),
        tags: vec!["café".into(), "tada".into()],
        click: Some("https://example.com/déploiements/12".into()),
        markdown: true,
        icon: Some("https://example.com/icon.png".into()),
    }
}

/// The JSON body ntfy should receive for [`rich_notification`] on `topic`.
pub(crate) fn rich_body(topic: &str) -> Value {
    json!({
        "topic": topic,
        "message": "La version 1.2 est en ligne ✅ — merci !",
        "title": "🚀 Déploiement réussi",
        "priority": 4,
        "tags": ["café", "tada"],
        "click": "https://example.com/déploiements/12",
        "markdown": true,
        "icon": "https://example.com/icon.png",
        "sequence_id": SEQUENCE_ID,
    })
}

/// ntfy's 200 answer to a publish.
pub(crate) fn accepted(topic: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": NTFY_ID,
        "time": NTFY_TIME,
        "expires": NTFY_TIME + 43_200,
        "event": "message",
        "topic": topic,
        "message": "La version 1.2 est en ligne ✅ — merci !",
    }))
}

/// An ntfy error answer: `{"code", "http", "error"}` with that status.
pub(crate) fn ntfy_error(status: u16, code: u32, error: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "code": code,
        "http": status,
        "error": error,
        "link": "https://ntfy.sh/docs/publish/#limitations",
    }))
}
