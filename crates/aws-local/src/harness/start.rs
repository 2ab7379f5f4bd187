//! Starting the deployment, in the order AWS needs it: moto and the declared
//! resources, the packages unpacked, the AWS endpoint, every function's init,
//! Step Functions, then the event source mapping, the API Gateway front and
//! the schedules. [`Settings`] say how.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rez_lambda_harness::Moto;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::deployment::AwsLocal;
use super::parameters::ntfy_parameters;
use crate::AwsLocalError;
use crate::control::Control;
use crate::declared::Declared;
use crate::edge::Upstreams;
use crate::execution_logs::ExecutionLogs;
use crate::faults::Faults;
use crate::lambda::{LambdaService, ServiceSettings};
use crate::ntfy_stub::NtfyStub;
use crate::provision::{MotoClients, Overrides};
use crate::step_functions::StepFunctions;
use crate::write_meter::WriteMeter;

/// How the harness starts.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What the program declares.
    pub declared: Declared,
    /// Where packages, logs and the Step Functions store go.
    pub work_dir: PathBuf,
    /// The ntfy server to publish to; `None` starts the stub.
    pub ntfy_url: Option<String>,
    /// Where the API Gateway front listens (port 0: any).
    pub api_listen: SocketAddr,
    /// Where the AWS endpoint listens (port 0: any).
    pub edge_listen: SocketAddr,
    /// Where the ntfy stub listens (port 0: any).
    pub ntfy_listen: SocketAddr,
    /// Most execution environments per function.
    pub concurrency_limit: usize,
    /// A visibility timeout for every queue instead of the declared one.
    pub visibility_timeout_seconds: Option<u64>,
    /// Whether the schedules fire on their own (tests fire them by hand).
    pub run_schedules: bool,
    /// How many times faster than real time the schedules the API creates
    /// fire (1: real time); see [`crate::defined_schedules`].
    pub schedule_time_scale: u32,
    /// Whether the edge counts the write units of every DynamoDB write
    /// (`GET /_aws-local/dynamodb/write-units`); each write then costs two
    /// more reads of moto.
    pub meter_dynamodb_writes: bool,
    /// Whether [`AwsLocal::shutdown`] leaves the work directory (packages,
    /// logs, executions) in place; otherwise it removes it.
    pub keep_work_dir: bool,
}

impl AwsLocal {
    /// Starts everything, and fails if any function fails its init (then
    /// the work directory is removed unless it is to be kept).
    ///
    /// # Errors
    /// [`AwsLocalError`] naming the part that did not start.
    pub async fn start(settings: Settings) -> Result<Self, AwsLocalError> {
        let work_dir = settings.work_dir.clone();
        let keep = settings.keep_work_dir;
        let started = Self::start_in_order(settings).await;
        if started.is_err() && !keep {
            let _ = std::fs::remove_dir_all(&work_dir);
        }
        started
    }

    /// The start itself; [`AwsLocal::start`] cleans up when it fails.
    async fn start_in_order(settings: Settings) -> Result<Self, AwsLocalError> {
        let mut declared = settings.declared;
        crate::consistency::check(&declared)?;
        let stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        std::fs::create_dir_all(&settings.work_dir).map_err(AwsLocalError::io(format!(
            "creating {}",
            settings.work_dir.display()
        )))?;
        let log_dir = settings.work_dir.join("logs");

        let (ntfy, ntfy_url) = match settings.ntfy_url {
            Some(url) => (None, url),
            None => {
                let stub = NtfyStub::start(settings.ntfy_listen, stop.clone()).await?;
                let url = stub.url();
                (Some(stub), url)
            }
        };

        let moto = Moto::start().await?;
        let clients = MotoClients::new(moto.endpoint(), &declared.region)?;
        let parameter_values = ntfy_parameters(&declared, &ntfy_url);
        let ntfy_topic_url = parameter_values.values().next().cloned();
        let overrides = Overrides {
            parameter_values,
            visibility_timeout_seconds: settings.visibility_timeout_seconds,
        };
        crate::provision::provision(&clients, &declared, &overrides).await?;
        let queue_urls = crate::provision::queue_urls(&clients, &declared).await?;
        crate::provision::point_at_local_queues(&mut declared, &queue_urls);

        let packages = settings.work_dir.join("functions");
        let mut handlers = BTreeMap::new();
        for function in &declared.functions {
            handlers.insert(
                function.name.clone(),
                crate::package::unpack(function, &packages)?,
            );
        }

        let edge_listener = tokio::net::TcpListener::bind(settings.edge_listen)
            .await
            .map_err(AwsLocalError::io(format!(
                "binding the AWS endpoint on {}",
                settings.edge_listen
            )))?;
        let edge_address = edge_listener
            .local_addr()
            .map_err(AwsLocalError::io("reading the AWS endpoint's address"))?;
        let edge_url = format!("http://{edge_address}");
        let faults = Arc::new(Faults::default());
        let lambda = LambdaService::new(
            &declared,
            &handlers,
            ServiceSettings {
                concurrency_limit: settings.concurrency_limit,
                extra_environment: vec![("AWS_ENDPOINT_URL".to_owned(), edge_url.clone())],
                log_dir: log_dir.clone(),
            },
        )?;
        let execution_logs = declared
            .state_machine()?
            .log_group
            .as_ref()
            .map(|group| ExecutionLogs::new(clients.logs.clone(), group));
        let write_meter = settings.meter_dynamodb_writes.then(|| {
            Arc::new(WriteMeter::new(
                &declared.region,
                vec![declared.table.clone()],
            ))
        });
        let upstreams = Arc::new(Upstreams {
            moto: moto.endpoint().to_owned(),
            step_functions: OnceLock::new(),
            faults: faults.clone(),
            client: reqwest::Client::new(),
            execution_logs,
            dynamodb_writes: tokio::sync::Mutex::new(()),
            write_meter: write_meter.clone(),
        });
        let control = Arc::new(Control {
            declared: declared.clone(),
            lambda: lambda.clone(),
            faults: faults.clone(),
            tasks: tasks.clone(),
            write_meter,
        });
        let edge = crate::lambda::router(lambda.clone())
            .merge(crate::control::router(control))
            .merge(crate::edge::proxy(upstreams.clone()));
        serve(edge_listener, edge, &tasks, &stop);

        let inits = declared
            .functions
            .iter()
            .map(|f| lambda.initialise(&f.name));
        // Each init is its own process: they run side by side.
        let failed: Vec<AwsLocalError> = futures::future::join_all(inits)
            .await
            .into_iter()
            .filter_map(Result::err)
            .collect();
        if let Some(first) = failed.into_iter().next() {
            stop.cancel();
            lambda.shutdown().await;
            return Err(first);
        }

        let machine = declared.state_machine()?;
        let step_functions = StepFunctions::start(
            machine,
            &edge_url,
            &settings.work_dir,
            &log_dir.join("stepfunctions.log"),
        )
        .await?;
        let _ = upstreams
            .step_functions
            .set(step_functions.url().to_owned());

        let poller = crate::event_source::Poller {
            sqs: clients.sqs.clone(),
            lambda: lambda.clone(),
            faults: faults.clone(),
            region: declared.region.clone(),
        };
        crate::event_source::start(&poller, &declared, &tasks, &stop).await?;

        let api = match declared.http_apis.as_slice() {
            [api] => api,
            other => {
                return Err(AwsLocalError::Unsupported(format!(
                    "the program declares {} HTTP APIs; the harness fronts exactly one",
                    other.len()
                )));
            }
        };
        let api_listener = tokio::net::TcpListener::bind(settings.api_listen)
            .await
            .map_err(AwsLocalError::io(format!(
                "binding the API on {}",
                settings.api_listen
            )))?;
        let api_url = format!(
            "http://{}",
            api_listener
                .local_addr()
                .map_err(AwsLocalError::io("reading the API's address"))?
        );
        serve(
            api_listener,
            crate::http_api::router(api, lambda.clone(), &declared.account)?,
            &tasks,
            &stop,
        );
        if settings.run_schedules {
            crate::scheduler::start(&lambda, &declared, &tasks, &stop)?;
        }
        crate::defined_schedules::start(
            &lambda,
            clients.scheduler.clone(),
            &declared,
            settings.schedule_time_scale,
            &tasks,
            &stop,
        );
        Ok(Self {
            declared,
            moto,
            clients,
            lambda,
            faults,
            ntfy,
            ntfy_url,
            ntfy_topic_url,
            keep_work_dir: settings.keep_work_dir,
            edge_url,
            api_url,
            work_dir: settings.work_dir,
            step_functions,
            tasks,
            stop,
        })
    }
}

/// Serves `app` on `listener` as one of `tasks` until `stop` is cancelled.
fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    tasks: &TaskTracker,
    stop: &CancellationToken,
) {
    let stop = stop.clone();
    tasks.spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop.cancelled_owned())
        .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "a server of the harness stopped");
        }
    });
}
