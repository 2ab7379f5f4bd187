//! What `rez-aws-local` does: start the deployment, print where to reach it,
//! and stop on Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::declared::Declared;
use crate::{AwsLocal, AwsLocalError, Settings};

/// The command line's choices.
#[derive(Debug, Clone)]
pub struct Options {
    /// The declarations file.
    pub declared: PathBuf,
    /// The work directory; `None` makes a temporary one.
    pub work_dir: Option<PathBuf>,
    /// An ntfy server instead of the stub.
    pub ntfy_url: Option<String>,
    /// The API Gateway front's port.
    pub api_port: u16,
    /// The AWS endpoint's port.
    pub aws_port: u16,
    /// The ntfy stub's port.
    pub ntfy_port: u16,
    /// Most execution environments per function.
    pub concurrency: usize,
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Starts, prints the URLs, waits for a signal, stops.
///
/// # Errors
/// [`AwsLocalError`] when something does not start.
pub async fn run(options: Options) -> Result<(), AwsLocalError> {
    let declared = Declared::read(&options.declared)?;
    let keep_work_dir = options.work_dir.is_some();
    let work_dir = match options.work_dir {
        Some(dir) => dir,
        None => {
            std::env::temp_dir().join(format!("rez-aws-local-{}", uuid::Uuid::new_v4().simple()))
        }
    };
    let local = AwsLocal::start(Settings {
        declared,
        work_dir: work_dir.clone(),
        ntfy_url: options.ntfy_url,
        api_listen: loopback(options.api_port),
        edge_listen: loopback(options.aws_port),
        ntfy_listen: loopback(options.ntfy_port),
        concurrency_limit: options.concurrency.max(1),
        visibility_timeout_seconds: None,
        run_schedules: true,
        schedule_time_scale: 1,
        meter_dynamodb_writes: false,
        keep_work_dir,
    })
    .await?;
    let api_key = local.api_key().map(str::to_owned);
    let mut out = std::io::stdout().lock();
    let lines = [
        format!("aws-local: API Gateway   {}", local.api_url()),
        match (local.ntfy_topic_url(), local.ntfy()) {
            (Some(topic), Some(stub)) => format!(
                "aws-local: ntfy          {topic} (a stub: what it received is at {}/_stub/received)",
                stub.url()
            ),
            (Some(topic), None) => format!("aws-local: ntfy          {topic}"),
            (None, _) => format!("aws-local: ntfy          {}", local.ntfy_url()),
        },
        format!(
            "aws-local: AWS endpoint  {} (AWS_ENDPOINT_URL: Lambda, Step Functions, DynamoDB, SNS, SQS, SSM)",
            local.edge_url()
        ),
        format!(
            "aws-local: logs          {}{}",
            local.log_dir().display(),
            if keep_work_dir {
                ""
            } else {
                " (removed at exit; --work-dir keeps them)"
            }
        ),
        match api_key {
            Some(key) => format!(
                "aws-local: try           rez-agent send --api-url {} --api-key {key} \"hello\" --wait",
                local.api_url()
            ),
            None => "aws-local: the program declares no API key parameter".to_owned(),
        },
    ];
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    local.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = async {
            match term.as_mut() {
                Some(t) => { t.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}
