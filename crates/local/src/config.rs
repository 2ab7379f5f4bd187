//! The typed configuration of `rez-agent up`, checked before anything starts,
//! and the [`Secret`] that holds a key or token given as text.

use rez_core::Stage;
use rez_schedule::ScheduleExpression;
use rez_webapi::{CorsOrigin, InvalidCorsOrigin};
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// What `Debug` prints instead of a secret.
pub const REDACTED: &str = "***";

/// Longest first line a secret file may have, in bytes.
const MAX_SECRET_FILE_LINE: u64 = 4096;

/// Everything `rez-agent up` needs to know.
///
/// `Debug` prints the API key, the ntfy token and a password in the ntfy
/// URL as [`REDACTED`].
#[derive(Clone)]
pub struct UpConfig {
    /// Address of the HTTP API and console.
    pub listen: SocketAddr,
    /// Where the database, lock and topic live.
    pub data_dir: PathBuf,
    /// The ntfy topic URL; a generated ntfy.sh topic when absent.
    pub ntfy_url: Option<url::Url>,
    /// ntfy access token.
    pub ntfy_token: Option<String>,
    /// When the scheduled message is created.
    pub schedule: ScheduleExpression,
    /// Multiplies every wait: Wait states, retries, timeouts, visibility, the schedule.
    pub time_scale: f64,
    /// The API key; auth is off without one (loopback only).
    pub api_key: Option<String>,
    /// The stage messages belong to by default.
    pub stage: Stage,
    /// Origins allowed by CORS, each `*` or `scheme://host[:port]` (none:
    /// CORS off); checked by [`UpConfig::validate`].
    pub cors_origins: Vec<String>,
    /// The API key's rate limit; `None` turns it off (it only applies with a key).
    pub rate_limit: Option<crate::rate_limit::RateLimitConfig>,
    /// How long one web API request may take before it is answered 503
    /// ([`rez_webapi::REQUEST_TIMEOUT`]); the Step Functions API has no such
    /// limit (a synchronous execution runs to its definition's timeout).
    pub web_api_timeout: std::time::Duration,
    /// How long a finished execution and its history are kept after it
    /// stopped (messages are kept until their own `ttl`).
    pub execution_retention: std::time::Duration,
    /// Whether the Step Functions API refuses what AWS refuses for EXPRESS
    /// state machines ([`crate::sfn_api`], "Strict mode").
    pub strict: bool,
}

/// A configuration that must not start.
#[derive(Debug, thiserror::Error)]
pub enum UpConfigError {
    /// Listening beyond this machine without a key would let anyone in.
    #[error(
        "refusing to listen on {0} without an API key: set --api-key-file, REZ_API_KEY or --api-key, or listen on 127.0.0.1"
    )]
    OpenWithoutKey(SocketAddr),
    /// A `--cors-origin` that no browser could send. (Not a `source`: the
    /// message already holds it, and `{:#}` would print it twice.)
    #[error("--cors-origin {0}")]
    CorsOrigin(InvalidCorsOrigin),
    /// Any web page could use an API that has no key.
    #[error(
        "--cors-origin '*' without an API key would let every web page read and send messages: set an API key or list the origins"
    )]
    AnyOriginWithoutKey,
    /// The time scale makes no sense.
    #[error("--time-scale must be a number above 0 and at most 1000, got {0}")]
    TimeScale(f64),
    /// The key is too short to mean anything.
    #[error("the API key must be at least 16 characters")]
    WeakKey,
}

impl UpConfig {
    /// Checks the rules that span several settings.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn validate(&self) -> Result<(), UpConfigError> {
        if !(self.time_scale > 0.0 && self.time_scale <= 1000.0) {
            return Err(UpConfigError::TimeScale(self.time_scale));
        }
        check_listen_and_key(self.listen, self.api_key.as_deref())?;
        for origin in &self.cors_origins {
            let origin = origin
                .parse::<CorsOrigin>()
                .map_err(UpConfigError::CorsOrigin)?;
            if origin == CorsOrigin::Any && self.api_key.is_none() {
                return Err(UpConfigError::AnyOriginWithoutKey);
            }
        }
        Ok(())
    }
}

/// The rule every server of this binary follows: a key, when set, is at
/// least 16 characters, and without one it listens on loopback only.
///
/// # Errors
/// [`UpConfigError::WeakKey`] or [`UpConfigError::OpenWithoutKey`].
pub fn check_listen_and_key(
    listen: SocketAddr,
    api_key: Option<&str>,
) -> Result<(), UpConfigError> {
    match api_key {
        Some(key) if key.len() < 16 => Err(UpConfigError::WeakKey),
        None if !listen.ip().is_loopback() => Err(UpConfigError::OpenWithoutKey(listen)),
        _ => Ok(()),
    }
}

impl fmt::Debug for UpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out unnoticed.
        let Self {
            listen,
            data_dir,
            ntfy_url,
            ntfy_token,
            schedule,
            time_scale,
            api_key,
            stage,
            cors_origins,
            rate_limit,
            web_api_timeout,
            execution_retention,
            strict,
        } = self;
        let ntfy_url = ntfy_url.as_ref().map(|url| {
            let mut url = url.clone();
            if url.password().is_some() {
                let _ = url.set_password(Some(REDACTED));
            }
            url.to_string()
        });
        f.debug_struct("UpConfig")
            .field("listen", listen)
            .field("data_dir", data_dir)
            .field("ntfy_url", &ntfy_url)
            .field("ntfy_token", &ntfy_token.as_ref().map(|_| REDACTED))
            .field("schedule", schedule)
            .field("time_scale", time_scale)
            .field("api_key", &api_key.as_ref().map(|_| REDACTED))
            .field("stage", stage)
            .field("cors_origins", cors_origins)
            .field("rate_limit", rate_limit)
            .field("web_api_timeout", web_api_timeout)
            .field("execution_retention", execution_retention)
            .field("strict", strict)
            .finish()
    }
}

/// A key or token given as text (a flag, the environment or a file).
///
/// `Debug` prints `Secret(***)` and nothing displays it, so a config or an
/// argument struct that holds one can be logged; [`Secret::expose`] is the
/// one way to its text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret's text, for the code that sends or checks it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret's text, given up.
    pub fn into_exposed(self) -> String {
        self.0
    }

    /// The first line of the file at `path`, trimmed: how a key or token is
    /// passed without showing it in `ps` or the shell's history.
    ///
    /// # Errors
    /// [`SecretFileError`] when the file cannot be read, its first line is
    /// empty, or longer than 4096 bytes. The error never holds the text.
    pub fn from_file(path: &Path) -> Result<Self, SecretFileError> {
        let unreadable = |source| SecretFileError::Unreadable {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let mut line = String::new();
        BufReader::new(file.take(MAX_SECRET_FILE_LINE))
            .read_line(&mut line)
            .map_err(unreadable)?;
        if line.len() as u64 == MAX_SECRET_FILE_LINE && !line.ends_with('\n') {
            return Err(SecretFileError::TooLong(path.to_owned()));
        }
        match line.trim() {
            "" => Err(SecretFileError::Empty(path.to_owned())),
            text => Ok(Self(text.to_owned())),
        }
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(text))
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

/// A secret file that does not hold a secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    /// The file cannot be opened or read as text.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The first line is blank.
    #[error("the first line of {} is empty: put the secret there", .0.display())]
    Empty(PathBuf),
    /// The first line does not end within the limit.
    #[error("the first line of {} is longer than {MAX_SECRET_FILE_LINE} bytes", .0.display())]
    TooLong(PathBuf),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(listen: &str, api_key: Option<&str>, time_scale: f64) -> UpConfig {
        UpConfig {
            listen: listen.parse().unwrap(),
            data_dir: PathBuf::from("unused"),
            ntfy_url: None,
            ntfy_token: None,
            schedule: "rate(1 day)".parse().unwrap(),
            time_scale,
            api_key: api_key.map(str::to_owned),
            stage: Stage::Dev,
            cors_origins: vec![],
            rate_limit: None,
            web_api_timeout: rez_webapi::REQUEST_TIMEOUT,
            execution_retention: std::time::Duration::from_secs(86_400),
            strict: false,
        }
    }

    #[test]
    fn only_loopback_may_run_without_a_key() {
        assert!(config("127.0.0.1:8080", None, 1.0).validate().is_ok());
        assert!(config("[::1]:8080", None, 1.0).validate().is_ok());
        assert!(matches!(
            config("0.0.0.0:8080", None, 1.0).validate(),
            Err(UpConfigError::OpenWithoutKey(_))
        ));
        assert!(
            config("0.0.0.0:8080", Some("a-long-enough-secret"), 1.0)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn short_keys_and_senseless_time_scales_are_refused() {
        assert!(matches!(
            config("127.0.0.1:1", Some("short"), 1.0).validate(),
            Err(UpConfigError::WeakKey)
        ));
        for scale in [0.0, -1.0, f64::NAN, 1e9] {
            assert!(
                matches!(
                    config("127.0.0.1:1", None, scale).validate(),
                    Err(UpConfigError::TimeScale(_))
                ),
                "{scale}"
            );
        }
    }

    const KEY: &str = "the-api-key-0123456789";
    const TOKEN: &str = "tk_the-ntfy-token";

    #[test]
    fn debug_never_shows_the_key_the_token_or_a_url_password() {
        let mut keyed = config("127.0.0.1:1", Some(KEY), 1.0);
        keyed.ntfy_token = Some(TOKEN.to_owned());
        keyed.ntfy_url = Some("https://me:hunter2@ntfy.example/alerts".parse().unwrap());
        let debug = format!("{keyed:?}");
        for secret in [KEY, TOKEN, "hunter2"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains(r#"api_key: Some("***")"#), "{debug}");
        assert!(debug.contains(r#"ntfy_token: Some("***")"#), "{debug}");
        assert!(
            debug.contains("https://me:***@ntfy.example/alerts"),
            "{debug}"
        );

        let debug = format!("{:?}", config("127.0.0.1:1", None, 1.0));
        assert!(debug.contains("api_key: None"), "{debug}");
        assert_eq!(format!("{:?}", Secret::new(KEY)), "Secret(***)");
    }

    #[test]
    fn a_secret_file_gives_its_first_line_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, format!("  {KEY}\r\nsecond line\n")).unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), KEY);
        std::fs::write(&path, KEY).unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), KEY);
    }

    #[test]
    fn a_secret_file_that_holds_no_secret_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        let blank_first_line = dir.path().join("blank");
        let too_long = dir.path().join("long");
        std::fs::write(&empty, "").unwrap();
        std::fs::write(&blank_first_line, format!(" \n{KEY}\n")).unwrap();
        std::fs::write(&too_long, "k".repeat(5000)).unwrap();
        let missing = dir.path().join("missing");
        for (path, want) in [
            (&empty, "is empty"),
            (&blank_first_line, "is empty"),
            (&too_long, "longer than 4096 bytes"),
            (&missing, "cannot read"),
            (&dir.path().to_path_buf(), "cannot read"),
        ] {
            let err = Secret::from_file(path).unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(!err.contains(KEY), "{err}");
        }
    }

    #[test]
    fn a_cors_origin_that_is_not_an_origin_is_a_config_error() {
        for bad in ["localhost:3000", "https://console.example/app", "null"] {
            let mut keyed = config("127.0.0.1:1", Some(KEY), 1.0);
            keyed.cors_origins = vec!["https://ok.example".into(), bad.into()];
            let err = keyed.validate().unwrap_err();
            assert!(matches!(err, UpConfigError::CorsOrigin(_)), "{bad}: {err}");
            let message = err.to_string();
            assert!(message.starts_with("--cors-origin '"), "{message}");
            assert!(!message.contains('\n'), "{message}");
        }
    }

    #[test]
    fn any_origin_needs_a_key() {
        let mut open = config("127.0.0.1:1", None, 1.0);
        open.cors_origins = vec!["*".into()];
        assert!(matches!(
            open.validate(),
            Err(UpConfigError::AnyOriginWithoutKey)
        ));
        let mut keyed = config("127.0.0.1:1", Some(KEY), 1.0);
        keyed.cors_origins = vec!["*".into(), "https://console.example".into()];
        assert!(keyed.validate().is_ok());
        open.cors_origins = vec!["https://console.example".into()];
        assert!(open.validate().is_ok());
    }
}
