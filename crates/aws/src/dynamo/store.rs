//! Create (with idempotency keys), get, and conditional status transitions.
//!
//! Writes are transactions of the message item and its counters delta (see
//! `metrics.rs`), so the metrics always agree with the messages.
//!
//! A create with an idempotency key writes the key's item in the same
//! transaction, on condition that it is new; a failed condition answers
//! with the message the key named first. Before that, the key's item from
//! before namespaces (see `items.rs`) is read: while one names a message
//! that [`IdempotencyKey::from_unnamespaced`] says it held this key for,
//! that message is the answer, so a client's retry or a redelivered fire
//! time creates nothing new across the change of item ids.
//!
//! A transition reads the message (consistent read), checks the `from`
//! statuses, and writes the changed message on condition that `status` and
//! `updated_date` are still what it read (`#status`: status is a reserved
//! word). A condition failure returns the current item (`ALL_OLD`): gone →
//! [`StoreError::NotFound`]; in a status outside `from` →
//! [`StoreError::Conflict`] with that status; otherwise the change is tried
//! again on it. Knowing the old item exactly is what lets the counters move
//! a message from its old status, attempts and latency to its new ones.
//!
//! A transaction that meets another one on the same items
//! (`TransactionConflict`) is tried again after a wait from
//! `WRITE_BACKOFF` (backon), up to `MAX_WRITE_ATTEMPTS` attempts in all.

use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    CancellationReason, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use rez_core::ports::{Created, StatusChange};
use rez_core::{IdempotencyKey, Message, MessageId, StoreError};

use super::DynamoMessageStore;
use super::items::{
    AUX_SORT_KEY, CREATED_DATE, ID, Item, STATUS, UPDATED_DATE, get_s, idempotency_id,
    item_to_message, message_to_item, n, s, unnamespaced_idempotency_id,
};
use super::metrics::{Delta, shard_for};

/// How many times a write is tried when other writers get in the way.
pub(super) const MAX_WRITE_ATTEMPTS: usize = 8;

/// The waits between the attempts of a write: 5 ms doubling up to 320 ms,
/// each stretched by up to as much again at random so that writers which
/// met drift apart; one wait fewer than [`MAX_WRITE_ATTEMPTS`].
pub(super) const WRITE_BACKOFF: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(5))
    .with_factor(2.0)
    .with_max_delay(Duration::from_millis(320))
    .with_max_times(MAX_WRITE_ATTEMPTS - 1)
    .with_jitter();

const CONDITIONAL_CHECK_FAILED: &str = "ConditionalCheckFailed";
const TRANSACTION_CONFLICT: &str = "TransactionConflict";

/// Why a transaction did not commit.
enum NotCommitted {
    /// These steps failed their conditions, each with its item as it is now.
    Condition(Vec<(usize, Option<Item>)>),
    /// Another transaction touched the same items: try again.
    Conflict,
    /// The call failed (throttling once the SDK's own retries ran out,
    /// network, validation): not tried again here.
    Failed(StoreError),
}

impl From<StoreError> for NotCommitted {
    fn from(error: StoreError) -> Self {
        Self::Failed(error)
    }
}

impl DynamoMessageStore {
    pub(super) async fn create_message(
        &self,
        message: &Message,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError> {
        if let Some(key) = key
            && let Some(first) = self.unnamespaced_replay(key).await?
        {
            return Ok(Created::Existing(first));
        }
        let mut steps = vec![self.put_step(
            message_to_item(message)?,
            "attribute_not_exists(#id)",
            &[("#id", ID)],
            &[],
        )?];
        if let Some(key) = key {
            let item: Item = [
                (ID.to_owned(), s(idempotency_id(key))),
                (CREATED_DATE.to_owned(), s(AUX_SORT_KEY)),
                ("message_id".to_owned(), s(message.id.as_str())),
                (
                    "message_created_date".to_owned(),
                    s(rez_core::time::format(message.created_date)),
                ),
                ("ttl".to_owned(), n(message.ttl)),
            ]
            .into();
            steps.push(self.put_step(item, "attribute_not_exists(#id)", &[("#id", ID)], &[])?);
        }
        let delta = Delta::created(message);
        steps.push(
            TransactWriteItem::builder()
                .update(delta.update(
                    &self.table,
                    shard_for(&message.id),
                    message.created_date.date_naive(),
                )?)
                .build(),
        );
        // Every attempt is the same transaction, so backon's `Retryable`
        // runs them: a conflict is tried again, a failed condition is the
        // answer.
        let committed = (|| self.transact(steps.clone()))
            .retry(WRITE_BACKOFF)
            .when(|e| matches!(e, NotCommitted::Conflict))
            .await;
        match committed {
            Ok(()) => Ok(Created::New(message.clone())),
            Err(NotCommitted::Condition(failed)) => {
                // A known key wins over a known id, as in the reference store.
                if let Some(key) = key.filter(|_| failed.iter().any(|(i, _)| *i == 1)) {
                    return self.replay(key).await.map(Created::Existing);
                }
                Err(StoreError::AlreadyExists(message.id.clone()))
            }
            Err(NotCommitted::Conflict) => Err(self.busy(&message.id)),
            Err(NotCommitted::Failed(e)) => Err(e),
        }
    }

    /// The message an idempotency key was first used for.
    async fn replay(&self, key: &IdempotencyKey) -> Result<Message, StoreError> {
        let pointer = self
            .get_item(idempotency_id(key), AUX_SORT_KEY.to_owned())
            .await?
            .ok_or_else(|| {
                StoreError::Unavailable(format!("idempotency key {key} vanished while read"))
            })?;
        let (id, message) = self.named(key, &pointer).await?;
        message.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "idempotency key {key}: its message {id} is missing"
            ))
        })
    }

    /// The message `key`'s item from before namespaces names, if that item
    /// held this key (not another of the same text) and its message is
    /// still there (the two expire independently).
    async fn unnamespaced_replay(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<Message>, StoreError> {
        let Some(pointer) = self
            .get_item(unnamespaced_idempotency_id(key), AUX_SORT_KEY.to_owned())
            .await?
        else {
            return Ok(None);
        };
        let (_, message) = self.named(key, &pointer).await?;
        Ok(message.filter(|m| {
            IdempotencyKey::from_unnamespaced(&key.unnamespaced(), m).stored() == key.stored()
        }))
    }

    /// The id of the message an idempotency item names, and that message
    /// if it is there.
    async fn named(
        &self,
        key: &IdempotencyKey,
        pointer: &Item,
    ) -> Result<(String, Option<Message>), StoreError> {
        let corrupt = |why: String| StoreError::Corrupt(format!("idempotency key {key}: {why}"));
        let id = get_s(pointer, "message_id").map_err(corrupt)?;
        let created = get_s(pointer, "message_created_date").map_err(corrupt)?;
        let message = self
            .get_item(id.to_owned(), created.to_owned())
            .await?
            .map(|item| item_to_message(&item))
            .transpose()?;
        Ok((id.to_owned(), message))
    }

    pub(super) async fn get_message(&self, id: &MessageId) -> Result<Option<Message>, StoreError> {
        Ok(self.read(id).await?.map(|(_, message)| message))
    }

    /// The message's item and what it decodes to.
    async fn read(&self, id: &MessageId) -> Result<Option<(Item, Message)>, StoreError> {
        // The key includes created_date, which an id alone does not give
        // (UUIDv7 keeps milliseconds, created_date microseconds): a Query on
        // the partition reads the one item as cheaply as GetItem would.
        self.item_with_id(id.as_str().to_owned())
            .await?
            .map(decoded)
            .transpose()
    }

    pub(super) async fn transition_message(
        &self,
        change: &StatusChange,
    ) -> Result<Message, StoreError> {
        // Two outcomes are tried again, differently: after a conflict the
        // attempt waits and reads the message again; after a failed
        // condition DynamoDB has just returned the message as it is now, so
        // the change is judged again on that at once, with no wait and no
        // read. Both spend an attempt. `Retryable` waits before every retry
        // and starts each attempt afresh, so here the backoff's own iterator
        // drives the loop: each retry takes the next wait from it (the
        // condition retry skips the sleep), and an empty iterator means the
        // attempts are spent.
        let mut waits = WRITE_BACKOFF.build();
        let mut current = self.read(&change.id).await?;
        loop {
            let (old_item, old) = current.ok_or_else(|| StoreError::NotFound(change.id.clone()))?;
            // The stored text, not a re-formatting of it, is what must match.
            let old_updated = old_item
                .get(UPDATED_DATE)
                .cloned()
                .unwrap_or_else(|| s(rez_core::time::format(old.updated_date)));
            change.check(&old)?;
            let mut new = old.clone();
            change.apply(&mut new);
            let mut steps = vec![self.put_step(
                message_to_item(&new)?,
                "#status = :old_status AND #updated = :old_updated",
                &[("#status", STATUS), ("#updated", UPDATED_DATE)],
                &[
                    (":old_status", s(old.status.as_str())),
                    (":old_updated", old_updated),
                ],
            )?];
            let delta = Delta::changed(&old, &new);
            if !delta.is_empty() {
                steps.push(
                    TransactWriteItem::builder()
                        .update(delta.update(
                            &self.table,
                            shard_for(&new.id),
                            new.created_date.date_naive(),
                        )?)
                        .build(),
                );
            }
            current = match self.transact(steps).await {
                Ok(()) => return Ok(new),
                Err(NotCommitted::Failed(e)) => return Err(e),
                Err(NotCommitted::Condition(failed)) => {
                    // The attempt is spent; its wait is not taken.
                    waits.next().ok_or_else(|| self.busy(&change.id))?;
                    failed
                        .into_iter()
                        .next()
                        .and_then(|(_, item)| item)
                        .map(decoded)
                        .transpose()?
                }
                Err(NotCommitted::Conflict) => {
                    let wait = waits.next().ok_or_else(|| self.busy(&change.id))?;
                    tokio::time::sleep(wait).await;
                    self.read(&change.id).await?
                }
            };
        }
    }

    /// A conditional Put of `item` that returns the old item when the
    /// condition fails.
    fn put_step(
        &self,
        item: Item,
        condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, aws_sdk_dynamodb::types::AttributeValue)],
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names(Some(
                names
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ))
            .set_expression_attribute_values((!values.is_empty()).then(|| {
                values
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect()
            }))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(|e| StoreError::Unavailable(format!("building a put: {e}")))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Runs a transaction once: why it did not commit, if it did not.
    async fn transact(&self, steps: Vec<TransactWriteItem>) -> Result<(), NotCommitted> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(steps))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) => match e.err() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => Err(
                    cancellation(cancelled.cancellation_reasons()).unwrap_or_else(|| {
                        NotCommitted::Failed(StoreError::Unavailable(format!(
                            "dynamodb TransactWriteItems on {}: {}",
                            self.table,
                            crate::error::describe(cancelled)
                        )))
                    }),
                ),
                _ => Err(self
                    .unavailable("TransactWriteItems", &SdkError::ServiceError(e))
                    .into()),
            },
            Err(e) => Err(self.unavailable("TransactWriteItems", &e).into()),
        }
    }

    /// A strongly consistent GetItem.
    async fn get_item(&self, id: String, created: String) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(ID, s(id))
            .key(CREATED_DATE, s(created))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.unavailable("GetItem", &e))?;
        Ok(output.item)
    }

    fn busy(&self, id: &MessageId) -> StoreError {
        StoreError::Unavailable(format!(
            "dynamodb {}: message {id} kept changing under concurrent writes, gave up after {MAX_WRITE_ATTEMPTS} attempts",
            self.table
        ))
    }
}

/// An item with the message it stores.
fn decoded(item: Item) -> Result<(Item, Message), StoreError> {
    let message = item_to_message(&item)?;
    Ok((item, message))
}

/// Reads the cancellation reasons: failed conditions (with their items) win
/// over conflicts; anything else (throttling, validation) is `None`.
fn cancellation(reasons: &[CancellationReason]) -> Option<NotCommitted> {
    let failed: Vec<(usize, Option<Item>)> = reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code() == Some(CONDITIONAL_CHECK_FAILED))
        .map(|(i, r)| (i, r.item().cloned()))
        .collect();
    if !failed.is_empty() {
        return Some(NotCommitted::Condition(failed));
    }
    reasons
        .iter()
        .any(|r| r.code() == Some(TRANSACTION_CONFLICT))
        .then_some(NotCommitted::Conflict)
}
