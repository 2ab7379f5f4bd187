//! JSONPath for ASL: reading with a path (`InputPath`, `.$` fields, `Variable`
//! ...) and writing with a reference path (`ResultPath`).
//!
//! Definite paths (names and indices only) are walked directly so that a
//! missing field is an error with AWS's message; indefinite paths (wildcards,
//! slices, filters, unions, descendants) go to `serde_json_path` and always
//! yield an array, possibly empty.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use crate::fnv::FnvBuild;
use crate::history::Name;

pub(crate) mod arena;

/// One step of a definite path. A key is a definition name (interned):
/// writing it into an arena value copies no text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    Key(Name),
    Index(i64),
}

/// Why a path could not be read or written; the text is AWS's wording
/// without the state prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathError {
    pub(crate) message: String,
}

impl PathError {
    fn new(message: String) -> Self {
        PathError { message }
    }
}

/// Most distinct paths remembered per thread before the memo starts over.
const MEMO_LIMIT: usize = 4096;

/// A path parsed once: its definite segments, or the general JSONPath.
#[derive(Debug)]
pub(crate) enum Parsed {
    Definite(Vec<Segment>),
    General(Result<JsonPath, String>),
}

thread_local! {
    /// Paths come from the (immutable) definition, so the same few texts are
    /// parsed over and over; remember each one's parse per thread.
    static PARSED: RefCell<HashMap<Box<str>, Rc<Parsed>, FnvBuild>> =
        RefCell::new(HashMap::default());
}

/// `path` parsed, from the per-thread memo when it was seen before.
pub(crate) fn parsed(path: &str) -> Rc<Parsed> {
    PARSED.with(|memo| {
        if let Some(hit) = memo.borrow().get(path) {
            return Rc::clone(hit);
        }
        let parsed = Rc::new(parse(path));
        let mut memo = memo.borrow_mut();
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        memo.insert(path.into(), Rc::clone(&parsed));
        parsed
    })
}

/// `path` parsed, for a caller that keeps the parse (a compiled template).
pub(crate) fn parse(path: &str) -> Parsed {
    match parse_definite(path) {
        Some(segments) => Parsed::Definite(segments),
        None => Parsed::General(JsonPath::parse(path).map_err(|e| e.to_string())),
    }
}

/// Read `path` (which starts with `$`) from `value`.
pub(crate) fn select(path: &str, value: &Value) -> Result<Value, PathError> {
    select_parsed(path, &parsed(path), value)
}

/// [`select`] with the path already parsed (`parsed` is `path`'s [`parse`]).
pub(crate) fn select_parsed(
    path: &str,
    parsed: &Parsed,
    value: &Value,
) -> Result<Value, PathError> {
    match parsed {
        Parsed::Definite(segments) => walk(path, segments, value),
        Parsed::General(Ok(parsed)) => Ok(Value::Array(
            parsed.query(value).all().into_iter().cloned().collect(),
        )),
        Parsed::General(Err(e)) => Err(PathError::new(format!("Invalid path '{path}' : {e}"))),
    }
}

/// AWS's normalised form of a definite path: `$['a'][0]`.
pub(crate) fn normalized(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    for segment in segments {
        match segment {
            Segment::Key(k) => out.push_str(&format!("['{k}']")),
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Objects with at most this many fields are searched in order: comparing
/// a few short keys is cheaper than hashing the key (serde_json's map
/// hashes with SipHash).
const LINEAR_FIELDS: usize = 8;

/// The field `key` of `map`.
pub(crate) fn field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= LINEAR_FIELDS {
        map.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        map.get(key)
    }
}

fn walk(path: &str, segments: &[Segment], value: &Value) -> Result<Value, PathError> {
    let mut current = value;
    for (i, segment) in segments.iter().enumerate() {
        let next = match (segment, current) {
            (Segment::Key(k), Value::Object(map)) => field(map, k),
            (Segment::Index(n), Value::Array(items)) => {
                index_of(*n, items.len()).and_then(|n| items.get(n))
            }
            _ => None,
        };
        current = next.ok_or_else(|| not_found(path, segments, i))?;
    }
    Ok(current.clone())
}

/// AWS's error for a definite `path` whose segment `failed_at` finds nothing:
/// the last segment has no results, an earlier one is a missing property.
pub(crate) fn not_found(path: &str, segments: &[Segment], failed_at: usize) -> PathError {
    if failed_at + 1 == segments.len() {
        return PathError::new(format!(
            "Invalid path '{path}' : No results for path: {}",
            normalized(segments)
        ));
    }
    let prefix = segments.get(..=failed_at).unwrap_or(segments);
    PathError::new(format!(
        "Invalid path '{path}' : Missing property in path {}",
        normalized(prefix)
    ))
}

pub(crate) fn index_of(n: i64, len: usize) -> Option<usize> {
    if n >= 0 {
        usize::try_from(n).ok()
    } else {
        let back = usize::try_from(n.unsigned_abs()).ok()?;
        len.checked_sub(back)
    }
}

/// Parse a definite path (`$`, `.name`, `['name']`, `[3]`); `None` if the
/// path has any other selector.
pub(crate) fn parse_definite(path: &str) -> Option<Vec<Segment>> {
    let rest = path.strip_prefix('$')?;
    let chars: Vec<char> = rest.chars().collect();
    let mut segments = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '.' => {
                let start = i + 1;
                let mut end = start;
                while chars.get(end).is_some_and(|c| *c != '.' && *c != '[') {
                    end += 1;
                }
                let name: String = chars.get(start..end)?.iter().collect();
                if name.is_empty()
                    || name == "*"
                    || name.contains(['?', '(', ')', '\'', '"', ']', ' '])
                {
                    return None;
                }
                segments.push(Segment::Key(Name::new(&name)));
                i = end;
            }
            '[' => {
                let quote = *chars.get(i + 1)?;
                if quote == '\'' || quote == '"' {
                    let mut name = String::new();
                    let mut j = i + 2;
                    loop {
                        let c = *chars.get(j)?;
                        if c == '\\' && chars.get(j + 1) == Some(&quote) {
                            // Only the quote itself is escaped; other backslashes are literal.
                            name.push(quote);
                            j += 2;
                        } else if c == quote {
                            break;
                        } else {
                            name.push(c);
                            j += 1;
                        }
                    }
                    if chars.get(j + 1) != Some(&']') {
                        return None;
                    }
                    segments.push(Segment::Key(Name::new(&name)));
                    i = j + 2;
                } else {
                    let close = i + 1 + chars.get(i + 1..)?.iter().position(|c| *c == ']')?;
                    let text: String = chars.get(i + 1..close)?.iter().collect();
                    let index: i64 = text.trim().parse().ok()?;
                    segments.push(Segment::Index(index));
                    i = close + 1;
                }
            }
            _ => return None,
        }
    }
    Some(segments)
}

/// Write `value` into `target` at the reference path `path`, creating
/// missing objects on the way (`ResultPath`). `$` replaces the whole target.
#[cfg(test)]
pub(crate) fn set(target: Value, path: &str, value: Value) -> Result<Value, PathError> {
    let parsed = parsed(path);
    let Parsed::Definite(segments) = &*parsed else {
        return Err(PathError::new(format!(
            "Invalid path '{path}' : not a reference path"
        )));
    };
    let mut root = target;
    insert(&mut root, segments, value, path)?;
    Ok(root)
}

/// [`set`], but when the path cannot be written, `target` comes back
/// untouched (for the error message) instead of a [`PathError`].
pub(crate) fn try_set(target: Value, path: &str, value: Value) -> Result<Value, Value> {
    try_set_parsed(target, path, &parsed(path), value)
}

/// [`try_set`] with the path already parsed (`parsed` is `path`'s [`parse`]).
pub(crate) fn try_set_parsed(
    target: Value,
    path: &str,
    parsed: &Parsed,
    value: Value,
) -> Result<Value, Value> {
    let Parsed::Definite(segments) = parsed else {
        return Err(target);
    };
    // The common `$.name` into an object: set the field (in place when it exists).
    if let ([Segment::Key(key)], Value::Object(_)) = (segments.as_slice(), &target) {
        let mut root = target;
        if let Value::Object(map) = &mut root {
            map.insert(key.to_string(), value);
        }
        return Ok(root);
    }
    if !insertable(Slot::Real(&target), segments) {
        return Err(target);
    }
    let mut root = target;
    match insert(&mut root, segments, value, path) {
        Ok(()) => Ok(root),
        // Unreachable after `insertable`; the partly written value is all there is.
        Err(_) => Err(root),
    }
}

/// A slot as [`insert`] would find it: an existing value, or one it creates.
#[derive(Clone, Copy)]
enum Slot<'a> {
    Real(&'a Value),
    /// A field `insert` adds as `null`.
    NewNull,
    /// A field `insert` adds (or replaces) as `{}`.
    NewObject,
}

/// Whether [`insert`] succeeds, without writing anything.
fn insertable(slot: Slot<'_>, segments: &[Segment]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return true;
    };
    match first {
        Segment::Key(key) => {
            let child = match slot {
                Slot::Real(Value::Object(map)) => match field(map, key) {
                    Some(child) => Slot::Real(child),
                    None => Slot::NewNull,
                },
                Slot::Real(Value::Null) | Slot::NewNull if !rest.is_empty() => Slot::NewNull,
                Slot::NewObject => Slot::NewNull,
                _ => return false,
            };
            let child = match child {
                Slot::Real(v) if !rest.is_empty() && !v.is_object() && !v.is_array() => {
                    Slot::NewObject
                }
                Slot::NewNull if !rest.is_empty() => Slot::NewObject,
                other => other,
            };
            insertable(child, rest)
        }
        Segment::Index(n) => match slot {
            Slot::Real(Value::Array(items)) => index_of(*n, items.len())
                .and_then(|i| items.get(i))
                .is_some_and(|child| insertable(Slot::Real(child), rest)),
            _ => false,
        },
    }
}

fn insert(
    slot: &mut Value,
    segments: &[Segment],
    value: Value,
    path: &str,
) -> Result<(), PathError> {
    let Some((first, rest)) = segments.split_first() else {
        *slot = value;
        return Ok(());
    };
    let fail = || {
        PathError::new(format!(
            "Unable to apply ResultPath '{path}' to input: the path does not refer to a field of an object"
        ))
    };
    match first {
        Segment::Key(key) => {
            if slot.is_null() && !rest.is_empty() {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(map) = slot else {
                return Err(fail());
            };
            let child = map.entry(key.to_string()).or_insert(Value::Null);
            if !rest.is_empty() && !child.is_object() && !child.is_array() {
                *child = Value::Object(Map::new());
            }
            insert(child, rest, value, path)
        }
        Segment::Index(n) => {
            let Value::Array(items) = slot else {
                return Err(fail());
            };
            let len = items.len();
            let child = index_of(*n, len)
                .and_then(|i| items.get_mut(i))
                .ok_or_else(fail)?;
            insert(child, rest, value, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn definite_paths_read_names_quoted_names_and_indices() -> Result<(), PathError> {
        let input = json!({"a": {"b c": [1, 2, {"d": true}]}});
        assert_eq!(select("$.a['b c'][2].d", &input)?, json!(true));
        assert_eq!(select("$.a['b c'][-1]", &input)?, json!({"d": true}));
        assert_eq!(select("$", &input)?, input);
        Ok(())
    }

    #[test]
    fn missing_leaf_and_missing_parent_have_aws_messages() {
        let input = json!({});
        assert_eq!(
            select("$.x", &input).map_err(|e| e.message),
            Err("Invalid path '$.x' : No results for path: $['x']".to_string())
        );
        assert_eq!(
            select("$.no.such.path", &input).map_err(|e| e.message),
            Err("Invalid path '$.no.such.path' : Missing property in path $['no']".to_string())
        );
    }

    #[test]
    fn indefinite_paths_yield_arrays_even_when_empty() -> Result<(), PathError> {
        assert_eq!(select("$.items[*]", &json!({}))?, json!([]));
        let users = json!({"users": [{"s": 0}, {"s": 1}]});
        assert_eq!(select("$.users[?(@.s == 0)]", &users)?, json!([{"s": 0}]));
        Ok(())
    }

    #[test]
    fn set_creates_nested_objects_and_replaces_root() -> Result<(), PathError> {
        assert_eq!(
            set(json!({"a": 1}), "$.b.c", json!(2))?,
            json!({"a": 1, "b": {"c": 2}})
        );
        assert_eq!(set(json!({"a": 1}), "$", json!(2))?, json!(2));
        assert!(set(json!("text"), "$.a", json!(1)).is_err());
        Ok(())
    }

    #[test]
    fn try_set_fails_exactly_where_set_fails_and_keeps_the_target() {
        let targets = [
            json!({"a": 1, "b": {"c": [1, {"d": 2}]}, "n": null}),
            json!(null),
            json!("text"),
            json!([1, 2]),
        ];
        let paths = [
            "$",
            "$.a",
            "$.a.b",
            "$.b.c[1].d",
            "$.b.c[0].x",
            "$.b.c[5]",
            "$.n",
            "$.n.x",
            "$.x.y.z",
            "$[0]",
            "$[0].a",
            "$.b.c[-1].e",
            "$.x[0]",
            "$.a[0]",
            "$[*]",
        ];
        for target in &targets {
            for path in paths {
                let expected = set(target.clone(), path, json!(7)).ok();
                let actual = try_set(target.clone(), path, json!(7));
                match (&expected, &actual) {
                    (Some(e), Ok(a)) => assert_eq!(e, a, "{path} on {target}"),
                    (None, Err(kept)) => assert_eq!(kept, target, "{path} on {target}"),
                    _ => panic!("{path} on {target}: {expected:?} vs {actual:?}"),
                }
            }
        }
    }
}
