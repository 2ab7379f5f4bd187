//! The copy: a Scan of the old table, page by page to its end, and each
//! message written through the [`MessageStore`].
//!
//! A message is written with [`MessageStore::create`] without an
//! idempotency key: on [`DynamoMessageStore`](crate::DynamoMessageStore)
//! that is one transaction of the message item, on condition that no item
//! has its key (its id and `created_date`, both derived from the old item),
//! and of the counters of its creation day, so the metrics count the
//! copied messages like every other. A rerun finds the same key taken
//! ([`StoreError::AlreadyExists`]), writes nothing for that message and
//! counts it as already present.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use rez_core::StoreError;
use rez_core::ports::{Created, MessageStore};
use tracing::{debug, info};

use super::error::CutoverError;
use super::legacy::{Converted, convert};
use super::options::CopyOptions;
use super::report::Report;
use crate::error::describe;

/// The Go system's message table, keyed on `id` alone.
#[derive(Debug, Clone)]
pub struct LegacyTable {
    client: aws_sdk_dynamodb::Client,
    name: String,
}

impl LegacyTable {
    /// The old table `name`, read with `client`.
    pub fn new(client: aws_sdk_dynamodb::Client, name: impl Into<String>) -> Self {
        Self {
            client,
            name: name.into(),
        }
    }

    /// Copies every message of the old table into `target` (see the
    /// [module](super) for what is copied how), reading the old table
    /// with consistent Scans to its end. Never writes to the old table.
    ///
    /// # Errors
    /// [`CutoverError`] when a Scan page cannot be read or `target` fails
    /// (after the SDK's retries); it holds the report so far.
    pub async fn copy_into(
        &self,
        target: &dyn MessageStore,
        options: &CopyOptions,
    ) -> Result<Report, CutoverError> {
        let mut report = Report {
            dry_run: options.dry_run,
            ..Report::default()
        };
        let page_size = i32::try_from(options.page_size.max(1)).unwrap_or(i32::MAX);
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = match self
                .client
                .scan()
                .table_name(&self.name)
                .consistent_read(true)
                .limit(page_size)
                .set_exclusive_start_key(start.take())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    return Err(CutoverError::Scan {
                        table: self.name.clone(),
                        reason: describe(&e),
                        report: Box::new(report),
                    });
                }
            };
            for item in page.items() {
                report.scanned += 1;
                match convert(item, options) {
                    Ok(converted) => copy_one(target, converted, options, &mut report).await?,
                    Err(skipped) => {
                        debug!(
                            legacy_id = %skipped.legacy_id,
                            reason = %skipped.reason,
                            detail = %skipped.detail,
                            "not copied"
                        );
                        report.skip(skipped);
                    }
                }
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                info!(table = %self.name, scanned = report.scanned, "read the old table to its end");
                return Ok(report);
            }
        }
    }
}

/// Writes one converted message (in a dry run: looks it up) and counts it.
async fn copy_one(
    target: &dyn MessageStore,
    converted: Converted,
    options: &CopyOptions,
    report: &mut Report,
) -> Result<(), CutoverError> {
    let Converted {
        legacy_id,
        message,
        unfinished,
    } = converted;
    let present = if options.dry_run {
        target.get(&message.id).await.map(|found| found.is_some())
    } else {
        match target.create(&message, None).await {
            Ok(Created::New(_)) => Ok(false),
            Ok(Created::Existing(_)) | Err(StoreError::AlreadyExists(_)) => Ok(true),
            Err(e) => Err(e),
        }
    };
    match present {
        Ok(true) => report.already_present += 1,
        Ok(false) => {
            report.copied += 1;
            if unfinished {
                report.closed_unfinished.push(legacy_id);
            }
        }
        Err(source) => {
            return Err(CutoverError::Store {
                legacy_id,
                id: message.id,
                source,
                report: Box::new(std::mem::take(report)),
            });
        }
    }
    Ok(())
}
