//! The access token: a secret that prints as `***` and leaves the process only
//! as an `Authorization: Bearer` header to the topic URL's host.

use std::fmt;
use std::str::FromStr;

use reqwest::header::HeaderValue;

use crate::error::ConfigError;

/// What [`AccessToken`]'s `Debug` and `Display` print instead of the token.
pub const REDACTED: &str = "***";

/// An ntfy access token (`tk_…`), held as a secret.
///
/// `Debug` and `Display` print [`REDACTED`]; there is no `Serialize`, and the
/// only way the text leaves this crate is the `Authorization: Bearer` header
/// the client sends to the topic URL's own host.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps `token` as a secret.
    ///
    /// # Errors
    /// [`ConfigError::InvalidToken`] when the token is empty or contains
    /// whitespace or control characters (it could not be sent as a header).
    /// The error never repeats the token.
    pub fn new(token: impl Into<String>) -> Result<Self, ConfigError> {
        let token = token.into();
        if token.is_empty() {
            return Err(ConfigError::InvalidToken {
                reason: "it is empty; leave the token unset for public topics",
            });
        }
        if token
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
        {
            return Err(ConfigError::InvalidToken {
                reason: "it contains whitespace, control or non-ASCII characters; copy it again without them",
            });
        }
        Ok(Self(token))
    }

    /// The `Authorization` header value, marked sensitive so that the HTTP
    /// stack never logs it.
    pub(crate) fn bearer_header(&self) -> Result<HeaderValue, ConfigError> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0)).map_err(|_| {
            ConfigError::InvalidToken {
                reason: "it cannot be sent as an HTTP header",
            }
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Replaces every occurrence of the token in `text` with [`REDACTED`], for
    /// text that came from elsewhere (a proxy might echo request headers).
    pub(crate) fn scrub(&self, text: &str) -> String {
        text.replace(&self.0, REDACTED)
    }
}

impl FromStr for AccessToken {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text.trim())
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "tk_7eevizlsiwf9yi4uxsrs83r4352o0";

    #[test]
    fn debug_and_display_print_stars_not_the_token() -> Result<(), ConfigError> {
        let token = AccessToken::new(SECRET)?;
        assert_eq!(format!("{token:?}"), "***");
        assert_eq!(format!("{token}"), "***");
        assert_eq!(format!("{:?}", Some(token.clone())), "Some(***)");
        Ok(())
    }

    #[test]
    fn the_header_is_bearer_and_marked_sensitive() -> Result<(), ConfigError> {
        let header = AccessToken::new(SECRET)?.bearer_header()?;
        assert!(header.is_sensitive());
        assert_eq!(header.as_bytes(), format!("Bearer {SECRET}").as_bytes());
        Ok(())
    }

    #[test]
    fn empty_or_spaced_tokens_are_refused_without_echoing_them() {
        for bad in ["", "tk_abc def", "tk_abc\n", "tk_é"] {
            let err = AccessToken::new(bad).err();
            let text = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                text.starts_with("invalid ntfy access token"),
                "{bad:?}: {text}"
            );
            if !bad.is_empty() {
                assert!(!text.contains(bad.trim()), "{text}");
            }
        }
    }

    #[test]
    fn parsing_trims_surrounding_whitespace() -> Result<(), ConfigError> {
        let token: AccessToken = format!("  {SECRET}\n").parse()?;
        assert_eq!(token, AccessToken::new(SECRET)?);
        Ok(())
    }

    #[test]
    fn scrub_removes_every_occurrence() -> Result<(), ConfigError> {
        let token = AccessToken::new(SECRET)?;
        let echoed = format!("bad header Bearer {SECRET}; again {SECRET}");
        assert_eq!(token.scrub(&echoed), "bad header Bearer ***; again ***");
        Ok(())
    }
}
