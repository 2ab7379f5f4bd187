//! `rez-agent-cutover`: parse the arguments, build the DynamoDB client and
//! the two tables, run the copy, print its report (also the partial one of
//! a copy that stopped).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use rez_aws::DynamoMessageStore;
use rez_aws::cutover::{CutoverError, LegacyTable, Report};
use rez_cutover::Args;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,rez_aws=info".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(report) => {
            print(&report);
            ExitCode::SUCCESS
        }
        Err(error) => {
            if let Some(stopped) = error.downcast_ref::<CutoverError>() {
                print(stopped.report());
            }
            let _ = writeln!(std::io::stderr(), "rez-agent-cutover: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<Report> {
    args.check()?;
    let sdk = rez_aws::sdk_config_from(args.sdk_lookup(|name| std::env::var(name).ok()))
        .context("reading the AWS environment")?;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let old = LegacyTable::new(client.clone(), &args.from_table);
    let new = DynamoMessageStore::new(client, &args.to_table, args.stage);
    let report = old
        .copy_into(&new, &args.copy_options(chrono::Utc::now()))
        .await?;
    Ok(report)
}

fn print(report: &Report) {
    let _ = write!(std::io::stdout().lock(), "{report}");
}
