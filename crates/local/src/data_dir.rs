//! The data directory: one process at a time, and the files kept in it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the SQLite database inside the data directory.
pub const DATABASE_FILE: &str = "rez-agent.db";
/// File name of the lock that keeps a second `rez-agent up` out.
pub const LOCK_FILE: &str = "rez-agent.lock";
/// File name of the ntfy topic generated on first start.
pub const TOPIC_FILE: &str = "ntfy-topic";

/// Why the data directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// It could not be created or opened.
    #[error("data dir {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another process holds its lock.
    #[error(
        "data dir {0} is in use by another rez-agent process (stop it, or pass another --data-dir)"
    )]
    InUse(PathBuf),
}

/// An opened, exclusively locked data directory. The lock lasts as long as
/// this value (the OS releases it when the process dies, even by SIGKILL).
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

impl DataDir {
    /// Creates the directory if needed and takes its lock.
    ///
    /// # Errors
    /// [`DataDirError::InUse`] when another process has it, else an I/O error naming the path.
    pub fn open(path: &Path) -> Result<Self, DataDirError> {
        let io = |source| DataDirError::Io {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(path).map_err(io)?;
        let lock_path = path.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| DataDirError::Io {
                path: lock_path.clone(),
                source,
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(DataDirError::InUse(path.to_path_buf()));
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(DataDirError::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file inside it.
    pub fn database_path(&self) -> PathBuf {
        self.path.join(DATABASE_FILE)
    }

    /// The ntfy topic kept in the directory, generated (`rez-agent-` and 16
    /// random lowercase letters and digits) and saved on first use.
    ///
    /// # Errors
    /// The topic file cannot be read or written.
    pub fn ntfy_topic(&self) -> Result<String, DataDirError> {
        let file = self.path.join(TOPIC_FILE);
        let io = |source| DataDirError::Io {
            path: file.clone(),
            source,
        };
        match std::fs::read_to_string(&file) {
            Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        use rand::Rng;
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::rng();
        let suffix: String = (0..16)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        let topic = format!("rez-agent-{suffix}");
        let mut f = File::create(&file).map_err(io)?;
        writeln!(f, "{topic}").map_err(io)?;
        Ok(topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_open_of_the_same_dir_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDir::open(dir.path()).unwrap();
        assert!(matches!(
            DataDir::open(dir.path()),
            Err(DataDirError::InUse(_))
        ));
        drop(first);
        assert!(DataDir::open(dir.path()).is_ok());
    }

    #[test]
    fn the_topic_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::open(dir.path()).unwrap();
        let topic = d.ntfy_topic().unwrap();
        assert!(topic.starts_with("rez-agent-") && topic.len() == 26);
        assert_eq!(d.ntfy_topic().unwrap(), topic);
    }
}
