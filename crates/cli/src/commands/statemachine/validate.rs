//! `rez-agent statemachine validate FILE…`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rez_states::errors::INVALID_JSON_DESCRIPTION;
use rez_states::{Severity, StateMachine};

/// Validate each file and print every diagnostic as
/// `FILE:/States/X/Next: SCHEMA_VALIDATION_FAILED: …` (warnings say
/// `warning:` before the code), or `FILE: valid (N states)`. A file that is
/// not JSON gets one line `FILE:LINE:COLUMN: INVALID_JSON_DESCRIPTION: …`.
///
/// # Errors
///
/// A file that cannot be read or written about, or any ERROR diagnostic.
pub fn validate(files: &[impl AsRef<Path>], out: &mut dyn Write) -> anyhow::Result<()> {
    let mut errors = 0usize;
    for file in files {
        let file = file.as_ref();
        let name = file.display();
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {name}"))?;
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(e) => {
                errors += 1;
                writeln!(
                    out,
                    "{name}:{}:{}: {INVALID_JSON_DESCRIPTION}: {e}",
                    e.line(),
                    e.column()
                )?;
                continue;
            }
        };
        let diagnostics = StateMachine::validate_value(&value);
        for d in &diagnostics {
            let severity = match d.severity {
                Severity::Error => "",
                Severity::Warning => "warning: ",
            };
            writeln!(
                out,
                "{name}:{}: {severity}{}: {}",
                d.location, d.code, d.message
            )?;
        }
        let file_errors = diagnostics.iter().filter(|d| d.is_error()).count();
        errors += file_errors;
        if file_errors == 0 {
            let states = StateMachine::from_value(&value)
                .map(|m| m.state_names().len())
                .unwrap_or_default();
            writeln!(out, "{name}: valid ({states} states)")?;
        }
    }
    if errors > 0 {
        anyhow::bail!("{errors} validation error(s)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(text: &str) -> (String, bool) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("m.asl.json");
        std::fs::write(&file, text).expect("write");
        let mut out = Vec::new();
        let ok = validate(&[&file], &mut out).is_ok();
        let printed = String::from_utf8_lossy(&out).replace(&file.display().to_string(), "F");
        (printed, ok)
    }

    #[test]
    fn a_valid_definition_prints_its_state_count() {
        let (printed, ok) =
            report(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#);
        assert!(ok);
        assert_eq!(printed, "F: valid (1 states)\n");
    }

    #[test]
    fn every_error_gets_a_line_and_fails() {
        let (printed, ok) = report(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "Extra": 1}}}"#,
        );
        assert!(!ok);
        assert!(printed.contains("F:/States/A/Extra: SCHEMA_VALIDATION_FAILED: "));
        assert!(
            printed
                .contains("F:/States/A/Next: SCHEMA_VALIDATION_FAILED: Missing 'Next' target: B")
        );
    }

    #[test]
    fn a_json_syntax_error_names_line_and_column() {
        let (printed, ok) = report("{\n  \"StartAt\": ,\n}");
        assert!(!ok);
        assert!(
            printed.starts_with("F:2:14: INVALID_JSON_DESCRIPTION: "),
            "{printed}"
        );
        assert_eq!(printed.lines().count(), 1);
    }
}
