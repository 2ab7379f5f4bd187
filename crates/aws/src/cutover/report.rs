//! What a copy did: how many messages it copied, found already copied, or
//! skipped and why, with the old ids of the skipped ones.

use std::collections::BTreeMap;
use std::fmt;

/// Why an item of the old table was not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// A `web_action` message: a request to run an action, not a
    /// notification, and rez-agent has no such messages.
    WebAction,
    /// A `message_type` rez-agent has no counterpart for.
    UnknownType,
    /// Its `stage` is not the stage being copied.
    OtherStage,
    /// Older than rez-agent's retention
    /// ([`RETENTION_DAYS`](rez_core::message::RETENTION_DAYS)), and the copy
    /// was not asked to include expired messages.
    Expired,
    /// It does not read as a message (a field missing or of the wrong kind).
    Malformed,
}

impl SkipReason {
    /// The reason as the report prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::WebAction => "web_action",
            SkipReason::UnknownType => "unknown_type",
            SkipReason::OtherStage => "other_stage",
            SkipReason::Expired => "expired",
            SkipReason::Malformed => "malformed",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One item that was not copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Why.
    pub reason: SkipReason,
    /// Its `id` in the old table (`<no id>` if it has none).
    pub legacy_id: String,
    /// What about it made it so (the type, the stage, the date, the fault).
    pub detail: String,
}

/// What one run of the copy did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Whether this was a dry run, which writes nothing.
    pub dry_run: bool,
    /// Items read from the old table.
    pub scanned: u64,
    /// Messages written to the new table (in a dry run: that would be).
    pub copied: u64,
    /// Messages the new table already held from an earlier run, left as
    /// they are.
    pub already_present: u64,
    /// The old ids of the copied messages that the Go system had not
    /// finished (`created`, `queued`, `processing`): copied as `failed`.
    pub closed_unfinished: Vec<String>,
    /// The items not copied, by reason, in the order they were read.
    pub skipped: BTreeMap<SkipReason, Vec<Skipped>>,
}

impl Report {
    /// Records an item that was not copied.
    pub(crate) fn skip(&mut self, skipped: Skipped) {
        self.skipped
            .entry(skipped.reason)
            .or_default()
            .push(skipped);
    }

    /// How many items were skipped for `reason`.
    pub fn skipped_count(&self, reason: SkipReason) -> usize {
        self.skipped.get(&reason).map_or(0, Vec::len)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (copied, closed) = if self.dry_run {
            ("would copy", "would close as failed")
        } else {
            ("copied", "closed as failed")
        };
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        writeln!(f, "scanned: {}", self.scanned)?;
        writeln!(f, "{copied}: {}", self.copied)?;
        writeln!(f, "already present: {}", self.already_present)?;
        writeln!(
            f,
            "{closed} (unfinished in the old system): {}",
            self.closed_unfinished.len()
        )?;
        for id in &self.closed_unfinished {
            writeln!(f, "  {id}")?;
        }
        let skipped: usize = self.skipped.values().map(Vec::len).sum();
        writeln!(f, "skipped: {skipped}")?;
        for (reason, items) in &self.skipped {
            writeln!(f, "  {reason}: {}", items.len())?;
            for item in items {
                writeln!(f, "    {}: {}", item.legacy_id, item.detail)?;
            }
        }
        Ok(())
    }
}
