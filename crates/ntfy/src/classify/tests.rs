use super::*;

use rez_core::ports::NotifyErrorKind;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-30T08:49:07Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT)
}

#[test]
fn statuses_and_ntfy_codes_map_to_their_kinds() {
    let cases = [
        (
            429,
            r#"{"code":42901,"http":429,"error":"limit reached: too many requests, please be nice"}"#,
            NotifyErrorKind::RateLimited,
        ),
        (429, "", NotifyErrorKind::RateLimited),
        (
            429,
            r#"{"code":42908,"http":429,"error":"limit reached: too many messages"}"#,
            NotifyErrorKind::QuotaExceeded,
        ),
        (
            429,
            r#"{"code":42905,"http":429,"error":"limit reached: daily bandwidth"}"#,
            NotifyErrorKind::QuotaExceeded,
        ),
        (
            500,
            r#"{"code":50001,"http":500,"error":"internal server error"}"#,
            NotifyErrorKind::ServerError,
        ),
        (
            502,
            "<html>Bad Gateway</html>",
            NotifyErrorKind::ServerError,
        ),
        (503, "", NotifyErrorKind::ServerError),
        (
            400,
            r#"{"code":40009,"http":400,"error":"invalid request: topic invalid"}"#,
            NotifyErrorKind::Rejected,
        ),
        (
            401,
            r#"{"code":40101,"http":401,"error":"unauthorized"}"#,
            NotifyErrorKind::Rejected,
        ),
        (
            403,
            r#"{"code":40301,"http":403,"error":"forbidden"}"#,
            NotifyErrorKind::Rejected,
        ),
        (
            413,
            r#"{"code":41303,"http":413,"error":"JSON body too large"}"#,
            NotifyErrorKind::Rejected,
        ),
        (404, "", NotifyErrorKind::Rejected),
        (301, "", NotifyErrorKind::Rejected),
    ];
    for (code, body, kind) in cases {
        let err = classify_failure(status(code), None, body, now());
        assert_eq!(err.kind(), kind, "{code} {body}: {err}");
    }
}

#[test]
fn ntfy_error_text_and_code_are_kept() {
    let err = classify_failure(
        status(400),
        None,
        r#"{"code":40009,"http":400,"error":"invalid request: topic invalid","link":"x"}"#,
        now(),
    );
    assert_eq!(
        err,
        NtfyError::Rejected {
            status: Some(400),
            code: Some(40009),
            error: "invalid request: topic invalid".into(),
        }
    );
}

#[test]
fn a_rejection_without_a_body_uses_the_status_reason() {
    let err = classify_failure(status(404), None, "", now());
    assert_eq!(
        err,
        NtfyError::Rejected {
            status: Some(404),
            code: None,
            error: "not found".into(),
        }
    );
}

#[test]
fn rate_limits_wait_for_retry_after_or_five_seconds() {
    let cases = [
        (None, DEFAULT_RETRY_AFTER),
        (Some("12"), Duration::from_secs(12)),
        (Some(" 0 "), Duration::ZERO),
        (
            Some("Mon, 30 Nov 2026 08:49:37 GMT"),
            Duration::from_secs(30),
        ),
        (
            Some("Monday, 30-Nov-26 08:50:07 GMT"),
            Duration::from_secs(60),
        ),
        (Some("Mon Nov 30 08:49:17 2026"), Duration::from_secs(10)),
        (Some("Mon, 30 Nov 2026 08:00:00 GMT"), Duration::ZERO),
        (Some("soon"), DEFAULT_RETRY_AFTER),
        (Some("-3"), DEFAULT_RETRY_AFTER),
    ];
    for (header, want) in cases {
        let err = classify_failure(status(429), header, r#"{"code":42901}"#, now());
        assert_eq!(err.retry_after(), Some(want), "{header:?}");
    }
}

#[test]
fn long_or_html_bodies_are_clipped_and_flattened() {
    let body = format!("<html>\n  <body>{}</body></html>", "x".repeat(1000));
    let err = classify_failure(status(502), None, &body, now());
    let NtfyError::ServerError {
        error: Some(text), ..
    } = err
    else {
        panic!("expected a server error with text, got {err:?}");
    };
    assert!(text.starts_with("<html> <body>xxx"), "{text}");
    assert_eq!(text.chars().count(), MAX_ERROR_TEXT + 1);
}
