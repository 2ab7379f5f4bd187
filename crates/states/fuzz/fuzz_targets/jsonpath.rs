//! Any text as a JSONPath, in every kind of place a JSONPath state reads one:
//! a `.$` field, `InputPath`, a Choice `Variable`, `ItemsPath`, `ResultPath`.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|path: &str| {
    let definitions = [
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": path}, "End": true}}}),
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": path, "OutputPath": path, "End": true}}}),
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": path, "End": true}}}),
        json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": path, "IsPresent": true, "Next": "E"}], "Default": "E"},
            "E": {"Type": "Succeed"}}}),
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": path, "End": true,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}}),
    ];
    for definition in definitions {
        common::validate_and_run(&definition.to_string(), common::sample_input());
    }
});
