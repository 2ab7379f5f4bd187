//! The data work of one notification execution (LoadMessage → Choice →
//! SendNotification with a ResultSelector → RecordSuccess, echo tasks) in
//! two value models, to estimate what an engine-internal value type would
//! give rez-states before rewriting it. See README.md.
//!
//! * `a`: `serde_json::Value` as rez-states uses it: Parameters maps cloned
//!   from a prebuilt shape and filled in, results written into the input at
//!   `ResultPath`, and the history's payload texts written as the run goes
//!   (here with `serde_json::to_string`; the engine has its own writer).
//! * `b`, `c`, `d`: a persistent value: objects are reference-counted slices
//!   of (key, value) searched in order, keys from the definition are static
//!   (interned) strings, an update copies the top level only, and history
//!   events keep values by reference (texts would be written when read).
//!   `b` converts to and from `serde_json::Value` at every task call (today's
//!   `TaskHandler` API) and for the execution's input and output; `c` only
//!   for the execution's input and output; `d` only for the input.
//! * `e`, `f`: an arena of immutable nodes owned by the execution (reused
//!   from one execution to the next): values are node indices, so sharing a
//!   value, keeping it in the history or updating an object's top level costs
//!   no reference count and no allocation. `e` converts the execution's input
//!   and output; `f` only its input.
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// ---------- A: serde_json, as the engine ----------

fn text(v: &Value) -> triomphe::Arc<str> {
    triomphe::Arc::from(serde_json::to_string(v).unwrap_or_default().as_str())
}

fn field<'a>(m: &'a Map<String, Value>, k: &str) -> &'a Value {
    m.iter()
        .find(|(key, _)| *key == k)
        .map(|(_, v)| v)
        .unwrap_or(&Value::Null)
}

struct ShapesA {
    p1: Map<String, Value>,
    p2: Map<String, Value>,
    sel: Map<String, Value>,
    p3: Map<String, Value>,
}

fn shape(keys: &[&str]) -> Map<String, Value> {
    keys.iter().map(|k| (k.to_string(), Value::Null)).collect()
}

fn splice(base: &str, key: &str, value: &str) -> triomphe::Arc<str> {
    let mut s = String::with_capacity(base.len() + key.len() + value.len() + 4);
    s.push_str(&base[..base.len() - 1]);
    s.push_str(",\"");
    s.push_str(key);
    s.push_str("\":");
    s.push_str(value);
    s.push('}');
    triomphe::Arc::from(s.as_str())
}

fn run_a(shapes: &ShapesA, input: Value, history: &mut Vec<triomphe::Arc<str>>) -> Value {
    let Value::Object(mut input) = input else {
        return Value::Null;
    };
    let t_in = text(&Value::Object(input.clone()));
    history.push(t_in.clone());
    // LoadMessage
    let mut p1 = shapes.p1.clone();
    let vals = [
        field(&input, "messageId").clone(),
        field(&input, "recipient").clone(),
        json!("email"),
        json!(false),
    ];
    for (slot, v) in p1.values_mut().zip(vals) {
        *slot = v;
    }
    let p1 = Value::Object(p1);
    history.push(text(&p1));
    let r1 = p1; // echo
    let t_r1 = text(&r1);
    history.push(t_r1.clone());
    input.insert("message".to_string(), r1);
    let t_exit = splice(&t_in, "message", &t_r1);
    history.push(t_exit.clone());
    // Choice
    let delivered = field(&input, "message").get("delivered") == Some(&Value::Bool(true));
    black_box(delivered);
    // SendNotification
    let message = field(&input, "message").clone();
    let mut p2 = shapes.p2.clone();
    let vals = [
        field(&input, "messageId").clone(),
        message["recipient"].clone(),
        message["channel"].clone(),
        json!(true),
    ];
    drop(message);
    for (slot, v) in p2.values_mut().zip(vals) {
        *slot = v;
    }
    let p2 = Value::Object(p2);
    history.push(text(&p2));
    let r2 = p2;
    let mut sel = shapes.sel.clone();
    let vals = [r2["accepted"].clone(), r2["channel"].clone()];
    for (slot, v) in sel.values_mut().zip(vals) {
        *slot = v;
    }
    let sel = Value::Object(sel);
    let t_sel = text(&sel);
    history.push(t_sel.clone());
    black_box(r2);
    input.insert("send".to_string(), sel);
    let t_exit = splice(&t_exit, "send", &t_sel);
    history.push(t_exit.clone());
    // RecordSuccess
    let mut p3 = shapes.p3.clone();
    let vals = [field(&input, "messageId").clone(), json!("SENT")];
    for (slot, v) in p3.values_mut().zip(vals) {
        *slot = v;
    }
    let p3 = Value::Object(p3);
    history.push(text(&p3));
    let r3 = p3;
    let t_r3 = text(&r3);
    history.push(t_r3.clone());
    input.insert("record".to_string(), r3);
    history.push(splice(&t_exit, "record", &t_r3));
    Value::Object(input)
}

// ---------- B: persistent value ----------

#[derive(Clone, Debug)]
enum Key {
    Static(&'static str),
    Shared(triomphe::Arc<str>),
}

impl Key {
    fn as_str(&self) -> &str {
        match self {
            Key::Static(s) => s,
            Key::Shared(s) => s,
        }
    }
}

#[derive(Clone, Debug)]
enum V {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(triomphe::Arc<str>),
    Arr(Arc<[V]>),
    Obj(Arc<[(Key, V)]>),
}

impl V {
    fn get(&self, k: &str) -> &V {
        match self {
            V::Obj(fields) => fields
                .iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| v)
                .unwrap_or(&V::Null),
            _ => &V::Null,
        }
    }
    fn with(&self, k: &'static str, v: V) -> V {
        match self {
            V::Obj(fields) => V::Obj(
                fields
                    .iter()
                    .cloned()
                    .chain(std::iter::once((Key::Static(k), v)))
                    .collect(),
            ),
            _ => V::Null,
        }
    }
    fn from_json(v: &Value) -> V {
        match v {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => V::Num(n.clone()),
            Value::String(s) => V::Str(triomphe::Arc::from(s.as_str())),
            Value::Array(a) => V::Arr(a.iter().map(V::from_json).collect()),
            Value::Object(m) => V::Obj(
                m.iter()
                    .map(|(k, v)| {
                        (
                            Key::Shared(triomphe::Arc::from(k.as_str())),
                            V::from_json(v),
                        )
                    })
                    .collect(),
            ),
        }
    }
    fn to_json(&self) -> Value {
        match self {
            V::Null => Value::Null,
            V::Bool(b) => Value::Bool(*b),
            V::Num(n) => Value::Number(n.clone()),
            V::Str(s) => Value::String(String::from(&**s)),
            V::Arr(a) => Value::Array(a.iter().map(V::to_json).collect()),
            V::Obj(f) => Value::Object(
                f.iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn obj(fields: [(&'static str, V); N_MAX]) -> V {
    V::Obj(
        fields
            .into_iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (Key::Static(k), v))
            .collect(),
    )
}
const N_MAX: usize = 4;

/// `convert`: the handler boundary stays serde_json (to_json / from_json per call).
fn run_b(input: V, history: &mut Vec<V>, convert: bool) -> V {
    let echo = |v: V| {
        if convert {
            V::from_json(&v.to_json())
        } else {
            v
        }
    };
    history.push(input.clone());
    let p1 = obj([
        ("messageId", input.get("messageId").clone()),
        ("recipient", input.get("recipient").clone()),
        ("channel", V::Str(STATIC_EMAIL.with(|e| e.clone()))),
        ("delivered", V::Bool(false)),
    ]);
    history.push(p1.clone());
    let r1 = echo(p1);
    history.push(r1.clone());
    let input = input.with("message", r1);
    history.push(input.clone());
    let delivered = matches!(input.get("message").get("delivered"), V::Bool(true));
    black_box(delivered);
    let p2 = obj([
        ("messageId", input.get("messageId").clone()),
        ("to", input.get("message").get("recipient").clone()),
        ("channel", input.get("message").get("channel").clone()),
        ("accepted", V::Bool(true)),
    ]);
    history.push(p2.clone());
    let r2 = echo(p2);
    let sel = obj([
        ("accepted", r2.get("accepted").clone()),
        ("channel", r2.get("channel").clone()),
        ("", V::Null),
        ("", V::Null),
    ]);
    history.push(r2);
    history.push(sel.clone());
    let input = input.with("send", sel);
    history.push(input.clone());
    let p3 = obj([
        ("messageId", input.get("messageId").clone()),
        ("status", V::Str(STATIC_SENT.with(|e| e.clone()))),
        ("", V::Null),
        ("", V::Null),
    ]);
    history.push(p3.clone());
    let r3 = echo(p3);
    history.push(r3.clone());
    let input = input.with("record", r3);
    history.push(input.clone());
    input
}

thread_local! {
    static ARENA: std::cell::RefCell<Arena> = std::cell::RefCell::new(Arena::default());
    static STATIC_EMAIL: triomphe::Arc<str> = triomphe::Arc::from("email");
    static STATIC_SENT: triomphe::Arc<str> = triomphe::Arc::from("SENT");
}

// ---------- E: an execution-owned arena of immutable nodes ----------

/// An object key: from the definition (static here, interned in an engine),
/// or text in the arena.
#[derive(Clone, Copy)]
enum ArenaKey {
    Static(&'static str),
    Text(u32, u32),
}

/// A node; values are node indices, so sharing one is copying a `u32`.
#[derive(Clone, Copy)]
enum Node {
    Null,
    Bool(bool),
    Num(f64),
    Str(u32, u32),
    Static(&'static str),
    Arr(u32, u32),
    Obj(u32, u32),
}

/// One execution's values: reused from execution to execution (cleared, not
/// freed), and dropped all at once.
#[derive(Default)]
struct Arena {
    nodes: Vec<Node>,
    fields: Vec<(ArenaKey, u32)>,
    items: Vec<u32>,
    text: String,
}

impl Arena {
    fn clear(&mut self) {
        self.nodes.clear();
        self.fields.clear();
        self.items.clear();
        self.text.clear();
    }
    fn push(&mut self, node: Node) -> u32 {
        self.nodes.push(node);
        (self.nodes.len() - 1) as u32
    }
    fn str_of(&self, start: u32, len: u32) -> &str {
        self.text
            .get(start as usize..(start + len) as usize)
            .unwrap_or("")
    }
    fn key(&self, key: ArenaKey) -> &str {
        match key {
            ArenaKey::Static(s) => s,
            ArenaKey::Text(start, len) => self.str_of(start, len),
        }
    }
    fn intern_text(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, s.len() as u32)
    }
    fn add_json(&mut self, v: &Value) -> u32 {
        let node = match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Num(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => {
                let (start, len) = self.intern_text(s);
                Node::Str(start, len)
            }
            Value::Array(a) => {
                let ids: Vec<u32> = a.iter().map(|v| self.add_json(v)).collect();
                let start = self.items.len() as u32;
                self.items.extend(ids);
                Node::Arr(start, a.len() as u32)
            }
            Value::Object(m) => {
                let mut entries = Vec::with_capacity(m.len());
                for (k, v) in m {
                    let (start, len) = self.intern_text(k);
                    entries.push((ArenaKey::Text(start, len), self.add_json(v)));
                }
                let start = self.fields.len() as u32;
                self.fields.extend(entries);
                Node::Obj(start, m.len() as u32)
            }
        };
        self.push(node)
    }
    fn get(&self, id: u32, k: &str) -> u32 {
        match self.nodes.get(id as usize) {
            Some(Node::Obj(start, len)) => self
                .fields
                .get(*start as usize..(*start + *len) as usize)
                .and_then(|f| f.iter().find(|(key, _)| self.key(*key) == k))
                .map_or(u32::MAX, |(_, v)| *v),
            _ => u32::MAX,
        }
    }
    fn object(&mut self, entries: &[(&'static str, u32)]) -> u32 {
        let start = self.fields.len() as u32;
        self.fields
            .extend(entries.iter().map(|(k, v)| (ArenaKey::Static(k), *v)));
        self.push(Node::Obj(start, entries.len() as u32))
    }
    /// A new object: `id`'s fields and one more (the old one stays, for the history).
    fn with(&mut self, id: u32, k: &'static str, v: u32) -> u32 {
        let Some(Node::Obj(start, len)) = self.nodes.get(id as usize).copied() else {
            return u32::MAX;
        };
        let new_start = self.fields.len() as u32;
        self.fields
            .extend_from_within(start as usize..(start + len) as usize);
        self.fields.push((ArenaKey::Static(k), v));
        self.push(Node::Obj(new_start, len + 1))
    }
    fn to_json(&self, id: u32) -> Value {
        match self.nodes.get(id as usize) {
            None | Some(Node::Null) => Value::Null,
            Some(Node::Bool(b)) => Value::Bool(*b),
            Some(Node::Num(n)) => json!(n),
            Some(Node::Str(start, len)) => Value::String(self.str_of(*start, *len).to_owned()),
            Some(Node::Static(s)) => Value::String((*s).to_owned()),
            Some(Node::Arr(start, len)) => Value::Array(
                self.items
                    .get(*start as usize..(*start + *len) as usize)
                    .unwrap_or(&[])
                    .iter()
                    .map(|i| self.to_json(*i))
                    .collect(),
            ),
            Some(Node::Obj(start, len)) => {
                let fields = self
                    .fields
                    .get(*start as usize..(*start + *len) as usize)
                    .unwrap_or(&[]);
                let mut map = Map::with_capacity(fields.len());
                for (k, v) in fields {
                    map.insert(self.key(*k).to_owned(), self.to_json(*v));
                }
                Value::Object(map)
            }
        }
    }
}

/// The notification's data work on an arena; the history keeps node ids.
fn run_e(arena: &mut Arena, input: u32, history: &mut Vec<u32>) -> u32 {
    history.push(input);
    let email = arena.push(Node::Static("email"));
    let no = arena.push(Node::Bool(false));
    let message_id = arena.get(input, "messageId");
    let recipient = arena.get(input, "recipient");
    let p1 = arena.object(&[
        ("messageId", message_id),
        ("recipient", recipient),
        ("channel", email),
        ("delivered", no),
    ]);
    history.push(p1);
    let r1 = p1; // echo, on the engine's type
    history.push(r1);
    let input = arena.with(input, "message", r1);
    history.push(input);
    let message = arena.get(input, "message");
    let delivered = arena.get(message, "delivered");
    black_box(matches!(
        arena.nodes.get(delivered as usize),
        Some(Node::Bool(true))
    ));
    let yes = arena.push(Node::Bool(true));
    let to = arena.get(message, "recipient");
    let channel = arena.get(message, "channel");
    let message_id = arena.get(input, "messageId");
    let p2 = arena.object(&[
        ("messageId", message_id),
        ("to", to),
        ("channel", channel),
        ("accepted", yes),
    ]);
    history.push(p2);
    let r2 = p2;
    let accepted = arena.get(r2, "accepted");
    let channel = arena.get(r2, "channel");
    let sel = arena.object(&[("accepted", accepted), ("channel", channel)]);
    history.push(r2);
    history.push(sel);
    let input = arena.with(input, "send", sel);
    history.push(input);
    let sent = arena.push(Node::Static("SENT"));
    let message_id = arena.get(input, "messageId");
    let p3 = arena.object(&[("messageId", message_id), ("status", sent)]);
    history.push(p3);
    let r3 = p3;
    history.push(r3);
    let input = arena.with(input, "record", r3);
    history.push(input);
    input
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("a");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let input = json!({"messageId": "m-1", "recipient": "user1@example.com"});
    let shapes = ShapesA {
        p1: shape(&["messageId", "recipient", "channel", "delivered"]),
        p2: shape(&["messageId", "to", "channel", "accepted"]),
        sel: shape(&["accepted", "channel"]),
        p3: shape(&["messageId", "status"]),
    };
    let start = Instant::now();
    for _ in 0..n {
        match which {
            "a" => {
                let mut history = Vec::with_capacity(16);
                let out = run_a(&shapes, input.clone(), &mut history);
                black_box((out, history));
            }
            "b" | "c" => {
                let mut history = Vec::with_capacity(16);
                let out = run_b(V::from_json(&input), &mut history, which == "b");
                let out = out.to_json();
                black_box((out, history));
            }
            // e: the arena, with the output converted to serde_json; f: without.
            "e" | "f" => {
                ARENA.with(|cell| {
                    let mut arena = cell.borrow_mut();
                    arena.clear();
                    let mut history = Vec::with_capacity(16);
                    let root = arena.add_json(&input);
                    let out = run_e(&mut arena, root, &mut history);
                    if which == "e" {
                        black_box(arena.to_json(out));
                    }
                    black_box((out, history));
                });
            }
            "d" => {
                let mut history = Vec::with_capacity(16);
                let out = run_b(V::from_json(&input), &mut history, false);
                black_box((out, history));
            }
            _ => {}
        }
    }
    eprintln!(
        "{which}: {:.0} ns per execution",
        start.elapsed().as_nanos() as f64 / n as f64
    );
}
