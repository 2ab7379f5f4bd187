//! The definition `rez-agent stepfunctions` serves: read, validated as
//! `statemachine validate` validates, and checked to call only Lambda.

use std::path::{Path, PathBuf};

use rez_states::StateMachine;

use crate::workflow::{InvalidMachineArn, MachineIdentity, UnsupportedResource};

/// The account and region of the default state machine ARN (those of the
/// AWS documentation's examples).
pub const DEFAULT_ARN_PREFIX: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:";
/// The name of the role executions run as.
pub const ROLE_NAME: &str = "rez-agent-stepfunctions";

/// Why the definition cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    /// The file could not be read.
    #[error("cannot read the definition {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The validator found errors (every one is listed, `; `-separated).
    #[error("the definition {path} is not valid: {problems}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// `location: CODE: message` for each error.
        problems: String,
    },
    /// A Task resource that is not Lambda.
    #[error("the definition {path}: {source}")]
    Resource {
        /// The file.
        path: PathBuf,
        /// The resource and what is supported.
        source: UnsupportedResource,
    },
    /// `--state-machine-arn` is not a state machine ARN.
    #[error("--state-machine-arn: {0}")]
    MachineArn(#[from] InvalidMachineArn),
    /// The file name gives no state machine name for the default ARN.
    #[error(
        "the definition {0} has no file name to name the state machine: pass --state-machine-arn"
    )]
    NoName(PathBuf),
}

/// A definition ready to serve: its text, the parsed machine and who it is.
pub struct ServedDefinition {
    /// The text as read (`DescribeStateMachine` answers it).
    pub text: String,
    /// The parsed state machine.
    pub machine: StateMachine,
    /// Its name, ARN and execution ARNs.
    pub identity: MachineIdentity,
}

/// The default ARN for a definition file: its stem (up to the first `.`,
/// so `notification.asl.json` is `notification`) under [`DEFAULT_ARN_PREFIX`].
///
/// # Errors
/// [`DefinitionError::NoName`] when the path has no file name.
pub fn default_arn(path: &Path) -> Result<String, DefinitionError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('.').next())
        .filter(|n| !n.is_empty())
        .map(|name| format!("{DEFAULT_ARN_PREFIX}{name}"))
        .ok_or_else(|| DefinitionError::NoName(path.to_path_buf()))
}

/// Reads and checks the definition at `path`, served as `arn` (the default
/// ARN of the file when `None`).
///
/// # Errors
/// [`DefinitionError`]: unreadable, invalid, a non-Lambda resource, a bad ARN.
pub fn load(path: &Path, arn: Option<&str>) -> Result<ServedDefinition, DefinitionError> {
    let arn = match arn {
        Some(arn) => arn.to_owned(),
        None => default_arn(path)?,
    };
    let identity = MachineIdentity::from_arn(&arn, ROLE_NAME)?;
    let text = std::fs::read_to_string(path).map_err(|source| DefinitionError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let problems: Vec<String> = StateMachine::validate_json(&text)
        .into_iter()
        .filter(rez_states::Diagnostic::is_error)
        .map(|d| format!("{}: {}: {}", d.location, d.code, d.message))
        .collect();
    let invalid = |problems: String| DefinitionError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    if !problems.is_empty() {
        return Err(invalid(problems.join("; ")));
    }
    let machine = StateMachine::from_json(&text).map_err(|e| invalid(e.to_string()))?;
    crate::lambda::check(&machine).map_err(|source| DefinitionError::Resource {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(ServedDefinition {
        text,
        machine,
        identity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.asl.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const LAMBDA: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Task",
        "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f:live","End":true}}}"#;

    #[test]
    fn a_lambda_definition_is_served_under_its_file_stem_by_default() {
        let (_dir, path) = written(LAMBDA);
        let served = load(&path, None).unwrap();
        assert_eq!(
            served.identity.arn(),
            "arn:aws:states:us-east-1:123456789012:stateMachine:notify"
        );
        assert_eq!(served.text, LAMBDA);
    }

    #[test]
    fn invalid_definitions_and_other_resources_are_refused_by_name() {
        let (_dir, path) = written(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#);
        let error = load(&path, None).err().map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("SCHEMA_VALIDATION_FAILED") && !e.contains('\n')),
            "{error:?}"
        );
        let (_dir, path) = written(
            r#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${LoadMessageFunctionArn}","End":true}}}"#,
        );
        let error = load(&path, None).err().map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("${LoadMessageFunctionArn}")),
            "{error:?}"
        );
        let (_dir, path) = written(LAMBDA);
        assert!(matches!(
            load(&path, Some("arn:aws:states:us-east-1:1:execution:m:e")),
            Err(DefinitionError::MachineArn(_))
        ));
    }
}
