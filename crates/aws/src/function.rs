//! What every Lambda function of the stack starts from: its settings, the
//! SDK configuration, and the adapters more than one function builds from
//! them. Each `main` then only adds what is its own.
//!
//! ```no_run
//! # async fn wire() -> Result<(), Box<dyn std::error::Error>> {
//! use rez_aws::FunctionEnvironment;
//!
//! let environment = FunctionEnvironment::from_env()?;
//! let store = environment.message_store();
//! let publisher = environment.publisher()?;
//! # let _ = (store, publisher);
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use aws_config::SdkConfig;
use rez_core::ports::Publisher;

use crate::{AwsSettings, DynamoMessageStore, SettingsError, SnsPublisher, SqsDeadLetterQueue};

/// Why a function's environment could not be read: the message its init
/// error reports.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    /// A `REZ_*` setting is missing or invalid.
    #[error("reading the function's settings: {0}")]
    Settings(SettingsError),
    /// The region or credentials Lambda provides are missing.
    #[error("reading the function's AWS environment: {0}")]
    Sdk(SettingsError),
}

/// A function's settings ([`AwsSettings`]) and its SDK configuration
/// ([`crate::load_sdk_config`]), read once per container.
#[derive(Debug, Clone)]
pub struct FunctionEnvironment {
    /// Where the function finds its AWS resources.
    pub settings: AwsSettings,
    /// Region, credentials and HTTPS client of every SDK client it builds.
    pub sdk: SdkConfig,
}

impl FunctionEnvironment {
    /// Reads the settings and the SDK configuration from the environment.
    ///
    /// # Errors
    /// [`EnvironmentError`] saying which of the two failed and naming the
    /// variable that is missing or invalid.
    pub fn from_env() -> Result<Self, EnvironmentError> {
        Ok(Self {
            settings: AwsSettings::from_env().map_err(EnvironmentError::Settings)?,
            sdk: crate::load_sdk_config().map_err(EnvironmentError::Sdk)?,
        })
    }

    /// The message table of the function's stage.
    pub fn message_store(&self) -> DynamoMessageStore {
        DynamoMessageStore::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            self.settings.table_name.clone(),
            self.settings.stage,
        )
    }

    /// The topic new messages are published to.
    ///
    /// # Errors
    /// `REZ_TOPIC_ARN` is not set.
    pub fn publisher(&self) -> Result<Arc<dyn Publisher>, SettingsError> {
        Ok(Arc::new(SnsPublisher::new(
            aws_sdk_sns::Client::new(&self.sdk),
            self.settings.require_topic_arn()?,
        )))
    }

    /// The queue's dead-letter queue, listed and redriven by the API and
    /// the reconciler.
    ///
    /// # Errors
    /// `REZ_QUEUE_URL` or `REZ_DLQ_URL` is not set.
    pub fn dead_letter_queue(&self) -> Result<SqsDeadLetterQueue, SettingsError> {
        Ok(SqsDeadLetterQueue::new(
            aws_sdk_sqs::Client::new(&self.sdk),
            self.settings.require_queue_url()?,
            self.settings.require_dlq_url()?,
        ))
    }
}
