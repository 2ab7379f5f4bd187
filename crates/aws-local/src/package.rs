//! A function's package: `build/<function>.zip`, the artefact users deploy,
//! unpacked as Lambda unpacks it into its task root.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::AwsLocalError;
use crate::declared::DeclaredFunction;

/// Unpacks `function`'s zip into `<root>/<function name>/` and returns the
/// path of its handler (`bootstrap`), executable.
///
/// # Errors
/// [`AwsLocalError::Package`] when the zip is missing, unreadable, or holds
/// no executable handler.
pub fn unpack(function: &DeclaredFunction, root: &Path) -> Result<PathBuf, AwsLocalError> {
    let problem = |problem: String| AwsLocalError::Package {
        function: function.name.clone(),
        zip: function.zip.clone(),
        problem,
    };
    let file = std::fs::File::open(&function.zip)
        .map_err(|e| problem(format!("{e} (make build packs it)")))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| problem(e.to_string()))?;
    let task_root = root.join(&function.name);
    std::fs::create_dir_all(&task_root).map_err(|e| problem(e.to_string()))?;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| problem(e.to_string()))?;
        let Some(relative) = entry.enclosed_name() else {
            return Err(problem(format!(
                "entry {} leaves the task root",
                entry.name()
            )));
        };
        let path = task_root.join(relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| problem(e.to_string()))?;
            continue;
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| problem(e.to_string()))?;
        std::fs::write(&path, bytes).map_err(|e| problem(e.to_string()))?;
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o7777))
                .map_err(|e| problem(e.to_string()))?;
        }
    }
    let handler = task_root.join(&function.handler);
    let executable = std::fs::metadata(&handler).is_ok_and(|m| {
        use std::os::unix::fs::PermissionsExt;
        m.is_file() && m.permissions().mode() & 0o111 != 0
    });
    if !executable {
        return Err(problem(format!(
            "holds no executable {} (a custom runtime's handler)",
            function.handler
        )));
    }
    Ok(handler)
}
