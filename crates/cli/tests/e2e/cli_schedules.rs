//! `rez-agent schedules list / add / show / pause / resume / rm` against a
//! running stack: what the commands print and what the API then holds.

use crate::cli_common::*;
use crate::helpers::*;

#[tokio::test]
async fn a_schedule_is_added_listed_shown_paused_resumed_and_removed() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let added = rez_at(
        &app,
        &[
            "schedules",
            "add",
            "stand-up",
            "cron(0 8 ? * MON-FRI *)",
            "in 5 minutes",
            "--timezone",
            "Europe/Berlin",
            "--title",
            "Stand-up",
            "--json",
        ],
    )
    .await
    .json();
    let id = added["id"].as_str().ok_or("an id")?.to_owned();
    assert_eq!(added["timezone"], "Europe/Berlin");
    assert_eq!(added["notification"]["title"], "Stand-up");
    assert_eq!(added["next_fire_times"].as_array().map(Vec::len), Some(5));

    let list = rez_at(&app, &["schedules", "list"]).await;
    // Beside the deployment's own daily schedule.
    let rows: Vec<Vec<String>> = list.rows().into_iter().filter(|r| r[0] == id).collect();
    assert_eq!(rows.len(), 1, "{}", list.stdout);
    assert_eq!(
        rows[0][..5],
        [
            id.clone(),
            "enabled".to_owned(),
            "stand-up".to_owned(),
            "cron(0 8 ? * MON-FRI *)".to_owned(),
            "Europe/Berlin".to_owned()
        ]
    );

    let shown = rez_at(&app, &["schedules", "show", &id]).await;
    assert_eq!(
        field(shown.ok(), "message").as_deref(),
        Some("in 5 minutes")
    );
    assert!(field(shown.ok(), "next fires").is_some_and(|f| f.matches(", ").count() == 4));

    let paused = rez_at(&app, &["schedules", "pause", &id]).await;
    assert_eq!(field(paused.ok(), "state").as_deref(), Some("paused"));
    assert_eq!(
        app.get_json(&format!("/api/schedules/{id}")).await["state"],
        "DISABLED"
    );
    let resumed = rez_at(&app, &["schedules", "resume", &id, "--json"])
        .await
        .json();
    assert_eq!(resumed["state"], "ENABLED");

    let removed = rez_at(&app, &["schedules", "rm", &id]).await;
    assert_eq!(removed.ok().trim(), format!("deleted: schedule {id}"));
    rez_at(&app, &["schedules", "show", &id])
        .await
        .fails_with(&["not_found", &id]);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_bad_schedule_is_refused_naming_the_field() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    rez_at(&app, &["schedules", "add", "x", "cron(0 8 * * *)", "text"])
        .await
        .fails_with(&["validation_failed", "expression", "6 fields"]);
    rez_at(
        &app,
        &[
            "schedules",
            "add",
            "x",
            "rate(1 hour)",
            "text",
            "--timezone",
            "Europe/Atlantis",
        ],
    )
    .await
    .fails_with(&["timezone", "IANA"]);
    rez_at(
        &app,
        &[
            "schedules",
            "add",
            "x",
            "rate(1 hour)",
            "text",
            "--start",
            "tomorrow",
        ],
    )
    .await
    .usage_error("--start");
    let items = app.get_json("/api/schedules").await["items"].clone();
    let owners: Vec<&serde_json::Value> = items
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| &s["owner"])
        .collect();
    assert_eq!(
        owners,
        [&serde_json::json!("configuration")],
        "only the deployment's own"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_schedules_commands_report_an_unreachable_or_locked_api() {
    check_unreachable_and_unauthorized(&["schedules", "list"]).await;
}
