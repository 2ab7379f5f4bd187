//! `GET /api/health`: liveness, without the API key.

use axum::Json;
use serde_json::{Value, json};

/// 200 `{"status":"ok","version":"…"}`.
pub(crate) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
