//! The command line of `rez-agent-cutover`, which copies the Go system's
//! messages into rez-agent's table ([`rez_aws::cutover`]; the procedure
//! around it is `docs/cutover.md`).
//!
//! AWS credentials come from the environment, as [`rez_aws::load_sdk_config`]
//! reads them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`); `--region` and `--endpoint-url` stand in for
//! `AWS_REGION` and `AWS_ENDPOINT_URL`.

use chrono::{DateTime, Utc};
use clap::Parser;
use rez_aws::cutover::{CopyOptions, DEFAULT_PAGE_SIZE};
use rez_core::Stage;

/// Copies the Go system's messages into rez-agent's table, once: a rerun
/// copies only what is new. Prints what it copied and skipped.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = "rez-agent-cutover", version)]
pub struct Args {
    /// The Go system's message table (keyed on `id` alone); only read.
    #[arg(long, value_name = "TABLE")]
    pub from_table: String,
    /// rez-agent's message table of the same stage.
    #[arg(long, value_name = "TABLE")]
    pub to_table: String,
    /// The stage both tables hold: dev, stage or prod.
    #[arg(long)]
    pub stage: Stage,
    /// The AWS region [default: AWS_REGION, else AWS_DEFAULT_REGION].
    #[arg(long)]
    pub region: Option<String>,
    /// Another DynamoDB endpoint, e.g. a local one [default: AWS_ENDPOINT_URL].
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Write nothing; report what the copy would do.
    #[arg(long)]
    pub dry_run: bool,
    /// Also copy messages older than rez-agent's 90-day retention; they are
    /// then kept for 90 days from now.
    #[arg(long)]
    pub include_expired: bool,
    /// Items per Scan page of the old table.
    #[arg(long, default_value_t = DEFAULT_PAGE_SIZE, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,
}

/// The arguments name a copy that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    /// Both tables are the same table.
    #[error(
        "--from-table and --to-table are both {0}: the Go system's table and rez-agent's must be two tables (see docs/cutover.md, step 1)"
    )]
    SameTable(String),
}

impl Args {
    /// Checks what the parser cannot.
    ///
    /// # Errors
    /// [`ArgsError::SameTable`] when both tables are one.
    pub fn check(&self) -> Result<(), ArgsError> {
        if self.from_table == self.to_table {
            return Err(ArgsError::SameTable(self.from_table.clone()));
        }
        Ok(())
    }

    /// The options of a copy run at `now`.
    pub fn copy_options(&self, now: DateTime<Utc>) -> CopyOptions {
        CopyOptions {
            dry_run: self.dry_run,
            include_expired: self.include_expired,
            page_size: self.page_size,
            ..CopyOptions::new(self.stage, now)
        }
    }

    /// The variable lookup for [`rez_aws::sdk_config_from`]: `env`, with
    /// `--region` as `AWS_REGION` and `--endpoint-url` as `AWS_ENDPOINT_URL`
    /// when given.
    pub fn sdk_lookup<'a>(
        &'a self,
        env: impl Fn(&str) -> Option<String> + 'a,
    ) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| match name {
            "AWS_REGION" if self.region.is_some() => self.region.clone(),
            "AWS_ENDPOINT_URL" if self.endpoint_url.is_some() => self.endpoint_url.clone(),
            _ => env(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> Result<Args, clap::Error> {
        let mut argv = vec![
            "rez-agent-cutover",
            "--from-table",
            "rez-agent-messages-prod",
            "--to-table",
            "rez-messages-prod",
            "--stage",
            "prod",
        ];
        argv.extend_from_slice(extra);
        Args::try_parse_from(argv)
    }

    #[test]
    fn the_defaults_copy_for_real_without_expired_messages() {
        let args = parse(&[]).unwrap();
        args.check().unwrap();
        let now = Utc::now();
        assert_eq!(args.copy_options(now), CopyOptions::new(Stage::Prod, now));
    }

    #[test]
    fn the_flags_reach_the_copy_options() {
        let args = parse(&["--dry-run", "--include-expired", "--page-size", "7"]).unwrap();
        let options = args.copy_options(Utc::now());
        assert!(options.dry_run && options.include_expired);
        assert_eq!(options.page_size, 7);
    }

    #[test]
    fn a_bad_stage_or_page_size_is_refused() {
        assert!(parse(&["--stage", "qa"]).is_err());
        assert!(parse(&["--page-size", "0"]).is_err());
    }

    #[test]
    fn one_table_for_both_is_refused() {
        let mut args = parse(&[]).unwrap();
        args.to_table = args.from_table.clone();
        assert_eq!(
            args.check(),
            Err(ArgsError::SameTable("rez-agent-messages-prod".into()))
        );
    }

    #[test]
    fn region_and_endpoint_flags_stand_in_for_their_variables() {
        let env = |name: &str| Some(format!("env:{name}"));
        let plain = parse(&[]).unwrap();
        let lookup = plain.sdk_lookup(env);
        assert_eq!(lookup("AWS_REGION").as_deref(), Some("env:AWS_REGION"));
        let flagged = parse(&[
            "--region",
            "eu-west-1",
            "--endpoint-url",
            "http://127.0.0.1:5000",
        ])
        .unwrap();
        let lookup = flagged.sdk_lookup(env);
        assert_eq!(lookup("AWS_REGION").as_deref(), Some("eu-west-1"));
        assert_eq!(
            lookup("AWS_ENDPOINT_URL").as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            lookup("AWS_ACCESS_KEY_ID").as_deref(),
            Some("env:AWS_ACCESS_KEY_ID")
        );
    }
}
