use super::*;
use serde_json::json;

/// A mock file in the shape of the example in AWS's "Configuration file for
/// mocked service integrations" (Step Functions Local), unchanged format.
const SAMPLE: &str = include_str!("MockConfigFile.json");

fn context(state: &str) -> TaskContext<'_> {
    TaskContext {
        state_name: state,
        execution_id: "e",
        retry_count: 0,
        context_object: Value::Null.into(),
        timeout_seconds: None,
    }
}

fn error_of(result: Result<Value, TaskFailure>) -> Option<String> {
    result.err().map(|f| f.error)
}

#[tokio::test]
async fn retry_path_answers_by_invocation_index_range() -> Result<(), MockError> {
    let handler = MockConfig::from_json(SAMPLE)?.handler("LambdaSQSIntegration", "RetryPath")?;
    let lambda = context("LambdaState");
    let mut errors = Vec::new();
    for _ in 0..3 {
        errors.push(error_of(handler.invoke("arn", json!({}), &lambda).await));
    }
    assert_eq!(
        errors,
        [
            Some("Lambda.ResourceNotReadyException".to_string()),
            Some("Lambda.TimeoutException".to_string()),
            Some("Lambda.TimeoutException".to_string()),
        ]
    );
    let fourth = handler.invoke("arn", json!({}), &lambda).await;
    assert_eq!(
        fourth.ok().and_then(|v| v.get("StatusCode").cloned()),
        Some(json!(200))
    );
    let fifth = handler.invoke("arn", json!({}), &lambda).await;
    assert_eq!(error_of(fifth).as_deref(), Some(MOCK_NO_RESPONSE));
    Ok(())
}

#[tokio::test]
async fn states_the_test_case_leaves_out_fail_or_go_to_the_fallback() -> Result<(), MockError> {
    let config = MockConfig::from_json(SAMPLE)?;
    let hybrid = config.handler("LambdaSQSIntegration", "HybridPath")?;
    let sqs = context("SQSState");
    let result = hybrid.invoke("arn", json!({}), &sqs).await;
    assert_eq!(error_of(result).as_deref(), Some(MOCK_NOT_MOCKED));

    let echo = MockHandler::new(HashMap::new());
    let echo = Arc::new(
        echo.with_fallback(Arc::new(MockHandler::new(HashMap::from([(
            "SQSState".to_string(),
            MockedResponse::always(MockedResult::Return(json!("fallback"))),
        )])))),
    );
    let hybrid = config
        .handler("LambdaSQSIntegration", "HybridPath")?
        .with_fallback(echo);
    assert_eq!(
        hybrid.invoke("arn", json!({}), &sqs).await,
        Ok(json!("fallback"))
    );
    Ok(())
}

#[test]
fn unknown_test_cases_and_bad_files_are_errors() {
    let config = MockConfig::from_json(SAMPLE);
    assert!(matches!(
        config
            .as_ref()
            .map(|c| c.handler("LambdaSQSIntegration", "Nope")),
        Ok(Err(MockError::UnknownTestCase { .. }))
    ));
    assert_eq!(
        config
            .map(|c| c.test_cases("LambdaSQSIntegration").join(","))
            .ok(),
        Some("HappyPath,HybridPath,RetryPath".to_string())
    );
    for bad in [
        r#"{"MockedResponses": {"R": {"x": {"Return": 1}}}}"#,
        r#"{"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}"#,
        r#"{"MockedResponses": {"R": {"2-1": {"Return": 1}}}}"#,
        r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}}}"#,
        "not json",
    ] {
        assert!(
            matches!(MockConfig::from_json(bad), Err(MockError::Invalid(_))),
            "{bad}"
        );
    }
}
