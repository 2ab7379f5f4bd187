//! Where a test run finds the ASL conformance corpus. The corpus holds
//! recordings made against AWS and lives beside a checkout, not in it, so a
//! clone without it still tests everything else; a build that must run it
//! (this project's CI) says so with [`REQUIRE_CORPUS_VAR`].

use std::path::{Path, PathBuf};

/// The variable naming the corpus's `cases` directory.
pub const CORPUS_DIR_VAR: &str = "REZ_CONFORMANCE_DIR";

/// The variable that, set to `1`, turns a missing corpus from a skip into an error.
pub const REQUIRE_CORPUS_VAR: &str = "REZ_REQUIRE_CONFORMANCE";

/// The line a run prints when it skips the corpus.
pub const SKIPPED_LINE: &str = "conformance: skipped (corpus not present: set REZ_CONFORMANCE_DIR)";

/// Why the corpus cannot be used for this run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CorpusError {
    /// `REZ_CONFORMANCE_DIR` names something that is not a directory.
    #[error("{CORPUS_DIR_VAR}={} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// The corpus is required and is neither named nor at the default place.
    #[error(
        "the conformance corpus is required ({REQUIRE_CORPUS_VAR}=1) but is not at {}: set {CORPUS_DIR_VAR}",
        .0.display()
    )]
    Required(PathBuf),
}

/// The corpus for this run, from the environment: `REZ_CONFORMANCE_DIR`,
/// else `default` when it is a directory. `Ok(None)` means skip: neither is
/// there and `REZ_REQUIRE_CONFORMANCE` is not `1`; [`SKIPPED_LINE`] is
/// printed on standard error so the skip is never silent.
///
/// # Errors
/// [`CorpusError`] when the named directory is missing, or when the corpus
/// is required and absent.
pub fn locate_corpus(default: &Path) -> Result<Option<PathBuf>, CorpusError> {
    let named = std::env::var_os(CORPUS_DIR_VAR)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let required = std::env::var(REQUIRE_CORPUS_VAR).is_ok_and(|v| v == "1");
    let found = choose_corpus(named, required, default)?;
    if found.is_none() {
        eprintln!("{SKIPPED_LINE}");
    }
    Ok(found)
}

/// [`locate_corpus`]'s decision, given what the environment said.
fn choose_corpus(
    named: Option<PathBuf>,
    required: bool,
    default: &Path,
) -> Result<Option<PathBuf>, CorpusError> {
    match named {
        Some(dir) if dir.is_dir() => Ok(Some(dir)),
        Some(dir) => Err(CorpusError::NotADirectory(dir)),
        None if default.is_dir() => Ok(Some(default.to_path_buf())),
        None if required => Err(CorpusError::Required(default.to_path_buf())),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_directory_wins_over_the_default() -> Result<(), CorpusError> {
        let named = std::env::temp_dir();
        let chosen = choose_corpus(
            Some(named.clone()),
            true,
            Path::new(env!("CARGO_MANIFEST_DIR")),
        )?;
        assert_eq!(chosen, Some(named));
        Ok(())
    }

    #[test]
    fn a_named_path_that_is_missing_is_an_error_even_when_not_required() {
        let missing = PathBuf::from("/nonexistent/rez-conformance");
        assert_eq!(
            choose_corpus(Some(missing.clone()), false, Path::new(".")),
            Err(CorpusError::NotADirectory(missing))
        );
    }

    #[test]
    fn the_default_is_used_when_present() -> Result<(), CorpusError> {
        let default = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            choose_corpus(None, false, default)?,
            Some(default.to_path_buf())
        );
        Ok(())
    }

    #[test]
    fn an_absent_corpus_is_skipped_unless_required() {
        let absent = Path::new("/nonexistent/shared/conformance/asl/cases");
        assert_eq!(choose_corpus(None, false, absent), Ok(None));
        let required = choose_corpus(None, true, absent);
        assert_eq!(required, Err(CorpusError::Required(absent.to_path_buf())));
        let message = required.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("REZ_REQUIRE_CONFORMANCE=1"), "{message}");
        assert!(message.contains("set REZ_CONFORMANCE_DIR"), "{message}");
    }
}
