//! Tests of `sigv4`.

use super::*;
use axum::http::HeaderValue;

const SECRET: &str = "0123456789abcdef-the-api-key";

/// A request signed by AWS's signer, as an SDK would sign it.
fn signed(secret: &str, time: SystemTime, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("AWSStepFunctions.ListStateMachines"),
    );
    let identity = Credentials::new("rez-agent", secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(SERVICE)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map(Into::into)
        .unwrap_or_else(|e| panic!("{e}"));
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let request = SignableRequest::new(
        "POST",
        "http://127.0.0.1:8080/",
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (instructions, _) = sign(request, &params)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_parts();
    for (name, value) in instructions.headers() {
        headers.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("{e}")),
            HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}")),
        );
    }
    headers
}

fn check(
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    now: SystemTime,
) -> Result<(), SignatureError> {
    verify(
        &Method::POST,
        &Uri::from_static("/"),
        headers,
        body,
        secret,
        now,
    )
}

#[test]
fn a_request_signed_with_the_key_passes() {
    let now = SystemTime::now();
    let body = br#"{"maxResults": 10}"#;
    assert_eq!(check(&signed(SECRET, now, body), body, SECRET, now), Ok(()));
}

#[test]
fn another_secret_a_changed_body_or_a_changed_header_fails() {
    let now = SystemTime::now();
    let body = br#"{"maxResults": 10}"#;
    let other = signed("another-secret-entirely", now, body);
    assert!(matches!(
        check(&other, body, SECRET, now),
        Err(SignatureError::Invalid(_))
    ));
    let headers = signed(SECRET, now, body);
    assert!(matches!(
        check(&headers, b"{}", SECRET, now),
        Err(SignatureError::Invalid(_))
    ));
    let mut changed = headers.clone();
    changed.insert(
        "x-amz-target",
        HeaderValue::from_static("AWSStepFunctions.StartSyncExecution"),
    );
    assert!(matches!(
        check(&changed, body, SECRET, now),
        Err(SignatureError::Invalid(_))
    ));
}

#[test]
fn a_signature_that_leaves_out_the_host_or_the_operation_is_refused_without_signing() {
    let now = SystemTime::now();
    let date = chrono::DateTime::<chrono::Utc>::from(now);
    for signed_headers in ["x-amz-date", "x-amz-date;x-amz-target", "host;x-amz-date"] {
        let mut headers = HeaderMap::new();
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential=x/{}/us-east-1/states/aws4_request, \
             SignedHeaders={signed_headers}, Signature=00",
            date.format("%Y%m%d")
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&authorization).unwrap_or_else(|e| panic!("{e}")),
        );
        headers.insert(
            "x-amz-date",
            HeaderValue::from_str(&date.format("%Y%m%dT%H%M%SZ").to_string())
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let refused = check(&headers, b"{}", SECRET, now);
        assert!(
            matches!(&refused, Err(SignatureError::Invalid(m)) if m.contains("must cover")),
            "{signed_headers}: {refused:?}"
        );
    }
}

#[test]
fn an_old_signature_is_expired() {
    let then = SystemTime::now() - Duration::from_secs(3600);
    let headers = signed(SECRET, then, b"{}");
    let refused = check(&headers, b"{}", SECRET, SystemTime::now());
    assert!(
        matches!(&refused, Err(SignatureError::Invalid(m)) if m.starts_with("Signature expired")),
        "{refused:?}"
    );
}

#[test]
fn no_header_or_a_bearer_header_is_unrecognized() {
    let now = SystemTime::now();
    assert!(matches!(
        check(&HeaderMap::new(), b"", SECRET, now),
        Err(SignatureError::Unrecognized(_))
    ));
    let mut bearer = HeaderMap::new();
    bearer.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
    assert!(matches!(
        check(&bearer, b"", SECRET, now),
        Err(SignatureError::Unrecognized(_))
    ));
}

#[test]
fn the_authorization_header_is_read_part_by_part() {
    let parsed = parse_authorization(
        "AWS4-HMAC-SHA256 Credential=AKID/20261206/eu-west-1/states/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=abc123",
    );
    assert_eq!(
        parsed,
        Ok(Authorization {
            access_key_id: "AKID",
            date: "20261206",
            region: "eu-west-1",
            service: "states",
            signed_headers: vec!["host", "x-amz-date"],
            signature: "abc123",
        })
    );
    for bad in [
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AKID/20261206/eu-west-1/states, SignedHeaders=host, Signature=a",
        "AWS4-HMAC-SHA256 Credential=AKID/20261206/eu-west-1/states/aws4_request, Signature=a",
        "AWS4-HMAC-SHA256X Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=a",
    ] {
        assert!(
            matches!(
                parse_authorization(bad),
                Err(SignatureError::Unrecognized(_))
            ),
            "{bad}"
        );
    }
}
