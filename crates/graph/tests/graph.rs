//! The public API against the real notification definition and small
//! definitions for each shape: Choice, Catch, Retry, Parallel, Map, loops.

#![allow(clippy::expect_used)]

use rez_graph::{GraphError, StateGraph};
use serde_json::{Value, json};

fn notification() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../statemachine/notification.asl.json"
    );
    let text = std::fs::read_to_string(path).expect("the notification definition is readable");
    serde_json::from_str(&text).expect("the notification definition is JSON")
}

fn graph(definition: &Value) -> StateGraph {
    StateGraph::from_definition(definition).expect("the definition is drawable")
}

/// Every `<path class="edge" …>` as (from, to, kind).
fn edges(svg: &str) -> Vec<(String, String, String)> {
    svg.split("<path class=\"edge\" ")
        .skip(1)
        .map(|rest| {
            let attribute = |name: &str| {
                let start =
                    rest.find(&format!("{name}=\"")).expect("attribute present") + name.len() + 2;
                let end = start + rest[start..].find('"').expect("attribute closed");
                rest[start..end].to_owned()
            };
            (
                attribute("data-from"),
                attribute("data-to"),
                attribute("data-kind"),
            )
        })
        .collect()
}

fn edge(from: &str, to: &str, kind: &str) -> (String, String, String) {
    (from.to_owned(), to.to_owned(), kind.to_owned())
}

#[test]
fn the_notification_definition_has_every_state_and_transition() {
    let svg = graph(&notification()).to_svg();
    for (name, kind) in [
        ("LoadMessage", "Task"),
        ("AlreadyDelivered?", "Choice"),
        ("AlreadyDone", "Succeed"),
        ("ClaimedElsewhere", "Succeed"),
        ("SendNotification", "Task"),
        ("RecordSuccess", "Task"),
        ("SuccessNotRecorded", "Fail"),
        ("RecordDeferred", "Task"),
        ("DeliveryDeferred", "Succeed"),
        ("RecordFailure", "Task"),
        ("DeliveryFailed", "Fail"),
    ] {
        let group = format!("<g class=\"state\" data-state=\"{name}\" data-type=\"{kind}\"");
        assert_eq!(svg.matches(&group).count(), 1, "{group}");
    }
    let mut found = edges(&svg);
    found.sort();
    let mut expected = vec![
        edge("", "LoadMessage", "start"),
        edge("LoadMessage", "AlreadyDelivered?", "next"),
        edge("LoadMessage", "RecordFailure", "catch"),
        edge("LoadMessage", "ClaimedElsewhere", "catch"),
        edge("ClaimedElsewhere", "", "end"),
        edge("AlreadyDelivered?", "AlreadyDone", "choice"),
        edge("AlreadyDelivered?", "SendNotification", "default"),
        edge("AlreadyDone", "", "end"),
        edge("SendNotification", "RecordSuccess", "next"),
        edge("SendNotification", "RecordFailure", "catch"),
        edge("SendNotification", "RecordDeferred", "catch"),
        edge("RecordDeferred", "DeliveryDeferred", "next"),
        edge("DeliveryDeferred", "", "end"),
        edge("RecordSuccess", "", "end"),
        edge("RecordSuccess", "SuccessNotRecorded", "catch"),
        edge("SuccessNotRecorded", "", "end"),
        edge("RecordFailure", "DeliveryFailed", "next"),
        edge("DeliveryFailed", "", "end"),
    ];
    expected.sort();
    assert_eq!(found, expected);
    // Retries are marked on the three Task states that have them.
    assert_eq!(
        svg.matches("data-retry=\"2\"").count(),
        1,
        "SendNotification has two retriers"
    );
    assert_eq!(svg.matches("data-retry=\"1\"").count(), 4);
    // Catch edges are dashed and labelled with their errors.
    assert_eq!(svg.matches("stroke-dasharray=\"5 4\"").count(), 5);
    assert!(svg.contains(">Message.Claimed</text>"));
    assert!(svg.contains(">States.ALL</text>"));
    // The choice rule is readable.
    assert!(svg.contains("$.message.status == &quot;completed&quot;"));
    // Start and End terminals.
    assert!(svg.contains("data-terminal=\"start\""));
    assert!(svg.contains("data-terminal=\"end\""));
}

/// The `y` of a state's box in the SVG.
fn box_y(svg: &str, name: &str) -> f64 {
    let group = svg
        .find(&format!("data-state=\"{name}\""))
        .expect("state drawn");
    let rest = &svg[group..];
    let start = rest.find("<rect class=\"box\" ").expect("box");
    let rest = &rest[start..];
    let y = rest.find(" y=\"").expect("y") + 4;
    let end = y + rest[y..].find('"').expect("y closed");
    rest[y..end].parse().expect("y is a number")
}

#[test]
fn the_notification_graph_reads_top_to_bottom() {
    let svg = graph(&notification()).to_svg();
    let order = [
        "LoadMessage",
        "AlreadyDelivered?",
        "SendNotification",
        "RecordFailure",
        "DeliveryFailed",
    ];
    for pair in order.windows(2) {
        assert!(
            box_y(&svg, pair[0]) < box_y(&svg, pair[1]),
            "{} above {}",
            pair[0],
            pair[1]
        );
    }
    assert_eq!(box_y(&svg, "SendNotification"), box_y(&svg, "AlreadyDone"));
    assert!(box_y(&svg, "RecordSuccess") > box_y(&svg, "SendNotification"));
}

#[test]
fn the_notification_dot_names_every_state_and_dashes_catches() {
    let dot = graph(&notification()).to_dot();
    assert!(dot.starts_with("digraph \"state machine\" {"));
    assert!(dot.trim_end().ends_with('}'));
    for name in [
        "LoadMessage",
        "AlreadyDelivered?",
        "RecordFailure",
        "DeliveryFailed",
    ] {
        assert!(dot.contains(&format!("label=\"{name}\\n")), "{name}");
    }
    assert_eq!(dot.matches("style=dashed").count(), 5);
    assert!(dot.contains("\"start\" -> \"s0\""));
    assert_eq!(dot.matches("-> \"end\"").count(), 6);
}

#[test]
fn choice_rules_and_default_and_a_loop() {
    let definition = json!({
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Big"},
                    {"Variable": "$.n", "NumericLessThan": 0, "Next": "Wait"}
                ],
                "Default": "Small"
            },
            "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Check"},
            "Big": {"Type": "Pass", "End": true},
            "Small": {"Type": "Succeed"}
        }
    });
    let svg = graph(&definition).to_svg();
    let found = edges(&svg);
    assert!(found.contains(&edge("Check", "Big", "choice")));
    assert!(found.contains(&edge("Check", "Wait", "choice")));
    assert!(found.contains(&edge("Check", "Small", "default")));
    assert!(found.contains(&edge("Wait", "Check", "next")));
    assert!(svg.contains("$.n &gt; 3"));
    // The loop's back edge goes upwards: Wait is drawn below Check.
    assert!(box_y(&svg, "Wait") > box_y(&svg, "Check"));
}

#[test]
fn catch_labels_list_their_errors() {
    let definition = json!({
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task", "Resource": "arn:x", "End": true,
                "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}],
                "Catch": [
                    {"ErrorEquals": ["Ntfy.Rejected"], "Next": "Rejected"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Other"}
                ]
            },
            "Rejected": {"Type": "Fail", "Error": "Rejected"},
            "Other": {"Type": "Fail"}
        }
    });
    let svg = graph(&definition).to_svg();
    assert!(edges(&svg).contains(&edge("Work", "Rejected", "catch")));
    assert!(svg.contains(">Ntfy.Rejected</text>"));
    assert!(svg.contains("data-retry=\"1\""));
    assert!(svg.contains("States.Timeout: 2 attempts"));
}

#[test]
fn parallel_branches_and_map_processors_are_drawn_inside_their_state() {
    let definition = json!({
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A1", "States": {
                        "A1": {"Type": "Pass", "Next": "A2"},
                        "A2": {"Type": "Pass", "End": true}
                    }},
                    {"StartAt": "B1", "States": {"B1": {"Type": "Succeed"}}}
                ],
                "Next": "Each"
            },
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}},
                "Next": "Legacy"
            },
            "Legacy": {
                "Type": "Map",
                "Iterator": {"StartAt": "Old", "States": {"Old": {"Type": "Pass", "End": true}}},
                "End": true
            }
        }
    });
    let svg = graph(&definition).to_svg();
    let both = svg.find("data-state=\"Both\"").expect("Both drawn");
    let a1 = svg.find("data-state=\"A1\"").expect("A1 drawn");
    let each = svg.find("data-state=\"Each\"").expect("Each drawn");
    assert!(
        both < a1 && a1 < each,
        "branch states are inside the Parallel's group"
    );
    assert_eq!(svg.matches("class=\"branch\"").count(), 4);
    assert!(svg.contains("data-branch=\"Branch 2\""));
    assert!(svg.contains("data-branch=\"Item processor\""));
    let found = edges(&svg);
    assert!(found.contains(&edge("A1", "A2", "next")));
    assert!(found.contains(&edge("Both", "Each", "next")));
    // Branches have no terminals of their own.
    assert_eq!(svg.matches("data-terminal=").count(), 2);
    let dot = graph(&definition).to_dot();
    assert!(dot.contains("subgraph \"cluster_s0\""));
    assert!(dot.contains("subgraph \"cluster_s0_b1\""));
    assert!(dot.contains("lhead=\"cluster_s1\""));
}

#[test]
fn bad_definitions_are_errors_that_say_where() {
    let cases = [
        (json!([1, 2]), GraphError::NotAnObject { at: String::new() }),
        (
            json!({"States": {}}),
            GraphError::MissingField {
                at: String::new(),
                field: "StartAt",
            },
        ),
        (
            json!({"StartAt": "A", "States": {}}),
            GraphError::NoStates {
                at: "/States".to_owned(),
            },
        ),
        (
            json!({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}),
            GraphError::UnknownStartAt {
                at: "/StartAt".to_owned(),
                target: "B".to_owned(),
            },
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}),
            GraphError::UnknownNext {
                at: "/States/A/Next".to_owned(),
                target: "Nowhere".to_owned(),
            },
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Task", "End": true,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}]}}}),
            GraphError::UnknownNext {
                at: "/States/A/Catch/0/Next".to_owned(),
                target: "Gone".to_owned(),
            },
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Teleport", "End": true}}}),
            GraphError::UnknownType {
                at: "/States/A/Type".to_owned(),
                found: "Teleport".to_owned(),
            },
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}),
            GraphError::NoTransition {
                at: "/States/A".to_owned(),
            },
        ),
        (
            json!({"StartAt": "A", "States": {"A": "Pass"}}),
            GraphError::NotAnObject {
                at: "/States/A".to_owned(),
            },
        ),
        (
            json!({"StartAt": "A/B", "States": {"A/B": {"Type": "Choice", "Choices": {}}}}),
            GraphError::WrongType {
                at: "/States/A~1B/Choices".to_owned(),
                expected: "an array",
            },
        ),
        (
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
                "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "P"}}}]}}}),
            GraphError::UnknownNext {
                at: "/States/P/Branches/0/States/X/Next".to_owned(),
                target: "P".to_owned(),
            },
        ),
        (
            json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true}}}),
            GraphError::MissingField {
                at: "/States/M".to_owned(),
                field: "ItemProcessor",
            },
        ),
    ];
    for (definition, expected) in cases {
        let error = StateGraph::from_definition(&definition).expect_err("the definition is bad");
        assert_eq!(error, expected, "{definition}");
        assert!(!error.to_string().is_empty());
    }
    let message = StateGraph::from_definition(
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Z"}}}),
    )
    .expect_err("bad")
    .to_string();
    assert_eq!(
        message,
        "/States/A/Next: 'Z' is not a state here (Next must name a state in the same States)"
    );
}

#[test]
fn names_and_labels_are_escaped() {
    let definition = json!({
        "StartAt": "<b>\"Tom\" & 'Jerry'</b>",
        "States": {
            "<b>\"Tom\" & 'Jerry'</b>": {
                "Type": "Task", "Resource": "arn:x", "Comment": "a < b",
                "Catch": [{"ErrorEquals": ["Custom.<Error>"], "Next": "x\"y"}],
                "Next": "x\"y"
            },
            "x\"y": {"Type": "Succeed"}
        }
    });
    let graph = graph(&definition);
    let svg = graph.to_svg();
    assert!(
        svg.contains("data-state=\"&lt;b&gt;&quot;Tom&quot; &amp; &apos;Jerry&apos;&lt;/b&gt;\"")
    );
    assert!(svg.contains(">Custom.&lt;Error&gt;</text>"));
    assert!(svg.contains("a &lt; b"));
    assert!(!svg.contains("<b>"));
    assert!(!svg.contains("Custom.<Error>"));
    let dot = graph.to_dot();
    assert!(dot.contains("label=\"x\\\"y\\nSucceed\""));
}

#[test]
fn rendering_is_deterministic() {
    let definition = notification();
    let first = graph(&definition);
    let svg = first.to_svg();
    let dot = first.to_dot();
    for _ in 0..5 {
        let again = graph(&definition);
        assert_eq!(again.to_svg(), svg);
        assert_eq!(again.to_dot(), dot);
    }
}

#[test]
fn the_svg_uses_no_fixed_colours_and_is_one_document() {
    let svg = graph(&notification()).to_svg();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"rez-graph\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains('#'), "no hex colours");
    assert!(!svg.contains("rgb("));
    assert!(
        !svg.contains(" id=\""),
        "no ids, so several graphs can share a page"
    );
    // Balanced groups.
    assert_eq!(
        svg.matches("<g ").count() + svg.matches("<g>").count(),
        svg.matches("</g>").count()
    );
}

#[test]
fn a_self_loop_and_unreachable_states_still_draw() {
    let definition = json!({
        "StartAt": "Poll",
        "States": {
            "Poll": {"Type": "Wait", "Seconds": 1, "Next": "Poll"},
            "Orphan": {"Type": "Pass", "End": true}
        }
    });
    let svg = graph(&definition).to_svg();
    assert!(edges(&svg).contains(&edge("Poll", "Poll", "next")));
    assert!(svg.contains("data-state=\"Orphan\""));
}

/// The numbers of `name="…"` attributes in `text`, in order.
fn numbers(text: &str, name: &str) -> Vec<f64> {
    text.split(&format!(" {name}=\""))
        .skip(1)
        .map(|rest| {
            rest[..rest.find('"').expect("closed")]
                .parse()
                .expect("a number")
        })
        .collect()
}

#[test]
fn edge_labels_fit_inside_the_view() {
    let definition = json!({
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.a.rather.long.path.name", "StringEquals": "some long value", "Next": "Left"},
                    {"Variable": "$.b.another.long.path", "NumericGreaterThanEquals": 1000, "Next": "Right"}
                ],
                "Default": "Right"
            },
            "Left": {"Type": "Succeed"},
            "Right": {"Type": "Succeed"}
        }
    });
    for definition in [definition, notification()] {
        let svg = graph(&definition).to_svg();
        let head = &svg[..svg.find('>').expect("svg tag")];
        let view: Vec<f64> = head
            .split("viewBox=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("viewBox")
            .split(' ')
            .map(|n| n.parse().expect("number"))
            .collect();
        for label in svg.split("<g class=\"edge-label\">").skip(1) {
            let rect = &label[..label.find("/>").expect("rect")];
            let (x, width) = (numbers(rect, "x")[0], numbers(rect, "width")[0]);
            assert!(
                x >= view[0] && x + width <= view[0] + view[2],
                "{rect} outside {view:?}"
            );
        }
    }
}
