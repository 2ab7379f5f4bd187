//! The SendNotification task on AWS Lambda: the library handler over the
//! ntfy client.
//!
//! The topic URL and access token are read from SSM Parameter Store once per
//! container (`REZ_NTFY_URL_PARAMETER`, `REZ_NTFY_TOKEN_PARAMETER`); a
//! failure is named by its States error (`Ntfy.RateLimited`, …).
//! `REZ_NTFY_TIMEOUT_MS` may lower the publish timeout ([`ntfy_timeout`]).

use std::sync::Arc;

use anyhow::Context;
use rez_aws::{FunctionEnvironment, SsmSecrets};
use rez_core::ports::SystemClock;
use rez_ntfy::{NtfyClient, NtfyConfig};
use rez_send_notification::{Deps, NTFY_TIMEOUT_VAR, handle, ntfy_timeout};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    rez_lambda::logging::init();
    let deps = rez_lambda::init::or_report(deps()).await?;
    rez_lambda::task::run(|input| rez_core::task::invoke(input, |input| handle(&deps, input))).await
}

/// The handler's ports, built once per container.
async fn deps() -> anyhow::Result<Deps> {
    let environment = FunctionEnvironment::from_env()?;
    let secrets = SsmSecrets::new(
        aws_sdk_ssm::Client::new(&environment.sdk),
        &environment.settings,
    )
    .get()
    .await
    .context("reading the ntfy topic URL and token from SSM")?;
    let url = secrets
        .ntfy_url
        .context("REZ_NTFY_URL_PARAMETER is not set: the task publishes to that ntfy topic URL")?;
    let timeout = ntfy_timeout(std::env::var(NTFY_TIMEOUT_VAR).ok().as_deref())?;
    let mut ntfy = NtfyConfig::new(url.parse().context("the ntfy URL parameter is not a URL")?)
        .with_timeout(timeout);
    if let Some(token) = secrets.ntfy_token {
        ntfy = ntfy.with_token(token.parse().context("the ntfy token parameter")?);
    }
    Ok(Deps {
        notifier: Arc::new(NtfyClient::new(ntfy).context("configuring ntfy")?),
        clock: Arc::new(SystemClock),
        time_scale: 1.0,
    })
}
