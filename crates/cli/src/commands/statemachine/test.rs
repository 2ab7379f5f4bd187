//! `rez-agent statemachine test FILE_OR_DIR…`.

use std::io::Write;
use std::path::PathBuf;

use rez_states::cases::{self, Case};

/// Longest case report line, in characters.
const MAX_LINE: usize = 400;

/// Run every case file named (directories are searched for `*.json`),
/// print one line per failing case, `NAME: field: expected … got …; …`,
/// and end with `N passed, M failed`.
///
/// # Errors
///
/// A path that cannot be read, or any failing case.
pub async fn test(paths: &[PathBuf], out: &mut dyn Write) -> anyhow::Result<()> {
    let files = cases::case_files(paths)?;
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let case = match Case::load(file) {
            Ok(case) => case,
            Err(e) => {
                failed += 1;
                writeln!(out, "{}", super::clip(&e.to_string(), MAX_LINE))?;
                continue;
            }
        };
        let outcome = cases::run_case(&case).await;
        if outcome.passed {
            passed += 1;
        } else {
            failed += 1;
            let diff: Vec<String> = outcome.diff.iter().map(ToString::to_string).collect();
            let line = format!("FAIL {}: {}", case.name, diff.join("; "));
            writeln!(out, "{}", super::clip(&line, MAX_LINE))?;
        }
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    if failed > 0 {
        anyhow::bail!("{failed} of {} case(s) failed", passed + failed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn failing_cases_get_a_line_and_a_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let definition =
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": true}}}"#;
        for (name, output) in [("good", 1), ("bad", 2)] {
            let case = format!(
                r#"{{"name": "t/{name}", "definition": {definition}, "input": {{}}, "expect": {{"status": "SUCCEEDED", "output": {output}}}}}"#
            );
            std::fs::write(dir.path().join(format!("{name}.json")), case).expect("write");
        }
        let mut out = Vec::new();
        let result = test(&[dir.path().to_path_buf()], &mut out).await;
        assert!(result.is_err());
        assert_eq!(
            String::from_utf8_lossy(&out),
            "FAIL t/bad: output: expected 2 got 1\n1 passed, 1 failed\n"
        );
    }
}
