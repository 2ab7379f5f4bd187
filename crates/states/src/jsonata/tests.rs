//! The evaluator and templates, through the functions states call.

use super::*;
use crate::errors::StatesError;
use crate::executor::env::Variables;
use crate::value::Arena;
use serde_json::Value;
use serde_json::json;

/// `value` compiled and evaluated to JSON, as a state's template field is.
fn template(
    arena: &Arena,
    value: &Value,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    compiled(arena, &JsonataTemplate::new(value.clone()), field, scope)
}

/// `value` compiled and built into `arena`, as `Arguments` and `Output` are.
fn template_in(
    arena: &mut Arena,
    value: &Value,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<crate::value::NodeId, StatesError> {
    compiled_in(arena, &JsonataTemplate::new(value.clone()), field, scope)
}

fn run(expression: &str, input: Value) -> Result<Value, StatesError> {
    let mut arena = Arena::default();
    let states = States::of_input(arena.import(&input));
    let mut variables = Variables::new();
    variables.insert("bias".into(), json!(1));
    let scope = Scope {
        states: &states,
        variables: &variables,
    };
    let value = json!(format!("{{% {expression} %}}"));
    template(&arena, &value, "Output", scope)
}

#[test]
fn evaluates_the_core_language() -> Result<(), StatesError> {
    let input = json!({"xs": [1, 2, 3], "v": 25, "t": "Public", "o": [{"a": 1}, {"b": 2}]});
    let cases = [
        ("$sum($states.input.xs) + $bias", json!(7)),
        (
            "$states.input.v >= 20 and $states.input.v < 30",
            json!(true),
        ),
        ("$not($states.input.t = 'Private')", json!(true)),
        ("$merge($states.input.o)", json!({"a": 1, "b": 2})),
        ("$states.input.xs[1]", json!(2)),
        ("$states.input.xs[$ > 1]", json!([2, 3])),
        ("$count($states.input.xs) & ' items'", json!("3 items")),
        ("($x := 2; $x * 3)", json!(6)),
        ("$contains('hello$world', /^hello\\$/)", json!(true)),
        ("$partition([1,2,3], 2)", json!([[1, 2], [3]])),
        ("$range(0, 4, 2)", json!([0, 2, 4])),
        ("$parse('{\"a\": [1]}')", json!({"a": [1]})),
        (
            "{'k': [1, 'two', $number('3')]}",
            json!({"k": [1, "two", 3]}),
        ),
        ("$states.input.v > 10 ? 'big' : 'small'", json!("big")),
        ("$map([1, 2], function($x){ $x * 10 })", json!([10, 20])),
        ("$states.input.o.*", json!([1, 2])),
        ("$states.input.xs ~> $sum()", json!(6)),
        ("$sort([3, 1, 2])", json!([1, 2, 3])),
        (
            "$sort($states.input.xs, function($a, $b){ $a < $b })",
            json!([3, 2, 1]),
        ),
        (
            "$reduce($states.input.xs, function($acc, $v){ $acc + $v })",
            json!(6),
        ),
        ("$replace('a-b-c', '-', '+')", json!("a+b+c")),
        ("$replace('a1b22', /[0-9]+/, '#')", json!("a#b#")),
        (
            "$fromMillis($toMillis('2020-01-01T00:00:00Z') + 1000)",
            json!("2020-01-01T00:00:01.000Z"),
        ),
    ];
    for (expression, expected) in cases {
        assert_eq!(run(expression, input.clone())?, expected, "{expression}");
    }
    Ok(())
}

#[test]
fn undefined_results_and_functions_are_query_errors() {
    let err = run("$doesNotExist", json!({}))
        .err()
        .and_then(|e| e.cause)
        .unwrap_or_default();
    assert!(err.ends_with("The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."));
    let err = run("$fn := function($x){$x}", json!({}))
        .err()
        .and_then(|e| e.cause)
        .unwrap_or_default();
    assert!(err.ends_with("returned an unsupported result type."));
}

#[test]
fn templates_only_treat_exact_markers_as_expressions() -> Result<(), StatesError> {
    let mut arena = Arena::default();
    let states = States::of_input(arena.import(&json!({"a": 1})));
    let value =
        json!({"x": "{% $states.input.a %}", "y": " {% $states.input.a %} ", "z": ["{% 2 %}"]});
    let scope = Scope {
        states: &states,
        variables: &Variables::new(),
    };
    assert_eq!(
        template(&arena, &value, "Output", scope)?,
        json!({"x": 1, "y": " {% $states.input.a %} ", "z": [2]})
    );
    Ok(())
}

/// Every expression gives the same JSON whether it is evaluated to JSON
/// or built into the arena, where arrays, objects and `$merge` results
/// holding `$states` values share them by id.
#[test]
fn building_in_the_arena_gives_what_evaluating_to_json_gives() -> Result<(), StatesError> {
    let mut arena = Arena::default();
    let input =
        arena.import(&json!({"id": "m-1", "n": 2, "o": {"a": 1, "b": [1, 2]}, "xs": [1, 2, 3]}));
    let result = arena.import(&json!({"a": 9, "ok": true}));
    let states = States {
        result: Some(result),
        ..States::of_input(input)
    };
    let cases = [
        (
            "$merge([$states.input, {'r': $states.result}])",
            json!({"id": "m-1", "n": 2, "o": {"a": 1, "b": [1, 2]}, "xs": [1, 2, 3], "r": {"a": 9, "ok": true}}),
        ),
        // A later object's value replaces an earlier one's in its place.
        (
            "$merge([$states.input.o, $states.result])",
            json!({"a": 9, "b": [1, 2], "ok": true}),
        ),
        ("$merge($states.result)", json!({"a": 9, "ok": true})),
        (
            "$merge([$states.input.o, {'z': 1}])",
            json!({"a": 1, "b": [1, 2], "z": 1}),
        ),
        (
            "$merge([$states.input.o, $states.input.missing, $states.result])",
            json!({"a": 9, "b": [1, 2], "ok": true}),
        ),
        ("$merge([])", json!({})),
        // Later objects repeating a key among themselves.
        (
            "$merge([$states.input.o, $states.result, $states.result])",
            json!({"a": 9, "b": [1, 2], "ok": true}),
        ),
        (
            "$merge([$states.result, $states.input.o])",
            json!({"a": 1, "ok": true, "b": [1, 2]}),
        ),
        (
            "[$states.input.id, 'x', $states.result.ok]",
            json!(["m-1", "x", true]),
        ),
        (
            "{'deep': {'k': $states.input.o.b, 'n': $states.input.n + 1}}",
            json!({"deep": {"k": [1, 2], "n": 3}}),
        ),
        (
            "$map($states.input.xs, function($x){ $states.input.n * $x })",
            json!([2, 4, 6]),
        ),
        ("$states.input.xs[$ > $states.input.n - 1]", json!([2, 3])),
        ("$states.input.o.b[1]", json!(2)),
        (
            "$count($states.input.xs) & ' ' & $states.input.id",
            json!("3 m-1"),
        ),
        (
            "$states.result.ok ? $states.input.o : $states.result",
            json!({"a": 1, "b": [1, 2]}),
        ),
        (
            "($v := $states.input.o; $v.a + $states.result.a)",
            json!(10),
        ),
        ("$states.input.missing", json!(null)),
    ];
    let scope = Scope {
        states: &states,
        variables: &Variables::new(),
    };
    for (expression, expected) in cases {
        let template_value = json!(format!("{{% {expression} %}}"));
        let wrapped = json!({"v": template_value.clone()});
        if expected.is_null() {
            // Undefined is an error either way.
            assert!(template(&arena, &template_value, "Output", scope).is_err());
            assert!(template_in(&mut arena, &wrapped, "Output", scope).is_err());
            continue;
        }
        assert_eq!(
            template(&arena, &template_value, "Output", scope)?,
            expected,
            "{expression}"
        );
        let built = template_in(&mut arena, &wrapped, "Output", scope)?;
        assert_eq!(
            arena.get(built).to_value(),
            json!({"v": expected}),
            "{expression}"
        );
    }
    Ok(())
}

#[test]
fn merging_arena_values_that_are_not_objects_fails_as_merging_json_does() {
    let mut arena = Arena::default();
    let states = States::of_input(arena.import(&json!({"o": {"a": 1}, "n": 5})));
    let scope = Scope {
        states: &states,
        variables: &Variables::new(),
    };
    let value = json!("{% $merge([$states.input.o, $states.input.n]) %}");
    let read = template(&arena, &value, "Output", scope)
        .err()
        .and_then(|e| e.cause);
    let built = template_in(&mut arena, &value, "Output", scope)
        .err()
        .and_then(|e| e.cause);
    assert!(
        read.as_deref().is_some_and(|c| c
            .ends_with("Argument 1 of function $merge must be an array of objects, not number")),
        "{read:?}"
    );
    assert_eq!(read, built);
}

#[test]
fn a_failing_pair_leaves_nothing_half_built_in_the_arena() {
    let mut arena = Arena::default();
    let states = States::of_input(arena.import(&json!({"o": {"a": 1}, "s": "text"})));
    let scope = Scope {
        states: &states,
        variables: &Variables::new(),
    };
    let value = json!({"out": "{% {'kept': $states.input.o, 'fails': $states.input.s + 1} %}"});
    let cause = template_in(&mut arena, &value, "Output", scope)
        .err()
        .and_then(|e| e.cause);
    assert!(
        cause
            .as_deref()
            .is_some_and(|c| c.contains("must evaluate to numeric values")),
        "{cause:?}"
    );
    assert!(!arena.is_building());
}

/// An expression with a plan (`direct.rs`) gives, compiled, what the
/// general evaluator gives for it: the same value, or the same error.
#[test]
fn planned_expressions_give_what_the_evaluator_gives() -> Result<(), String> {
    let mut arena = Arena::default();
    let input = arena.import(&json!({"id": "m-1", "n": 2, "o": {"a": 1, "b": [1, 2]},
        "xs": [{"a": 1}, {"a": 2}], "t": true}));
    let result = arena.import(&json!({"a": 9, "ok": true}));
    let states = States {
        result: Some(result),
        ..States::of_input(input)
    };
    let planned = [
        "$states.input.id",
        "$states.input.o.b",
        "$states.input.xs.a",
        "$states.input.missing",
        "$states.input.o.a.b",
        "$states.result.a",
        "$states.errorOutput.x",
        "$merge([$states.input, {'r': $states.result}])",
        "$merge([$states.input.o, $states.input.n])",
        "$merge([$states.input.o, 'x'])",
        "$merge([$states.input.missing])",
        "$merge([])",
        "$merge([{'a': 1, 'a': 2}, $states.input.o])",
        "$merge([$states.input.o, {'a': 5, 'z': {'n': $states.input.n}}, {'a': 6}])",
        "$merge([{'x': $states.input.missing}, $states.input.missing])",
        "$merge([{'o': $states.input.o}, $states.input.n])",
        "{'a': $states.input.id, 'a': 2}",
        "{'k': $states.input.missing, 'n': 1.5, 'z': null, 'd': {'e': $states.input.xs}}",
        "$states.input.n = 2",
        "$states.input.n != 2",
        "$states.input.n = 2.0",
        "$states.input.id = 'm-1'",
        "$states.input.t = true",
        "$states.input.missing = null",
        "$states.input.missing != null",
        "$states.input.o.b = $states.input.o.b",
        "$states.input.o = {'a': 1}",
        "'text'",
    ];
    let mut merge_variable = Variables::new();
    merge_variable.insert("merge".into(), json!(1));
    for variables in [Variables::new(), merge_variable] {
        let scope = Scope {
            states: &states,
            variables: &variables,
        };
        for expression in planned {
            let node = parser::parse(expression)?;
            if direct::plan(&node).is_none() {
                return Err(format!("{expression} has no plan"));
            }
            let text = json!({"v": format!("{{% {expression} %}}")});
            let compiled_template = JsonataTemplate::new(text.clone());
            let field = evaluate::Field::Key(&evaluate::Field::Root("Output"), "v");
            let cause = |e: StatesError| e.cause;
            let as_json = |arena: &Arena, evaluated| match evaluated {
                evaluate::Evaluated::Json(value) => json!({"v": value}),
                evaluate::Evaluated::Node(id) => json!({"v": arena.get(id).to_value()}),
            };
            let read = evaluate::evaluate_parsed(
                eval::Values::Read(&arena),
                expression,
                &node,
                &field,
                scope,
            )
            .map(|evaluated| as_json(&arena, evaluated))
            .map_err(cause);
            let read_compiled =
                compiled(&arena, &compiled_template, "Output", scope).map_err(cause);
            assert_eq!(read_compiled, read, "{expression}");
            let built = evaluate::evaluate_parsed(
                eval::Values::Build(&mut arena),
                expression,
                &node,
                &field,
                scope,
            )
            .map(|evaluated| as_json(&arena, evaluated))
            .map_err(cause);
            let built_compiled = compiled_in(&mut arena, &compiled_template, "Output", scope)
                .map(|id| arena.get(id).to_value())
                .map_err(cause);
            assert_eq!(built_compiled, built, "{expression}");
            assert!(!arena.is_building(), "{expression}");
        }
    }
    for unplanned in [
        "$states",
        "$states.context.Execution",
        "$x.a",
        "$count([1])",
    ] {
        let node = parser::parse(unplanned)?;
        assert!(direct::plan(&node).is_none(), "{unplanned}");
    }
    Ok(())
}
