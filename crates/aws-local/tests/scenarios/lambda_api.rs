//! The Lambda API as the SDKs and the CLI call it on the AWS endpoint.

use serde_json::{Value, json};

use crate::support::{function_name, start};

async fn invoke(edge: &str, function: &str, qualifier: &str) -> (String, Option<String>) {
    let answer = reqwest::Client::new()
        .post(format!(
            "{edge}/2015-03-31/functions/{function}/invocations?Qualifier={qualifier}"
        ))
        .json(&json!({"message_id": "not-a-message"}))
        .send()
        .await
        .expect("the Invoke API answers");
    assert_eq!(answer.status(), 200);
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    (
        header("x-amz-executed-version").unwrap_or_default(),
        header("x-amz-function-error"),
    )
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn update_alias_shifts_the_alias_traffic_as_its_routing_weights_say() {
    let local = start().await;
    let edge = local.edge_url().to_owned();
    let function = function_name(&local, "load-message");
    let alias_url = format!("{edge}/2015-03-31/functions/{function}/aliases/live");
    let client = reqwest::Client::new();

    let alias: Value = client
        .get(&alias_url)
        .send()
        .await
        .expect("GetAlias")
        .json()
        .await
        .expect("JSON");
    assert_eq!(alias["FunctionVersion"], "1", "{alias}");
    let (version, error) = invoke(&edge, &function, "live").await;
    assert_eq!(version, "1");
    assert_eq!(
        error.as_deref(),
        Some("Unhandled"),
        "an unknown message id is a function error"
    );

    let updated: Value = client
        .put(&alias_url)
        .json(&json!({"RoutingConfig": {"AdditionalVersionWeights": {"$LATEST": 1.0}}}))
        .send()
        .await
        .expect("UpdateAlias")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        updated["RoutingConfig"]["AdditionalVersionWeights"]["$LATEST"], 1.0,
        "{updated}"
    );
    for _ in 0..3 {
        assert_eq!(invoke(&edge, &function, "live").await.0, "$LATEST");
    }

    let refused = client
        .put(&alias_url)
        .json(&json!({"RoutingConfig": {"AdditionalVersionWeights": {"$LATEST": 1.5}}}))
        .send()
        .await
        .expect("UpdateAlias");
    assert_eq!(refused.status(), 400);
    let missing = client
        .post(format!(
            "{edge}/2015-03-31/functions/no-such-function/invocations"
        ))
        .json(&json!({}))
        .send()
        .await
        .expect("Invoke");
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("ResourceNotFoundException")
    );
    local.shutdown().await;
}
