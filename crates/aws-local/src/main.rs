//! `rez-aws-local`: starts the AWS deployment on this machine and prints
//! where to reach it.

use clap::Parser;

/// The AWS deployment of rez-agent, run whole on this machine.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// What the Pulumi program declares (infrastructure/test/declare.ts writes it).
    #[arg(long)]
    declared: std::path::PathBuf,
    /// Where packages, logs and executions go [default: a new temporary directory].
    #[arg(long)]
    work_dir: Option<std::path::PathBuf>,
    /// Publish to this ntfy server instead of the built-in stub.
    #[arg(long)]
    ntfy_url: Option<String>,
    /// Port of the API Gateway front.
    #[arg(long, default_value_t = 4010)]
    api_port: u16,
    /// Port of the AWS endpoint (Lambda, Step Functions, DynamoDB, SNS, SQS, SSM).
    #[arg(long, default_value_t = 4566)]
    aws_port: u16,
    /// Port of the ntfy stub.
    #[arg(long, default_value_t = 4011)]
    ntfy_port: u16,
    /// Most execution environments per function.
    #[arg(long, default_value_t = 10)]
    concurrency: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    Ok(rez_aws_local::cli::run(args.into_options()).await?)
}

impl Args {
    fn into_options(self) -> rez_aws_local::cli::Options {
        rez_aws_local::cli::Options {
            declared: self.declared,
            work_dir: self.work_dir,
            ntfy_url: self.ntfy_url,
            api_port: self.api_port,
            aws_port: self.aws_port,
            ntfy_port: self.ntfy_port,
            concurrency: self.concurrency,
        }
    }
}
