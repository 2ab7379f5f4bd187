//! Validation must accept what AWS accepted: every corpus definition ran on
//! AWS, so `validate_json` reports nothing for any of them.

use rez_states::StateMachine;
use rez_states::cases;

#[test]
fn every_corpus_definition_validates_without_diagnostics() -> Result<(), String> {
    let Some(dir) = crate::corpus_dir()? else {
        return Ok(());
    };
    let all = cases::load_dir(&dir).map_err(|e| e.to_string())?;
    let problems: Vec<String> = all
        .iter()
        .flat_map(|case| {
            StateMachine::validate_value(&case.definition)
                .into_iter()
                .map(move |d| format!("{}: {d}", case.name))
        })
        .collect();
    for problem in &problems {
        eprintln!("{problem}");
    }
    if all.is_empty() {
        return Err("no conformance cases found".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} diagnostics on definitions AWS accepted",
            problems.len()
        ))
    }
}
