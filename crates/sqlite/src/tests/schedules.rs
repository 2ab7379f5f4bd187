//! The SQLite schedule store keeps the port's contract.

use rez_core::schedule::conformance::check_schedule_store;

use super::fixtures::{TestResult, temp_db};
use crate::SqliteStore;

#[tokio::test]
async fn the_sqlite_store_keeps_the_schedule_store_contract() -> TestResult {
    let (_dir, db) = temp_db()?;
    check_schedule_store(&SqliteStore::new(db)).await;
    Ok(())
}
