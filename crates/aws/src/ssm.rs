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
    /// All configured parameters are read with one `GetParameters` call (at
    /// most three names; SSM takes ten), so a cold start pays one round trip
    /// however many secrets the function needs.
    ///
    /// # Errors
    /// [`SecretsError::NotFound`] naming the first configured parameter that
    /// does not exist, or [`SecretsError::Unreadable`] naming the parameters
    /// the call asked for when it failed.
    pub async fn get(&self) -> Result<Secrets, SecretsError> {
        self.cache
            .get_or_try_init(|| async {
                let names: Vec<&str> = [
                    &self.ntfy_url_parameter,
                    &self.ntfy_token_parameter,
                    &self.api_key_parameter,
                ]
                .into_iter()
                .filter_map(|name| name.as_deref())
                .collect();
                let read = self.read(&names).await?;
                Ok(Secrets {
                    ntfy_url: read.value(self.ntfy_url_parameter.as_deref())?,
                    ntfy_token: read.value(self.ntfy_token_parameter.as_deref())?,
                    api_key: read.value(self.api_key_parameter.as_deref())?,
                })
            })
            .await
            .cloned()
    }

    /// One `GetParameters` call for `names` (none when nothing is configured).
    async fn read(&self, names: &[&str]) -> Result<Read, SecretsError> {
        let mut unique: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            if !unique.iter().any(|seen| seen == name) {
                unique.push((*name).to_owned());
            }
        }
        if unique.is_empty() {
            return Ok(Read::default());
        }
        let output = self
            .client
            .get_parameters()
            .set_names(Some(unique.clone()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| SecretsError::Unreadable {
                name: unique.join(", "),
                reason: describe(&e),
            })?;
        // The answer's order is not the request's: report the first missing
        // name in the order the fields are configured.
        let invalid = output.invalid_parameters();
        if let Some(missing) = unique.iter().find(|name| invalid.contains(name)) {
            return Err(SecretsError::NotFound {
                name: missing.clone(),
            });
        }
        tracing::debug!(parameters = unique.len(), "read ssm parameters");
        Ok(Read {
            parameters: output.parameters.unwrap_or_default(),
        })
    }
}

/// The parameters one `GetParameters` call returned.
#[derive(Default)]
struct Read {
    parameters: Vec<aws_sdk_ssm::types::Parameter>,
}

impl Read {
    /// The value of the parameter a request named `name` (a name, a name with
    /// a `:version` or `:label` selector, or an ARN); `None` when not configured.
    fn value(&self, name: Option<&str>) -> Result<Option<String>, SecretsError> {
        let Some(name) = name else {
            return Ok(None);
        };
        self.parameters
            .iter()
            .find(|p| {
                let named = p.name() == Some(name) || p.arn() == Some(name);
                let selected = match (p.name(), p.selector()) {
                    (Some(n), Some(s)) => name.strip_prefix(n) == Some(s),
                    _ => false,
                };
                named || selected
            })
            .and_then(|p| p.value())
            .map(|value| Some(value.to_owned()))
            .ok_or_else(|| SecretsError::Unreadable {
                name: name.to_owned(),
                reason: "the answer carried no value for it".to_owned(),
            })
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
            queue_url: None,
            dlq_url: None,
            execution_log_group: None,
            cors_origins: Vec::new(),
            schedule_target: None,
            configuration_schedule: None,
            stage: rez_core::Stage::Dev,
        }
    }

    fn settings_all(url: &str, token: &str, api_key: &str) -> AwsSettings {
        AwsSettings {
            ntfy_url_parameter: Some(url.to_owned()),
            ..settings(Some(token), Some(api_key))
        }
    }

    #[tokio::test]
    async fn parameters_are_read_with_decryption_once_per_container() {
        let (config, http) = replay(
            "http://127.0.0.1:5000",
            &[(
                200,
                r#"{"Parameters": [{"Name": "/rez/dev/api-key", "Type": "SecureString", "Value": "k"}], "InvalidParameters": []}"#,
            )],
        );
        let settings = settings(None, Some("/rez/dev/api-key"));
        let secrets = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings);
        assert_eq!(secrets.get().await.unwrap().api_key.as_deref(), Some("k"));
        assert_eq!(secrets.get().await.unwrap().api_key.as_deref(), Some("k"));
        let sent = requests(&http);
        assert_eq!(sent.len(), 1, "read once, then cached");
        assert_eq!(sent[0].target, "AmazonSSM.GetParameters");
        assert_eq!(
            sent[0].json(),
            serde_json::json!({"Names": ["/rez/dev/api-key"], "WithDecryption": true})
        );
    }

    #[tokio::test]
    async fn every_configured_parameter_is_read_in_one_call() {
        // SSM answers in its own order, not the request's.
        let (config, http) = replay(
            "http://127.0.0.1:5000",
            &[(
                200,
                r#"{"Parameters": [
                    {"Name": "/rez/dev/api-key", "Type": "SecureString", "Value": "k"},
                    {"Name": "/rez/dev/ntfy-token", "Type": "SecureString", "Value": "tk"},
                    {"Name": "/rez/dev/ntfy-url", "Type": "String", "Value": "https://ntfy.example/t"}
                ], "InvalidParameters": []}"#,
            )],
        );
        let settings = settings_all(
            "/rez/dev/ntfy-url",
            "/rez/dev/ntfy-token",
            "/rez/dev/api-key",
        );
        let secrets = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings)
            .get()
            .await
            .unwrap();
        assert_eq!(
            secrets,
            Secrets {
                ntfy_url: Some("https://ntfy.example/t".into()),
                ntfy_token: Some("tk".into()),
                api_key: Some("k".into()),
            }
        );
        let sent = requests(&http);
        assert_eq!(sent.len(), 1, "one round trip for all three");
        assert_eq!(
            sent[0].json(),
            serde_json::json!({
                "Names": ["/rez/dev/ntfy-url", "/rez/dev/ntfy-token", "/rez/dev/api-key"],
                "WithDecryption": true
            })
        );
    }

    #[tokio::test]
    async fn nothing_configured_reads_nothing() {
        let (config, http) = replay("http://127.0.0.1:5000", &[]);
        let secrets = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings(None, None))
            .get()
            .await
            .unwrap();
        assert_eq!(secrets, Secrets::default());
        assert!(requests(&http).is_empty());
    }

    #[tokio::test]
    async fn a_missing_parameter_is_not_found_naming_the_first_one_and_is_not_cached() {
        let (config, http) = replay(
            "http://127.0.0.1:5000",
            &[
                (
                    200,
                    r#"{"Parameters": [{"Name": "/rez/dev/ntfy-url", "Type": "String", "Value": "u"}],
                        "InvalidParameters": ["/rez/dev/api-key", "/rez/dev/ntfy-token"]}"#,
                ),
                (
                    200,
                    r#"{"Parameters": [
                        {"Name": "/rez/dev/ntfy-url", "Type": "String", "Value": "u"},
                        {"Name": "/rez/dev/ntfy-token", "Type": "SecureString", "Value": "tk"},
                        {"Name": "/rez/dev/api-key", "Type": "SecureString", "Value": "k"}
                    ], "InvalidParameters": []}"#,
                ),
            ],
        );
        let settings = settings_all(
            "/rez/dev/ntfy-url",
            "/rez/dev/ntfy-token",
            "/rez/dev/api-key",
        );
        let secrets = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings);
        assert_eq!(
            secrets.get().await.unwrap_err(),
            SecretsError::NotFound {
                name: "/rez/dev/ntfy-token".into()
            },
            "the first missing one in the configured order"
        );
        assert_eq!(secrets.get().await.unwrap().api_key.as_deref(), Some("k"));
        assert_eq!(requests(&http).len(), 2, "the failure was not cached");
    }

    #[tokio::test]
    async fn an_unreadable_parameter_names_it_and_the_reason() {
        let denied = r#"{"__type": "AccessDeniedException", "message": "not authorized to perform ssm:GetParameters"}"#;
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

    #[tokio::test]
    async fn a_failed_call_for_several_names_them_all() {
        let denied = r#"{"__type": "AccessDeniedException", "message": "not authorized"}"#;
        let (config, _) = replay("http://127.0.0.1:5000", &[(400, denied)]);
        let settings = settings(Some("/rez/dev/ntfy-token"), Some("/rez/dev/api-key"));
        let err = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings)
            .get()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, SecretsError::Unreadable { name, .. } if name == "/rez/dev/ntfy-token, /rez/dev/api-key"),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_parameter_read_by_label_or_arn_is_found() {
        let (config, _) = replay(
            "http://127.0.0.1:5000",
            &[(
                200,
                r#"{"Parameters": [
                    {"Name": "/rez/dev/ntfy-token", "Selector": ":prod", "Type": "SecureString", "Value": "tk"},
                    {"Name": "/rez/dev/api-key", "ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/rez/dev/api-key", "Type": "SecureString", "Value": "k"}
                ], "InvalidParameters": []}"#,
            )],
        );
        let settings = settings(
            Some("/rez/dev/ntfy-token:prod"),
            Some("arn:aws:ssm:us-east-1:123456789012:parameter/rez/dev/api-key"),
        );
        let secrets = SsmSecrets::new(aws_sdk_ssm::Client::new(&config), &settings)
            .get()
            .await
            .unwrap();
        assert_eq!(
            (secrets.ntfy_token.as_deref(), secrets.api_key.as_deref()),
            (Some("tk"), Some("k"))
        );
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
