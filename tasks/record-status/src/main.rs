//! The RecordSuccess / RecordFailure task on AWS Lambda: the library handler
//! over DynamoDB. One function serves both states (the input's `outcome`).
//!
//! Settings come from the environment (`REZ_TABLE_NAME`, `REZ_STAGE`); a
//! failure is named by its States error (`Store.Unavailable`, …).

use std::sync::Arc;

use rez_aws::FunctionEnvironment;
use rez_core::ports::SystemClock;
use rez_record_status::{Deps, handle};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    rez_lambda::logging::init();
    let deps = rez_lambda::init::or_report(deps()).await?;
    rez_lambda::task::run(|input| rez_core::task::invoke(input, |input| handle(&deps, input))).await
}

/// The handler's ports, built once per container.
async fn deps() -> anyhow::Result<Deps> {
    let environment = FunctionEnvironment::from_env()?;
    Ok(Deps {
        store: Arc::new(environment.message_store()),
        clock: Arc::new(SystemClock),
        metrics: rez_lambda::emf::sink_from_env(),
    })
}
