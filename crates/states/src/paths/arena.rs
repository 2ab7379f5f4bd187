//! The JSONPath reading and `ResultPath` writing of [`super`] on arena
//! values ([`crate::value`]). A definite path reads without copying (the
//! result is the id of the value it points to), and a write makes new
//! objects and arrays along the path that share everything else, so the
//! value written into stays as it was (for the history and for Retry).
//! Indefinite paths still go through `serde_json_path`, converting at
//! their edge.
//!
//! Same results and the same error texts as [`super::select_parsed`] and
//! [`super::try_set_parsed`]; the tests below check them side by side.

use super::{Parsed, PathError, Segment, index_of, not_found};
use crate::value::{Arena, Kind, NodeId};

/// Read `path` (parsed as `parsed`) from `value`.
pub(crate) fn select(
    arena: &mut Arena,
    path: &str,
    parsed: &Parsed,
    value: NodeId,
) -> Result<NodeId, PathError> {
    match parsed {
        Parsed::Definite(segments) => walk(arena, path, segments, value),
        Parsed::General(Ok(query)) => {
            let source = arena.get(value).to_value();
            let found = query.query(&source).all();
            let mark = arena.begin_array();
            for item in found {
                let id = arena.import(item);
                arena.push_item(id);
            }
            Ok(arena.finish_array(mark))
        }
        Parsed::General(Err(e)) => Err(PathError::new(format!("Invalid path '{path}' : {e}"))),
    }
}

fn walk(
    arena: &Arena,
    path: &str,
    segments: &[Segment],
    value: NodeId,
) -> Result<NodeId, PathError> {
    let mut current = arena.get(value);
    for (i, segment) in segments.iter().enumerate() {
        let next = match segment {
            Segment::Key(key) => current.get(key),
            Segment::Index(n) => index_of(*n, current.len()).and_then(|at| current.index(at)),
        };
        current = next.ok_or_else(|| not_found(path, segments, i))?;
    }
    Ok(current.id())
}

/// Write `value` into `target` at the reference path `parsed` (creating
/// missing objects on the way, as AWS does for `ResultPath`), as a new
/// value; `target` does not change. `None` when the path cannot be written
/// there.
pub(crate) fn try_set(
    arena: &mut Arena,
    target: NodeId,
    parsed: &Parsed,
    value: NodeId,
) -> Option<NodeId> {
    let Parsed::Definite(segments) = parsed else {
        return None;
    };
    // The usual `$.name` into an object: one new top level.
    if let [Segment::Key(key)] = segments.as_slice() {
        let key = key.arena_key(arena);
        if let Some(written) = arena.with_field(target, key, value) {
            return Some(written);
        }
    }
    insert(arena, target, segments, value)
}

fn insert(arena: &mut Arena, slot: NodeId, segments: &[Segment], value: NodeId) -> Option<NodeId> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(value);
    };
    match first {
        Segment::Key(key) => {
            let slot = if arena.get(slot).is_null() && !rest.is_empty() {
                NodeId::EMPTY_OBJECT
            } else {
                slot
            };
            let view = arena.get(slot);
            if view.kind() != Kind::Object {
                return None;
            }
            let child = match view.get(key) {
                Some(child)
                    if rest.is_empty() || matches!(child.kind(), Kind::Object | Kind::Array) =>
                {
                    child.id()
                }
                Some(_) => NodeId::EMPTY_OBJECT,
                None if rest.is_empty() => NodeId::NULL,
                None => NodeId::EMPTY_OBJECT,
            };
            let written = insert(arena, child, rest, value)?;
            let key = key.arena_key(arena);
            arena.with_field(slot, key, written)
        }
        Segment::Index(n) => {
            let view = arena.get(slot);
            if view.kind() != Kind::Array {
                return None;
            }
            let at = index_of(*n, view.len())?;
            let child = view.index(at)?.id();
            let written = insert(arena, child, rest, value)?;
            arena.with_item(slot, at, written)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::paths::{parse, select_parsed, try_set_parsed};

    const TARGETS: &[&str] = &[
        r#"{"a":1,"b":{"c":[1,{"d":2}]},"n":null,"e":{},"s":"x"}"#,
        "null",
        r#""text""#,
        "[1,2]",
        r#"[{"a":[[0,1],{"b":null}]}]"#,
    ];

    const PATHS: &[&str] = &[
        "$",
        "$.a",
        "$.a.b",
        "$.b.c[1].d",
        "$.b.c[0].x",
        "$.b.c[5]",
        "$.b.c[-1]",
        "$.b.c[-1].e",
        "$.n",
        "$.n.x",
        "$.e.f.g",
        "$.x.y.z",
        "$.s.t",
        "$[0]",
        "$[0].a",
        "$[0].a[1].b",
        "$[-3]",
        "$['b']['c'][0]",
        "$.x[0]",
        "$.a[0]",
        "$[*]",
        "$..d",
        "$.b.c[?(@.d == 2)]",
        "$.[",
    ];

    #[test]
    fn reading_gives_what_the_serde_json_reader_gives() {
        let mut arena = Arena::new();
        for target in TARGETS {
            let value: Value = serde_json::from_str(target).unwrap_or_else(|e| panic!("{e}"));
            let id = arena.import(&value);
            for path in PATHS {
                let parsed = parse(path);
                let expected = select_parsed(path, &parsed, &value);
                let actual = select(&mut arena, path, &parsed, id);
                match (expected, actual) {
                    (Ok(e), Ok(a)) => assert_eq!(arena.get(a).to_value(), e, "{path} on {target}"),
                    (Err(e), Err(a)) => assert_eq!(a, e, "{path} on {target}"),
                    (e, a) => panic!("{path} on {target}: {e:?} vs {a:?}"),
                }
            }
        }
    }

    #[test]
    fn a_definite_read_shares_the_value_it_finds() -> Result<(), PathError> {
        let mut arena = Arena::new();
        let id = arena.import(&json!({"a": {"big": [1, 2, 3]}}));
        let found = select(&mut arena, "$.a", &parse("$.a"), id)?;
        let before = arena.bytes_used();
        assert_eq!(select(&mut arena, "$.a", &parse("$.a"), id)?, found);
        assert_eq!(arena.bytes_used(), before, "nothing was copied");
        Ok(())
    }

    #[test]
    fn writing_gives_what_the_serde_json_writer_gives_and_keeps_the_target() {
        let mut arena = Arena::new();
        let written = json!({"w": [7]});
        for target in TARGETS {
            let value: Value = serde_json::from_str(target).unwrap_or_else(|e| panic!("{e}"));
            let id = arena.import(&value);
            let result = arena.import(&written);
            for path in PATHS {
                let parsed = parse(path);
                let expected = try_set_parsed(value.clone(), path, &parsed, written.clone());
                let actual = try_set(&mut arena, id, &parsed, result);
                match (expected, actual) {
                    (Ok(e), Some(a)) => {
                        assert_eq!(
                            arena.get(a).to_text(),
                            serde_json::to_string(&e).unwrap_or_default(),
                            "{path} on {target}"
                        );
                    }
                    (Err(_), None) => {}
                    (e, a) => panic!("{path} on {target}: {e:?} vs {a:?}"),
                }
                assert_eq!(arena.get(id).to_value(), value, "{path} changed {target}");
            }
        }
    }
}
