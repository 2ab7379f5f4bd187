//! Starting a bootstrap, a moto world for it, and reading fixtures.

use std::fmt::Debug;
use std::sync::Once;

use anyhow::Context;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_ssm::types::ParameterType;
use rez_core::Stage;
use rez_lambda_harness::{Function, Moto, Outcome, RuntimeApi, WAIT};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The API key the webapi's SSM parameter holds, and the fixtures send.
pub(crate) const API_KEY: &str = "test-api-key";
/// The table every moto world creates.
pub(crate) const TABLE: &str = "rez-agent-messages-dev";

/// A fixture from `tests/data/`, compiled in.
#[macro_export]
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/", $name))
    };
}

/// Shows the harness's own tracing when `TEST_LOG` is set.
pub(crate) fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt().with_test_writer().init();
        }
    });
}

/// Parses `json` as `T`, writes it back and parses that again; both must be equal.
pub(crate) fn round_trip<T>(name: &str, json: &str) -> anyhow::Result<T>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let first: T = serde_json::from_str(json).with_context(|| format!("parsing {name}"))?;
    let written = serde_json::to_string(&first)?;
    let again: T = serde_json::from_str(&written).with_context(|| format!("reparsing {name}"))?;
    anyhow::ensure!(
        first == again,
        "{name} changed in the round trip:\n{first:?}\n{again:?}"
    );
    Ok(first)
}

/// A fixture as JSON.
pub(crate) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("a fixture is not JSON: {e}"))
}

/// The bootstrap `name` started against its own Runtime API, with `env`.
pub(crate) async fn start<K, V>(
    name: &str,
    env: impl IntoIterator<Item = (K, V)>,
) -> anyhow::Result<(RuntimeApi, Function)>
where
    K: AsRef<std::ffi::OsStr>,
    V: AsRef<std::ffi::OsStr>,
{
    init_tracing();
    let api = RuntimeApi::start().await?;
    let function = Function::spawn(name, &api, env)?;
    Ok((api, function))
}

/// Invokes `function` with `event` and returns what it answered, with the
/// function's log in the error when it does not answer.
pub(crate) async fn call(
    api: &RuntimeApi,
    function: &Function,
    event: &Value,
) -> anyhow::Result<Outcome> {
    api.call(event, WAIT)
        .await
        .map_err(|e| function.with_log(e).into())
}

/// The response of an invocation that must have succeeded.
pub(crate) fn response(outcome: Outcome, function: &Function) -> anyhow::Result<Value> {
    match outcome {
        Outcome::Response(v) => Ok(v),
        Outcome::Error(e) => {
            anyhow::bail!("the function failed: {e:?}\nits log:\n{}", function.log())
        }
    }
}

/// An API Gateway v2 answer, read back from lambda_http's response.
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    /// `statusCode`.
    pub status: u16,
    /// The body, parsed as JSON.
    pub body: Value,
    /// The `content-type` header.
    pub content_type: Option<String>,
}

impl HttpAnswer {
    pub(crate) fn from_response(response: &Value) -> anyhow::Result<Self> {
        let status = response["statusCode"].as_u64().context("no statusCode")?;
        let text = response["body"].as_str().unwrap_or_default();
        anyhow::ensure!(
            response["isBase64Encoded"] != Value::Bool(true),
            "the API answered a binary body: {response}"
        );
        Ok(Self {
            status: u16::try_from(status)?,
            body: serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())),
            content_type: response["headers"]["content-type"]
                .as_str()
                .map(str::to_owned),
        })
    }
}

/// moto with the table, the topic and the SSM parameters the functions use.
pub(crate) struct AwsWorld {
    pub(crate) moto: Moto,
    pub(crate) config: SdkConfig,
    pub(crate) topic_arn: String,
    /// The queue the topic feeds, in moto.
    pub(crate) queue_url: String,
    /// Its dead-letter queue, in moto.
    pub(crate) dlq_url: String,
}

/// The queue URLs the functions are given where no test reaches the queues
/// (the functions read them at start-up and call SQS only on demand).
pub(crate) const QUEUE_URL: &str =
    "https://sqs.us-east-1.amazonaws.com/123456789012/rez-agent-notifications-dev";
/// The dead-letter queue's URL, as [`QUEUE_URL`].
pub(crate) const DLQ_URL: &str =
    "https://sqs.us-east-1.amazonaws.com/123456789012/rez-agent-notifications-dlq-dev";

/// SSM parameter names.
pub(crate) const API_KEY_PARAMETER: &str = "/rez-agent/dev/api-key";
pub(crate) const NTFY_URL_PARAMETER: &str = "/rez-agent/dev/ntfy-url";
/// The state machine's log group, where the webapi reads executions' histories.
pub(crate) const EXECUTION_LOG_GROUP: &str = "/aws/vendedlogs/states/rez-agent-notification-dev";

impl AwsWorld {
    /// Starts moto and creates the resources (`ntfy_url` goes into SSM).
    pub(crate) async fn start(ntfy_url: &str) -> anyhow::Result<Self> {
        init_tracing();
        let moto = Moto::start().await?;
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(moto.endpoint())
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "testing", "testing", None, None, "harness",
            ))
            .load()
            .await;
        create_table(&aws_sdk_dynamodb::Client::new(&config)).await?;
        let topic_arn = aws_sdk_sns::Client::new(&config)
            .create_topic()
            .name("rez-agent-messages-dev")
            .send()
            .await?
            .topic_arn
            .context("moto created a topic without an ARN")?;
        let sqs = aws_sdk_sqs::Client::new(&config);
        let mut urls = Vec::new();
        for name in [
            "rez-agent-notifications-dev",
            "rez-agent-notifications-dlq-dev",
        ] {
            urls.push(
                sqs.create_queue()
                    .queue_name(name)
                    .send()
                    .await?
                    .queue_url
                    .context("moto created a queue without a URL")?,
            );
        }
        let [queue_url, dlq_url] = <[String; 2]>::try_from(urls)
            .map_err(|_| anyhow::anyhow!("two queues were created"))?;
        let ssm = aws_sdk_ssm::Client::new(&config);
        for (name, value, kind) in [
            (API_KEY_PARAMETER, API_KEY, ParameterType::SecureString),
            (NTFY_URL_PARAMETER, ntfy_url, ParameterType::String),
        ] {
            ssm.put_parameter()
                .name(name)
                .value(value)
                .r#type(kind)
                .send()
                .await?;
        }
        Ok(Self {
            moto,
            config,
            topic_arn,
            queue_url,
            dlq_url,
        })
    }

    /// Every variable the six functions read, pointing at this world.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        let mut env = self.moto.env();
        env.extend(
            [
                ("REZ_TABLE_NAME", TABLE),
                ("REZ_STAGE", "dev"),
                ("REZ_TOPIC_ARN", &self.topic_arn),
                ("REZ_API_KEY_PARAMETER", API_KEY_PARAMETER),
                ("REZ_NTFY_URL_PARAMETER", NTFY_URL_PARAMETER),
                ("REZ_QUEUE_URL", &self.queue_url),
                ("REZ_DLQ_URL", &self.dlq_url),
                ("REZ_EXECUTION_LOG_GROUP", EXECUTION_LOG_GROUP),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        env
    }

    /// The message store the functions write, read through the same adapter.
    pub(crate) fn store(&self) -> rez_aws::DynamoMessageStore {
        rez_aws::DynamoMessageStore::new(
            aws_sdk_dynamodb::Client::new(&self.config),
            TABLE,
            Stage::Dev,
        )
    }
}

/// The message table as the infrastructure declares it.
async fn create_table(client: &aws_sdk_dynamodb::Client) -> anyhow::Result<()> {
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let index = |name: &str, hash: &str| -> anyhow::Result<GlobalSecondaryIndex> {
        Ok(GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash)?)
            .key_schema(key("created_date", KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()?)
    };
    client
        .create_table()
        .table_name(TABLE)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("id", KeyType::Hash)?)
        .key_schema(key("created_date", KeyType::Range)?)
        .attribute_definitions(attribute("id")?)
        .attribute_definitions(attribute("created_date")?)
        .attribute_definitions(attribute("stage")?)
        .attribute_definitions(attribute("status")?)
        .global_secondary_indexes(index(rez_aws::dynamo::STAGE_INDEX, "stage")?)
        .global_secondary_indexes(index(rez_aws::dynamo::STATUS_INDEX, "status")?)
        .send()
        .await?;
    Ok(())
}

/// An address nothing listens on: AWS calls to it fail at once.
pub(crate) async fn closed_endpoint() -> anyhow::Result<String> {
    let port = rez_lambda_harness::moto::free_port().await?;
    Ok(format!("http://127.0.0.1:{port}"))
}
