//! Any text as a JSONata expression in a JSONata state's `Output`,
//! a Choice `Condition` and `Assign`.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|text: &str| {
    let expression = format!("{{% {text} %}}");
    let definitions = [
        json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": expression, "End": true}}}),
        json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": expression, "Next": "E"}], "Default": "E"},
            "E": {"Type": "Succeed"}}}),
        json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"v": expression}, "Output": "{% $v %}", "End": true}}}),
    ];
    for definition in definitions {
        common::validate_and_run(&definition.to_string(), common::sample_input());
    }
});
