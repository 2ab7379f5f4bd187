//! The console's files, compiled in from `crates/local/console/`.

use std::sync::OnceLock;

/// One embedded file.
#[derive(Debug)]
pub(super) struct Asset {
    /// Its path under `crates/local/console/` (and under `/console/assets/`).
    pub(super) path: &'static str,
    /// Its `Content-Type`.
    pub(super) content_type: &'static str,
    /// Its bytes.
    pub(super) bytes: &'static [u8],
    etag: OnceLock<String>,
}

impl Asset {
    /// A strong ETag: the FNV-1a hash of the bytes, computed once.
    pub(super) fn etag(&self) -> &str {
        self.etag
            .get_or_init(|| format!("\"{:016x}\"", fnv1a(self.bytes)))
    }
}

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/console/", $path)),
            etag: OnceLock::new(),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the console; a test checks this against the directory.
pub(super) static ASSETS: [Asset; 20] = [
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("format.js", JS),
    asset!("graph.js", JS),
    asset!("history.js", JS),
    asset!("charts.js", JS),
    asset!("pages/executions.js", JS),
    asset!("pages/execution.js", JS),
    asset!("pages/messages.js", JS),
    asset!("pages/message.js", JS),
    asset!("pages/metrics.js", JS),
    asset!("pages/schedules.js", JS),
    asset!("pages/schedule.js", JS),
    asset!("pages/schedule-form.js", JS),
    asset!("pages/send.js", JS),
    asset!("pages/dlq.js", JS),
];

/// The asset at `path`, if there is one.
pub(super) fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

/// Whether `content_type` is JavaScript (for the tests' import check).
#[cfg(test)]
pub(super) fn is_script(asset: &Asset) -> bool {
    asset.content_type == JS
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
