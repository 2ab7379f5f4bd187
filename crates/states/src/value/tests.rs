use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::*;

/// Texts covering every kind, escape and number form.
const TEXTS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "42",
    "-7",
    "18446744073709551615",
    "-9223372036854775808",
    "1.5",
    "-0.0",
    "1e300",
    "2.5E-8",
    "0.1",
    "123456789.125",
    r#""""#,
    r#""plain text""#,
    r#""quote \" backslash \\ slash \/ controls \b\f\n\r\t \u0001 \u001f del \u007f""#,
    r#""unicode é ✓ 𝄞 \ud834\udd1e""#,
    "[]",
    "{}",
    "[1,[2,[3,[]]],{}]",
    r#"{"a":1,"b":{"c":[true,false,null],"d":"x"},"":0}"#,
    r#"{"messageId":"m-1","recipient":"user1@example.com","nested":{"deep":{"deeper":[{"k":"v"}]}}}"#,
];

fn serde_text(text: &str) -> String {
    let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    serde_json::to_string(&value).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn parsed_text_is_written_back_as_serde_json_writes_it() {
    let mut arena = Arena::new();
    for text in TEXTS {
        let id = arena.parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let json = arena.get(id);
        assert_eq!(json.to_text(), serde_text(text), "{text}");
        assert_eq!(json.to_string(), serde_text(text), "Display of {text}");
        let via_serde = serde_json::to_string(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(via_serde, serde_text(text), "Serialize of {text}");
    }
}

#[test]
fn values_convert_both_ways() {
    let mut arena = Arena::new();
    for text in TEXTS {
        let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        let id = arena.import(&value);
        assert_eq!(arena.get(id).to_value(), value, "{text}");
        assert!(arena.get(id) == value, "{text}");
        let parsed = arena.parse(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(arena.get(parsed) == arena.get(id), "{text}");
    }
}

/// A random JSON value: every kind, keys that repeat across objects,
/// strings with bytes that need escaping, nesting up to `depth`.
fn random_value(rng: &mut StdRng, depth: u32) -> Value {
    let kinds = if depth == 0 { 4 } else { 6 };
    match rng.random_range(0..kinds) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => match rng.random_range(0..3) {
            0 => json!(rng.random::<u64>()),
            1 => json!(rng.random::<i64>()),
            _ => json!(rng.random::<f64>() * 10f64.powi(rng.random_range(-20..20))),
        },
        3 => Value::String(random_text(rng)),
        4 => Value::Array(
            (0..rng.random_range(0..6))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.random_range(0..20))
                .map(|_| (random_text(rng), random_value(rng, depth - 1)))
                .collect(),
        ),
    }
}

fn random_text(rng: &mut StdRng) -> String {
    const ALPHABET: &[char] = &['a', 'b', 'é', '"', '\\', '\n', '\u{1}', '𝄞', ' ', '/'];
    (0..rng.random_range(0..12))
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect()
}

#[test]
fn random_values_round_trip_through_text_and_serde_json() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut arena = Arena::new();
    for _ in 0..500 {
        let value = random_value(&mut rng, 4);
        let text = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{e}"));
        let parsed = arena.parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(arena.get(parsed).to_text(), text);
        assert_eq!(arena.get(parsed).to_value(), value);
        let imported = arena.import(&value);
        assert_eq!(arena.get(imported).to_text(), text);
        let json = arena.get(imported);
        assert_eq!(json.text_len(), text.len(), "{text}");
        assert!(arena.bound_of(imported) as usize >= text.len(), "{text}");
        assert!(!json.text_longer_than(text.len()) && json.text_longer_than(text.len() - 1));
    }
}

#[test]
fn a_repeated_key_keeps_its_first_place_and_its_last_value() {
    let mut arena = Arena::new();
    let small = r#"{"a":1,"b":2,"a":3}"#;
    let id = arena.parse(small).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(arena.get(id).to_text(), serde_text(small));
    assert_eq!(arena.get(id).to_text(), r#"{"a":3,"b":2}"#);

    // Past the pair-by-pair check's size.
    let fields: Vec<String> = (0..40).map(|i| format!(r#""k{}":{i}"#, i % 25)).collect();
    let large = format!("{{{}}}", fields.join(","));
    let id = arena.parse(&large).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(arena.get(id).len(), 25);
    assert_eq!(arena.get(id).to_text(), serde_text(&large));
}

#[test]
fn reading_objects_and_arrays() {
    let mut arena = Arena::new();
    let id = arena
        .parse(r#"{"name":"n","list":[10,-2,1.5],"flag":true,"none":null}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let json = arena.get(id);
    assert_eq!(json.kind(), Kind::Object);
    assert_eq!(json.get("name").and_then(Json::as_str), Some("n"));
    assert_eq!(json.get("missing").map(Json::kind), None);
    let list = json.get("list").unwrap_or_else(|| panic!("list"));
    assert_eq!(list.len(), 3);
    assert_eq!(list.index(0).and_then(Json::as_u64), Some(10));
    assert_eq!(list.index(1).and_then(Json::as_i64), Some(-2));
    assert_eq!(list.index(2).and_then(Json::as_f64), Some(1.5));
    assert!(list.index(3).is_none());
    assert_eq!(json.get("flag").and_then(Json::as_bool), Some(true));
    assert!(json.get("none").is_some_and(Json::is_null));
    let keys: Vec<&str> = json.fields().map(|(key, _)| key).collect();
    assert_eq!(keys, ["name", "list", "flag", "none"]);
    // Reading a container as another kind gives nothing, not a panic.
    assert!(list.get("name").is_none());
    assert!(json.index(0).is_none());
    assert_eq!(json.items().len(), 0);
}

#[test]
fn equality_is_json_equality() {
    let mut arena = Arena::new();
    let mut parse = |text: &str| arena.parse(text).unwrap_or_else(|e| panic!("{e}"));
    let (a, b, c, d) = (
        parse(r#"{"x":1,"y":[1,2]}"#),
        parse(r#"{"y":[1,2],"x":1}"#),
        parse(r#"{"x":1.0,"y":[1,2]}"#),
        parse(r#"{"x":1,"y":[2,1]}"#),
    );
    assert!(arena.get(a) == arena.get(b), "key order does not matter");
    assert!(
        arena.get(a) != arena.get(c),
        "1 is not 1.0, as in serde_json"
    );
    assert!(arena.get(a) != arena.get(d), "item order matters");
    assert!(arena.get(a) == json!({"y": [1, 2], "x": 1}));
    assert!(arena.get(a) != json!({"x": 1}));
}

#[test]
fn an_update_is_a_new_object_that_shares_the_old_values() {
    let mut arena = Arena::new();
    let input = arena
        .parse(r#"{"a":{"big":[1,2,3]},"b":2}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let three = arena.number(Number::PosInt(3));
    let b = Key::Static("b");
    let replaced = arena.with_field(input, b, three);
    let added = arena.with_field(input, Key::Static("c"), NodeId::TRUE);
    let (Some(replaced), Some(added)) = (replaced, added) else {
        panic!("input is an object");
    };
    assert_eq!(
        arena.get(replaced).to_text(),
        r#"{"a":{"big":[1,2,3]},"b":3}"#
    );
    assert_eq!(
        arena.get(added).to_text(),
        r#"{"a":{"big":[1,2,3]},"b":2,"c":true}"#
    );
    assert_eq!(arena.get(input).to_text(), r#"{"a":{"big":[1,2,3]},"b":2}"#);
    let shared = |id: NodeId| arena.get(id).get("a").map(Json::id);
    assert_eq!(
        shared(replaced),
        shared(input),
        "the child is shared, not copied"
    );
    assert_eq!(arena.with_field(three, b, three), None, "not an object");
}

#[test]
fn building_nested_values_with_marks() {
    let mut arena = Arena::new();
    let outer = arena.begin_object();
    let list = arena.begin_array();
    let text = arena.string("x");
    arena.push_item(text);
    let inner = arena.begin_object();
    arena.push_field(Key::Static("k"), NodeId::NULL);
    let inner = arena.finish_object(inner);
    arena.push_item(inner);
    let list = arena.finish_array(list);
    let key = arena.key("list");
    arena.push_field(key, list);
    let empty = arena.begin_array();
    let empty = arena.finish_array(empty);
    arena.push_field(Key::Static("empty"), empty);
    let outer = arena.finish_object(outer);
    assert_eq!(
        arena.get(outer).to_text(),
        r#"{"list":["x",{"k":null}],"empty":[]}"#
    );
    assert_eq!(empty, NodeId::EMPTY_ARRAY);
}

#[test]
fn a_copy_into_another_arena_reads_the_same() {
    let mut branch = Arena::new();
    let id = branch
        .parse(r#"{"a":[1,"two",{"three":3.5}],"b":null}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let with_static = branch.with_field(id, Key::Static("s"), NodeId::FALSE);
    let id = with_static.unwrap_or_else(|| panic!("object"));
    let mut parent = Arena::new();
    parent.string("something already here");
    let copy = parent.copy_from(&branch, id);
    assert!(parent.get(copy) == branch.get(id));
    assert_eq!(parent.get(copy).to_text(), branch.get(id).to_text());
}

#[test]
fn clear_forgets_values_and_keeps_the_constants() {
    let mut arena = Arena::new();
    let id = arena
        .parse(r#"["a","b"]"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let before = arena.bytes_used();
    arena.clear();
    assert!(arena.bytes_used() < before);
    assert!(arena.get(NodeId::NULL).is_null());
    assert_eq!(arena.get(NodeId::TRUE).as_bool(), Some(true));
    assert_eq!(arena.get(NodeId::EMPTY_OBJECT).to_text(), "{}");
    // An id from before the clear reads as null, not as a panic.
    assert!(arena.get(id).is_null());
}

#[test]
fn the_limit_is_reported_once_passed() {
    let mut arena = Arena::with_limit(1024);
    assert_eq!(arena.check_limit(), Ok(()));
    arena.string(&"x".repeat(2000));
    let error = arena.check_limit().err().unwrap_or_else(|| panic!("over"));
    assert_eq!(error.limit, 1024);
    assert!(error.used > 2000);
    arena.clear();
    assert_eq!(arena.check_limit(), Ok(()));
}

#[test]
fn bad_text_is_an_error_and_leaves_the_arena_usable() {
    let mut arena = Arena::new();
    for bad in [r#"{"a":[1,2"#, "[1,]", r#"{"a" 1}"#, "nul", "[1] 2", ""] {
        assert!(arena.parse(bad).is_err(), "{bad}");
    }
    assert!(!arena.is_building(), "nothing half-built is left");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(arena.parse(&deep).is_err(), "past serde_json's depth limit");
    let id = arena
        .parse(r#"{"ok":[1]}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(arena.get(id).to_text(), r#"{"ok":[1]}"#);
}

#[test]
fn numbers_keep_serde_jsons_forms() {
    assert_eq!(Number::from_i64(5), Number::PosInt(5));
    assert_eq!(Number::from_i64(-5), Number::NegInt(-5));
    assert_eq!(Number::from_f64(f64::NAN), None);
    assert_eq!(Number::from_f64(f64::INFINITY), None);
    assert_eq!(Number::Float(0.1).to_string(), "0.1");
    assert_eq!(Number::Float(1.0).to_string(), "1.0");
    assert_eq!(Number::NegInt(-9).as_u64(), None);
    assert_eq!(Number::PosInt(u64::MAX).as_i64(), None);
}

#[test]
fn a_document_reads_in_place_and_as_a_value() {
    let mut arena = Arena::new();
    let id = arena
        .parse(r#"{"record":{"status":"SENT"},"n":[1,2]}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let document = Document::new(std::sync::Arc::new(arena), id);
    assert_eq!(
        document
            .json()
            .get("record")
            .and_then(|r| r.get("status"))
            .and_then(Json::as_str),
        Some("SENT")
    );
    let expected = json!({"record": {"status": "SENT"}, "n": [1, 2]});
    assert_eq!(
        document["record"]["status"], "SENT",
        "dereferences to a Value"
    );
    assert!(document == expected);
    assert_eq!(
        document.to_string(),
        r#"{"record":{"status":"SENT"},"n":[1,2]}"#
    );
    let text = serde_json::to_string(&document).unwrap_or_else(|e| panic!("{e}"));
    let back: Document = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(back == document);
    assert_eq!(Document::from(expected.clone()).into_value(), expected);
    assert_eq!(back.into_value(), expected);
}

#[test]
fn the_text_bound_counts_a_shared_value_once_per_use() {
    let mut arena = Arena::new();
    let mut value = arena
        .parse(r#""\u0001x""#)
        .unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..8 {
        let (a, b) = (arena.key("a"), arena.key("b"));
        value = arena.object([(a, value), (b, value)]);
    }
    let text = arena.get(value).to_text();
    assert_eq!(arena.get(value).text_len(), text.len());
    assert!(arena.bound_of(value) as usize >= text.len());
    assert!(arena.get(value).text_longer_than(text.len() - 1));
    assert!(!arena.get(value).text_longer_than(text.len()));
}

#[test]
fn the_constants_have_the_text_bounds_of_their_nodes() {
    let mut arena = Arena::small(DEFAULT_LIMIT_BYTES);
    let constants = [
        NodeId::NULL,
        NodeId::TRUE,
        NodeId::FALSE,
        NodeId::EMPTY_OBJECT,
        NodeId::EMPTY_ARRAY,
    ];
    for id in constants {
        let again = arena.push(arena.node(id));
        assert_eq!(arena.bound_of(id), arena.bound_of(again));
    }
}

#[test]
fn copies_and_imports_of_nested_values_read_the_same() {
    let value = json!({"a": [1, {"b": [], "c": {}}, [[2], "x"]], "d": {"e": {"f": null}}, "g": []});
    let mut source = Arena::small(DEFAULT_LIMIT_BYTES);
    let id = source.import(&value);
    assert_eq!(source.get(id).to_value(), value);
    let mut target = Arena::small(DEFAULT_LIMIT_BYTES);
    target.string("something already here");
    let copy = target.copy_from(&source, id);
    assert_eq!(target.get(copy).to_value(), value);
    assert_eq!(target.get(copy).to_text(), serde_text(&value.to_string()));
    assert!(!target.is_building());
}
