//! The two checks that keep a web page the user happens to visit away from
//! a keyless `rez-agent up`: the `Host` header (DNS rebinding) and the
//! content type of `POST`s (cross-site forms).

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, Method, header};

/// The `Host` values that name `listen`: its address and, on loopback,
/// `localhost`, each with the port (and without it on port 80), lower case.
pub fn listen_hosts(listen: SocketAddr) -> Vec<String> {
    let port = listen.port();
    let address = match listen.ip() {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let mut names = vec![address];
    if listen.ip().is_loopback() {
        names.push("localhost".to_owned());
    }
    let mut hosts: Vec<String> = names.iter().map(|name| format!("{name}:{port}")).collect();
    if port == 80 {
        hosts.extend(names);
    }
    hosts
}

/// Accepts a request whose `Host` is one of `hosts`.
///
/// # Errors
/// Why the host is refused, for the client.
pub(crate) fn check_host(headers: &HeaderMap, hosts: &[String]) -> Result<(), String> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    match host {
        Some(host) if hosts.contains(&host) => Ok(()),
        Some(host) => Err(format!(
            "Host {host} is not this server's address; without an API key rez-agent answers \
             only requests for {}",
            hosts.join(", ")
        )),
        None => Err("the request has no Host header".to_owned()),
    }
}

/// Whether `path` is one that the route `template` (axum's syntax, with
/// `{name}` segments) serves.
pub(crate) fn path_matches(template: &str, path: &str) -> bool {
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w == g || (w.starts_with('{') && !g.is_empty()) => {}
            _ => return false,
        }
    }
}

/// Whether a page on another site can send a state-changing `method` to
/// this server without a CORS preflight: only `POST`, an HTML form's
/// method. `PUT`, `PATCH` and `DELETE` always need a preflight, which CORS
/// answers only for the allowed origins, so they need no JSON declaration.
pub(crate) fn sendable_cross_site(method: &Method) -> bool {
    method == Method::POST
}

/// Accepts a request only when it declares a JSON body, which no HTML form
/// can send and a script on another site can send only after a CORS
/// preflight.
///
/// # Errors
/// Why the request is refused, for the client.
pub(crate) fn check_json_content(headers: &HeaderMap) -> Result<(), String> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match media_type.as_deref() {
        Some(t) if is_json(t) => Ok(()),
        other => Err(format!(
            "state-changing requests must be sent with Content-Type: application/json \
             (got {}), even when the body is empty",
            other.unwrap_or("none")
        )),
    }
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json"
        || media_type.starts_with("application/x-amz-json-")
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn loopback_answers_to_its_address_and_localhost() {
        let hosts = listen_hosts("127.0.0.1:8080".parse().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(hosts, ["127.0.0.1:8080", "localhost:8080"]);
        for ok in ["127.0.0.1:8080", "localhost:8080", "LocalHost:8080"] {
            assert_eq!(check_host(&with(header::HOST, ok), &hosts), Ok(()), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "127.0.0.1:9090",
            "localhost",
            "attacker.localhost:8080",
        ] {
            assert!(
                check_host(&with(header::HOST, bad), &hosts).is_err(),
                "{bad}"
            );
        }
        assert!(check_host(&HeaderMap::new(), &hosts).is_err());
        let v6 = listen_hosts("[::1]:80".parse().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(v6, ["[::1]:80", "localhost:80", "[::1]", "localhost"]);
    }

    #[test]
    fn paths_match_route_templates_segment_by_segment() {
        assert!(path_matches("/", "/"));
        assert!(path_matches("/api/dlq/redrive", "/api/dlq/redrive"));
        assert!(path_matches("/api/messages/{id}", "/api/messages/abc"));
        assert!(!path_matches("/api/messages/{id}", "/api/messages/"));
        assert!(!path_matches("/api/messages/{id}", "/api/messages/a/b"));
        assert!(!path_matches("/api/messages", "/api/messages/a"));
        assert!(!path_matches("/", "/api"));
    }

    #[test]
    fn state_changing_requests_must_declare_json() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "application/x-amz-json-1.0",
            "application/merge-patch+json",
        ] {
            assert_eq!(
                check_json_content(&with(header::CONTENT_TYPE, ok)),
                Ok(()),
                "{ok}"
            );
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/json",
        ] {
            assert!(
                check_json_content(&with(header::CONTENT_TYPE, bad)).is_err(),
                "{bad}"
            );
        }
        assert!(check_json_content(&HeaderMap::new()).is_err());
        assert!(sendable_cross_site(&Method::POST));
        for method in [
            Method::GET,
            Method::HEAD,
            Method::OPTIONS,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            assert!(!sendable_cross_site(&method), "{method}");
        }
    }
}
