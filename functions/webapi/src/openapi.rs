//! `GET /api/openapi.json`: the hand-written OpenAPI 3.0 document.

use axum::http::header;
use axum::response::IntoResponse;

/// The OpenAPI 3.0 document describing every route.
pub(crate) const DOCUMENT: &str = include_str!("openapi.json");

/// 200 with [`DOCUMENT`].
pub(crate) async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn every_route_of_the_router_is_documented_and_nothing_else() {
        let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
        assert_eq!(doc["openapi"].as_str().unwrap().get(..4), Some("3.0."));
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if method != "parameters" {
                    documented.push((method.to_ascii_uppercase(), path.clone()));
                }
            }
        }
        let mut served: Vec<(String, String)> = crate::routes::table()
            .into_iter()
            .map(|r| (r.method.to_string(), r.path.to_owned()))
            .collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
    }

    #[test]
    fn every_operation_documents_its_errors_and_public_routes_need_no_key() {
        let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
        for route in crate::routes::table() {
            let op = &doc["paths"][route.path][route.method.as_str().to_ascii_lowercase()];
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("500"),
                "{} {}",
                route.method,
                route.path
            );
            assert_eq!(
                responses.contains_key("401"),
                !route.public,
                "{} {}",
                route.method,
                route.path
            );
            assert_eq!(
                op["security"] == serde_json::json!([]),
                route.public,
                "{} {}",
                route.method,
                route.path
            );
        }
    }

    #[test]
    fn every_operation_that_needs_the_key_documents_the_rate_limit() {
        let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
        let rate_limited = &doc["components"]["responses"]["RateLimited"];
        assert_eq!(
            rate_limited["headers"]["Retry-After"]["schema"]["type"],
            "integer"
        );
        for route in crate::routes::table().into_iter().filter(|r| !r.public) {
            let op = &doc["paths"][route.path][route.method.as_str().to_ascii_lowercase()];
            assert_eq!(
                op["responses"]["429"]["$ref"], "#/components/responses/RateLimited",
                "{} {}",
                route.method, route.path
            );
        }
    }

    #[test]
    fn the_error_code_enum_is_every_code_the_api_sends() {
        let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
        let documented = &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
            ["code"]["enum"];
        let sent: Vec<&str> = crate::error::ErrorCode::ALL
            .iter()
            .map(|code| code.as_str())
            .collect();
        assert_eq!(documented, &serde_json::json!(sent));
    }

    #[test]
    fn every_reference_resolves() {
        let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let pointer = r.strip_prefix('#').unwrap();
            assert!(doc.pointer(pointer).is_some(), "{r}");
        }
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(s)) => out.push(s.clone()),
                        _ => collect_refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
}
