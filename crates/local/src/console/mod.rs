//! The web console at `/console/`: a single-page app (plain ES modules and
//! CSS, no build step) compiled into the binary, calling the JSON API.
//!
//! | path | answer |
//! |---|---|
//! | `/console` | 308 to `/console/` |
//! | `/console/` | `index.html` |
//! | `/console/assets/{path}` | an asset from `crates/local/console/`, or 404 |
//!
//! Every answer carries a strong `ETag` (a hash of the bytes) and
//! `Cache-Control: no-cache`, so a browser keeps its copy and revalidates it
//! (`If-None-Match` → 304): module imports name files without hashes, so a
//! longer lifetime would serve stale modules after an upgrade. The pages get a
//! Content-Security-Policy that allows only this origin's scripts.
//!
//! | module | holds |
//! |---|---|
//! | [`mod.rs`](self) | [`router`] and the responses |
//! | `assets.rs` | the embedded files, their types and ETags |

mod assets;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use self::assets::Asset;

/// What a console page may load and run: only this origin's scripts and
/// styles (the graph SVG carries its own `<style>`, hence `unsafe-inline`
/// for styles only), no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The console's routes, for any state: they read nothing but the embedded files.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(index))
        .route("/console/assets/{*path}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    match assets::find("index.html") {
        Some(asset) => respond(asset, &headers),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match assets::find(&path) {
        Some(asset) if path != "index.html" => respond(asset, &headers),
        _ => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("no console asset named {path}\n"),
        )
            .into_response(),
    }
}

/// 200 with the asset, or 304 when the request already holds this version.
fn respond(asset: &Asset, request: &HeaderMap) -> Response {
    let etag = asset.etag();
    let fresh = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.content_type.starts_with("text/html") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    response
}

#[cfg(test)]
mod tests;
