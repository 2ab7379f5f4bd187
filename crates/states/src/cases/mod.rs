//! Test cases in the schema of the ASL conformance corpus, and the tools to
//! run them: the corpus's fake task behaviours ([`FakeTasks`]), its
//! comparison rules ([`json_equal`]), where a test run finds the corpus
//! ([`locate_corpus`]), and AWS Step Functions Local's mock
//! configuration files ([`MockConfig`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), rez_states::cases::CaseError> {
//! let case = rez_states::cases::Case::load("cases/map/map_state_catch.json".as_ref())?;
//! let outcome = rez_states::cases::run_case(&case).await;
//! for difference in &outcome.diff {
//!     eprintln!("{}: {difference}", case.name);
//! }
//! # Ok(()) }
//! ```

mod compare;
mod corpus;
mod fake;
mod mock;
mod run;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use compare::{MAX_DIFF_TEXT, json_equal};
pub use corpus::{CORPUS_DIR_VAR, CorpusError, REQUIRE_CORPUS_VAR, SKIPPED_LINE, locate_corpus};
pub use fake::{Behaviour, FakeTasks, UNKNOWN_RESOURCE};
pub use mock::{
    MOCK_NO_RESPONSE, MOCK_NOT_MOCKED, MockConfig, MockError, MockHandler, MockedResponse,
    MockedResult,
};
pub use run::{CASE_TIME_LIMIT, CaseOutcome, Difference, run_case};

/// One case: a definition, an input, fake task behaviours and the result
/// AWS Step Functions recorded (see the corpus README for the schema).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// `<group>/<name>`, unique in the corpus.
    pub name: String,
    /// Where the recording comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `JSONata` when some part of the definition uses JSONata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<String>,
    /// The state machine definition, ready to run.
    pub definition: Value,
    /// The execution input.
    #[serde(default)]
    pub input: Value,
    /// Fake behaviour per Task `Resource` (see [`Behaviour`]).
    #[serde(default)]
    pub tasks: Map<String, Value>,
    /// The recorded result.
    pub expect: Expect,
    /// Free text explaining the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The recorded result of a [`Case`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expect {
    /// `SUCCEEDED` or `FAILED`.
    pub status: String,
    /// The execution output (when succeeded).
    #[serde(default)]
    pub output: Option<Value>,
    /// The error name (when failed); `null` when AWS reported none.
    #[serde(default)]
    pub error: Option<Value>,
    /// The cause (when failed). `None`: masked in the recording, not checked;
    /// `Some(Null)`: AWS reported no cause.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub cause: Option<Value>,
    /// Variables each state assigned; compared as a multiset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_variables: Option<Vec<Assigned>>,
}

/// The variables one state assigned (`Assign`), from its `*StateExited` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assigned {
    /// The state's name.
    pub state: String,
    /// Variable → value.
    pub variables: Map<String, Value>,
}

/// Keep an explicit `null` apart from an absent field.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// A case file that cannot be read or is not a case.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path that failed.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON in the case schema.
    #[error("{path} is not a test case: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why (with line and column).
        source: serde_json::Error,
    },
}

impl Case {
    /// Read one case file.
    ///
    /// # Errors
    ///
    /// [`CaseError::Read`] if the file cannot be read, [`CaseError::Parse`]
    /// if it is not a case.
    pub fn load(path: &Path) -> Result<Case, CaseError> {
        let text = std::fs::read_to_string(path).map_err(|source| CaseError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| CaseError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Every `*.json` file named by `paths`: files as given, directories searched
/// recursively; sorted within each directory.
///
/// # Errors
///
/// [`CaseError::Read`] for a path or directory that cannot be read.
pub fn case_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CaseError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, &mut out)?;
        } else if path.exists() {
            out.push(path.clone());
        } else {
            return Err(CaseError::Read {
                path: path.clone(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
    }
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CaseError> {
    let read = |source| CaseError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Load every case under `dir` (recursively), sorted by case name.
///
/// # Errors
///
/// The first file that cannot be read or parsed.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>, CaseError> {
    let mut cases = case_files(&[dir.to_path_buf()])?
        .iter()
        .map(|path| Case::load(path))
        .collect::<Result<Vec<_>, _>>()?;
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_cause_differs_from_a_null_one() -> Result<(), serde_json::Error> {
        let masked: Expect = serde_json::from_str(r#"{"status": "FAILED", "error": "E"}"#)?;
        let none: Expect =
            serde_json::from_str(r#"{"status": "FAILED", "error": "E", "cause": null}"#)?;
        assert_eq!(masked.cause, None);
        assert_eq!(none.cause, Some(Value::Null));
        Ok(())
    }
}
