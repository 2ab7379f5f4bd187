//! The cut-over copy: the messages of the Go system's table, keyed on `id`
//! alone, into rez-agent's table of the same stage.
//!
//! | file | what |
//! |---|---|
//! | `copy.rs` | [`LegacyTable::copy_into`]: the Scan of the old table and the writes through the [`MessageStore`](rez_core::ports::MessageStore) |
//! | `legacy.rs` | how an old item becomes a [`Message`](rez_core::Message), or why it is skipped |
//! | `attributes.rs` | reading the old items' attributes |
//! | `id.rs` | [`legacy_message_id`]: the new id, a UUIDv7 derived from the old id and date |
//! | `options.rs` | [`CopyOptions`]: stage, dry run, expired messages, the time of the copy |
//! | `report.rs` | [`Report`]: copied, already present, closed as failed, skipped by reason |
//! | `error.rs` | [`CutoverError`]: why a copy stopped before the end |
//!
//! The copy never writes to the old table, and a rerun copies nothing
//! twice: every old message maps to the same new id and `created_date`,
//! and a message whose key is taken is left as it is. What an operator
//! does around it is `docs/cutover.md`.
//!
//! ```no_run
//! # async fn copy() -> Result<(), Box<dyn std::error::Error>> {
//! use rez_aws::cutover::{CopyOptions, LegacyTable};
//! use rez_aws::DynamoMessageStore;
//! use rez_core::Stage;
//!
//! let config = rez_aws::load_sdk_config()?;
//! let client = aws_sdk_dynamodb::Client::new(&config);
//! let old = LegacyTable::new(client.clone(), "rez-agent-messages-prod");
//! let new = DynamoMessageStore::new(client, "rez-messages-prod", Stage::Prod);
//! let mut options = CopyOptions::new(Stage::Prod, chrono::Utc::now());
//! options.dry_run = true;
//! let report = old.copy_into(&new, &options).await?;
//! tracing::info!("{report}");
//! # Ok(())
//! # }
//! ```

mod attributes;
mod copy;
mod error;
mod id;
mod legacy;
mod options;
mod report;
#[cfg(test)]
mod tests;

pub use copy::LegacyTable;
pub use error::CutoverError;
pub use id::legacy_message_id;
pub use legacy::{LEGACY_CREATED_BY, LEGACY_FAILED_REASON, LEGACY_ID_ARGUMENT, UNFINISHED_REASON};
pub use options::{CopyOptions, DEFAULT_PAGE_SIZE};
pub use report::{Report, SkipReason, Skipped};
