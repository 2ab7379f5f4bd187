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
async fn a_weighted_alias_sends_its_share_of_invocations_to_the_published_canary() {
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

    // A canary: version 2 published, the alias on 1 with a quarter of its
    // invocations sent to 2.
    let published: Value = client
        .post(format!("{edge}/2015-03-31/functions/{function}/versions"))
        .send()
        .await
        .expect("PublishVersion")
        .json()
        .await
        .expect("JSON");
    assert_eq!(published["Version"], "2", "{published}");
    let updated: Value = client
        .put(&alias_url)
        .json(&json!({"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.25}}}))
        .send()
        .await
        .expect("UpdateAlias")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        updated["RoutingConfig"]["AdditionalVersionWeights"]["2"], 0.25,
        "{updated}"
    );
    let invocations = 400;
    let mut on_new = 0;
    for _ in 0..invocations {
        match invoke(&edge, &function, "live").await.0.as_str() {
            "2" => on_new += 1,
            "1" => {}
            other => panic!("the alias ran version {other}"),
        }
    }
    // 100 expected; 60..=140 is more than four standard deviations (8.7)
    // either side, so a fair draw fails this about once in 100,000 runs.
    assert!(
        (60..=140).contains(&on_new),
        "{on_new} of {invocations} invocations ran the canary"
    );
    // Promoted: the alias on 2, no weights; every invocation runs 2.
    client
        .put(&alias_url)
        .json(&json!({"FunctionVersion": "2", "RoutingConfig": {"AdditionalVersionWeights": {}}}))
        .send()
        .await
        .expect("UpdateAlias");
    for _ in 0..3 {
        assert_eq!(invoke(&edge, &function, "live").await.0, "2");
    }

    for refused_weights in [json!({"2": 1.5}), json!({"$LATEST": 0.1})] {
        let refused = client
            .put(&alias_url)
            .json(&json!({"RoutingConfig": {"AdditionalVersionWeights": refused_weights}}))
            .send()
            .await
            .expect("UpdateAlias");
        assert_eq!(refused.status(), 400, "{refused_weights}");
    }
    let unknown = client
        .put(&alias_url)
        .json(&json!({"FunctionVersion": "9"}))
        .send()
        .await
        .expect("UpdateAlias");
    assert_eq!(unknown.status(), 404);
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
