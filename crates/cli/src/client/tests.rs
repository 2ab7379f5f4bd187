//! Tests of `client`.

use super::*;

#[test]
fn debug_never_shows_the_key() {
    let client = ApiClient::new("http://127.0.0.1:8080", Some("s3cret-api-key".to_owned()))
        .unwrap_or_else(|e| panic!("{e}"));
    let printed = format!("{client:?}");
    assert!(!printed.contains("s3cret"), "{printed}");
    assert!(printed.contains("***"), "{printed}");
}

#[test]
fn paths_are_appended_to_the_base_and_encoded() {
    let client = ApiClient::new("https://api.example.com/prod/", None).unwrap();
    let url = client
        .url(
            &["api", "executions", "arn:x:y/z"],
            &[("limit", Some("5")), ("cursor", None)],
        )
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://api.example.com/prod/api/executions/arn:x:y%2Fz?limit=5"
    );
    let client = ApiClient::new("http://127.0.0.1:8080", None).unwrap();
    let url = client.url(&["api", "messages"], &[]).unwrap();
    assert_eq!(url.as_str(), "http://127.0.0.1:8080/api/messages");
}

#[test]
fn only_http_urls_are_accepted() {
    for bad in ["ftp://x", "not a url", "mailto:a@b"] {
        assert!(matches!(
            ApiClient::new(bad, None),
            Err(ClientError::InvalidUrl { .. })
        ));
    }
}

#[test]
fn an_error_body_becomes_its_code_and_message() {
    let client = ApiClient::new("http://h", Some("k".into())).unwrap();
    let url = client.url(&["api"], &[]).unwrap();
    let body = br#"{"error":{"code":"not_found","message":"no message has id x"}}"#;
    let err = client.failure(StatusCode::NOT_FOUND, &url, body);
    assert_eq!(
        err.to_string(),
        "the API answered 404 not_found: no message has id x"
    );
    let err = client.failure(StatusCode::UNAUTHORIZED, &url, b"");
    assert!(matches!(err, ClientError::WrongKey { .. }));
    let err = client.failure(StatusCode::BAD_GATEWAY, &url, b"<html>\n bad </html>");
    assert!(
        err.to_string()
            .ends_with("502 Bad Gateway: <html> bad </html>")
    );
}
