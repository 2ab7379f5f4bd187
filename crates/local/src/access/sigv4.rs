//! AWS Signature Version 4, checked on the server side, for the Step
//! Functions API: an AWS CLI or SDK configured with the API key as its
//! secret access key signs its requests, and this module accepts exactly
//! those. The signature is computed by AWS's own signer (`aws-sigv4`) over
//! the headers the client said it signed, then compared in constant time;
//! this module only reads the `Authorization` header and picks the inputs.
//!
//! Any access key id is accepted: there is one secret, the API key.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::http::{HeaderMap, Method, Uri, header};
use chrono::NaiveDateTime;
use subtle::ConstantTimeEq;

/// The only algorithm AWS's SigV4 clients use.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The signing name of Step Functions.
pub(crate) const SERVICE: &str = "states";
/// How far a request's `X-Amz-Date` may be from now, as AWS allows.
pub(crate) const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Why a request's credentials are refused, in AWS's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureError {
    /// No `Authorization` header, or one that is not a SigV4 signature.
    #[error("{0}")]
    Unrecognized(String),
    /// A SigV4 signature that does not match, or was made too long ago.
    #[error("{0}")]
    Invalid(String),
}

/// Headers a signature must cover: the host (AWS requires it) and the
/// operation, so a captured request cannot be replayed as another one.
const REQUIRED_SIGNED_HEADERS: [&str; 3] = ["host", "x-amz-date", "x-amz-target"];

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

/// Reads `Credential=<id>/<date>/<region>/<service>/aws4_request,
/// SignedHeaders=<a;b>, Signature=<hex>`.
fn parse_authorization(value: &str) -> Result<Authorization<'_>, SignatureError> {
    let unrecognized = || {
        SignatureError::Unrecognized(
            "The security token included in the request is invalid: send a SigV4 \
             signature made with the API key as the secret access key"
                .to_owned(),
        )
    };
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
        .ok_or_else(unrecognized)?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(unrecognized()),
        }
    }
    let (credential, signed_headers, signature) = (
        credential.ok_or_else(unrecognized)?,
        signed_headers.ok_or_else(unrecognized)?,
        signature.ok_or_else(unrecognized)?,
    );
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(unrecognized());
    };
    if access_key_id.is_empty() || signature.is_empty() || signed_headers.is_empty() {
        return Err(unrecognized());
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

/// The `X-Amz-Date` header (`20261206T151500Z`) as a time.
fn request_time(headers: &HeaderMap) -> Result<(SystemTime, String), SignatureError> {
    let text = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            SignatureError::Invalid("the request has no valid X-Amz-Date header".to_owned())
        })?;
    let time = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .map_err(|_| SignatureError::Invalid(format!("X-Amz-Date {text} is not a date")))?
        .and_utc();
    Ok((SystemTime::from(time), text.to_owned()))
}

/// Whether `headers` and `body` carry a valid SigV4 signature for the Step
/// Functions service, made with `secret` at most [`MAX_CLOCK_SKEW`] from `now`.
///
/// # Errors
/// [`SignatureError::Unrecognized`] without a SigV4 `Authorization` header;
/// [`SignatureError::Invalid`] when the signature, its date or its scope is wrong.
pub(crate) fn verify(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let (authorization, time) = check_headers(headers, now)?;
    let expected = expected_signature(method, uri, headers, body, secret, &authorization, time)?;
    if bool::from(
        expected
            .as_bytes()
            .ct_eq(authorization.signature.as_bytes()),
    ) {
        Ok(())
    } else {
        Err(SignatureError::Invalid(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key (the API key) and signing method."
                .to_owned(),
        ))
    }
}

/// Everything about a signature that can be checked without the body: the
/// `Authorization` header's form, its date, scope and signed headers. Run
/// before the body is read, so a request without a plausible signature
/// costs no body.
///
/// # Errors
/// As [`verify`].
pub(crate) fn check_headers(
    headers: &HeaderMap,
    now: SystemTime,
) -> Result<(Authorization<'_>, SystemTime), SignatureError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            SignatureError::Unrecognized(
                "Missing Authentication Token: sign the request with the API key as the \
                 secret access key (AWS_SECRET_ACCESS_KEY)"
                    .to_owned(),
            )
        })?;
    let authorization = parse_authorization(value)?;
    let (time, date_header) = request_time(headers)?;
    let skew = now
        .duration_since(time)
        .or_else(|_| time.duration_since(now))
        .unwrap_or_default();
    if skew > MAX_CLOCK_SKEW {
        return Err(SignatureError::Invalid(format!(
            "Signature expired: {date_header} is more than 15 minutes from the server's time"
        )));
    }
    if !date_header.starts_with(authorization.date) || authorization.date.len() != 8 {
        return Err(SignatureError::Invalid(format!(
            "the credential's date {} is not the date of X-Amz-Date {date_header}",
            authorization.date
        )));
    }
    if authorization.service != SERVICE {
        return Err(SignatureError::Invalid(format!(
            "Credential should be scoped to correct service: '{SERVICE}'"
        )));
    }
    if let Some(missing) = REQUIRED_SIGNED_HEADERS
        .iter()
        .find(|name| !authorization.signed_headers.contains(name))
    {
        return Err(SignatureError::Invalid(format!(
            "the signature must cover the {missing} header (SignedHeaders)"
        )));
    }
    Ok((authorization, time))
}

/// The signature AWS's signer gives the request, over the headers the
/// client listed as signed (every one of them; `X-Amz-Date` is added by the
/// signer from `time`).
fn expected_signature(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    authorization: &Authorization<'_>,
    time: SystemTime,
) -> Result<String, SignatureError> {
    let mut signed = Vec::with_capacity(authorization.signed_headers.len());
    for name in &authorization.signed_headers {
        if *name == "x-amz-date" {
            continue;
        }
        let value = headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                SignatureError::Invalid(format!("the signed header {name} is not in the request"))
            })?;
        signed.push((*name, value));
    }
    let identity = Credentials::new(
        authorization.access_key_id,
        secret,
        None,
        None,
        "rez-agent-api-key",
    )
    .into();
    let mut settings = SigningSettings::default();
    // Sign exactly what the client listed, no more and no less.
    settings.excluded_headers = None;
    let internal = |e: &dyn std::fmt::Display| {
        SignatureError::Invalid(format!("the request cannot be signed for checking: {e}"))
    };
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(authorization.region)
        .name(SERVICE)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| internal(&e))?
        .into();
    // An absolute URI, so the signer never has to guess the authority.
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| SignatureError::Invalid("the request has no Host header".to_owned()))?;
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let absolute = format!("http://{host}{path_and_query}");
    let request = SignableRequest::new(
        method.as_str(),
        absolute.as_str(),
        signed.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| internal(&e))?;
    let (_, signature) = sign(request, &params)
        .map_err(|e| internal(&e))?
        .into_parts();
    Ok(signature)
}

#[cfg(test)]
mod tests;
