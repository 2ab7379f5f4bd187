//! JSONPath for ASL: parsing, and reading with a path (`InputPath`, `.$`
//! fields, `Variable` ...). Writing with a reference path (`ResultPath`) and
//! reading the execution's values are in [`arena`].
//!
//! Definite paths (names and indices only) are walked directly, by one
//! [`walk`] over any [`Tree`] (an arena value, or a `serde_json::Value` for
//! the context object and variables), so that a missing field is an error
//! with AWS's message; indefinite paths (wildcards, slices, filters, unions,
//! descendants) go to `serde_json_path` ([`general`]) and always yield an
//! array, possibly empty.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;
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
    match &*parsed(path) {
        Parsed::Definite(segments) => walk(path, segments, value).cloned(),
        Parsed::General(query) => general(path, query, value),
    }
}

/// An indefinite path's matches in `value`, as an array (possibly empty).
pub(crate) fn general(
    path: &str,
    query: &Result<JsonPath, String>,
    value: &Value,
) -> Result<Value, PathError> {
    match query {
        Ok(query) => Ok(Value::Array(
            query.query(value).all().into_iter().cloned().collect(),
        )),
        Err(e) => Err(PathError::new(format!("Invalid path '{path}' : {e}"))),
    }
}

/// A JSON value a definite path can walk: a field by key, an item by index.
pub(crate) trait Tree: Copy {
    /// The field `key`, when this is an object that has it.
    fn field(self, key: &str) -> Option<Self>;
    /// The item at `index`, when this is an array that long.
    fn item(self, index: usize) -> Option<Self>;
    /// The number of items, when this is an array (0 otherwise).
    fn items(self) -> usize;
}

/// Objects with at most this many fields are searched in order: comparing
/// a few short keys is cheaper than hashing the key (serde_json's map
/// hashes with SipHash).
const LINEAR_FIELDS: usize = 8;

impl<'a> Tree for &'a Value {
    fn field(self, key: &str) -> Option<&'a Value> {
        let map = self.as_object()?;
        if map.len() <= LINEAR_FIELDS {
            map.iter().find_map(|(k, v)| (k == key).then_some(v))
        } else {
            map.get(key)
        }
    }

    fn item(self, index: usize) -> Option<&'a Value> {
        self.as_array()?.get(index)
    }

    fn items(self) -> usize {
        self.as_array().map_or(0, Vec::len)
    }
}

/// Follow the definite `segments` of `path` from `value`.
#[inline]
pub(crate) fn walk<T: Tree>(path: &str, segments: &[Segment], value: T) -> Result<T, PathError> {
    walk_from(path, segments, 0, value)
}

/// Follow `segments[first..]` from `value`, which the first `first`
/// segments of `path` led to (errors name the whole path).
#[inline]
pub(crate) fn walk_from<T: Tree>(
    path: &str,
    segments: &[Segment],
    first: usize,
    value: T,
) -> Result<T, PathError> {
    let mut current = value;
    for (i, segment) in segments.iter().enumerate().skip(first) {
        let next = match segment {
            Segment::Key(key) => current.field(key),
            Segment::Index(n) => index_of(*n, current.items()).and_then(|at| current.item(at)),
        };
        current = next.ok_or_else(|| not_found(path, segments, i))?;
    }
    Ok(current)
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

/// AWS's error for a definite `path` whose segment `failed_at` finds nothing:
/// the last segment has no results, an earlier one is a missing property.
#[cold]
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
}
