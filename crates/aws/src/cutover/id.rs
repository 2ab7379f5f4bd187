//! The id a message of the Go system gets in rez-agent.
//!
//! A UUIDv7 (RFC 9562 §5.7) whose 48-bit timestamp is the old message's
//! `created_date` in Unix milliseconds and whose 74 other free bits
//! (`rand_a`, `rand_b`) are the first bytes of a SHA-256 of the old id.
//! The same old message therefore always gets the same new id, which is
//! what lets a rerun of the copy recognise what it copied before, and new
//! ids still sort by creation time like every other [`MessageId`].

use chrono::{DateTime, Utc};
use rez_core::MessageId;
use sha2::{Digest, Sha256};

/// Hashed before the old id, so these bits are never the hash of the bare
/// id that some other use of SHA-256 might also derive.
const DOMAIN: &[u8] = b"rez-agent cutover legacy id\0";

/// The largest Unix millisecond a UUIDv7's 48-bit timestamp holds.
const MAX_MILLIS: u64 = (1 << 48) - 1;

/// The rez-agent id of the Go system's message `legacy_id`, created at
/// `created`.
///
/// # Errors
/// Why no UUIDv7 holds `created` (before 1970, or after the year 10889).
pub fn legacy_message_id(legacy_id: &str, created: DateTime<Utc>) -> Result<MessageId, String> {
    let millis = u64::try_from(created.timestamp_millis())
        .ok()
        .filter(|ms| *ms <= MAX_MILLIS)
        .ok_or_else(|| format!("created_date {created} is outside what a UUIDv7 can hold"))?;
    let digest = Sha256::new()
        .chain_update(DOMAIN)
        .chain_update(legacy_id.as_bytes())
        .finalize();
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    let uuid = uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid();
    uuid.hyphenated()
        .to_string()
        .parse()
        .map_err(|e| format!("the id built for {legacy_id} is not a message id: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(ms).single().unwrap()
    }

    #[test]
    fn the_same_old_message_always_gets_the_same_uuidv7() {
        let created = at(1_705_320_000_000);
        let a = legacy_message_id("msg_20240115120000_123456", created).unwrap();
        let b = legacy_message_id("msg_20240115120000_123456", created).unwrap();
        assert_eq!(a, b);
        let uuid = uuid::Uuid::parse_str(a.as_str()).unwrap();
        assert_eq!(uuid.get_version_num(), 7);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        let (seconds, nanos) = uuid.get_timestamp().unwrap().to_unix();
        assert_eq!((seconds, nanos), (1_705_320_000, 0));
    }

    #[test]
    fn other_old_ids_get_other_ids_and_later_messages_sort_later() {
        let created = at(1_705_320_000_000);
        let a = legacy_message_id("msg_20240115120000_123456", created).unwrap();
        let b = legacy_message_id("msg_20240115120000_123457", created).unwrap();
        assert_ne!(a, b);
        let later = legacy_message_id("msg_0", at(1_705_320_000_001)).unwrap();
        assert!(a < later && b < later);
    }

    #[test]
    fn a_date_before_1970_has_no_id() {
        assert!(legacy_message_id("msg_x", at(-1)).is_err());
    }
}
