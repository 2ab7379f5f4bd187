//! `MaxConcurrency(Path)` and `ToleratedFailureCount/Percentage(Path)`.

use serde_json::Value;

use crate::definition::MapState;
use crate::errors::StatesError;
use crate::executor::env::Env;
use crate::executor::io;
use crate::jsonata::JsonataTemplate;
use crate::value::{Arena, Json, NodeId};

/// The limits of one Map run, read from literals or paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Limits {
    /// `None`: unlimited (a `MaxConcurrency` of 0 means no limit, per the spec).
    pub(super) max_concurrency: Option<usize>,
    pub(super) tolerated_count: Option<u64>,
    pub(super) tolerated_percentage: Option<f64>,
}

fn shown(value: Json<'_>) -> String {
    match value.as_str() {
        Some(text) => text.to_string(),
        None => value.to_string(),
    }
}

fn integer_at(
    field: &str,
    path: &str,
    (arena, input): (&mut Arena, NodeId),
    ctx: &Env<'_>,
) -> Result<i64, StatesError> {
    let found = io::read(arena, path, input, ctx)?;
    let value = arena.get(found);
    // AWS also accepts a string holding an integer ("1").
    let parsed = value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
    parsed.ok_or_else(|| {
        StatesError::runtime(format!(
            "The {field} field refers to value \"{}\" which is not a valid integer: {path}",
            shown(value)
        ))
    })
}

impl Limits {
    pub(super) fn read(
        map: &MapState,
        arena: &mut Arena,
        input: NodeId,
        ctx: &Env<'_>,
        literal: &dyn Fn(&Arena, &JsonataTemplate, &str) -> Result<Value, StatesError>,
    ) -> Result<Limits, StatesError> {
        let resolved =
            |value: Option<&JsonataTemplate>, field: &str| -> Result<Option<Value>, StatesError> {
                value.map(|v| literal(arena, v, field)).transpose()
            };
        let (max_concurrency, tolerated_count, tolerated_percentage) = (
            resolved(map.max_concurrency.as_ref(), "MaxConcurrency")?,
            resolved(
                map.tolerated_failure_count.as_ref(),
                "ToleratedFailureCount",
            )?,
            resolved(
                map.tolerated_failure_percentage.as_ref(),
                "ToleratedFailurePercentage",
            )?,
        );
        let concurrency = match &map.max_concurrency_path {
            Some(path) => Some(integer_at("MaxConcurrencyPath", path, (arena, input), ctx)?),
            None => max_concurrency.as_ref().and_then(Value::as_i64),
        };
        if concurrency.is_some_and(|c| c < 0) {
            return Err(StatesError::runtime("MaxConcurrency cannot be negative."));
        }
        let count = match &map.tolerated_failure_count_path {
            Some(path) => Some(integer_at(
                "ToleratedFailureCountPath",
                path,
                (arena, input),
                ctx,
            )?),
            None => tolerated_count.as_ref().and_then(Value::as_i64),
        };
        if count.is_some_and(|c| c < 0) {
            return Err(StatesError::runtime(
                "ToleratedFailureCount cannot be negative.",
            ));
        }
        let percentage = match &map.tolerated_failure_percentage_path {
            Some(path) => {
                let found = io::read(arena, path, input, ctx)?;
                let value = arena.get(found);
                let parsed = value
                    .as_f64()
                    .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
                Some(parsed.ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {path}",
                        shown(value)
                    ))
                })?)
            }
            None => tolerated_percentage.as_ref().and_then(Value::as_f64),
        };
        if percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err(StatesError::runtime(
                "ToleratedFailurePercentage must be between 0 and 100.",
            ));
        }
        Ok(Limits {
            max_concurrency: concurrency
                .and_then(|c| usize::try_from(c).ok())
                .filter(|c| *c > 0),
            tolerated_count: count.and_then(|c| u64::try_from(c).ok()),
            tolerated_percentage: percentage,
        })
    }

    /// Whether any failure tolerance was configured at all.
    pub(super) fn tolerates_any(&self) -> bool {
        self.tolerated_count.is_some_and(|c| c > 0)
            || self.tolerated_percentage.is_some_and(|p| p > 0.0)
    }

    /// Whether `failed` of `total` items exceed the tolerance.
    pub(super) fn exceeded(&self, failed: usize, total: usize) -> bool {
        let by_count = self.tolerated_count.is_some_and(|c| failed as u64 > c);
        let by_percentage = self
            .tolerated_percentage
            .is_some_and(|p| total > 0 && (failed as f64 * 100.0 / total as f64) > p);
        match (self.tolerated_count, self.tolerated_percentage) {
            (Some(_), Some(_)) => by_count && by_percentage,
            (Some(_), None) => by_count,
            (None, Some(_)) => by_percentage,
            (None, None) => failed > 0,
        }
    }
}
