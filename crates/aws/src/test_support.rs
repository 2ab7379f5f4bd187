//! Unit-test support: SDK clients whose HTTP traffic is a fixed script
//! (`StaticReplayClient`), with test credentials and a fixed region.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;

/// A config whose clients answer each call with the next of `responses`
/// (status, body), and the replay client to read the requests back from.
pub(crate) fn replay(endpoint: &str, responses: &[(u16, &str)]) -> (SdkConfig, StaticReplayClient) {
    let events = responses
        .iter()
        .map(|(status, body)| {
            ReplayEvent::new(
                http::Request::builder()
                    .uri(endpoint)
                    .body(SdkBody::empty())
                    .unwrap(),
                http::Response::builder()
                    .status(*status)
                    .body(SdkBody::from(*body))
                    .unwrap(),
            )
        })
        .collect();
    let client = StaticReplayClient::new(events);
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::disabled())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        )))
        .http_client(client.clone())
        .build();
    (config, client)
}

/// The requests the replay client saw, as (uri, target header, JSON or text body).
pub(crate) fn requests(client: &StaticReplayClient) -> Vec<Sent> {
    client.actual_requests().map(Sent::from).collect()
}

/// One request as the tests look at it.
#[derive(Debug)]
pub(crate) struct Sent {
    /// The full URI.
    pub(crate) uri: String,
    /// `X-Amz-Target` (JSON protocols), empty otherwise.
    pub(crate) target: String,
    /// The body as text.
    pub(crate) body: String,
}

impl Sent {
    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

impl From<&HttpRequest> for Sent {
    fn from(request: &HttpRequest) -> Self {
        Self {
            uri: request.uri().to_owned(),
            target: request
                .headers()
                .get("x-amz-target")
                .unwrap_or_default()
                .to_owned(),
            body: String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned(),
        }
    }
}
