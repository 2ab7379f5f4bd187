//! The one composition of everything `rez-agent up` serves (and of the
//! Step Functions API that `rez-agent stepfunctions` serves alone): the web
//! API, the console and the Step Functions API are merged here and nowhere
//! else, and the whole app then passes one trace layer and one access
//! guard ([`crate::access`]: host, cross-site, key, rate limit). A route
//! added to any surface is therefore traced, authenticated and limited
//! without further work.
//!
//! Each surface keeps the limits that fit it:
//!
//! | surface | body | time |
//! |---|---|---|
//! | web API (`/api/…`) | 64 KiB | 29 s, then 503 |
//! | console (`/console/…`, `GET /`) | none read | — |
//! | Step Functions API (`POST /`) | 1 MiB definitions, 256 KiB inputs | a `StartSyncExecution` runs as long as the definition's `TimeoutSeconds` |

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::Redirect;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;

use crate::access::{self, AccessPolicy};

/// The surfaces, each already carrying its own limits, and the CORS origins
/// allowed in front of all of them.
pub struct Surfaces {
    /// The rez-agent HTTP API without its own authentication
    /// ([`rez_webapi::surface`]).
    pub web_api: Router,
    /// The Step Functions JSON API ([`crate::sfn_api::router`]).
    pub step_functions: Router,
    /// Origins a browser may call from (`--cors-origin`); the layer stands
    /// outside the guard, so its refusals (401, 403, 429) are readable there.
    pub cors_origins: Vec<String>,
}

/// Every route `up` serves, behind `policy`.
pub fn app(surfaces: Surfaces, policy: AccessPolicy) -> Router {
    // The console's pages and assets hold no data (every figure comes from
    // the API, which asks for the key); `GET /` opens the console.
    let console =
        crate::console::router().route("/", get(|| async { Redirect::temporary("/console/") }));
    let routes = surfaces
        .step_functions
        .merge(console)
        .merge(surfaces.web_api);
    guarded(routes, policy, &surfaces.cors_origins)
}

/// The Step Functions API alone (`rez-agent stepfunctions`), behind
/// `policy` and the same layers as [`app`].
pub fn step_functions_app(step_functions: Router, policy: AccessPolicy) -> Router {
    guarded(step_functions, policy, &[])
}

/// The one set of layers every served route passes: the access guard,
/// CORS, the panic catcher and tracing.
fn guarded(routes: Router, policy: AccessPolicy, cors_origins: &[String]) -> Router {
    let routes = routes.layer(from_fn_with_state(Arc::new(policy), access::guard));
    let routes = rez_webapi::with_cors(routes, cors_origins)
        // Nothing a request sends may take a connection down with a panic,
        // in the guard or anywhere else: it becomes a bare 500.
        .layer(CatchPanicLayer::new());
    rez_webapi::with_tracing(routes)
}
