//! Runs every case of the ASL conformance corpus (recorded against AWS Step
//! Functions) through `rez_states::cases` and ratchets on `known_failures.txt`: a case not listed there
//! must pass, and a listed case must still fail (so the list only shrinks).
//!
//! Corpus directory: `REZ_CONFORMANCE_DIR`, else
//! `<CARGO_MANIFEST_DIR>/../../../shared/conformance/asl/cases`. Without
//! either the corpus tests pass after printing `conformance: skipped …`,
//! unless `REZ_REQUIRE_CONFORMANCE=1` (`.ci/run` sets it) makes that a failure.
//! `REZ_CONFORMANCE_FILTER=<substring>` runs only matching cases (no ratchet);
//! `REZ_CONFORMANCE_VERBOSE=1` also prints why each known failure fails.

mod robustness;
mod validation;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rez_states::cases;

/// The corpus's cases directory, or `None` when this run skips the corpus.
pub(crate) fn corpus_dir() -> Result<Option<PathBuf>, String> {
    let beside_checkout =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/asl/cases");
    cases::locate_corpus(&beside_checkout).map_err(|e| e.to_string())
}

fn known_failures() -> BTreeMap<String, String> {
    include_str!("known_failures.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, reason)) => (name.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_cases_pass_except_known_failures() -> Result<(), String> {
    let Some(dir) = corpus_dir()? else {
        return Ok(());
    };
    let filter = std::env::var("REZ_CONFORMANCE_FILTER").ok();
    let verbose = std::env::var_os("REZ_CONFORMANCE_VERBOSE").is_some();
    let cases = cases::load_dir(&dir).map_err(|e| e.to_string())?;
    let known = known_failures();
    let (mut passed, mut known_failed, mut total) = (0usize, 0usize, 0usize);
    let mut problems = Vec::new();
    for case in cases {
        if filter.as_deref().is_some_and(|f| !case.name.contains(f)) {
            continue;
        }
        total += 1;
        let outcome = cases::run_case(&case).await;
        let result = if outcome.passed {
            Ok(())
        } else {
            Err(outcome
                .diff
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "))
        };
        match (result, known.get(&case.name)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => problems.push(format!(
                "NOW PASSES (remove from known_failures.txt): {}",
                case.name
            )),
            (Err(why), Some(_)) => {
                known_failed += 1;
                if verbose {
                    eprintln!("known failure: {} {}", case.name, why);
                }
            }
            (Err(why), None) => problems.push(format!("FAILS: {} {}", case.name, why)),
        }
    }
    eprintln!("conformance: {passed} passed / {known_failed} known failures / {total} total");
    if filter.is_none() && total == 0 {
        return Err("no conformance cases found".into());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    if problems.is_empty() || filter.is_some() && problems.iter().all(|p| p.starts_with("NOW")) {
        Ok(())
    } else {
        Err(format!(
            "{} conformance cases disagree with known_failures.txt",
            problems.len()
        ))
    }
}
