//! A function that cannot start says why through `/init/error` and exits.

use rez_lambda_harness::WAIT;

use crate::helpers::{DLQ_URL, QUEUE_URL, closed_endpoint, start};

const FUNCTIONS: [&str; 6] = [
    "scheduler",
    "processor",
    "webapi",
    "load-message",
    "send-notification",
    "record-status",
];

/// Starts `name` with `env`, and returns the init error's message after
/// checking its type and that the process ended.
async fn init_error(name: &str, env: &[(&str, &str)]) -> anyhow::Result<String> {
    let (api, mut function) = start(name, env.iter().copied()).await?;
    let reported = api
        .init_error(WAIT)
        .await
        .map_err(|e| function.with_log(e))?;
    assert_eq!(reported.error_type, "Runtime.InitError", "{name}");
    assert_eq!(
        reported.header_error_type.as_deref(),
        Some("Runtime.InitError"),
        "{name}"
    );
    let status = function.exit(WAIT).await?;
    assert!(!status.success(), "{name} exited with {status}");
    assert_eq!(
        api.next_calls(),
        0,
        "{name} asked for an event after failing its init"
    );
    Ok(reported.error_message)
}

#[tokio::test]
async fn every_function_without_a_table_name_reports_an_init_error_naming_it() -> anyhow::Result<()>
{
    for name in FUNCTIONS {
        let message = init_error(name, &[]).await?;
        assert_eq!(
            message,
            "reading the function's settings: environment variable REZ_TABLE_NAME is required but not set",
            "{name}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn each_function_names_the_setting_only_it_needs() -> anyhow::Result<()> {
    let table = ("REZ_TABLE_NAME", "rez-agent-messages-dev");
    let topic = (
        "REZ_TOPIC_ARN",
        "arn:aws:sns:us-east-1:123456789012:rez-agent-messages-dev",
    );
    let queue = ("REZ_QUEUE_URL", QUEUE_URL);
    let dlq = ("REZ_DLQ_URL", DLQ_URL);
    let state_machine = (
        "REZ_STATE_MACHINE_ARN",
        "arn:aws:states:us-east-1:123456789012:stateMachine:rez-agent-notification-dev",
    );
    for (name, env, missing) in [
        ("processor", vec![table], "REZ_STATE_MACHINE_ARN"),
        ("scheduler", vec![table], "REZ_TOPIC_ARN"),
        ("webapi", vec![table], "REZ_TOPIC_ARN"),
        ("webapi", vec![table, topic], "REZ_QUEUE_URL"),
        ("webapi", vec![table, topic, queue], "REZ_DLQ_URL"),
        (
            "webapi",
            vec![table, topic, queue, dlq],
            "REZ_EXECUTION_LOG_GROUP",
        ),
        ("scheduler", vec![table, topic], "REZ_QUEUE_URL"),
        ("processor", vec![table, state_machine], "REZ_QUEUE_URL"),
        ("send-notification", vec![table], "REZ_NTFY_URL_PARAMETER"),
    ] {
        let message = init_error(name, &env).await?;
        assert!(message.contains(missing), "{name}: {message}");
    }
    Ok(())
}

#[tokio::test]
async fn an_unreadable_parameter_fails_the_init_and_names_the_parameter() -> anyhow::Result<()> {
    // The webapi starts without its key instead, answering 503 (`webapi.rs`).
    let endpoint = closed_endpoint().await?;
    let message = init_error(
        "send-notification",
        &[
            ("REZ_TABLE_NAME", "rez-agent-messages-dev"),
            ("REZ_NTFY_URL_PARAMETER", "/rez-agent/dev/secret"),
            ("AWS_ENDPOINT_URL", &endpoint),
        ],
    )
    .await?;
    assert!(message.contains("/rez-agent/dev/secret"), "{message}");
    assert!(message.contains("SSM"), "{message}");
    Ok(())
}

#[tokio::test]
async fn an_invalid_stage_fails_the_init() -> anyhow::Result<()> {
    let message = init_error(
        "load-message",
        &[
            ("REZ_TABLE_NAME", "rez-agent-messages-dev"),
            ("REZ_STAGE", "qa"),
        ],
    )
    .await?;
    assert!(message.contains("REZ_STAGE"), "{message}");
    Ok(())
}
