//! `rez-agent statemachine graph`: DOT and SVG, to stdout or a file.

use std::path::PathBuf;

use crate::cli_common::*;
use crate::helpers::TestResult;

fn notification_definition() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../statemachine/notification.asl.json")
        .display()
        .to_string()
}

fn expected() -> Result<rez_graph::StateGraph, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(notification_definition())?;
    Ok(rez_graph::StateGraph::from_definition(
        &serde_json::from_str(&text)?,
    )?)
}

const STATES: [&str; 7] = [
    "LoadMessage",
    "AlreadyDelivered?",
    "AlreadyDone",
    "SendNotification",
    "RecordSuccess",
    "RecordFailure",
    "DeliveryFailed",
];

#[tokio::test]
async fn graph_prints_dot_by_default_and_svg_on_request() -> TestResult {
    let file = notification_definition();
    let dot = rez(&["statemachine", "graph", &file]).await;
    assert_eq!(dot.ok(), expected()?.to_dot());
    assert!(dot.stdout.starts_with("digraph"), "{}", dot.stdout);
    for state in STATES {
        assert!(dot.stdout.contains(state), "{state} not in the DOT");
    }
    let svg = rez(&["statemachine", "graph", &file, "--format", "svg"]).await;
    assert_eq!(svg.ok(), expected()?.to_svg());
    for state in STATES {
        assert!(
            svg.stdout.contains(&format!("data-state=\"{state}\"")),
            "{state} not in the SVG"
        );
    }
    Ok(())
}

#[tokio::test]
async fn graph_writes_to_a_file_in_the_format_its_name_says() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = notification_definition();
    let svg_path = dir.path().join("notification.svg");
    let run = rez(&[
        "statemachine",
        "graph",
        &file,
        "--output",
        &svg_path.display().to_string(),
    ])
    .await;
    assert_eq!(run.ok(), "");
    assert_eq!(std::fs::read_to_string(&svg_path)?, expected()?.to_svg());

    let dot_path = dir.path().join("notification.gv");
    let run = rez(&[
        "statemachine",
        "graph",
        &file,
        "-o",
        &dot_path.display().to_string(),
    ])
    .await;
    assert_eq!(run.ok(), "");
    assert_eq!(std::fs::read_to_string(&dot_path)?, expected()?.to_dot());
    Ok(())
}

#[tokio::test]
async fn graph_reports_a_bad_definition_on_one_line() -> TestResult {
    let dir = tempfile::tempdir()?;
    let broken = dir.path().join("broken.asl.json");
    std::fs::write(
        &broken,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#,
    )?;
    let name = broken.display().to_string();
    rez(&["statemachine", "graph", &name])
        .await
        .fails_with(&[&format!("{name}: cannot draw it: /States/A/Next"), "'B'"]);

    std::fs::write(&broken, "{\n  \"StartAt\": ,\n}")?;
    rez(&["statemachine", "graph", &name])
        .await
        .fails_with(&[&format!("{name}:2:"), "not JSON"]);

    let missing = dir.path().join("missing.json").display().to_string();
    rez(&["statemachine", "graph", &missing])
        .await
        .fails_with(&[&format!("cannot read {missing}")]);
    Ok(())
}

#[tokio::test]
async fn graph_rejects_bad_arguments_with_usage() {
    rez(&["statemachine", "graph"]).await.usage_error("<FILE>");
    rez(&["statemachine", "graph", "x.json", "--format", "png"])
        .await
        .usage_error("--format");
}
