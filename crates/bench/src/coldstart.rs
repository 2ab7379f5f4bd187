//! Lambda cold start: each of the six bootstraps started as Lambda starts
//! it, against the local Runtime API of `rez-lambda-harness`, with the AWS
//! SDK pointed at moto on loopback (as production points it at AWS).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use rez_lambda_harness::{Moto, Outcome, RuntimeApi, lambda_command};

use crate::common::{self, NtfyStub, met};
use crate::stats::median;

/// Flags of `rez-bench coldstart`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Starts per function (median reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Where the zips are (`<dir>/<function>.zip`).
    #[arg(long, default_value = "build")]
    zips: PathBuf,
    /// Where to write the Markdown report.
    #[arg(long)]
    out: Option<PathBuf>,
}

const TABLE: &str = "rez-agent-messages-dev";
const API_KEY_PARAMETER: &str = "/rez-agent/dev/api-key";
const NTFY_URL_PARAMETER: &str = "/rez-agent/dev/ntfy-url";
const STATE_MACHINE: &str =
    "arn:aws:states:us-east-1:123456789012:stateMachine:rez-agent-notification-dev";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../lambda-harness/tests/data/",
            $name
        ))
    };
}

/// The six functions and the event of their first invocation.
const FUNCTIONS: [(&str, &str); 6] = [
    ("scheduler", fixture!("scheduler-event.json")),
    ("processor", fixture!("sqs-sns-raw-batch.json")),
    ("webapi", fixture!("apigw-v2-post-messages.json")),
    ("load-message", fixture!("task-load-message.json")),
    ("send-notification", fixture!("task-send-notification.json")),
    ("record-status", fixture!("task-record-success.json")),
];

/// One start of one function.
#[derive(Debug, Clone)]
struct Start {
    init_ms: f64,
    first_ms: f64,
    second_ms: f64,
    hwm_mb: f64,
    outcome: String,
}

/// Runs the benchmark and writes its report.
pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    let moto = Moto::start()
        .await
        .context("starting moto (scripts/setup-python.sh)")?;
    let stub = NtfyStub::start().await?;
    let topic_arn = seed_moto(moto.endpoint(), &format!("{}/bench", stub.base())).await?;
    let mut env: Vec<(String, String)> = moto.env();
    env.extend(
        [
            ("REZ_TABLE_NAME", TABLE),
            ("REZ_STAGE", "dev"),
            ("REZ_TOPIC_ARN", topic_arn.as_str()),
            ("REZ_API_KEY_PARAMETER", API_KEY_PARAMETER),
            ("REZ_NTFY_URL_PARAMETER", NTFY_URL_PARAMETER),
            ("REZ_STATE_MACHINE_ARN", STATE_MACHINE),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let mut rows = Vec::new();
    for (name, event) in FUNCTIONS {
        let binary = binary(name).with_context(|| format!("no built bootstrap for {name}"))?;
        let event: serde_json::Value = serde_json::from_str(event)?;
        let mut starts = Vec::new();
        for i in 0..args.runs.max(1) {
            let start = start(&binary, name, &env, &event)
                .await
                .with_context(|| format!("{name}, start {}", i + 1))?;
            eprintln!("coldstart {name} {}: {start:?}", i + 1);
            starts.push(start);
        }
        rows.push((name, binary, starts));
    }
    common::write_report(args.out.as_deref(), &report(&args, &rows))
}

/// The size-optimised build if there is one, else the release build.
fn binary(name: &str) -> Option<PathBuf> {
    [
        PathBuf::from(format!("target/x86_64-unknown-linux-gnu/lambda/{name}")),
        PathBuf::from(format!("target/lambda-x86_64/{name}/bootstrap")),
        PathBuf::from(format!("target/lambda/{name}/bootstrap")),
        PathBuf::from(format!("target/release/{name}")),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

async fn start(
    binary: &Path,
    name: &str,
    env: &[(String, String)],
    event: &serde_json::Value,
) -> anyhow::Result<Start> {
    let api = RuntimeApi::start().await?;
    let mut command = lambda_command(binary, name, &api, "INFO");
    command
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let exec = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let pid = child.id().context("the bootstrap exited at once")?;
    api.wait_next_calls(1, Duration::from_secs(30)).await?;
    let init = exec.elapsed();
    let invoked = Instant::now();
    let outcome = api.call(event, Duration::from_secs(30)).await?;
    let first = invoked.elapsed();
    let invoked = Instant::now();
    api.call(event, Duration::from_secs(30)).await?;
    let second = invoked.elapsed();
    let hwm_mb = common::memory(pid)?.hwm_mb;
    child.kill().await?;
    let outcome = match outcome {
        Outcome::Response(v) => match v.get("statusCode") {
            Some(code) => format!("response, HTTP {code}"),
            None if v.get("batchItemFailures").is_some() => format!(
                "response, {} batch item failures",
                v["batchItemFailures"].as_array().map_or(0, Vec::len)
            ),
            None => "response".to_owned(),
        },
        Outcome::Error(e) => format!("error {}", e.error_type),
    };
    Ok(Start {
        init_ms: init.as_secs_f64() * 1000.0,
        first_ms: first.as_secs_f64() * 1000.0,
        second_ms: second.as_secs_f64() * 1000.0,
        hwm_mb,
        outcome,
    })
}

/// Creates the table, the topic and the parameters in moto with plain HTTP
/// (moto does not check signatures; the header names the service and region).
/// Returns the topic's ARN.
async fn seed_moto(endpoint: &str, ntfy_url: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::new();
    let auth = |service: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
        )
    };
    let attribute = |name: &str| serde_json::json!({"AttributeName": name, "AttributeType": "S"});
    let key = |name: &str, kind: &str| serde_json::json!({"AttributeName": name, "KeyType": kind});
    let index = |name: &str, hash: &str| {
        serde_json::json!({
            "IndexName": name,
            "KeySchema": [key(hash, "HASH"), key("created_date", "RANGE")],
            "Projection": {"ProjectionType": "ALL"},
        })
    };
    let table = serde_json::json!({
        "TableName": TABLE,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [key("id", "HASH"), key("created_date", "RANGE")],
        "AttributeDefinitions": [attribute("id"), attribute("created_date"), attribute("stage"), attribute("status")],
        "GlobalSecondaryIndexes": [
            index("stage-created_date-index", "stage"),
            index("status-created_date-index", "status"),
        ],
    });
    let response = client
        .post(endpoint)
        .header("x-amz-target", "DynamoDB_20120810.CreateTable")
        .header("content-type", "application/x-amz-json-1.0")
        .header("authorization", auth("dynamodb"))
        .body(table.to_string())
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "CreateTable: {}",
        response.text().await?
    );
    let response = client
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", auth("sns"))
        .body(format!(
            "Action=CreateTopic&Name={TABLE}&Version=2010-03-31"
        ))
        .send()
        .await?;
    let text = response.text().await?;
    let topic_arn = text
        .split("<TopicArn>")
        .nth(1)
        .and_then(|rest| rest.split("</TopicArn>").next())
        .with_context(|| format!("CreateTopic answered {text}"))?
        .to_owned();
    for (name, value, kind) in [
        (API_KEY_PARAMETER, "test-api-key", "SecureString"),
        (NTFY_URL_PARAMETER, ntfy_url, "String"),
    ] {
        let response = client
            .post(endpoint)
            .header("x-amz-target", "AmazonSSM.PutParameter")
            .header("content-type", "application/x-amz-json-1.1")
            .header("authorization", auth("ssm"))
            .body(serde_json::json!({"Name": name, "Value": value, "Type": kind}).to_string())
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "PutParameter: {}",
            response.text().await?
        );
    }
    Ok(topic_arn)
}

fn report(args: &Args, rows: &[(&str, PathBuf, Vec<Start>)]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Lambda cold start of the six bootstraps\n");
    let _ = writeln!(
        s,
        "- Command: `target/release/rez-bench coldstart --runs {}`",
        args.runs
    );
    let _ = writeln!(s, "- Date: {}", common::now_utc());
    let _ = writeln!(s, "- Machine: {}", common::machine());
    let _ = writeln!(
        s,
        "- Each start: a fresh `rez_lambda_harness::RuntimeApi` on loopback; the bootstrap exec'd with the variables Lambda sets (128 MB, `AWS_LAMBDA_LOG_LEVEL=INFO`) and `AWS_ENDPOINT_URL` = moto on loopback (table, topic and SSM parameters created first). Init = exec → its first `GET /2018-06-01/runtime/invocation/next`. First invocation = event queued → its answer (includes its calls to moto, a Python server, and to the ntfy stub). Second = the same event again (warm). Peak RSS = `VmHWM` after both invocations. Events: the harness's fixtures (crates/lambda-harness/tests/data/).\n"
    );
    let _ = writeln!(
        s,
        "| function | binary | zip | init ms (median; runs) | first invocation ms (median) | second (warm) ms (median) | peak RSS MB (median) | first outcome |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    let (mut worst_zip, mut worst_init, mut worst_hwm) = (0.0f64, 0.0f64, 0.0f64);
    for (name, binary, starts) in rows {
        let med = |f: fn(&Start) -> f64| median(&starts.iter().map(f).collect::<Vec<_>>());
        let zip = args.zips.join(format!("{name}.zip"));
        // Decimal megabytes (10^6 bytes), the unit of the 3 MB goal.
        let zip_mb = std::fs::metadata(&zip).map_or(f64::NAN, |m| m.len() as f64 / 1e6);
        let zip_date = std::process::Command::new("date")
            .arg("-u")
            .arg("-r")
            .arg(&zip)
            .arg("+%H:%MZ")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let binary_mb = std::fs::metadata(binary).map_or(0.0, |m| m.len() as f64 / 1e6);
        let runs: Vec<String> = starts.iter().map(|x| format!("{:.1}", x.init_ms)).collect();
        worst_zip = worst_zip.max(zip_mb);
        worst_init = worst_init.max(med(|x| x.init_ms));
        worst_hwm = worst_hwm.max(med(|x| x.hwm_mb));
        let _ = writeln!(
            s,
            "| {name} | `{}` ({binary_mb:.1} MB) | {zip_mb:.3} MB (built {zip_date}) | **{:.1}** ({}) | {:.1} | {:.1} | {:.1} | {} |",
            binary.display(),
            med(|x| x.init_ms),
            runs.join(", "),
            med(|x| x.first_ms),
            med(|x| x.second_ms),
            med(|x| x.hwm_mb),
            starts.first().map_or("", |x| x.outcome.as_str()),
        );
    }
    let _ = writeln!(
        s,
        "\nGoals: every zip < 3 MB: **{}** (largest {worst_zip:.3} MB = 10^6 bytes); init < 15 ms: **{}** (slowest median {worst_init:.1} ms); peak memory < 40 MB: **{}** (largest median {worst_hwm:.1} MB).",
        met(worst_zip < 3.0),
        met(worst_init < 15.0),
        met(worst_hwm < 40.0)
    );
    s
}
