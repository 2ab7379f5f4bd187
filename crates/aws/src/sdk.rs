//! Building the SDK configuration and clients, including the one quirk a local
//! Step Functions endpoint needs.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::Provider;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::endpoint::EndpointPrefix;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::SdkConfig;
use aws_types::region::Region;

use crate::error::SettingsError;

/// The SDK configuration of a Lambda function, read from the variables the
/// Lambda runtime sets: the region (`AWS_REGION`, else `AWS_DEFAULT_REGION`),
/// the function role's credentials (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), with the latest behaviour
/// version, the SDK's standard retries (`AWS_MAX_ATTEMPTS` overrides the
/// attempts), its default 3.1 s connect timeout and [`https_client`] as the
/// HTTP client of every client built from it.
///
/// `AWS_ENDPOINT_URL` points every client at another endpoint, e.g. moto or a
/// local Step Functions in tests (the per-service `AWS_ENDPOINT_URL_<SERVICE>`
/// variables are not read).
///
/// Why not `aws_config::load_defaults`: in a Lambda function the credentials
/// are always those variables, and aws-config's other providers (profiles,
/// SSO, web identity, the STS client they need, IMDS) are about 270 kB of
/// code in every zip that would never run, and a few milliseconds of init.
pub fn load_sdk_config() -> Result<SdkConfig, SettingsError> {
    sdk_config_from(|name| std::env::var(name).ok())
}

/// [`load_sdk_config`] over any variable lookup (tests pass a map).
pub fn sdk_config_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<SdkConfig, SettingsError> {
    let var = |name: &str| lookup(name).filter(|value| !value.is_empty());
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .ok_or(SettingsError::Missing { var: "AWS_REGION" })?;
    let access_key_id = var("AWS_ACCESS_KEY_ID").ok_or(SettingsError::Missing {
        var: "AWS_ACCESS_KEY_ID",
    })?;
    let secret_access_key = var("AWS_SECRET_ACCESS_KEY").ok_or(SettingsError::Missing {
        var: "AWS_SECRET_ACCESS_KEY",
    })?;
    let credentials = Credentials::new(
        access_key_id,
        secret_access_key,
        var("AWS_SESSION_TOKEN"),
        None,
        "Environment",
    );
    let mut retry = RetryConfig::standard();
    if let Some(attempts) = var("AWS_MAX_ATTEMPTS") {
        let attempts: u32 =
            attempts
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| SettingsError::Invalid {
                    var: "AWS_MAX_ATTEMPTS",
                    reason: format!("'{attempts}' is not a positive whole number"),
                })?;
        retry = retry.with_max_attempts(attempts);
    }
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https_client())
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
        .time_source(SharedTimeSource::new(SystemTimeSource::new()))
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
                .build(),
        );
    if let Some(endpoint) = var("AWS_ENDPOINT_URL") {
        builder = builder.endpoint_url(endpoint);
    }
    Ok(builder.build())
}

/// The connect timeout aws-config sets for the latest behaviour version.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// The HTTP(S) client of [`load_sdk_config`]: the SDK's default client
/// (hyper 1, rustls, the system's root certificates, certificate and host
/// name verification, the SDK's cipher suites, proxies from `HTTPS_PROXY` /
/// `NO_PROXY`, the connect and read timeouts of the SDK configuration) with
/// ring as rustls' crypto provider instead of aws-lc-rs.
///
/// ring is the provider reqwest (the ntfy client) uses too, so a Lambda
/// binary links one TLS stack and one crypto library, not two. The one
/// difference to the SDK's aws-lc-rs client: ring has no post-quantum key
/// exchange, so X25519MLKEM768 is not offered (X25519 and the NIST curves
/// are). The root certificates are read once per process
/// (`SSL_CERT_FILE` / `SSL_CERT_DIR` override where). Plain `http://`
/// endpoints (moto, a local Step Functions) work as well.
pub fn https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, runtime_components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::Ring));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = runtime_components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// An interceptor that stops the SDK from prefixing the host of
/// `StartSyncExecution` (and `TestState`) with `sync-`.
///
/// On AWS the prefix routes to the synchronous Express endpoint
/// (`sync-states.<region>.amazonaws.com`) and must stay. A client pointed at
/// a local endpoint such as `http://127.0.0.1:8083` would otherwise call
/// `sync-127.0.0.1`, which does not resolve; install this interceptor on such
/// a client only (see [`sfn_client`], which decides for you).
pub fn strip_sync_host_prefix() -> impl Intercept {
    StripSyncHostPrefix
}

/// See [`strip_sync_host_prefix`].
#[derive(Debug, Clone, Copy)]
struct StripSyncHostPrefix;

impl Intercept for StripSyncHostPrefix {
    fn name(&self) -> &'static str {
        "StripSyncHostPrefix"
    }

    // The operation's own interceptor stores the prefix in
    // `read_before_execution`; this hook runs after it and before the
    // endpoint is applied, so clearing it here is enough.
    fn modify_before_serialization(
        &self,
        _context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().unset::<EndpointPrefix>();
        Ok(())
    }
}

/// Whether `endpoint_url` names a host that cannot take a `sync-` prefix: an
/// IP literal or `localhost`.
pub fn is_local_endpoint(endpoint_url: &str) -> bool {
    let rest = endpoint_url
        .split_once("://")
        .map_or(endpoint_url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(bracketed) = authority.strip_prefix('[') {
        // An IPv6 literal such as [::1]:8083.
        return bracketed
            .split(']')
            .next()
            .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok());
    }
    let host = authority.split(':').next().unwrap_or("");
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok()
}

/// A Step Functions client for `config`; when the configured endpoint
/// (`AWS_ENDPOINT_URL`) is local (see [`is_local_endpoint`]) the client gets
/// [`strip_sync_host_prefix`]. On AWS it is a plain client.
pub fn sfn_client(config: &SdkConfig) -> aws_sdk_sfn::Client {
    let mut builder = aws_sdk_sfn::config::Builder::from(config);
    if config.endpoint_url().is_some_and(is_local_endpoint) {
        builder = builder.interceptor(strip_sync_host_prefix());
    }
    aws_sdk_sfn::Client::from_conf(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    use aws_config::Region;
    use aws_sdk_dynamodb::config::Credentials;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// Reads one HTTP/1.1 request (head and `Content-Length` body) as text.
    async fn read_request(stream: &mut tokio::net::TcpStream) -> std::io::Result<String> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    break;
                }
            }
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// The client the Lambda functions use (rustls on ring) also serves the
    /// plain-HTTP endpoints of tests: one DynamoDB call to a loopback server.
    #[tokio::test]
    async fn the_https_client_also_speaks_plain_http_to_a_local_endpoint() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let request = read_request(&mut stream).await.unwrap();
            let body = r#"{"TableNames":["rez-agent-messages"]}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\n\
                 content-length: {}\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).await.unwrap();
            request
        });

        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .endpoint_url(&endpoint)
            .http_client(https_client())
            .build();
        let tables = aws_sdk_dynamodb::Client::from_conf(config)
            .list_tables()
            .send()
            .await
            .unwrap();

        assert_eq!(tables.table_names(), ["rez-agent-messages"]);
        let request = server.await.unwrap().to_ascii_lowercase();
        assert!(request.starts_with("post / http/1.1\r\n"), "{request}");
        assert!(
            request.contains("x-amz-target: dynamodb_20120810.listtables"),
            "{request}"
        );
        assert!(
            request.contains("authorization: aws4-hmac-sha256"),
            "{request}"
        );
    }

    #[test]
    fn local_endpoints_are_ip_literals_and_localhost() {
        for (url, local) in [
            ("http://127.0.0.1:8083", true),
            ("http://localhost:8083/", true),
            ("http://LOCALHOST", true),
            ("http://[::1]:8083", true),
            ("http://10.0.0.5", true),
            ("https://states.eu-west-1.amazonaws.com", false),
            ("https://sfn.internal.example:443", false),
        ] {
            assert_eq!(is_local_endpoint(url), local, "{url}");
        }
    }

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[tokio::test]
    async fn the_lambda_environment_gives_region_credentials_endpoint_and_attempts() {
        use aws_credential_types::provider::ProvideCredentials;

        let config = sdk_config_from(lookup(&[
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_MAX_ATTEMPTS", "1"),
        ]))
        .unwrap();
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert_eq!(config.retry_config().unwrap().max_attempts(), 1);
        let credentials = config
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(credentials.session_token(), Some("token"));
        assert!(config.http_client().is_some());
        assert_eq!(
            config.timeout_config().unwrap().connect_timeout(),
            Some(DEFAULT_CONNECT_TIMEOUT)
        );
    }

    #[test]
    fn a_missing_or_bad_variable_is_named() {
        let base = [
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ];
        for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            let vars: Vec<_> = base
                .iter()
                .copied()
                .filter(|(k, _)| *k != missing)
                .collect();
            let error = sdk_config_from(lookup(&vars)).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("environment variable {missing} is required but not set")
            );
        }
        let mut vars = base.to_vec();
        vars.push(("AWS_MAX_ATTEMPTS", "many"));
        let error = sdk_config_from(lookup(&vars)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable AWS_MAX_ATTEMPTS is invalid: 'many' is not a positive whole number"
        );
    }
}
