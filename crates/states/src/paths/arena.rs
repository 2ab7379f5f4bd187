//! JSONPath on arena values ([`crate::value`]): reading (the definite
//! [`super::walk`] over [`Json`] views, so a read copies nothing: the
//! result is the id of the value it points to) and `ResultPath` writing,
//! which makes new objects and arrays along the path that share everything
//! else, so the value written into stays as it was (for the history and for
//! Retry). Indefinite paths go through `serde_json_path` ([`super::general`]),
//! converting at that edge.

use serde_json::Value;

use super::{Parsed, PathError, Segment, Tree, general, index_of, walk};
use crate::value::{Arena, Json, Kind, NodeId};

impl<'a> Tree for Json<'a> {
    fn field(self, key: &str) -> Option<Json<'a>> {
        self.get(key)
    }

    fn item(self, index: usize) -> Option<Json<'a>> {
        self.index(index)
    }

    fn items(self) -> usize {
        if self.kind() == Kind::Array {
            self.len()
        } else {
            0
        }
    }
}

/// What a path found: a value of the arena (a definite read), or the
/// array of an indefinite path's matches, as `serde_json_path` gives them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    /// A value of the arena that was read.
    Node(NodeId),
    /// An indefinite path's matches.
    Value(Value),
}

/// Read `path` (parsed as `parsed`) from `value`, without writing anything.
pub(crate) fn find(
    arena: &Arena,
    path: &str,
    parsed: &Parsed,
    value: NodeId,
) -> Result<Found, PathError> {
    match parsed {
        Parsed::Definite(segments) => {
            walk(path, segments, arena.get(value)).map(|found| Found::Node(found.id()))
        }
        Parsed::General(query) => {
            general(path, query, &arena.get(value).to_value()).map(Found::Value)
        }
    }
}

/// Read `path` (parsed as `parsed`) from `value`, as a value of `arena`.
pub(crate) fn select(
    arena: &mut Arena,
    path: &str,
    parsed: &Parsed,
    value: NodeId,
) -> Result<NodeId, PathError> {
    // The definite walk directly, not through `find`: this is the read of
    // every `InputPath`, template path and Choice variable, and `Found` is
    // returned through memory.
    match parsed {
        Parsed::Definite(segments) => {
            walk(path, segments, arena.get(value)).map(|found| found.id())
        }
        Parsed::General(query) => {
            let found = general(path, query, &arena.get(value).to_value())?;
            Ok(arena.import(&found))
        }
    }
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
    use crate::paths::parse;

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
    fn reading_gives_what_reading_the_serde_json_value_gives() {
        let mut arena = Arena::new();
        for target in TARGETS {
            let value: Value = serde_json::from_str(target).unwrap_or_else(|e| panic!("{e}"));
            let id = arena.import(&value);
            for path in PATHS {
                let expected = crate::paths::select(path, &value);
                let actual = select(&mut arena, path, &parse(path), id);
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

    /// `ResultPath` writes of `{"w":[7]}` as AWS makes them: missing
    /// fields and fields holding scalars or `null` become objects on the
    /// way; an index must exist; anything else cannot be written (`None`).
    #[test]
    fn writing_creates_objects_on_the_way_and_keeps_the_target() {
        let object = TARGETS[0];
        let cases: &[(&str, &str, Option<&str>)] = &[
            (object, "$", Some(r#"{"w":[7]}"#)),
            (
                object,
                "$.a",
                Some(r#"{"a":{"w":[7]},"b":{"c":[1,{"d":2}]},"n":null,"e":{},"s":"x"}"#),
            ),
            (
                object,
                "$.a.b",
                Some(r#"{"a":{"b":{"w":[7]}},"b":{"c":[1,{"d":2}]},"n":null,"e":{},"s":"x"}"#),
            ),
            (
                object,
                "$.b.c[1].d",
                Some(r#"{"a":1,"b":{"c":[1,{"d":{"w":[7]}}]},"n":null,"e":{},"s":"x"}"#),
            ),
            (
                object,
                "$.b.c[-1]",
                Some(r#"{"a":1,"b":{"c":[1,{"w":[7]}]},"n":null,"e":{},"s":"x"}"#),
            ),
            (
                object,
                "$.n.x",
                Some(r#"{"a":1,"b":{"c":[1,{"d":2}]},"n":{"x":{"w":[7]}},"e":{},"s":"x"}"#),
            ),
            (
                object,
                "$.x.y.z",
                Some(
                    r#"{"a":1,"b":{"c":[1,{"d":2}]},"n":null,"e":{},"s":"x","x":{"y":{"z":{"w":[7]}}}}"#,
                ),
            ),
            (
                object,
                "$.s.t",
                Some(r#"{"a":1,"b":{"c":[1,{"d":2}]},"n":null,"e":{},"s":{"t":{"w":[7]}}}"#),
            ),
            (object, "$.b.c[0].x", None),
            (object, "$.b.c[5]", None),
            (object, "$[0]", None),
            (object, "$.x[0]", None),
            (object, "$[*]", None),
            ("null", "$.a", None),
            ("null", "$.x.y", Some(r#"{"x":{"y":{"w":[7]}}}"#)),
            (r#""text""#, "$.a", None),
            ("[1,2]", "$[0]", Some(r#"[{"w":[7]},2]"#)),
            ("[1,2]", "$[-1]", Some(r#"[1,{"w":[7]}]"#)),
            ("[1,2]", "$[-3]", None),
            ("[1,2]", "$[0].a", None),
            (
                TARGETS[4],
                "$[0].a[1].b",
                Some(r#"[{"a":[[0,1],{"b":{"w":[7]}}]}]"#),
            ),
        ];
        let mut arena = Arena::new();
        for (target, path, expected) in cases {
            let value: Value = serde_json::from_str(target).unwrap_or_else(|e| panic!("{e}"));
            let id = arena.import(&value);
            let written = arena.import(&json!({"w": [7]}));
            let actual = try_set(&mut arena, id, &parse(path), written);
            assert_eq!(
                actual.map(|a| arena.get(a).to_text()).as_deref(),
                *expected,
                "{path} on {target}"
            );
            assert_eq!(arena.get(id).to_value(), value, "{path} changed {target}");
        }
    }
}
