//! The schedules people define, in the message table: the DynamoDB store
//! keeps the port's contract, and its items stay out of the message lists.

use rez_aws::DynamoScheduleStore;
use rez_core::Stage;
use rez_core::ports::{ListQuery, MessageStore};
use rez_core::schedule::conformance::check_schedule_store;

use crate::helpers::{TestResult, new_store};

#[tokio::test]
async fn the_dynamodb_store_keeps_the_schedule_store_contract_and_out_of_the_message_lists()
-> TestResult {
    let (messages, _table) = new_store(Stage::Dev).await;
    check_schedule_store(&DynamoScheduleStore::beside(&messages)).await;
    for status in [None, Some(rez_core::Status::Queued)] {
        let page = messages
            .list(&ListQuery {
                status,
                ..ListQuery::default()
            })
            .await?;
        assert!(page.items.is_empty(), "{status:?}: {page:?}");
    }
    Ok(())
}
