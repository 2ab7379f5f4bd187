//! Secrets from SSM Parameter Store, read once per container.

use std::fmt;

use tokio::sync::OnceCell;

use crate::error::describe;
use crate::{AwsSettings, SecretsError};

/// The secrets a function may need. Each is `None` when its parameter is not
/// configured for this function. `Debug` never shows a value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// The ntfy topic URL (`REZ_NTFY_URL_PARAMETER`).
    pub ntfy_url: Option<String>,
    /// The ntfy access token (`REZ_NTFY_TOKEN_PARAMETER`, SecureString).
    pub ntfy_token: Option<String>,
    /// The API key (`REZ_API_KEY_PARAMETER`, SecureString).
    pub api_key: Option<String>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("Secrets")
            .field("ntfy_url", &shown(&self.ntfy_url))
            .field("ntfy_token", &shown(&self.ntfy_token))
            .field("api_key", &shown(&self.api_key))
            .finish()
    }
}

/// Reads the configured parameters with decryption on first use and keeps
/// them for the life of the container (Lambda reuses it across invocations).
///
/// A failed read is not cached: the next call tries again.
#[derive(Debug)]
pub struct SsmSecrets {
    client: aws_sdk_ssm::Client,
    ntfy_url_parameter: Option<String>,
    ntfy_token_parameter: Option<String>,
    api_key_parameter: Option<String>,
    cache: OnceCell<Secrets>,
}

impl SsmSecrets {
    /// Secrets named by `settings`' `*_parameter` fields.
    pub fn new(client: aws_sdk_ssm::Client, settings: &AwsSettings) -> Self {
        Self {
            client,
            ntfy_url_parameter: settings.ntfy_url_parameter.clone(),
            ntfy_token_parameter: settings.ntfy_token_parameter.clone(),
            api_key_parameter: settings.api_key_parameter.clone(),
            cache: OnceCell::new(),
        }
    }

    /// The secrets, read from SSM on the first call and cached afterwards.
    ///
    /// # Errors
    /// [`SecretsError::NotFound`] or [`SecretsError::Unreadable`] naming the
    /// first parameter that could not be read.
    pub async fn get(&self) -> Result<Secrets, SecretsError> {
        self.cache
            .get_or_try_init(|| async {
                Ok(Secrets {
                    ntfy_url: self.read(self.ntfy_url_parameter.as_deref()).await?,
                    ntfy_token: self.read(self.ntfy_token_parameter.as_deref()).await?,
                    api_key: self.read(self.api_key_parameter.as_deref()).await?,
                })
            })
            .await
            .cloned()
    }

    async fn read(&self, name: Option<&str>) -> Result<Option<String>, SecretsError> {
        let Some(name) = name else {
            return Ok(None);
        };
        let output = self
            .client
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|s| s.is_parameter_not_found())
                {
                    SecretsError::NotFound {
                        name: name.to_owned(),
                    }
                } else {
                    SecretsError::Unreadable {
                        name: name.to_owned(),
                        reason: describe(&e),
                    }
                }
            })?;
        let value =
            output
                .parameter()
                .and_then(|p| p.value())
                .ok_or_else(|| SecretsError::Unreadable {
                    name: name.to_owned(),
                    reason: "the answer carried no value".to_owned(),
                })?;
        tracing::debug!(parameter = name, "read ssm parameter");
        Ok(Some(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{replay, requests};

    fn settings(token: Option<&str>, api_key: Option<&str>) -> AwsSettings {
        AwsSettings {
            table_name: "t".into(),
            topic_arn: None,
            state_machine_arn: None,
            ntfy_url_parameter: None,
            ntfy_token_parameter: token.map(str::to_owned),
            api_key_parameter: api_key.map(str::to_owned),
            stage: rez_core::Stage::Dev,
        }
    }

    #[tokio::test]
    async fn parameters_are_read_with_decryption_once_per_container() {
        let (config, http) = replay(
            "http://127.0.0.1:5000",
            &[(
                200,
                r#"{"Parameter": {"Name": "/rez/dev/api-key", "Type": "SecureString", "Value": "k"}}"#,
            )],
        );
        let settings = settings(None, Some("/rez/dev/api-key"));
        let secrets = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings);
        assert_eq!(secrets.get().await.unwrap().api_key.as_deref(), Some("k"));
        assert_eq!(secrets.get().await.unwrap().api_key.as_deref(), Some("k"));
        let sent = requests(&http);
        assert_eq!(sent.len(), 1, "read once, then cached");
        assert_eq!(sent[0].target, "AmazonSSM.GetParameter");
        assert_eq!(
            sent[0].json(),
            serde_json::json!({"Name": "/rez/dev/api-key", "WithDecryption": true})
        );
    }

    #[tokio::test]
    async fn an_unreadable_parameter_names_it_and_the_reason() {
        let denied = r#"{"__type": "AccessDeniedException", "message": "not authorized to perform ssm:GetParameter"}"#;
        let (config, _) = replay("http://127.0.0.1:5000", &[(400, denied)]);
        let settings = settings(Some("/rez/dev/ntfy-token"), None);
        let err = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings)
            .get()
            .await
            .unwrap_err();
        match err {
            SecretsError::Unreadable { name, reason } => {
                assert_eq!(name, "/rez/dev/ntfy-token");
                assert!(reason.contains("AccessDenied"), "{reason}");
            }
            other => panic!("expected unreadable, got {other:?}"),
        }
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let secrets = Secrets {
            ntfy_url: Some("https://ntfy.sh/secret-topic".into()),
            ntfy_token: Some("tk_secret".into()),
            api_key: None,
        };
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<redacted>") && shown.contains("api_key: None"));
    }
}
