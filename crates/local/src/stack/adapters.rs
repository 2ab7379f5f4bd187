//! The parts the stack is made of, before anything runs: the SQLite
//! adapters behind the `rez-core` ports, and the notification state
//! machine with its three tasks.

use anyhow::Context;
use std::sync::Arc;

use rez_core::ports::{Clock, MessageStore, NoMetrics, Publisher, SystemClock};
use rez_sqlite::{Database, QueuePublisher, SqliteQueue, SqliteStore, SqliteSubmitter};

use super::{MAX_RECEIVE_COUNT, NOTIFICATION_DEFINITION, NTFY_TIMEOUT, scaled};
use crate::config::UpConfig;
use crate::data_dir::DataDir;
use crate::workflow::{LocalTasks, LocalWorkflow, MachineIdentity};

/// The SQLite adapters over the data dir's one database, each as the
/// concrete type (for the parts only the local stack has) and as its port.
pub(super) struct Adapters {
    /// Messages, executions and schedules.
    pub store: SqliteStore,
    /// The durable queue with its dead-letter queue.
    pub queue: SqliteQueue,
    /// [`Adapters::store`] as the message store port.
    pub messages: Arc<dyn MessageStore>,
    /// The local topic: publish = send to the queue.
    pub publisher: Arc<dyn Publisher>,
    /// A new message, its idempotency key and its queue record in one commit.
    pub submitter: Arc<dyn rez_core::Submitter>,
    /// The wall clock.
    pub clock: Arc<dyn Clock>,
}

impl Adapters {
    /// Opens (or creates) the database in `data_dir` and the adapters over it.
    ///
    /// # Errors
    /// The database cannot be opened or is damaged.
    pub(super) fn open(data_dir: &DataDir) -> anyhow::Result<Self> {
        let db = Database::open(&data_dir.database_path())?;
        let store = SqliteStore::new(db.clone());
        let queue = SqliteQueue::new(db, MAX_RECEIVE_COUNT);
        // One database holds the messages and the queue: a new message, its
        // idempotency key and its queue record are one commit, not three.
        let submitter = Arc::new(rez_core::OneWrite::new(Arc::new(
            SqliteSubmitter::new(&store, &queue)
                .context("the store and the queue must share the database")?,
        )));
        Ok(Self {
            messages: Arc::new(store.clone()),
            publisher: Arc::new(QueuePublisher::new(queue.clone())),
            store,
            queue,
            submitter,
            clock: Arc::new(SystemClock),
        })
    }

    /// The notification state machine run by the local engine, its tasks
    /// over these adapters and the ntfy topic at `ntfy_url`.
    ///
    /// # Errors
    /// The ntfy settings are unusable, or the built-in definition names a
    /// task the stack does not have.
    pub(super) fn notification_workflow(
        &self,
        config: &UpConfig,
        ntfy_url: &url::Url,
    ) -> anyhow::Result<Arc<LocalWorkflow>> {
        let mut ntfy = rez_ntfy::NtfyConfig::new(ntfy_url.clone())
            .with_timeout(scaled(NTFY_TIMEOUT, config.time_scale));
        if let Some(token) = &config.ntfy_token {
            ntfy = ntfy.with_token(token.parse().context("reading --ntfy-token")?);
        }
        let notifier = Arc::new(rez_ntfy::NtfyClient::new(ntfy).context("configuring ntfy")?);
        let machine = rez_states::StateMachine::from_json(NOTIFICATION_DEFINITION)
            .context("statemachine/notification.asl.json is not a valid definition")?;
        let tasks = LocalTasks {
            load: rez_load_message::Deps {
                store: self.messages.clone(),
                clock: self.clock.clone(),
            },
            send: rez_send_notification::Deps {
                notifier,
                clock: self.clock.clone(),
                time_scale: config.time_scale,
            },
            record: rez_record_status::Deps {
                store: self.messages.clone(),
                clock: self.clock.clone(),
                // Locally the store's metrics and the console show these figures.
                metrics: Arc::new(NoMetrics),
            },
        };
        LocalTasks::check(&machine)?;
        Ok(Arc::new(LocalWorkflow::new(
            machine,
            MachineIdentity::local(),
            Arc::new(tasks),
            self.store.clone(),
            config.time_scale,
        )))
    }
}

/// The ntfy topic URL: `--ntfy-url`, or the data dir's own topic on ntfy.sh.
///
/// # Errors
/// The data dir's topic cannot be read or made.
pub(super) fn ntfy_url(config: &UpConfig, data_dir: &DataDir) -> anyhow::Result<url::Url> {
    match &config.ntfy_url {
        Some(url) => Ok(url.clone()),
        None => format!("https://ntfy.sh/{}", data_dir.ntfy_topic()?)
            .parse()
            .context("building the default ntfy.sh topic URL"),
    }
}
