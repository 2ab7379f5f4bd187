//! Any bytes as a definition and an input: split at the first NUL byte (no
//! NUL: all definition, input `{}`), validate, and run what is valid.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let (definition, input) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"{}"[..]),
    };
    let Ok(definition) = std::str::from_utf8(definition) else {
        return;
    };
    let input: Value = serde_json::from_slice(input).unwrap_or(Value::Null);
    common::validate_and_run(definition, input);
});
