//! Secrets from SSM: SecureString decryption, caching, clear errors.

use aws_sdk_ssm::types::ParameterType;
use rez_aws::{AwsSettings, SecretsError, SsmSecrets};
use rez_core::Stage;

use crate::helpers::{TestResult, sdk_config, unique};

fn settings(url: Option<&str>, token: Option<&str>, key: Option<&str>) -> AwsSettings {
    AwsSettings {
        table_name: "t".into(),
        topic_arn: None,
        state_machine_arn: None,
        ntfy_url_parameter: url.map(str::to_owned),
        ntfy_token_parameter: token.map(str::to_owned),
        api_key_parameter: key.map(str::to_owned),
        queue_url: None,
        dlq_url: None,
        execution_log_group: None,
        cors_origins: Vec::new(),
        schedule_target: None,
        configuration_schedule: None,
        stage: Stage::Dev,
    }
}

async fn put(
    ssm: &aws_sdk_ssm::Client,
    name: &str,
    value: &str,
    kind: ParameterType,
) -> TestResult {
    ssm.put_parameter()
        .name(name)
        .value(value)
        .r#type(kind)
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn secure_strings_are_decrypted_and_read_once_per_container() -> TestResult {
    let ssm = aws_sdk_ssm::Client::new(&sdk_config());
    let root = format!("/{}", unique("rez"));
    let (url, token, key) = (
        format!("{root}/ntfy-url"),
        format!("{root}/ntfy-token"),
        format!("{root}/api-key"),
    );
    put(
        &ssm,
        &url,
        "https://ntfy.example/alerts",
        ParameterType::String,
    )
    .await?;
    put(&ssm, &token, "tk_secret_token", ParameterType::SecureString).await?;
    put(&ssm, &key, "api-secret-key", ParameterType::SecureString).await?;

    let secrets = SsmSecrets::new(ssm.clone(), &settings(Some(&url), Some(&token), Some(&key)));
    let first = secrets.get().await?;
    assert_eq!(
        first.ntfy_url.as_deref(),
        Some("https://ntfy.example/alerts")
    );
    assert_eq!(first.ntfy_token.as_deref(), Some("tk_secret_token"));
    assert_eq!(first.api_key.as_deref(), Some("api-secret-key"));

    // Cached: a changed parameter is not read again by this container.
    ssm.delete_parameter().name(&token).send().await?;
    assert_eq!(secrets.get().await?, first);
    Ok(())
}

#[tokio::test]
async fn parameters_that_are_not_configured_are_none() -> TestResult {
    let ssm = aws_sdk_ssm::Client::new(&sdk_config());
    let secrets = SsmSecrets::new(ssm, &settings(None, None, None))
        .get()
        .await?;
    assert_eq!(
        (secrets.ntfy_url, secrets.ntfy_token, secrets.api_key),
        (None, None, None)
    );
    Ok(())
}

#[tokio::test]
async fn a_missing_parameter_is_an_error_naming_it_and_no_value() -> TestResult {
    let ssm = aws_sdk_ssm::Client::new(&sdk_config());
    let root = format!("/{}", unique("rez"));
    let url = format!("{root}/ntfy-url");
    put(
        &ssm,
        &url,
        "https://ntfy.example/hidden-topic",
        ParameterType::SecureString,
    )
    .await?;
    let missing = format!("{root}/api-key");
    let secrets = SsmSecrets::new(ssm.clone(), &settings(Some(&url), None, Some(&missing)));
    let err = secrets.get().await.unwrap_err();
    assert_eq!(
        err,
        SecretsError::NotFound {
            name: missing.clone()
        }
    );
    let text = err.to_string();
    assert!(
        text.contains(&missing) && !text.contains("hidden-topic"),
        "{text}"
    );

    // A failure is not cached: once the parameter exists, the next call reads it.
    put(&ssm, &missing, "k", ParameterType::SecureString).await?;
    assert_eq!(secrets.get().await?.api_key.as_deref(), Some("k"));
    Ok(())
}
