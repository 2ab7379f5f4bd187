//! The small closed vocabularies of a message (stage, status and type), and
//! [`text_enum`], which the schedules' vocabularies use too.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// A closed vocabulary: an enum whose values have one text each, the same
/// in JSON ([`serde`]), in stores ([`as_str`](Stage::as_str), `FromStr`)
/// and on screen (`Display`).
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as it appears in JSON and in stores.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(ValidationError::new(
                        $field,
                        format!("unknown {} '{}': expected one of {}", $field, other, [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;

text_enum!(
    /// The deployment stage a message belongs to.
    Stage, "stage" {
        /// Development.
        Dev => "dev",
        /// Staging.
        Stage => "stage",
        /// Production.
        Prod => "prod",
    }
);

text_enum!(
    /// Where a message's delivery stands.
    Status, "status" {
        /// Accepted and stored, not yet queued.
        Created => "created",
        /// Published to the queue, waiting for the processor.
        Queued => "queued",
        /// An execution is delivering it.
        Processing => "processing",
        /// ntfy's daily quota is used up: it waits for the quota's reset and
        /// is then sent round again (`error_message` says when).
        Deferred => "deferred",
        /// ntfy accepted it.
        Completed => "completed",
        /// Delivery failed; `error_message` says why.
        Failed => "failed",
    }
);

text_enum!(
    /// Why a message exists.
    MessageType, "message_type" {
        /// Sent through the HTTP API or the CLI.
        Notification => "notification",
        /// Created by the daily schedule.
        Scheduled => "scheduled",
    }
);

impl Status {
    /// Whether no further delivery will happen on its own.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Completed | Status::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_text_and_json() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), *s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>().unwrap(), *s);
        }
    }

    #[test]
    fn unknown_values_name_the_field_and_the_choices() {
        let err = "qa".parse::<Stage>().unwrap_err();
        assert_eq!(err.field, "stage");
        assert!(err.message.contains("dev, stage, prod"));
    }
}
