//! Tests of `io`.

use serde_json::{Value, json};

use super::*;
use crate::context::LazyContext;
use crate::executor::env::{MapItem, Variables};

/// Templates with every kind of node (literals, input paths, context
/// paths, variables, intrinsics, nesting, a key written twice) and what
/// they give: a value, or a failure (a missing path, a non-string `.$`
/// value, a failing intrinsic, an undefined variable) with its error name.
fn templates() -> Vec<(Value, Result<Value, &'static str>)> {
    let runtime = || Err("States.Runtime");
    vec![
        (json!({}), Ok(json!({}))),
        (json!([]), Ok(json!([]))),
        (json!("just a string"), Ok(json!("just a string"))),
        (
            json!({"lit": "q\"uote", "num": 2, "b": false, "nil": null, "f": 1.5}),
            Ok(json!({"lit": "q\"uote", "num": 2, "b": false, "nil": null, "f": 1.5})),
        ),
        (
            json!({"p.$": "$.a", "whole.$": "$", "ctx.$": "$$.State.Name", "v.$": "$answer.n[0]"}),
            Ok(json!({"p": "x\"y", "whole": input(), "ctx": "S\n", "v": 42})),
        ),
        (
            json!({"f.$": "States.Format('{}!', $.n)", "arr.$": "States.Array($.a, $.n)"}),
            Ok(json!({"f": "1.5!", "arr": ["x\"y", 1.5]})),
        ),
        (
            json!({"nested": {"deep": {"x.$": "$.o.k", "lit": [1, {"y.$": "$.e"}]}}, "arr": [[], {}, "s"]}),
            Ok(
                json!({"nested": {"deep": {"x": [1, null], "lit": [1, {"y": {}}]}}, "arr": [[], {}, "s"]}),
            ),
        ),
        (
            json!({"a": 1, "b": 2, "a.$": "$.n"}),
            Ok(json!({"a": 1.5, "b": 2})),
        ),
        (
            json!({"wild.$": "$.o.k[*]", "filter.$": "$.list[?(@.v > 1)]"}),
            Ok(json!({"wild": [1, null], "filter": [{"v": 2}, {"v": 3}]})),
        ),
        (json!({"ok.$": "$.a", "missing.$": "$.nope"}), runtime()),
        (json!({"deep": [{"missing.$": "$.o.nope.x"}]}), runtime()),
        (json!({"bad.$": 5}), runtime()),
        (json!({"bad.$": "States.StringToJson($.a)"}), runtime()),
        (json!({"undefined.$": "$nobody"}), runtime()),
    ]
}

fn input() -> Value {
    json!({
        "a": "x\"y", "n": 1.5, "o": {"k": [1, null]}, "e": {},
        "list": [{"v": 1}, {"v": 2}, {"v": 3}]
    })
}

#[test]
fn templates_read_the_input_context_variables_and_intrinsics() {
    let input = input();
    let context = LazyContext::ready(json!({"State": {"Name": "S\n"}}));
    let mut variables = Variables::new();
    variables.insert("answer".into(), json!({"n": [42]}));
    let env = Env::new(&context, &variables);
    let mut arena = Arena::new();
    let input_id = arena.import(&input);
    for (raw, expected) in templates() {
        let template = Template::new(raw.clone());
        let actual = payload_template(&mut arena, &template, input_id, &env);
        match (expected, actual) {
            (Ok(e), Ok(a)) => assert_eq!(
                arena.get(a).to_text(),
                serde_json::to_string(&e).unwrap_or_default(),
                "{raw}"
            ),
            (Err(e), Err(a)) => assert_eq!(a.error, e, "{raw}: {a:?}"),
            (e, a) => panic!("{raw}: {e:?} vs {a:?}"),
        }
    }
    assert_eq!(
        arena.get(input_id).to_value(),
        input,
        "the input is unchanged"
    );
}

#[test]
fn a_missing_path_names_the_field_and_shows_the_input() {
    let context = LazyContext::ready(json!({}));
    let variables = Variables::new();
    let env = Env::new(&context, &variables);
    let mut arena = Arena::new();
    let input = arena.import(&json!({"a": 1}));
    let template = Template::new(json!({"x.$": "$.missing"}));
    let error = payload_template(&mut arena, &template, input, &env).err();
    assert_eq!(
        error.and_then(|e| e.cause),
        Some("The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{\"a\":1}'".to_string())
    );
}

#[test]
fn an_item_selector_reads_the_map_item_in_place() -> Result<(), StatesError> {
    let context = LazyContext::ready(json!({"State": {"Name": "M"}}));
    let variables = Variables::new();
    let mut arena = Arena::new();
    let input = arena.import(&json!({}));
    let item = arena.import(&json!({"id": 7}));
    let env = Env::new(&context, &variables).with_map_item(MapItem {
        index: 2,
        value: item,
    });
    let template = Template::new(json!({
        "v.$": "$$.Map.Item.Value", "id.$": "$$.Map.Item.Value.id",
        "i.$": "$$.Map.Item.Index", "s.$": "$$.State.Name"
    }));
    let out = payload_template(&mut arena, &template, input, &env)?;
    assert_eq!(
        arena.get(out).to_text(),
        r#"{"v":{"id":7},"id":7,"i":2,"s":"M"}"#
    );
    let missing = Template::new(json!({"x.$": "$$.Map.Item.Value.nope"}));
    let error = payload_template(&mut arena, &missing, input, &env).err();
    assert!(
        error
            .and_then(|e| e.cause)
            .is_some_and(|c| c.contains("'$$.Map.Item.Value.nope'")),
    );
    Ok(())
}

#[test]
fn null_paths_have_their_special_meanings() -> Result<(), StatesError> {
    let context = LazyContext::ready(json!({}));
    let variables = Variables::new();
    let env = Env::new(&context, &variables);
    let mut arena = Arena::new();
    let input = arena.import(&json!({"a": 1}));
    let five = arena.import(&json!(5));
    let null = Some(&Value::Null);
    assert_eq!(
        apply_input_path(&mut arena, null, input, &env)?,
        NodeId::EMPTY_OBJECT
    );
    assert_eq!(apply_result_path(&mut arena, null, input, five)?, input);
    assert_eq!(apply_result_path(&mut arena, None, input, five)?, five);
    assert_eq!(
        apply_output_path(&mut arena, null, input, &env)?,
        NodeId::EMPTY_OBJECT
    );
    let text = arena.string("text");
    let error = apply_result_path(&mut arena, Some(&json!("$.x")), text, five).err();
    assert_eq!(
        error.map(|e| e.error),
        Some(STATES_RESULT_PATH_MATCH_FAILURE.to_string())
    );
    Ok(())
}

#[test]
fn a_failed_evaluation_leaves_nothing_half_built() -> Result<(), StatesError> {
    let context = LazyContext::ready(json!({}));
    let variables = Variables::new();
    let env = Env::new(&context, &variables);
    let mut arena = Arena::new();
    let input = arena.import(&json!({"a": 1}));
    let failing = Template::new(json!({"x": {"y.$": "$.a", "z": [{"w.$": "$.missing"}]}}));
    assert!(payload_template(&mut arena, &failing, input, &env).is_err());
    assert!(!arena.is_building());
    let good = Template::new(json!({"k.$": "$.a"}));
    let out = payload_template(&mut arena, &good, input, &env)?;
    assert_eq!(arena.get(out).to_text(), r#"{"k":1}"#);
    Ok(())
}
