//! One module per intrinsic function; each declares its `SIGNATURE` and a
//! `call` body that receives arguments already checked against it.

pub(crate) mod array;
pub(crate) mod array_contains;
pub(crate) mod array_get_item;
pub(crate) mod array_length;
pub(crate) mod array_partition;
pub(crate) mod array_range;
pub(crate) mod array_unique;
pub(crate) mod base64_decode;
pub(crate) mod base64_encode;
pub(crate) mod format;
pub(crate) mod hash;
pub(crate) mod json_merge;
pub(crate) mod json_to_string;
pub(crate) mod math_add;
pub(crate) mod math_random;
pub(crate) mod string_split;
pub(crate) mod string_to_json;
pub(crate) mod uuid;

/// Arguments as the registry hands them to a function, for the functions' tests.
#[cfg(test)]
pub(crate) fn test_args(values: &[serde_json::Value]) -> Vec<crate::intrinsics::registry::Arg> {
    values
        .iter()
        .map(|v| crate::intrinsics::registry::Arg {
            value: v.clone(),
            raw: None,
        })
        .collect()
}
