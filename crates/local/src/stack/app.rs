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

use anyhow::Context;
use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::Redirect;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;

use rez_core::ports::NoMetrics;

use super::NOTIFICATION_DEFINITION;
use super::adapters::Adapters;
use super::running::SfnApiTasks;
use super::schedules_loop::WakeLoop;
use crate::access::{self, AccessPolicy};
use crate::config::UpConfig;
use crate::workflow::LocalWorkflow;

/// What the app serves from: the stack's adapters and engine, where it
/// listens, and its key.
pub(super) struct AppParts<'a> {
    pub config: &'a UpConfig,
    pub adapters: &'a Adapters,
    pub workflow: Arc<LocalWorkflow>,
    pub address: std::net::SocketAddr,
    pub api_key: Option<rez_webapi::ApiKey>,
    /// Wakes the schedules loop when the API changes a schedule.
    pub schedule_wake: &'a WakeLoop,
    pub sfn_api: &'a SfnApiTasks,
}

/// Every route `up` serves, behind one access policy.
///
/// # Errors
/// The built-in definition is not JSON.
pub(super) fn build(parts: AppParts<'_>) -> anyhow::Result<Router> {
    let AppParts {
        config,
        adapters,
        workflow,
        address,
        api_key,
        schedule_wake,
        sfn_api,
    } = parts;
    let web_api = rez_webapi::surface(
        rez_webapi::ApiState {
            store: adapters.messages.clone(),
            publisher: adapters.publisher.clone(),
            submitter: adapters.submitter.clone(),
            clock: adapters.clock.clone(),
            executions: Some(Arc::new(adapters.store.clone())),
            dead_letters: Some(Arc::new(adapters.queue.clone())),
            schedules: Some(rez_webapi::Schedules {
                store: Arc::new(adapters.store.clone()),
                runner: Arc::new(schedule_wake.clone()),
            }),
            metrics: Arc::new(NoMetrics),
            state_machine: Some(rez_webapi::StateMachineInfo {
                name: crate::workflow::STATE_MACHINE_NAME.to_owned(),
                definition: Arc::new(
                    serde_json::from_str(NOTIFICATION_DEFINITION)
                        .context("reading the notification definition")?,
                ),
            }),
            // The access guard checks the key for every surface.
            api_key: None,
            stage: config.stage,
            // CORS stands in front of every surface.
            cors_origins: Vec::new(),
        },
        config.web_api_timeout,
    );
    let step_functions = crate::sfn_api::router(
        crate::sfn_api::SfnState::new(
            workflow,
            Arc::new(adapters.store.clone()),
            NOTIFICATION_DEFINITION,
            sfn_api.tracker.clone(),
            sfn_api.abandon.clone(),
        )
        .strict(config.strict),
    );
    let policy = AccessPolicy::new(
        address,
        api_key,
        rez_webapi::public_paths(),
        rez_webapi::route_table()
            .into_iter()
            .chain([(axum::http::Method::POST, crate::sfn_api::PATH)]),
        config.rate_limit,
    );
    // The console's pages and assets hold no data (every figure comes from
    // the API, which asks for the key); `GET /` opens the console.
    let console =
        crate::console::router().route("/", get(|| async { Redirect::temporary("/console/") }));
    let routes = step_functions.merge(console).merge(web_api);
    Ok(guarded(routes, policy, &config.cors_origins))
}

/// The Step Functions API alone (`rez-agent stepfunctions`), behind
/// `policy` and the same layers as the whole app (`build`).
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
