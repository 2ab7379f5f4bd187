//! Throughput of the run loop, in state transitions (states entered) per second.
//!
//! * `notification`: the peers' notification-shaped definition
//!   (`benches/notification.asl.json`, a copy of `bench/peers/notification.asl.json`
//!   in the shared material; `PEER_DEFINITION=<file>` reads another) with instant in-process tasks that
//!   return their Parameters, as `asl-throughput.mjs` does for aws-local-stepfunctions:
//!   one execution at a time, no waits, 4 states entered per execution, every output checked.
//! * `notification_all_cores`: the same executions, as many at a time as
//!   the machine has cores: one thread per core (kept for the whole bench),
//!   each with its own single-threaded runtime, claiming executions from
//!   one shared batch (16 at a time) until it is done; all sharing one
//!   parsed machine. This is the engine's throughput on the whole machine.
//!   `scripts/bench-states.sh` compares it with the peer's best use of the
//!   machine (one process at concurrency 1 or 16, or one process per core
//!   with their rates summed).
//! * `notification_jsonata` (and `_all_cores`): the same workflow written
//!   in JSONata (`benches/notification-jsonata.asl.json`: `Arguments` and
//!   `Output` in place of `Parameters`, `ResultSelector` and `ResultPath`),
//!   same tasks, same output checks.
//! * `map_1000` (and `_all_cores`): a Map over 1,000 items whose processor
//!   is Task → Pass (2,001 states entered per execution). Every execution
//!   runs on the same input, lent to it (`execute_borrowed`), as the peer's
//!   runner passes the same object to each execution: the timed work is the
//!   engine's, not a copy of the input made by the bench.
//!
//! All use `time_scale` 0, so nothing waits and no timer is armed.
//! `scripts/bench-states.sh` runs this next to the peer and prints the ratio.

// criterion_group! generates undocumented functions, and a benchmark
// harness whose setup is broken should stop loudly.
#![allow(missing_docs, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use criterion::{Criterion, Throughput, criterion_group};
use rez_states::value::{Arena, Json, NodeId};
use rez_states::{
    ExecutionOptions, ExecutionStatus, StateMachine, TaskContext, TaskFailure, TaskHandler,
};
use serde_json::{Value, json};

/// The allocator `rez-agent` runs the engine with (see crates/local's
/// main.rs), so the figures are the engine as shipped.
// The bench's own module, beside it (a crate root finds modules in its
// own directory, where cargo would take a file for another bench).
#[path = "engine/workers.rs"]
mod workers;

use workers::Workers;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Instant task: returns its input (the state's Parameters), like the peer's handlers.
struct Echo;

#[async_trait]
impl TaskHandler for Echo {
    async fn invoke(
        &self,
        _resource: &str,
        input: Value,
        _context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        Ok(input)
    }

    /// The engine's own entry point: the input is already in the
    /// execution's arena, so returning it is returning its id.
    async fn invoke_in(
        &self,
        _resource: &str,
        _values: &mut Arena,
        input: NodeId,
        _context: &TaskContext<'_>,
    ) -> Result<NodeId, TaskFailure> {
        Ok(input)
    }
}

/// Field `path` of a JSON value read in place.
fn field<'a>(value: Json<'a>, path: &[&str]) -> Option<Json<'a>> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

/// States entered per execution on the notification's happy path
/// (LoadMessage, AlreadyDelivered, SendNotification, RecordSuccess).
const NOTIFICATION_TRANSITIONS: u64 = 4;
const MAP_ITEMS: usize = 1_000;

/// The definition to run: `PEER_DEFINITION` when set, else the committed copy.
fn notification_definition() -> String {
    match std::env::var_os("PEER_DEFINITION") {
        Some(file) => std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "PEER_DEFINITION={}: {e}",
                std::path::Path::new(&file).display()
            )
        }),
        None => include_str!("notification.asl.json").to_owned(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

fn notification(c: &mut Criterion) {
    let machine = StateMachine::from_json(&notification_definition()).expect("definition");
    let options = ExecutionOptions::default()
        .with_name("bench")
        .with_time_scale(0.0);
    let rt = runtime();
    let mut i = 0u64;
    let mut group = c.benchmark_group("states");
    group.throughput(Throughput::Elements(NOTIFICATION_TRANSITIONS));
    group.bench_function("notification", |b| {
        // One async loop runs the whole batch, as the peer's runner does.
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    i += 1;
                    one_notification(&machine, &options, i).await;
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

/// Run one notification execution numbered `i` and check its output.
async fn one_notification(machine: &StateMachine, options: &ExecutionOptions, i: u64) {
    let input = json!({"messageId": format!("m-{i}"), "recipient": format!("user{i}@example.com")});
    let run = rez_states::execute(machine, input, &Echo, options).await;
    let ok = run.status == ExecutionStatus::Succeeded
        && run.output.as_ref().is_some_and(|o| {
            field(o.json(), &["record", "status"]).and_then(Json::as_str) == Some("SENT")
                && field(o.json(), &["send", "accepted"]).and_then(Json::as_bool) == Some(true)
        });
    assert!(ok, "unexpected output: {:?}", run.output);
    black_box(run);
}

/// Run one `map_1000` execution on `input` (lent, not copied) and check its output.
async fn one_map(machine: &StateMachine, options: &ExecutionOptions, input: &Value) {
    let run = rez_states::execute_borrowed(machine, input, &Echo, options).await;
    let ok = run.status == ExecutionStatus::Succeeded
        && run
            .output
            .as_ref()
            .is_some_and(|o| field(o.json(), &["results"]).map(Json::len) == Some(MAP_ITEMS));
    assert!(ok, "unexpected result: {:?}", run.error);
    black_box(run);
}

/// What a bench runs: the notification (in JSONPath or JSONata) or `map_1000`.
struct Workload {
    machine: StateMachine,
    options: ExecutionOptions,
    /// The Map's input; `None` for a notification.
    map_input: Option<Value>,
}

impl Workload {
    fn notification(definition: &str) -> Self {
        Workload {
            machine: StateMachine::from_json(definition).expect("definition"),
            options: ExecutionOptions::default()
                .with_name("bench")
                .with_time_scale(0.0),
            map_input: None,
        }
    }

    fn map() -> Self {
        Workload {
            machine: map_machine(),
            options: ExecutionOptions::default()
                .with_name("bench-map")
                .with_time_scale(0.0),
            map_input: Some(map_input()),
        }
    }

    /// Run execution number `i` and check its output.
    async fn one(&self, i: u64) {
        match &self.map_input {
            Some(input) => one_map(&self.machine, &self.options, input).await,
            None => one_notification(&self.machine, &self.options, i).await,
        }
    }

    /// States entered per execution.
    fn transitions(&self) -> u64 {
        match self.map_input {
            Some(_) => 1 + 2 * MAP_ITEMS as u64,
            None => NOTIFICATION_TRANSITIONS,
        }
    }
}

/// `states/{name}_all_cores`: `workload` on one thread per core.
fn all_cores(c: &mut Criterion, name: &str, workload: Workload) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let transitions = workload.transitions();
    let map = workload.map_input.is_some();
    let workers = Workers::start(cores, Arc::new(workload));
    let mut group = c.benchmark_group("states");
    if map {
        group.sample_size(10);
    }
    group.throughput(Throughput::Elements(transitions));
    group.bench_function(format!("{name}_all_cores"), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            workers.run(iters);
            start.elapsed()
        });
    });
    group.finish();
}

fn notification_all_cores(c: &mut Criterion) {
    all_cores(
        c,
        "notification",
        Workload::notification(&notification_definition()),
    );
}

fn notification_jsonata(c: &mut Criterion) {
    let workload = Workload::notification(JSONATA_DEFINITION);
    let rt = runtime();
    let mut i = 0u64;
    let mut group = c.benchmark_group("states");
    group.throughput(Throughput::Elements(NOTIFICATION_TRANSITIONS));
    group.bench_function("notification_jsonata", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    i += 1;
                    workload.one(i).await;
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

fn notification_jsonata_all_cores(c: &mut Criterion) {
    all_cores(
        c,
        "notification_jsonata",
        Workload::notification(JSONATA_DEFINITION),
    );
}

/// The notification workflow in JSONata.
const JSONATA_DEFINITION: &str = include_str!("notification-jsonata.asl.json");

fn map_machine() -> StateMachine {
    let definition = json!({
        "StartAt": "Fan",
        "States": {"Fan": {
            "Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.results", "End": true,
            "ItemProcessor": {"StartAt": "Process", "States": {
                "Process": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Process",
                            "Parameters": {"id.$": "$.id", "kind": "item"}, "Next": "Done"},
                "Done": {"Type": "Pass", "End": true}
            }}
        }}
    });
    StateMachine::from_value(&definition).expect("definition")
}

fn map_input() -> Value {
    let items: Vec<Value> = (0..MAP_ITEMS).map(|i| json!({"id": i})).collect();
    json!({"items": items})
}

fn map_1000(c: &mut Criterion) {
    let workload = Workload::map();
    let rt = runtime();
    let mut group = c.benchmark_group("states");
    // The Map state itself plus Process and Done per item.
    group.sample_size(10);
    group.throughput(Throughput::Elements(workload.transitions()));
    group.bench_function("map_1000", |b| {
        b.iter(|| rt.block_on(workload.one(0)));
    });
    group.finish();
}

fn map_1000_all_cores(c: &mut Criterion) {
    all_cores(c, "map_1000", Workload::map());
}

criterion_group!(
    benches,
    notification,
    notification_all_cores,
    notification_jsonata,
    notification_jsonata_all_cores,
    map_1000,
    map_1000_all_cores
);

/// `STATES_DRIFT=SLICES`: time SLICES slices of 100,000 notification
/// executions back to back in one process and print each slice's time per
/// execution, to see how much the machine's own speed moves.
fn drift(slices: usize) {
    const SLICE: u64 = 100_000;
    let machine = StateMachine::from_json(&notification_definition()).expect("definition");
    let options = ExecutionOptions::default()
        .with_name("bench")
        .with_time_scale(0.0);
    let rt = runtime();
    let mut i = 0;
    for _ in 0..slices {
        let start = Instant::now();
        rt.block_on(async {
            for _ in 0..SLICE {
                i += 1;
                one_notification(&machine, &options, i).await;
            }
        });
        let ns = start.elapsed().as_nanos() as f64 / SLICE as f64;
        // The bench's output is for people: one line per slice.
        #[allow(clippy::print_stdout)]
        {
            println!("{ns:.0} ns/execution");
        }
    }
}

/// `STATES_PROFILE=notification:N` (or `notification_jsonata:N`, `map_1000:N`) runs N executions without
/// criterion, for `valgrind --tool=callgrind`; `STATES_DRIFT=SLICES` runs
/// [`drift`]; otherwise the criterion benches.
fn main() {
    if let Ok(slices) = std::env::var("STATES_DRIFT") {
        drift(slices.parse().expect("number of slices"));
        return;
    }
    if let Ok(spec) = std::env::var("STATES_PROFILE") {
        let (which, n) = spec.split_once(':').unwrap_or((spec.as_str(), "1000"));
        let n: usize = n.parse().expect("iterations");
        let rt = runtime();
        let (machine, input) = match which {
            "map_1000" => (map_machine(), map_input()),
            "notification_jsonata" => (
                StateMachine::from_json(JSONATA_DEFINITION).expect("definition"),
                json!({"messageId": "m-1", "recipient": "user1@example.com"}),
            ),
            _ => (
                StateMachine::from_json(&notification_definition()).expect("definition"),
                json!({"messageId": "m-1", "recipient": "user1@example.com"}),
            ),
        };
        let options = ExecutionOptions::default()
            .with_name("profile")
            .with_time_scale(0.0);
        // The Map's input is lent, as in `map_1000`; a notification's is
        // copied, as its bench makes a new one for each execution.
        let lend = which == "map_1000";
        rt.block_on(async {
            for _ in 0..n {
                let run = if lend {
                    rez_states::execute_borrowed(&machine, &input, &Echo, &options).await
                } else {
                    rez_states::execute(&machine, input.clone(), &Echo, &options).await
                };
                assert_eq!(run.status, ExecutionStatus::Succeeded);
                black_box(run);
            }
        });
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
