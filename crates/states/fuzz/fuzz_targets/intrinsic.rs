//! Any text as an intrinsic function call (`States.` is put in front when
//! missing), in a `.$` field and as a Fail state's `ErrorPath`.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|text: &str| {
    let call = if text.starts_with("States.") {
        text.to_string()
    } else {
        format!("States.{text}")
    };
    let definitions = [
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": call}, "End": true}}}),
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": call, "CausePath": call}}}),
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"v.$": call}, "End": true}}}),
    ];
    for definition in definitions {
        common::validate_and_run(&definition.to_string(), common::sample_input());
    }
});
