//! The [`DeadLetterQueue`] port on [`SqsDeadLetterQueue`]: its listing
//! and its redrive together.

use rez_core::StoreError;
use rez_core::ports::{DeadLetterList, DeadLetterQueue};

use super::dead_letters::SqsDeadLetterQueue;

#[async_trait::async_trait]
impl DeadLetterQueue for SqsDeadLetterQueue {
    async fn list(&self) -> Result<DeadLetterList, StoreError> {
        let items = self.peek().await?;
        let depth = self.depth().await?;
        Ok(DeadLetterList { items, depth })
    }

    async fn redrive(&self, ids: Option<Vec<String>>) -> Result<u64, StoreError> {
        super::redrive::redrive(self, ids.as_deref()).await
    }
}
