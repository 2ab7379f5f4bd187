//! Failed publishes: each answer ntfy (or the network) can give, classified.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rez_core::Notification;
use rez_core::notification::MAX_MESSAGE_BYTES;
use rez_core::ports::{Notifier, NotifyErrorKind};
use rez_ntfy::{NtfyClient, NtfyConfig, NtfyError};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

/// Publishes once against a server that answers `answer`.
async fn publish_against(
    answer: ResponseTemplate,
) -> Result<NtfyError, Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, Setup::default())?;
    match client.publish(SEQUENCE_ID, &rich_notification()).await {
        Ok(published) => Err(format!("expected a failure, got {published:?}").into()),
        Err(err) => Ok(err),
    }
}

#[tokio::test]
async fn ntfy_error_answers_are_classified_with_ntfy_code_and_text() -> TestResult {
    let cases = [
        (
            "429 + 42901 without Retry-After waits the default 5 s",
            ntfy_error(
                429,
                42901,
                "limit reached: too many requests, please be nice",
            ),
            NtfyError::RateLimited {
                retry_after: Duration::from_secs(5),
                code: Some(42901),
                error: Some("limit reached: too many requests, please be nice".into()),
            },
        ),
        (
            "429 + 42901 with Retry-After waits what it says",
            ntfy_error(
                429,
                42901,
                "limit reached: too many requests, please be nice",
            )
            .insert_header("Retry-After", "17"),
            NtfyError::RateLimited {
                retry_after: Duration::from_secs(17),
                code: Some(42901),
                error: Some("limit reached: too many requests, please be nice".into()),
            },
        ),
        (
            "429 without a code is a rate limit",
            ResponseTemplate::new(429),
            NtfyError::RateLimited {
                retry_after: Duration::from_secs(5),
                code: None,
                error: None,
            },
        ),
        (
            "429 + 42908 is the daily quota",
            ntfy_error(429, 42908, "limit reached: too many messages"),
            NtfyError::QuotaExceeded {
                code: 42908,
                error: Some("limit reached: too many messages".into()),
            },
        ),
        (
            "500 is a server error",
            ntfy_error(500, 50001, "internal server error"),
            NtfyError::ServerError {
                status: 500,
                code: Some(50001),
                error: Some("internal server error".into()),
            },
        ),
        (
            "503 from a proxy is a server error",
            ResponseTemplate::new(503).set_body_string("Service Unavailable"),
            NtfyError::ServerError {
                status: 503,
                code: None,
                error: Some("Service Unavailable".into()),
            },
        ),
        (
            "400 is a rejection",
            ntfy_error(400, 40009, "invalid request: topic invalid"),
            NtfyError::Rejected {
                status: Some(400),
                code: Some(40009),
                error: "invalid request: topic invalid".into(),
            },
        ),
        (
            "413 is a rejection",
            ntfy_error(413, 41303, "JSON body too large"),
            NtfyError::Rejected {
                status: Some(413),
                code: Some(41303),
                error: "JSON body too large".into(),
            },
        ),
        (
            "401 is a rejection",
            ntfy_error(401, 40101, "unauthorized"),
            NtfyError::Rejected {
                status: Some(401),
                code: Some(40101),
                error: "unauthorized".into(),
            },
        ),
        (
            "403 is a rejection",
            ntfy_error(403, 40301, "forbidden"),
            NtfyError::Rejected {
                status: Some(403),
                code: Some(40301),
                error: "forbidden".into(),
            },
        ),
    ];
    for (case, answer, want) in cases {
        let got = publish_against(answer).await?;
        assert_eq!(got, want, "{case}: {got}");
    }
    Ok(())
}

#[tokio::test]
async fn each_failure_kind_keeps_its_permanence() -> TestResult {
    let cases = [
        (
            ntfy_error(429, 42901, "x"),
            NotifyErrorKind::RateLimited,
            false,
        ),
        (
            ntfy_error(429, 42908, "x"),
            NotifyErrorKind::QuotaExceeded,
            true,
        ),
        (
            ResponseTemplate::new(502),
            NotifyErrorKind::ServerError,
            false,
        ),
        (ntfy_error(400, 40007, "x"), NotifyErrorKind::Rejected, true),
    ];
    for (answer, kind, permanent) in cases {
        let err = publish_against(answer).await?;
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(err.kind().is_permanent(), permanent, "{err}");
    }
    Ok(())
}

#[tokio::test]
async fn a_slow_answer_beyond_the_timeout_is_unreachable() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("mytopic").set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let timeout = Duration::from_millis(300);
    let client = client(
        &server,
        Setup {
            timeout,
            ..Setup::default()
        },
    )?;

    let started = Instant::now();
    let err = client
        .publish(SEQUENCE_ID, &rich_notification())
        .await
        .err()
        .ok_or("a 10 s answer beat a 300 ms timeout")?;

    assert_eq!(err.kind(), NotifyErrorKind::Unreachable, "{err}");
    assert!(err.to_string().contains("no answer within 300ms"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the timeout was not applied"
    );
    Ok(())
}

#[tokio::test]
async fn a_closed_port_is_unreachable() -> TestResult {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let config = NtfyConfig::new(format!("http://127.0.0.1:{port}/mytopic").parse()?);
    let client = NtfyClient::new(config)?;

    let err = client
        .publish(SEQUENCE_ID, &rich_notification())
        .await
        .err()
        .ok_or("a closed port accepted the publish")?;

    assert!(matches!(err, NtfyError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("ntfy could not be reached: could not connect"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn an_over_limit_notification_is_rejected_without_a_request() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("mytopic"))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server, Setup::default())?;
    let cases = [
        (
            SEQUENCE_ID,
            Notification::text("x".repeat(MAX_MESSAGE_BYTES + 1)),
            "message: is 4097 bytes",
        ),
        (
            SEQUENCE_ID,
            Notification::text("   "),
            "message: must not be empty",
        ),
        (
            "not/an id",
            Notification::text("hi"),
            "sequence id 'not/an id'",
        ),
    ];
    for (sequence_id, notification, expected) in cases {
        let err = client
            .publish(sequence_id, &notification)
            .await
            .err()
            .ok_or("an invalid notification was published")?;
        assert!(
            matches!(err, NtfyError::Rejected { status: None, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains(expected), "{err}");
    }
    Ok(())
}

#[tokio::test]
async fn a_success_status_with_a_body_that_is_not_a_message_is_a_server_error() -> TestResult {
    let err =
        publish_against(ResponseTemplate::new(200).set_body_string("<html>captive portal</html>"))
            .await?;

    assert!(
        matches!(err, NtfyError::UnexpectedResponse { status: 200, .. }),
        "{err:?}"
    );
    assert_eq!(err.kind(), NotifyErrorKind::ServerError);
    Ok(())
}

#[tokio::test]
async fn a_redirect_is_not_followed_so_the_token_stays_with_the_topic_host() -> TestResult {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("mytopic"))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("Location", elsewhere.uri().as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(
        &server,
        Setup {
            token: true,
            ..Setup::default()
        },
    )?;

    let err = client
        .publish(SEQUENCE_ID, &rich_notification())
        .await
        .err()
        .ok_or("a redirect was followed")?;

    assert!(
        matches!(
            err,
            NtfyError::Rejected {
                status: Some(307),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        elsewhere
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn the_notifier_port_carries_kind_and_retry_after() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(429, 42901, "limit reached").insert_header("Retry-After", "9"))
        .mount(&server)
        .await;
    let notifier: Arc<dyn Notifier> = Arc::new(client(&server, Setup::default())?);

    let err = notifier
        .notify(&SEQUENCE_ID.parse()?, &rich_notification())
        .await
        .err()
        .ok_or("a 429 was taken for a delivery")?;

    assert_eq!(err.kind, NotifyErrorKind::RateLimited);
    assert_eq!(err.kind.error_name(), "Ntfy.RateLimited");
    assert_eq!(err.retry_after, Some(Duration::from_secs(9)));
    assert!(err.message.contains("limit reached"), "{}", err.message);
    Ok(())
}
