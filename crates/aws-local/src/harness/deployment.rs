//! [`AwsLocal`], the running deployment: where its fronts listen, handles
//! on its parts for the tests, firing a schedule by hand, and shutting down.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rez_lambda_harness::Moto;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::parameters::{API_KEY_PARAMETER_VAR, parameter_named_by};
use crate::AwsLocalError;
use crate::declared::Declared;
use crate::faults::Faults;
use crate::lambda::LambdaService;
use crate::ntfy_stub::NtfyStub;
use crate::provision::MotoClients;
use crate::step_functions::StepFunctions;

/// The running deployment; [`AwsLocal::shutdown`] stops it.
pub struct AwsLocal {
    /// The declarations it runs, queue URLs pointed at moto.
    pub(super) declared: Declared,
    /// moto, serving every AWS service the harness does not run itself.
    pub(super) moto: Moto,
    /// The clients of moto's services.
    pub(super) clients: MotoClients,
    /// The Lambda service.
    pub(super) lambda: LambdaService,
    /// The faults to inject.
    pub(super) faults: Arc<Faults>,
    /// The ntfy stub, when the harness started one.
    pub(super) ntfy: Option<NtfyStub>,
    /// The ntfy URL the functions publish to.
    pub(super) ntfy_url: String,
    /// The ntfy URL parameter's value, when a function reads one.
    pub(super) ntfy_topic_url: Option<String>,
    /// Whether shutdown leaves the work directory in place.
    pub(super) keep_work_dir: bool,
    /// The AWS endpoint.
    pub(super) edge_url: String,
    /// The API Gateway front.
    pub(super) api_url: String,
    /// Where packages, logs and the Step Functions store are.
    pub(super) work_dir: PathBuf,
    /// `rez-agent stepfunctions`, stopped when dropped.
    pub(super) step_functions: StepFunctions,
    /// The servers and pollers, waited for at shutdown.
    pub(super) tasks: TaskTracker,
    /// Cancelled at shutdown to stop `tasks`.
    pub(super) stop: CancellationToken,
}

impl AwsLocal {
    /// The API Gateway front: `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The AWS endpoint (Lambda, Step Functions, moto's services, control).
    pub fn edge_url(&self) -> &str {
        &self.edge_url
    }

    /// The ntfy URL the functions publish to.
    pub fn ntfy_url(&self) -> &str {
        &self.ntfy_url
    }

    /// The topic URL the functions publish to (the ntfy URL parameter's
    /// value), when a function reads one.
    pub fn ntfy_topic_url(&self) -> Option<&str> {
        self.ntfy_topic_url.as_deref()
    }

    /// The ntfy stub, when the harness started one.
    pub fn ntfy(&self) -> Option<&NtfyStub> {
        self.ntfy.as_ref()
    }

    /// The API key the webapi function reads: the value of the parameter
    /// its `REZ_API_KEY_PARAMETER` names, when the program declares one.
    pub fn api_key(&self) -> Option<&str> {
        parameter_named_by(&self.declared, API_KEY_PARAMETER_VAR).map(|p| p.value.as_str())
    }

    /// The declarations it runs.
    pub fn declared(&self) -> &Declared {
        &self.declared
    }

    /// The clients of moto's services.
    pub fn clients(&self) -> &MotoClients {
        &self.clients
    }

    /// The Lambda service.
    pub fn lambda(&self) -> &LambdaService {
        &self.lambda
    }

    /// The faults to inject.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Where each function's log is (`<name>.log`).
    pub fn log_dir(&self) -> PathBuf {
        self.work_dir.join("logs")
    }

    /// Fires the schedule `name` for `scheduled` now and waits for its
    /// target's last attempt.
    ///
    /// # Errors
    /// [`AwsLocalError::Unsupported`] for an unknown schedule or an invoke
    /// that never got through.
    pub async fn fire_schedule(
        &self,
        name: &str,
        scheduled: DateTime<Utc>,
    ) -> Result<crate::lambda::Invoked, AwsLocalError> {
        let schedule = self
            .declared
            .schedules
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| AwsLocalError::Unsupported(format!("no schedule {name}")))?;
        let arn = crate::scheduler::schedule_arn(&self.declared, schedule);
        crate::scheduler::fire(&self.lambda, schedule, &arn, scheduled)
            .await
            .map_err(|e| AwsLocalError::Unsupported(e.to_string()))
    }

    /// Stops the fronts, the pollers and every function, and removes the
    /// work directory unless it is to be kept.
    pub async fn shutdown(self) {
        self.stop.cancel();
        self.tasks.close();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), self.tasks.wait()).await;
        self.lambda.shutdown().await;
        drop(self.step_functions);
        drop(self.moto);
        if !self.keep_work_dir
            && let Err(e) = std::fs::remove_dir_all(&self.work_dir)
        {
            tracing::warn!(dir = %self.work_dir.display(), error = %e, "the work directory was not removed");
        }
    }
}
